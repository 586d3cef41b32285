//! Writing a file so that no reader ever sees half of it.
//!
//! Invariant: the new text goes to a hidden temporary file beside the target (same
//! directory, so the same file system), which is flushed and then renamed over the
//! target; on failure the temporary file is removed and the target is as it was. A
//! temporary file that a killed run left beside the target (its process is gone) is
//! removed the next time the target is written.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Replaces the file at `path` (following symbolic links) with `text`, keeping its
/// permissions, or creates it when there is none.
pub fn write_atomically(path: &Path, text: &str) -> io::Result<()> {
    let (target, permissions) = match fs::canonicalize(path) {
        Ok(target) => {
            let permissions = fs::metadata(&target)?.permissions();
            (target, Some(permissions))
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => (path.to_path_buf(), None),
        Err(error) => return Err(error),
    };
    let directory = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = target
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    remove_stale_temporaries_of(directory, &name);
    let (temporary, mut file) = create_temporary(directory, &name)?;
    let written = file
        .write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .and_then(|()| match permissions {
            Some(permissions) => fs::set_permissions(&temporary, permissions),
            None => Ok(()),
        })
        .and_then(|()| fs::rename(&temporary, &target));
    if written.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    written
}

/// The names of the directories in `directory` (not following links), sorted; none
/// when it cannot be read.
pub fn subdirectories(directory: &Path) -> Vec<String> {
    let Ok(entries) = fs::read_dir(directory) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_dir()))
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Removes the temporary files of `path` (`.NAME.PID.N.tmp` beside it, or
/// `.NAME.PID.N.fmt` as earlier versions of `plat fmt` named them) whose process is
/// gone: what a run killed between writing one and renaming it left.
pub fn remove_stale_temporaries(path: &Path) {
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    if let Some(name) = path.file_name() {
        remove_stale_temporaries_of(directory, &name.to_string_lossy());
    }
}

/// The suffixes of the temporary files of this plat (the first) and of earlier ones.
const TEMPORARY_SUFFIXES: [&str; 2] = [".tmp", ".fmt"];

fn remove_stale_temporaries_of(directory: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(directory) else {
        return;
    };
    let prefix = format!(".{name}.");
    for entry in entries.filter_map(Result::ok) {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file.strip_prefix(&prefix).and_then(|rest| {
            TEMPORARY_SUFFIXES
                .iter()
                .find_map(|suffix| rest.strip_suffix(suffix))
        }) else {
            continue;
        };
        let stale = rest
            .split_once('.')
            .and_then(|(pid, attempt)| {
                Some((pid.parse::<u32>().ok()?, attempt.parse::<u32>().ok()?))
            })
            .is_some_and(|(pid, _)| pid != std::process::id() && !process_alive(pid));
        if stale && entry.file_type().is_ok_and(|kind| kind.is_file()) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Whether the process `pid` exists (on other systems, assumed so: what it left is
/// then never touched).
pub fn process_alive(pid: u32) -> bool {
    #[cfg(target_os = "linux")]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return true;
        };
        // SAFETY: signal 0 only checks that the process exists; nothing is sent.
        let status = unsafe { libc::kill(pid, 0) };
        status == 0 || io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = pid;
        true
    }
}

/// A new file `.NAME.PID.N.tmp` in `directory`: hidden, and neither a `.plat` nor a
/// `.tf` file, so that no project ever reads it.
fn create_temporary(directory: &Path, name: &str) -> io::Result<(PathBuf, File)> {
    let pid = std::process::id();
    for attempt in 0..100 {
        let suffix = TEMPORARY_SUFFIXES[0];
        let path = directory.join(format!(".{name}.{pid}.{attempt}{suffix}"));
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(file) => return Ok((path, file)),
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(error) => return Err(error),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        "no free name for a temporary file",
    ))
}
