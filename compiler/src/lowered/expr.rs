//! Lowered expressions: one arena per declaration, each expression named by its
//! [`ExprId`].
//!
//! Invariants: an arena is built once, by [`crate::lowered::lower`], and never changes;
//! an id is valid only in the arena that gave it ([`Exprs::get`] of another arena's id
//! is [`Expr::Error`], never a panic); children are pushed before their parents, so a
//! walk over an expression terminates. Names are interned ([`Name`]); every expression
//! keeps the range it was written at, for the labels of diagnostics.

use crate::lowered::Name;
use crate::span::TextRange;

pub use crate::syntax::ast::{BinaryOp, Quantifier};

/// An expression of one arena.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, salsa::SalsaValue)]
pub struct ExprId(u32);

/// A dotted name, `db.host`: the names, and where the first is written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub struct Path<'db> {
    pub segments: Vec<Name<'db>>,
    pub root_range: TextRange,
}

/// A part of a string: text, or `${a.b}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub enum Part<'db> {
    Text(String),
    Interpolation(Path<'db>),
}

/// An arm of a `match`: `None` is the wildcard `_`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub struct Arm {
    pub pattern: Option<ExprId>,
    pub value: ExprId,
}

/// What an expression is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub enum Expr<'db> {
    /// A string, interpolated or not.
    Str(Vec<Part<'db>>),
    Int(i64),
    /// As written.
    Float(String),
    /// A quantity as written: `250m`, `512Mi`, `30s`.
    Quantity(String),
    Bool(bool),
    /// A name, or a chain of fields from a name: `db`, `db.host`.
    Path(Path<'db>),
    /// A field of anything else: `(if c then a else b).host`.
    Field {
        base: ExprId,
        name: Name<'db>,
    },
    List(Vec<ExprId>),
    /// Entries in the order written (a repeated key is kept: evaluation takes the first).
    Record(Vec<(Name<'db>, ExprId)>),
    If {
        condition: ExprId,
        then_branch: ExprId,
        else_branch: ExprId,
    },
    Match {
        scrutinee: ExprId,
        arms: Vec<Arm>,
    },
    Binary {
        op: BinaryOp,
        lhs: ExprId,
        rhs: ExprId,
    },
    Not(ExprId),
    /// `e?`: whether an optional value is set.
    IsSet(ExprId),
    /// `e matching "regex"`.
    Matches {
        operand: ExprId,
        pattern: String,
    },
    /// `every c in list: condition`: `binding` names each item of `list` in turn;
    /// with `: offering`, only the instances of that offering (its name, as the model
    /// names offerings).
    Quantified {
        quantifier: Quantifier,
        binding: Name<'db>,
        offering: Option<String>,
        list: ExprId,
        condition: ExprId,
    },
    /// A region that did not parse (the checker has reported it).
    Error,
}

/// The expressions of one declaration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub struct Exprs<'db> {
    nodes: Vec<Expr<'db>>,
    ranges: Vec<TextRange>,
}

const ERROR: &Expr<'static> = &Expr::Error;

impl<'db> Exprs<'db> {
    /// Adds an expression; its children must have been added already.
    pub(crate) fn push(&mut self, expr: Expr<'db>, range: TextRange) -> ExprId {
        let id = ExprId(u32::try_from(self.nodes.len()).unwrap_or(u32::MAX));
        self.nodes.push(expr);
        self.ranges.push(range);
        id
    }

    pub fn get(&self, id: ExprId) -> &Expr<'db> {
        self.nodes.get(id.0 as usize).unwrap_or(ERROR)
    }

    /// Where the expression is written.
    pub fn range(&self, id: ExprId) -> TextRange {
        self.ranges.get(id.0 as usize).copied().unwrap_or_default()
    }

    /// Every dotted name of the arena: the paths of expressions and of interpolations,
    /// in arena order.
    pub fn paths(&self) -> Vec<&Path<'db>> {
        let mut paths = Vec::new();
        for expr in &self.nodes {
            match expr {
                Expr::Path(path) => paths.push(path),
                Expr::Str(parts) => paths.extend(parts.iter().filter_map(|part| match part {
                    Part::Interpolation(path) => Some(path),
                    Part::Text(_) => None,
                })),
                _ => {}
            }
        }
        paths
    }

    /// The names an expression reads at its root (`db` in `db.host`, in `"${db.host}"`),
    /// with where each is written. Bounded: children have smaller ids than parents.
    pub fn roots(&self, id: ExprId, out: &mut Vec<(Name<'db>, TextRange)>) {
        match self.get(id) {
            Expr::Path(path) => {
                if let Some(first) = path.segments.first() {
                    out.push((*first, path.root_range));
                }
            }
            Expr::Str(parts) => {
                for part in parts {
                    if let Part::Interpolation(path) = part
                        && let Some(first) = path.segments.first()
                    {
                        out.push((*first, path.root_range));
                    }
                }
            }
            Expr::Field { base, .. } => self.roots_below(id, *base, out),
            Expr::List(items) => items
                .iter()
                .for_each(|item| self.roots_below(id, *item, out)),
            Expr::Record(entries) => entries
                .iter()
                .for_each(|(_, value)| self.roots_below(id, *value, out)),
            Expr::If {
                condition,
                then_branch,
                else_branch,
            } => {
                for child in [condition, then_branch, else_branch] {
                    self.roots_below(id, *child, out);
                }
            }
            Expr::Match { scrutinee, arms } => {
                self.roots_below(id, *scrutinee, out);
                arms.iter()
                    .for_each(|arm| self.roots_below(id, arm.value, out));
            }
            Expr::Binary { lhs, rhs, .. } => {
                self.roots_below(id, *lhs, out);
                self.roots_below(id, *rhs, out);
            }
            Expr::Not(operand) | Expr::IsSet(operand) | Expr::Matches { operand, .. } => {
                self.roots_below(id, *operand, out)
            }
            Expr::Quantified {
                binding,
                list,
                condition,
                ..
            } => {
                self.roots_below(id, *list, out);
                let mut inside = Vec::new();
                self.roots_below(id, *condition, &mut inside);
                out.extend(inside.into_iter().filter(|(name, _)| name != binding));
            }
            Expr::Int(_) | Expr::Float(_) | Expr::Quantity(_) | Expr::Bool(_) | Expr::Error => {}
        }
    }

    /// [`Exprs::roots`] of a child, which must come before its parent in the arena.
    fn roots_below(&self, parent: ExprId, child: ExprId, out: &mut Vec<(Name<'db>, TextRange)>) {
        if child < parent {
            self.roots(child, out);
        }
    }

    /// Every name that some expression of the arena reads at its root, each once, in
    /// the order first read.
    pub fn all_roots(&self) -> Vec<Name<'db>> {
        use salsa::plumbing::AsId;
        let mut seen = std::collections::BTreeSet::new();
        self.root_paths()
            .filter(|(first, _)| seen.insert(first.as_id()))
            .map(|(first, _)| first)
            .collect()
    }

    /// Every place where some expression of the arena reads a name at its root: the
    /// name and where it is written, in arena order.
    pub fn root_paths(&self) -> impl Iterator<Item = (Name<'db>, TextRange)> + '_ {
        self.nodes.iter().flat_map(|expr| {
            let paths: Vec<&Path<'db>> = match expr {
                Expr::Path(path) => vec![path],
                Expr::Str(parts) => parts
                    .iter()
                    .filter_map(|part| match part {
                        Part::Interpolation(path) => Some(path),
                        Part::Text(_) => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            paths
                .into_iter()
                .filter_map(|path| Some((*path.segments.first()?, path.root_range)))
        })
    }
}
