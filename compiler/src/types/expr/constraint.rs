//! Literals against their types: enum variants, quantities, ports, integer ranges,
//! string patterns and formats.
//!
//! Invariant: each check reports at the literal's own range, once; a value computed per
//! environment is left to resolution, which checks it against the same constraints.

use crate::diagnostic::{Code, Diagnostic};
use crate::names::suggest;
use crate::span::TextRange;
use crate::syntax::ast::{Expr, RecordEntry};
use crate::types::checker::Checker;
use crate::types::literal;
use crate::types::schedule;
use crate::types::signature::literal_text;
use crate::types::ty::{Constraint, Format, Ty, range_text};

impl Checker<'_> {
    pub(super) fn check_variant(&mut self, text: &str, range: TextRange, variants: &[String]) {
        if variants.iter().any(|variant| variant == text) {
            return;
        }
        let quoted: Vec<String> = variants
            .iter()
            .map(|variant| format!("\"{variant}\""))
            .collect();
        let quoted: Vec<&str> = quoted.iter().map(String::as_str).collect();
        let label = if quoted.len() <= suggest::SHORT_LIST {
            format!("expected {}", suggest::one_of(&quoted))
        } else {
            "not an allowed value".to_string()
        };
        let mut diagnostic = Diagnostic::new(
            Code::NotInEnum,
            format!("`\"{text}\"` is not one of the allowed values"),
            self.file,
            range,
        )
        .with_label(label);
        let help = suggest::closest(text, variants.iter().map(String::as_str))
            .map(|close| format!("did you mean `\"{close}\"`?"))
            .or_else(|| {
                (quoted.len() <= suggest::SHORT_LIST)
                    .then(|| format!("use one of {}", suggest::one_of(&quoted)))
            });
        if let Some(help) = help {
            diagnostic = diagnostic.with_help(help);
        }
        self.report(diagnostic);
    }

    pub(super) fn check_quantity(&mut self, ty: &Ty, expr: &Expr) {
        let (text, range) = match expr {
            Expr::Int { value, range } => (value.to_string(), *range),
            Expr::Float { text, range } | Expr::Quantity { text, range } => (text.clone(), *range),
            _ => return,
        };
        let (result, kind, help) = match ty {
            Ty::Cpu => (literal::parse_cpu(&text), "cpu", literal::CPU_HELP),
            Ty::Memory => (literal::parse_memory(&text), "memory", literal::MEMORY_HELP),
            Ty::Duration => (
                literal::parse_duration(&text),
                "duration",
                literal::DURATION_HELP,
            ),
            _ => return,
        };
        if let Err(reason) = result {
            self.report(
                Diagnostic::new(
                    Code::InvalidQuantity,
                    format!("malformed {kind} quantity `{text}`"),
                    self.file,
                    range,
                )
                .with_label(reason)
                .with_help(help),
            );
        }
    }

    pub(super) fn check_port(&mut self, value: i64, range: TextRange) {
        if !(1..=65535).contains(&value) {
            self.report(
                Diagnostic::new(
                    Code::OutOfRange,
                    format!("`{value}` is out of range for a port"),
                    self.file,
                    range,
                )
                .with_label("a port is between 1 and 65535")
                .with_help("use a port from 1 to 65535"),
            );
        }
    }

    /// The constraints of `expected` (through names and `?`) checked on a literal.
    pub(super) fn check_constraints(&mut self, expected: &Ty, expr: &Expr) {
        let mut ty = expected;
        for _ in 0..256 {
            ty = match ty {
                Ty::Alias(_, inner) => inner,
                Ty::Optional(inner) => inner,
                Ty::Constrained(base, Constraint::Range { min, max })
                    if matches!(base.shape(), Ty::Duration) =>
                {
                    self.check_seconds(*min, *max, expr);
                    base
                }
                // A fraction of a second is the one problem reported: its range would
                // be judged on a value Kubernetes cannot hold.
                Ty::Constrained(base, Constraint::WholeSeconds) => {
                    if !self.check_whole_seconds(expr) {
                        return;
                    }
                    base
                }
                Ty::Constrained(base, constraint) => {
                    self.check_constraint(constraint, expr);
                    base
                }
                _ => return,
            };
        }
    }

    /// A duration literal against a range of seconds.
    fn check_seconds(&mut self, min: Option<i64>, max: Option<i64>, expr: &Expr) {
        let Expr::Quantity { text, range } = expr else {
            return;
        };
        if let Ok(millis) = literal::parse_duration(text) {
            let seconds = millis as f64 / 1000.0;
            self.check_range(text, seconds, min, max, *range);
        }
    }

    /// The keys of a record literal against the key format of the map `expected` is.
    pub(super) fn check_keys(&mut self, expected: &Ty, entries: &[RecordEntry]) {
        let mut ty = expected;
        for _ in 0..256 {
            ty = match ty {
                Ty::Alias(_, inner) => inner,
                Ty::Optional(inner) => inner,
                Ty::Constrained(base, Constraint::Keys(format)) => {
                    for entry in entries {
                        self.check_format(*format, entry.key.text(), entry.key.range());
                    }
                    base
                }
                Ty::Constrained(base, _) => base,
                _ => return,
            };
        }
    }

    pub(super) fn check_constraint(&mut self, constraint: &Constraint, expr: &Expr) {
        match (constraint, expr) {
            (Constraint::Range { min, max }, Expr::Int { value, range }) => {
                self.check_range(&value.to_string(), *value as f64, *min, *max, *range)
            }
            (Constraint::Range { min, max }, Expr::Float { text, range }) => {
                if let Ok(value) = text.parse::<f64>() {
                    self.check_range(text, value, *min, *max, *range);
                }
            }
            (Constraint::Pattern(pattern), Expr::String { parts, range }) => {
                let Some(text) = literal_text(parts) else {
                    return;
                };
                if !self.matches(pattern, &text) {
                    self.report(
                        Diagnostic::new(
                            Code::PatternMismatch,
                            format!("`\"{text}\"` does not match the pattern `{pattern}`"),
                            self.file,
                            *range,
                        )
                        .with_label(format!("does not match `{pattern}`"))
                        .with_help("change the value so that it matches the pattern"),
                    );
                }
            }
            (Constraint::Format(format), Expr::String { parts, range }) => {
                let Some(text) = literal_text(parts) else {
                    return;
                };
                self.check_format(*format, &text, *range);
            }
            _ => {}
        }
    }

    pub(super) fn check_range(
        &mut self,
        text: &str,
        value: f64,
        min: Option<i64>,
        max: Option<i64>,
        range: TextRange,
    ) {
        let below = min.is_some_and(|min| value < min as f64);
        let above = max.is_some_and(|max| value > max as f64);
        if !below && !above {
            return;
        }
        let bounds = range_text(min, max);
        let unit = if text.ends_with(|c: char| c.is_ascii_alphabetic()) {
            " seconds"
        } else {
            ""
        };
        let help = match (min, max) {
            (Some(min), Some(max)) => format!("use a value from {min} to {max}{unit}"),
            (Some(min), None) => format!("use a value of at least {min}{unit}"),
            (None, Some(max)) => format!("use a value of at most {max}{unit}"),
            (None, None) => String::new(),
        };
        self.report(
            Diagnostic::new(
                Code::OutOfRange,
                format!("`{text}` is out of range"),
                self.file,
                range,
            )
            .with_label(format!("expected a value in `{bounds}`{unit}"))
            .with_help(help),
        );
    }

    /// E0316 for a duration literal that is not a whole number of seconds; whether it
    /// is whole (or not a duration literal, judged elsewhere).
    fn check_whole_seconds(&mut self, expr: &Expr) -> bool {
        let Expr::Quantity { text, range } = expr else {
            return true;
        };
        let Ok(millis) = literal::parse_duration(text) else {
            return true;
        };
        if millis % 1000 == 0 {
            return true;
        }
        self.report(
            Diagnostic::new(
                Code::FractionalSeconds,
                format!("`{text}` is not a whole number of seconds"),
                self.file,
                *range,
            )
            .with_label("Kubernetes counts this duration in whole seconds")
            .with_help(format!("write whole seconds: `{}s`", millis.div_ceil(1000))),
        );
        false
    }

    pub(super) fn check_format(&mut self, format: Format, text: &str, range: TextRange) {
        let Err(reason) = format.check(text) else {
            return;
        };
        let (code, message, help): (Code, String, String) = match format {
            Format::Image => (
                Code::InvalidImage,
                format!("malformed image reference `{text}`"),
                "write `[registry/]name[:tag][@digest]`, e.g. `ghcr.io/acme/api:1.4.2`".to_string(),
            ),
            Format::Semver => (
                Code::InvalidVersion,
                format!("malformed version `{text}`"),
                "use a semantic version `MAJOR.MINOR.PATCH`, e.g. `1.2.0`".to_string(),
            ),
            Format::DnsLabel => (
                Code::PatternMismatch,
                format!("`\"{text}\"` is not a valid DNS label"),
                "use lower-case letters, digits and `-`, at most 63 characters, e.g. `shop-prod`"
                    .to_string(),
            ),
            Format::LabelValue => (
                Code::InvalidLabel,
                format!("`\"{text}\"` is not a valid label value"),
                "use at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a \
                 letter or digit, e.g. `checkout`"
                    .to_string(),
            ),
            Format::QualifiedName => (
                Code::InvalidLabel,
                format!("`\"{text}\"` is not a valid label or annotation key"),
                "write `name` or `prefix/name`: a name of at most 63 letters, digits, `-`, `_` \
                 and `.`, after an optional DNS subdomain, e.g. `example.com/team`"
                    .to_string(),
            ),
            Format::EnvName => (
                Code::InvalidEnvName,
                format!("`\"{text}\"` is not a valid environment variable name"),
                "use letters, digits and `_` (`-` and `.` are allowed too), not starting with a \
                 digit, e.g. `DATABASE_URL`"
                    .to_string(),
            ),
            Format::PortName => (
                Code::InvalidName,
                format!("`\"{text}\"` is not a valid port name"),
                "use at most 15 lower-case letters, digits and `-`, with at least one letter, \
                 e.g. `http` or `grpc-web`"
                    .to_string(),
            ),
            Format::MountPath => (
                Code::InvalidMountPath,
                format!("`\"{text}\"` cannot be mounted"),
                "use an absolute path outside `/tmp`, `/dev`, `/proc` and `/sys`, e.g. \
                 `/etc/app/config.yaml`"
                    .to_string(),
            ),
            Format::Cron => (
                Code::InvalidSchedule,
                format!("malformed schedule `{text}`"),
                schedule::CRON_HELP.to_string(),
            ),
            Format::TimeZone => (
                Code::UnknownTimeZone,
                format!("unknown time zone `{text}`"),
                match schedule::closest_time_zone(text) {
                    Some(zone) => format!("did you mean `\"{zone}\"`?"),
                    None => "name a zone of the IANA database: `\"Europe/Amsterdam\"`, \
                             `\"America/New_York\"`, `\"UTC\"`"
                        .to_string(),
                },
            ),
        };
        self.report(
            Diagnostic::new(code, message, self.file, range)
                .with_label(reason)
                .with_help(help),
        );
    }
}
