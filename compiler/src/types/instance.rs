//! Resource instances (`db: postgres { database = "api" }`) in workloads, environments
//! and implementations.
//!
//! Invariants: an instance names exactly one offering (E0201/E0209 otherwise); its body
//! holds only parameters of that offering (E0203 for others, E0207 for repeats, E0311
//! for other shapes), every required one set (E0302) unless the resource is bound to
//! an environment's shared resource or only overrides some parameters; its binding
//! exposes the offering's outputs with their types, sensitivity and phase.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::{Code, Diagnostic};
use crate::names::{DeclRef, Definition, NameKind, TargetKind, suggest};
use crate::span::TextRange;
use crate::syntax::ast::{Attribute, Expr, Instance, Member, Path};
use crate::types::checker::{Access, Binding, Checker, Locals, MemberInfo};
use crate::types::flow::{Flow, Sink};
use crate::types::schema::{REMOVED, SHARED};
use crate::types::signature::{
    OfferingSig, ParamSig, offering_signature, output_is_provision, shared_resources,
};
use crate::types::ty::{RefTy, Ty};

/// Where an instance is declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InstanceContext {
    /// A workload's resource: may bind to a shared one with `shared = NAME`.
    Workload,
    /// An environment's shared resource.
    Environment,
    /// A resource an implementation needs.
    Implementation,
}

impl Checker<'_> {
    /// Resolves the offering of an instance and makes its binding (its parameters are
    /// checked later by [`Checker::check_instance_body`], once every binding exists).
    /// When the offering does not resolve (already reported), the resource is still
    /// bound, to a value of unknown type, so its uses are not reported again.
    pub(crate) fn instance_binding(&mut self, instance: &Instance) -> (Binding, Option<DeclRef>) {
        let mut binding = Binding {
            name: instance.name.name.clone(),
            ty: Ty::Error,
            flow: Flow::plain(),
            access: Access::Any,
            def: Some(self.here(instance.name.range)),
            kind: TargetKind::Resource,
            provision: false,
        };
        let Some(offering) = self.resolve_offering(&instance.offering) else {
            return (binding, None);
        };
        let sig = offering_signature(self.db, self.project, &offering);
        let members = sig.map(|sig| self.output_members(sig)).unwrap_or_default();
        binding.ty = Ty::Ref(RefTy::Resource(Some(offering.clone())));
        binding.access = Access::Members {
            owner: format!("the offering `{}`", offering.name),
            noun: "output",
            code: Code::UnknownOutput,
            members,
        };
        (binding, Some(offering))
    }

    /// The outputs of an offering as members of its resources.
    pub(crate) fn output_members(&self, sig: &OfferingSig) -> Vec<MemberInfo> {
        sig.outputs
            .iter()
            .map(|output| MemberInfo {
                name: output.name.clone(),
                ty: output.ty.clone(),
                def: Some(Definition {
                    file: sig.decl.file,
                    range: output.name_range,
                }),
                provision: output_is_provision(self.db, self.project, &sig.decl, &output.name),
                kind: TargetKind::Output,
            })
            .collect()
    }

    /// The offering an instance or a `use` names.
    pub(crate) fn resolve_offering(&mut self, path: &Path) -> Option<DeclRef> {
        match path.segments.as_slice() {
            [only] => self.expect_declaration(only, &[NameKind::Offering], "an offering"),
            [root, name, ..] if root.name == crate::names::imports::STD => {
                self.report(
                    Diagnostic::new(
                        Code::UnknownName,
                        format!("unknown name `{}`", path.text()),
                        self.file,
                        path.range,
                    )
                    .with_label("the standard library is reached through imports")
                    .with_help(format!("add `import std.{0}` and write `{0}`", name.name)),
                );
                None
            }
            _ => {
                self.report(
                    Diagnostic::new(
                        Code::UnknownName,
                        format!("unknown name `{}`", path.text()),
                        self.file,
                        path.range,
                    )
                    .with_label("an offering is named by a single name")
                    .with_help("write the offering's name: `db: postgres { ... }`"),
                );
                None
            }
        }
    }

    /// Checks the parameters of an instance of `offering`. With `partial`, required
    /// parameters may be left out (an override changes only some).
    pub(crate) fn check_instance_body(
        &mut self,
        scope: &Locals,
        instance: &Instance,
        offering: &DeclRef,
        context: InstanceContext,
        partial: bool,
    ) {
        let Some(sig) = offering_signature(self.db, self.project, offering) else {
            return;
        };
        let mut shared = false;
        let mut names: Vec<&str> = sig.params.iter().map(|param| param.name.as_str()).collect();
        if context == InstanceContext::Workload {
            names.push(SHARED);
        }
        let removable = context != InstanceContext::Implementation && sig.param(REMOVED).is_none();
        if removable {
            names.push(REMOVED);
        }
        let settings = ParamSettings {
            place: "a resource",
            not_a_param: format!("not a parameter of `{}`", offering.name),
            help: "set the offering's parameters: `name = value`",
            owner: format!("the offering `{}`", offering.name),
            file: sig.decl.file,
            params: sig.params.iter().collect(),
            suggestions: Some(names),
        };
        let seen = self.check_param_settings(
            scope,
            &instance.body.members,
            &settings,
            |checker, attribute| {
                let special = attribute.name.name == SHARED
                    && context == InstanceContext::Workload
                    && sig.param(SHARED).is_none();
                if special {
                    shared = true;
                    checker.check_shared(&attribute.value, offering);
                }
                if removable && attribute.name.name == REMOVED {
                    let sink = Sink::plain(format!("`{REMOVED}`"));
                    checker.check(scope, &attribute.value, &Ty::Bool, &sink);
                    return true;
                }
                special
            },
        );
        if shared || partial {
            return;
        }
        let missing: Vec<&str> = sig
            .params
            .iter()
            .filter(|param| param.required && !seen.contains(param.name.as_str()))
            .map(|param| param.name.as_str())
            .collect();
        let resource = format!("the resource `{}`", instance.name.name);
        self.missing(
            instance.name.range.cover(instance.offering.range),
            &missing,
            &resource,
            "parameter",
        );
    }

    /// `shared = NAME`: NAME is a shared resource of some environment, of the same
    /// offering.
    fn check_shared(&mut self, value: &Expr, offering: &DeclRef) {
        let Expr::Name(ident) = value else {
            self.report(
                Diagnostic::new(
                    Code::TypeMismatch,
                    "type mismatch: expected the name of a shared resource".to_string(),
                    self.file,
                    value.range(),
                )
                .with_label("expected a name")
                .with_help("write the name a shared resource has in the environments: `shared = shared_db`"),
            );
            return;
        };
        let shared = shared_resources(self.db, self.project);
        let Some(declared) = shared.get(&ident.name) else {
            let help = suggest::did_you_mean(&ident.name, shared.keys().map(String::as_str))
                .unwrap_or_else(|| {
                    format!(
                        "declare it in an environment: `{}: {} {{ ... }}`",
                        ident.name, offering.name
                    )
                });
            self.report(
                Diagnostic::new(
                    Code::UnknownName,
                    format!("unknown shared resource `{}`", ident.name),
                    self.file,
                    ident.range,
                )
                .with_label("no environment declares a shared resource of this name")
                .with_help(help),
            );
            return;
        };
        let wanted = (offering.origin, offering.name.clone());
        if let Some(other) = declared
            .iter()
            .find(|resource| resource.offering.as_ref().is_some_and(|key| *key != wanted))
            && let Some((_, other_offering)) = &other.offering
        {
            self.report(
                Diagnostic::new(
                    Code::TypeMismatch,
                    format!(
                        "type mismatch: expected `{}` resource, found `{other_offering}` resource",
                        offering.name
                    ),
                    self.file,
                    ident.range,
                )
                .with_label(format!(
                    "the environment `{}` declares `{}` as `{other_offering}`",
                    other.environment, ident.name
                ))
                .with_help(format!("bind to a shared `{}` resource", offering.name)),
            );
        }
    }
}

/// A body that sets parameters (a resource's, a `use`'s), as
/// [`Checker::check_param_settings`] checks it.
pub(crate) struct ParamSettings<'s> {
    /// Where only parameters may be set, for the message: "a resource".
    pub(crate) place: &'static str,
    /// The label at a member that is not a parameter setting.
    pub(crate) not_a_param: String,
    /// The help at such a member.
    pub(crate) help: &'static str,
    /// Who has the parameters, for an unknown one: "the offering `postgres`".
    pub(crate) owner: String,
    /// The file that declares the parameters.
    pub(crate) file: crate::source::SourceFile,
    /// The parameters, searched in order (the first of a name counts).
    pub(crate) params: Vec<&'s ParamSig>,
    /// The names suggested for an unknown one; `None` when an unknown name is not
    /// reported (its value is still checked).
    pub(crate) suggestions: Option<Vec<&'s str>>,
}

impl Checker<'_> {
    /// Checks a body of parameter settings: only attributes (E0311), each set once
    /// (E0207), each a known parameter (E0203) whose value fits its type. `special`
    /// sees each attribute first and returns true when it has checked it itself.
    /// Returns the names set.
    pub(crate) fn check_param_settings<'b>(
        &mut self,
        scope: &Locals,
        members: &'b [Member],
        settings: &ParamSettings<'_>,
        mut special: impl FnMut(&mut Self, &'b Attribute) -> bool,
    ) -> BTreeSet<&'b str> {
        let mut seen: BTreeMap<&str, TextRange> = BTreeMap::new();
        for member in members {
            let attribute = match member {
                Member::Attribute(attribute) => attribute,
                Member::Error(_) => continue,
                other => {
                    self.report(
                        Diagnostic::new(
                            Code::InvalidMember,
                            format!("only parameters are allowed in {}", settings.place),
                            self.file,
                            other.range(),
                        )
                        .with_label(settings.not_a_param.clone())
                        .with_help(settings.help),
                    );
                    continue;
                }
            };
            let name = attribute.name.name.as_str();
            if let Some(first) = seen.get(name) {
                let first = *first;
                self.field_set_twice(name, attribute.name.range, first);
                continue;
            }
            seen.insert(name, attribute.name.range);
            if special(self, attribute) {
                continue;
            }
            match settings.params.iter().find(|param| param.name == name) {
                Some(param) => {
                    let def = Definition {
                        file: settings.file,
                        range: param.name_range,
                    };
                    self.reference(attribute.name.range, Some(def), TargetKind::Param);
                    let sink = Sink::plain(format!("the parameter `{name}`"));
                    self.check(scope, &attribute.value, &param.ty, &sink);
                }
                None => {
                    if let Some(names) = &settings.suggestions {
                        self.unknown_member(
                            &attribute.name,
                            &settings.owner,
                            "parameter",
                            Code::UnknownField,
                            names,
                        );
                    }
                    self.infer(scope, &attribute.value);
                }
            }
        }
        seen.into_keys().collect()
    }
}
