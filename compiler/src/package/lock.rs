//! `plat.lock`: the exact dependencies of a project, every package of its graph once.
//!
//! Invariants: a lock names each package once, sorted by name, each with where it
//! comes from (a directory, or a git repository at the exact commit it was fetched at,
//! with the hash of its content) and the names of the packages it depends on, every one
//! of them in the lock too. Paths and local repositories are relative to the project's
//! root. The text is canonical: [`Lock::to_text`] of a parsed lock is the text that was
//! parsed, when it was written by plat. `plat check` reads only what the lock names.

use serde::{Deserialize, Serialize};

use super::manifest::{GitReference, Source};

/// The name of the lock, at a project's root.
pub const LOCK_FILE: &str = "plat.lock";

/// The lock format this version of plat writes and reads.
pub const FORMAT: u32 = 1;

const HEADER: &str = "\
# The exact dependencies of this project, written by `plat fetch`, `plat update` and
# `plat add`. Commit it: `plat check` and `plat build` read only what it names.
";

/// A lock.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    pub version: u32,
    /// Sorted by name.
    #[serde(default, rename = "package", skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<LockedPackage>,
}

/// One package of the graph.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockedPackage {
    pub name: String,
    /// The version its manifest declares, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// A directory, relative to the project's root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// A git repository: a URL, or a path relative to the project's root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rev: Option<String>,
    /// The commit a git package was fetched at: 40 hexadecimal digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// The hash of a git package's content ([`super::hash`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    /// The names of the packages it depends on, sorted.
    #[serde(default)]
    pub dependencies: Vec<String>,
}

/// Why a lock cannot be read, and where in its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockError {
    pub message: String,
    pub range: Option<std::ops::Range<usize>>,
}

impl Lock {
    /// An empty lock of the current format.
    pub fn new() -> Lock {
        Lock {
            version: FORMAT,
            packages: Vec::new(),
        }
    }

    /// The lock in `text`, checked.
    pub fn parse(text: &str) -> Result<Lock, LockError> {
        let lock: Lock = toml::from_str(text).map_err(|error| LockError {
            message: error.message().trim_end().to_string(),
            range: error.span(),
        })?;
        lock.validate()?;
        Ok(lock)
    }

    fn validate(&self) -> Result<(), LockError> {
        let fail = |message: String| {
            Err(LockError {
                message,
                range: None,
            })
        };
        if self.version != FORMAT {
            return fail(format!(
                "format {} is not one this plat reads (it reads format {FORMAT})",
                self.version
            ));
        }
        for pair in self.packages.windows(2) {
            if let [a, b] = pair
                && a.name >= b.name
            {
                return fail(format!(
                    "packages are not sorted by name, or `{}` is listed twice",
                    b.name
                ));
            }
        }
        for package in &self.packages {
            package.validate()?;
            for dependency in &package.dependencies {
                if self.package(dependency).is_none() {
                    return fail(format!(
                        "`{}` depends on `{dependency}`, which the lock does not list",
                        package.name
                    ));
                }
            }
        }
        Ok(())
    }

    /// The package `name`.
    pub fn package(&self, name: &str) -> Option<&LockedPackage> {
        self.packages
            .binary_search_by(|package| package.name.as_str().cmp(name))
            .ok()
            .and_then(|at| self.packages.get(at))
    }

    /// The lock in its canonical text.
    pub fn to_text(&self) -> String {
        let mut lock = self.clone();
        lock.packages.sort_by(|a, b| a.name.cmp(&b.name));
        for package in &mut lock.packages {
            package.dependencies.sort();
            package.dependencies.dedup();
        }
        // Serializing plain strings and lists cannot fail.
        let body = toml::to_string(&lock).unwrap_or_default();
        format!("{HEADER}{body}")
    }
}

impl LockedPackage {
    /// A package that `source` names, without revision, hash or dependencies.
    pub fn new(name: &str, version: Option<String>, source: &Source) -> LockedPackage {
        let mut package = LockedPackage {
            name: name.to_string(),
            version,
            ..LockedPackage::default()
        };
        match source {
            Source::Path(path) => package.path = Some(path.clone()),
            Source::Git { url, reference } => {
                package.git = Some(url.clone());
                match reference {
                    GitReference::Tag(tag) => package.tag = Some(tag.clone()),
                    GitReference::Branch(branch) => package.branch = Some(branch.clone()),
                    GitReference::Rev(rev) => package.rev = Some(rev.clone()),
                    GitReference::DefaultBranch => {}
                }
            }
        }
        package
    }

    /// Where it comes from, relative to the project's root.
    pub fn source(&self) -> Option<Source> {
        match (&self.path, &self.git) {
            (Some(path), None) => Some(Source::Path(path.clone())),
            (None, Some(url)) => {
                let reference = match (&self.tag, &self.branch, &self.rev) {
                    (Some(tag), None, None) => GitReference::Tag(tag.clone()),
                    (None, Some(branch), None) => GitReference::Branch(branch.clone()),
                    (None, None, Some(rev)) => GitReference::Rev(rev.clone()),
                    (None, None, None) => GitReference::DefaultBranch,
                    _ => return None,
                };
                Some(Source::Git {
                    url: url.clone(),
                    reference,
                })
            }
            _ => None,
        }
    }

    /// Whether it is fetched with git (and so has a revision and a hash).
    pub fn is_git(&self) -> bool {
        self.git.is_some()
    }

    fn validate(&self) -> Result<(), LockError> {
        let fail = |what: String| {
            Err(LockError {
                message: format!("the package `{}` {what}", self.name),
                range: None,
            })
        };
        if !super::manifest::is_package_name(&self.name) {
            return fail("has a name that is not a package name".to_string());
        }
        if self.source().is_none() {
            return fail(
                "needs exactly one of `path` and `git`, and at most one of `tag`, `branch` and `rev` with `git`"
                    .to_string(),
            );
        }
        if let Some(version) = &self.version
            && semver::Version::parse(version).is_err()
        {
            return fail(format!("has the version `{version}`, which is not one"));
        }
        match (self.is_git(), &self.revision, &self.hash) {
            (true, Some(revision), Some(hash)) => {
                if !is_revision(revision) {
                    return fail(format!(
                        "has the revision `{revision}`, which is not 40 hexadecimal digits"
                    ));
                }
                if !super::hash::is_hash(hash) {
                    return fail(format!(
                        "has the hash `{hash}`, which is not `sha256:` and 64 hexadecimal digits"
                    ));
                }
                Ok(())
            }
            (true, _, _) => {
                fail("is fetched with git but has no `revision` or no `hash`".to_string())
            }
            (false, None, None) => Ok(()),
            (false, _, _) => fail("is a directory: it has no `revision` and no `hash`".to_string()),
        }
    }
}

/// A full commit hash: 40 lower-case hexadecimal digits.
pub fn is_revision(text: &str) -> bool {
    super::hash::is_lower_hex(text, 40)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Lock {
        let mut platform = LockedPackage::new(
            "platform",
            Some("1.2.0".to_string()),
            &Source::Git {
                url: "../platform".to_string(),
                reference: GitReference::Tag("v1.2.0".to_string()),
            },
        );
        platform.revision = Some("0123456789abcdef0123456789abcdef01234567".to_string());
        platform.hash = Some(format!("sha256:{}", "ab".repeat(32)));
        let mut payments =
            LockedPackage::new("payments", None, &Source::Path("../payments".to_string()));
        payments.dependencies = vec!["platform".to_string()];
        Lock {
            version: FORMAT,
            packages: vec![platform, payments],
        }
    }

    #[test]
    fn a_lock_reads_back_as_written_and_its_text_is_canonical() {
        let text = sample().to_text();
        let parsed = Lock::parse(&text).unwrap();
        assert_eq!(parsed.packages.len(), 2);
        assert_eq!(parsed.packages[0].name, "payments");
        assert_eq!(parsed.to_text(), text);
    }

    #[test]
    fn a_lock_that_names_an_unknown_dependency_or_lacks_a_hash_is_refused() {
        let mut lock = sample();
        lock.packages[0].hash = None;
        assert!(Lock::parse(&lock.to_text()).is_err());
        let mut lock = sample();
        lock.packages[1].dependencies = vec!["nowhere".to_string()];
        let error = Lock::parse(&lock.to_text()).unwrap_err();
        assert!(error.message.contains("nowhere"), "{}", error.message);
    }
}
