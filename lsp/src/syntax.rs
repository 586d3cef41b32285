//! Reading the compiler's syntax tree around a position: enclosing blocks, the node a
//! name belongs to, the schema of a block.
//!
//! Invariant: this module only walks trees the compiler parsed (`parse_file`); it never
//! parses text itself, and every walk is bounded by the tree's depth.

use plat_compiler::names::{DeclRef, project_index};
use plat_compiler::source::{Db, Project, SourceFile};
use plat_compiler::span::TextRange;
use plat_compiler::syntax::ast::{
    Block, Body, DeclKind, Declaration, Instance, Item, Member, Module,
};
use plat_compiler::types::schema::{self, BlockSchema, ContainerKind, Provisioner};
use plat_compiler::types::signature::{OfferingSig, offering_signature};
use plat_compiler::types::{FieldTy, Ty};

/// A node that encloses a position.
#[derive(Clone, Copy)]
pub enum Frame<'a> {
    Decl(&'a Declaration),
    Block(&'a Block),
    Instance(&'a Instance),
    /// A `use` or another body without a schema of its own.
    Other,
}

/// The nodes whose body encloses `offset`, outermost first.
pub fn enclosing(module: &Module, offset: u32) -> Vec<Frame<'_>> {
    let mut frames = Vec::new();
    for item in &module.items {
        if let Item::Decl(decl) = item
            && inside(decl.body.range, offset)
        {
            frames.push(Frame::Decl(decl));
            walk_body(&decl.body, offset, &mut frames);
        }
    }
    frames
}

fn inside(range: TextRange, offset: u32) -> bool {
    range.start < offset && offset < range.end
}

fn walk_body<'a>(body: &'a Body, offset: u32, frames: &mut Vec<Frame<'a>>) {
    for member in &body.members {
        match member {
            Member::Block(block) if inside(block.body.range, offset) => {
                frames.push(Frame::Block(block));
                walk_body(&block.body, offset, frames);
            }
            Member::Instance(instance) if inside(instance.body.range, offset) => {
                frames.push(Frame::Instance(instance));
                walk_body(&instance.body, offset, frames);
            }
            Member::Use(used) => {
                if let Some(body) = &used.body
                    && inside(body.range, offset)
                {
                    frames.push(Frame::Other);
                    walk_body(body, offset, frames);
                }
            }
            _ => {}
        }
    }
}

/// The schema of the innermost frame, when it is a built-in block.
pub fn schema_of(frames: &[Frame<'_>]) -> Option<&'static BlockSchema> {
    match frames.last()? {
        Frame::Decl(decl) => Some(match decl.kind {
            DeclKind::Offering => schema::offering(),
            DeclKind::Environment => schema::environment(),
            DeclKind::Workload => schema::workload(),
            DeclKind::Policy => schema::policy(),
        }),
        Frame::Block(block) => match block.kind.name.as_str() {
            kind if ContainerKind::from_keyword(kind).is_some() => {
                let in_override = frames
                    .iter()
                    .any(|f| matches!(f, Frame::Block(b) if b.kind.name == "override"));
                ContainerKind::from_keyword(kind).map(|kind| kind.schema(in_override))
            }
            "override" => Some(schema::override_block()),
            "backend" => Some(schema::backend(
                block.label.as_ref().map_or("", |label| label.name.as_str()),
            )),
            "implementation" => block
                .provisioner
                .as_ref()
                .and_then(|p| Provisioner::parse(&p.segments.last()?.name))
                .map(schema::implementation_of),
            _ => None,
        },
        Frame::Instance(_) | Frame::Other => None,
    }
}

/// The field at `path` where `frames` are: an attribute of the innermost block (or a
/// param of the innermost resource), then a field of its record value, and so on:
/// `["liveness", "scheme"]`.
pub fn field_at(
    db: &dyn Db,
    project: Project,
    frames: &[Frame<'_>],
    path: &[String],
) -> Option<FieldTy> {
    let (first, rest) = path.split_first()?;
    let mut field = match frames.last()? {
        Frame::Instance(instance) => {
            let param = instance_offering(db, project, instance)?.param(first)?;
            let mut field = FieldTy::new(&param.name, param.ty.clone());
            field.doc = param.doc.clone();
            field.default = param.default.clone();
            field
        }
        _ => {
            let schema = schema_of(frames)?.field(first)?;
            let mut field = FieldTy::new(schema.name, schema.ty.clone());
            field.doc = Some(schema.doc.to_string());
            field.default = schema.default.map(str::to_string);
            field
        }
    };
    for segment in rest {
        field = record_fields(&field.ty)?
            .iter()
            .find(|inner| inner.name == *segment)?
            .clone();
    }
    Some(field)
}

/// The fields of a record type, through optionals, constraints and named types.
pub fn record_fields(ty: &Ty) -> Option<&[FieldTy]> {
    match ty.shape() {
        Ty::Record(fields) => Some(fields),
        _ => None,
    }
}

/// The offering called `name`: the project's first, else the standard library's.
pub fn offering_named(db: &dyn Db, project: Project, name: &str) -> Option<DeclRef> {
    let index = project_index(db, project);
    index
        .project_decl(name)
        .or_else(|| index.std_decl(name))
        .filter(|decl| decl.kind == plat_compiler::names::NameKind::Offering)
        .cloned()
}

/// The declaration whose name is at `range` of `file`.
pub fn decl_at(
    db: &dyn Db,
    project: Project,
    file: SourceFile,
    range: TextRange,
) -> Option<DeclRef> {
    let index = project_index(db, project);
    index
        .project
        .values()
        .chain(index.std.values())
        .flatten()
        .find(|decl| decl.file == file && decl.name_range(db) == range)
        .cloned()
}

/// The signature of the offering an instance is of.
pub fn instance_offering<'db>(
    db: &'db dyn Db,
    project: Project,
    instance: &Instance,
) -> Option<&'db OfferingSig> {
    let name = &instance.offering.segments.last()?.name;
    let decl = offering_named(db, project, name)?;
    offering_signature(db, project, &decl)
}

/// Every resource instance of a module named `name` (the innermost declarations first
/// is not needed: instance names are per declaration, the first one wins).
pub fn instance_named<'a>(
    module: &'a Module,
    frames: &[Frame<'a>],
    name: &str,
) -> Option<&'a Instance> {
    let decl = frames.iter().find_map(|f| match f {
        Frame::Decl(decl) => Some(*decl),
        _ => None,
    });
    let in_body = |body: &'a Body| {
        body.members.iter().find_map(|m| match m {
            Member::Instance(i) if i.name.name == name => Some(i),
            _ => None,
        })
    };
    if let Some(decl) = decl
        && let Some(found) = in_body(&decl.body)
    {
        return Some(found);
    }
    module.items.iter().find_map(|item| match item {
        Item::Decl(decl) => in_body(&decl.body),
        _ => None,
    })
}

/// What a name in a file names: a description for hover.
pub struct Named {
    /// `offering postgres`, `param size: string = "small"`.
    pub title: String,
    pub doc: Option<String>,
}

/// The node of `module` whose name is at `range` (declarations, members, fields).
pub fn named_at(module: &Module, text: &str, range: TextRange) -> Option<Named> {
    let slice = |r: TextRange| text.get(r.as_range()).unwrap_or_default().to_string();
    let doc = |d: &Option<plat_compiler::syntax::ast::Doc>| d.as_ref().map(|d| d.text.clone());
    for item in &module.items {
        match item {
            Item::Type(decl) if decl.name.range == range => {
                return Some(Named {
                    title: format!("type {} = {}", decl.name.name, slice(decl.ty.range())),
                    doc: doc(&decl.doc),
                });
            }
            Item::Decl(decl) => {
                if decl.name.range == range {
                    return Some(Named {
                        title: format!("{} {}", decl.kind.keyword(), decl.name.name),
                        doc: doc(&decl.doc),
                    });
                }
                if let Some(found) = named_in_body(&decl.body, &slice, range) {
                    return Some(found);
                }
            }
            Item::Import(import) if import.alias.as_ref().is_some_and(|a| a.range == range) => {
                return Some(Named {
                    title: format!("import {}", import.path.text()),
                    doc: doc(&import.doc),
                });
            }
            _ => {}
        }
    }
    None
}

fn named_in_body(
    body: &Body,
    slice: &dyn Fn(TextRange) -> String,
    range: TextRange,
) -> Option<Named> {
    let doc = |d: &Option<plat_compiler::syntax::ast::Doc>| d.as_ref().map(|d| d.text.clone());
    for member in &body.members {
        match member {
            Member::Param(field) | Member::Output(field) if field.name.range == range => {
                let keyword = if matches!(member, Member::Param(_)) {
                    "param"
                } else {
                    "output"
                };
                let default = field
                    .default
                    .as_ref()
                    .map(|d| format!(" = {}", slice(d.range())))
                    .unwrap_or_default();
                return Some(Named {
                    title: format!(
                        "{keyword} {}: {}{default}",
                        field.name.name,
                        slice(field.ty.range())
                    ),
                    doc: doc(&field.doc),
                });
            }
            Member::Instance(instance) => {
                if instance.name.range == range {
                    return Some(Named {
                        title: format!("{}: {}", instance.name.name, instance.offering.text()),
                        doc: doc(&instance.doc),
                    });
                }
                if let Some(found) = named_in_body(&instance.body, slice, range) {
                    return Some(found);
                }
            }
            Member::Block(block) => {
                if block.label.as_ref().is_some_and(|l| l.range == range) {
                    return Some(Named {
                        title: format!(
                            "{} {}",
                            block.kind.name,
                            slice(block.label.as_ref()?.range)
                        ),
                        doc: doc(&block.doc),
                    });
                }
                if let Some(found) = named_in_body(&block.body, slice, range) {
                    return Some(found);
                }
            }
            _ => {}
        }
    }
    None
}
