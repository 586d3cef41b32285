//! Packages: the plat projects a project depends on.
//!
//! Plain data, read from text: [`manifest`] (`plat.toml`: a project's name, version,
//! platform and dependencies), [`lock`] (`plat.lock`: every package of the graph at an
//! exact revision) and [`hash`] (the hash of a package's content). Reading packages
//! from disk is [`crate::project`]'s; fetching them is the command line's.
//!
//! Invariants: where a package comes from is always said relative to the project's
//! root ([`rebase`]): a path or a local repository named by a package is rebased onto
//! the package's own directory, so that one package named from two places compares
//! equal. Fetched packages live under [`CACHE_DIRECTORY`] at the project's root, one
//! directory per package and revision ([`cache_directory`]), which the loader never
//! reads as the project's own files (it is hidden).

pub mod hash;
pub mod lock;
pub mod manifest;

use manifest::Source;

/// Where fetched packages are kept, relative to the project's root.
pub const CACHE_DIRECTORY: &str = ".plat";

/// Where the package `name` fetched at `revision` is kept, relative to the project's
/// root: `.plat/packages/platform-0123456789ab`.
pub fn cache_directory(name: &str, revision: &str) -> String {
    let short: String = revision.chars().take(12).collect();
    format!("{CACHE_DIRECTORY}/packages/{name}-{short}")
}

/// Whether a git repository is named by a URL (`https://…`, `ssh://…`, `file://…`,
/// `git@host:path`) rather than by a local path.
pub fn is_url(repository: &str) -> bool {
    if repository.contains("://") {
        return true;
    }
    // The scp-like form `[user@]host:path`: a colon before any slash, after more than
    // one character (so that a Windows drive letter is a path).
    match (repository.find(':'), repository.find('/')) {
        (Some(colon), slash) => colon > 1 && slash.is_none_or(|slash| colon < slash),
        (None, _) => false,
    }
}

/// `source`, declared by a package in the directory `base` (relative to the project's
/// root; empty for the project), relative to the project's root: paths and local
/// repositories are joined to `base` and normalised; URLs and absolute paths are kept.
pub fn rebase(base: &str, source: &Source) -> Source {
    match source {
        Source::Path(path) => Source::Path(join(base, path)),
        Source::Git { url, reference } if !is_url(url) => Source::Git {
            url: join(base, url),
            reference: reference.clone(),
        },
        Source::Git { .. } => source.clone(),
    }
}

/// `path` joined to `base` and normalised without touching the disk: `.` parts
/// dropped, `..` parts cancelling the part before them. An absolute `path` is kept.
pub fn join(base: &str, path: &str) -> String {
    if std::path::Path::new(path).is_absolute() {
        return path.to_string();
    }
    let absolute = base.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in base.split('/').chain(path.split('/')) {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|last| *last != "..") => {
                parts.pop();
            }
            ".." if absolute => {}
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_joined_and_normalised_without_the_disk() {
        assert_eq!(join("", "../platform"), "../platform");
        assert_eq!(join("../app", "../platform"), "../platform");
        assert_eq!(join("../app", "./lib/../platform/"), "../app/platform");
        assert_eq!(join("../../a", "../../b"), "../../../b");
        assert_eq!(join("", "."), ".");
        assert_eq!(join("vendor/x", "/srv/platform"), "/srv/platform");
        assert_eq!(join("/srv/app", "../../../platform"), "/platform");
    }

    #[test]
    fn urls_are_told_from_local_paths() {
        assert!(is_url("https://git.example.com/platform.git"));
        assert!(is_url("file:///srv/platform"));
        assert!(is_url("git@git.example.com:acme/platform.git"));
        assert!(!is_url("../platform"));
        assert!(!is_url("/srv/git/platform"));
        assert!(!is_url("C:/platform"));
        assert!(!is_url("dir/with:colon"));
    }
}
