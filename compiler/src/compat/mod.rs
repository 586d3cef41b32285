//! Compatibility between two versions of a package (`plat semver`): what changed in
//! what it offers, which changes break those who depend on it, whom they break, and
//! whether the versions say so.
//!
//! The layer is split by concept: [`api`] (what a package offers, read from its
//! declarations), [`compare`] (the changes between two APIs, breaking or not, and the
//! version they need), [`usage`] (the workloads and environments a change breaks).
//!
//! Invariants: a package and each of its offerings must be versioned by semantic
//! versioning: a breaking change since the old version without the next major version
//! (the next minor before 1.0.0) is E1007, with the breaking changes and what they
//! break; a compatible change without a new version is W1008. Versions that do not
//! parse are not judged (`E0310` and `E0505` report them).

pub mod api;
pub mod compare;
pub mod usage;

use crate::diagnostic::{Code, Diagnostic, Label};
use crate::source::{Db, Origin, Project};

use api::PackageApi;
use compare::{Change, Comparison};
use usage::Changed;

/// One version of a package, loaded.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub project: Project,
    pub name: &'a str,
    pub version: Option<&'a semver::Version>,
}

/// A project that depends on the package: its workloads and environments are the
/// ones a change may break.
#[derive(Clone, Copy)]
pub struct Dependent<'a> {
    pub project: Project,
    pub name: &'a str,
}

/// A change, and what it breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    /// The offering it is a change of; `None` for the environments'.
    pub offering: Option<String>,
    pub change: Change,
    /// "`web` reads `search.endpoint` (storefront)".
    pub breaks: Vec<String>,
}

/// What changed in one offering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferingReport {
    pub name: String,
    pub old_version: Option<semver::Version>,
    pub new_version: Option<semver::Version>,
    /// The smallest version its changes allow.
    pub needed: Option<semver::Version>,
    pub changes: Vec<Judged>,
}

/// Everything `plat semver` reports.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Report {
    pub offerings: Vec<OfferingReport>,
    /// Changes of the environments and their shared resources.
    pub environments: Vec<Judged>,
    /// The smallest version of the package its changes allow.
    pub needed: Option<semver::Version>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Compares `old` with `new`; `version_at` is where `new`'s manifest writes its
/// version, `dependents` the projects whose breakage is named (`new` itself is one).
pub fn report(
    db: &dyn Db,
    old: Side<'_>,
    new: Side<'_>,
    version_at: Option<Label>,
    dependents: &[Dependent<'_>],
) -> Report {
    let before: PackageApi = api::api(db, old.project, old.name);
    let after: PackageApi = api::api(db, new.project, new.name);
    let comparison: Comparison = compare::compare(&before, &after);
    let judge = |change: &Change, offering: Option<&str>| Judged {
        offering: offering.map(str::to_string),
        change: change.clone(),
        breaks: if change.is_breaking() {
            breakage(db, new, dependents, change, offering)
        } else {
            Vec::new()
        },
    };
    let mut report = Report::default();
    for offering in &comparison.offerings {
        let old_version = offering.old.as_ref().and_then(|api| api.version.clone());
        let new_version = offering.new.as_ref().and_then(|api| api.version.clone());
        let changes: Vec<&Change> = offering.changes.iter().collect();
        let needed = old_version
            .as_ref()
            .and_then(|old| compare::needed(old, &changes));
        let judged = OfferingReport {
            name: offering.name.clone(),
            old_version,
            new_version,
            needed,
            changes: offering
                .changes
                .iter()
                .map(|change| judge(change, Some(&offering.name)))
                .collect(),
        };
        if let Some(at) = offering.new.as_ref().map(|api| api.version_at.clone())
            && let Some(diagnostic) = judge_version(
                &format!("the offering `{}`", offering.name),
                &judged,
                at,
                false,
            )
        {
            report.diagnostics.push(diagnostic);
        }
        report.offerings.push(judged);
    }
    report.environments = comparison
        .environments
        .iter()
        .map(|change| judge(change, None))
        .collect();
    let all: Vec<&Change> = comparison.all_changes().collect();
    report.needed = old
        .version
        .and_then(|version| compare::needed(version, &all));
    if let Some(at) = version_at {
        let package = OfferingReport {
            name: new.name.to_string(),
            old_version: old.version.cloned(),
            new_version: new.version.cloned(),
            needed: report.needed.clone(),
            changes: report
                .offerings
                .iter()
                .flat_map(|offering| offering.changes.iter().cloned())
                .chain(report.environments.iter().cloned())
                .collect(),
        };
        if let Some(diagnostic) =
            judge_version(&format!("the package `{}`", new.name), &package, at, true)
        {
            report.diagnostics.push(diagnostic);
        }
    }
    report
}

/// What `change` breaks in `new` and in `dependents`; `offering` is the offering it is
/// a change of (none for a change of the environments).
fn breakage(
    db: &dyn Db,
    new: Side<'_>,
    dependents: &[Dependent<'_>],
    change: &Change,
    offering: Option<&str>,
) -> Vec<String> {
    let mut found = Vec::new();
    let own = Dependent {
        project: new.project,
        name: new.name,
    };
    for dependent in std::iter::once(&own).chain(dependents) {
        let origin = if std::ptr::eq(dependent, &own) {
            Some(Origin::Project)
        } else {
            dependent.project.package_origin(db, new.name)
        };
        let Some(origin) = origin else { continue };
        let broken = match offering {
            Some(offering) => {
                usage::broken_by(db, dependent.project, Changed { origin, offering }, change)
            }
            None if origin != Origin::Project => {
                usage::broken_by_environments(db, dependent.project, change)
            }
            None => Vec::new(),
        };
        found.extend(
            broken
                .into_iter()
                .map(|broken| format!("{broken} in `{}`", dependent.name)),
        );
    }
    found
}

/// E1007 or W1008 when `judged`'s new version is not one its changes allow; `what` is
/// "the offering `search`" or "the package `shop_platform`", whose changes name their
/// offerings (`named`).
fn judge_version(
    what: &str,
    judged: &OfferingReport,
    at: Label,
    named: bool,
) -> Option<Diagnostic> {
    let describe = |judged: &Judged| match (&judged.offering, named) {
        (Some(offering), true) => format!("`{offering}`: {}", judged.change.describe()),
        _ => judged.change.describe(),
    };
    let (old, new, needed) = (
        judged.old_version.as_ref()?,
        judged.new_version.as_ref()?,
        judged.needed.as_ref()?,
    );
    if new >= needed {
        return None;
    }
    let breaking: Vec<&Judged> = judged
        .changes
        .iter()
        .filter(|judged| judged.change.is_breaking())
        .collect();
    if breaking.is_empty() {
        let changes: Vec<String> = judged.changes.iter().map(describe).collect();
        return Some(
            Diagnostic::new(
                Code::ChangeWithoutVersion,
                format!("{what} {new} adds to what {old} offered, without a new minor version"),
                at.file,
                at.range,
            )
            .with_label(format!("these changes need {needed}"))
            .with_help(format!(
                "{}: make the version {needed}, so that who depends on it sees the change",
                changes.join("; ")
            )),
        );
    }
    let changes: Vec<String> = breaking
        .iter()
        .map(|judged| match judged.breaks.as_slice() {
            [] => describe(judged),
            broken => format!("{} (it breaks: {})", describe(judged), broken.join(", ")),
        })
        .collect();
    Some(
        Diagnostic::new(
            Code::BreakingChangeWithoutMajor,
            format!("{what} {new} breaks what {old} offered, without a major version"),
            at.file,
            at.range,
        )
        .with_label(format!("must be {needed} or later"))
        .with_help(format!(
            "{}; make the version {needed}, so that `version = \"^{}.{}\"` keeps who depends on it on {old}",
            changes.join("; "),
            old.major,
            old.minor
        )),
    )
}
