//! What kind of workload a declaration is, and the fields that apply to one kind only.
//!
//! Invariants: a workload with `schedule` is a CronJob, one with `job` (and no
//! `schedule`) a Job, any other a service (a Deployment); the kind is decided by the
//! workload's own body, never by an override (E0317 for an override that would change
//! it). The fields of a kept-running service (`replicas`, `autoscaling`,
//! `service_ports`) are E0317 in a job or a CronJob, in its body and in its overrides,
//! once each where written; the workload's name is one Kubernetes accepts for the
//! objects of its kind, which leaves room for what plat and Kubernetes add to a Job's
//! name (E0220).

use crate::diagnostic::{Code, Diagnostic, Label};
use crate::kube;
use crate::syntax::ast::{Attribute, Ident};
use crate::types::body::Members;
use crate::types::checker::Checker;

/// A Kubernetes name rule: why a name is refused, if it is.
type NameRule = fn(&str) -> Result<(), String>;

/// The kinds of workloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WorkloadKind {
    /// Kept running: a Deployment.
    Service,
    /// Run to completion once: a Job.
    Job,
    /// Run to completion on a schedule: a CronJob.
    CronJob,
}

/// The fields that only a service has, and the fix where a job has one.
const SERVICE_ONLY: &[(&str, &str)] = &[
    (
        "replicas",
        "a job says how many of its pods run at once with `job = { parallelism = N }`",
    ),
    (
        "autoscaling",
        "a job runs to completion and is not scaled: remove `autoscaling`",
    ),
    (
        "service_ports",
        "a job has no Service: remove `service_ports`",
    ),
];

impl WorkloadKind {
    fn noun(self) -> &'static str {
        match self {
            WorkloadKind::Service => "a service",
            WorkloadKind::Job => "a job",
            WorkloadKind::CronJob => "a scheduled job",
        }
    }
}

impl Checker<'_> {
    /// The kind of the workload `name` whose body holds `members`, with E0317 for each
    /// field of a service that a job sets, and E0220 for a name Kubernetes refuses for
    /// its kind.
    pub(crate) fn workload_kind(&mut self, name: &Ident, members: &Members<'_>) -> WorkloadKind {
        let kind = if members.attribute("schedule").is_some() {
            WorkloadKind::CronJob
        } else if members.attribute("job").is_some() {
            WorkloadKind::Job
        } else {
            WorkloadKind::Service
        };
        if let Some(because) = kind_attribute(members.attributes.as_slice(), kind) {
            self.service_fields_in_a_job(&members.attributes, kind, because);
        }
        self.name_fits(name, kind);
        kind
    }

    /// E0220 when `name` is not one that Kubernetes accepts for the objects of a
    /// workload of `kind`: a Service's name, and for a job one that leaves room for the
    /// hash of its Job's name, for a scheduled job the 52 characters of a CronJob.
    fn name_fits(&mut self, name: &Ident, kind: WorkloadKind) {
        let (what, rule, most): (_, NameRule, _) = match kind {
            WorkloadKind::Service => ("workload", kube::service_name, kube::MAX_LABEL),
            WorkloadKind::Job => ("job", kube::job_name, kube::MAX_JOB_NAME),
            WorkloadKind::CronJob => (
                "scheduled job",
                kube::cron_job_name,
                kube::MAX_CRON_JOB_NAME,
            ),
        };
        self.kubernetes_name(name, what, rule, most);
    }

    /// E0317 for what an override of a workload of `kind`, for `environment`, sets that
    /// would change the kind or does not apply to it.
    pub(crate) fn check_override_kind(
        &mut self,
        attributes: &[&Attribute],
        kind: WorkloadKind,
        environment: &str,
    ) {
        for attribute in attributes {
            let name = attribute.name.name.as_str();
            let becomes = match (name, kind) {
                ("schedule", WorkloadKind::Service | WorkloadKind::Job) => WorkloadKind::CronJob,
                ("job", WorkloadKind::Service) => WorkloadKind::Job,
                _ => continue,
            };
            self.report(
                Diagnostic::new(
                    Code::WrongWorkloadKind,
                    format!("an override cannot make {} {}", kind.noun(), becomes.noun()),
                    self.file,
                    attribute.name.range,
                )
                .with_label(format!(
                    "`{name}` would change the workload's kind in `{environment}`"
                ))
                .with_help(format!(
                    "set `{name}` in the workload itself, for every environment, or declare \
                     another workload"
                )),
            );
        }
        if kind != WorkloadKind::Service {
            self.service_fields_in_a_job(attributes, kind, None);
        }
    }

    /// E0317 for each of `attributes` that only a service has, in a workload of `kind`;
    /// `because` is the attribute that makes it that kind, when it is in view.
    fn service_fields_in_a_job(
        &mut self,
        attributes: &[&Attribute],
        kind: WorkloadKind,
        because: Option<&Attribute>,
    ) {
        for attribute in attributes {
            let name = attribute.name.name.as_str();
            let Some((_, help)) = SERVICE_ONLY.iter().find(|(field, _)| *field == name) else {
                continue;
            };
            let mut diagnostic = Diagnostic::new(
                Code::WrongWorkloadKind,
                format!("`{name}` does not apply to {}", kind.noun()),
                self.file,
                attribute.name.range,
            )
            .with_label(format!("only a service has `{name}`"))
            .with_help(*help);
            if let Some(because) = because {
                diagnostic = diagnostic.with_secondary(
                    Label::new(self.file, because.name.range).with_message(format!(
                        "`{}` makes the workload {}",
                        because.name.name,
                        kind.noun()
                    )),
                );
            }
            self.report(diagnostic);
        }
    }
}

/// The attribute that makes a workload of `kind` a job: `schedule`, or `job`.
fn kind_attribute<'a>(
    attributes: &[&'a Attribute],
    kind: WorkloadKind,
) -> Option<Option<&'a Attribute>> {
    let name = match kind {
        WorkloadKind::Service => return None,
        WorkloadKind::Job => "job",
        WorkloadKind::CronJob => "schedule",
    };
    Some(
        attributes
            .iter()
            .copied()
            .find(|attribute| attribute.name.name == name),
    )
}
