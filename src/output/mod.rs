//! Writing an output directory (a build's, a catalogue's): all of it, or none of it,
//! and never anything plat did not write.
//!
//! An output is written part by part (one [`Tree`] per environment, as soon as it is
//! rendered) into a sibling staging directory, and swapped in once complete
//! ([`swap`] says how, and how an interrupted run is finished or undone). So:
//!
//! - a run that fails, or is killed, at any point leaves the previous output or the new
//!   one in place of `--out`, never neither; the next run cleans up what it left;
//! - files an earlier run wrote that this one does not are gone;
//! - what plat did not write is never deleted: in a build's output, what Terraform
//!   writes beside its root modules (`.terraform/`, `.terraform.lock.hcl`, plan files,
//!   local state an earlier plat kept there) is moved into the new output as it is;
//!   anything else plat did not write refuses the replacement ([`previous`]).
//!
//! Every output holds a marker file naming the command that wrote it and listing each
//! file it wrote with its sha256: `.plat-build` for `plat build`, `.plat-doc` for
//! `plat doc`. A command replaces only a directory that is empty or holds its own
//! marker, and deletes only the files that marker lists, with the bytes it lists; so
//! `plat doc` never replaces a build, and a marker copied into a directory of sources
//! deletes none of them. [`destination`] refuses `/`, the project directory and its
//! ancestors before anything else.
//!
//! Durability: files are written without a flush each (thousands of `fsync`s would
//! dominate a large build); once all are written, one flush of the file system that
//! holds them ([`flush`]) makes them durable before the swap, so that even a power loss
//! cannot leave a half-written output in the place of a complete one.
//!
//! Invariants: every path in a [`Tree`] is relative and made only of normal components
//! (no `..`, no root, no `.`), checked before any of its files is written; directories
//! are created in path order, then files are written in parallel; when writes fail, the
//! error reported is that of the first failing path in path order; the marker is the
//! last file written, so a staging directory without one was never complete.

mod previous;
mod swap;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Component, Path, PathBuf};

use plat_compiler::emit::Sha256;
use rayon::prelude::*;

/// Which command writes an output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer {
    Build,
    Doc,
}

impl Writer {
    /// The file at the root of the output that marks it as this command's.
    pub fn marker(self) -> &'static str {
        match self {
            Writer::Build => ".plat-build",
            Writer::Doc => ".plat-doc",
        }
    }

    pub fn command(self) -> &'static str {
        match self {
            Writer::Build => "plat build",
            Writer::Doc => "plat doc",
        }
    }

    fn other(self) -> Writer {
        match self {
            Writer::Build => Writer::Doc,
            Writer::Doc => Writer::Build,
        }
    }

    /// The marker's text: what the directory is, and every file written with its hash.
    fn marker_text(self, files: &BTreeMap<String, Sha256>) -> String {
        let note = format!(
            "This directory is written by `{}` and replaced as a whole each time: do not \
             edit it. Change the .plat sources and run it again. Files it lists are the ones \
             it wrote; it deletes no other.",
            self.command()
        );
        let marker = Marker {
            files,
            note: &note,
            written_by: self.command(),
        };
        // Serialising strings and maps of them cannot fail.
        let mut text = serde_json::to_string_pretty(&marker).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// The marker file, its fields in key order as JSON writes them.
#[derive(serde::Serialize)]
struct Marker<'a> {
    files: &'a BTreeMap<String, Sha256>,
    note: &'a str,
    written_by: &'a str,
}

/// The files of one build: relative path (`/`-separated) → contents, and their sha256
/// when it is known already.
#[derive(Debug, Default)]
pub struct Tree {
    files: BTreeMap<String, (Vec<u8>, Option<Sha256>)>,
}

impl Tree {
    /// Adds a file; a second file at the same path replaces the first.
    pub fn insert(&mut self, path: String, contents: impl Into<Vec<u8>>) {
        self.files.insert(path, (contents.into(), None));
    }

    /// Adds a file whose sha256 is known (a build's, from its manifest), so that it is
    /// not hashed again for the marker.
    pub fn insert_hashed(&mut self, path: String, contents: impl Into<Vec<u8>>, sha256: Sha256) {
        self.files.insert(path, (contents.into(), Some(sha256)));
    }
}

/// The sha256 of `bytes`, as lowercase hex.
fn sha256(bytes: &[u8]) -> String {
    Sha256::of(bytes).to_string()
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

/// Writes `tree` as the new contents of `out`, atomically (see the module docs).
/// Returns the notes for the user (what was recovered, what was kept).
pub fn write(out: &Path, tree: &Tree, writer: Writer) -> Result<Vec<String>, String> {
    let mut staging = Staging::begin(out, writer)?;
    staging.add(tree)?;
    staging.finish()
}

/// An output being written: a sibling staging directory of `--out` that parts are
/// added to as they are rendered, swapped in place of `--out` by [`Staging::finish`].
/// Dropped without finishing, it removes what it wrote and leaves `--out` as it was.
pub struct Staging {
    writer: Writer,
    out: PathBuf,
    parent: PathBuf,
    name: String,
    directory: PathBuf,
    /// The output being replaced, inspected; `None` when there is none.
    previous: Option<previous::Previous>,
    /// The directories created so far.
    created: BTreeSet<PathBuf>,
    /// Every file written so far, with its sha256, for the marker.
    listing: BTreeMap<String, Sha256>,
    /// What recovering from interrupted runs did.
    notes: Vec<String>,
    finished: bool,
    _lock: swap::Lock,
}

impl Staging {
    /// Takes the lock on `out`'s parent, finishes what interrupted runs left, checks
    /// that `out` may be replaced and creates the staging directory.
    pub fn begin(out: &Path, writer: Writer) -> Result<Staging, String> {
        let out = std::path::absolute(out)
            .map_err(|error| format!("cannot resolve `{}`: {error}", out.display()))?;
        let (parent, name) = split(&out)?;
        fs::create_dir_all(&parent)
            .map_err(|error| format!("cannot create `{}`: {error}", parent.display()))?;
        let lock = swap::lock(&parent)?;
        let notes = swap::recover(&parent, &name, writer)?;
        let previous = existing_output(&out, writer)?;
        let directory = parent.join(swap::staging_name(&name));
        let mut staging = Staging {
            writer,
            out,
            parent,
            name,
            directory,
            previous,
            created: BTreeSet::new(),
            listing: BTreeMap::new(),
            notes,
            finished: false,
            _lock: lock,
        };
        create_dir(&staging.directory)?;
        staging.created.insert(PathBuf::new());
        Ok(staging)
    }

    /// Writes the files of `tree` (a part of the output) into the staging directory:
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
        let results: Vec<Result<Sha256, String>> = tree
            .files
            .par_iter()
            .map(|(path, (contents, known))| {
                write_file(&self.directory.join(path), contents)
                    .map(|()| known.unwrap_or_else(|| Sha256::of(contents)))
            })
            .collect();
        for ((path, _), result) in tree.files.iter().zip(results) {
            self.listing.insert(path.clone(), result?);
        }
        swap::checkpoint("staging", &self.parent);
        Ok(())
    }

    /// Writes the marker, makes everything durable, and swaps the staging directory in
    /// place of `--out`. Returns the notes for the user.
    pub fn finish(mut self) -> Result<Vec<String>, String> {
        let marker = self.writer.marker_text(&self.listing);
        write_file(
            &self.directory.join(self.writer.marker()),
            marker.as_bytes(),
        )?;
        flush(&self.directory)?;
        swap::checkpoint("staged", &self.parent);
        let notes = swap::swap(
            &self.directory,
            &self.out,
            &self.parent,
            &self.name,
            self.previous.as_ref(),
            self.writer,
        )?;
        self.finished = true;
        let mut all = std::mem::take(&mut self.notes);
        all.extend(notes);
        Ok(all)
    }

    /// The entries of the output being replaced that plat did not write and carries
    /// into the new one (relative paths).
    pub fn carried(&self) -> &[PathBuf] {
        self.previous
            .as_ref()
            .map_or(&[], |previous| previous.foreign.as_slice())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.finished {
            let _ = fs::remove_dir_all(&self.directory);
        }
    }
}

/// The output `out` holds, inspected, when it exists and may be replaced by `writer`;
/// an error if it must not be.
fn existing_output(out: &Path, writer: Writer) -> Result<Option<previous::Previous>, String> {
    let metadata = match fs::symlink_metadata(out) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(format!("cannot read `{}`: {error}", out.display())),
    };
    if !metadata.is_dir() {
        return Err(format!(
            "refusing to replace `{}`: it exists and is not a directory",
            out.display()
        ));
    }
    previous::inspect(out, writer).map(Some)
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
        && path != Writer::Build.marker()
        && path != Writer::Doc.marker();
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

    const BUILD: Writer = Writer::Build;

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

    fn siblings(directory: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(directory)
            .expect("list")
            .filter_map(Result::ok)
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn writes_replaces_and_removes_stale_files() {
        let temp = tempfile::tempdir().expect("temp dir");
        let out = temp.path().join("out");
        write(
            &out,
            &tree(&[("dev/a.txt", "1"), ("dev/old.txt", "x")]),
            BUILD,
        )
        .expect("first");
        write(&out, &tree(&[("dev/a.txt", "2")]), BUILD).expect("second");
        assert_eq!(read(&out.join("dev/a.txt")), "2");
        assert!(!out.join("dev/old.txt").exists());
        let marker = read(&out.join(BUILD.marker()));
        let listed = previous::listing(&marker).expect("a listing");
        assert_eq!(listed.keys().collect::<Vec<_>>(), ["dev/a.txt"]);
        assert_eq!(
            siblings(temp.path()),
            ["out"],
            "no temporary directory is left"
        );
    }

    #[test]
    fn a_build_stopped_before_it_finishes_leaves_the_previous_output() {
        let temp = tempfile::tempdir().expect("temp dir");
        let out = temp.path().join("out");
        write(&out, &tree(&[("dev/a.txt", "1")]), BUILD).expect("first");
        {
            let mut staging = Staging::begin(&out, BUILD).expect("begin");
            staging.add(&tree(&[("dev/a.txt", "2")])).expect("one part");
            // A later part fails (an unsafe path): the build stops here.
            assert!(staging.add(&tree(&[("../b", "3")])).is_err());
        }
        assert_eq!(read(&out.join("dev/a.txt")), "1");
        assert_eq!(
            siblings(temp.path()),
            ["out"],
            "the staging directory is removed"
        );
    }

    #[test]
    fn what_terraform_writes_beside_a_root_module_is_moved_into_the_new_output() {
        let temp = tempfile::tempdir().expect("temp dir");
        let out = temp.path().join("out");
        let root = "dev/terraform/shared";
        write(
            &out,
            &tree(&[(&format!("{root}/main.tf.json"), "{}")]),
            BUILD,
        )
        .expect("first");
        let lock = out.join(root).join(".terraform.lock.hcl");
        fs::write(&lock, "provider").expect("lock file");
        let cache = out.join(root).join(".terraform/providers/aws");
        fs::create_dir_all(&cache).expect("cache");
        write(
            &out,
            &tree(&[(&format!("{root}/main.tf.json"), "{ }")]),
            BUILD,
        )
        .expect("second");
        assert_eq!(read(&lock), "provider");
        assert!(cache.is_dir());
        // A root module that is gone keeps what Terraform wrote beside it, too.
        write(&out, &tree(&[("dev/graph.json", "{}")]), BUILD).expect("third");
        assert_eq!(read(&lock), "provider");
        assert!(!out.join(root).join("main.tf.json").exists());
        assert_eq!(siblings(temp.path()), ["out"]);
    }

    #[test]
    fn refuses_to_replace_a_directory_it_did_not_write() {
        let temp = tempfile::tempdir().expect("temp dir");
        let out = temp.path().join("docs");
        fs::create_dir_all(&out).expect("mkdir");
        fs::write(out.join("notes.md"), "mine").expect("write");
        let error = write(&out, &tree(&[("dev/a", "1")]), BUILD).expect_err("refused");
        assert!(error.contains("not written by `plat build`"), "{error}");
        assert_eq!(read(&out.join("notes.md")), "mine");
    }

    #[test]
    fn a_marker_alone_does_not_make_a_directory_plat_s() {
        let temp = tempfile::tempdir().expect("temp dir");
        let out = temp.path().join("src");
        fs::create_dir_all(&out).expect("mkdir");
        fs::write(out.join(BUILD.marker()), "planted").expect("marker");
        fs::write(out.join("main.rs"), "fn main() {}").expect("source");
        let error = write(&out, &tree(&[("dev/a", "1")]), BUILD).expect_err("refused");
        assert!(error.contains("main.rs (not written by plat)"), "{error}");
        assert_eq!(read(&out.join("main.rs")), "fn main() {}");
    }

    #[test]
    fn a_changed_file_is_not_deleted() {
        let temp = tempfile::tempdir().expect("temp dir");
        let out = temp.path().join("out");
        write(&out, &tree(&[("dev/a.txt", "1")]), BUILD).expect("first");
        fs::write(out.join("dev/a.txt"), "edited").expect("edit");
        let error = write(&out, &tree(&[("dev/a.txt", "2")]), BUILD).expect_err("refused");
        assert!(
            error.contains("changed since `plat build` wrote it"),
            "{error}"
        );
        assert_eq!(read(&out.join("dev/a.txt")), "edited");
    }

    #[test]
    fn the_outputs_of_build_and_doc_are_told_apart() {
        let temp = tempfile::tempdir().expect("temp dir");
        let out = temp.path().join("out");
        write(&out, &tree(&[("dev/a.txt", "1")]), BUILD).expect("build");
        let error = write(&out, &tree(&[("index.md", "#")]), Writer::Doc).expect_err("refused");
        assert!(error.contains("output of `plat build`"), "{error}");
        assert_eq!(read(&out.join("dev/a.txt")), "1");
    }

    #[test]
    fn refuses_unsafe_paths_before_writing_anything() {
        let temp = tempfile::tempdir().expect("temp dir");
        let out = temp.path().join("out");
        for path in ["../escape", "/abs", "a/../../b", "", BUILD.marker()] {
            assert!(write(&out, &tree(&[(path, "1")]), BUILD).is_err(), "{path}");
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
