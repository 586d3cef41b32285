//! Calls between applications: a workload that calls a workload of another application
//! (one of the packages its project depends on).
//!
//! Invariants: such a call is admitted by both sides or reported. The callee names the
//! workloads of other applications that may call it (`callers = ["storefront.web"]`,
//! since it cannot know them otherwise: its package does not depend on theirs), and a
//! call it does not admit is E1002; the two run in the same namespace, so the callee's
//! name must not be one of the caller's own workloads (E1003); and they run on the same
//! platform: the callee's application runs on the caller's platform, or is it (E1004).
//! A callee is resolved in the caller's environment (its ports are what the caller's
//! NetworkPolicy lets it reach), but what resolving it finds is its own project's to
//! report, never the caller's.

use std::sync::Arc;

use crate::diagnostic::{Code, Diagnostic, Label};
use crate::lowered::{Call, EnvironmentId, WorkloadId};
use crate::names::{DeclRef, NameKind, ProjectIndex};
use crate::resolve::model::{Caller, RemoteWorkload};
use crate::source::{Db, Origin, Project, SourceFile};

/// The remote callees of one workload, and what is wrong with its calls to them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct RemoteCalls {
    pub(crate) callees: Vec<RemoteCall>,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

/// A workload of another application, and where the caller names it in `calls`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RemoteCall {
    pub(crate) callee: RemoteWorkload,
    pub(crate) at: Label,
}

/// The calls of the workload `caller` (of `origin`, written in `file`) to workloads of
/// other applications, in the environment `env`.
pub(crate) fn remote_calls<'db>(
    db: &'db dyn Db,
    env: EnvironmentId<'db>,
    caller: &DeclRef,
    file: SourceFile,
    calls: &[Call<'db>],
) -> RemoteCalls {
    let project = env.project(db);
    let index = crate::names::project_index(db, project);
    let mut found = RemoteCalls::default();
    let admitted = Caller {
        application: project.application(db, caller.origin),
        workload: caller.name.clone(),
    };
    for call in calls {
        let Some(target) = &call.target else { continue };
        if target.origin == caller.origin {
            continue;
        }
        let at = Label::new(file, call.range);
        let check = Check {
            db,
            project,
            index,
            caller,
            target,
            at: &at,
        };
        if let Some(diagnostic) = check.name_taken().or_else(|| check.other_platform()) {
            found.diagnostics.push(diagnostic);
            continue;
        }
        let callee = WorkloadId::new(db, project, target.origin, target.name.clone());
        let Some(resolution) = crate::resolve::workload::resolve_workload(db, env, callee) else {
            continue;
        };
        let workload = Arc::clone(&resolution.workload);
        if !workload.callers.contains(&admitted) {
            found
                .diagnostics
                .push(check.not_admitted(&admitted, &workload.callers));
        }
        found.callees.push(RemoteCall {
            callee: RemoteWorkload {
                application: project.application(db, target.origin),
                workload,
            },
            at,
        });
    }
    found
}

struct Check<'a> {
    db: &'a dyn Db,
    project: Project,
    index: &'a ProjectIndex,
    caller: &'a DeclRef,
    target: &'a DeclRef,
    at: &'a Label,
}

impl Check<'_> {
    fn callee_application(&self) -> String {
        self.project.application(self.db, self.target.origin)
    }

    /// E1003: the caller's application has a workload of the callee's name.
    fn name_taken(&self) -> Option<Diagnostic> {
        let own = self
            .index
            .decl(self.caller.origin, &self.target.name)
            .filter(|decl| decl.kind == NameKind::Workload)?;
        Some(
            Diagnostic::new(
                Code::WorkloadNameTaken,
                format!(
                    "`{}` of `{}` has the name of a workload of this application",
                    self.target.name,
                    self.callee_application()
                ),
                self.at.file,
                self.at.range,
            )
            .with_label("calls a workload of another application")
            .with_secondary(
                Label::new(own.file, own.name_range(self.db))
                    .with_message("a workload of this application, of the same name"),
            )
            .with_help(
                "the two would be one Service in the environment's namespace: rename one of them",
            ),
        )
    }

    /// E1004: the callee's application runs on another platform than the caller's.
    fn other_platform(&self) -> Option<Diagnostic> {
        let platform_of = |origin: Origin| self.index.platforms.get(&origin).copied();
        let ours = platform_of(self.caller.origin);
        let theirs = platform_of(self.target.origin);
        if theirs == ours || Some(self.target.origin) == ours {
            return None;
        }
        let name = |origin: Option<Origin>| match origin {
            Some(origin) => format!("`{}`", self.project.application(self.db, origin)),
            None => "none".to_string(),
        };
        Some(
            Diagnostic::new(
                Code::CalleeOnAnotherPlatform,
                format!(
                    "`{}` of `{}` runs on another platform: {}, not {}",
                    self.target.name,
                    self.callee_application(),
                    name(theirs),
                    name(ours)
                ),
                self.at.file,
                self.at.range,
            )
            .with_label("not in the environments this workload runs in")
            .with_help(
                "a workload calls workloads that run in its own environments: those of applications on the same platform",
            ),
        )
    }

    /// E1002: the callee does not list the caller in `callers`.
    fn not_admitted(&self, caller: &Caller, admitted: &[Caller]) -> Diagnostic {
        let entry = format!("\"{}.{}\"", caller.application, caller.workload);
        let listed = if admitted.is_empty() {
            "it admits no caller of another application".to_string()
        } else {
            let names: Vec<String> = admitted
                .iter()
                .map(|caller| format!("`{}.{}`", caller.application, caller.workload))
                .collect();
            format!("it admits {}", names.join(", "))
        };
        Diagnostic::new(
            Code::CallerNotAdmitted,
            format!(
                "`{}` of `{}` does not admit calls from `{}.{}`",
                self.target.name,
                self.callee_application(),
                caller.application,
                caller.workload
            ),
            self.at.file,
            self.at.range,
        )
        .with_label(format!("not in the `callers` of `{}`", self.target.name))
        .with_secondary(
            Label::new(self.target.file, self.target.name_range(self.db))
                .with_message(format!("`{}` is declared here; {listed}", self.target.name)),
        )
        .with_help(format!(
            "its NetworkPolicy would refuse the call: add {entry} to `callers` in `{}` (in the repository of `{}`), publish it, and fetch it",
            self.target.name,
            self.callee_application()
        ))
    }
}
