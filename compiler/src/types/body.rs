//! Bodies of built-in blocks checked against their [`BlockSchema`]: which member shapes
//! may appear, which blocks, which attributes, each set once, every required one set.
//!
//! Invariants: every member of a body is either handed back to the caller (sorted by
//! shape, for the checks particular to a declaration) or reported here (E0311 for a
//! shape or block not allowed in this place, E0206 for a block kind that does not
//! exist, E0203 for an unknown attribute, E0207 for one set twice, E0302 for a
//! required one missing). Attribute values are checked against the field's type with
//! the field's sink.

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic, Label};
use crate::names::suggest;
use crate::span::TextRange;
use crate::syntax::ast::{Attribute, Block, Body, FieldDecl, Instance, Member, Require, Use};
use crate::types::checker::{Checker, Locals};
use crate::types::flow::Sink;
use crate::types::schema::{BLOCK_KINDS, BlockSchema};

/// The members of a body, sorted by shape, that the schema allows.
#[derive(Default)]
pub(crate) struct Members<'m> {
    /// Attributes, each name once (later repeats are reported and dropped).
    pub attributes: Vec<&'m Attribute>,
    /// Blocks of a kind the schema allows.
    pub blocks: Vec<&'m Block>,
    pub instances: Vec<&'m Instance>,
    pub params: Vec<&'m FieldDecl>,
    pub outputs: Vec<&'m FieldDecl>,
    pub uses: Vec<&'m Use>,
    pub requires: Vec<&'m Require>,
}

impl<'m> Members<'m> {
    pub(crate) fn attribute(&self, name: &str) -> Option<&'m Attribute> {
        self.attributes
            .iter()
            .copied()
            .find(|attribute| attribute.name.name == name)
    }
}

impl Checker<'_> {
    /// Sorts a body's members, reporting those that do not belong in `schema`.
    /// `owner` names the block in messages: "the workload `api`".
    pub(crate) fn sort_members<'m>(
        &mut self,
        body: &'m Body,
        schema: &BlockSchema,
        owner: &str,
    ) -> Members<'m> {
        let mut members = Members::default();
        let mut seen: BTreeMap<&str, TextRange> = BTreeMap::new();
        for member in &body.members {
            match member {
                Member::Attribute(attribute) => {
                    if let Some(first) = seen.get(attribute.name.name.as_str()) {
                        let first = *first;
                        self.field_set_twice(&attribute.name.name, attribute.name.range, first);
                    } else {
                        seen.insert(&attribute.name.name, attribute.name.range);
                        members.attributes.push(attribute);
                    }
                }
                Member::Block(block) => {
                    if schema.nested(&block.kind.name).is_some() {
                        members.blocks.push(block);
                    } else {
                        self.block_not_here(block, schema);
                    }
                }
                Member::Instance(instance) if schema.members.instances => {
                    members.instances.push(instance)
                }
                Member::Param(param) if schema.members.params => members.params.push(param),
                Member::Output(output) if schema.members.outputs => members.outputs.push(output),
                Member::Use(used) if schema.members.uses => members.uses.push(used),
                Member::Require(require) if schema.members.requires => {
                    members.requires.push(require)
                }
                Member::Error(_) => {}
                other => self.member_not_here(other, schema, owner),
            }
        }
        members
    }

    /// E0207 for a field or key set twice: the primary label at the repeat.
    pub(crate) fn field_set_twice(&mut self, name: &str, again: TextRange, first: TextRange) {
        self.report(
            Diagnostic::new(
                Code::DuplicateField,
                format!("`{name}` is set twice"),
                self.file,
                again,
            )
            .with_label("set again here")
            .with_secondary(Label::new(self.file, first).with_message("first set here"))
            .with_help("remove one of them"),
        );
    }

    fn block_not_here(&mut self, block: &Block, schema: &BlockSchema) {
        let kind = block.kind.name.as_str();
        let allowed: Vec<&str> = schema.blocks.iter().map(|nested| nested.kind).collect();
        if BLOCK_KINDS.contains(&kind) {
            let help = if allowed.is_empty() {
                format!("{} holds no blocks", schema.noun)
            } else {
                format!("{} holds {} blocks", schema.noun, suggest::all_of(&allowed))
            };
            self.report(
                Diagnostic::new(
                    Code::InvalidMember,
                    format!("a `{kind}` block is not allowed in {}", schema.noun),
                    self.file,
                    block.kind.range,
                )
                .with_label(format!("not allowed in {}", schema.noun))
                .with_help(help),
            );
            return;
        }
        let help = suggest::did_you_mean(kind, allowed.iter().copied()).unwrap_or_else(|| {
            if allowed.is_empty() {
                format!("{} holds no blocks", schema.noun)
            } else {
                format!("{} holds {} blocks", schema.noun, suggest::all_of(&allowed))
            }
        });
        self.report(
            Diagnostic::new(
                Code::UnknownBlock,
                format!("unknown block `{kind}`"),
                self.file,
                block.kind.range,
            )
            .with_label("no block of this kind")
            .with_help(help),
        );
    }

    fn member_not_here(&mut self, member: &Member, schema: &BlockSchema, owner: &str) {
        let (what, range, help) = match member {
            Member::Instance(instance) => (
                "a resource",
                instance.name.range.cover(instance.offering.range),
                "resources are declared in workloads, environments (shared) and implementations",
            ),
            Member::Param(param) => (
                "a `param`",
                param.name.range,
                "parameters are declared in offerings and implementations",
            ),
            Member::Output(output) => (
                "an `output`",
                output.name.range,
                "outputs are declared in offerings",
            ),
            Member::Use(used) => (
                "a `use`",
                used.target.range,
                "environments choose implementations with `use`",
            ),
            Member::Require(require) => (
                "a `require`",
                require.condition.range(),
                "conditions are written in policies",
            ),
            _ => return,
        };
        let range = match member {
            Member::Require(require) => TextRange::new(
                require.range.start,
                require.range.start.saturating_add(7).min(require.range.end),
            ),
            Member::Use(used) => TextRange::new(used.range.start, used.target.range.end),
            _ => range,
        };
        self.report(
            Diagnostic::new(
                Code::InvalidMember,
                format!("{what} is not allowed in {}", schema.noun),
                self.file,
                range,
            )
            .with_label(format!("not allowed in {owner}"))
            .with_help(help),
        );
    }

    /// Checks the attributes against the schema's fields, except those named in `skip`
    /// (which the caller checks). Unknown attributes are E0203.
    pub(crate) fn check_fields(
        &mut self,
        scope: &Locals,
        attributes: &[&Attribute],
        schema: &BlockSchema,
        owner: &str,
        skip: &[&str],
    ) {
        for attribute in attributes {
            let name = attribute.name.name.as_str();
            if skip.contains(&name) {
                continue;
            }
            if let Some(field) = schema.field(name) {
                let sink = Sink::new(
                    format!("`{name}`"),
                    field.accepts_secret,
                    field.accepts_provision,
                );
                self.check(scope, &attribute.value, &field.ty, &sink);
                if let Some(instead) = field.deprecated {
                    self.deprecated_field(attribute, owner, instead);
                }
                continue;
            }
            if let Some(ty) = &schema.free_attributes {
                let sink = Sink::plain(format!("`{name}`"));
                self.check(scope, &attribute.value, ty, &sink);
                continue;
            }
            let mut names: Vec<&str> = schema.field_names().collect();
            names.extend(skip.iter().copied());
            names.sort_unstable();
            names.dedup();
            if names.is_empty() && schema.members.requires {
                self.report(
                    Diagnostic::new(
                        Code::UnknownField,
                        format!("unknown field `{name}`"),
                        self.file,
                        attribute.name.range,
                    )
                    .with_label(format!("{owner} has no fields"))
                    .with_help(
                        "a policy holds only conditions: `require CONDITION else \"message\"`",
                    ),
                );
            } else {
                self.unknown_field(attribute.name.range, name, owner, &names);
            }
            self.infer(scope, &attribute.value);
        }
    }

    /// W0903: a field whose setting is deprecated.
    fn deprecated_field(&mut self, attribute: &Attribute, owner: &str, instead: &str) {
        let name = &attribute.name.name;
        self.report(
            Diagnostic::new(
                Code::DeprecatedSetting,
                format!("`{name}` is deprecated"),
                self.file,
                attribute.name.range,
            )
            .with_label(format!("deprecated in {owner}"))
            .with_help(instead),
        );
    }

    /// E0302 for the schema's required fields that are not set, at `at`.
    pub(crate) fn check_required(
        &mut self,
        members: &Members<'_>,
        schema: &BlockSchema,
        owner: &str,
        at: TextRange,
    ) {
        let missing: Vec<&str> = schema
            .fields
            .iter()
            .filter(|field| field.required && members.attribute(field.name).is_none())
            .map(|field| field.name)
            .collect();
        if !missing.is_empty() {
            self.missing_fields(at, &missing, owner);
        }
    }

    /// E0202 for a named member declared twice in one body (containers, resources,
    /// implementations, params): the primary label at the repeat.
    pub(crate) fn duplicate_member(
        &mut self,
        what: &str,
        name: &str,
        again: TextRange,
        first: TextRange,
    ) {
        self.report(
            Diagnostic::new(
                Code::DuplicateDeclaration,
                format!("{what} `{name}` is declared twice"),
                self.file,
                again,
            )
            .with_label("declared again here")
            .with_secondary(Label::new(self.file, first).with_message("first declared here"))
            .with_help("rename or remove one of them"),
        );
    }
}

impl Checker<'_> {
    /// The label of a block that needs one (`container main`), reporting E0302 when it
    /// is missing and E0311 when the block has a provisioner it cannot have.
    pub(crate) fn block_label<'b>(
        &mut self,
        block: &'b Block,
        allows_provisioner: bool,
    ) -> Option<&'b crate::syntax::ast::Ident> {
        if !allows_provisioner && let Some(provisioner) = &block.provisioner {
            self.report(
                Diagnostic::new(
                    Code::InvalidMember,
                    format!("a `{}` has no provisioner", block.kind.name),
                    self.file,
                    provisioner.range,
                )
                .with_label("not allowed here")
                .with_help(format!("remove `: {}`", provisioner.text())),
            );
        }
        if block.label.is_none() {
            let kind = block.kind.name.as_str();
            let example = match kind {
                "container" => "container main { ... }",
                "override" => "override production { ... }",
                "backend" => "backend s3 { ... }",
                "implementation" => "implementation rds: terraform { ... }",
                _ => "KIND NAME { ... }",
            };
            self.report(
                Diagnostic::new(
                    Code::MissingField,
                    format!("missing name of `{kind}`"),
                    self.file,
                    block.kind.range,
                )
                .with_label(format!("a `{kind}` needs a name"))
                .with_help(format!("write `{example}`")),
            );
        }
        block.label.as_ref()
    }

    /// Reports a repeat of a named member; true when `name` was seen before.
    pub(crate) fn seen_before<'n>(
        &mut self,
        seen: &mut BTreeMap<&'n str, TextRange>,
        what: &str,
        name: &'n str,
        range: TextRange,
    ) -> bool {
        if let Some(first) = seen.get(name) {
            let first = *first;
            self.duplicate_member(what, name, range, first);
            return true;
        }
        seen.insert(name, range);
        false
    }
}
