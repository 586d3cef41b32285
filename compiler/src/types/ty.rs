//! The types of plat values.
//!
//! Invariants: a [`Ty`] is plain data without positions (so that query results holding
//! types stay equal across edits that only move text); user types keep their name
//! ([`Ty::Alias`]) and share their definition through an `Arc`, so a type is never
//! copied out exponentially; [`Ty::Error`] stands for something already reported and is
//! compatible with everything, so one mistake yields one diagnostic.

use std::fmt;
use std::sync::Arc;

use crate::names::DeclRef;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Ty {
    String,
    Int,
    Float,
    Bool,
    Duration,
    Cpu,
    Memory,
    /// An integer in `1..65535`.
    Port,
    /// A string whose sensitivity is secret.
    Secret,
    /// Anything (Terraform `module.*` values, Terraform `inputs`).
    Any,
    /// A number with a unit whose meaning no expected type has decided yet.
    Quantity,
    List(Box<Ty>),
    /// A map with string keys.
    Map(Box<Ty>),
    Record(Vec<FieldTy>),
    /// One of a set of strings.
    Enum(Vec<String>),
    /// May be left out.
    Optional(Box<Ty>),
    Constrained(Box<Ty>, Constraint),
    /// A user type: its name and what it stands for.
    Alias(String, Arc<Ty>),
    /// A name that stands for a declaration or a resource rather than for data.
    Ref(RefTy),
    /// Something already reported.
    Error,
}

/// A field of a record type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldTy {
    pub name: String,
    pub ty: Ty,
    /// Whether a value must give it: not optional and without a default.
    pub required: bool,
    /// The default as written, for hover and inlay hints.
    pub default: Option<String>,
    pub doc: Option<String>,
}

impl FieldTy {
    pub fn new(name: &str, ty: Ty) -> FieldTy {
        FieldTy {
            name: name.to_string(),
            required: !matches!(ty, Ty::Optional(_)),
            ty,
            default: None,
            doc: None,
        }
    }

    pub fn with_default(mut self, default: &str) -> FieldTy {
        self.required = false;
        self.default = Some(default.to_string());
        self
    }

    pub fn with_doc(mut self, doc: &str) -> FieldTy {
        self.doc = Some(doc.to_string());
        self
    }
}

/// A constraint on the values of a base type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Constraint {
    /// `in min..max`, both bounds inclusive.
    Range { min: Option<i64>, max: Option<i64> },
    /// `matching "regex"`.
    Pattern(String),
    /// A built-in format of strings.
    Format(Format),
    /// A built-in format of the keys of a map (`env`: environment variable names).
    Keys(Format),
    /// A duration that Kubernetes counts in whole seconds (E0316).
    WholeSeconds,
}

/// The bounds of a range as written: `1..10`, `0..`, `..100`.
pub(crate) fn range_text(min: Option<i64>, max: Option<i64>) -> String {
    format!(
        "{}..{}",
        min.map(|min| min.to_string()).unwrap_or_default(),
        max.map(|max| max.to_string()).unwrap_or_default()
    )
}

/// Formats of strings that built-in fields check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// An OCI image reference: `ghcr.io/acme/api:1.4.2` (E0307).
    Image,
    /// A semantic version: `1.2.0` (E0310).
    Semver,
    /// A DNS label: lower-case letters, digits and `-`, at most 63 (E0305).
    DnsLabel,
    /// A Kubernetes label value (E0222).
    LabelValue,
    /// A Kubernetes label or annotation key: `app.kubernetes.io/name` (E0222).
    QualifiedName,
    /// The name of an environment variable (E0221).
    EnvName,
    /// The name of a container port (E0220).
    PortName,
    /// A path a container mounts something at (E0320).
    MountPath,
    /// A CronJob's schedule: five cron fields or a descriptor (E0314).
    Cron,
    /// A time zone of the IANA database: `Europe/Amsterdam` (E0315).
    TimeZone,
}

impl Format {
    /// Whether `text` has the format; the reason when it does not.
    pub(crate) fn check(self, text: &str) -> Result<(), String> {
        match self {
            Format::Image => crate::types::literal::check_image(text),
            Format::Semver => crate::types::literal::check_semver(text),
            Format::DnsLabel => crate::kube::dns_label(text),
            Format::LabelValue => crate::kube::label_value(text),
            Format::QualifiedName => crate::kube::qualified_name(text),
            Format::EnvName => crate::kube::env_name(text),
            Format::PortName => crate::kube::port_name(text),
            Format::MountPath => crate::kube::mount_path(text),
            Format::Cron => crate::types::schedule::check_cron(text),
            Format::TimeZone => crate::types::schedule::check_time_zone(text),
        }
    }
}

/// What a reference type refers to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RefTy {
    /// A workload (`calls = [payments]`).
    Workload,
    /// A policy (`policies = [min_replicas]`).
    Policy,
    /// An environment.
    Environment,
    /// A resource instance; of the given offering, or of any offering when `None`.
    Resource(Option<DeclRef>),
}

impl Ty {
    pub fn list(inner: Ty) -> Ty {
        Ty::List(Box::new(inner))
    }

    pub fn map(inner: Ty) -> Ty {
        Ty::Map(Box::new(inner))
    }

    pub fn optional(inner: Ty) -> Ty {
        match inner {
            Ty::Optional(_) => inner,
            other => Ty::Optional(Box::new(other)),
        }
    }

    pub fn formatted(format: Format) -> Ty {
        Ty::Constrained(Box::new(Ty::String), Constraint::Format(format))
    }

    /// A duration of `min..max` whole seconds, as Kubernetes counts its durations (for
    /// a duration, the bounds of a range are seconds).
    pub fn seconds_in(min: Option<i64>, max: Option<i64>) -> Ty {
        Ty::Constrained(
            Box::new(Ty::Constrained(
                Box::new(Ty::Duration),
                Constraint::Range { min, max },
            )),
            Constraint::WholeSeconds,
        )
    }

    /// A map whose keys have `format`.
    pub fn keyed(keys: Format, value: Ty) -> Ty {
        Ty::Constrained(Box::new(Ty::map(value)), Constraint::Keys(keys))
    }

    pub fn int_in(min: i64, max: i64) -> Ty {
        Ty::Constrained(
            Box::new(Ty::Int),
            Constraint::Range {
                min: Some(min),
                max: Some(max),
            },
        )
    }

    /// The type without names, constraints or optionality: what shape the values have.
    pub fn shape(&self) -> &Ty {
        let mut ty = self;
        // Aliases cannot nest more deeply than the type table allows; bound anyway.
        for _ in 0..256 {
            ty = match ty {
                Ty::Alias(_, inner) => inner,
                Ty::Constrained(base, _) => base,
                Ty::Optional(inner) => inner,
                _ => return ty,
            };
        }
        &Ty::Error
    }

    /// Whether values may be left out.
    pub fn is_optional(&self) -> bool {
        let mut ty = self;
        for _ in 0..256 {
            ty = match ty {
                Ty::Optional(_) => return true,
                Ty::Alias(_, inner) => inner,
                _ => return false,
            };
        }
        false
    }

    /// Whether the type is `secret` (possibly named, constrained or optional).
    pub fn is_secret(&self) -> bool {
        matches!(self.shape(), Ty::Secret)
    }

    /// Whether the type already failed or accepts anything.
    pub fn is_unknown(&self) -> bool {
        matches!(self.shape(), Ty::Error | Ty::Any)
    }

    /// The fields of a record type.
    pub fn fields(&self) -> Option<&[FieldTy]> {
        match self.shape() {
            Ty::Record(fields) => Some(fields),
            _ => None,
        }
    }

    /// Whether a value of type `self` can be used where `expected` is required.
    /// Constraints of `expected` are checked on literals only, elsewhere.
    pub fn fits(&self, expected: &Ty) -> bool {
        fits(self, expected, 0)
    }
}

const MAX_DEPTH: usize = 256;

fn fits(found: &Ty, expected: &Ty, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return true;
    }
    let depth = depth + 1;
    match (found, expected) {
        (Ty::Error | Ty::Any, _) | (_, Ty::Error | Ty::Any) => true,
        (Ty::Alias(a, x), Ty::Alias(b, y)) if a == b && (Arc::ptr_eq(x, y) || x == y) => true,
        (Ty::Alias(_, inner), _) => fits(inner, expected, depth),
        (_, Ty::Alias(_, inner)) => fits(found, inner, depth),
        (Ty::Optional(a), Ty::Optional(b)) => fits(a, b, depth),
        (_, Ty::Optional(inner)) => fits(found, inner, depth),
        (Ty::Constrained(base, _), _) => fits(base, expected, depth),
        (_, Ty::Constrained(base, _)) => fits(found, base, depth),
        (Ty::Secret, Ty::String) | (Ty::Enum(_), Ty::String) => true,
        (Ty::Int, Ty::Float) | (Ty::Int, Ty::Port) | (Ty::Port, Ty::Int | Ty::Float) => true,
        (Ty::Enum(a), Ty::Enum(b)) => {
            let b: std::collections::BTreeSet<&String> = b.iter().collect();
            a.iter().all(|variant| b.contains(variant))
        }
        (Ty::List(a), Ty::List(b)) | (Ty::Map(a), Ty::Map(b)) => fits(a, b, depth),
        (Ty::Record(a), Ty::Record(b)) => record_fits(a, b, depth),
        (Ty::Ref(RefTy::Resource(_)), Ty::Ref(RefTy::Resource(None))) => true,
        _ => found == expected,
    }
}

fn record_fits(found: &[FieldTy], expected: &[FieldTy], depth: usize) -> bool {
    let known = found
        .iter()
        .all(|field| expected.iter().any(|e| e.name == field.name));
    let given = expected
        .iter()
        .all(|e| match found.iter().find(|f| f.name == e.name) {
            Some(field) => fits(&field.ty, &e.ty, depth),
            None => !e.required,
        });
    known && given
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_ty(f, self, 0)
    }
}

fn write_ty(f: &mut fmt::Formatter<'_>, ty: &Ty, depth: usize) -> fmt::Result {
    if depth > 16 {
        return f.write_str("…");
    }
    let depth = depth + 1;
    match ty {
        Ty::String => f.write_str("string"),
        Ty::Int => f.write_str("int"),
        Ty::Float => f.write_str("float"),
        Ty::Bool => f.write_str("bool"),
        Ty::Duration => f.write_str("duration"),
        Ty::Cpu => f.write_str("cpu"),
        Ty::Memory => f.write_str("memory"),
        Ty::Port => f.write_str("port"),
        Ty::Secret => f.write_str("secret"),
        Ty::Any => f.write_str("any"),
        Ty::Quantity => f.write_str("quantity"),
        Ty::List(inner) => {
            f.write_str("list<")?;
            write_ty(f, inner, depth)?;
            f.write_str(">")
        }
        Ty::Map(inner) => {
            f.write_str("map<")?;
            write_ty(f, inner, depth)?;
            f.write_str(">")
        }
        Ty::Record(fields) => write_record(f, fields, depth),
        Ty::Enum(variants) => {
            for (i, variant) in variants.iter().enumerate() {
                if i > 0 {
                    f.write_str(" | ")?;
                }
                write!(f, "{variant:?}")?;
            }
            Ok(())
        }
        Ty::Optional(inner) => {
            let needs_parens = matches!(
                **inner,
                Ty::Enum(_)
                    | Ty::Constrained(
                        _,
                        Constraint::Range { .. }
                            | Constraint::Pattern(_)
                            | Constraint::WholeSeconds
                    )
            );
            if needs_parens {
                f.write_str("(")?;
            }
            write_ty(f, inner, depth)?;
            if needs_parens {
                f.write_str(")")?;
            }
            f.write_str("?")
        }
        Ty::Constrained(base, constraint) => {
            write_ty(f, base, depth)?;
            match constraint {
                Constraint::Range { min, max } => {
                    f.write_str(" in ")?;
                    if let Some(min) = min {
                        write!(f, "{min}")?;
                    }
                    f.write_str("..")?;
                    if let Some(max) = max {
                        write!(f, "{max}")?;
                    }
                    Ok(())
                }
                Constraint::Pattern(pattern) => write!(f, " matching {pattern:?}"),
                Constraint::Format(_) | Constraint::Keys(_) | Constraint::WholeSeconds => Ok(()),
            }
        }
        Ty::Alias(name, _) => f.write_str(name),
        Ty::Ref(RefTy::Workload) => f.write_str("workload"),
        Ty::Ref(RefTy::Policy) => f.write_str("policy"),
        Ty::Ref(RefTy::Environment) => f.write_str("environment"),
        Ty::Ref(RefTy::Resource(Some(offering))) => write!(f, "{} resource", offering.name),
        Ty::Ref(RefTy::Resource(None)) => f.write_str("resource"),
        Ty::Error => f.write_str("{unknown}"),
    }
}

fn write_record(f: &mut fmt::Formatter<'_>, fields: &[FieldTy], depth: usize) -> fmt::Result {
    if fields.is_empty() {
        return f.write_str("{}");
    }
    f.write_str("{ ")?;
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        f.write_str(&field.name)?;
        if field.ty.is_optional() {
            f.write_str("?: ")?;
            match &field.ty {
                Ty::Optional(inner) => write_ty(f, inner, depth)?,
                other => write_ty(f, other, depth)?,
            }
        } else {
            f.write_str(": ")?;
            write_ty(f, &field.ty, depth)?;
        }
        if let Some(default) = &field.default {
            write!(f, " = {default}")?;
        }
    }
    f.write_str(" }")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_like_source() {
        assert_eq!(Ty::list(Ty::String).to_string(), "list<string>");
        assert_eq!(Ty::optional(Ty::Port).to_string(), "port?");
        assert_eq!(Ty::int_in(1, 10).to_string(), "int in 1..10");
        assert_eq!(
            Ty::Enum(vec!["a".into(), "b".into()]).to_string(),
            "\"a\" | \"b\""
        );
        let record = Ty::Record(vec![
            FieldTy::new("path", Ty::String),
            FieldTy::new("period", Ty::Duration).with_default("10s"),
        ]);
        assert_eq!(
            record.to_string(),
            "{ path: string, period: duration = 10s }"
        );
    }

    #[test]
    fn compatibility() {
        assert!(Ty::Int.fits(&Ty::Float));
        assert!(Ty::Secret.fits(&Ty::String));
        assert!(!Ty::String.fits(&Ty::Secret));
        assert!(!Ty::String.fits(&Ty::Int));
        assert!(Ty::String.fits(&Ty::optional(Ty::String)));
        assert!(!Ty::optional(Ty::String).fits(&Ty::String));
        assert!(Ty::Enum(vec!["a".into()]).fits(&Ty::String));
    }
}
