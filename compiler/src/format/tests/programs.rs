//! A generator of random well-formed programs for the property tests: declarations,
//! members, types and expressions, written out with random whitespace, optional commas
//! and comments (line, block and doc comments) between any two tokens.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

const ATOMS: &[&str] = &[
    "0",
    "-1",
    "1_000",
    "1.5",
    "-2.25",
    "250m",
    "512Mi",
    "1.5Gi",
    "30s",
    "true",
    "false",
    "db",
    "workload",
    "checkout-api",
    "_x",
    "\"plain\"",
    "\"\"",
    "\"with ${db.host} and ${ a.b }\"",
    "\"escapes \\\" \\\\ \\n \\u{41} \\$\"",
    "\"two  \nlines\"",
    "\"a string that is long enough to push what holds it past the width of one line\"",
];
const FIELDS: &[&str] = &["host", "port", "type", "in", "url"];
const KEYS: &[&str] = &["a", "b-c", "\"type\"", "\"x.y\""];
const PATTERNS: &[&str] = &["_", "\"a\"", "1", "-1", "true"];
const OPERATORS: &[&str] = &["||", "&&", "==", "!=", "<", "<=", ">", ">=", "in"];
const NAMES: &[&str] = &["a", "image", "db", "x-y", "_private"];
const KINDS: &[&str] = &[
    "container",
    "init_container",
    "sidecar",
    "implementation",
    "override",
    "backend",
];
const LABELS: &[&str] = &["main", "rds"];
const PATHS: &[&str] = &["postgres", "postgres.rds", "std.redis"];
const TYPE_NAMES: &[&str] = &["string", "int", "port", "size", "a.b"];
const GENERICS: &[&str] = &["list", "map"];
const VARIANTS: &[&str] = &["\"a\"", "\"b\"", "\"c-d\""];
const MESSAGES: &[&str] = &["\"message\"", "\"a \\${b}\""];
const DECL_KINDS: &[&str] = &["offering", "environment", "workload", "policy"];

/// What may stand between two tokens: mostly spaces and line breaks, sometimes
/// comments of every kind.
const TRIVIA: &[&str] = &[
    " ",
    " ",
    " ",
    " ",
    " ",
    "\n",
    "\n",
    "\n",
    "\n    ",
    "\n\n",
    "\n\n\n\t",
    "  ",
    "\r\n",
    " /* block */ ",
    "/*tight*/",
    " /* two\n   lines */\n",
    " // line\n",
    "\n// own line\n\n",
    "\n/// doc\n",
    " /// trailing doc\n",
    "\n///\n",
    "\n/// doc that ends in spaces  \n",
];

#[derive(Debug, Clone)]
pub(super) enum Expr {
    Atom(&'static str),
    Field(Box<Expr>, &'static str),
    List(Vec<Expr>),
    Record(Vec<(&'static str, Expr)>),
    If(Box<[Expr; 3]>),
    Match(Box<Expr>, Vec<(&'static str, Expr)>),
    Binary(&'static str, Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    IsSet(Box<Expr>),
    Matches(Box<Expr>),
    /// `every`/`some`, the list, the condition.
    Quantified(&'static str, Box<[Expr; 2]>),
    Paren(Box<Expr>),
}

#[derive(Debug, Clone)]
pub(super) enum Type {
    Named(&'static str),
    Generic(&'static str, Vec<Type>),
    Range(Box<Type>, Option<i64>, Option<i64>),
    Pattern(Box<Type>),
    Optional(Box<Type>),
    Enum(Vec<&'static str>),
    Record(Vec<Field>),
    Paren(Box<Type>),
}

#[derive(Debug, Clone)]
pub(super) struct Field {
    name: &'static str,
    optional: bool,
    ty: Type,
    default: Option<Expr>,
}

type Attributes = Vec<(&'static str, Expr)>;

#[derive(Debug, Clone)]
pub(super) enum Member {
    Attribute(&'static str, Expr),
    Instance(&'static str, &'static str, Attributes),
    Param(&'static str, Type, Option<Expr>),
    Output(&'static str, Type),
    Block {
        kind: &'static str,
        label: Option<&'static str>,
        provisioner: Option<&'static str>,
        members: Vec<Member>,
    },
    Use(&'static str, Option<Attributes>),
    Require(Expr, Option<&'static str>),
}

#[derive(Debug, Clone)]
pub(super) enum Item {
    Import(
        &'static str,
        Option<Vec<&'static str>>,
        Option<&'static str>,
    ),
    Type(&'static str, Type),
    Decl(&'static str, &'static str, Vec<Member>),
}

/// A program and the whitespace and comments to write it with.
#[derive(Debug, Clone)]
pub(super) struct Program {
    items: Vec<Item>,
    trivia: Vec<usize>,
    commas: Vec<bool>,
}

impl Program {
    /// The program's text.
    pub(super) fn text(&self) -> String {
        let mut out = Writer {
            text: String::new(),
            program: self,
            next_trivia: 0,
            next_comma: 0,
        };
        for item in &self.items {
            out.item(item);
        }
        out.text
    }
}

pub(super) fn program() -> impl Strategy<Value = Program> {
    (
        vec(item(), 0..5),
        vec(0..TRIVIA.len(), 1..48),
        vec(any::<bool>(), 1..8),
    )
        .prop_map(|(items, trivia, commas)| Program {
            items,
            trivia,
            commas,
        })
}

fn item() -> impl Strategy<Value = Item> {
    prop_oneof![
        (
            select(PATHS),
            proptest::option::of(vec(select(NAMES), 0..3)),
            proptest::option::of(select(NAMES)),
        )
            .prop_map(|(path, names, alias)| Item::Import(path, names, alias)),
        (select(NAMES), type_expr()).prop_map(|(name, ty)| Item::Type(name, ty)),
        (select(DECL_KINDS), select(NAMES), vec(member(), 0..5))
            .prop_map(|(kind, name, members)| Item::Decl(kind, name, members)),
    ]
}

fn attributes() -> impl Strategy<Value = Attributes> {
    vec((select(NAMES), expr()), 0..3)
}

fn member() -> impl Strategy<Value = Member> {
    let leaf = prop_oneof![
        (select(NAMES), expr()).prop_map(|(name, value)| Member::Attribute(name, value)),
        (select(NAMES), select(PATHS), attributes())
            .prop_map(|(name, path, body)| Member::Instance(name, path, body)),
        (select(NAMES), type_expr(), proptest::option::of(expr()))
            .prop_map(|(name, ty, default)| Member::Param(name, ty, default)),
        (select(NAMES), type_expr()).prop_map(|(name, ty)| Member::Output(name, ty)),
        (select(PATHS), proptest::option::of(attributes()))
            .prop_map(|(path, body)| Member::Use(path, body)),
        (expr(), proptest::option::of(select(MESSAGES)))
            .prop_map(|(condition, message)| Member::Require(condition, message)),
    ];
    leaf.prop_recursive(2, 12, 4, |inner| {
        (
            select(KINDS),
            proptest::option::of(select(LABELS)),
            proptest::option::of(select(PATHS)),
            vec(inner, 0..4),
        )
            .prop_map(|(kind, label, provisioner, members)| Member::Block {
                kind,
                // A provisioner needs a label: `kind: path { }` is an instance.
                provisioner: label.and(provisioner),
                label,
                members,
            })
    })
}

fn type_expr() -> impl Strategy<Value = Type> {
    let leaf = prop_oneof![
        select(TYPE_NAMES).prop_map(Type::Named),
        vec(select(VARIANTS), 1..4).prop_map(Type::Enum),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            (select(GENERICS), vec(inner.clone(), 1..3))
                .prop_map(|(name, args)| Type::Generic(name, args)),
            (
                inner.clone(),
                proptest::option::of(-5i64..5),
                proptest::option::of(0i64..100)
            )
                .prop_map(|(base, min, max)| Type::Range(Box::new(base), min, max)),
            inner.clone().prop_map(|base| Type::Pattern(Box::new(base))),
            inner
                .clone()
                .prop_map(|inner| Type::Optional(Box::new(inner))),
            vec(
                (
                    select(NAMES),
                    any::<bool>(),
                    inner.clone(),
                    proptest::option::of(select(ATOMS).prop_map(Expr::Atom))
                ),
                0..3
            )
            .prop_map(|fields| Type::Record(
                fields
                    .into_iter()
                    .map(|(name, optional, ty, default)| Field {
                        name,
                        optional,
                        ty,
                        default,
                    })
                    .collect()
            )),
            inner.prop_map(|inner| Type::Paren(Box::new(inner))),
        ]
    })
}

fn expr() -> impl Strategy<Value = Expr> {
    select(ATOMS)
        .prop_map(Expr::Atom)
        .prop_recursive(3, 16, 3, |inner| {
            prop_oneof![
                (inner.clone(), select(FIELDS))
                    .prop_map(|(base, name)| Expr::Field(Box::new(base), name)),
                vec(inner.clone(), 0..4).prop_map(Expr::List),
                vec((select(KEYS), inner.clone()), 0..4).prop_map(Expr::Record),
                (inner.clone(), inner.clone(), inner.clone())
                    .prop_map(|(c, t, e)| Expr::If(Box::new([c, t, e]))),
                (inner.clone(), vec((select(PATTERNS), inner.clone()), 0..3))
                    .prop_map(|(scrutinee, arms)| Expr::Match(Box::new(scrutinee), arms)),
                (select(OPERATORS), inner.clone(), inner.clone())
                    .prop_map(|(op, lhs, rhs)| Expr::Binary(op, Box::new(lhs), Box::new(rhs))),
                inner
                    .clone()
                    .prop_map(|operand| Expr::Not(Box::new(operand))),
                inner
                    .clone()
                    .prop_map(|operand| Expr::IsSet(Box::new(operand))),
                inner
                    .clone()
                    .prop_map(|operand| Expr::Matches(Box::new(operand))),
                (select(&["every", "some"]), inner.clone(), inner.clone()).prop_map(
                    |(quantifier, list, condition)| {
                        Expr::Quantified(quantifier, Box::new([list, condition]))
                    }
                ),
                inner.prop_map(|inner| Expr::Paren(Box::new(inner))),
            ]
        })
}

/// Writes a program, with trivia before every token.
struct Writer<'p> {
    text: String,
    program: &'p Program,
    next_trivia: usize,
    next_comma: usize,
}

impl Writer<'_> {
    fn tok(&mut self, token: &str) {
        let trivia = &self.program.trivia;
        let choice = trivia[self.next_trivia % trivia.len()];
        self.next_trivia += 1;
        self.text.push_str(TRIVIA[choice]);
        self.text.push_str(token);
    }

    /// An optional comma.
    fn comma(&mut self) {
        let commas = &self.program.commas;
        let write = commas[self.next_comma % commas.len()];
        self.next_comma += 1;
        if write {
            self.tok(",");
        }
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Import(path, names, alias) => {
                self.tok("import");
                self.tok(path);
                if let Some(names) = names {
                    self.tok(".");
                    self.tok("{");
                    for (index, name) in names.iter().enumerate() {
                        if index > 0 {
                            self.tok(",");
                        }
                        self.tok(name);
                    }
                    self.tok("}");
                }
                if let Some(alias) = alias {
                    self.tok("as");
                    self.tok(alias);
                }
            }
            Item::Type(name, ty) => {
                self.tok("type");
                self.tok(name);
                self.tok("=");
                self.type_expr(ty);
            }
            Item::Decl(kind, name, members) => {
                self.tok(kind);
                self.tok(name);
                self.body(members);
            }
        }
    }

    fn body(&mut self, members: &[Member]) {
        self.tok("{");
        for member in members {
            self.member(member);
            self.comma();
        }
        self.tok("}");
    }

    fn attributes(&mut self, attributes: &Attributes) {
        self.tok("{");
        for (name, value) in attributes {
            self.tok(name);
            self.tok("=");
            self.expr(value);
            self.comma();
        }
        self.tok("}");
    }

    fn member(&mut self, member: &Member) {
        match member {
            Member::Attribute(name, value) => {
                self.tok(name);
                self.tok("=");
                self.expr(value);
            }
            Member::Instance(name, path, body) => {
                self.tok(name);
                self.tok(":");
                self.tok(path);
                self.attributes(body);
            }
            Member::Param(name, ty, default) => {
                self.tok("param");
                self.tok(name);
                self.tok(":");
                self.type_expr(ty);
                if let Some(default) = default {
                    self.tok("=");
                    self.expr(default);
                }
            }
            Member::Output(name, ty) => {
                self.tok("output");
                self.tok(name);
                self.tok(":");
                self.type_expr(ty);
            }
            Member::Block {
                kind,
                label,
                provisioner,
                members,
            } => {
                self.tok(kind);
                if let Some(label) = label {
                    self.tok(label);
                }
                if let Some(provisioner) = provisioner {
                    self.tok(":");
                    self.tok(provisioner);
                }
                self.body(members);
            }
            Member::Use(path, body) => {
                self.tok("use");
                self.tok(path);
                if let Some(body) = body {
                    self.attributes(body);
                }
            }
            Member::Require(condition, message) => {
                self.tok("require");
                self.expr(condition);
                if let Some(message) = message {
                    self.tok("else");
                    self.tok(message);
                }
            }
        }
    }

    fn type_expr(&mut self, ty: &Type) {
        match ty {
            Type::Named(name) => self.tok(name),
            Type::Generic(name, args) => {
                self.tok(name);
                self.tok("<");
                for (index, arg) in args.iter().enumerate() {
                    if index > 0 {
                        self.tok(",");
                    }
                    self.type_expr(arg);
                }
                self.tok(">");
            }
            Type::Range(base, min, max) => {
                self.type_atom(base);
                self.tok("in");
                if let Some(min) = min {
                    self.tok(&min.to_string());
                }
                self.tok("..");
                if let Some(max) = max {
                    self.tok(&max.to_string());
                }
            }
            Type::Pattern(base) => {
                self.type_atom(base);
                self.tok("matching");
                self.tok("\"^[a-z]+\\\\.$\"");
            }
            Type::Optional(inner) => {
                match **inner {
                    Type::Optional(_) => self.parenthesized_type(inner),
                    _ => self.type_expr(inner),
                }
                self.tok("?");
            }
            Type::Enum(variants) => {
                for (index, variant) in variants.iter().enumerate() {
                    if index > 0 {
                        self.tok("|");
                    }
                    self.tok(variant);
                }
            }
            Type::Record(fields) => {
                self.tok("{");
                for field in fields {
                    self.tok(field.name);
                    if field.optional {
                        self.tok("?");
                    }
                    self.tok(":");
                    self.type_expr(&field.ty);
                    if let Some(default) = &field.default {
                        self.tok("=");
                        self.expr(default);
                    }
                    self.comma();
                }
                self.tok("}");
            }
            Type::Paren(inner) => self.parenthesized_type(inner),
        }
    }

    /// A type where the grammar wants an atom (before `in` or `matching`).
    fn type_atom(&mut self, ty: &Type) {
        match ty {
            Type::Range(..) | Type::Pattern(_) | Type::Optional(_) => self.parenthesized_type(ty),
            _ => self.type_expr(ty),
        }
    }

    fn parenthesized_type(&mut self, ty: &Type) {
        self.tok("(");
        self.type_expr(ty);
        self.tok(")");
    }

    fn expr(&mut self, expr: &Expr) {
        match expr {
            Expr::Atom(text) => self.tok(text),
            Expr::Field(base, name) => {
                self.postfix_operand(base);
                self.tok(".");
                self.tok(name);
            }
            Expr::List(items) => {
                self.tok("[");
                for item in items {
                    self.expr(item);
                    self.comma();
                }
                self.tok("]");
            }
            Expr::Record(entries) => {
                self.tok("{");
                for (key, value) in entries {
                    self.tok(key);
                    self.tok("=");
                    self.expr(value);
                    self.comma();
                }
                self.tok("}");
            }
            Expr::If(parts) => {
                let [condition, then_branch, else_branch] = &**parts;
                self.tok("if");
                self.expr(condition);
                self.tok("then");
                self.expr(then_branch);
                self.tok("else");
                self.expr(else_branch);
            }
            Expr::Match(scrutinee, arms) => {
                self.tok("match");
                self.expr(scrutinee);
                self.tok("{");
                for (pattern, value) in arms {
                    self.tok(pattern);
                    self.tok("=>");
                    self.expr(value);
                    self.comma();
                }
                self.tok("}");
            }
            Expr::Binary(op, lhs, rhs) => {
                self.operand(lhs);
                self.tok(op);
                self.operand(rhs);
            }
            Expr::Not(operand) => {
                self.tok("!");
                self.operand(operand);
            }
            Expr::IsSet(operand) => {
                self.postfix_operand(operand);
                self.tok("?");
            }
            Expr::Matches(operand) => {
                self.operand(operand);
                self.tok("matching");
                self.tok("\"^a\"");
            }
            Expr::Quantified(quantifier, parts) => {
                let [list, condition] = &**parts;
                self.tok(quantifier);
                self.tok("x");
                self.tok("in");
                self.postfix_operand(list);
                self.tok(":");
                self.expr(condition);
            }
            Expr::Paren(inner) => self.parenthesized(inner),
        }
    }

    /// An operand of `!` or of a binary operator: parenthesized unless it is unary.
    fn operand(&mut self, expr: &Expr) {
        match expr {
            Expr::Binary(..) | Expr::If(_) | Expr::Matches(_) | Expr::Quantified(..) => {
                self.parenthesized(expr)
            }
            _ => self.expr(expr),
        }
    }

    /// The operand of `.`, `?` or a quantifier's list: parenthesized unless it is postfix.
    fn postfix_operand(&mut self, expr: &Expr) {
        match expr {
            Expr::Binary(..)
            | Expr::If(_)
            | Expr::Not(_)
            | Expr::Matches(_)
            | Expr::Quantified(..) => self.parenthesized(expr),
            _ => self.expr(expr),
        }
    }

    fn parenthesized(&mut self, expr: &Expr) {
        self.tok("(");
        self.expr(expr);
        self.tok(")");
    }
}
