//! Literals against their types: enum variants, quantities, ports, integer ranges,
//! string patterns and formats.
//!
//! Invariant: each check reports at the literal's own range, once; a value computed per
//! environment is left to resolution, which checks it against the same constraints.

use crate::diagnostic::{Code, Diagnostic};
use crate::names::suggest;
use crate::span::TextRange;
use crate::syntax::ast::Expr;
use crate::types::checker::Checker;
use crate::types::literal;
use crate::types::schedule;
use crate::types::signature::literal_text;
use crate::types::ty::{Constraint, Format, Ty};

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
                Ty::Constrained(base, constraint) => {
                    self.check_constraint(constraint, expr);
                    base
                }
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
            (Constraint::Seconds { min, max }, Expr::Quantity { text, range }) => {
                self.check_seconds(text, *min, *max, *range);
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
        let bounds = format!(
            "{}..{}",
            min.map(|min| min.to_string()).unwrap_or_default(),
            max.map(|max| max.to_string()).unwrap_or_default()
        );
        let help = match (min, max) {
            (Some(min), Some(max)) => format!("use a value from {min} to {max}"),
            (Some(min), None) => format!("use a value of at least {min}"),
            (None, Some(max)) => format!("use a value of at most {max}"),
            (None, None) => String::new(),
        };
        self.report(
            Diagnostic::new(
                Code::OutOfRange,
                format!("`{text}` is out of range"),
                self.file,
                range,
            )
            .with_label(format!("expected a value in `{bounds}`"))
            .with_help(help),
        );
    }

    /// A duration that Kubernetes counts in whole seconds: E0316 for a fraction of a
    /// second, E0303 outside `min..max` seconds. A malformed one is reported already.
    fn check_seconds(&mut self, text: &str, min: u64, max: u64, range: TextRange) {
        let Ok(millis) = literal::parse_duration(text) else {
            return;
        };
        if millis % 1000 != 0 {
            self.report(
                Diagnostic::new(
                    Code::FractionalSeconds,
                    format!("`{text}` is not a whole number of seconds"),
                    self.file,
                    range,
                )
                .with_label("Kubernetes counts this duration in whole seconds")
                .with_help(format!(
                    "write whole seconds: `{}s`",
                    millis.div_ceil(1000).max(u128::from(min))
                )),
            );
            return;
        }
        let seconds = millis / 1000;
        if seconds < u128::from(min) || seconds > u128::from(max) {
            self.report(
                Diagnostic::new(
                    Code::OutOfRange,
                    format!("`{text}` is out of range"),
                    self.file,
                    range,
                )
                .with_label(format!("expected a duration in `{min}s..{max}s`"))
                .with_help(format!("use a duration from {min}s to {max}s")),
            );
        }
    }

    pub(super) fn check_format(&mut self, format: Format, text: &str, range: TextRange) {
        let diagnostic = match format {
            Format::Image => literal::check_image(text).err().map(|reason| {
                Diagnostic::new(
                    Code::InvalidImage,
                    format!("malformed image reference `{text}`"),
                    self.file,
                    range,
                )
                .with_label(reason)
                .with_help("write `[registry/]name[:tag][@digest]`, e.g. `ghcr.io/acme/api:1.4.2`")
            }),
            Format::Semver => literal::check_semver(text).err().map(|reason| {
                Diagnostic::new(Code::InvalidVersion, format!("malformed version `{text}`"), self.file, range)
                    .with_label(reason)
                    .with_help("use a semantic version `MAJOR.MINOR.PATCH`, e.g. `1.2.0`")
            }),
            Format::DnsLabel => literal::check_dns_label(text).err().map(|reason| {
                Diagnostic::new(
                    Code::PatternMismatch,
                    format!("`\"{text}\"` is not a valid DNS label"),
                    self.file,
                    range,
                )
                .with_label(reason)
                .with_help("use lower-case letters, digits and `-`, at most 63 characters, e.g. `shop-prod`")
            }),
            Format::Cron => schedule::check_cron(text).err().map(|reason| {
                Diagnostic::new(
                    Code::InvalidSchedule,
                    format!("malformed schedule `{text}`"),
                    self.file,
                    range,
                )
                .with_label(reason)
                .with_help(schedule::CRON_HELP)
            }),
            Format::TimeZone => schedule::check_time_zone(text).err().map(|reason| {
                let help = match schedule::closest_time_zone(text) {
                    Some(zone) => format!("did you mean `\"{zone}\"`?"),
                    None => "name a zone of the IANA database: `\"Europe/Amsterdam\"`, `\"America/New_York\"`, `\"UTC\"`".to_string(),
                };
                Diagnostic::new(
                    Code::UnknownTimeZone,
                    format!("unknown time zone `{text}`"),
                    self.file,
                    range,
                )
                .with_label(reason)
                .with_help(help)
            }),
        };
        if let Some(diagnostic) = diagnostic {
            self.report(diagnostic);
        }
    }
}
