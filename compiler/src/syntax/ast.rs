//! The syntax tree of one `.plat` file.
//!
//! Invariants:
//! - every node carries the [`TextRange`] of the source text it was parsed from,
//!   in bytes, relative to the start of its file;
//! - the tree is total: a region that failed to parse becomes an `Error` node (an
//!   [`Item::Error`], [`Member::Error`], [`Expr::Error`] or [`TypeExpr::Error`]) so that
//!   everything around it survives and later layers can keep working;
//! - the tree is plain data (no database lifetimes) so that it can be a query result.
//!
//! The grammar is deliberately uniform: a declaration has a body of members, and a
//! member is one of a handful of shapes. Which member is allowed where is a question
//! for the semantic layer (the block schemas), not for the parser; this keeps error
//! recovery simple and the diagnostics precise.

use crate::span::TextRange;

/// A name as written in the source.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ident {
    pub name: String,
    pub range: TextRange,
}

/// A dotted name: `postgres`, `std.postgres`, `postgres.rds`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Path {
    pub segments: Vec<Ident>,
    pub range: TextRange,
}

impl Path {
    /// The path as written, segments joined with `.`.
    pub fn text(&self) -> String {
        let names: Vec<&str> = self.segments.iter().map(|s| s.name.as_str()).collect();
        names.join(".")
    }
}

/// The doc comment (`///` lines) that stands right before a declaration or member.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Doc {
    /// The text of the comment lines, without the `///` and one following space,
    /// joined with newlines.
    pub text: String,
    pub range: TextRange,
}

/// One parsed file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Module {
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Item {
    Import(Import),
    Type(TypeDecl),
    Decl(Declaration),
    /// A region of the file that could not be parsed as an item.
    Error(TextRange),
}

impl Item {
    pub fn range(&self) -> TextRange {
        match self {
            Item::Import(i) => i.range,
            Item::Type(t) => t.range,
            Item::Decl(d) => d.range,
            Item::Error(r) => *r,
        }
    }
}

/// `import std.postgres`, `import std.{postgres, redis}`, `import std.postgres as pg`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Import {
    pub doc: Option<Doc>,
    /// The module path, or with `names`, the path of the module the names come from.
    pub path: Path,
    /// The names inside braces, when the import has them.
    pub names: Option<Vec<Ident>>,
    pub alias: Option<Ident>,
    pub range: TextRange,
}

/// `type size = "small" | "medium" | "large"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TypeDecl {
    pub doc: Option<Doc>,
    pub name: Ident,
    pub ty: TypeExpr,
    pub range: TextRange,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeclKind {
    Offering,
    Environment,
    Workload,
    Policy,
}

impl DeclKind {
    pub fn keyword(self) -> &'static str {
        match self {
            DeclKind::Offering => "offering",
            DeclKind::Environment => "environment",
            DeclKind::Workload => "workload",
            DeclKind::Policy => "policy",
        }
    }
}

/// `offering postgres { ... }`, `environment production { ... }`, `workload api { ... }`,
/// `policy min_replicas { ... }`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Declaration {
    pub doc: Option<Doc>,
    pub kind: DeclKind,
    pub name: Ident,
    pub body: Body,
    pub range: TextRange,
}

/// `{ member* }`; the range includes the braces.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Body {
    pub members: Vec<Member>,
    pub range: TextRange,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Member {
    /// `name = value`
    Attribute(Attribute),
    /// `name: offering { params }`: a resource instance.
    Instance(Instance),
    /// `param name: Type = default`
    Param(FieldDecl),
    /// `output name: Type`
    Output(FieldDecl),
    /// `kind label? (: provisioner)? { ... }`: `container main { }`,
    /// `implementation rds: terraform { }`, `override production { }`.
    Block(Block),
    /// `use offering.implementation { params }`
    Use(Use),
    /// `require condition else "message"`
    Require(Require),
    /// A region of a body that could not be parsed as a member.
    Error(TextRange),
}

impl Member {
    pub fn range(&self) -> TextRange {
        match self {
            Member::Attribute(m) => m.range,
            Member::Instance(m) => m.range,
            Member::Param(m) | Member::Output(m) => m.range,
            Member::Block(m) => m.range,
            Member::Use(m) => m.range,
            Member::Require(m) => m.range,
            Member::Error(r) => *r,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Attribute {
    pub doc: Option<Doc>,
    pub name: Ident,
    pub value: Expr,
    pub range: TextRange,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Instance {
    pub doc: Option<Doc>,
    pub name: Ident,
    pub offering: Path,
    pub body: Body,
    pub range: TextRange,
}

/// A typed field: `param`/`output` members and the fields of record types.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldDecl {
    pub doc: Option<Doc>,
    pub name: Ident,
    /// `name?: T` in a record type: the field may be left out.
    pub optional: bool,
    pub ty: TypeExpr,
    pub default: Option<Expr>,
    pub range: TextRange,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Block {
    pub doc: Option<Doc>,
    pub kind: Ident,
    pub label: Option<Ident>,
    pub provisioner: Option<Path>,
    pub body: Body,
    pub range: TextRange,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Use {
    pub doc: Option<Doc>,
    pub target: Path,
    pub body: Option<Body>,
    pub range: TextRange,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Require {
    pub doc: Option<Doc>,
    pub condition: Expr,
    pub message: Option<StringLit>,
    pub range: TextRange,
}

/// A string literal without interpolation (enum variants, patterns, messages).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StringLit {
    /// The value, with escapes resolved.
    pub value: String,
    pub range: TextRange,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TypeExpr {
    /// `string`, `port`, `size`, `list<string>`, `map<int>`.
    Named {
        path: Path,
        args: Vec<TypeExpr>,
        range: TextRange,
    },
    /// `int in 1..10`, `string matching "^[a-z]+$"`.
    Constrained {
        base: Box<TypeExpr>,
        constraint: Constraint,
        range: TextRange,
    },
    /// `T?`
    Optional {
        inner: Box<TypeExpr>,
        range: TextRange,
    },
    /// `"small" | "medium" | "large"`
    Enum {
        variants: Vec<StringLit>,
        range: TextRange,
    },
    /// `{ path: string, port: port = 8080 }`
    Record {
        fields: Vec<FieldDecl>,
        range: TextRange,
    },
    Error(TextRange),
}

impl TypeExpr {
    pub fn range(&self) -> TextRange {
        match self {
            TypeExpr::Named { range, .. }
            | TypeExpr::Constrained { range, .. }
            | TypeExpr::Optional { range, .. }
            | TypeExpr::Enum { range, .. }
            | TypeExpr::Record { range, .. } => *range,
            TypeExpr::Error(r) => *r,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Constraint {
    /// `in 1..10`, `in 0..`, `in ..100`; both bounds inclusive.
    Range {
        min: Option<i64>,
        max: Option<i64>,
        range: TextRange,
    },
    /// `matching "regex"`
    Pattern(StringLit),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StringPart {
    Text(String),
    /// `${a.b.c}`
    Interpolation(Path),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    NotEq,
    Less,
    LessEq,
    Greater,
    GreaterEq,
    /// `x in list`
    In,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "||",
            BinaryOp::And => "&&",
            BinaryOp::Eq => "==",
            BinaryOp::NotEq => "!=",
            BinaryOp::Less => "<",
            BinaryOp::LessEq => "<=",
            BinaryOp::Greater => ">",
            BinaryOp::GreaterEq => ">=",
            BinaryOp::In => "in",
        }
    }
}

/// How a quantified condition holds over the items of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Quantifier {
    /// `every x in list: condition`: for each item.
    Every,
    /// `some x in list: condition`: for at least one item.
    Some,
}

impl Quantifier {
    pub fn keyword(self) -> &'static str {
        match self {
            Quantifier::Every => "every",
            Quantifier::Some => "some",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RecordKey {
    Ident(Ident),
    String(StringLit),
}

impl RecordKey {
    pub fn text(&self) -> &str {
        match self {
            RecordKey::Ident(i) => &i.name,
            RecordKey::String(s) => &s.value,
        }
    }
    pub fn range(&self) -> TextRange {
        match self {
            RecordKey::Ident(i) => i.range,
            RecordKey::String(s) => s.range,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RecordEntry {
    pub key: RecordKey,
    pub value: Expr,
    pub range: TextRange,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Pattern {
    /// `_`
    Wildcard(TextRange),
    /// A string, integer or boolean literal.
    Literal(Expr),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MatchArm {
    pub pattern: Pattern,
    pub value: Expr,
    pub range: TextRange,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Expr {
    /// `"text ${a.b} more"`
    String {
        parts: Vec<StringPart>,
        range: TextRange,
    },
    Int {
        value: i64,
        range: TextRange,
    },
    /// Kept as written; floats are rare and are compared as text.
    Float {
        text: String,
        range: TextRange,
    },
    /// A number with a unit: `250m`, `512Mi`, `30s`. The expected type decides
    /// whether it is a CPU quantity, a memory quantity or a duration.
    Quantity {
        text: String,
        range: TextRange,
    },
    Bool {
        value: bool,
        range: TextRange,
    },
    /// A bare name: `db`, `params`, `production`.
    Name(Ident),
    /// `base.name`
    Field {
        base: Box<Expr>,
        name: Ident,
        range: TextRange,
    },
    /// `[a, b, c]`
    List {
        items: Vec<Expr>,
        range: TextRange,
    },
    /// `{ key = value, "other.key" = value }`
    Record {
        entries: Vec<RecordEntry>,
        range: TextRange,
    },
    /// `if cond then a else b`
    If {
        condition: Box<Expr>,
        then_branch: Box<Expr>,
        else_branch: Box<Expr>,
        range: TextRange,
    },
    /// `match e { "a" => x, _ => y }`
    Match {
        scrutinee: Box<Expr>,
        arms: Vec<MatchArm>,
        range: TextRange,
    },
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
        range: TextRange,
    },
    /// `!e`
    Not {
        operand: Box<Expr>,
        range: TextRange,
    },
    /// `e?`: whether an optional value is set.
    IsSet {
        operand: Box<Expr>,
        range: TextRange,
    },
    /// `e matching "regex"`
    Matches {
        operand: Box<Expr>,
        pattern: StringLit,
        range: TextRange,
    },
    /// `every c in list: condition`, `some db: postgres in list: condition`: the
    /// condition for the items of the list (those of the offering, when one is named),
    /// each bound to `binding` in turn.
    Quantified {
        quantifier: Quantifier,
        binding: Ident,
        offering: Option<Path>,
        list: Box<Expr>,
        condition: Box<Expr>,
        range: TextRange,
    },
    Error(TextRange),
}

impl Expr {
    pub fn range(&self) -> TextRange {
        match self {
            Expr::String { range, .. }
            | Expr::Int { range, .. }
            | Expr::Float { range, .. }
            | Expr::Quantity { range, .. }
            | Expr::Bool { range, .. }
            | Expr::Field { range, .. }
            | Expr::List { range, .. }
            | Expr::Record { range, .. }
            | Expr::If { range, .. }
            | Expr::Match { range, .. }
            | Expr::Binary { range, .. }
            | Expr::Not { range, .. }
            | Expr::IsSet { range, .. }
            | Expr::Matches { range, .. }
            | Expr::Quantified { range, .. } => *range,
            Expr::Name(ident) => ident.range,
            Expr::Error(r) => *r,
        }
    }

    /// `a.b.c` as a list of names, when the expression is such a chain.
    pub fn as_path(&self) -> Option<Vec<&Ident>> {
        match self {
            Expr::Name(ident) => Some(vec![ident]),
            Expr::Field { base, name, .. } => {
                let mut path = base.as_path()?;
                path.push(name);
                Some(path)
            }
            _ => None,
        }
    }
}
