//! `plat.toml`: a project's name and version, what it leaves out, the platform it runs
//! on, the standard library it was written for, and the packages it depends on.
//!
//! Invariants: parsing never fails: a manifest that is not valid TOML or not of this
//! shape is reported (E0505) and read as empty; each dependency that is not well formed
//! is reported (E0516) and left out, the others are kept. Every diagnostic points into
//! the manifest's text. Dependencies are sorted by name.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::{Code, Diagnostic};
use crate::file::SourceFile;
use crate::span::TextRange;

/// The name of the manifest, at a project's root.
pub const MANIFEST: &str = "plat.toml";

/// The name under which the standard library is pinned: `std = "^2"`.
pub const STD: &str = "std";

/// A manifest, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    pub name: Option<String>,
    /// The project's own version, which packages that depend on it require.
    pub version: Option<semver::Version>,
    /// Where the version is written.
    pub version_at: Option<TextRange>,
    /// Paths, relative to the root, of files or directories to leave out.
    pub exclude: Vec<String>,
    /// The dependency whose environments the project's workloads run in.
    pub platform: Option<Named>,
    /// The versions of the standard library the project was written for.
    pub std: Option<Requirement>,
    /// Sorted by name.
    pub dependencies: Vec<Dependency>,
}

/// A name written in the manifest, with where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub name: String,
    pub range: TextRange,
}

/// A version requirement written in the manifest (`^1.2`), with where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub requirement: semver::VersionReq,
    pub range: TextRange,
}

/// One entry of `[dependencies]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    /// The package's name, which its own manifest declares and imports use.
    pub name: String,
    pub source: Source,
    pub version: Option<Requirement>,
    /// Where the entry is written.
    pub range: TextRange,
}

/// Where a dependency comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// A directory, relative to the directory of the manifest that names it.
    Path(String),
    /// A git repository (a URL, or a local path relative to the manifest's directory)
    /// at a reference.
    Git {
        url: String,
        reference: GitReference,
    },
}

/// Which revision of a git repository.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GitReference {
    Tag(String),
    Branch(String),
    /// A commit, by its hash or a prefix of it.
    Rev(String),
    /// The repository's default branch.
    DefaultBranch,
}

impl GitReference {
    /// As written in a manifest or a lock: `tag = "v1.2.0"`.
    pub fn describe(&self) -> String {
        match self {
            GitReference::Tag(tag) => format!("tag `{tag}`"),
            GitReference::Branch(branch) => format!("branch `{branch}`"),
            GitReference::Rev(rev) => format!("revision `{rev}`"),
            GitReference::DefaultBranch => "its default branch".to_string(),
        }
    }
}

impl Source {
    /// In words, for messages: `the directory ../platform`, `git ../platform.git, tag v1`.
    pub fn describe(&self) -> String {
        match self {
            Source::Path(path) => format!("the directory `{path}`"),
            Source::Git { url, reference } => format!("`{url}` at {}", reference.describe()),
        }
    }
}

/// The manifest as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    project: RawProject,
    #[serde(default)]
    dependencies: BTreeMap<String, Spanned<RawDependency>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProject {
    name: Option<Spanned<String>>,
    version: Option<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<String>,
    platform: Option<Spanned<String>>,
}

/// `name = "^1"` (the standard library only) or `name = { ... }`.
#[derive(Debug)]
enum RawDependency {
    Version(String),
    Table(RawTable),
}

impl<'de> Deserialize<'de> for RawDependency {
    // By hand rather than `untagged`, which would lose the positions of the table's
    // values.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RawDependency;

            fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
                formatter.write_str("a table such as `{ path = \"../platform\" }`")
            }

            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<RawDependency, E> {
                Ok(RawDependency::Version(value.to_string()))
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<RawDependency, A::Error> {
                RawTable::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(RawDependency::Table)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    path: Option<String>,
    git: Option<String>,
    tag: Option<String>,
    branch: Option<String>,
    rev: Option<String>,
    version: Option<Spanned<String>>,
}

/// What the manifest `file` says, and what is wrong with it.
pub fn parse(file: SourceFile, text: &str) -> (Manifest, Vec<Diagnostic>) {
    let raw = match toml::from_str::<Raw>(text) {
        Ok(raw) => raw,
        Err(error) => {
            let range = error
                .span()
                .map(TextRange::from)
                .unwrap_or_else(|| TextRange::empty(0));
            let diagnostic = Diagnostic::new(
                Code::InvalidManifest,
                format!("invalid `{MANIFEST}`: {}", error.message().trim_end()),
                file,
                range,
            )
            .with_help(
                "`plat.toml` may hold `[project]` with `name`, `version`, `platform` and \
                 `exclude`, and `[dependencies]` (see docs/packages.md)",
            );
            return (Manifest::default(), vec![diagnostic]);
        }
    };
    let mut checker = Checker {
        file,
        diagnostics: Vec::new(),
    };
    let manifest = checker.manifest(raw);
    (manifest, checker.diagnostics)
}

struct Checker {
    file: SourceFile,
    diagnostics: Vec<Diagnostic>,
}

impl Checker {
    fn manifest(&mut self, raw: Raw) -> Manifest {
        let version_at = raw
            .project
            .version
            .as_ref()
            .map(|version| TextRange::from(version.span()));
        let version = raw.project.version.and_then(|version| {
            let range = TextRange::from(version.span());
            match semver::Version::parse(version.get_ref()) {
                Ok(parsed) => Some(parsed),
                Err(error) => {
                    self.report(
                        Diagnostic::new(
                            Code::InvalidManifest,
                            format!(
                                "invalid `{MANIFEST}`: `{}` is not a version: {error}",
                                version.get_ref()
                            ),
                            self.file,
                            range,
                        )
                        .with_label("not MAJOR.MINOR.PATCH")
                        .with_help("write the project's version as `version = \"1.2.0\"`"),
                    );
                    None
                }
            }
        });
        if let Some(name) = &raw.project.name {
            self.check_name(name);
        }
        let mut manifest = Manifest {
            name: raw.project.name.map(Spanned::into_inner),
            version,
            version_at,
            exclude: raw.project.exclude,
            platform: raw.project.platform.map(|platform| Named {
                range: TextRange::from(platform.span()),
                name: platform.into_inner(),
            }),
            std: None,
            dependencies: Vec::new(),
        };
        for (name, entry) in raw.dependencies {
            let range = TextRange::from(entry.span());
            match entry.into_inner() {
                RawDependency::Version(version) if name == STD => {
                    manifest.std = self.requirement(&version, range);
                }
                RawDependency::Version(_) => self.invalid(
                    &name,
                    range,
                    "a dependency is a directory or a git repository",
                    format!(
                        "write `{name} = {{ path = \"../{name}\" }}` or `{name} = {{ git = \"URL\", tag = \"v1.0.0\" }}`"
                    ),
                ),
                RawDependency::Table(_) if name == STD => self.invalid(
                    &name,
                    range,
                    "the standard library is built into plat: only its version can be required",
                    "write `std = \"^2\"`".to_string(),
                ),
                RawDependency::Table(table) => {
                    if let Some(dependency) = self.dependency(name, table, range) {
                        manifest.dependencies.push(dependency);
                    }
                }
            }
        }
        manifest
    }

    /// E0505 when the project's `name` is not a label value: it is the value of the
    /// `app.kubernetes.io/part-of` label of every object plat writes.
    fn check_name(&mut self, name: &Spanned<String>) {
        let Err(reason) = crate::kube::label_value(name.get_ref()) else {
            return;
        };
        let help = format!(
            "the name is the value of the label `app.kubernetes.io/part-of`: at most 63 \
             letters, digits, `-`, `_` and `.`, e.g. `name = \"{}\"`",
            crate::kube::to_label_value(name.get_ref())
        );
        self.report(
            Diagnostic::new(
                Code::InvalidManifest,
                format!("invalid `{MANIFEST}`: the project name is not a valid label value"),
                self.file,
                TextRange::from(name.span()),
            )
            .with_label(reason)
            .with_help(help),
        );
    }

    fn dependency(
        &mut self,
        name: String,
        table: RawTable,
        range: TextRange,
    ) -> Option<Dependency> {
        if !is_package_name(&name) {
            self.invalid(
                &name,
                range,
                &format!("a package's name is {PACKAGE_NAME_RULE}"),
                "use the name the package declares in its own `plat.toml`".to_string(),
            );
            return None;
        }
        let source = self.source(&name, &table, range)?;
        let version = match table.version {
            Some(version) => {
                let at = TextRange::from(version.span());
                Some(self.requirement(version.get_ref(), at)?)
            }
            None => None,
        };
        Some(Dependency {
            name,
            source,
            version,
            range,
        })
    }

    fn source(&mut self, name: &str, table: &RawTable, range: TextRange) -> Option<Source> {
        let references: Vec<GitReference> = [
            table.tag.clone().map(GitReference::Tag),
            table.branch.clone().map(GitReference::Branch),
            table.rev.clone().map(GitReference::Rev),
        ]
        .into_iter()
        .flatten()
        .collect();
        match (&table.path, &table.git) {
            (Some(_), Some(_)) => {
                self.invalid(
                    name,
                    range,
                    "a dependency has either `path` or `git`, not both",
                    "keep the one it comes from".to_string(),
                );
                None
            }
            (None, None) => {
                self.invalid(
                    name,
                    range,
                    "a dependency needs `path` or `git`",
                    format!(
                        "write `{name} = {{ path = \"../{name}\" }}` or `{name} = {{ git = \"URL\", tag = \"v1.0.0\" }}`"
                    ),
                );
                None
            }
            (Some(_), None) if !references.is_empty() => {
                self.invalid(
                    name,
                    range,
                    "`tag`, `branch` and `rev` name a revision of a git repository",
                    "leave them out of a `path` dependency, or use `git`".to_string(),
                );
                None
            }
            (Some(path), None) if path.trim().is_empty() => {
                self.invalid(
                    name,
                    range,
                    "the `path` is empty",
                    format!("name the directory of the package: `path = \"../{name}\"`"),
                );
                None
            }
            (Some(path), None) => Some(Source::Path(path.clone())),
            (None, Some(url)) => {
                if url.trim().is_empty() || url.starts_with('-') {
                    self.invalid(
                        name,
                        range,
                        "the `git` repository is not a URL or a path",
                        "write the repository's URL, or the path of a local repository".to_string(),
                    );
                    return None;
                }
                let reference = match references.as_slice() {
                    [] => GitReference::DefaultBranch,
                    [one] if reference_text(one).is_some_and(is_valid_reference) => one.clone(),
                    [_] => {
                        self.invalid(
                            name,
                            range,
                            "the `tag`, `branch` or `rev` is not a valid git reference",
                            "write the tag, branch or commit as git names it, such as `tag = \"v1.2.0\"`"
                                .to_string(),
                        );
                        return None;
                    }
                    _ => {
                        self.invalid(
                            name,
                            range,
                            "a dependency names one revision: `tag`, `branch` or `rev`",
                            "keep one of them".to_string(),
                        );
                        return None;
                    }
                };
                Some(Source::Git {
                    url: url.clone(),
                    reference,
                })
            }
        }
    }

    fn requirement(&mut self, text: &str, range: TextRange) -> Option<Requirement> {
        match semver::VersionReq::parse(text) {
            Ok(requirement) => Some(Requirement { requirement, range }),
            Err(error) => {
                self.report(
                    Diagnostic::new(
                        Code::InvalidDependency,
                        format!("`{text}` is not a version requirement: {error}"),
                        self.file,
                        range,
                    )
                    .with_label("not a version requirement")
                    .with_help(
                        "write a requirement as Cargo does: `^1.2` (1.2 or later, before 2), `~1.2.3`, `=1.2.3`, `>=1.2, <3`",
                    ),
                );
                None
            }
        }
    }

    fn invalid(&mut self, name: &str, range: TextRange, why: &str, help: String) {
        self.report(
            Diagnostic::new(
                Code::InvalidDependency,
                format!("invalid dependency `{name}`: {why}"),
                self.file,
                range,
            )
            .with_label("this dependency")
            .with_help(help),
        );
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }
}

fn reference_text(reference: &GitReference) -> Option<&str> {
    match reference {
        GitReference::Tag(text) | GitReference::Branch(text) | GitReference::Rev(text) => {
            Some(text)
        }
        GitReference::DefaultBranch => None,
    }
}

/// A tag, branch or commit that git can be asked for without it being read as an
/// option or a range: not empty, no leading `-`, no whitespace, control characters,
/// `..`, `:`, `^`, `~`, `?`, `*`, `[` or `\`.
pub fn is_valid_reference(reference: &str) -> bool {
    !reference.is_empty()
        && !reference.starts_with('-')
        && !reference.contains("..")
        && !reference.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(c, ':' | '^' | '~' | '?' | '*' | '[' | '\\')
        })
}

/// E1009 when the manifest in `file` requires a version of the standard library that
/// this plat's is not.
pub fn std_mismatch(manifest: &Manifest, file: SourceFile) -> Option<Diagnostic> {
    let required = manifest.std.as_ref()?;
    let version = semver::Version::parse(crate::stdlib::VERSION).ok()?;
    if required.requirement.matches(&version) {
        return None;
    }
    Some(
        Diagnostic::new(
            Code::StdVersionMismatch,
            format!(
                "the standard library of this plat is version {version}, which `{}` does not admit",
                required.requirement
            ),
            file,
            required.range,
        )
        .with_label(format!("requires the standard library {}", required.requirement))
        .with_help(format!(
            "use a plat whose standard library the requirement admits, or adapt the project to {version} (docs/stdlib.md lists what changed) and require `^{}.{}`",
            version.major, version.minor
        )),
    )
}

/// The names `[dependencies]` lists in the manifest `text`, however well formed their
/// entries; none when it is not TOML.
pub fn declared_names(text: &str) -> std::collections::BTreeSet<String> {
    toml::from_str::<toml::Table>(text)
        .ok()
        .and_then(|table| table.get("dependencies")?.as_table().cloned())
        .map(|dependencies| dependencies.keys().cloned().collect())
        .unwrap_or_default()
}

/// `value` as a TOML string, quoted and escaped.
pub fn quote(value: &str) -> String {
    toml::Value::String(value.to_string()).to_string()
}

/// What a package's name is, for messages.
pub const PACKAGE_NAME_RULE: &str = "a letter, then letters, digits, `_` or `-`, ending with \
     a letter or a digit, at most 63 characters";

/// A package's name: an identifier of the language, so that imports can name it, and
/// a label value, since it is the `app.kubernetes.io/part-of` label of the objects of
/// the application it is (what the NetworkPolicies of calls between applications
/// select).
pub fn is_package_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && crate::kube::label_value(name).is_ok()
        && name != STD
}

#[cfg(test)]
mod tests {
    use super::is_package_name;

    #[test]
    fn a_package_name_is_an_identifier_and_a_label_value() {
        for name in ["payments", "shop_platform", "payments-api", "a", "v2"] {
            assert!(is_package_name(name), "{name}");
        }
        let long = "a".repeat(64);
        // Not identifiers, not label values (`_shop`, `shop-`), or the standard library.
        for name in [
            "", "_shop", "shop-", "shop_", "2shop", "my.shop", "My Shop", "std",
        ] {
            assert!(!is_package_name(name), "{name}");
        }
        assert!(is_package_name(&long[..63]));
        assert!(!is_package_name(&long));
    }
}
