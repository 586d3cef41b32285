//! The shared part of one environment: its settings, the implementation it `use`s for
//! each offering, and its shared instances. Every workload of the environment is
//! resolved on top of it.
//!
//! Invariants: [`environment_shared`] reads only the environment's lowered declaration
//! and the offerings it instantiates, never a workload, so an edit to a workload never
//! re-runs it. The settings are decided first (they see `env.name` only), then the
//! shared instances, each after the shared instances its params (or its offering's
//! `use` body) read; what they find is reported here, once per environment.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Label};
use crate::lowered::{Environment, EnvironmentId, ExprId};
use crate::resolve::context::{OfferingKey, offering, offering_key};
use crate::resolve::cycle::Frame;
use crate::resolve::eval::eval;
use crate::resolve::instance::{EnvSettings, Instantiator, Request, UseSite, assign};
use crate::resolve::instance_id::InstanceId;
use crate::resolve::model::{Backend, Instance, Owner};
use crate::resolve::order::{Settings, read_order, sibling_reads};
use crate::resolve::provisioning::text;
use crate::resolve::removal::{Removal, is_removed, pulled_in, uses_of_removed};
use crate::resolve::scope::{Scope, optional_text, record};
use crate::resolve::value::Value;
use crate::source::Db;
use crate::types::schema::REMOVED;

/// An environment's settings and shared instances, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SharedPart {
    pub(crate) settings: EnvSettings,
    pub(crate) cluster: Option<String>,
    pub(crate) region: Option<String>,
    pub(crate) domain: Option<String>,
    pub(crate) backend: Option<Backend>,
    /// What `use` bodies see: `env` and the outputs of the shared instances.
    pub(crate) scope: Scope,
    /// The names of the shared instances the environment declares.
    pub(crate) declared: BTreeSet<String>,
    /// The outputs of the shared instances that could be bound, by id (a shared
    /// instance's id is its name).
    pub(crate) outputs: BTreeMap<InstanceId, Value>,
    /// The shared instances and what they need, by id.
    pub(crate) instances: BTreeMap<InstanceId, Arc<Instance>>,
    /// The names of the shared resources that say `removed = true`.
    pub(crate) removed: BTreeSet<String>,
    /// The ids of the instances they remove: theirs, and what they pulled in.
    pub(crate) removed_instances: BTreeSet<InstanceId>,
    /// The ids of the instances whose offering is stateful, and of the protected among
    /// them.
    pub(crate) stateful: BTreeSet<InstanceId>,
    pub(crate) protected: BTreeSet<InstanceId>,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

/// The implementation the environment `use`s for each offering, by offering.
pub(crate) fn uses<'a, 'db>(
    db: &'db dyn Db,
    environment: &'a Environment<'db>,
) -> BTreeMap<OfferingKey, UseSite<'a, 'db>> {
    environment
        .uses
        .iter()
        .map(|used| {
            let site = UseSite {
                implementation: used.implementation.text(db),
                settings: &used.settings,
                exprs: &environment.exprs,
                file: environment.decl.file,
            };
            (offering_key(&used.offering), site)
        })
        .collect()
}

/// The settings and shared instances of the environment `id`; `None` when the project
/// has no such environment.
#[salsa::tracked(returns(ref))]
pub(crate) fn environment_shared<'db>(
    db: &'db dyn Db,
    id: EnvironmentId<'db>,
) -> Option<SharedPart> {
    let environment = crate::lowered::environment(db, id).as_ref()?;
    let settings = settings(db, environment);
    let uses = uses(db, environment);
    let mut env_scope = Scope::new();
    env_scope.bind("env", settings.value.clone());
    let mut instantiator =
        Instantiator::new(db, id.project(db), &settings, &uses, Cow::Owned(env_scope));
    let (outputs, removed_sites) = shared_instances(&mut instantiator, environment);
    let Instantiator {
        env_scope,
        instances,
        mut diagnostics,
        stateful,
        protected,
        ..
    } = instantiator;
    let mut removed_instances = BTreeSet::new();
    for (name, site) in &removed_sites {
        let ids = pulled_in(instances.keys(), name);
        let removal = Removal {
            site: site.clone(),
            what: format!("the shared resource `{name}`"),
            environment: &settings.name,
            instances: ids
                .iter()
                .filter_map(|id| instances.get(id).map(AsRef::as_ref))
                .collect(),
        };
        diagnostics.extend(removal.diagnostics(&stateful, &protected));
        removed_instances.extend(ids);
    }
    let removed: BTreeSet<String> = removed_sites.into_keys().collect();
    diagnostics.extend(uses_of_removed_shared(
        db,
        environment,
        &removed,
        &settings.name,
    ));
    let scope = env_scope.into_owned();
    // The other settings and the backend see the shared instances too.
    let setting = |field: Option<ExprId>| {
        field.and_then(|value| text(&eval(db, &scope, &environment.exprs, value)))
    };
    let backend = environment.backend.as_ref().map(|backend| Backend {
        kind: backend.kind.text(db).clone(),
        config: backend
            .settings
            .iter()
            .map(|setting| {
                let value = eval(db, &scope, &environment.exprs, setting.value);
                (setting.name.text(db).clone(), value)
            })
            .collect(),
    });
    Some(SharedPart {
        cluster: setting(environment.fields.cluster),
        region: setting(environment.fields.region),
        domain: setting(environment.fields.domain),
        backend,
        declared: environment
            .shared
            .iter()
            .map(|resource| resource.name.text(db).clone())
            .collect(),
        settings,
        scope,
        outputs,
        instances,
        removed,
        removed_instances,
        stateful,
        protected,
        diagnostics,
    })
}

/// E0905 for the `use` bodies and the live shared resources of `environment` that read
/// a shared resource it removes.
fn uses_of_removed_shared<'db>(
    db: &'db dyn Db,
    environment: &Environment<'db>,
    removed: &BTreeSet<String>,
    name: &str,
) -> Vec<Diagnostic> {
    if removed.is_empty() {
        return Vec::new();
    }
    let live_resources = environment
        .shared
        .iter()
        .filter(|resource| !removed.contains(resource.name.text(db)))
        .flat_map(|resource| &resource.settings);
    let uses = environment.uses.iter().flat_map(|used| &used.settings);
    let mut roots = Vec::new();
    for setting in live_resources.chain(uses) {
        environment.exprs.roots(setting.value, &mut roots);
    }
    let what: BTreeMap<String, String> = removed
        .iter()
        .map(|name| (name.clone(), format!("the shared resource `{name}`")))
        .collect();
    uses_of_removed(
        db,
        environment.decl.file,
        &roots,
        &what,
        &format!("the environment `{name}`"),
        name,
    )
}

/// The name, namespace and record `env` of an environment: its settings see `env.name`
/// only, since the others are what they decide.
fn settings(db: &dyn Db, environment: &Environment<'_>) -> EnvSettings {
    let name = environment.decl.name.clone();
    let mut scope = Scope::new();
    scope.bind("env", record([("name", Value::String(name.clone()))]));
    let setting = |field: Option<ExprId>| {
        field.and_then(|value| text(&eval(db, &scope, &environment.exprs, value)))
    };
    let namespace = setting(environment.fields.namespace).unwrap_or_default();
    let value = record([
        ("name", Value::String(name.clone())),
        ("namespace", Value::String(namespace.clone())),
        (
            "region",
            optional_text(setting(environment.fields.region).as_deref()),
        ),
        (
            "domain",
            optional_text(setting(environment.fields.domain).as_deref()),
        ),
    ]);
    EnvSettings {
        name,
        file: environment.decl.file,
        name_range: environment.name_range,
        namespace,
        value,
    }
}

/// Instantiates the shared instances, each after the shared instances its params (or
/// its offering's `use` body) read; binds each in the `env` scope, unless it says
/// `removed = true`. Returns the outputs of those that could be bound, by name, and
/// where each removed one says so.
fn shared_instances<'db>(
    instantiator: &mut Instantiator<'_, 'db>,
    environment: &Environment<'db>,
) -> (BTreeMap<InstanceId, Value>, BTreeMap<String, Label>) {
    let db = instantiator.db;
    let project = instantiator.project;
    let file = environment.decl.file;
    let exprs = &environment.exprs;
    let shared = &environment.shared;
    let views: Vec<_> = shared
        .iter()
        .map(|resource| {
            resource
                .offering
                .as_ref()
                .and_then(|decl| offering(db, project, decl))
        })
        .collect();
    let names: Vec<&str> = shared
        .iter()
        .map(|resource| resource.name.text(db).as_str())
        .collect();
    let bodies: Vec<Vec<Settings<'_, 'db>>> = shared
        .iter()
        .zip(&views)
        .map(|(resource, view)| {
            let used = view
                .and_then(|view| instantiator.uses.get(&offering_key(view.decl())))
                .map(|used| used.settings);
            std::iter::once(resource.settings.as_slice())
                .chain(used)
                .map(|settings| (file, exprs, settings))
                .collect()
        })
        .collect();
    let reads = sibling_reads(db, &names, &bodies);
    let tangled = instantiator.read_cycles(&names, &reads);
    let mut outputs = BTreeMap::new();
    let mut removed = BTreeMap::new();
    for at in read_order(shared.len(), &reads) {
        let (Some(resource), Some(Some(offering))) = (shared.get(at), views.get(at)) else {
            continue;
        };
        let name = resource.name.text(db).clone();
        let id = InstanceId::from(name.as_str());
        let request = Request {
            id: id.clone(),
            owner: Owner::Environment,
            offering: *offering,
            site: Label::new(file, resource.site),
            assigned: assign(
                db,
                &instantiator.env_scope,
                (file, exprs, &resource.settings),
            ),
            quiet: tangled.contains(&at),
        };
        let mut stack: Vec<Frame> = Vec::new();
        let output = instantiator.instantiate(request, None, &mut stack);
        let removal = resource
            .settings
            .iter()
            .find(|setting| setting.name.text(db) == REMOVED)
            .filter(|_| offering.sig.param(REMOVED).is_none())
            .filter(|setting| is_removed(db, &instantiator.env_scope, exprs, Some(setting.value)));
        if let Some(setting) = removal {
            removed.insert(name, Label::new(file, exprs.range(setting.value)));
        } else if let Some(output) = output {
            instantiator.env_scope.to_mut().bind(name, output.clone());
            outputs.insert(id, output);
        }
    }
    (outputs, removed)
}
