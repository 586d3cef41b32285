//! A project as a git revision has it, written into a private temporary directory so
//! that the ordinary loader reads it.
//!
//! Invariants: only the `git` command is run, and only commands that read (`rev-parse`,
//! `ls-tree`, `cat-file`), with `core.fsmonitor` off, so that a repository's settings
//! cannot run anything; nothing touches the network, the working tree, the index or the
//! repository's state. Only the files a project is made of are written (`*.plat`, `*.tf`,
//! `plat.toml`, `plat.modules.lock.json`), regular files only, each path checked to stay
//! inside the directory, within the loader's own bounds on count and size; the
//! directory is removed when the [`Revision`] is dropped.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};

/// At most this many files are written, and this many bytes in all (the loader's own
/// bounds on a project).
const MAX_FILES: usize = 50_000;
const MAX_BYTES: u64 = 256 * 1024 * 1024;

/// The project at one revision.
pub struct Revision {
    /// `origin/main (1a2b3c4)`.
    pub label: String,
    /// The project's directory in the temporary copy.
    pub project: PathBuf,
    /// How many of its files the revision has; 0 when the project did not exist then.
    pub files: usize,
    _directory: tempfile::TempDir,
}

/// Writes the project whose root is `project_root` as revision `rev` has it.
pub fn checkout(project_root: &Path, rev: &str) -> Result<Revision, String> {
    let toplevel = git(project_root, &["rev-parse", "--show-toplevel"]).map_err(|error| {
        format!(
            "`{}` is not in a git repository, so it has no revision to compare with ({error})\n\
             help: compare with a build directory instead: `plat diff --against-build DIR`",
            project_root.display()
        )
    })?;
    let prefix = git(project_root, &["rev-parse", "--show-prefix"])?;
    let commit = git(
        project_root,
        &[
            "rev-parse",
            "--verify",
            "--end-of-options",
            &format!("{rev}^{{commit}}"),
        ],
    )
    .map_err(|error| format!("`{rev}` is not a revision of this repository: {error}"))?;
    let (prefix, commit) = (prefix.trim().to_string(), commit.trim().to_string());
    let short = git(project_root, &["rev-parse", "--short", &commit]).unwrap_or(commit.clone());
    let toplevel = PathBuf::from(toplevel.trim());
    let directory = tempfile::tempdir()
        .map_err(|error| format!("cannot create a temporary directory: {error}"))?;
    let name = project_root
        .file_name()
        .map(|name| name.to_os_string())
        .unwrap_or_else(|| "project".into());
    let project = directory.path().join(name);
    std::fs::create_dir_all(&project)
        .map_err(|error| format!("cannot create `{}`: {error}", project.display()))?;
    let blobs = listing(&toplevel, &commit, &prefix)?;
    let files = blobs.len();
    write_blobs(&toplevel, &blobs, &project)?;
    Ok(Revision {
        label: format!("{rev} ({})", short.trim()),
        project,
        files,
        _directory: directory,
    })
}

/// A file of the project at the revision: its object and its path in the project.
struct Blob {
    object: String,
    path: PathBuf,
}

/// The files under `prefix` at `commit` that a project is made of.
fn listing(toplevel: &Path, commit: &str, prefix: &str) -> Result<Vec<Blob>, String> {
    let scope = if prefix.is_empty() { "." } else { prefix };
    let text = git_bytes(
        toplevel,
        &["ls-tree", "-r", "-z", "--full-tree", commit, "--", scope],
    )?;
    let mut blobs = Vec::new();
    for entry in text
        .split(|byte| *byte == 0)
        .filter(|entry| !entry.is_empty())
    {
        let entry = String::from_utf8_lossy(entry);
        let Some((meta, path)) = entry.split_once('\t') else {
            continue;
        };
        let mut parts = meta.split(' ');
        let (Some(mode), Some("blob"), Some(object)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        if !matches!(mode, "100644" | "100755") {
            continue; // links and submodules are not read
        }
        let Some(relative) = path.strip_prefix(prefix) else {
            continue;
        };
        let relative = PathBuf::from(relative);
        if !part_of_a_project(&relative) || !safe(&relative) {
            continue;
        }
        if blobs.len() >= MAX_FILES {
            return Err(format!(
                "the project has more than {MAX_FILES} files at {commit}"
            ));
        }
        blobs.push(Blob {
            object: object.to_string(),
            path: relative,
        });
    }
    Ok(blobs)
}

/// Whether plat reads a file of this name as part of a project.
fn part_of_a_project(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    name.ends_with(".plat")
        || name.ends_with(".tf")
        || name == "plat.toml"
        || name == "plat.modules.lock.json"
}

/// Whether a path is relative and made of normal components only.
fn safe(path: &Path) -> bool {
    path.components()
        .all(|component| matches!(component, Component::Normal(_)))
}

/// Writes each blob's bytes (read with one `git cat-file --batch`) under `project`.
fn write_blobs(toplevel: &Path, blobs: &[Blob], project: &Path) -> Result<(), String> {
    if blobs.is_empty() {
        return Ok(());
    }
    let mut child = git_command(toplevel)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| format!("cannot run git: {error}"))?;
    let mut stdin = child.stdin.take().ok_or("cannot write to git")?;
    let objects: Vec<String> = blobs.iter().map(|blob| blob.object.clone()).collect();
    // Written from a thread of its own, so that neither side waits for the other.
    let writer = std::thread::spawn(move || {
        for object in objects {
            if writeln!(stdin, "{object}").is_err() {
                break;
            }
        }
    });
    let stdout = child.stdout.take().ok_or("cannot read from git")?;
    let mut reader = BufReader::new(stdout);
    let mut total: u64 = 0;
    for blob in blobs {
        let mut header = String::new();
        reader
            .read_line(&mut header)
            .map_err(|error| format!("cannot read from git: {error}"))?;
        let size: u64 = header
            .split(' ')
            .nth(2)
            .and_then(|size| size.trim().parse().ok())
            .ok_or_else(|| {
                format!(
                    "git cannot read `{}`: {}",
                    blob.path.display(),
                    header.trim()
                )
            })?;
        total += size;
        if total > MAX_BYTES {
            let _ = child.kill();
            return Err(format!("the project holds more than {MAX_BYTES} bytes"));
        }
        let mut bytes = vec![0; usize::try_from(size).unwrap_or(usize::MAX)];
        reader
            .read_exact(&mut bytes)
            .and_then(|()| reader.read_exact(&mut [0; 1]))
            .map_err(|error| format!("cannot read from git: {error}"))?;
        let target = project.join(&blob.path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|error| format!("cannot create `{}`: {error}", parent.display()))?;
        }
        std::fs::write(&target, bytes)
            .map_err(|error| format!("cannot write `{}`: {error}", target.display()))?;
    }
    let _ = writer.join();
    let _ = child.wait();
    Ok(())
}

fn git_command(directory: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .current_dir(directory)
        .args(["-c", "core.fsmonitor=false"])
        .env("GIT_TERMINAL_PROMPT", "0")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE");
    command
}

fn git_bytes(directory: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let output = git_command(directory)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|error| format!("cannot run git: {error}"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_string())
    }
}

fn git(directory: &Path, args: &[&str]) -> Result<String, String> {
    git_bytes(directory, args).map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
}
