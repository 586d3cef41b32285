//! What kind of workload a declaration is, and the fields that apply to one kind only.
//!
//! Invariants: a workload with `schedule` is a CronJob, one with `job` (and no
//! `schedule`) a Job, any other a service (a Deployment); the kind is decided by the
//! workload's own body, never by an override (E0317 for an override that would change
//! it). The fields of a kept-running service (`replicas`, `autoscaling`,
//! `service_ports`) are E0317 in a job or a CronJob, in its body and in its overrides,
//! once each where written; a job's name leaves room for what Kubernetes adds to its
//! Jobs' names (E0318).

use crate::diagnostic::{Code, Diagnostic, Label};
use crate::syntax::ast::{Attribute, Ident};
use crate::types::body::Members;
use crate::types::checker::Checker;

/// The longest name of a job: its Job is named `NAME-1a2b3c4d`, at most 63 characters.
const JOB_NAME_MAX: usize = 54;

/// The longest name of a scheduled job, which Kubernetes allows a CronJob.
const CRON_JOB_NAME_MAX: usize = 52;

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
    /// field of a service that a job sets, and E0318 for a name too long for its kind.
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

    /// E0318 when the object names of a workload of `kind` would be longer than
    /// Kubernetes allows: a Job's is the name and a hash (`-1a2b3c4d`), and a CronJob
    /// names its Jobs with 11 more characters, under the 63 of a label value.
    fn name_fits(&mut self, name: &Ident, kind: WorkloadKind) {
        let (most, why) = match kind {
            WorkloadKind::Service => return,
            WorkloadKind::Job => (
                JOB_NAME_MAX,
                "a Job is named `NAME-HASH`, with 9 characters of hash, in at most 63",
            ),
            WorkloadKind::CronJob => (
                CRON_JOB_NAME_MAX,
                "a CronJob's Jobs are named after it with 11 more characters, in at most 63",
            ),
        };
        let length = name.name.chars().count();
        if length <= most {
            return;
        }
        self.report(
            Diagnostic::new(
                Code::JobNameTooLong,
                format!(
                    "the name `{}` is too long for {}: {length} characters",
                    name.name,
                    kind.noun()
                ),
                self.file,
                name.range,
            )
            .with_label(format!("at most {most} characters"))
            .with_help(format!(
                "shorten the name to at most {most} characters: {why}"
            )),
        );
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
