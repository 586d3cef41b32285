//! Terraform's type constraints (`string`, `list(number)`, `object({ a = string })`),
//! read from a variable's `type` expression.
//!
//! Invariants: any expression gives a type: what is not understood is [`TfType::Any`],
//! which accepts every value (checks are best effort and never wrong the other way).
//! Reading stops at [`MAX_TYPE_DEPTH`] levels, below which everything is `any`.

use std::fmt;

use hcl::{Expression, ObjectKey};

/// Types nested deeper than this are read as `any`.
pub const MAX_TYPE_DEPTH: usize = 32;

/// A Terraform type constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TfType {
    Any,
    String,
    Number,
    Bool,
    List(Box<TfType>),
    Set(Box<TfType>),
    Map(Box<TfType>),
    Tuple(Vec<TfType>),
    Object(Vec<TfAttribute>),
}

/// An attribute of an `object(...)` type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TfAttribute {
    pub name: String,
    pub ty: TfType,
    /// Declared with `optional(...)`: a value may leave it out.
    pub optional: bool,
}

impl TfType {
    /// The type a variable's `type = ...` expression declares.
    pub fn from_expression(expr: &Expression) -> TfType {
        read(expr, 0)
    }

    /// The type that a type expression written as text declares (`list(string)`, as
    /// a lock of module interfaces holds it); `any` for text that is not one.
    pub fn from_text(text: &str) -> TfType {
        text.parse::<Expression>()
            .map(|expr| read(&expr, 0))
            .unwrap_or(TfType::Any)
    }
}

/// A type expression as text, on one line: `map(object({ name = string }))`.
pub fn expression_text(expr: &Expression) -> String {
    let text =
        hcl::format::to_string(expr).unwrap_or_else(|_| TfType::from_expression(expr).to_string());
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn read(expr: &Expression, depth: usize) -> TfType {
    if depth >= MAX_TYPE_DEPTH {
        return TfType::Any;
    }
    match expr {
        Expression::Variable(name) => primitive(name.as_str()),
        // Terraform 0.11 wrote types as strings: `"string"`, `"list"`, `"map"`.
        Expression::String(name) => match name.as_str() {
            "list" => TfType::List(Box::new(TfType::Any)),
            "map" => TfType::Map(Box::new(TfType::Any)),
            other => primitive(other),
        },
        Expression::Parenthesis(inner) => read(inner, depth + 1),
        Expression::FuncCall(call) if call.name.namespace.is_empty() => {
            constructor(call.name.name.as_str(), &call.args, depth)
        }
        _ => TfType::Any,
    }
}

fn primitive(name: &str) -> TfType {
    match name {
        "string" => TfType::String,
        "number" => TfType::Number,
        "bool" => TfType::Bool,
        _ => TfType::Any,
    }
}

fn constructor(name: &str, args: &[Expression], depth: usize) -> TfType {
    let element = || {
        Box::new(
            args.first()
                .map(|arg| read(arg, depth + 1))
                .unwrap_or(TfType::Any),
        )
    };
    match (name, args.first()) {
        ("list", _) => TfType::List(element()),
        ("set", _) => TfType::Set(element()),
        ("map", _) => TfType::Map(element()),
        ("tuple", Some(Expression::Array(items))) => {
            TfType::Tuple(items.iter().map(|item| read(item, depth + 1)).collect())
        }
        ("object", Some(Expression::Object(attributes))) => {
            let mut attributes: Vec<TfAttribute> = attributes
                .iter()
                .filter_map(|(key, value)| attribute(key, value, depth))
                .collect();
            attributes.sort_by(|a, b| a.name.cmp(&b.name));
            attributes.dedup_by(|a, b| a.name == b.name);
            TfType::Object(attributes)
        }
        _ => TfType::Any,
    }
}

fn attribute(key: &ObjectKey, value: &Expression, depth: usize) -> Option<TfAttribute> {
    let name = match key {
        ObjectKey::Identifier(ident) => ident.as_str().to_string(),
        ObjectKey::Expression(Expression::String(text)) => text.clone(),
        ObjectKey::Expression(Expression::Variable(name)) => name.as_str().to_string(),
        _ => return None,
    };
    let (ty, optional) = match value {
        Expression::FuncCall(call)
            if call.name.namespace.is_empty() && call.name.name.as_str() == "optional" =>
        {
            let ty = call
                .args
                .first()
                .map(|arg| read(arg, depth + 1))
                .unwrap_or(TfType::Any);
            (ty, true)
        }
        other => (read(other, depth + 1), false),
    };
    Some(TfAttribute { name, ty, optional })
}

/// As Terraform writes it: `list(string)`, `object({ name = string })`.
impl fmt::Display for TfType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TfType::Any => f.write_str("any"),
            TfType::String => f.write_str("string"),
            TfType::Number => f.write_str("number"),
            TfType::Bool => f.write_str("bool"),
            TfType::List(element) => write!(f, "list({element})"),
            TfType::Set(element) => write!(f, "set({element})"),
            TfType::Map(element) => write!(f, "map({element})"),
            TfType::Tuple(items) => {
                f.write_str("tuple([")?;
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("])")
            }
            TfType::Object(attributes) => {
                f.write_str("object({")?;
                for (index, attribute) in attributes.iter().enumerate() {
                    f.write_str(if index > 0 { ", " } else { " " })?;
                    if attribute.optional {
                        write!(f, "{} = optional({})", attribute.name, attribute.ty)?;
                    } else {
                        write!(f, "{} = {}", attribute.name, attribute.ty)?;
                    }
                }
                f.write_str(if attributes.is_empty() { "})" } else { " })" })
            }
        }
    }
}
