//! Resolving one environment: its settings, the implementation it `use`s for each
//! offering, its shared instances, every workload, the calls between them, and its
//! policies.
//!
//! Invariants: the steps run in an order in which everything a value reads is already
//! decided: the environment's settings, then its shared instances (in the order their
//! params read each other), then the workloads' addresses, then each workload (its
//! resources, then its containers), then the cycles of calls and the policies. Every
//! collection of the result is sorted, and diagnostics name the environment, so the
//! same project gives the same result on every run.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::{Diagnostic, Label};
use crate::names::{DeclRef, NameKind};
use crate::resolve::context::{
    Context, OfferingKey, OfferingView, attribute, attributes, blocks, instance_range, instances,
    offering_key,
};
use crate::resolve::eval::eval;
use crate::resolve::instance::{Frame, Request, assign};
use crate::resolve::model::{Backend, Owner, ResolvedEnvironment, ResolvedWorkload};
use crate::resolve::order::{read_order, sibling_reads};
use crate::resolve::provisioning::text;
use crate::resolve::scope::{Scope, optional_text, record};
use crate::resolve::value::Value;
use crate::resolve::workload::{Effective, address};
use crate::source::SourceFile;
use crate::span::TextRange;
use crate::syntax::ast::{self, Declaration, Expr, Ident, Member};

/// The implementation an environment `use`s for an offering.
#[derive(Debug, Clone)]
pub struct UseSite<'db> {
    pub implementation: String,
    pub body: Option<&'db ast::Body>,
    /// The environment's file.
    pub file: SourceFile,
}

impl UseSite<'_> {
    /// `` `use postgres.aws { ... }` ``, for messages.
    pub fn display(&self, offering: OfferingView<'_>) -> String {
        format!(
            "`use {}.{} {{ ... }}`",
            offering.sig.decl.name, self.implementation
        )
    }
}

/// The state of resolving one environment.
pub struct EnvResolver<'db> {
    pub cx: Context<'db>,
    pub name: String,
    pub file: SourceFile,
    pub name_range: TextRange,
    pub namespace: String,
    /// The record `env`.
    pub env_value: Value,
    /// What `use` bodies and shared instances see: `env` and the shared instances.
    pub env_scope: Scope,
    pub uses: BTreeMap<OfferingKey, UseSite<'db>>,
    /// The names of the environment's shared instances.
    pub shared_declared: BTreeSet<String>,
    /// The outputs of the shared instances that could be bound.
    pub shared_outputs: BTreeMap<String, Value>,
    /// Every instance bound so far, by id.
    pub instances: BTreeMap<String, crate::resolve::model::Instance>,
    pub diagnostics: Vec<Diagnostic>,
    /// Cycles already reported.
    pub cycles: BTreeSet<Vec<String>>,
    /// How many instances the resource being instantiated has pulled in so far,
    /// itself included (see [`crate::resolve::instance::MAX_PULLED`]).
    pub pulled: usize,
    /// The id of that resource.
    pub pulling: String,
}

/// Resolves the environment `decl` of the project.
pub fn resolve_environment<'db>(
    cx: Context<'db>,
    decl: &'db DeclRef,
    syntax: &'db Declaration,
) -> (ResolvedEnvironment, Vec<Diagnostic>) {
    let mut resolver = EnvResolver::new(cx, decl, syntax);
    resolver.resolve_shared(syntax);
    let workloads: Vec<Effective<'db>> = cx
        .declarations(NameKind::Workload)
        .into_iter()
        .map(|(decl, syntax)| Effective::new(decl, syntax, &resolver.name))
        .collect();
    let globals = resolver.addresses(&workloads);
    let resolved: Vec<ResolvedWorkload> = workloads
        .iter()
        .map(|workload| resolver.resolve_workload(workload, &globals))
        .collect();
    let calls = workloads
        .iter()
        .map(|workload| {
            (
                workload.name().to_string(),
                (workload.file(), workload.calls()),
            )
        })
        .collect();
    resolver.call_cycles(&calls);
    let policies = policy_names(syntax);
    resolver.check_policies(&policies, &resolved);
    let environment = resolver.finish(syntax, resolved);
    resolver
        .diagnostics
        .extend(crate::resolve::volume_access::check(&environment));
    (environment, resolver.diagnostics)
}

/// The names in `policies = [...]`.
fn policy_names(syntax: &Declaration) -> Vec<&Ident> {
    let Some(policies) = attribute(&syntax.body, "policies") else {
        return Vec::new();
    };
    let Expr::List { items, .. } = &policies.value else {
        return Vec::new();
    };
    let mut seen = BTreeSet::new();
    items
        .iter()
        .filter_map(|item| match item {
            Expr::Name(ident) if seen.insert(ident.name.as_str()) => Some(ident),
            _ => None,
        })
        .collect()
}

impl<'db> EnvResolver<'db> {
    fn new(cx: Context<'db>, decl: &'db DeclRef, syntax: &'db Declaration) -> Self {
        let name = decl.name.clone();
        let file = decl.file;
        // Settings see `env.name` only: the others are what they decide.
        let mut settings_scope = Scope::new();
        settings_scope.bind("env", record([("name", Value::String(name.clone()))]));
        let setting = |key: &str| {
            attribute(&syntax.body, key)
                .and_then(|attribute| text(&eval(&settings_scope, &attribute.value)))
        };
        let namespace = setting("namespace").unwrap_or_default();
        let env_value = record([
            ("name", Value::String(name.clone())),
            ("namespace", Value::String(namespace.clone())),
            ("region", optional_text(setting("region").as_deref())),
            ("domain", optional_text(setting("domain").as_deref())),
        ]);
        let mut env_scope = Scope::new();
        env_scope.bind("env", env_value.clone());
        let mut resolver = EnvResolver {
            cx,
            name,
            file,
            name_range: syntax.name.range,
            namespace,
            env_value,
            env_scope,
            uses: BTreeMap::new(),
            shared_declared: instances(&syntax.body)
                .iter()
                .map(|instance| instance.name.name.clone())
                .collect(),
            shared_outputs: BTreeMap::new(),
            instances: BTreeMap::new(),
            diagnostics: Vec::new(),
            cycles: BTreeSet::new(),
            pulled: 0,
            pulling: String::new(),
        };
        resolver.collect_uses(syntax);
        resolver
    }

    /// `use offering.implementation { ... }`, the first for each offering.
    fn collect_uses(&mut self, syntax: &'db Declaration) {
        for member in &syntax.body.members {
            let Member::Use(used) = member else { continue };
            let [offering, implementation] = used.target.segments.as_slice() else {
                continue;
            };
            let path = ast::Path {
                segments: vec![offering.clone()],
                range: offering.range,
            };
            let Some(view) = self.cx.offering(self.file, &path) else {
                continue;
            };
            self.uses
                .entry(offering_key(view.decl))
                .or_insert_with(|| UseSite {
                    implementation: implementation.name.clone(),
                    body: used.body.as_ref(),
                    file: self.file,
                });
        }
    }

    /// Instantiates the shared instances, each after the shared instances its params
    /// (or its offering's `use` body) read.
    fn resolve_shared(&mut self, syntax: &'db Declaration) {
        let shared = instances(&syntax.body);
        let views: Vec<Option<OfferingView<'db>>> = shared
            .iter()
            .map(|instance| self.cx.offering(self.file, &instance.offering))
            .collect();
        let names: Vec<&str> = shared
            .iter()
            .map(|instance| instance.name.name.as_str())
            .collect();
        let bodies: Vec<Vec<(SourceFile, &ast::Body)>> = shared
            .iter()
            .zip(&views)
            .map(|(instance, view)| {
                let used = view
                    .and_then(|view| self.uses.get(&offering_key(view.decl)))
                    .and_then(|used| used.body);
                std::iter::once(&instance.body)
                    .chain(used)
                    .map(|body| (self.file, body))
                    .collect()
            })
            .collect();
        let reads = sibling_reads(&names, &bodies);
        let tangled = self.read_cycles(&names, &reads);
        for at in read_order(shared.len(), &reads) {
            let (Some(instance), Some(Some(offering))) = (shared.get(at), views.get(at)) else {
                continue;
            };
            let name = instance.name.name.clone();
            let request = Request {
                id: name.clone(),
                owner: Owner::Environment,
                offering: *offering,
                site: Label::new(self.file, instance_range(instance)),
                assigned: assign(&self.env_scope, self.file, &instance.body),
                quiet: tangled.contains(&at),
            };
            let mut stack: Vec<Frame> = Vec::new();
            if let Some(outputs) = self.instantiate(request, None, &mut stack) {
                self.env_scope.bind(name.clone(), outputs.clone());
                self.shared_outputs.insert(name, outputs);
            }
        }
    }

    /// Every workload's address, by name: the scope every workload starts from.
    fn addresses(&self, workloads: &[Effective<'db>]) -> Scope {
        let mut addresses = BTreeMap::new();
        for workload in workloads {
            let mut scope = Scope::new();
            scope.bind("env", self.env_value.clone());
            scope.bind(
                "self",
                record([
                    ("name", Value::String(workload.name().to_string())),
                    ("namespace", Value::String(self.namespace.clone())),
                ]),
            );
            let port = workload.first_port(&scope);
            addresses.insert(
                workload.name().to_string(),
                address(workload.name(), &self.namespace, port),
            );
        }
        Scope::with_globals(std::sync::Arc::new(addresses))
    }

    fn finish(
        &mut self,
        syntax: &'db Declaration,
        workloads: Vec<ResolvedWorkload>,
    ) -> ResolvedEnvironment {
        let setting = |key: &str| {
            attribute(&syntax.body, key)
                .and_then(|attribute| text(&eval(&self.env_scope, &attribute.value)))
        };
        let backend = blocks(&syntax.body, "backend")
            .into_iter()
            .next()
            .and_then(|block| {
                Some(Backend {
                    kind: block.label.as_ref()?.name.clone(),
                    config: attributes(&block.body)
                        .into_iter()
                        .map(|attribute| {
                            (
                                attribute.name.name.clone(),
                                eval(&self.env_scope, &attribute.value),
                            )
                        })
                        .collect(),
                })
            });
        ResolvedEnvironment {
            name: self.name.clone(),
            namespace: self.namespace.clone(),
            cluster: setting("cluster"),
            region: setting("region"),
            domain: setting("domain"),
            backend,
            workloads,
            instances: std::mem::take(&mut self.instances).into_values().collect(),
            source: Label::new(self.file, self.name_range),
        }
    }
}
