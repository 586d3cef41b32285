//! Offerings and their implementations.
//!
//! Invariants: an offering has a semantic `version` (E0310/E0302); parameter and output
//! names are unique (E0202); defaults fit their types and are literals known at compile
//! time; outputs have no default (E0311). An implementation names a known provisioner,
//! sets that provisioner's attributes, and maps exactly the offering's outputs in
//! `outputs`: an unknown key is E0204, a missing one E0309; each value fits the
//! output's type, and only a `secret` output takes a secret.

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic, Label};
use crate::names::{DeclRef, Definition, TargetKind, suggest};
use crate::span::TextRange;
use crate::syntax::ast::{Attribute, Block, Declaration, Expr, FieldDecl, Ident};
use crate::types::checker::{Access, Binding, Checker, Locals, MemberInfo};
use crate::types::flow::{Flow, Sink};
use crate::types::instance::InstanceContext;
use crate::types::schema::{self, OUTPUTS, PROTECT, Provisioner, STATEFUL};
use crate::types::signature::{OfferingSig, offering_signature};
use crate::types::ty::{FieldTy, Ty};

impl Checker<'_> {
    pub(crate) fn check_offering(&mut self, decl: &Declaration, decl_ref: &DeclRef) {
        let owner = format!("the offering `{}`", decl.name.name);
        let members = self.sort_members(&decl.body, schema::offering(), &owner);
        let scope = Locals::default();
        self.check_fields(&scope, &members.attributes, schema::offering(), &owner, &[]);
        self.check_required(&members, schema::offering(), &owner, decl.name.range);

        let mut params: BTreeMap<&str, TextRange> = BTreeMap::new();
        for param in &members.params {
            if !self.seen_before(
                &mut params,
                "the parameter",
                &param.name.name,
                param.name.range,
            ) {
                self.check_param(&scope, param);
            }
        }
        let mut outputs: BTreeMap<&str, TextRange> = BTreeMap::new();
        for output in &members.outputs {
            if !self.seen_before(
                &mut outputs,
                "the output",
                &output.name.name,
                output.name.range,
            ) {
                self.check_output(output);
            }
        }
        let sig = offering_signature(self.db, self.project, decl_ref);
        if let (Some(sig), Some(stateful)) = (sig, members.attribute(STATEFUL)) {
            self.check_stateful(sig, stateful);
        }
        let mut implementations: BTreeMap<&str, TextRange> = BTreeMap::new();
        for block in &members.blocks {
            let Some(label) = self.block_label(block, true) else {
                continue;
            };
            if self.seen_before(
                &mut implementations,
                "the implementation",
                &label.name,
                label.range,
            ) {
                continue;
            }
            let Some(provisioner) = self.provisioner(block, label) else {
                continue;
            };
            if let Some(sig) = sig {
                self.check_implementation(sig, block, label, provisioner);
            }
        }
    }

    /// `stateful`: written `true` or `false` (plat reads it without evaluating it), and
    /// a stateful offering has a `protect: bool` parameter (E0907).
    fn check_stateful(&mut self, sig: &OfferingSig, stateful: &Attribute) {
        if !matches!(stateful.value, Expr::Bool { .. }) {
            self.report(
                Diagnostic::new(
                    Code::TypeMismatch,
                    "type mismatch: `stateful` is `true` or `false`, as written".to_string(),
                    self.file,
                    stateful.value.range(),
                )
                .with_label("expected `true` or `false`")
                .with_help("whether an offering keeps data does not depend on the environment"),
            );
            return;
        }
        if !sig.stateful {
            return;
        }
        let protect = sig.param(PROTECT);
        if protect
            .is_some_and(|param| matches!(param.ty.shape(), Ty::Bool) && !param.ty.is_optional())
        {
            return;
        }
        let label = match protect {
            Some(_) => "its `protect` parameter is not a `bool`",
            None => "it has no `protect` parameter",
        };
        self.report(
            Diagnostic::new(
                Code::StatefulWithoutProtect,
                format!(
                    "the stateful offering `{}` has no `protect: bool` parameter",
                    sig.decl.name
                ),
                self.file,
                stateful.name.range,
            )
            .with_label(label)
            .with_help(
                "declare `param protect: bool = true`, and honour it in each implementation \
                 (`deletion_protection = params.protect`, `force_destroy = !params.protect`)",
            ),
        );
    }

    /// A `param`: its type, and its default checked against it.
    fn check_param(&mut self, scope: &Locals, param: &FieldDecl) -> Ty {
        let ty = self.lower_checked(&param.ty);
        let ty = if param.optional { Ty::optional(ty) } else { ty };
        if let Some(default) = &param.default {
            let sink = Sink::plain(format!("the default of `{}`", param.name.name));
            self.check(scope, default, &ty, &sink);
        }
        ty
    }

    fn check_output(&mut self, output: &FieldDecl) {
        self.lower_checked(&output.ty);
        if let Some(default) = &output.default {
            self.report(
                Diagnostic::new(
                    Code::InvalidMember,
                    format!("the output `{}` has a default", output.name.name),
                    self.file,
                    default.range(),
                )
                .with_label("an output has no default")
                .with_help("give the output its value in each implementation's `outputs`"),
            );
        }
    }

    /// The provisioner of an implementation block (E0302 when missing, E0201 when
    /// unknown).
    fn provisioner(&mut self, block: &Block, label: &Ident) -> Option<Provisioner> {
        let names: Vec<&str> = Provisioner::ALL.iter().map(|p| p.name()).collect();
        let Some(path) = &block.provisioner else {
            self.report(
                Diagnostic::new(
                    Code::MissingField,
                    format!("missing provisioner of the implementation `{}`", label.name),
                    self.file,
                    label.range,
                )
                .with_label("how is it provisioned?")
                .with_help(format!(
                    "write `implementation {}: PROVISIONER {{ ... }}` with {}",
                    label.name,
                    suggest::one_of(&names)
                )),
            );
            return None;
        };
        let text = path.text();
        if let Some(provisioner) = Provisioner::parse(&text) {
            return Some(provisioner);
        }
        let help = suggest::did_you_mean(&text, names.iter().copied())
            .unwrap_or_else(|| format!("the provisioners are {}", suggest::all_of(&names)));
        self.report(
            Diagnostic::new(
                Code::UnknownName,
                format!("unknown provisioner `{text}`"),
                self.file,
                path.range,
            )
            .with_label("no provisioner of this name")
            .with_help(help),
        );
        None
    }

    fn check_implementation(
        &mut self,
        sig: &OfferingSig,
        block: &Block,
        label: &Ident,
        provisioner: Provisioner,
    ) {
        let owner = format!("the implementation `{}`", label.name);
        let schema = schema::implementation_of(provisioner);
        let members = self.sort_members(&block.body, schema, &owner);

        let mut scope = Locals::default();
        let mut params: Vec<MemberInfo> = sig
            .params
            .iter()
            .map(|param| MemberInfo {
                name: param.name.clone(),
                ty: param.ty.clone(),
                def: Some(Definition {
                    file: sig.decl.file,
                    range: param.name_range,
                }),
                provision: false,
                kind: TargetKind::Param,
            })
            .collect();
        let mut seen: BTreeMap<&str, TextRange> = BTreeMap::new();
        for param in &members.params {
            if let Some(offering_param) = sig.param(&param.name.name) {
                self.report(
                    Diagnostic::new(
                        Code::DuplicateDeclaration,
                        format!("the parameter `{}` is declared twice", param.name.name),
                        self.file,
                        param.name.range,
                    )
                    .with_label("declared again in the implementation")
                    .with_secondary(
                        Label::new(sig.decl.file, offering_param.name_range)
                            .with_message("declared by the offering here"),
                    )
                    .with_help("implementation parameters are platform-side settings; give it another name"),
                );
                continue;
            }
            if self.seen_before(
                &mut seen,
                "the parameter",
                &param.name.name,
                param.name.range,
            ) {
                continue;
            }
            let ty = self.check_param(&scope, param);
            params.push(MemberInfo {
                name: param.name.name.clone(),
                ty,
                def: Some(self.here(param.name.range)),
                provision: false,
                kind: TargetKind::Param,
            });
        }
        scope.push(members_binding("params", "`params`", "parameter", params));
        let self_members = schema::implementation_self(provisioner)
            .iter()
            .map(|field| MemberInfo {
                provision: field.name == "generated_password",
                ..MemberInfo::field(field)
            })
            .collect();
        scope.push(members_binding("self", "`self`", "field", self_members));
        scope.push_record("env", schema::env_record());
        if provisioner == Provisioner::Terraform {
            scope.push(Binding {
                name: "module".to_string(),
                ty: Ty::Any,
                flow: Flow::plain(),
                access: Access::Any,
                def: None,
                kind: TargetKind::Block,
                provision: true,
            });
        }
        let needs = self.bind_instances(&mut scope, &members.instances);
        for (instance, offering) in &needs {
            self.check_instance_body(
                &scope,
                instance,
                offering,
                InstanceContext::Implementation,
                false,
            );
        }

        self.check_fields(&scope, &members.attributes, schema, &owner, &[OUTPUTS]);
        if provisioner == Provisioner::Terraform {
            self.check_terraform_module(&members);
        }
        let required_elsewhere = sig.outputs.is_empty();
        let missing: Vec<&str> = schema
            .fields
            .iter()
            .filter(|field| field.required && members.attribute(field.name).is_none())
            .filter(|field| !(field.name == OUTPUTS && required_elsewhere))
            .map(|field| field.name)
            .collect();
        self.missing(label.range, &missing, &owner, "field");
        if let Some(outputs) = members.attribute(OUTPUTS) {
            self.check_outputs_mapping(&scope, sig, label, outputs);
        }
    }

    /// `outputs = { ... }`: exactly the offering's outputs, each of its type.
    fn check_outputs_mapping(
        &mut self,
        scope: &Locals,
        sig: &OfferingSig,
        label: &Ident,
        outputs: &Attribute,
    ) {
        let Expr::Record { entries, .. } = &outputs.value else {
            let expected = Ty::Record(
                sig.outputs
                    .iter()
                    .map(|output| FieldTy::new(&output.name, output.ty.clone()))
                    .collect(),
            );
            self.check(
                scope,
                &outputs.value,
                &expected,
                &Sink::new("`outputs`", false, true),
            );
            return;
        };
        let mut seen: BTreeMap<&str, TextRange> = BTreeMap::new();
        let owner = format!("the offering `{}`", sig.decl.name);
        let names: Vec<&str> = sig
            .outputs
            .iter()
            .map(|output| output.name.as_str())
            .collect();
        for entry in entries {
            if self.duplicate_key(&mut seen, entry) {
                continue;
            }
            let key = entry.key.text();
            let Some(output) = sig.output(key) else {
                let ident = Ident {
                    name: key.to_string(),
                    range: entry.key.range(),
                };
                self.unknown_member(&ident, &owner, "output", Code::UnknownOutput, &names);
                self.infer(scope, &entry.value);
                continue;
            };
            let def = Definition {
                file: sig.decl.file,
                range: output.name_range,
            };
            self.reference(entry.key.range(), Some(def), TargetKind::Output);
            let sink = Sink::new(format!("the output `{key}`"), false, true);
            self.check(scope, &entry.value, &output.ty, &sink);
        }
        let missing: Vec<&crate::types::signature::ParamSig> = sig
            .outputs
            .iter()
            .filter(|output| !seen.contains_key(output.name.as_str()))
            .collect();
        if missing.is_empty() {
            return;
        }
        let names: Vec<&str> = missing.iter().map(|output| output.name.as_str()).collect();
        let (noun, list) = match names.as_slice() {
            [only] => ("output", format!("`{only}`")),
            _ => ("outputs", suggest::all_of(&names)),
        };
        let adds: Vec<String> = names.iter().map(|name| format!("{name} = ...")).collect();
        let mut diagnostic = Diagnostic::new(
            Code::MissingOutputMapping,
            format!(
                "the implementation `{}` does not provide the {noun} {list}",
                label.name
            ),
            self.file,
            outputs.name.range,
        )
        .with_label(format!("{list} missing here"))
        .with_help(format!("add `{}` to `outputs`", adds.join(", ")));
        for output in missing {
            diagnostic = diagnostic.with_secondary(
                Label::new(sig.decl.file, output.name_range)
                    .with_message(format!("`{}` declared here", output.name)),
            );
        }
        self.report(diagnostic);
    }
}

/// A binding whose members are listed (`params`, `self`).
fn members_binding(
    name: &str,
    owner: &str,
    noun: &'static str,
    members: Vec<MemberInfo>,
) -> Binding {
    Binding {
        name: name.to_string(),
        ty: Ty::Record(
            members
                .iter()
                .map(|member| FieldTy::new(&member.name, member.ty.clone()))
                .collect(),
        ),
        flow: Flow::plain(),
        access: Access::Members {
            owner: owner.to_string(),
            noun,
            code: Code::UnknownField,
            members,
        },
        def: None,
        kind: TargetKind::Param,
        provision: false,
    }
}
