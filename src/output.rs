//! Writing a build's output: all of it, or none of it.
//!
//! A build is written part by part (one [`Tree`] per environment, as soon as it is
//! rendered) into a fresh sibling directory ([`Staging`], `.<out>.tmp-<pid>` next to
//! `--out`), and swapped in once complete: the old output is renamed away, the new one
//! renamed in, the old one deleted. So:
//!
//! - a build that fails, at any point before the swap, leaves the previous output as it
//!   was (and removes its temporary directory);
//! - files an earlier build wrote that this one does not are gone;
//! - nothing is written outside `--out` but the two sibling directories of the swap.
//!
//! Two guards keep the swap from destroying what is not a build's output: [`destination`]
//! refuses `/`, the project directory and its ancestors; and an existing `--out` is
//! replaced only if it is empty or holds the [`MARKER`] file that every build writes.
//!
//! What the tools that apply the output keep inside it — Terraform's local state, under
//! `<env>/terraform/.state/` — is not a build's output: the caller names those
//! directories (relative to each environment's directory), and they are copied from the
//! old output into the new one before the swap, so that no build ever loses them.
//!
//! Durability: files are written without a flush each (thousands of `fsync`s would
//! dominate a large build); once all are written, one flush of the file system that
//! holds them ([`flush`]) makes them durable before the swap, so that even a power loss
//! cannot leave a half-written output in the place of a complete one.
//!
//! Invariants: every path in a [`Tree`] is relative and made only of normal components
//! (no `..`, no root, no `.`), checked before any of its files is written; directories
//! are created in path order, then files are written in parallel; when writes fail, the
//! error reported is that of the first failing path in path order.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

/// The file at the root of every output, that marks the directory as one plat may
/// replace.
pub const MARKER: &str = ".plat-build";

const MARKER_TEXT: &str = "This directory is written by `plat build` and replaced as a whole on every \
build.\nDo not edit it: change the .plat sources and build again.\n";

/// The files of one build: relative path (`/`-separated) → contents.
#[derive(Debug, Default)]
pub struct Tree {
    files: BTreeMap<String, Vec<u8>>,
}

impl Tree {
    /// Adds a file; a second file at the same path replaces the first.
    pub fn insert(&mut self, path: String, contents: impl Into<Vec<u8>>) {
        self.files.insert(path, contents.into());
    }
}

/// Refuses an output directory whose replacement would destroy the project: `/`, the
/// project's directory, or one of its ancestors.
pub fn destination(out: &Path, project_root: &Path) -> Result<(), String> {
    let out = resolved(out)?;
    let root = resolved(project_root)?;
    if out.parent().is_none() {
        return Err(format!(
            "refusing to build into `{}`: it is the root of the file system",
            out.display()
        ));
    }
    if out == root {
        return Err(format!(
            "refusing to build into `{}`: it is the project's own directory, and a build \
             replaces its output directory as a whole",
            out.display()
        ));
    }
    if root.starts_with(&out) {
        return Err(format!(
            "refusing to build into `{}`: it contains the project (`{}`), and a build \
             replaces its output directory as a whole",
            out.display(),
            root.display()
        ));
    }
    Ok(())
}

/// Writes `tree` as the new contents of `out`, atomically (see the module docs),
/// keeping the directories `kept` (relative to each top-level directory of `out`) of
/// the previous output.
pub fn write(out: &Path, tree: &Tree, kept: &[&str]) -> Result<(), String> {
    let mut staging = Staging::begin(out)?;
    staging.add(tree)?;
    staging.finish(kept)
}

/// A build's output being written: a fresh sibling directory of `--out` that parts of
/// the build are added to as they are rendered, swapped in place of `--out` by
/// [`Staging::finish`]. Dropped without finishing, it removes what it wrote and leaves
/// `--out` as it was.
pub struct Staging {
    out: PathBuf,
    parent: PathBuf,
    name: String,
    directory: PathBuf,
    /// Whether `out` exists and is replaced.
    replaced: bool,
    /// The directories created so far.
    created: BTreeSet<PathBuf>,
    finished: bool,
}

impl Staging {
    /// Checks that `out` may be replaced and creates the staging directory.
    pub fn begin(out: &Path) -> Result<Staging, String> {
        let out = std::path::absolute(out)
            .map_err(|error| format!("cannot resolve `{}`: {error}", out.display()))?;
        let (parent, name) = split(&out)?;
        fs::create_dir_all(&parent)
            .map_err(|error| format!("cannot create `{}`: {error}", parent.display()))?;
        let replaced = existing_output(&out)?;
        let directory = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        if directory.exists() {
            fs::remove_dir_all(&directory)
                .map_err(|error| format!("cannot remove `{}`: {error}", directory.display()))?;
        }
        let mut staging = Staging {
            out,
            parent,
            name,
            directory,
            replaced,
            created: BTreeSet::new(),
            finished: false,
        };
        create_dir(&staging.directory)?;
        write_file(&staging.directory.join(MARKER), MARKER_TEXT.as_bytes())?;
        staging.created.insert(PathBuf::new());
        Ok(staging)
    }

    /// Writes the files of `tree` (a part of the build) into the staging directory:
    /// its paths are checked before anything is written, its directories created in
    /// path order, its files written in parallel.
    pub fn add(&mut self, tree: &Tree) -> Result<(), String> {
        for path in tree.files.keys() {
            safe_relative(path)?;
        }
        let directories: BTreeSet<&Path> = tree
            .files
            .keys()
            .filter_map(|path| Path::new(path).parent())
            .collect();
        for directory in directories {
            if !self.created.contains(directory) {
                create_dir(&self.directory.join(directory))?;
                self.created.insert(directory.to_path_buf());
            }
        }
        let results: Vec<Result<(), String>> = tree
            .files
            .par_iter()
            .map(|(path, contents)| write_file(&self.directory.join(path), contents))
            .collect();
        results.into_iter().collect::<Result<(), String>>()
    }

    /// Keeps the tool state of the previous output, makes everything durable, and swaps
    /// the staging directory in place of `--out`.
    pub fn finish(mut self, kept: &[&str]) -> Result<(), String> {
        if self.replaced {
            keep_tool_state(&self.out, &self.directory, kept)?;
        }
        flush(&self.directory)?;
        swap(
            &self.directory,
            &self.out,
            &self.parent,
            &self.name,
            self.replaced,
        )?;
        self.finished = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.finished {
            let _ = fs::remove_dir_all(&self.directory);
        }
    }
}

/// Whether `out` exists (and may be replaced); an error if it must not be.
fn existing_output(out: &Path) -> Result<bool, String> {
    let metadata = match fs::symlink_metadata(out) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(error) => return Err(format!("cannot read `{}`: {error}", out.display())),
    };
    if !metadata.is_dir() {
        return Err(format!(
            "refusing to build into `{}`: it exists and is not a directory",
            out.display()
        ));
    }
    let mut entries =
        fs::read_dir(out).map_err(|error| format!("cannot read `{}`: {error}", out.display()))?;
    if entries.next().is_some() && !out.join(MARKER).is_file() {
        return Err(format!(
            "refusing to replace `{}`: it is not empty and was not written by `plat build` \
             (it has no `{MARKER}` file); choose another `--out`, or empty it first",
            out.display()
        ));
    }
    Ok(true)
}

/// Makes everything written under `staging` durable: one `syncfs` of its file system.
#[cfg(target_os = "linux")]
fn flush(staging: &Path) -> Result<(), String> {
    use std::os::fd::AsRawFd;
    let directory = fs::File::open(staging)
        .map_err(|error| format!("cannot open `{}`: {error}", staging.display()))?;
    // SAFETY: `syncfs` only reads the descriptor, which stays open during the call.
    let status = unsafe { libc::syncfs(directory.as_raw_fd()) };
    if status == 0 {
        Ok(())
    } else {
        Err(format!(
            "cannot flush `{}`: {}",
            staging.display(),
            std::io::Error::last_os_error()
        ))
    }
}

/// Makes everything written under `staging` durable: a flush of every file.
#[cfg(not(target_os = "linux"))]
fn flush(staging: &Path) -> Result<(), String> {
    fn files(directory: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
        let entries = fs::read_dir(directory)
            .map_err(|error| format!("cannot read `{}`: {error}", directory.display()))?;
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
                files(&path, out)?;
            } else {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut written = Vec::new();
    files(staging, &mut written)?;
    let results: Vec<Result<(), String>> = written
        .par_iter()
        .map(|path| {
            fs::File::open(path)
                .and_then(|file| file.sync_all())
                .map_err(|error| format!("cannot flush `{}`: {error}", path.display()))
        })
        .collect();
    results.into_iter().collect()
}

/// Copies every kept directory of every environment of `previous` into `staging`.
fn keep_tool_state(previous: &Path, staging: &Path, kept: &[&str]) -> Result<(), String> {
    let environments = fs::read_dir(previous)
        .map_err(|error| format!("cannot read `{}`: {error}", previous.display()))?;
    let mut environments: Vec<PathBuf> = environments
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_dir()))
        .map(|entry| entry.path())
        .collect();
    environments.sort();
    for environment in environments {
        let Some(name) = environment.file_name() else {
            continue;
        };
        for kept in kept {
            let from = environment.join(kept);
            if fs::symlink_metadata(&from).is_ok_and(|metadata| metadata.is_dir()) {
                copy_tree(&from, &staging.join(name).join(kept))?;
            }
        }
    }
    Ok(())
}

/// Copies a directory recursively; symbolic links are copied as links, never followed.
fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    create_dir(to)?;
    let entries =
        fs::read_dir(from).map_err(|error| format!("cannot read `{}`: {error}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|error| format!("cannot read `{}`: {error}", from.display()))?;
        let source = entry.path();
        let target = to.join(entry.file_name());
        let kind = entry
            .file_type()
            .map_err(|error| format!("cannot read `{}`: {error}", source.display()))?;
        if kind.is_dir() {
            copy_tree(&source, &target)?;
        } else if kind.is_symlink() {
            copy_link(&source, &target)?;
        } else {
            fs::copy(&source, &target)
                .map_err(|error| format!("cannot copy `{}`: {error}", source.display()))?;
        }
    }
    Ok(())
}

#[cfg(unix)]
fn copy_link(source: &Path, target: &Path) -> Result<(), String> {
    let link = fs::read_link(source)
        .map_err(|error| format!("cannot read `{}`: {error}", source.display()))?;
    std::os::unix::fs::symlink(link, target)
        .map_err(|error| format!("cannot create `{}`: {error}", target.display()))
}

#[cfg(not(unix))]
fn copy_link(source: &Path, _target: &Path) -> Result<(), String> {
    Err(format!(
        "cannot keep `{}`: it is a symbolic link",
        source.display()
    ))
}

/// Puts `staging` in the place of `out`, and deletes the old output.
fn swap(
    staging: &Path,
    out: &Path,
    parent: &Path,
    name: &str,
    replaced: bool,
) -> Result<(), String> {
    if !replaced {
        return rename(staging, out);
    }
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    if old.exists() {
        fs::remove_dir_all(&old)
            .map_err(|error| format!("cannot remove `{}`: {error}", old.display()))?;
    }
    rename(out, &old)?;
    if let Err(error) = rename(staging, out) {
        // Put the previous output back; if even that fails, say where it is.
        return match fs::rename(&old, out) {
            Ok(()) => Err(error),
            Err(_) => Err(format!(
                "{error}; the previous output is in `{}`",
                old.display()
            )),
        };
    }
    // The new output is in place; an old one that cannot be removed is only clutter.
    if let Err(error) = fs::remove_dir_all(&old) {
        eprintln!(
            "warning: cannot remove the previous output `{}`: {error}",
            old.display()
        );
    }
    Ok(())
}

fn rename(from: &Path, to: &Path) -> Result<(), String> {
    fs::rename(from, to).map_err(|error| {
        format!(
            "cannot move `{}` to `{}`: {error}",
            from.display(),
            to.display()
        )
    })
}

fn create_dir(path: &Path) -> Result<(), String> {
    fs::create_dir_all(path).map_err(|error| format!("cannot create `{}`: {error}", path.display()))
}

/// Writes a whole file in one call (see the module docs for when it is flushed).
fn write_file(path: &Path, contents: &[u8]) -> Result<(), String> {
    fs::write(path, contents).map_err(|error| format!("cannot write `{}`: {error}", path.display()))
}

/// The parent directory and the file name of an absolute path.
fn split(out: &Path) -> Result<(PathBuf, String), String> {
    match (out.parent(), out.file_name()) {
        (Some(parent), Some(name)) => {
            Ok((parent.to_path_buf(), name.to_string_lossy().into_owned()))
        }
        _ => Err(format!(
            "refusing to build into `{}`: it has no parent directory",
            out.display()
        )),
    }
}

/// A relative path of the tree, checked: only normal components.
fn safe_relative(path: &str) -> Result<(), String> {
    let ok = !path.is_empty()
        && Path::new(path)
            .components()
            .all(|component| matches!(component, Component::Normal(_)))
        && path != MARKER;
    if ok {
        Ok(())
    } else {
        Err(format!(
            "internal error: an artefact has the unsafe path `{path}`"
        ))
    }
}

/// `path` made absolute, with `..` and symbolic links resolved as far as it exists and
/// the rest (which does not exist) resolved lexically.
fn resolved(path: &Path) -> Result<PathBuf, String> {
    let absolute = std::path::absolute(path)
        .map_err(|error| format!("cannot resolve `{}`: {error}", path.display()))?;
    let components: Vec<Component<'_>> = absolute.components().collect();
    for split in (1..=components.len()).rev() {
        let (existing, rest) = components.split_at(split);
        let Ok(mut result) = existing.iter().collect::<PathBuf>().canonicalize() else {
            continue;
        };
        for component in rest {
            match component {
                Component::ParentDir => {
                    result.pop();
                }
                Component::Normal(name) => result.push(name),
                _ => {}
            }
        }
        return Ok(result);
    }
    Ok(absolute)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEPT: &[&str] = &["terraform/.state"];

    fn tree(files: &[(&str, &str)]) -> Tree {
        let mut tree = Tree::default();
        for (path, contents) in files {
            tree.insert(path.to_string(), contents.as_bytes());
        }
        tree
    }

    fn read(path: &Path) -> String {
        fs::read_to_string(path).unwrap_or_default()
    }

    #[test]
    fn writes_replaces_and_removes_stale_files() {
        let temp = tempfile::tempdir().expect("temp dir");
        let out = temp.path().join("out");
        write(
            &out,
            &tree(&[("dev/a.txt", "1"), ("dev/old.txt", "x")]),
            KEPT,
        )
        .expect("first");
        write(&out, &tree(&[("dev/a.txt", "2")]), KEPT).expect("second");
        assert_eq!(read(&out.join("dev/a.txt")), "2");
        assert!(!out.join("dev/old.txt").exists());
        assert!(out.join(MARKER).is_file());
        let siblings: Vec<_> = fs::read_dir(temp.path())
            .expect("list")
            .filter_map(Result::ok)
            .map(|entry| entry.file_name())
            .collect();
        assert_eq!(siblings, ["out"], "no temporary directory is left behind");
    }

    #[test]
    fn a_build_stopped_before_it_finishes_leaves_the_previous_output() {
        let temp = tempfile::tempdir().expect("temp dir");
        let out = temp.path().join("out");
        write(&out, &tree(&[("dev/a.txt", "1")]), KEPT).expect("first");
        {
            let mut staging = Staging::begin(&out).expect("begin");
            staging.add(&tree(&[("dev/a.txt", "2")])).expect("one part");
            // A later part fails (an unsafe path): the build stops here.
            assert!(staging.add(&tree(&[("../b", "3")])).is_err());
        }
        assert_eq!(read(&out.join("dev/a.txt")), "1");
        let siblings: Vec<_> = fs::read_dir(temp.path())
            .expect("list")
            .filter_map(Result::ok)
            .map(|entry| entry.file_name())
            .collect();
        assert_eq!(siblings, ["out"], "the staging directory is removed");
    }

    #[test]
    fn keeps_terraform_state_across_builds() {
        let temp = tempfile::tempdir().expect("temp dir");
        let out = temp.path().join("out");
        write(
            &out,
            &tree(&[("dev/terraform/shared/main.tf.json", "{}")]),
            KEPT,
        )
        .expect("first");
        let state = out.join("dev/terraform/.state/shared.tfstate");
        fs::create_dir_all(state.parent().expect("parent")).expect("mkdir");
        fs::write(&state, "state").expect("state");
        write(&out, &tree(&[("other/x", "1")]), KEPT).expect("second");
        assert_eq!(read(&state), "state");
        assert!(!out.join("dev/terraform/shared").exists());
    }

    #[test]
    fn refuses_to_replace_a_directory_it_did_not_write() {
        let temp = tempfile::tempdir().expect("temp dir");
        let out = temp.path().join("docs");
        fs::create_dir_all(&out).expect("mkdir");
        fs::write(out.join("notes.md"), "mine").expect("write");
        let error = write(&out, &tree(&[("dev/a", "1")]), KEPT).expect_err("refused");
        assert!(error.contains("not written by `plat build`"), "{error}");
        assert_eq!(read(&out.join("notes.md")), "mine");
    }

    #[test]
    fn refuses_unsafe_paths_before_writing_anything() {
        let temp = tempfile::tempdir().expect("temp dir");
        let out = temp.path().join("out");
        for path in ["../escape", "/abs", "a/../../b", "", MARKER] {
            assert!(write(&out, &tree(&[(path, "1")]), KEPT).is_err(), "{path}");
        }
        assert!(!out.exists());
    }

    #[test]
    fn refuses_the_project_its_ancestors_and_the_root() {
        let temp = tempfile::tempdir().expect("temp dir");
        let project = temp.path().join("project");
        fs::create_dir_all(&project).expect("mkdir");
        assert!(destination(&project, &project).is_err());
        assert!(destination(&project.join(".."), &project).is_err());
        assert!(destination(temp.path(), &project).is_err());
        assert!(destination(Path::new("/"), &project).is_err());
        assert!(destination(&project.join("out"), &project).is_ok());
        assert!(destination(&project.join("out/../.."), &project).is_err());
        assert!(destination(&temp.path().join("elsewhere"), &project).is_ok());
    }
}
