//! Probes (`liveness`, `readiness`, `startup`) and handlers (`pre_stop`) as the
//! Kubernetes API server accepts them.
//!
//! Invariants: each record literal written for a probe or handler (directly, or as a
//! branch of an `if` or an arm of a `match`) does exactly one thing: for a probe one of
//! [`schema::PROBE_ACTIONS`], for a handler one of [`schema::HANDLER_ACTIONS`]; an HTTP
//! GET has a `port`; the fields of one action (`port`, `headers`, `scheme` of an HTTP
//! GET, `service` of a gRPC check) appear only with it; header names are HTTP tokens;
//! and a `liveness` or `startup` probe has a `success_threshold` of 1. Each problem is
//! one E0313 where it is written; other problems of the record (unknown fields, types)
//! are the record check's.

use crate::diagnostic::{Code, Diagnostic, Label};
use crate::syntax::ast::{Attribute, Expr, RecordEntry};
use crate::types::checker::Checker;
use crate::types::schema;

/// What is written: a probe (and which) or a handler.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Liveness,
    Readiness,
    Startup,
    PreStop,
}

impl Place {
    fn of(field: &str) -> Option<Place> {
        match field {
            "liveness" => Some(Place::Liveness),
            "readiness" => Some(Place::Readiness),
            "startup" => Some(Place::Startup),
            "pre_stop" => Some(Place::PreStop),
            _ => None,
        }
    }

    fn actions(self) -> &'static [&'static str] {
        match self {
            Place::PreStop => schema::HANDLER_ACTIONS,
            _ => schema::PROBE_ACTIONS,
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Place::PreStop => "handler",
            _ => "probe",
        }
    }

    fn example(self) -> &'static str {
        match self {
            Place::PreStop => {
                "`sleep = 5s`, `exec = [\"/app/drain\"]` or `path = \"/drain\", port = 8080`"
            }
            _ => {
                "`path = \"/healthz\", port = 8080`, `grpc = 9090`, `tcp = 5432` or `exec = [\"/app/check\"]`"
            }
        }
    }
}

/// The fields that belong to one action only: the field and its action.
const ACTION_FIELDS: &[(&str, &str)] = &[
    ("port", "path"),
    ("headers", "path"),
    ("scheme", "path"),
    ("service", "grpc"),
];

/// What each action is called in messages.
fn action_noun(action: &str) -> &'static str {
    match action {
        "path" => "an HTTP GET (`path`)",
        "grpc" => "a gRPC health check (`grpc`)",
        "tcp" => "a TCP connection (`tcp`)",
        "sleep" => "a `sleep`",
        _ => "a command (`exec`)",
    }
}

impl Checker<'_> {
    /// E0313 for the probes and handlers among a container's `attributes`.
    pub(crate) fn check_probes(&mut self, attributes: &[&Attribute]) {
        for attribute in attributes {
            if let Some(place) = Place::of(&attribute.name.name) {
                self.check_probe_expr(&attribute.name.name, &attribute.value, place);
            }
        }
    }

    /// The record literals that `expr` may be, each checked; bounded by the checker's
    /// depth limit.
    fn check_probe_expr(&mut self, field: &str, expr: &Expr, place: Place) {
        if !self.enter() {
            return;
        }
        match expr {
            Expr::Record { entries, range } => {
                self.check_probe_record(field, entries, *range, place)
            }
            Expr::If {
                then_branch,
                else_branch,
                ..
            } => {
                self.check_probe_expr(field, then_branch, place);
                self.check_probe_expr(field, else_branch, place);
            }
            Expr::Match { arms, .. } => {
                for arm in arms {
                    self.check_probe_expr(field, &arm.value, place);
                }
            }
            _ => {}
        }
        self.leave();
    }

    fn check_probe_record(
        &mut self,
        field: &str,
        entries: &[RecordEntry],
        range: crate::span::TextRange,
        place: Place,
    ) {
        let entry = |key: &str| entries.iter().find(|entry| entry.key.text() == key);
        let actions: Vec<&RecordEntry> = entries
            .iter()
            .filter(|entry| place.actions().contains(&entry.key.text()))
            .collect();
        let action = match actions.as_slice() {
            [] => {
                self.report(
                    Diagnostic::new(
                        Code::InvalidProbe,
                        format!("the {} `{field}` does nothing", place.noun()),
                        self.file,
                        range,
                    )
                    .with_label(format!("no {}", suggest_actions(place)))
                    .with_help(format!("give it one action: {}", place.example())),
                );
                return;
            }
            [only] => only.key.text(),
            [first, second, ..] => {
                self.report(
                    Diagnostic::new(
                        Code::InvalidProbe,
                        format!(
                            "the {} `{field}` does two things: `{}` and `{}`",
                            place.noun(),
                            first.key.text(),
                            second.key.text()
                        ),
                        self.file,
                        second.key.range(),
                    )
                    .with_label(format!("{} as well", action_noun(second.key.text())))
                    .with_secondary(
                        Label::new(self.file, first.key.range())
                            .with_message(format!("{} here", action_noun(first.key.text()))),
                    )
                    .with_help(format!(
                        "keep one of them: a {} does one thing",
                        place.noun()
                    )),
                );
                return;
            }
        };
        for (stray, owner) in ACTION_FIELDS {
            if *owner == action || !place.actions().contains(owner) {
                continue;
            }
            if let Some(entry) = entry(stray) {
                self.report(
                    Diagnostic::new(
                        Code::InvalidProbe,
                        format!("`{stray}` belongs to {}", action_noun(owner)),
                        self.file,
                        entry.key.range(),
                    )
                    .with_label(format!("this {} is {}", place.noun(), action_noun(action)))
                    .with_help(format!("remove `{stray}`")),
                );
            }
        }
        if action == "path" && entry("port").is_none() {
            self.report(
                Diagnostic::new(
                    Code::InvalidProbe,
                    format!("the HTTP GET of `{field}` has no `port`"),
                    self.file,
                    range,
                )
                .with_label("an HTTP GET needs the port it is sent to")
                .with_help("add `port = ...`, a port the container declares"),
            );
        }
        if let Some(headers) = entry("headers") {
            self.check_header_names(&headers.value);
        }
        if matches!(place, Place::Liveness | Place::Startup)
            && let Some(threshold) = entry("success_threshold")
            && let Expr::Int { value, range } = threshold.value
            && value != 1
        {
            self.report(
                Diagnostic::new(
                    Code::InvalidProbe,
                    format!("the `success_threshold` of `{field}` is {value}"),
                    self.file,
                    range,
                )
                .with_label(format!("a `{field}` probe succeeds at its first success"))
                .with_help("remove `success_threshold`, or set it to 1"),
            );
        }
    }

    /// E0313 for each header name of a literal that is not an HTTP token.
    fn check_header_names(&mut self, headers: &Expr) {
        let Expr::Record { entries, .. } = headers else {
            return;
        };
        for entry in entries {
            let name = entry.key.text();
            let valid =
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            if !valid {
                self.report(
                    Diagnostic::new(
                        Code::InvalidProbe,
                        format!("`{name}` is not an HTTP header name"),
                        self.file,
                        entry.key.range(),
                    )
                    .with_label("letters, digits and `-` only")
                    .with_help("write the header's name, such as `X-Probe`"),
                );
            }
        }
    }
}

/// The actions of `place`, for a label: "`path`, `grpc`, `tcp` or `exec`".
fn suggest_actions(place: Place) -> String {
    crate::names::suggest::one_of(place.actions())
}
