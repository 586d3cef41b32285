//! Where an environment's Terraform state lives.
//!
//! Invariants: the build output is disposable, so no state may live in it. An
//! environment whose build writes Terraform (its live or removed instances are
//! provisioned by a Terraform module, or refer to a password Terraform generates)
//! names a backend (E0901), and a `local` backend's `path` is absolute, outside every
//! output (E0902). [`state_diagnostics`] reads the environment's shared part and each
//! workload's resolution, which the check has computed already.

use crate::diagnostic::{Code, Diagnostic, Label, located};
use crate::lowered::{EnvironmentId, Setting};
use crate::resolve::declared::workloads;
use crate::resolve::model::provisions_with_terraform;
use crate::resolve::shared::environment_shared;
use crate::resolve::workload::resolve_workload;
use crate::source::Db;

/// E0901 and E0902 for the environment `env`.
#[salsa::tracked(returns(ref))]
pub(crate) fn state_diagnostics<'db>(db: &'db dyn Db, env: EnvironmentId<'db>) -> Vec<Diagnostic> {
    let (Some(shared), Some(environment)) = (
        environment_shared(db, env).as_ref(),
        crate::lowered::environment(db, env).as_ref(),
    ) else {
        return Vec::new();
    };
    let file = environment.decl.file;
    let Some(backend) = &environment.backend else {
        if !writes_terraform(db, env) {
            return Vec::new();
        }
        let name = &shared.settings.name;
        return vec![
            located(
                Code::BackendRequired,
                format!("the environment `{name}` provisions with Terraform but names no backend"),
                Label::new(file, environment.name_range),
                "its Terraform state has nowhere to live but the build output",
            )
            .with_help(format!(
                "name where Terraform keeps its state: `backend kubernetes {{ namespace = \
                 \"{}\" }}` for an environment that lives in one cluster, `backend s3 {{ \
                 bucket = \"...\", use_lockfile = true }}` on AWS, or `backend local {{ path = \
                 \"/absolute/path.tfstate\" }}` for one machine (`plat explain E0901`)",
                shared.settings.namespace
            )),
        ];
    };
    if backend.kind.text(db) != "local" {
        return Vec::new();
    }
    let path = shared
        .backend
        .as_ref()
        .and_then(|resolved| resolved.config.get("path"))
        .and_then(|value| value.as_text());
    if path.as_deref().is_some_and(is_absolute) {
        return Vec::new();
    }
    let written: Option<&Setting<'_>> = backend
        .settings
        .iter()
        .find(|setting| setting.name.text(db) == "path");
    let at = written.map_or(backend.kind_range, |setting| {
        environment.exprs.range(setting.value)
    });
    let label = match &path {
        Some(path) => {
            format!("`{path}` is relative: Terraform reads it from inside the build output")
        }
        None => "without a `path`, Terraform keeps the state inside the build output".to_string(),
    };
    vec![
        located(
            Code::LocalStateInOutput,
            "local state would live inside the build output".to_string(),
            Label::new(file, at),
            label,
        )
        .with_help(
            "give an absolute path outside the output, on the machine that applies: `path = \
             \"/var/lib/plat/PROJECT/ENVIRONMENT.tfstate\"`",
        ),
    ]
}

/// Whether the environment `env` writes Terraform: its shared instances or one of its
/// workloads (with the instances it owns) does.
fn writes_terraform<'db>(db: &'db dyn Db, env: EnvironmentId<'db>) -> bool {
    let Some(shared) = environment_shared(db, env).as_ref() else {
        return false;
    };
    if provisions_with_terraform(shared.instances.values().map(AsRef::as_ref), []) {
        return true;
    }
    workloads(db, env.project(db)).iter().any(|&workload| {
        resolve_workload(db, env, workload)
            .as_ref()
            .is_some_and(|resolved| {
                provisions_with_terraform(
                    resolved
                        .instances
                        .values()
                        .chain(shared.instances.values())
                        .map(AsRef::as_ref),
                    [&*resolved.workload],
                )
            })
    })
}

/// Whether Terraform reads `path` as absolute: `/…`, or a drive on Windows (`C:\…`).
fn is_absolute(path: &str) -> bool {
    let bytes = path.as_bytes();
    path.starts_with('/')
        || (bytes.len() > 2
            && bytes[0].is_ascii_alphabetic()
            && bytes[1] == b':'
            && matches!(bytes[2], b'/' | b'\\'))
}
