//! Sensitivity and phase: where secret and provision-time values may go.
//!
//! Invariants: every checked value carries a [`Flow`]; a value built from others (an
//! interpolation, a list or record literal, an `if` or `match`) joins their flows, so a
//! value built from a secret is secret and a value built from a provision-time value is
//! provision-time. Each property keeps the [`Cause`] that made it so (the first one
//! met, in source order), so a report can point both at the sink and at the cause.
//! Sinks are plain and compile-time unless their schema says otherwise ([`Sink`]).

use crate::diagnostic::{Code, Diagnostic, Label};
use crate::source::SourceFile;
use crate::span::TextRange;

/// What made a value secret or provision-time.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cause {
    /// The reference that brought the property in (`db.password`), in the checked file.
    pub range: TextRange,
    /// The declaration that gives it the property (`output password: secret`), if any.
    pub declared: Option<(SourceFile, TextRange)>,
}

/// The sensitivity and phase of a value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Flow {
    /// `Some` when the value is secret.
    pub secret: Option<Cause>,
    /// `Some` when the value is known only after provisioning.
    pub provision: Option<Cause>,
    /// Whether the value is built only from literals (what E0402 is about).
    pub literal: bool,
}

impl Flow {
    /// The flow of a literal: plain, compile-time.
    pub fn literal() -> Flow {
        Flow {
            secret: None,
            provision: None,
            literal: true,
        }
    }

    /// The flow of a plain, compile-time value that is not a literal (`self.name`).
    pub fn plain() -> Flow {
        Flow::default()
    }

    /// A value built from both.
    pub fn join(self, other: Flow) -> Flow {
        Flow {
            secret: self.secret.or(other.secret),
            provision: self.provision.or(other.provision),
            literal: self.literal && other.literal,
        }
    }
}

/// What a place accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sink {
    /// How messages name the place: `` `labels` ``.
    pub place: String,
    pub secret: bool,
    pub provision: bool,
}

impl Sink {
    /// A plain, compile-time place.
    pub fn plain(place: impl Into<String>) -> Sink {
        Sink {
            place: place.into(),
            secret: false,
            provision: false,
        }
    }

    pub fn new(place: impl Into<String>, secret: bool, provision: bool) -> Sink {
        Sink {
            place: place.into(),
            secret,
            provision,
        }
    }
}

/// E0401 and E0403 for a value of `flow` written at `value` and flowing into `sink`.
/// `secret_ok` says whether the expected type itself is `secret`.
pub(crate) fn check_sink(
    file: SourceFile,
    value: TextRange,
    flow: &Flow,
    sink: &Sink,
    secret_ok: bool,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    if let Some(origin) = &flow.secret
        && !sink.secret
        && !secret_ok
    {
        diagnostics.push(secret_leak(file, value, origin, sink));
    }
    // A value that leaks a secret is reported once: moving it where secrets may go
    // (`env`, `files`) also takes care of its phase.
    if let Some(origin) = &flow.provision
        && !sink.provision
        && diagnostics.is_empty()
    {
        diagnostics.push(provision_leak(file, value, origin, sink));
    }
    diagnostics
}

fn secret_leak(file: SourceFile, value: TextRange, origin: &Cause, sink: &Sink) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(
        Code::SecretLeak,
        format!("secret value flows into {}", sink.place),
        file,
        value,
    )
    .with_label("this value is secret")
    .with_secondary(Label::new(file, origin.range).with_message("secret because of this"));
    if let Some((declared_file, declared)) = origin.declared {
        diagnostic = diagnostic.with_secondary(
            Label::new(declared_file, declared).with_message("declared `secret` here"),
        );
    }
    diagnostic.with_help(format!(
        "{} is written in plain text; pass secrets to a container through `env` or `files`, which use a Kubernetes Secret",
        sink.place
    ))
}

fn provision_leak(file: SourceFile, value: TextRange, origin: &Cause, sink: &Sink) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(
        Code::ProvisionTimeValue,
        format!("{} needs a value known at compile time", sink.place),
        file,
        value,
    )
    .with_label("this value is known only after provisioning")
    .with_secondary(Label::new(file, origin.range).with_message("provision-time because of this"));
    if let Some((declared_file, declared)) = origin.declared {
        diagnostic = diagnostic.with_secondary(
            Label::new(declared_file, declared)
                .with_message("computed when the resource is provisioned"),
        );
    }
    diagnostic.with_help(
        "use a value known when compiling here, or pass this one to a container through `env` or `files`, which are filled in once it is known",
    )
}

/// E0402: a value built only from literals where a `secret` is expected.
pub(crate) fn secret_literal(file: SourceFile, value: TextRange, place: &str) -> Diagnostic {
    Diagnostic::new(
        Code::SecretLiteral,
        format!("secret written in source for {place}"),
        file,
        value,
    )
    .with_label("this literal would be stored in plain text")
    .with_help("reference a secret instead (an output or parameter of type `secret`); secrets never live in source")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_keeps_the_first_origin() {
        let a = Flow {
            secret: Some(Cause {
                range: TextRange::new(1, 2),
                declared: None,
            }),
            ..Flow::literal()
        };
        let b = Flow {
            secret: Some(Cause {
                range: TextRange::new(5, 6),
                declared: None,
            }),
            ..Flow::plain()
        };
        let joined = a.join(b);
        assert_eq!(
            joined.secret.map(|origin| origin.range),
            Some(TextRange::new(1, 2))
        );
        assert!(!joined.literal);
    }
}
