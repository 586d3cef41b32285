//! Signatures: what other files need to know about an offering (its parameters,
//! outputs and implementations) and about environments (their shared resources).
//!
//! Invariants: a signature is computed per file ([`file_signatures`]), so that checking
//! a workload depends on the file that declares its offering and not on the whole
//! project; types are lowered through the project's [`type_table`], without reporting
//! (the declaring file's own check reports problems); when a member is declared twice
//! the first one counts. The phase of an output is decided by [`output_is_provision`]
//! over the implementations of its offering, following instance outputs through other
//! offerings with a visited set, so cycles between offerings terminate.

use std::collections::{BTreeMap, BTreeSet};

use crate::names::{DeclRef, NameKind, Resolver, file_scope, project_index};
use crate::source::{Db, Origin, Project, SourceFile};
use crate::span::TextRange;
use crate::syntax::ast::{self, Body, Expr, Item, Member, StringPart};
use crate::types::lower::{Lowerer, TypeTable, source_text, type_table};
use crate::types::schema::{self, Provisioner, STATEFUL};
use crate::types::ty::Ty;

/// A parameter or an output of an offering or an implementation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamSig {
    pub name: String,
    pub ty: Ty,
    /// Whether a value must be given: no default and not optional.
    pub required: bool,
    /// The default as written.
    pub default: Option<String>,
    pub doc: Option<String>,
    /// Where the name is declared, in the file of the signature.
    pub name_range: TextRange,
}

/// What may make an implementation's output known only after provisioning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhaseSource {
    /// A value computed by the provisioner (`module.*`, `self.generated_password`).
    Provision,
    /// The output of an instance the implementation needs.
    Output { offering: DeclRef, output: String },
}

/// An implementation of an offering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImplSig {
    pub name: String,
    pub name_range: TextRange,
    pub provisioner: Option<Provisioner>,
    pub params: Vec<ParamSig>,
    /// For each output the implementation maps, what its value is built from.
    pub output_sources: BTreeMap<String, Vec<PhaseSource>>,
    pub doc: Option<String>,
}

/// What other files see of an offering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferingSig {
    pub decl: DeclRef,
    pub doc: Option<String>,
    pub version: Option<String>,
    /// `stateful = true`: its resources keep data that their destruction loses.
    pub stateful: bool,
    pub params: Vec<ParamSig>,
    pub outputs: Vec<ParamSig>,
    pub implementations: Vec<ImplSig>,
}

impl OfferingSig {
    pub fn param(&self, name: &str) -> Option<&ParamSig> {
        self.params.iter().find(|param| param.name == name)
    }

    pub fn output(&self, name: &str) -> Option<&ParamSig> {
        self.outputs.iter().find(|output| output.name == name)
    }

    pub fn implementation(&self, name: &str) -> Option<&ImplSig> {
        self.implementations.iter().find(|imp| imp.name == name)
    }
}

/// The signatures of the offerings a file declares.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FileSignatures {
    pub offerings: Vec<OfferingSig>,
}

/// Computes the signatures of one file's offerings.
#[salsa::tracked(returns(ref))]
pub fn file_signatures(db: &dyn Db, project: Project, file: SourceFile) -> FileSignatures {
    let index = project_index(db, project);
    let scope = file_scope(db, project, file);
    let table = type_table(db, project);
    let resolver = Resolver::new(db, file, index, scope);
    let module = &crate::syntax::parse_file(db, file).module;
    let mut signatures = FileSignatures::default();
    for (item, node) in module.items.iter().enumerate() {
        let Item::Decl(decl) = node else { continue };
        if decl.kind != ast::DeclKind::Offering {
            continue;
        }
        let decl_ref = DeclRef {
            file,
            origin: file.origin(db),
            item,
            kind: NameKind::Offering,
            name: decl.name.name.clone(),
        };
        signatures
            .offerings
            .push(offering_signature_of(db, resolver, table, decl_ref, decl));
    }
    signatures
}

/// The signature of an offering, wherever it is declared.
pub fn offering_signature<'db>(
    db: &'db dyn Db,
    project: Project,
    decl: &DeclRef,
) -> Option<&'db OfferingSig> {
    file_signatures(db, project, decl.file)
        .offerings
        .iter()
        .find(|sig| sig.decl.item == decl.item)
}

fn offering_signature_of(
    db: &dyn Db,
    resolver: Resolver<'_>,
    table: &TypeTable,
    decl_ref: DeclRef,
    decl: &ast::Declaration,
) -> OfferingSig {
    let mut source = table;
    let mut lowerer = Lowerer::new(db, resolver, &mut source, false);
    let mut sig = OfferingSig {
        decl: decl_ref,
        doc: decl.doc.as_ref().map(|doc| doc.text.clone()),
        version: None,
        stateful: false,
        params: Vec::new(),
        outputs: Vec::new(),
        implementations: Vec::new(),
    };
    for member in &decl.body.members {
        match member {
            Member::Attribute(attribute) if attribute.name.name == "version" => {
                if let Expr::String { parts, .. } = &attribute.value {
                    sig.version = literal_text(parts);
                }
            }
            Member::Attribute(attribute) if attribute.name.name == STATEFUL => {
                sig.stateful = matches!(attribute.value, Expr::Bool { value: true, .. });
            }
            Member::Param(field) => push_unique(&mut sig.params, param_sig(&mut lowerer, field)),
            Member::Output(field) => push_unique(&mut sig.outputs, param_sig(&mut lowerer, field)),
            Member::Block(block) if block.kind.name == "implementation" => {
                if let Some(imp) = impl_sig(&mut lowerer, block)
                    && sig.implementation(&imp.name).is_none()
                {
                    sig.implementations.push(imp);
                }
            }
            _ => {}
        }
    }
    sig
}

fn push_unique(params: &mut Vec<ParamSig>, param: ParamSig) {
    if !params.iter().any(|existing| existing.name == param.name) {
        params.push(param);
    }
}

/// The signature of a `param` or `output` declaration.
pub fn param_sig(lowerer: &mut Lowerer<'_, '_>, field: &ast::FieldDecl) -> ParamSig {
    let ty = lowerer.lower(&field.ty, 0);
    let ty = if field.optional { Ty::optional(ty) } else { ty };
    let default = field
        .default
        .as_ref()
        .map(|expr| source_text(lowerer.db, lowerer.resolver.file, expr.range()));
    ParamSig {
        name: field.name.name.clone(),
        required: default.is_none() && !ty.is_optional(),
        ty,
        default,
        doc: field.doc.as_ref().map(|doc| doc.text.clone()),
        name_range: field.name.range,
    }
}

fn impl_sig(lowerer: &mut Lowerer<'_, '_>, block: &ast::Block) -> Option<ImplSig> {
    let label = block.label.as_ref()?;
    let provisioner = block
        .provisioner
        .as_ref()
        .and_then(|path| match path.segments.as_slice() {
            [only] => Provisioner::parse(&only.name),
            _ => None,
        });
    let mut imp = ImplSig {
        name: label.name.clone(),
        name_range: label.range,
        provisioner,
        params: Vec::new(),
        output_sources: BTreeMap::new(),
        doc: block.doc.as_ref().map(|doc| doc.text.clone()),
    };
    let instances = instance_offerings(lowerer.resolver, &block.body);
    for member in &block.body.members {
        match member {
            Member::Param(field) => push_unique(&mut imp.params, param_sig(lowerer, field)),
            Member::Attribute(attribute) if attribute.name.name == schema::OUTPUTS => {
                if let Expr::Record { entries, .. } = &attribute.value {
                    for entry in entries {
                        let mut sources = Vec::new();
                        phase_sources(&entry.value, &instances, &mut sources);
                        imp.output_sources
                            .entry(entry.key.text().to_string())
                            .or_insert(sources);
                    }
                }
            }
            _ => {}
        }
    }
    Some(imp)
}

/// The offerings of an implementation's instances, by instance name.
fn instance_offerings(resolver: Resolver<'_>, body: &Body) -> BTreeMap<String, DeclRef> {
    let mut instances = BTreeMap::new();
    for member in &body.members {
        if let Member::Instance(instance) = member
            && let [only] = instance.offering.segments.as_slice()
            && let Some(found) = resolver.lookup(&only.name)
            && found.decl.kind == NameKind::Offering
        {
            instances
                .entry(instance.name.name.clone())
                .or_insert_with(|| found.decl.clone());
        }
    }
    instances
}

/// Collects what an output's value is built from. The parser bounds the nesting.
fn phase_sources(expr: &Expr, instances: &BTreeMap<String, DeclRef>, out: &mut Vec<PhaseSource>) {
    if let Some(path) = expr.as_path() {
        let names: Vec<&str> = path.iter().map(|ident| ident.name.as_str()).collect();
        path_source(&names, instances, out);
        return;
    }
    match expr {
        Expr::String { parts, .. } => {
            for part in parts {
                if let StringPart::Interpolation(path) = part {
                    let names: Vec<&str> = path
                        .segments
                        .iter()
                        .map(|ident| ident.name.as_str())
                        .collect();
                    path_source(&names, instances, out);
                }
            }
        }
        Expr::Field { base, .. } => phase_sources(base, instances, out),
        Expr::List { items, .. } => items
            .iter()
            .for_each(|item| phase_sources(item, instances, out)),
        Expr::Record { entries, .. } => entries
            .iter()
            .for_each(|entry| phase_sources(&entry.value, instances, out)),
        Expr::If {
            condition,
            then_branch,
            else_branch,
            ..
        } => {
            phase_sources(condition, instances, out);
            phase_sources(then_branch, instances, out);
            phase_sources(else_branch, instances, out);
        }
        Expr::Match {
            scrutinee, arms, ..
        } => {
            phase_sources(scrutinee, instances, out);
            arms.iter()
                .for_each(|arm| phase_sources(&arm.value, instances, out));
        }
        Expr::Binary { lhs, rhs, .. } => {
            phase_sources(lhs, instances, out);
            phase_sources(rhs, instances, out);
        }
        Expr::Not { operand, .. } => phase_sources(operand, instances, out),
        _ => {}
    }
}

fn path_source(names: &[&str], instances: &BTreeMap<String, DeclRef>, out: &mut Vec<PhaseSource>) {
    match names {
        ["module", ..] | ["self", "generated_password", ..] => out.push(PhaseSource::Provision),
        [instance, output, ..] if instances.contains_key(*instance) => {
            if let Some(offering) = instances.get(*instance) {
                out.push(PhaseSource::Output {
                    offering: offering.clone(),
                    output: (*output).to_string(),
                });
            }
        }
        _ => {}
    }
}

/// The text of a string literal without interpolation.
pub fn literal_text(parts: &[StringPart]) -> Option<String> {
    let mut text = String::new();
    for part in parts {
        match part {
            StringPart::Text(piece) => text.push_str(piece),
            StringPart::Interpolation(_) => return None,
        }
    }
    Some(text)
}

/// Whether an output of an offering is known only after provisioning: some
/// implementation computes it at provision time, directly or through the outputs of
/// the instances it needs.
pub fn output_is_provision(
    db: &dyn Db,
    project: Project,
    offering: &DeclRef,
    output: &str,
) -> bool {
    let mut visited: BTreeSet<(Origin, String, String)> = BTreeSet::new();
    let mut work: Vec<(DeclRef, String)> = vec![(offering.clone(), output.to_string())];
    while let Some((offering, output)) = work.pop() {
        if !visited.insert((offering.origin, offering.name.clone(), output.clone())) {
            continue;
        }
        let Some(sig) = offering_signature(db, project, &offering) else {
            continue;
        };
        for imp in &sig.implementations {
            for source in imp.output_sources.get(&output).into_iter().flatten() {
                match source {
                    PhaseSource::Provision => return true,
                    PhaseSource::Output { offering, output } => {
                        work.push((offering.clone(), output.clone()))
                    }
                }
            }
        }
    }
    false
}

/// A shared resource some environment declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedResource {
    pub environment: String,
    /// The offering's namespace and name, when it resolves.
    pub offering: Option<(Origin, String)>,
}

/// Every shared resource of every environment of the project (its own, or its
/// platform's), by name.
#[salsa::tracked(returns(ref))]
pub fn shared_resources(db: &dyn Db, project: Project) -> BTreeMap<String, Vec<SharedResource>> {
    let index = project_index(db, project);
    let mut shared: BTreeMap<String, Vec<SharedResource>> = BTreeMap::new();
    for decl in index.environments(Origin::Project) {
        let Some(syntax) = decl.declaration(db) else {
            continue;
        };
        let scope = file_scope(db, project, decl.file);
        let resolver = Resolver::new(db, decl.file, index, scope);
        for member in &syntax.body.members {
            if let Member::Instance(instance) = member {
                shared
                    .entry(instance.name.name.clone())
                    .or_default()
                    .push(SharedResource {
                        environment: decl.name.clone(),
                        offering: offering_key(resolver, &instance.offering),
                    });
            }
        }
    }
    shared
}

fn offering_key(resolver: Resolver<'_>, path: &ast::Path) -> Option<(Origin, String)> {
    let [only] = path.segments.as_slice() else {
        return None;
    };
    let found = resolver.lookup(&only.name)?;
    (found.decl.kind == NameKind::Offering).then(|| (found.decl.origin, found.decl.name.clone()))
}
