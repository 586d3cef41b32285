//! Removals: a workload or a resource the sources say is removed (`removed = true`).
//!
//! Invariants: a removed workload or resource is resolved as it was (so that its
//! Terraform root module, with its backend and providers, stays in the output for
//! Terraform to destroy it), but nothing of it runs and nothing live may use it
//! (E0905); everything it pulled in (`api.db.network` for `api.db`) is removed with it.
//! A protected instance (a stateful offering's `protect = true`) is never removed
//! (E0904), and every removal says, per environment, what it destroys (W0906).

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::{Code, Diagnostic, Label, located};
use crate::lowered::{ExprId, Exprs, Name};
use crate::resolve::eval::eval;
use crate::resolve::instance_id::InstanceId;
use crate::resolve::model::{Instance, Provisioning};
use crate::resolve::scope::Scope;
use crate::resolve::value::Value;
use crate::source::{Db, SourceFile};

/// Whether `removed`, evaluated in `scope`, is `true`.
pub(crate) fn is_removed(
    db: &dyn Db,
    scope: &Scope,
    exprs: &Exprs<'_>,
    removed: Option<ExprId>,
) -> bool {
    removed.is_some_and(|expr| eval(db, scope, exprs, expr) == Value::Bool(true))
}

/// The ids among `instances` that removing the instance `id` removes: itself and what
/// it pulled in.
pub(crate) fn pulled_in<'i>(
    instances: impl IntoIterator<Item = &'i InstanceId>,
    id: &str,
) -> BTreeSet<InstanceId> {
    instances
        .into_iter()
        .filter(|other| other.is_or_within(id))
        .cloned()
        .collect()
}

/// One thing the sources remove in one environment: where, what, and the instances
/// that go with it.
pub(crate) struct Removal<'a> {
    /// The `removed = true` that says so.
    pub(crate) site: Label,
    /// `` the workload `cart-api` ``, `` the resource `cart-api.db` ``.
    pub(crate) what: String,
    pub(crate) environment: &'a str,
    pub(crate) instances: Vec<&'a Instance>,
}

impl Removal<'_> {
    /// E0904 for each protected instance it removes; otherwise W0906 for what its
    /// removal destroys.
    pub(crate) fn diagnostics(
        &self,
        stateful: &BTreeSet<InstanceId>,
        protected: &BTreeSet<InstanceId>,
    ) -> Vec<Diagnostic> {
        let mut found = Vec::new();
        for instance in self
            .instances
            .iter()
            .filter(|instance| protected.contains(&instance.id))
        {
            found.push(
                located(
                    Code::ProtectedRemoval,
                    format!(
                        "removing {} would destroy `{}`, which is protected, in `{}`",
                        self.what, instance.id, self.environment
                    ),
                    self.site.clone(),
                    "removed here",
                )
                .with_secondary(instance.source.clone().with_message(format!(
                    "`{}` ({}) keeps data and has `protect = true` here or by default",
                    instance.id, instance.offering
                )))
                .with_help(format!(
                    "lift the protection first, in its own change: set `protect = false` on \
                     `{}` (or in the environment's `use {}.{}`), apply it, then remove",
                    instance.id, instance.offering, instance.implementation
                )),
            );
        }
        if !found.is_empty() {
            return found;
        }
        let destroyed: Vec<&Instance> = self
            .instances
            .iter()
            .copied()
            .filter(|instance| destroys(instance, stateful))
            .collect();
        let message = match destroyed.as_slice() {
            [] => return found,
            [only] if self.what.contains(&format!("`{}`", only.id)) => format!(
                "removing {} ({} on {}) destroys it in `{}`",
                self.what, only.offering, only.implementation, self.environment
            ),
            several => format!(
                "removing {} destroys {} in `{}`",
                self.what,
                several
                    .iter()
                    .map(|instance| format!(
                        "`{}` ({} on {})",
                        instance.id, instance.offering, instance.implementation
                    ))
                    .collect::<Vec<_>>()
                    .join(", "),
                self.environment
            ),
        };
        found.push(
            located(
                Code::RemovalDestroys,
                message,
                self.site.clone(),
                "removed here",
            )
            .with_help(
                "its root module stays in the build output, with nothing to create: `terraform \
                 apply` there destroys what Terraform provisioned, and what ran in the cluster \
                 leaves the manifests (a GitOps controller that prunes deletes it, volumes \
                 included); once that is done, delete the declaration from the sources",
            ),
        );
        found
    }
}

/// Whether removing `instance` destroys something: what Terraform provisioned, or the
/// data of a stateful instance in the cluster (its volume claim leaves the manifests).
fn destroys(instance: &Instance, stateful: &BTreeSet<InstanceId>) -> bool {
    match &instance.provisioning {
        Provisioning::Terraform(_) => true,
        Provisioning::Kubernetes(_) => stateful.contains(&instance.id),
        _ => false,
    }
}

/// E0905 at each place among `roots` that reads one of `removed` (name → what it
/// is, for the message), in `user`.
pub(crate) fn uses_of_removed<'db>(
    db: &'db dyn Db,
    file: SourceFile,
    roots: &[(Name<'db>, crate::span::TextRange)],
    removed: &BTreeMap<String, String>,
    user: &str,
    environment: &str,
) -> Vec<Diagnostic> {
    roots
        .iter()
        .filter_map(|(name, range)| {
            let name = name.text(db);
            let what = removed.get(name)?;
            Some(used_removed(
                Label::new(file, *range),
                user,
                what,
                environment,
            ))
        })
        .collect()
}

/// E0905: `user` uses `what`, which the sources remove in `environment`.
pub(crate) fn used_removed(at: Label, user: &str, what: &str, environment: &str) -> Diagnostic {
    located(
        Code::UsesRemoved,
        format!("{user} uses {what}, which is removed in `{environment}`"),
        at,
        format!("{what} is removed"),
    )
    .with_help(format!(
        "stop using {what} first, or keep it until nothing in `{environment}` uses it"
    ))
}
