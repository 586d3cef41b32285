//! Running git: the one way plat reaches a repository, for `plat fetch`, `plat update`
//! and `plat add` only.
//!
//! Invariants: git is run as a separate program with its arguments never read as
//! options (a repository or a reference that starts with `-` is refused before, and
//! `--` separates the rest); it never prompts (a repository that needs credentials
//! the user's git does not have fails instead of waiting); what it writes goes into
//! the directories it is given, which the caller creates and removes. Its error is
//! reduced to its first line, for a diagnostic.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Stdio};

use plat_compiler::package::manifest::GitReference;

/// What a git command said when it failed: its first line of error output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitError(pub String);

/// Runs git with `args`; its standard output, or why it failed.
fn run<I, S>(args: I) -> Result<String, GitError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let output = Command::new("git")
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ASKPASS", "")
        .env("SSH_ASKPASS", "")
        .stdin(Stdio::null())
        .output()
        .map_err(|error| GitError(format!("cannot run `git`: {}", error.kind())))?;
    if output.status.success() {
        return Ok(String::from_utf8_lossy(&output.stdout).into_owned());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = stderr
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with("hint:"))
        .unwrap_or("git failed without saying why");
    let line = line.strip_prefix("fatal: ").unwrap_or(line);
    Err(GitError(crate::report::terminal::clean(line).into_owned()))
}

/// Clones the repository `url` (a URL or a local path) into `mirror`, bare.
pub fn clone_bare(url: &OsStr, mirror: &Path) -> Result<(), GitError> {
    run([
        OsStr::new("clone"),
        OsStr::new("--bare"),
        OsStr::new("--quiet"),
        OsStr::new("--"),
        url,
        mirror.as_os_str(),
    ])
    .map(drop)
}

/// The commit `reference` names in `mirror`: `None` when the repository has no such
/// tag, branch or commit.
pub fn resolve(mirror: &Path, reference: &GitReference) -> Result<Option<String>, GitError> {
    let spec = match reference {
        GitReference::Tag(tag) => format!("refs/tags/{tag}^{{commit}}"),
        GitReference::Branch(branch) => format!("refs/heads/{branch}^{{commit}}"),
        GitReference::Rev(rev) => format!("{rev}^{{commit}}"),
        GitReference::DefaultBranch => "HEAD^{commit}".to_string(),
    };
    rev_parse(&[git_dir(mirror)], &spec)
}

/// The commit `spec` names, in the repository the options `repository` select; `None`
/// when there is no such revision.
fn rev_parse(repository: &[std::ffi::OsString], spec: &str) -> Result<Option<String>, GitError> {
    let args = repository.iter().map(|arg| arg.as_os_str()).chain([
        OsStr::new("rev-parse"),
        OsStr::new("--verify"),
        OsStr::new("--quiet"),
        OsStr::new("--end-of-options"),
        OsStr::new(spec),
    ]);
    match run(args) {
        Ok(stdout) => Ok(Some(stdout.trim().to_string())),
        // `--verify --quiet` fails without a word when the name does not exist.
        Err(GitError(message)) if message == "git failed without saying why" => Ok(None),
        Err(error) => Err(error),
    }
}

/// Writes the files of `revision` of `mirror` into `destination`, which exists.
pub fn export(mirror: &Path, revision: &str, destination: &Path) -> Result<(), GitError> {
    let git_dir = git_dir(mirror);
    let mut work_tree = std::ffi::OsString::from("--work-tree=");
    work_tree.push(destination.as_os_str());
    run([
        git_dir.as_os_str(),
        work_tree.as_os_str(),
        OsStr::new("checkout"),
        OsStr::new("--quiet"),
        OsStr::new("--force"),
        OsStr::new(revision),
        OsStr::new("--"),
        OsStr::new("."),
    ])
    .map(drop)
}

/// The tags of `mirror`, newest version last.
pub fn tags(mirror: &Path) -> Vec<String> {
    let git_dir = git_dir(mirror);
    run([
        git_dir.as_os_str(),
        OsStr::new("tag"),
        OsStr::new("--list"),
        OsStr::new("--sort=version:refname"),
    ])
    .map(|stdout| stdout.lines().map(str::to_string).collect())
    .unwrap_or_default()
}

/// The commit `revision` names in the repository (a working copy) at `repository`.
pub fn commit_of(repository: &Path, revision: &str) -> Result<Option<String>, GitError> {
    let spec = format!("{revision}^{{commit}}");
    rev_parse(&["-C".into(), repository.as_os_str().to_owned()], &spec)
}

/// Writes the files of `commit` of the repository at `repository` into `destination`
/// (which must not exist), through a clone that shares the repository's objects and
/// leaves the repository itself untouched.
pub fn checkout_copy(repository: &Path, commit: &str, destination: &Path) -> Result<(), GitError> {
    run([
        OsStr::new("clone"),
        OsStr::new("--quiet"),
        OsStr::new("--shared"),
        OsStr::new("--no-checkout"),
        OsStr::new("--"),
        repository.as_os_str(),
        destination.as_os_str(),
    ])?;
    run([
        OsStr::new("-C"),
        destination.as_os_str(),
        OsStr::new("checkout"),
        OsStr::new("--quiet"),
        OsStr::new("--detach"),
        OsStr::new(commit),
    ])
    .map(drop)
}

/// `--git-dir=MIRROR`.
fn git_dir(mirror: &Path) -> std::ffi::OsString {
    let mut flag = std::ffi::OsString::from("--git-dir=");
    flag.push(mirror.as_os_str());
    flag
}
