//! The catalogue: the self-service documentation of a platform's offerings, as plain
//! data; what its pages say ([`pages`], as [`document`] trees); and how they are
//! written as Markdown ([`markdown`]) and HTML ([`html`]).
//!
//! For every offering the project declares, imports from the standard library, or
//! binds in some environment, the catalogue holds its doc comment, version, params,
//! outputs and implementations (with their own params and the environments that
//! select each one), and, per environment, the workloads that use it.
//!
//! Invariants:
//!
//! - everything is read through the earlier layers' queries
//!   ([`crate::names::project_index`], [`crate::names::file_scope`],
//!   [`crate::types::offering_signature`], [`crate::resolve::resolve_project`]); nothing
//!   is parsed or checked again. [`build`] is meant for projects without errors (the
//!   command line refuses the others); on any project it returns without panicking;
//! - the result is deterministic: offerings are sorted by name (the project's before the
//!   standard library's of the same name), environments and workloads by name, params
//!   and outputs in declaration order; every file name ([`OfferingEntry::slug`]) is
//!   unique, made of identifier characters, and never `index`;
//! - the catalogue holds declarations and names only, never a resolved value, so no
//!   secret can reach it (defaults are the text written in the offering).

pub(crate) mod document;
pub mod html;
pub mod markdown;
pub(crate) mod pages;

use std::collections::{BTreeMap, BTreeSet};

use crate::names::{DeclRef, NameKind, ProjectIndex, Resolver, file_scope, project_index};
use crate::resolve::model::{InstanceId, Owner, ResolvedEnvironment};
use crate::source::{Db, Origin, Project};
use crate::syntax::ast::Member;
use crate::types::schema::Provisioner;
use crate::types::signature::{ImplSig, OfferingSig, ParamSig, offering_signature};

/// The file stem of the index page (`index.md`, `index.html`).
pub const INDEX: &str = "index";

/// The catalogue of one project.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Catalog {
    pub project: String,
    /// The project's environments, sorted by name.
    pub environments: Vec<String>,
    /// Sorted by (name, origin): the project's own before the standard library's.
    pub offerings: Vec<OfferingEntry>,
}

/// Where an offering is declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeclaredIn {
    /// A file of the project, by its path relative to the root.
    Project(String),
    /// A module of the standard library: `postgres` for `std.postgres`.
    Std(String),
    /// A package the project depends on, by its name.
    Package(String),
}

/// One offering, as users of the platform see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferingEntry {
    pub name: String,
    /// The file stem of its pages: unique in the catalogue, never [`INDEX`].
    pub slug: String,
    pub declared_in: DeclaredIn,
    pub doc: Option<String>,
    pub version: Option<String>,
    pub params: Vec<Field>,
    pub outputs: Vec<OutputEntry>,
    pub implementations: Vec<ImplementationEntry>,
    /// Per environment that uses the offering, who uses it; sorted by environment.
    pub usage: Vec<EnvironmentUsage>,
}

/// A param of an offering or an implementation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    /// The type as plat prints it: `"small" | "medium" | "large"`.
    pub ty: String,
    /// The default as written.
    pub default: Option<String>,
    pub required: bool,
    pub doc: Option<String>,
}

/// An output of an offering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputEntry {
    pub name: String,
    pub ty: String,
    pub secret: bool,
    pub doc: Option<String>,
}

/// An implementation of an offering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImplementationEntry {
    pub name: String,
    /// `terraform`, `kubernetes`, ... (`None` if it does not name a known one).
    pub provisioner: Option<String>,
    /// The Terraform module source, when it is a literal.
    pub source: Option<String>,
    /// The Terraform module version, when it is a literal.
    pub module_version: Option<String>,
    pub doc: Option<String>,
    pub params: Vec<Field>,
    /// The environments that select it, sorted.
    pub environments: Vec<String>,
}

/// Who uses an offering in one environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvironmentUsage {
    pub environment: String,
    /// The implementation bound there.
    pub implementations: Vec<String>,
    /// Sorted by (workload, instance).
    pub uses: Vec<Usage>,
}

/// One workload's use of a resource instance.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Usage {
    pub workload: String,
    /// The workload's name for it (`db`), or, for an instance an implementation
    /// needs, `None`.
    pub resource: Option<String>,
    /// The instance's id: `api.db`, `shared_db`.
    pub instance: InstanceId,
    /// Whether the instance is shared by the environment.
    pub shared: bool,
}

/// The identity of an offering: its namespace and name.
type Key = (Origin, String);

/// Builds the catalogue of a project named `name`.
pub fn build(db: &dyn Db, project: Project, name: &str) -> Catalog {
    let index = project_index(db, project);
    let resolved = crate::resolve::resolve_project(db, project);
    let decls = offerings(db, project, index, &resolved.environments);
    let by_name = names_to_keys(&decls);
    let selections = selections(db, project, index, &resolved.environments, &by_name);
    let usage = usage(&resolved.environments, &by_name);
    let slugs = slugs(&decls);
    let offerings = decls
        .iter()
        .filter_map(|(key, decl)| {
            let sig = offering_signature(db, project, decl)?;
            Some(entry(
                db,
                project,
                decl,
                sig,
                slugs.get(key).cloned().unwrap_or_default(),
                &selections,
                usage.get(key).cloned().unwrap_or_default(),
            ))
        })
        .collect();
    Catalog {
        project: name.to_string(),
        environments: resolved
            .environments
            .iter()
            .map(|environment| environment.name.clone())
            .collect(),
        offerings,
    }
}

/// The offerings in the catalogue: the project's own, those its files import, and
/// those bound in some environment (an implementation may need one nobody imports).
fn offerings<'db>(
    db: &'db dyn Db,
    project: Project,
    index: &'db ProjectIndex,
    environments: &[ResolvedEnvironment],
) -> BTreeMap<Key, &'db DeclRef> {
    let mut found: BTreeMap<Key, &DeclRef> = BTreeMap::new();
    let mut add = |decl: &'db DeclRef| {
        if decl.kind == NameKind::Offering {
            found
                .entry((decl.origin, decl.name.clone()))
                .or_insert(decl);
        }
    };
    index
        .project_names_of(NameKind::Offering)
        .for_each(&mut add);
    for &file in project.files(db) {
        if file.origin(db) == Origin::Project {
            let scope = file_scope(db, project, file);
            scope
                .imports
                .values()
                .for_each(|binding| add(&binding.target));
        }
    }
    for instance in environments.iter().flat_map(|env| &env.instances) {
        let own = index.project_decl(&instance.offering);
        if own.is_none_or(|decl| decl.kind != NameKind::Offering)
            && let Some(decl) = index.std_decl(&instance.offering)
        {
            add(decl);
        }
    }
    found
}

/// An offering's name → its key, the project's declaration first: the names a
/// resolved instance carries (names clash across namespaces only in a project that
/// has errors).
fn names_to_keys(decls: &BTreeMap<Key, &DeclRef>) -> BTreeMap<String, Key> {
    let mut keys = BTreeMap::new();
    for key in decls.keys() {
        keys.entry(key.1.clone()).or_insert_with(|| key.clone());
    }
    keys
}

/// Which environments select each implementation: those whose `use` names it, and
/// those where an instance is bound to it.
fn selections(
    db: &dyn Db,
    project: Project,
    index: &ProjectIndex,
    environments: &[ResolvedEnvironment],
    by_name: &BTreeMap<String, Key>,
) -> BTreeMap<(Key, String), BTreeSet<String>> {
    let mut selected: BTreeMap<(Key, String), BTreeSet<String>> = BTreeMap::new();
    for decl in index.project_names_of(NameKind::Environment) {
        let Some(syntax) = decl.declaration(db) else {
            continue;
        };
        let resolver = Resolver::new(db, decl.file, index, file_scope(db, project, decl.file));
        for member in &syntax.body.members {
            let Member::Use(site) = member else { continue };
            let [offering, implementation] = site.target.segments.as_slice() else {
                continue;
            };
            if let Some(found) = resolver.lookup(&offering.name) {
                let key = (found.decl.origin, found.decl.name.clone());
                selected
                    .entry((key, implementation.name.clone()))
                    .or_default()
                    .insert(decl.name.clone());
            }
        }
    }
    for env in environments {
        for instance in &env.instances {
            if let Some(key) = by_name.get(&instance.offering) {
                selected
                    .entry((key.clone(), instance.implementation.clone()))
                    .or_default()
                    .insert(env.name.clone());
            }
        }
    }
    selected
}

/// What [`usage`] collects per offering and environment: the implementations bound
/// and the uses.
type Collected = (BTreeSet<String>, BTreeSet<Usage>);

/// Per offering, per environment, the workloads that use its instances.
fn usage(
    environments: &[ResolvedEnvironment],
    by_name: &BTreeMap<String, Key>,
) -> BTreeMap<Key, Vec<EnvironmentUsage>> {
    let mut usage: BTreeMap<Key, BTreeMap<String, Collected>> = BTreeMap::new();
    for env in environments {
        for instance in &env.instances {
            let Some(key) = by_name.get(&instance.offering) else {
                continue;
            };
            let (implementations, uses) = usage
                .entry(key.clone())
                .or_default()
                .entry(env.name.clone())
                .or_default();
            implementations.insert(instance.implementation.clone());
            uses.extend(users(env, &instance.id, &instance.owner));
        }
    }
    usage
        .into_iter()
        .map(|(key, environments)| {
            let environments = environments
                .into_iter()
                .map(|(environment, (implementations, uses))| EnvironmentUsage {
                    environment,
                    implementations: implementations.into_iter().collect(),
                    uses: uses.into_iter().collect(),
                })
                .collect();
            (key, environments)
        })
        .collect()
}

/// The workloads that use the instance `id` of an environment: its owner, or, for a
/// shared one, every workload that binds it.
fn users(env: &ResolvedEnvironment, id: &InstanceId, owner: &Owner) -> Vec<Usage> {
    let shared = *owner == Owner::Environment;
    env.workloads
        .iter()
        .filter_map(|workload| {
            let resource = workload
                .resources
                .iter()
                .find(|(_, instance)| *instance == id)
                .map(|(local, _)| local.clone());
            let owns = matches!(owner, Owner::Workload(name) if *name == workload.name);
            (resource.is_some() || owns).then(|| Usage {
                workload: workload.name.clone(),
                resource,
                instance: id.clone(),
                shared,
            })
        })
        .collect()
}

/// A file stem per offering: its name, unless that is taken (by [`INDEX`], or by a
/// project offering of the same name), then `std-<name>` or `offering-<name>`.
fn slugs(decls: &BTreeMap<Key, &DeclRef>) -> BTreeMap<Key, String> {
    let mut taken: BTreeSet<String> = BTreeSet::from([INDEX.to_string()]);
    let mut slugs = BTreeMap::new();
    for key in decls.keys() {
        let prefix = match key.0 {
            Origin::Project => "offering",
            Origin::Std => "std",
            Origin::Package(_) => "package",
        };
        let mut slug = key.1.clone();
        let mut attempt = 1;
        while taken.contains(&slug) {
            slug = match attempt {
                1 => format!("{prefix}-{}", key.1),
                n => format!("{prefix}-{}-{n}", key.1),
            };
            attempt += 1;
        }
        taken.insert(slug.clone());
        slugs.insert(key.clone(), slug);
    }
    slugs
}

/// The entry of one offering.
fn entry(
    db: &dyn Db,
    project: Project,
    decl: &DeclRef,
    sig: &OfferingSig,
    slug: String,
    selections: &BTreeMap<(Key, String), BTreeSet<String>>,
    usage: Vec<EnvironmentUsage>,
) -> OfferingEntry {
    let index = crate::names::project_index(db, project);
    let key = (decl.origin, decl.name.clone());
    let declared_in = match decl.origin {
        Origin::Project => DeclaredIn::Project(decl.file.path(db).clone()),
        Origin::Std => DeclaredIn::Std(
            index
                .std_module_of(decl.file)
                .unwrap_or(decl.name.as_str())
                .to_string(),
        ),
        Origin::Package(_) => DeclaredIn::Package(
            project
                .package(db, decl.origin)
                .map(|package| package.name.clone())
                .unwrap_or_default(),
        ),
    };
    let implementations = sig
        .implementations
        .iter()
        .map(|imp| {
            let environments = selections
                .get(&(key.clone(), imp.name.clone()))
                .map(|set| set.iter().cloned().collect())
                .unwrap_or_default();
            implementation(db, project, decl, imp, environments)
        })
        .collect();
    OfferingEntry {
        name: decl.name.clone(),
        slug,
        declared_in,
        doc: sig.doc.clone(),
        version: sig.version.clone(),
        params: sig.params.iter().map(field).collect(),
        outputs: sig.outputs.iter().map(output).collect(),
        implementations,
        usage,
    }
}

fn field(param: &ParamSig) -> Field {
    Field {
        name: param.name.clone(),
        ty: param.ty.to_string(),
        default: param.default.clone(),
        required: param.required,
        doc: param.doc.clone(),
    }
}

fn output(output: &ParamSig) -> OutputEntry {
    OutputEntry {
        name: output.name.clone(),
        ty: output.ty.to_string(),
        secret: output.ty.is_secret(),
        doc: output.doc.clone(),
    }
}

fn implementation(
    db: &dyn Db,
    project: Project,
    decl: &DeclRef,
    imp: &ImplSig,
    environments: Vec<String>,
) -> ImplementationEntry {
    let terraform = imp.provisioner == Some(Provisioner::Terraform);
    let literal = |name: &str| {
        terraform
            .then(|| module_attribute(db, project, decl, &imp.name, name))
            .flatten()
    };
    ImplementationEntry {
        name: imp.name.clone(),
        provisioner: imp
            .provisioner
            .map(|provisioner| provisioner.name().to_string()),
        source: literal("source"),
        module_version: literal("version"),
        doc: imp.doc.clone(),
        params: imp.params.iter().map(field).collect(),
        environments,
    }
}

/// A string attribute of an implementation (`source`, `version` of a Terraform
/// module), when it is a literal without interpolation.
fn module_attribute(
    db: &dyn Db,
    project: Project,
    decl: &DeclRef,
    implementation: &str,
    name: &str,
) -> Option<String> {
    let offering = crate::lowered::lowered_file(db, project, decl.file).offering(decl)?;
    let fields = &offering.implementation(db, implementation)?.fields;
    let value = match name {
        "source" => fields.source,
        _ => fields.version,
    }?;
    let crate::lowered::Expr::Str(parts) = offering.exprs.get(value) else {
        return None;
    };
    parts
        .iter()
        .map(|part| match part {
            crate::lowered::Part::Text(text) => Some(text.as_str()),
            crate::lowered::Part::Interpolation(_) => None,
        })
        .collect()
}

/// The paragraphs of a doc comment (separated by blank lines), each with its lines
/// joined by spaces.
pub fn paragraphs(doc: &str) -> Vec<String> {
    let mut paragraphs = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in doc.lines().map(str::trim) {
        if line.is_empty() {
            if !current.is_empty() {
                paragraphs.push(current.join(" "));
                current.clear();
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        paragraphs.push(current.join(" "));
    }
    paragraphs
}

/// The first paragraph of a doc comment, for summaries.
pub fn summary(doc: Option<&str>) -> String {
    doc.and_then(|doc| paragraphs(doc).into_iter().next())
        .unwrap_or_default()
}

/// A piece of doc text: plain text, or the inside of a `code` span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span<'a> {
    Text(&'a str),
    Code(&'a str),
}

/// Splits text at single backticks into plain text and code spans; a backtick
/// without a closing one is plain text.
pub fn spans(text: &str) -> Vec<Span<'_>> {
    let mut spans = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('`') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('`') else { break };
        if open > 0 {
            spans.push(Span::Text(&rest[..open]));
        }
        spans.push(Span::Code(&after[..close]));
        rest = &after[close + 1..];
    }
    if !rest.is_empty() {
        spans.push(Span::Text(rest));
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_split_code_and_keep_unclosed_backticks() {
        assert_eq!(
            spans("use `db.host` and ` alone"),
            [
                Span::Text("use "),
                Span::Code("db.host"),
                Span::Text(" and ` alone")
            ]
        );
    }

    #[test]
    fn paragraphs_are_separated_by_blank_lines() {
        assert_eq!(paragraphs("a\nb\n\n c\n"), ["a b", "c"]);
        assert_eq!(summary(None), "");
    }
}
