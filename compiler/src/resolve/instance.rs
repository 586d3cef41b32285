//! Instantiating an offering in an environment: binding it to the implementation the
//! environment `use`s, merging its params, pulling in what the implementation needs,
//! and deciding its provisioning and outputs.
//!
//! Invariants: params are merged in one precedence, lowest first: the offering's (and
//! the implementation's) defaults, the environment's `use` body, the instance's own
//! body, the workload's override for this environment; every merged value is sealed
//! by its declared type (a `secret` param is a [`Value::Secret`]) and judged once
//! (E0602 when a required one has no value, E0603 when it does not fit). An
//! implementation's needs are instantiated depth first with the chain of offerings
//! being instantiated on a stack, so a cycle is found before it recurses and reported
//! once (E0604) with every hop; the depth is bounded by the number of offerings.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::diagnostic::{Code, Diagnostic, Label, located};
use crate::lowered::{Expr, Exprs, Setting};
use crate::resolve::conform::{describe, misfit, seal};
use crate::resolve::context::{ImplView, OfferingKey, OfferingView, offering_key};
use crate::resolve::cycle::{Cycles, Frame};
use crate::resolve::eval::{eval, secret};
use crate::resolve::instance_id::InstanceId;
use crate::resolve::model::{Instance, LocalModule, Owner, Provisioning};
use crate::resolve::naming::object_name;
use crate::resolve::order::{Settings, read_order, sibling_reads};
use crate::resolve::provisioning::{endpoints, provisioning};
use crate::resolve::scope::{Scope, record};
use crate::resolve::value::{Deferred, Value};
use crate::source::{Db, Origin, Project, SourceFile};
use crate::span::TextRange;
use crate::types::schema::{PROTECT, Provisioner, SHARED};
use crate::types::signature::ParamSig;

/// How deeply implementations' needs nest before plat stops following them (a real
/// platform nests a few levels; the bound keeps hostile input from exhausting the stack).
pub(crate) const MAX_NEEDS_DEPTH: usize = 64;

/// How many instances one resource (a workload's or a shared one) may pull in, itself
/// and its needs transitively. Needs that fan out (an implementation that needs two of
/// an offering whose implementation needs two of the next, ...) grow exponentially with
/// depth; the bound keeps the resolved environment linear in the size of the project.
pub(crate) const MAX_PULLED: usize = 1_000;

/// A param set somewhere, evaluated where it is written.
#[derive(Debug, Clone)]
pub(crate) struct Assigned {
    pub name: String,
    pub value: Value,
    /// The expression that gave the value.
    pub origin: Label,
    /// Whether that expression is a `match` (whose arms may not cover every environment).
    pub from_match: bool,
    /// Whether it is an interpolation whose text is too long to build
    /// ([`crate::resolve::eval::MAX_INTERPOLATED_BYTES`]).
    pub too_long: bool,
}

/// What to instantiate.
pub(crate) struct Request<'db> {
    pub id: InstanceId,
    pub owner: Owner,
    pub offering: OfferingView<'db>,
    /// Where the instance is declared: `db: postgres`.
    pub site: Label,
    /// The params its declaration sets, lowest precedence first.
    pub assigned: Vec<Assigned>,
    /// Whether its params read themselves through a cycle (reported): they are then
    /// not judged, so as not to report the cycle's knock-on effects.
    pub quiet: bool,
}

/// A param's merged value and the expression it came from.
struct Merged<'db> {
    sig: &'db ParamSig,
    value: Value,
    origin: Option<Label>,
    from_match: bool,
    too_long: bool,
}

/// Evaluates the settings of a body in `scope` (without `shared`, which binds rather
/// than sets).
pub(crate) fn assign<'db>(
    db: &'db dyn Db,
    scope: &Scope,
    (file, exprs, settings): Settings<'_, 'db>,
) -> Vec<Assigned> {
    settings
        .iter()
        .filter(|setting| setting.name.text(db) != SHARED)
        .map(|setting| {
            let value = eval(db, scope, exprs, setting.value);
            let written = exprs.get(setting.value);
            Assigned {
                name: setting.name.text(db).clone(),
                too_long: matches!(value, Value::Absent) && matches!(written, Expr::Str(_)),
                value,
                origin: Label::new(file, exprs.range(setting.value)),
                from_match: matches!(written, Expr::Match { .. }),
            }
        })
        .collect()
}

/// What an environment decided before its instances: its name and namespace, the
/// record `env`, and where it is declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EnvSettings {
    pub(crate) name: String,
    pub(crate) file: SourceFile,
    pub(crate) name_range: TextRange,
    pub(crate) namespace: String,
    /// The record `env`.
    pub(crate) value: Value,
}

/// The implementation an environment `use`s for an offering.
#[derive(Clone, Copy)]
pub(crate) struct UseSite<'a, 'db> {
    pub(crate) implementation: &'a str,
    pub(crate) settings: &'a [Setting<'db>],
    pub(crate) exprs: &'a Exprs<'db>,
    /// The environment's file.
    pub(crate) file: SourceFile,
}

impl UseSite<'_, '_> {
    /// `` `use postgres.aws { ... }` ``, for messages.
    pub(crate) fn display(&self, offering: OfferingView<'_>) -> String {
        format!(
            "`use {}.{} {{ ... }}`",
            offering.sig.decl.name, self.implementation
        )
    }
}

/// Binds offerings to the implementations one environment uses: the instances made so
/// far, and what making them found.
pub(crate) struct Instantiator<'a, 'db> {
    pub(crate) db: &'db dyn Db,
    pub(crate) project: Project,
    pub(crate) env: &'a EnvSettings,
    pub(crate) uses: &'a BTreeMap<OfferingKey, UseSite<'a, 'db>>,
    /// What `use` bodies see: `env` and the shared instances bound so far.
    pub(crate) env_scope: Cow<'a, Scope>,
    /// Every instance bound so far, by id.
    pub(crate) instances: BTreeMap<InstanceId, Arc<Instance>>,
    /// The ids of those whose offering is stateful, and of those among them that are
    /// protected (`protect = true`).
    pub(crate) stateful: BTreeSet<InstanceId>,
    pub(crate) protected: BTreeSet<InstanceId>,
    pub(crate) diagnostics: Vec<Diagnostic>,
    pub(crate) cycles: Cycles,
    /// How many instances the resource being instantiated has pulled in so far,
    /// itself included (see [`MAX_PULLED`]).
    pulled: usize,
    /// The id of that resource.
    pulling: Option<InstanceId>,
}

impl<'a, 'db> Instantiator<'a, 'db> {
    pub(crate) fn new(
        db: &'db dyn Db,
        project: Project,
        env: &'a EnvSettings,
        uses: &'a BTreeMap<OfferingKey, UseSite<'a, 'db>>,
        env_scope: Cow<'a, Scope>,
    ) -> Self {
        Instantiator {
            db,
            project,
            env,
            uses,
            env_scope,
            instances: BTreeMap::new(),
            stateful: BTreeSet::new(),
            protected: BTreeSet::new(),
            diagnostics: Vec::new(),
            cycles: Cycles::default(),
            pulled: 0,
            pulling: None,
        }
    }

    /// E0604 for the cycles among siblings that read each other; returns the indices of
    /// those in a cycle.
    pub(crate) fn read_cycles(
        &mut self,
        names: &[&str],
        reads: &[crate::resolve::order::Read],
    ) -> BTreeSet<usize> {
        self.cycles.read_cycles(names, reads, &mut self.diagnostics)
    }

    /// Instantiates `request` and its needs; returns the record of its outputs, or
    /// `None` when it cannot be bound (reported).
    pub(crate) fn instantiate(
        &mut self,
        request: Request<'db>,
        hop: Option<Label>,
        stack: &mut Vec<Frame>,
    ) -> Option<Value> {
        if !self.admit(&request, stack) {
            return None;
        }
        let offering = request.offering;
        let key = offering_key(offering.decl());
        let Some(used) = self.uses.get(&key).copied() else {
            self.missing_implementation(&request);
            return None;
        };
        let imp = offering.implementation(self.db, used.implementation)?;
        let params = Arc::new(self.merge_params(&request, imp, &used));
        let provisioner = imp.sig.provisioner;
        let mut scope = self.implementation_scope(&request.id, provisioner, &params);
        stack.push(Frame {
            key,
            offering: offering.sig.decl.name.clone(),
            implementation: imp.sig.name.clone(),
            hop,
        });
        let needs = self.instantiate_needs(&request, imp, &mut scope, stack);
        stack.pop();
        let outputs = Arc::new(self.outputs(offering, imp, &scope));
        let instance = Instance {
            object_name: object_name(&request.id),
            id: request.id.clone(),
            offering: offering.sig.decl.name.clone(),
            offering_version: offering.sig.version.clone().unwrap_or_default(),
            implementation: imp.sig.name.clone(),
            owner: request.owner.clone(),
            params: params.clone(),
            outputs: outputs.clone(),
            provisioning: self
                .with_local_module(provisioning(self.db, provisioner, imp, &scope), imp),
            endpoints: endpoints(self.db, provisioner, imp, &scope),
            needs,
            source: request.site.clone(),
        };
        if offering.sig.stateful && !self.instances.contains_key(&request.id) {
            if params.get(PROTECT) == Some(&Value::Bool(true)) {
                self.protected.insert(request.id.clone());
            }
            self.stateful.insert(request.id.clone());
        }
        self.instances
            .entry(request.id)
            .or_insert_with(|| Arc::new(instance));
        Some(Value::Map(outputs))
    }

    /// The params of an instance, merged in precedence order, sealed and judged.
    fn merge_params(
        &mut self,
        request: &Request<'db>,
        imp: ImplView<'db>,
        used: &UseSite<'a, 'db>,
    ) -> BTreeMap<String, Value> {
        let offering = request.offering;
        let defaults = Scope::new();
        let mut merged: BTreeMap<String, Merged<'db>> = BTreeMap::new();
        let declared = offering
            .sig
            .params
            .iter()
            .map(|sig| (sig, offering.param_default(self.db, &sig.name)))
            .chain(
                imp.sig
                    .params
                    .iter()
                    .map(|sig| (sig, imp.param_default(self.db, &sig.name))),
            );
        // Implementations are declared inside their offering: one file, one arena.
        let (file, exprs) = (offering.file(), offering.exprs());
        for (sig, default) in declared {
            merged.entry(sig.name.clone()).or_insert_with(|| Merged {
                sig,
                value: default.map_or(Value::Absent, |expr| eval(self.db, &defaults, exprs, expr)),
                origin: default.map(|expr| Label::new(file, exprs.range(expr))),
                from_match: false,
                too_long: false,
            });
        }
        let from_use = assign(
            self.db,
            &self.env_scope,
            (used.file, used.exprs, used.settings),
        );
        // The instance's own body sets only the offering's params.
        let own = request
            .assigned
            .iter()
            .filter(|assigned| offering.sig.param(&assigned.name).is_some());
        for assigned in from_use.iter().chain(own) {
            if let Some(slot) = merged.get_mut(&assigned.name) {
                slot.value = assigned.value.clone();
                slot.origin = Some(assigned.origin.clone());
                slot.from_match = assigned.from_match;
                slot.too_long = assigned.too_long;
            }
        }
        merged
            .into_iter()
            .map(|(name, slot)| {
                let value = seal(slot.value.clone(), &slot.sig.ty);
                self.judge_param(request, &used.display(offering), &slot, &value);
                (name, value)
            })
            .collect()
    }

    /// E0602 for a required param without a value, E0603 for one that does not fit.
    fn judge_param(
        &mut self,
        request: &Request<'db>,
        used: &str,
        slot: &Merged<'db>,
        value: &Value,
    ) {
        if request.quiet {
            return;
        }
        let name = &slot.sig.name;
        // Implementations are declared inside their offering: one file for both.
        let declared = Label::new(request.offering.file(), slot.sig.name_range);
        if slot.too_long {
            self.too_long(request, slot, declared);
            return;
        }
        if matches!(value, Value::Absent) && !slot.sig.ty.is_optional() {
            let (primary, label) = match &slot.origin {
                Some(origin) => (
                    origin.clone(),
                    format!("this has no value in `{}`", self.env.name),
                ),
                None => (request.site.clone(), format!("`{name}` is not set")),
            };
            let fix = format!(
                "set `{name}` on the resource, in `override {} {{ ... }}`, or in the environment's {used}",
                self.env.name
            );
            let help = if slot.from_match {
                format!("add a `_ => ...` arm to the `match`, or {fix}")
            } else {
                fix
            };
            self.diagnostics.push(
                located(
                    Code::UnboundParam,
                    format!(
                        "the parameter `{name}` of `{}` has no value in the environment `{}`",
                        request.id, self.env.name
                    ),
                    primary,
                    label,
                )
                .with_secondary(declared.with_message(format!("`{name}` declared here")))
                .with_help(help),
            );
            return;
        }
        let Some(reason) = misfit(value, &slot.sig.ty) else {
            return;
        };
        let primary = slot.origin.clone().unwrap_or_else(|| request.site.clone());
        self.diagnostics.push(
            located(
                Code::MergedTypeMismatch,
                format!(
                    "the parameter `{name}` of `{}` does not fit its type in the environment `{}`",
                    request.id, self.env.name
                ),
                primary,
                reason,
            )
            .with_secondary(
                declared.with_message(format!("`{name}` declared as `{}` here", slot.sig.ty)),
            )
            .with_help(format!(
                "give `{name}` a value that is a `{}` in `{}`: it is {} there",
                slot.sig.ty,
                self.env.name,
                describe(value)
            )),
        );
    }

    /// Attaches the files of a module kept in the project to a Terraform provisioning.
    fn with_local_module(&self, provisioning: Provisioning, imp: ImplView<'_>) -> Provisioning {
        let Provisioning::Terraform(mut module) = provisioning else {
            return provisioning;
        };
        let from = imp.file.path(self.db);
        if let Some(crate::terraform::path::LocalSource::Inside(directory)) =
            crate::terraform::path::resolve(from, &module.source)
        {
            let files = crate::terraform::module_files(self.db, self.project, &directory);
            let copy = self.copy_directory(imp.file.origin(self.db), &directory);
            module.local = Some(LocalModule {
                directory,
                copy,
                files,
            });
        }
        Provisioning::Terraform(module)
    }

    /// Where the files of a module at `directory`, called from a file of `origin`, are
    /// copied in the output, relative to `terraform/`.
    fn copy_directory(&self, origin: Origin, directory: &str) -> String {
        match self.project.package(self.db, origin) {
            Some(package) => {
                let inside = directory
                    .strip_prefix(&format!("{}/", package.root))
                    .unwrap_or(directory);
                format!("packages/{}/{inside}", package.name)
            }
            None => match directory.strip_prefix("std/modules/") {
                Some(module) => format!("std/{module}"),
                None => format!("project/{directory}"),
            },
        }
    }

    /// `params`, `self`, `env` and, for Terraform, `module`.
    fn implementation_scope(
        &self,
        id: &InstanceId,
        provisioner: Option<Provisioner>,
        params: &Arc<BTreeMap<String, Value>>,
    ) -> Scope {
        let mut own = vec![
            ("name", Value::String(object_name(id))),
            ("namespace", Value::String(self.env.namespace.clone())),
        ];
        // The schema says which provisioners generate a password.
        let generates_password = provisioner.is_some_and(|provisioner| {
            crate::types::schema::implementation_self(provisioner)
                .iter()
                .any(|field| field.name == "generated_password")
        });
        if generates_password {
            own.push((
                "generated_password",
                secret(Value::Deferred(Box::new(Deferred::GeneratedPassword {
                    instance: id.clone(),
                }))),
            ));
        }
        let mut scope = Scope::new();
        scope.bind("params", Value::Map(params.clone()));
        scope.bind("self", record(own));
        scope.bind("env", self.env.value.clone());
        if provisioner == Some(Provisioner::Terraform) {
            scope = scope.with_module(id.clone());
        }
        scope
    }

    /// The instances an implementation needs, in the order their params allow; each is
    /// bound in `scope` to its outputs. Returns their ids.
    fn instantiate_needs(
        &mut self,
        request: &Request<'db>,
        imp: ImplView<'db>,
        scope: &mut Scope,
        stack: &mut Vec<Frame>,
    ) -> Vec<InstanceId> {
        if stack.len() >= MAX_NEEDS_DEPTH {
            return Vec::new();
        }
        let db = self.db;
        let needs = &imp.lowered.needs;
        let names: Vec<&str> = needs
            .iter()
            .map(|need| need.name.text(db).as_str())
            .collect();
        let bodies: Vec<Vec<Settings<'_, 'db>>> = needs
            .iter()
            .map(|need| vec![(imp.file, imp.exprs, need.settings.as_slice())])
            .collect();
        let reads = sibling_reads(db, &names, &bodies);
        let tangled = self.read_cycles(&names, &reads);
        let mut ids = Vec::new();
        for at in read_order(needs.len(), &reads) {
            let Some(instance) = needs.get(at) else {
                continue;
            };
            let Some(offering) = instance
                .offering
                .as_ref()
                .and_then(|decl| crate::resolve::context::offering(db, self.project, decl))
            else {
                continue;
            };
            let hop = Label::new(imp.file, instance.site);
            let key = offering_key(offering.decl());
            if let Some(start) = stack.iter().position(|frame| frame.key == key) {
                let cycle = stack.get(start..).unwrap_or_default().to_vec();
                let found = self.cycles.offering_cycle(&cycle, hop);
                self.diagnostics.extend(found);
                continue;
            }
            let name = instance.name.text(db);
            let id = InstanceId::child(&request.id, name);
            let child = Request {
                id: id.clone(),
                owner: request.owner.clone(),
                offering,
                site: hop.clone(),
                assigned: assign(db, scope, (imp.file, imp.exprs, &instance.settings)),
                quiet: tangled.contains(&at),
            };
            if let Some(outputs) = self.instantiate(child, Some(hop), stack) {
                scope.bind(name.clone(), outputs);
                ids.push(id);
            }
        }
        ids.sort();
        ids
    }

    /// The offering's outputs, as the implementation's `outputs` gives them.
    fn outputs(
        &self,
        offering: OfferingView<'db>,
        imp: ImplView<'db>,
        scope: &Scope,
    ) -> BTreeMap<String, Value> {
        let given = imp.lowered.fields.outputs.map_or(Value::Absent, |outputs| {
            eval(self.db, scope, imp.exprs, outputs)
        });
        offering
            .sig
            .outputs
            .iter()
            .map(|output| {
                let value = crate::resolve::eval::field(&given, &output.name);
                (output.name.clone(), seal(value, &output.ty))
            })
            .collect()
    }

    /// E0601: the environment has no `use` for the offering.
    /// E0603 for a param whose interpolation builds a text longer than a string may be.
    fn too_long(&mut self, request: &Request<'db>, slot: &Merged<'db>, declared: Label) {
        let primary = slot.origin.clone().unwrap_or_else(|| request.site.clone());
        let limit = crate::resolve::eval::MAX_INTERPOLATED_BYTES / 1024;
        self.diagnostics.push(
            located(
                Code::MergedTypeMismatch,
                format!(
                    "the parameter `{}` of `{}` does not fit its type in the environment `{}`",
                    slot.sig.name, request.id, self.env.name
                ),
                primary,
                format!("this builds a text longer than {limit} KiB"),
            )
            .with_secondary(declared.with_message(format!("`{}` declared here", slot.sig.name)))
            .with_help(
                "an interpolated string is at most 64 KiB: strings that interpolate each other \
                 double at every level; interpolate each value once",
            ),
        );
    }

    /// Counts `request` against [`MAX_PULLED`] for the resource at the bottom of
    /// `stack`; `false` (and E0607, once per resource) when it is over.
    fn admit(&mut self, request: &Request<'db>, stack: &[Frame]) -> bool {
        if stack.is_empty() {
            self.pulled = 0;
            self.pulling = Some(request.id.clone());
        }
        self.pulled += 1;
        if self.pulled <= MAX_PULLED {
            return true;
        }
        if self.pulled == MAX_PULLED + 1 {
            self.diagnostics.push(
                located(
                    Code::TooManyInstances,
                    format!(
                        "`{}` pulls in more than {MAX_PULLED} instances in the environment `{}`",
                        self.pulling.as_deref().unwrap_or_default(),
                        self.env.name
                    ),
                    request.site.clone(),
                    format!("`{}` is one too many", request.id),
                )
                .with_help(
                    "needs multiply at every level where an implementation needs more than one \
                     instance: pass what a need provides as a parameter instead, or provision \
                     it once and bind it with `shared = NAME`",
                ),
            );
        }
        false
    }

    fn missing_implementation(&mut self, request: &Request<'db>) {
        let offering = &request.offering.sig.decl.name;
        let names: Vec<String> = request
            .offering
            .sig
            .implementations
            .iter()
            .map(|imp| format!("use {offering}.{}", imp.name))
            .collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let help = if names.is_empty() {
            format!("the offering `{offering}` has no implementations yet; add one")
        } else {
            format!(
                "add {} to the environment `{}`",
                crate::names::suggest::one_of(&names),
                self.env.name
            )
        };
        let label = Label::new(self.env.file, self.env.name_range).with_message(format!(
            "the environment `{}` is declared here",
            self.env.name
        ));
        self.diagnostics.push(
            located(
                Code::MissingImplementation,
                format!(
                    "the environment `{}` has no implementation of `{offering}`",
                    self.env.name
                ),
                request.site.clone(),
                format!("`{}` needs `{offering}`", request.id),
            )
            .with_secondary(label)
            .with_help(help),
        );
    }
}
