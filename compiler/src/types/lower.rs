//! Lowering written types ([`TypeExpr`]) to [`Ty`], and the project's table of user
//! types.
//!
//! Invariants: every user `type` is lowered once per project revision by [`type_table`],
//! which detects recursion (E0312) and bounds nesting; the table holds no positions, so
//! it stays equal while edits only move text. Diagnostics about a written type (unknown
//! names, wrong arity, invalid patterns, misplaced constraints) are produced where the
//! type is written, by the per-file checker, with the same [`Lowerer`].

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::diagnostic::{Code, Diagnostic, Label};
use crate::names::{
    DeclRef, Definition, NameKind, Reference, Resolver, TargetKind, file_scope, project_index,
};
use crate::source::{Db, Origin, Project, SourceFile};
use crate::span::TextRange;
use crate::syntax::ast::{self, Constraint as AstConstraint, Path, TypeExpr};
use crate::types::ty::{Constraint, FieldTy, Ty};

/// Primitive type names.
pub(crate) const PRIMITIVES: &[&str] = &[
    "string", "int", "float", "bool", "duration", "cpu", "memory", "port", "secret",
];
/// Type constructors with one argument.
pub(crate) const CONSTRUCTORS: &[&str] = &["list", "map"];

/// How deeply types may nest, counting through user types.
const MAX_DEPTH: usize = 256;

fn primitive(name: &str) -> Option<Ty> {
    Some(match name {
        "string" => Ty::String,
        "int" => Ty::Int,
        "float" => Ty::Float,
        "bool" => Ty::Bool,
        "duration" => Ty::Duration,
        "cpu" => Ty::Cpu,
        "memory" => Ty::Memory,
        "port" => Ty::Port,
        "secret" => Ty::Secret,
        _ => return None,
    })
}

/// Where user types come from while lowering.
pub trait TypeSource {
    /// The lowered type of a user `type` declaration.
    fn user_type(&mut self, decl: &DeclRef, depth: usize) -> Ty;
}

/// The user types of a project, lowered.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TypeTable {
    pub types: BTreeMap<(Origin, String), Ty>,
    /// Types that refer to themselves, directly or through others.
    pub recursive: BTreeSet<(Origin, String)>,
    /// Types nested more deeply than the compiler follows.
    pub too_deep: BTreeSet<(Origin, String)>,
}

impl TypeTable {
    pub fn get(&self, decl: &DeclRef) -> Option<&Ty> {
        self.types.get(&owned_key(decl))
    }

    pub fn is_recursive(&self, decl: &DeclRef) -> bool {
        self.recursive.contains(&owned_key(decl))
    }
}

fn owned_key(decl: &DeclRef) -> (Origin, String) {
    (decl.origin, decl.name.clone())
}

impl TypeSource for &TypeTable {
    fn user_type(&mut self, decl: &DeclRef, _depth: usize) -> Ty {
        self.get(decl).cloned().unwrap_or(Ty::Error)
    }
}

/// Lowers every user type of the project and the standard library.
#[salsa::tracked(returns(ref))]
pub fn type_table(db: &dyn Db, project: Project) -> TypeTable {
    let index = project_index(db, project);
    let mut builder = TableBuilder {
        db,
        project,
        visiting: Vec::new(),
        table: TypeTable::default(),
    };
    for namespace in [&index.project, &index.std] {
        for decls in namespace.values() {
            if let Some(decl) = decls.first()
                && decl.kind == NameKind::Type
            {
                builder.user_type(decl, 0);
            }
        }
    }
    builder.table
}

struct TableBuilder<'a> {
    db: &'a dyn Db,
    project: Project,
    visiting: Vec<(Origin, String)>,
    table: TypeTable,
}

impl TypeSource for TableBuilder<'_> {
    fn user_type(&mut self, decl: &DeclRef, depth: usize) -> Ty {
        let key = owned_key(decl);
        if let Some(ty) = self.table.types.get(&key) {
            return ty.clone();
        }
        if let Some(at) = self.visiting.iter().position(|visiting| *visiting == key) {
            let cycle = self.visiting.get(at..).unwrap_or_default().to_vec();
            self.table.recursive.extend(cycle);
            return Ty::Error;
        }
        if depth > MAX_DEPTH {
            self.table.too_deep.insert(key);
            return Ty::Error;
        }
        let Some(syntax) = decl.type_declaration(self.db) else {
            return Ty::Error;
        };
        self.visiting.push(key.clone());
        let db = self.db;
        let index = project_index(db, self.project);
        let scope = file_scope(db, self.project, decl.file);
        let resolver = Resolver::new(db, decl.file, index, scope);
        let mut lowerer = Lowerer::new(db, resolver, self, false);
        let inner = lowerer.lower(&syntax.ty, depth + 1);
        self.visiting.pop();
        let ty = if self.table.recursive.contains(&key) || self.table.too_deep.contains(&key) {
            Ty::Error
        } else {
            Ty::Alias(decl.name.clone(), Arc::new(inner))
        };
        self.table.types.insert(key, ty.clone());
        ty
    }
}

/// Lowers the types written in one file.
pub struct Lowerer<'a, 's> {
    pub db: &'a dyn Db,
    pub resolver: Resolver<'a>,
    source: &'s mut dyn TypeSource,
    /// Whether to produce diagnostics and references (the per-file checker) or only
    /// the types (the type table).
    report: bool,
    pub diagnostics: Vec<Diagnostic>,
    pub references: Vec<Reference>,
    /// Local names of imports used by the types lowered.
    pub used_imports: BTreeSet<String>,
}

impl<'a, 's> Lowerer<'a, 's> {
    pub fn new(
        db: &'a dyn Db,
        resolver: Resolver<'a>,
        source: &'s mut dyn TypeSource,
        report: bool,
    ) -> Self {
        Lowerer {
            db,
            resolver,
            source,
            report,
            diagnostics: Vec::new(),
            references: Vec::new(),
            used_imports: BTreeSet::new(),
        }
    }

    fn file(&self) -> SourceFile {
        self.resolver.file
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        if self.report {
            self.diagnostics.push(diagnostic);
        }
    }

    /// The type a type expression stands for; `Ty::Error` where it is wrong.
    pub fn lower(&mut self, texpr: &TypeExpr, depth: usize) -> Ty {
        if depth > MAX_DEPTH {
            return Ty::Error;
        }
        let depth = depth + 1;
        match texpr {
            TypeExpr::Named { path, args, range } => self.named(path, args, *range, depth),
            TypeExpr::Constrained {
                base, constraint, ..
            } => {
                let base_ty = self.lower(base, depth);
                self.constrained(base_ty, base.range(), constraint)
            }
            TypeExpr::Optional { inner, .. } => Ty::optional(self.lower(inner, depth)),
            TypeExpr::Enum { variants, .. } => {
                // The first of each variant, in order; a set keeps this linear.
                let mut seen = std::collections::BTreeSet::new();
                let names: Vec<String> = variants
                    .iter()
                    .filter(|variant| seen.insert(variant.value.as_str()))
                    .map(|variant| variant.value.clone())
                    .collect();
                Ty::Enum(names)
            }
            TypeExpr::Record { fields, .. } => self.record(fields, depth),
            TypeExpr::Error(_) => Ty::Error,
        }
    }

    fn named(&mut self, path: &Path, args: &[TypeExpr], range: TextRange, depth: usize) -> Ty {
        let [ident] = path.segments.as_slice() else {
            let text = path.text();
            self.report(
                Diagnostic::new(
                    Code::UnknownName,
                    format!("unknown type `{text}`"),
                    self.file(),
                    path.range,
                )
                .with_label("a type is a single name")
                .with_help("import the type first, then use its name: `import std.NAME`"),
            );
            return Ty::Error;
        };
        let name = ident.name.as_str();
        if let Some(ty) = primitive(name) {
            self.expect_arguments(name, args, 0, range);
            return ty;
        }
        if CONSTRUCTORS.contains(&name) {
            if !self.expect_arguments(name, args, 1, range) {
                return Ty::Error;
            }
            let inner = args.first().map_or(Ty::Error, |arg| self.lower(arg, depth));
            return if name == "list" {
                Ty::list(inner)
            } else {
                Ty::map(inner)
            };
        }
        match self.resolver.lookup(name) {
            Some(found) if found.decl.kind == NameKind::Type => {
                let decl = found.decl.clone();
                if let Some(import) = found.import {
                    self.used_imports.insert(import.to_string());
                }
                self.expect_arguments(name, args, 0, range);
                self.references.push(Reference {
                    range: ident.range,
                    target: Definition {
                        file: decl.file,
                        range: decl.name_range(self.db),
                    },
                    kind: TargetKind::Declaration(NameKind::Type),
                });
                self.source.user_type(&decl, depth)
            }
            Some(found) => {
                if let Some(import) = found.import {
                    self.used_imports.insert(import.to_string());
                }
                let decl = found.decl.clone();
                let diagnostic =
                    self.resolver
                        .wrong_kind(ident, &decl, "a type", &[NameKind::Type]);
                self.report(diagnostic);
                Ty::Error
            }
            None => {
                let mut candidates: Vec<&str> =
                    PRIMITIVES.iter().chain(CONSTRUCTORS).copied().collect();
                candidates.extend(self.resolver.names_of(&[NameKind::Type]));
                let help = crate::names::suggest::did_you_mean(name, candidates.iter().copied())
                    .or_else(|| {
                        self.resolver
                            .unknown_help(name, &[NameKind::Type], "a type")
                    })
                    .unwrap_or_else(|| {
                        format!(
                            "the built-in types are {}",
                            crate::names::suggest::all_of(PRIMITIVES)
                        )
                    });
                self.report(
                    Diagnostic::new(
                        Code::UnknownName,
                        format!("unknown type `{name}`"),
                        self.file(),
                        ident.range,
                    )
                    .with_label("no type of this name")
                    .with_help(help),
                );
                Ty::Error
            }
        }
    }

    /// Reports a wrong number of type arguments; true when the count is right.
    fn expect_arguments(
        &mut self,
        name: &str,
        args: &[TypeExpr],
        expected: usize,
        range: TextRange,
    ) -> bool {
        if args.len() == expected {
            return true;
        }
        let message = match expected {
            0 => format!("`{name}` takes no type arguments"),
            _ => format!("`{name}` takes one type argument, found {}", args.len()),
        };
        let help = match expected {
            0 => format!("write `{name}` alone"),
            _ => format!("write `{name}<string>`"),
        };
        self.report(
            Diagnostic::new(Code::TypeMismatch, message, self.file(), range)
                .with_label("wrong number of type arguments")
                .with_help(help),
        );
        false
    }

    fn constrained(&mut self, base: Ty, base_range: TextRange, constraint: &AstConstraint) -> Ty {
        match constraint {
            AstConstraint::Range { min, max, range } => {
                if !matches!(base.shape(), Ty::Int | Ty::Float | Ty::Port | Ty::Error) {
                    let message = format!("a range constraint needs a number type, found `{base}`");
                    self.report(
                        Diagnostic::new(Code::TypeMismatch, message, self.file(), *range)
                            .with_label("`in` applies to `int`, `float` and `port`")
                            .with_secondary(
                                Label::new(self.file(), base_range)
                                    .with_message(format!("this is `{base}`")),
                            )
                            .with_help("use `matching \"regex\"` to constrain strings"),
                    );
                    return base;
                }
                if let (Some(min), Some(max)) = (min, max)
                    && min > max
                {
                    self.report(
                        Diagnostic::new(
                            Code::OutOfRange,
                            format!("empty range `{min}..{max}`"),
                            self.file(),
                            *range,
                        )
                        .with_label(
                            "no value is at least the lower bound and at most the upper one",
                        )
                        .with_help(format!("write `{max}..{min}`")),
                    );
                }
                Ty::Constrained(
                    Box::new(base),
                    Constraint::Range {
                        min: *min,
                        max: *max,
                    },
                )
            }
            AstConstraint::Pattern(pattern) => {
                if !matches!(base.shape(), Ty::String | Ty::Secret | Ty::Error) {
                    let message = format!("a pattern needs a string type, found `{base}`");
                    self.report(
                        Diagnostic::new(Code::TypeMismatch, message, self.file(), pattern.range)
                            .with_label("`matching` applies to `string`")
                            .with_secondary(
                                Label::new(self.file(), base_range)
                                    .with_message(format!("this is `{base}`")),
                            )
                            .with_help("use `in MIN..MAX` to constrain numbers"),
                    );
                    return base;
                }
                if let Err(error) = crate::types::pattern::compile(&pattern.value) {
                    self.report(
                        Diagnostic::new(
                            Code::InvalidPattern,
                            format!("invalid pattern `{}`", pattern.value),
                            self.file(),
                            pattern.range,
                        )
                        .with_label(error)
                        .with_help("patterns use the syntax of Rust's `regex` crate; escape `\\` as `\\\\` inside strings"),
                    );
                    return base;
                }
                Ty::Constrained(Box::new(base), Constraint::Pattern(pattern.value.clone()))
            }
        }
    }

    fn record(&mut self, fields: &[ast::FieldDecl], depth: usize) -> Ty {
        let mut lowered: Vec<FieldTy> = Vec::new();
        for field in fields {
            if let Some(first) = fields
                .iter()
                .take_while(|other| !std::ptr::eq(*other, field))
                .find(|other| other.name.name == field.name.name)
            {
                self.report(
                    Diagnostic::new(
                        Code::DuplicateField,
                        format!("field `{}` is declared twice", field.name.name),
                        self.file(),
                        field.name.range,
                    )
                    .with_label("declared again here")
                    .with_secondary(
                        Label::new(self.file(), first.name.range)
                            .with_message("first declared here"),
                    )
                    .with_help("remove one of them"),
                );
                continue;
            }
            let ty = self.lower(&field.ty, depth);
            let ty = if field.optional { Ty::optional(ty) } else { ty };
            let default = field
                .default
                .as_ref()
                .map(|expr| source_text(self.db, self.file(), expr.range()));
            lowered.push(FieldTy {
                name: field.name.name.clone(),
                required: !ty.is_optional() && default.is_none(),
                ty,
                default,
                doc: field.doc.as_ref().map(|doc| doc.text.clone()),
            });
        }
        Ty::Record(lowered)
    }
}

/// The text of a range of a file, for showing defaults as written.
pub(crate) fn source_text(db: &dyn Db, file: SourceFile, range: TextRange) -> String {
    file.text(db)
        .get(range.as_range())
        .unwrap_or_default()
        .to_string()
}
