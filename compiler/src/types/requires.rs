//! `requires = { postgres = "^1.2" }`: the versions of offerings a workload or an
//! environment was written for.
//!
//! Invariants: every key names an offering in scope (E0201, E0209 otherwise); every
//! value is a version requirement, as Cargo writes them (E0310 otherwise); the offering
//! the key names declares a version the requirement admits (E1006 otherwise), checked
//! where the requirement is written, against the declaration it resolves to (the
//! project's, a package's, or the standard library's).

use crate::diagnostic::{Code, Diagnostic, Label};
use crate::names::{Definition, NameKind, TargetKind};
use crate::syntax::ast::{Attribute, Expr, Ident, RecordKey};
use crate::types::checker::Checker;
use crate::types::signature::{literal_text, offering_signature};

/// The attribute that requires versions of offerings.
pub(crate) const REQUIRES: &str = "requires";

impl Checker<'_> {
    /// Checks `requires`, when `attributes` set it.
    pub(crate) fn check_requires(&mut self, attributes: &[&Attribute]) {
        let Some(attribute) = attributes
            .iter()
            .find(|attribute| attribute.name.name == REQUIRES)
        else {
            return;
        };
        // Its shape (a map of strings) is checked with the other fields.
        let Expr::Record { entries, .. } = &attribute.value else {
            return;
        };
        for entry in entries {
            let ident = match &entry.key {
                RecordKey::Ident(ident) => ident.clone(),
                RecordKey::String(string) => Ident {
                    name: string.value.clone(),
                    range: string.range,
                },
            };
            let Expr::String { parts, range } = &entry.value else {
                continue;
            };
            let Some(text) = literal_text(parts) else {
                continue;
            };
            self.check_requirement(&ident, &text, *range);
        }
    }

    fn check_requirement(&mut self, offering: &Ident, text: &str, range: crate::span::TextRange) {
        let mut diagnostics = Vec::new();
        let found = self.resolver.expect(
            offering,
            &[NameKind::Offering],
            "an offering",
            &mut diagnostics,
        );
        self.diagnostics.extend(diagnostics);
        let requirement = match semver::VersionReq::parse(text) {
            Ok(requirement) => requirement,
            Err(error) => {
                self.report(
                    Diagnostic::new(
                        Code::InvalidVersion,
                        format!("`{text}` is not a version requirement: {error}"),
                        self.file,
                        range,
                    )
                    .with_label("not a version requirement")
                    .with_help(
                        "write a requirement as Cargo does: `^1.2` (1.2 or later, before 2.0), `~1.2.3`, `=1.2.3`, `>=1.2, <3`",
                    ),
                );
                return;
            }
        };
        let Some(found) = found else { return };
        let decl = found.decl.clone();
        self.use_import(found.import);
        self.reference(
            offering.range,
            Some(Definition {
                file: decl.file,
                range: decl.name_range(self.db),
            }),
            TargetKind::Declaration(NameKind::Offering),
        );
        let Some(sig) = offering_signature(self.db, self.project, &decl) else {
            return;
        };
        let Some(version) = sig
            .version
            .as_deref()
            .and_then(|version| semver::Version::parse(version).ok())
        else {
            return;
        };
        if requirement.matches(&version) {
            return;
        }
        self.report(
            Diagnostic::new(
                Code::OfferingVersionMismatch,
                format!(
                    "`{}` is version {version}, which `{requirement}` does not admit",
                    offering.name
                ),
                self.file,
                range,
            )
            .with_label(format!("requires `{}` {requirement}", offering.name))
            .with_secondary(
                Label::new(decl.file, decl.name_range(self.db))
                    .with_message(format!("`{}` {version} is declared here", decl.name)),
            )
            .with_help(help(
                &offering.name,
                &version,
                &requirement,
                decl.origin == crate::source::Origin::Std,
            )),
        );
    }
}

/// What to do when `offering` is `version`, which `requirement` does not admit.
fn help(
    offering: &str,
    version: &semver::Version,
    requirement: &semver::VersionReq,
    std: bool,
) -> String {
    let older = requirement
        .comparators
        .iter()
        .any(|comparator| comparator.major > version.major);
    if older {
        format!(
            "`{offering}` {version} is older than this was written for: use a version of the platform (or of plat, for the standard library) that has a newer one, or require `^{}.{}`",
            version.major, version.minor
        )
    } else {
        let read = if std {
            "docs/stdlib.md lists what changed in the standard library"
        } else {
            "`plat semver OLD NEW` in the repository that declares it says what changed"
        };
        format!(
            "`{offering}` changed since this was written ({read}): adapt this declaration, then require `^{}.{}`",
            version.major, version.minor
        )
    }
}
