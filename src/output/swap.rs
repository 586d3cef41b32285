//! Putting a staged output in the place of the old one, so that a kill at any instant
//! leaves either the old or the new output, and the next run finishes or undoes what
//! an interrupted one left.
//!
//! The sequence, for `--out DIR` (siblings in DIR's parent, `NAME` its name):
//!
//! 1. the new output is written in full into `.NAME.plat-new`, its marker last, and
//!    flushed;
//! 2. `.NAME.plat-new` and `DIR` are exchanged in one atomic step (Linux's
//!    `renameat2(RENAME_EXCHANGE)`), and the old output, now at `.NAME.plat-new`, is
//!    renamed to `.NAME.plat-old`. Where the file system cannot exchange, `DIR` is
//!    renamed to `.NAME.plat-old` and `.NAME.plat-new` to `DIR`: for an instant there
//!    is no `DIR`, and a run killed then is undone by the next one;
//! 3. what plat did not write in the old output (what Terraform wrote beside its root
//!    modules) is moved into `DIR`, entry by entry, never copied;
//! 4. the files plat wrote in `.NAME.plat-old` are deleted, and its directories once
//!    empty; if anything is left (a file written there meanwhile), the directory is kept
//!    and named in a warning.
//!
//! Invariants: one plat at a time writes into a parent directory (an exclusive lock on
//! it, released by the kernel when the process dies); under that lock, [`recover`]
//! brings back `DIR` when a run died between two renames (from `.NAME.plat-old`),
//! finishes steps 3 and 4 when it died after step 2, and deletes a staging directory
//! that was never complete (it only ever holds what plat wrote). A complete
//! `.NAME.plat-new` beside `DIR` is retired like an old output: whether or not the
//! exchange happened, carrying what plat did not write into `DIR` and deleting what
//! plat wrote leaves `DIR` as the run left it. The directories an earlier plat left
//! (`.NAME.tmp-PID`, `.NAME.old-PID`) are recovered the same way once their process is
//! gone. Nothing is ever deleted that plat did not write.

use std::fs;
use std::path::{Path, PathBuf};

use super::Writer;
use super::previous::{self, Previous};

/// The staging directory of `name`.
pub(super) fn staging_name(name: &str) -> String {
    format!(".{name}.plat-new")
}

/// Where the old output of `name` waits while the new one is put in place.
pub(super) fn old_name(name: &str) -> String {
    format!(".{name}.plat-old")
}

/// Stops here when a test asks to, as a kill would (debug builds only): a test sets
/// `PLAT_TEST_KILL_AT` to the name of the point, or `PLAT_TEST_PAUSE_AT` to wait there
/// until it removes the file `PARENT/.plat-test-paused` that plat creates.
pub(super) fn checkpoint(point: &str, parent: &Path) {
    #[cfg(debug_assertions)]
    {
        if std::env::var("PLAT_TEST_KILL_AT").is_ok_and(|wanted| wanted == point) {
            std::process::abort();
        }
        if std::env::var("PLAT_TEST_PAUSE_AT").is_ok_and(|wanted| wanted == point) {
            let flag = parent.join(".plat-test-paused");
            if fs::write(&flag, point).is_ok() {
                let start = std::time::Instant::now();
                while flag.exists() && start.elapsed() < std::time::Duration::from_secs(120) {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
            }
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = (point, parent);
}

/// An exclusive lock on a parent directory, held while plat writes into it.
pub(super) struct Lock {
    #[cfg(unix)]
    _directory: fs::File,
}

/// Takes the lock on `parent`, waiting for another plat that holds it.
pub(super) fn lock(parent: &Path) -> Result<Lock, String> {
    #[cfg(unix)]
    {
        let directory = fs::File::open(parent)
            .map_err(|error| format!("cannot open `{}`: {error}", parent.display()))?;
        match directory.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                eprintln!(
                    "waiting for another plat that is writing into `{}`",
                    parent.display()
                );
                directory
                    .lock()
                    .map_err(|error| format!("cannot lock `{}`: {error}", parent.display()))?;
            }
            Err(fs::TryLockError::Error(error)) => {
                return Err(format!("cannot lock `{}`: {error}", parent.display()));
            }
        }
        Ok(Lock {
            _directory: directory,
        })
    }
    #[cfg(not(unix))]
    {
        let _ = parent;
        Ok(Lock {})
    }
}

/// Puts `staging` in the place of `out`, keeping the old output (if `previous` says
/// there is one) aside, carrying what plat did not write into the new output, and
/// deleting what plat wrote in the old one. Returns the notes for the user.
pub(super) fn swap(
    staging: &Path,
    out: &Path,
    parent: &Path,
    name: &str,
    previous: Option<&Previous>,
    writer: Writer,
) -> Result<Vec<String>, String> {
    let Some(previous) = previous else {
        rename(staging, out)?;
        sync_directory(parent);
        return Ok(Vec::new());
    };
    let old = parent.join(old_name(name));
    if exchange(staging, out)? {
        sync_directory(parent);
        checkpoint("exchanged", parent);
        rename(staging, &old)?;
    } else {
        rename(out, &old)?;
        sync_directory(parent);
        checkpoint("renamed", parent);
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
    }
    sync_directory(parent);
    checkpoint("swapped", parent);
    Ok(retire(&old, out, previous, writer))
}

/// Exchanges the directories `a` and `b` atomically; `Ok(false)` when the system or
/// the file system cannot (the caller then renames twice).
fn exchange(a: &Path, b: &Path) -> Result<bool, String> {
    #[cfg(debug_assertions)]
    if std::env::var_os("PLAT_TEST_NO_EXCHANGE").is_some() {
        return Ok(false);
    }
    #[cfg(target_os = "linux")]
    {
        use std::ffi::CString;
        use std::os::unix::ffi::OsStrExt;
        let path = |path: &Path| {
            CString::new(path.as_os_str().as_bytes())
                .map_err(|_| format!("cannot move `{}`: a NUL in its path", path.display()))
        };
        let (from, to) = (path(a)?, path(b)?);
        // SAFETY: both paths are NUL-terminated and live through the call.
        let status = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                from.as_ptr(),
                libc::AT_FDCWD,
                to.as_ptr(),
                libc::RENAME_EXCHANGE,
            )
        };
        if status == 0 {
            return Ok(true);
        }
        let error = std::io::Error::last_os_error();
        match error.raw_os_error() {
            Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP) => Ok(false),
            _ => Err(format!(
                "cannot exchange `{}` and `{}`: {error}",
                a.display(),
                b.display()
            )),
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (a, b);
        Ok(false)
    }
}

/// Steps 3 and 4 for an old output `old` whose replacement `out` is in place.
fn retire(old: &Path, out: &Path, previous: &Previous, writer: Writer) -> Vec<String> {
    let mut notes = Vec::new();
    let mut left = Vec::new();
    for path in &previous.foreign {
        carry(&old.join(path), &out.join(path), path, &mut left);
    }
    checkpoint("carried", old.parent().unwrap_or(old));
    remove_written(old, previous, writer.marker());
    match fs::symlink_metadata(old) {
        Err(_) => {}
        Ok(_) => {
            let shown: Vec<String> = left
                .iter()
                .take(5)
                .map(|path| format!("  {}", path.display()))
                .collect();
            notes.push(format!(
                "warning: kept `{}`: it holds what plat did not write and could not move into \
                 the new output{}{}",
                old.display(),
                if shown.is_empty() { "" } else { ":\n" },
                shown.join("\n")
            ));
        }
    }
    notes
}

/// Moves `from` to `to`; when both are directories, moves what `from` holds, entry by
/// entry. What cannot be moved (`to` holds a file of that name) stays, listed in `left`.
fn carry(from: &Path, to: &Path, relative: &Path, left: &mut Vec<PathBuf>) {
    let Ok(source) = fs::symlink_metadata(from) else {
        return;
    };
    match fs::symlink_metadata(to) {
        Err(_) => {
            let moved = to
                .parent()
                .map_or(Ok(()), fs::create_dir_all)
                .and_then(|()| fs::rename(from, to));
            if moved.is_err() {
                left.push(relative.to_path_buf());
            }
        }
        Ok(target) if source.is_dir() && target.is_dir() => {
            let Ok(entries) = fs::read_dir(from) else {
                left.push(relative.to_path_buf());
                return;
            };
            let mut names: Vec<_> = entries
                .filter_map(Result::ok)
                .map(|e| e.file_name())
                .collect();
            names.sort();
            for name in names {
                carry(
                    &from.join(&name),
                    &to.join(&name),
                    &relative.join(&name),
                    left,
                );
            }
            let _ = fs::remove_dir(from);
        }
        Ok(target) if source.is_file() && target.is_file() && same_bytes(from, to) => {
            // An identical copy (an earlier plat copied state into the new output).
            let _ = fs::remove_file(from);
        }
        Ok(_) => left.push(relative.to_path_buf()),
    }
}

fn same_bytes(a: &Path, b: &Path) -> bool {
    matches!((fs::read(a), fs::read(b)), (Ok(a), Ok(b)) if a == b)
}

/// Deletes the files plat wrote in `old` and its directories once empty (deepest
/// first), then its marker and `old` itself when nothing else is left: an old output
/// that keeps something keeps its marker, so that the next run can finish the work.
fn remove_written(old: &Path, previous: &Previous, marker: &str) {
    for path in &previous.written {
        let file = old.join(path);
        if path.as_os_str() != marker
            && fs::symlink_metadata(&file).is_ok_and(|metadata| metadata.is_file())
        {
            let _ = fs::remove_file(&file);
        }
    }
    for directory in previous.directories.iter().rev() {
        let _ = fs::remove_dir(old.join(directory));
    }
    let only_marker = fs::read_dir(old).is_ok_and(|entries| {
        let names: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .collect();
        names.len() == 1 && names[0] == marker
    });
    if only_marker {
        let _ = fs::remove_file(old.join(marker));
    }
    let _ = fs::remove_dir(old);
}

/// Finishes or undoes what interrupted runs left beside `out` (under the lock).
/// Returns the notes for the user.
pub(super) fn recover(parent: &Path, name: &str, writer: Writer) -> Result<Vec<String>, String> {
    let out = parent.join(name);
    let mut notes = Vec::new();
    let (staged, olds) = leftovers(parent, name);
    let complete = |directory: &Path| directory.join(writer.marker()).is_file();
    let ours = parent.join(staging_name(name));
    if fs::symlink_metadata(&out).is_err() {
        let back = match olds.as_slice() {
            [] if complete(&ours) => Some(&ours),
            [] => None,
            [old] => Some(old),
            several => {
                return Err(format!(
                    "cannot tell which earlier output to put back in `{}`: interrupted runs \
                     left {}; move the one to keep to `{}`",
                    out.display(),
                    several
                        .iter()
                        .map(|old| format!("`{}`", old.display()))
                        .collect::<Vec<_>>()
                        .join(", "),
                    out.display()
                ));
            }
        };
        if let Some(back) = back {
            rename(back, &out)?;
            sync_directory(parent);
            notes.push(format!(
                "note: put `{}` in place of `{}`, which an interrupted run had left without \
                 an output",
                back.display(),
                out.display()
            ));
        }
    }
    let mut retiring: Vec<PathBuf> = olds.into_iter().filter(|old| old.exists()).collect();
    for staging in staged.iter().filter(|staging| staging.exists()) {
        if *staging == ours && complete(staging) && out.exists() {
            // Complete: whether or not it was exchanged with `out`, retiring it is right.
            let old = parent.join(old_name(name));
            if fs::symlink_metadata(&old).is_err() {
                rename(staging, &old)?;
                retiring.push(old);
            } else {
                retiring.push(staging.clone());
            }
        } else {
            fs::remove_dir_all(staging)
                .map_err(|error| format!("cannot remove `{}`: {error}", staging.display()))?;
        }
    }
    retiring.sort();
    retiring.dedup();
    for old in &retiring {
        if fs::remove_dir(old).is_ok() {
            continue;
        }
        match previous::inspect(old, writer) {
            Ok(previous) if !previous.written.is_empty() => {
                notes.extend(retire(old, &out, &previous, writer));
            }
            _ => notes.push(format!(
                "warning: kept `{}`, left by an interrupted run: it does not read as an \
                 output of `{}`",
                old.display(),
                writer.command()
            )),
        }
    }
    let old = parent.join(old_name(name));
    if fs::symlink_metadata(&old).is_ok() {
        for note in &notes {
            eprintln!("{note}");
        }
        return Err(format!(
            "`{}` holds what an earlier run could not move into `{}` (it names the files \
             there): move each where it belongs, or out of the way, then run again",
            old.display(),
            out.display()
        ));
    }
    Ok(notes)
}

/// The staging directories and the old outputs that interrupted runs left beside
/// `name` in `parent`: this plat's, and those of an earlier plat whose process is gone.
fn leftovers(parent: &Path, name: &str) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut staged = Vec::new();
    let mut olds = Vec::new();
    let staging = staging_name(name);
    let old = old_name(name);
    let earlier_staging = format!(".{name}.tmp-");
    let earlier_old = format!(".{name}.old-");
    for entry in crate::files::subdirectories(parent) {
        let gone = |prefix: &str| {
            entry
                .strip_prefix(prefix)
                .and_then(|pid| pid.parse::<u32>().ok())
                .is_some_and(|pid| !crate::files::process_alive(pid))
        };
        if entry == staging || gone(&earlier_staging) {
            staged.push(parent.join(&entry));
        } else if entry == old || gone(&earlier_old) {
            olds.push(parent.join(&entry));
        }
    }
    (staged, olds)
}

pub(super) fn rename(from: &Path, to: &Path) -> Result<(), String> {
    fs::rename(from, to).map_err(|error| {
        format!(
            "cannot move `{}` to `{}`: {error}",
            from.display(),
            to.display()
        )
    })
}

/// Makes the renames in `directory` durable (best effort: not every system can).
fn sync_directory(directory: &Path) {
    #[cfg(unix)]
    if let Ok(handle) = fs::File::open(directory) {
        let _ = handle.sync_all();
    }
    #[cfg(not(unix))]
    let _ = directory;
}
