//! Lowering: declarations from their syntax to the lowered form, and the queries that
//! hand one declaration to resolution.
//!
//! Invariants: this is the one place where resolution's view of a declaration is read
//! from the syntax tree, by attribute and block names; it keeps the first of a name
//! written twice and leaves out what has the wrong shape (the checker reports both).
//! [`lowered_file`] lowers every declaration of a file, each kind in item order;
//! [`workload`] and [`environment`] take one out, so that a query reading one
//! declaration is not re-run when another of the same file changes. Recursion follows
//! the syntax tree, whose depth the parser bounds.

use std::collections::BTreeSet;

use crate::lowered::{
    Backend, Call, Container, ContainerFields, Environment, EnvironmentFields, EnvironmentId, Expr,
    ExprId, Exprs, Implementation, ImplementationFields, Name, NamedWorkload, Offering, Override,
    Param, Part, Path, Policy, Require, Resource, Setting, Use, Waiver, Workload, WorkloadFields,
    WorkloadId,
};
use crate::names::{DeclRef, NameKind, Resolver, file_scope, project_index};
use crate::source::{Db, Origin, Project, SourceFile};
use crate::syntax::ast::{self, Block, Body, DeclKind, Item, Member};
use crate::types::schema::ContainerKind;

/// Every declaration of one file, lowered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub struct LoweredFile<'db> {
    pub offerings: Vec<Offering<'db>>,
    pub environments: Vec<Environment<'db>>,
    pub workloads: Vec<Workload<'db>>,
    pub policies: Vec<Policy<'db>>,
}

impl<'db> LoweredFile<'db> {
    /// The offering declared as `decl`.
    pub fn offering(&self, decl: &DeclRef) -> Option<&Offering<'db>> {
        by_item(&self.offerings, decl, |offering| &offering.decl)
    }

    /// The policy declared as `decl`.
    pub fn policy(&self, decl: &DeclRef) -> Option<&Policy<'db>> {
        by_item(&self.policies, decl, |policy| &policy.decl)
    }
}

/// The declaration `decl` among `lowered`, which are in item order (binary search, so
/// that a file of many declarations is not searched once per declaration).
fn by_item<'a, T>(lowered: &'a [T], decl: &DeclRef, of: impl Fn(&T) -> &DeclRef) -> Option<&'a T> {
    let at = lowered
        .binary_search_by_key(&decl.item, |lowered| of(lowered).item)
        .ok()?;
    lowered.get(at)
}

/// Lowers every declaration of `file`.
///
/// Kept for as long as the database lives, unless a command that reads each
/// declaration's own lowered form only bounds it ([`keep_one_lowered_file`]).
#[salsa::tracked(returns(ref), lru = 0)]
pub fn lowered_file<'db>(db: &'db dyn Db, project: Project, file: SourceFile) -> LoweredFile<'db> {
    let index = project_index(db, project);
    let scope = file_scope(db, project, file);
    let resolver = Resolver::new(db, file, index, scope);
    let module = &crate::syntax::parse_file(db, file).module;
    let mut lowered = LoweredFile::default();
    for (item, node) in module.items.iter().enumerate() {
        let Item::Decl(syntax) = node else { continue };
        let decl = DeclRef {
            file,
            origin: file.origin(db),
            item,
            kind: NameKind::of_decl(syntax.kind),
            name: syntax.name.name.clone(),
        };
        let lowerer = Lowerer {
            db,
            resolver,
            exprs: Exprs::default(),
        };
        match syntax.kind {
            DeclKind::Offering => {
                let offering = lowerer.offering(decl, syntax);
                lowered.offerings.push(offering);
            }
            DeclKind::Environment => {
                let environment = lowerer.environment(decl, syntax);
                lowered.environments.push(environment);
            }
            DeclKind::Workload => {
                let workload = lowerer.workload(decl, syntax);
                lowered.workloads.push(workload);
            }
            DeclKind::Policy => {
                let policy = lowerer.policy(decl, syntax);
                lowered.policies.push(policy);
            }
        }
    }
    lowered
}

/// The declaration `name` of `kind` in the namespace of `origin`, the first of that
/// name.
fn declared(
    db: &dyn Db,
    project: Project,
    origin: Origin,
    name: &str,
    kind: NameKind,
) -> Option<DeclRef> {
    let decl = project_index(db, project).decl(origin, name)?;
    (decl.kind == kind).then(|| decl.clone())
}

/// Bounds the memo of [`lowered_file`] to one file: the next new revision, or an
/// eviction ([`crate::check::check_rendering_each_environment`]), drops the others.
pub(crate) fn keep_one_lowered_file(db: &mut dyn Db) {
    lowered_file::set_lru_capacity(db, 1);
}

/// One workload, lowered.
#[salsa::tracked(returns(ref))]
pub fn workload<'db>(db: &'db dyn Db, id: WorkloadId<'db>) -> Option<Workload<'db>> {
    let project = id.project(db);
    let decl = declared(db, project, id.origin(db), id.name(db), NameKind::Workload)?;
    let lowered = lowered_file(db, project, decl.file);
    by_item(&lowered.workloads, &decl, |workload| &workload.decl).cloned()
}

/// One environment, lowered.
#[salsa::tracked(returns(ref))]
pub fn environment<'db>(db: &'db dyn Db, id: EnvironmentId<'db>) -> Option<Environment<'db>> {
    let project = id.project(db);
    let decl = declared(
        db,
        project,
        id.origin(db),
        id.name(db),
        NameKind::Environment,
    )?;
    let lowered = lowered_file(db, project, decl.file);
    by_item(&lowered.environments, &decl, |environment| {
        &environment.decl
    })
    .cloned()
}

/// Lowers one declaration into its own arena.
struct Lowerer<'db> {
    db: &'db dyn Db,
    resolver: Resolver<'db>,
    exprs: Exprs<'db>,
}

/// The members of a body that `pick` takes, each name once (the first), in order.
fn first_named<'a, T>(
    body: &'a Body,
    pick: impl Fn(&'a Member) -> Option<(&'a str, &'a T)>,
) -> Vec<&'a T> {
    let mut seen = BTreeSet::new();
    body.members
        .iter()
        .filter_map(|member| pick(member).filter(|(name, _)| seen.insert(*name)))
        .map(|(_, picked)| picked)
        .collect()
}

fn first_attributes(body: &Body) -> Vec<&ast::Attribute> {
    first_named(body, |member| match member {
        Member::Attribute(attribute) => Some((attribute.name.name.as_str(), attribute)),
        _ => None,
    })
}

fn first_instances(body: &Body) -> Vec<&ast::Instance> {
    first_named(body, |member| match member {
        Member::Instance(instance) => Some((instance.name.name.as_str(), instance)),
        _ => None,
    })
}

/// The labelled blocks of a kind, each label once (the first), in order.
fn first_blocks<'a>(body: &'a Body, kind: &str) -> Vec<(&'a ast::Ident, &'a Block)> {
    let mut seen = BTreeSet::new();
    body.members
        .iter()
        .filter_map(|member| match member {
            Member::Block(block) if block.kind.name == kind => {
                let label = block.label.as_ref()?;
                seen.insert(label.name.as_str()).then_some((label, block))
            }
            _ => None,
        })
        .collect()
}

/// The blocks that declare containers (`container`, `init_container`, `sidecar`), each
/// label once (the first, whatever its block), in order.
fn first_containers(body: &Body) -> Vec<(ContainerKind, &ast::Ident, &Block)> {
    let mut seen = BTreeSet::new();
    body.members
        .iter()
        .filter_map(|member| match member {
            Member::Block(block) => {
                let kind = ContainerKind::from_keyword(&block.kind.name)?;
                let label = block.label.as_ref()?;
                seen.insert(label.name.as_str())
                    .then_some((kind, label, block))
            }
            _ => None,
        })
        .collect()
}

impl<'db> Lowerer<'db> {
    fn name(&self, text: &str) -> Name<'db> {
        Name::new(self.db, text.to_string())
    }

    fn workload(mut self, decl: DeclRef, syntax: &ast::Declaration) -> Workload<'db> {
        let body = &syntax.body;
        let fields = self.workload_fields(body);
        let containers = self.containers(body);
        let resources = self.resources(body);
        let overrides = first_blocks(body, "override")
            .into_iter()
            .map(|(label, block)| Override {
                environment: self.name(&label.name),
                fields: self.workload_fields(&block.body),
                containers: self.containers(&block.body),
                resources: self.resources(&block.body),
            })
            .collect();
        let workloads_named = self
            .exprs
            .all_roots()
            .into_iter()
            .filter_map(|name| {
                let found = self.resolver.lookup(name.text(self.db))?;
                (found.decl.kind == NameKind::Workload).then(|| NamedWorkload {
                    name,
                    decl: found.decl.clone(),
                })
            })
            .collect();
        Workload {
            decl,
            name_range: syntax.name.range,
            exprs: self.exprs,
            fields,
            containers,
            resources,
            overrides,
            workloads_named,
        }
    }

    fn workload_fields(&mut self, body: &Body) -> WorkloadFields<'db> {
        let mut fields = WorkloadFields::default();
        for attribute in first_attributes(body) {
            let slot = match attribute.name.name.as_str() {
                "replicas" => &mut fields.replicas,
                "labels" => &mut fields.labels,
                "annotations" => &mut fields.annotations,
                "service_account_annotations" => &mut fields.service_account_annotations,
                "callers" => &mut fields.callers,
                "removed" => &mut fields.removed,
                "service_ports" => &mut fields.service_ports,
                "autoscaling" => &mut fields.autoscaling,
                "termination_grace_period" => &mut fields.termination_grace_period,
                "job" => &mut fields.job,
                "schedule" => &mut fields.schedule,
                "calls" => {
                    fields.calls = Some(self.calls_listed(&attribute.value));
                    continue;
                }
                _ => continue,
            };
            *slot = Some(self.expr(&attribute.value));
        }
        fields
    }

    /// The bare names of a list (`[a, b]`), with where each is written.
    fn names_listed(&self, expr: &ast::Expr) -> Vec<(Name<'db>, crate::span::TextRange)> {
        let ast::Expr::List { items, .. } = expr else {
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|item| match item {
                ast::Expr::Name(ident) => Some((self.name(&ident.name), ident.range)),
                _ => None,
            })
            .collect()
    }

    /// The bare names of a list (`[a, b]`), with where each is written and the
    /// workload each names.
    fn calls_listed(&self, expr: &ast::Expr) -> Vec<Call<'db>> {
        let ast::Expr::List { items, .. } = expr else {
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|item| match item {
                ast::Expr::Name(ident) => Some(Call {
                    name: self.name(&ident.name),
                    range: ident.range,
                    target: self
                        .resolver
                        .lookup(&ident.name)
                        .filter(|found| found.decl.kind == NameKind::Workload)
                        .map(|found| found.decl.clone()),
                }),
                _ => None,
            })
            .collect()
    }

    /// The containers of every kind, each name once (the first), in order.
    fn containers(&mut self, body: &Body) -> Vec<Container<'db>> {
        first_containers(body)
            .into_iter()
            .map(|(kind, label, block)| {
                let mut fields = ContainerFields::default();
                for attribute in first_attributes(&block.body) {
                    let slot = match attribute.name.name.as_str() {
                        "image" => &mut fields.image,
                        "command" => &mut fields.command,
                        "args" => &mut fields.args,
                        "env" => &mut fields.env,
                        "files" => &mut fields.files,
                        "ports" => &mut fields.ports,
                        "cpu" => &mut fields.cpu,
                        "memory" => &mut fields.memory,
                        "cpu_limit" => &mut fields.cpu_limit,
                        "memory_limit" => &mut fields.memory_limit,
                        "liveness" => &mut fields.liveness,
                        "readiness" => &mut fields.readiness,
                        "startup" => &mut fields.startup,
                        "pre_stop" => &mut fields.pre_stop,
                        "volumes" => &mut fields.volumes,
                        _ => continue,
                    };
                    *slot = Some(self.expr(&attribute.value));
                }
                Container {
                    name: self.name(&label.name),
                    kind,
                    label_range: label.range,
                    fields,
                }
            })
            .collect()
    }

    fn resources(&mut self, body: &Body) -> Vec<Resource<'db>> {
        first_instances(body)
            .into_iter()
            .map(|instance| Resource {
                name: self.name(&instance.name.name),
                site: instance.name.range.cover(instance.offering.range),
                offering: self.offering_named(&instance.offering),
                offering_written: instance.offering.text(),
                settings: self.settings(&instance.body),
            })
            .collect()
    }

    /// The offering a one-segment path names, when it resolves to one.
    fn offering_named(&self, path: &ast::Path) -> Option<DeclRef> {
        let [only] = path.segments.as_slice() else {
            return None;
        };
        let found = self.resolver.lookup(&only.name)?;
        (found.decl.kind == NameKind::Offering).then(|| found.decl.clone())
    }

    fn settings(&mut self, body: &Body) -> Vec<Setting<'db>> {
        first_attributes(body)
            .into_iter()
            .map(|attribute| Setting {
                name: self.name(&attribute.name.name),
                value: self.expr(&attribute.value),
            })
            .collect()
    }

    fn environment(mut self, decl: DeclRef, syntax: &ast::Declaration) -> Environment<'db> {
        let body = &syntax.body;
        let mut fields = EnvironmentFields::default();
        let mut policies = Vec::new();
        for attribute in first_attributes(body) {
            let slot = match attribute.name.name.as_str() {
                "namespace" => &mut fields.namespace,
                "cluster" => &mut fields.cluster,
                "region" => &mut fields.region,
                "domain" => &mut fields.domain,
                "policies" => {
                    let mut seen = BTreeSet::new();
                    policies = self
                        .names_listed(&attribute.value)
                        .into_iter()
                        .filter(|(name, _)| seen.insert(name.text(self.db).clone()))
                        .collect();
                    continue;
                }
                _ => continue,
            };
            *slot = Some(self.expr(&attribute.value));
        }
        let backend = first_blocks(body, "backend")
            .into_iter()
            .next()
            .map(|(label, block)| Backend {
                kind: self.name(&label.name),
                kind_range: label.range,
                settings: self.settings(&block.body),
            });
        let uses = self.uses(body);
        let shared = self.resources(body);
        let waivers = first_blocks(body, "waiver")
            .into_iter()
            .map(|(label, block)| self.waiver(label, block))
            .collect();
        Environment {
            decl,
            name_range: syntax.name.range,
            exprs: self.exprs,
            fields,
            policies,
            backend,
            uses,
            shared,
            waivers,
        }
    }

    fn waiver(&mut self, label: &ast::Ident, block: &Block) -> Waiver<'db> {
        let mut waiver = Waiver {
            policy: self.name(&label.name),
            label_range: label.range,
            workloads: Vec::new(),
            reason: None,
        };
        for attribute in first_attributes(&block.body) {
            match attribute.name.name.as_str() {
                "workloads" => waiver.workloads = self.names_listed(&attribute.value),
                "reason" => waiver.reason = Some(self.expr(&attribute.value)),
                _ => {}
            }
        }
        waiver
    }

    /// The first `use` of each offering that resolves.
    fn uses(&mut self, body: &Body) -> Vec<Use<'db>> {
        let mut uses: Vec<Use<'db>> = Vec::new();
        for member in &body.members {
            let Member::Use(used) = member else { continue };
            let [offering, implementation] = used.target.segments.as_slice() else {
                continue;
            };
            let path = ast::Path {
                segments: vec![offering.clone()],
                range: offering.range,
            };
            let Some(offering) = self.offering_named(&path) else {
                continue;
            };
            if uses
                .iter()
                .any(|known| known.offering.key() == offering.key())
            {
                continue;
            }
            let settings = used
                .body
                .as_ref()
                .map(|body| self.settings(body))
                .unwrap_or_default();
            uses.push(Use {
                offering,
                implementation: self.name(&implementation.name),
                settings,
            });
        }
        uses
    }

    fn offering(mut self, decl: DeclRef, syntax: &ast::Declaration) -> Offering<'db> {
        let params = self.params(&syntax.body);
        let implementations = first_blocks(&syntax.body, "implementation")
            .into_iter()
            .map(|(label, block)| self.implementation(label, block))
            .collect();
        Offering {
            decl,
            exprs: self.exprs,
            params,
            implementations,
        }
    }

    fn params(&mut self, body: &Body) -> Vec<Param<'db>> {
        let mut seen = BTreeSet::new();
        let mut params = Vec::new();
        for member in &body.members {
            if let Member::Param(param) = member
                && seen.insert(param.name.name.as_str())
            {
                params.push(Param {
                    name: self.name(&param.name.name),
                    default: param.default.as_ref().map(|expr| self.expr(expr)),
                });
            }
        }
        params
    }

    fn implementation(&mut self, label: &ast::Ident, block: &Block) -> Implementation<'db> {
        let mut fields = ImplementationFields::default();
        for attribute in first_attributes(&block.body) {
            let slot = match attribute.name.name.as_str() {
                "source" => &mut fields.source,
                "version" => &mut fields.version,
                "inputs" => &mut fields.inputs,
                "image" => &mut fields.image,
                "port" => &mut fields.port,
                "args" => &mut fields.args,
                "env" => &mut fields.env,
                "storage" => &mut fields.storage,
                "host" => &mut fields.host,
                "path" => &mut fields.path,
                "class" => &mut fields.class,
                "gateway" => &mut fields.gateway,
                "gateway_namespace" => &mut fields.gateway_namespace,
                "source_cidrs" => &mut fields.source_cidrs,
                "source_namespace" => &mut fields.source_namespace,
                "container_port" => &mut fields.container_port,
                "protocols" => &mut fields.protocols,
                "user" => &mut fields.user,
                "files" => &mut fields.files,
                "data_path" => &mut fields.data_path,
                "writable" => &mut fields.writable,
                "access_mode" => &mut fields.access_mode,
                "mount" => &mut fields.mount,
                "endpoints" => &mut fields.endpoints,
                crate::types::schema::OUTPUTS => &mut fields.outputs,
                _ => continue,
            };
            *slot = Some(self.expr(&attribute.value));
        }
        Implementation {
            name: self.name(&label.name),
            params: self.params(&block.body),
            fields,
            needs: self.resources(&block.body),
        }
    }

    fn policy(mut self, decl: DeclRef, syntax: &ast::Declaration) -> Policy<'db> {
        let mut requires = Vec::new();
        let severity = first_attributes(&syntax.body)
            .into_iter()
            .find(|attribute| attribute.name.name == crate::types::schema::SEVERITY)
            .map(|attribute| self.expr(&attribute.value));
        for member in &syntax.body.members {
            if let Member::Require(require) = member {
                requires.push(Require {
                    condition: self.expr(&require.condition),
                    message: require
                        .message
                        .as_ref()
                        .map(|message| message.value.clone()),
                });
            }
        }
        Policy {
            decl,
            exprs: self.exprs,
            severity,
            requires,
        }
    }

    fn path(&self, segments: &[&ast::Ident]) -> Path<'db> {
        Path {
            segments: segments
                .iter()
                .map(|ident| self.name(&ident.name))
                .collect(),
            root_range: segments
                .first()
                .map(|ident| ident.range)
                .unwrap_or_default(),
        }
    }

    /// Lowers an expression (its children first). Bounded by the parser's nesting limit.
    fn expr(&mut self, expr: &ast::Expr) -> ExprId {
        let lowered = match expr {
            ast::Expr::String { parts, .. } => Expr::Str(
                parts
                    .iter()
                    .map(|part| match part {
                        ast::StringPart::Text(text) => Part::Text(text.clone()),
                        ast::StringPart::Interpolation(path) => {
                            let segments: Vec<&ast::Ident> = path.segments.iter().collect();
                            Part::Interpolation(self.path(&segments))
                        }
                    })
                    .collect(),
            ),
            ast::Expr::Int { value, .. } => Expr::Int(*value),
            ast::Expr::Float { text, .. } => Expr::Float(text.clone()),
            ast::Expr::Quantity { text, .. } => Expr::Quantity(text.clone()),
            ast::Expr::Bool { value, .. } => Expr::Bool(*value),
            ast::Expr::Name(ident) => Expr::Path(self.path(&[ident])),
            ast::Expr::Field { base, name, .. } => match expr.as_path() {
                Some(segments) => Expr::Path(self.path(&segments)),
                None => Expr::Field {
                    base: self.expr(base),
                    name: self.name(&name.name),
                },
            },
            ast::Expr::List { items, .. } => {
                Expr::List(items.iter().map(|item| self.expr(item)).collect())
            }
            ast::Expr::Record { entries, .. } => Expr::Record(
                entries
                    .iter()
                    .map(|entry| (self.name(entry.key.text()), self.expr(&entry.value)))
                    .collect(),
            ),
            ast::Expr::If {
                condition,
                then_branch,
                else_branch,
                ..
            } => Expr::If {
                condition: self.expr(condition),
                then_branch: self.expr(then_branch),
                else_branch: self.expr(else_branch),
            },
            ast::Expr::Match {
                scrutinee, arms, ..
            } => Expr::Match {
                scrutinee: self.expr(scrutinee),
                arms: arms
                    .iter()
                    .map(|arm| crate::lowered::Arm {
                        pattern: match &arm.pattern {
                            ast::Pattern::Wildcard(_) => None,
                            ast::Pattern::Literal(pattern) => Some(self.expr(pattern)),
                        },
                        value: self.expr(&arm.value),
                    })
                    .collect(),
            },
            ast::Expr::Binary { op, lhs, rhs, .. } => Expr::Binary {
                op: *op,
                lhs: self.expr(lhs),
                rhs: self.expr(rhs),
            },
            ast::Expr::Not { operand, .. } => Expr::Not(self.expr(operand)),
            ast::Expr::IsSet { operand, .. } => Expr::IsSet(self.expr(operand)),
            ast::Expr::Matches {
                operand, pattern, ..
            } => Expr::Matches {
                operand: self.expr(operand),
                pattern: pattern.value.clone(),
            },
            ast::Expr::Quantified {
                quantifier,
                binding,
                offering,
                list,
                condition,
                ..
            } => Expr::Quantified {
                quantifier: *quantifier,
                binding: self.name(&binding.name),
                offering: offering
                    .as_ref()
                    .and_then(|path| self.offering_named(path))
                    .map(|decl| decl.name),
                list: self.expr(list),
                condition: self.expr(condition),
            },
            ast::Expr::Error(_) => Expr::Error,
        };
        self.exprs.push(lowered, expr.range())
    }
}
