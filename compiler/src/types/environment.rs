//! Environments: settings, the Terraform backend, the implementation chosen for each
//! offering (`use`), and shared resources.
//!
//! Invariants: each offering is `use`d at most once (E0202); a `use` names an offering
//! and one of its implementations (E0201 with the closest name otherwise) and sets only
//! parameters of that implementation or of the offering, every required implementation
//! parameter included (E0302); at most one backend; a `waiver` names a policy the
//! environment lists (E0223), once, and says for which workloads and why.

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic, Label};
use crate::names::{Definition, NameKind, TargetKind};
use crate::span::TextRange;
use crate::syntax::ast::{Attribute, Block, Declaration, Expr, Ident, Use};
use crate::types::checker::{Checker, Locals};
use crate::types::instance::{InstanceContext, ParamSettings};
use crate::types::schema;
use crate::types::signature::{ImplSig, OfferingSig, ParamSig, offering_signature};

impl Checker<'_> {
    /// E1001: an environment in a project that runs on a platform, whose environments
    /// are the platform's.
    fn check_application_environment(&mut self, decl: &Declaration) {
        let origin = self.file.origin(self.db);
        let index = crate::names::project_index(self.db, self.project);
        let Some(&platform) = index.platforms.get(&origin) else {
            return;
        };
        let name = self.project.application(self.db, platform);
        let theirs: Vec<&str> = index
            .names_of(platform, NameKind::Environment)
            .map(|decl| decl.name.as_str())
            .collect();
        let listed = if theirs.is_empty() {
            "it declares none".to_string()
        } else {
            format!("they are {}", crate::names::suggest::all_of(&theirs))
        };
        self.report(
            Diagnostic::new(
                Code::ApplicationEnvironment,
                format!(
                    "the environment `{}` is declared by an application that runs on `{name}`",
                    decl.name.name
                ),
                self.file,
                decl.name.range,
            )
            .with_label("an application declares workloads only")
            .with_help(format!(
                "an application's workloads run in the environments of its platform ({listed}): declare the environment in the repository of `{name}`, or change one there with `override ENVIRONMENT {{ ... }}` in a workload"
            )),
        );
    }

    pub(crate) fn check_environment(&mut self, decl: &Declaration) {
        self.check_application_environment(decl);
        let owner = format!("the environment `{}`", decl.name.name);
        let members = self.sort_members(&decl.body, schema::environment(), &owner);
        let mut scope = Locals {
            bindings: Vec::new(),
            globals: vec![NameKind::Policy],
        };
        scope.push_record("env", schema::env_record());
        // Shared resources come first: `use` bodies may wire their outputs (a secret
        // from a secret store, say) into implementation parameters.
        let shared = self.bind_instances(&mut scope, &members.instances);
        for (instance, offering) in &shared {
            self.check_instance_body(
                &scope,
                instance,
                offering,
                InstanceContext::Environment,
                false,
            );
        }
        self.check_fields(
            &scope,
            &members.attributes,
            schema::environment(),
            &owner,
            &[],
        );
        self.check_requires(&members.attributes);
        self.check_required(&members, schema::environment(), &owner, decl.name.range);

        let policies = listed_policies(&members.attributes);
        let mut waivers: BTreeMap<&str, TextRange> = BTreeMap::new();
        let mut backend: Option<TextRange> = None;
        for block in &members.blocks {
            let Some(label) = self.block_label(block, false) else {
                continue;
            };
            if block.kind.name == "waiver" {
                if !self.seen_before(&mut waivers, "the waiver of", &label.name, label.range) {
                    self.check_waiver(&scope, block, label, &policies);
                }
                continue;
            }
            if let Some(first) = backend {
                self.report(
                    Diagnostic::new(
                        Code::DuplicateDeclaration,
                        format!("{owner} has two backends"),
                        self.file,
                        block.kind.range,
                    )
                    .with_label("second backend here")
                    .with_secondary(Label::new(self.file, first).with_message("first backend here"))
                    .with_help("Terraform keeps its state in one backend; remove one of them"),
                );
                continue;
            }
            backend = Some(block.kind.range);
            let backend_owner = format!("the backend `{}`", label.name);
            let backend_schema = schema::backend(&label.name);
            let body = self.sort_members(&block.body, backend_schema, &backend_owner);
            self.check_fields(
                &scope,
                &body.attributes,
                backend_schema,
                &backend_owner,
                &[],
            );
            self.check_required(&body, backend_schema, &backend_owner, label.range);
        }

        let mut used: BTreeMap<(crate::source::Origin, String), TextRange> = BTreeMap::new();
        for used_member in &members.uses {
            self.check_use(&scope, used_member, &mut used);
        }
    }

    /// `waiver POLICY { workloads = [...], reason = "..." }`: `POLICY` is a policy that
    /// the environment lists (E0223 otherwise).
    fn check_waiver(
        &mut self,
        scope: &Locals,
        block: &Block,
        label: &Ident,
        policies: &[(&str, TextRange)],
    ) {
        let policy = self.expect_declaration(label, &[NameKind::Policy], "a policy");
        if policy.is_some() && !policies.iter().any(|(name, _)| *name == label.name) {
            let diagnostic = self.waiver_without_policy(label, policies);
            self.report(diagnostic);
        }
        let owner = format!("the waiver of `{}`", label.name);
        let body = self.sort_members(&block.body, schema::waiver(), &owner);
        self.check_fields(scope, &body.attributes, schema::waiver(), &owner, &[]);
        self.check_required(&body, schema::waiver(), &owner, label.range);
    }

    /// E0223 at the waiver of a policy the environment does not list.
    fn waiver_without_policy(&self, label: &Ident, policies: &[(&str, TextRange)]) -> Diagnostic {
        let mut diagnostic = Diagnostic::new(
            Code::WaiverWithoutPolicy,
            format!(
                "a waiver of `{}`, which the environment does not hold",
                label.name
            ),
            self.file,
            label.range,
        )
        .with_label("not in the environment's `policies`")
        .with_help(format!(
            "add `{}` to `policies`, or remove the waiver: there is nothing to waive",
            label.name
        ));
        if let Some(list) = policies
            .iter()
            .map(|(_, range)| *range)
            .reduce(TextRange::cover)
        {
            diagnostic = diagnostic.with_secondary(
                Label::new(self.file, list).with_message("the policies the environment holds"),
            );
        }
        diagnostic
    }

    fn check_use(
        &mut self,
        scope: &Locals,
        used: &Use,
        seen: &mut BTreeMap<(crate::source::Origin, String), TextRange>,
    ) {
        let segments = used.target.segments.as_slice();
        let Some(first) = segments.first() else {
            return;
        };
        let Some(offering) = self.resolve_offering(&crate::syntax::ast::Path {
            segments: vec![first.clone()],
            range: first.range,
        }) else {
            return;
        };
        let key = (offering.origin, offering.name.clone());
        if let Some(earlier) = seen.get(&key) {
            let earlier = *earlier;
            self.report(
                Diagnostic::new(
                    Code::DuplicateDeclaration,
                    format!("the offering `{}` is used twice", offering.name),
                    self.file,
                    used.target.range,
                )
                .with_label("used again here")
                .with_secondary(Label::new(self.file, earlier).with_message("first used here"))
                .with_help(
                    "an environment uses one implementation of each offering; remove one `use`",
                ),
            );
            return;
        }
        seen.insert(key, used.target.range);
        let Some(sig) = offering_signature(self.db, self.project, &offering) else {
            return;
        };
        let imp = match segments {
            [_, name] => {
                let found = sig.implementation(&name.name);
                match found {
                    Some(imp) => {
                        let def = Definition {
                            file: sig.decl.file,
                            range: imp.name_range,
                        };
                        self.reference(name.range, Some(def), TargetKind::Block);
                    }
                    None => {
                        let names: Vec<&str> = sig
                            .implementations
                            .iter()
                            .map(|imp| imp.name.as_str())
                            .collect();
                        self.unknown_implementation(name, &offering.name, &names);
                    }
                }
                found
            }
            [_] => {
                let names: Vec<String> = sig
                    .implementations
                    .iter()
                    .map(|imp| format!("`use {}.{}`", first.name, imp.name))
                    .collect();
                let help = if names.is_empty() {
                    format!(
                        "the offering `{}` has no implementations yet",
                        offering.name
                    )
                } else {
                    format!("write {}", names.join(" or "))
                };
                self.report(
                    Diagnostic::new(
                        Code::MissingField,
                        format!("missing implementation in `use {}`", first.name),
                        self.file,
                        used.target.range,
                    )
                    .with_label("which implementation?")
                    .with_help(help),
                );
                None
            }
            _ => {
                self.report(
                    Diagnostic::new(
                        Code::UnknownName,
                        format!("unknown implementation `{}`", used.target.text()),
                        self.file,
                        used.target.range,
                    )
                    .with_label("expected `offering.implementation`")
                    .with_help(format!("write `use {}.IMPLEMENTATION`", first.name)),
                );
                None
            }
        };
        self.check_use_body(scope, used, sig, imp);
    }

    fn unknown_implementation(
        &mut self,
        name: &crate::syntax::ast::Ident,
        offering: &str,
        names: &[&str],
    ) {
        let mut diagnostic = Diagnostic::new(
            Code::UnknownName,
            format!("unknown implementation `{}`", name.name),
            self.file,
            name.range,
        )
        .with_label(format!(
            "the offering `{offering}` has no implementation `{}`",
            name.name
        ));
        let help =
            crate::names::suggest::did_you_mean(&name.name, names.iter().copied()).or_else(|| {
                match names.len() {
                    0 => Some(format!(
                        "the offering `{offering}` has no implementations yet"
                    )),
                    n if n <= crate::names::suggest::SHORT_LIST => Some(format!(
                        "the implementations are {}",
                        crate::names::suggest::all_of(names)
                    )),
                    _ => None,
                }
            });
        if let Some(help) = help {
            diagnostic = diagnostic.with_help(help);
        }
        self.report(diagnostic);
    }

    /// The body of a `use`: parameters of the implementation, or defaults for the
    /// offering's parameters.
    fn check_use_body(
        &mut self,
        scope: &Locals,
        used: &Use,
        sig: &OfferingSig,
        imp: Option<&ImplSig>,
    ) {
        let owner = match imp {
            Some(imp) => format!("the implementation `{}`", imp.name),
            None => format!("the offering `{}`", sig.decl.name),
        };
        let params: Vec<&ParamSig> = imp
            .into_iter()
            .flat_map(|imp| imp.params.iter())
            .chain(sig.params.iter())
            .collect();
        let settings = ParamSettings {
            place: "a `use`",
            not_a_param: "not a parameter".to_string(),
            help: "set the implementation's parameters: `name = value`",
            owner,
            file: sig.decl.file,
            suggestions: imp.map(|_| params.iter().map(|param| param.name.as_str()).collect()),
            params,
        };
        let members = used.body.as_ref().map_or(&[][..], |body| &body.members);
        let seen = self.check_param_settings(scope, members, &settings, |_, _| false);
        if let Some(imp) = imp {
            let missing: Vec<&str> = imp
                .params
                .iter()
                .filter(|param| param.required && !seen.contains(param.name.as_str()))
                .map(|param| param.name.as_str())
                .collect();
            self.missing(used.target.range, &missing, &settings.owner, "parameter");
        }
    }
}

/// The names an environment's `policies` lists, with where each is written.
fn listed_policies<'a>(attributes: &[&'a Attribute]) -> Vec<(&'a str, TextRange)> {
    attributes
        .iter()
        .filter(|attribute| attribute.name.name == "policies")
        .take(1)
        .flat_map(|attribute| match &attribute.value {
            Expr::List { items, .. } => items.as_slice(),
            _ => &[],
        })
        .filter_map(|item| match item {
            Expr::Name(ident) => Some((ident.name.as_str(), ident.range)),
            _ => None,
        })
        .collect()
}
