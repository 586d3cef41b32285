//! The standard library on disk, so that an editor can open what "go to definition"
//! finds in it.
//!
//! Invariants: the files go into a directory of the user's cache named after plat's
//! version (`$XDG_CACHE_HOME/plat/std-<version>`, or `~/.cache/...`); a file is written
//! only when its text differs, beside its final name and then renamed into place, so a
//! reader never sees half a file and two servers can write at once. A cache that cannot
//! be written leaves the standard library without locations; it is never an error.

use std::path::{Path, PathBuf};

/// Writes the standard library's files into the user's cache; the directory, if it
/// worked.
pub fn materialize() -> Option<PathBuf> {
    materialize_in(&cache_root()?)
}

/// Writes the standard library's files under the cache directory `cache`; the
/// directory that holds them, if it worked.
pub fn materialize_in(cache: &Path) -> Option<PathBuf> {
    let dir = cache
        .join("plat")
        .join(format!("std-{}", env!("CARGO_PKG_VERSION")));
    std::fs::create_dir_all(&dir).ok()?;
    for (path, text) in plat_compiler::stdlib::FILES {
        let name = path.strip_prefix("std/")?;
        write_if_changed(&dir.join(name), text).ok()?;
    }
    Some(dir)
}

/// The user's cache directory: `$XDG_CACHE_HOME` when it is absolute, else
/// `$HOME/.cache`.
fn cache_root() -> Option<PathBuf> {
    let xdg = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|path| path.is_absolute());
    xdg.or_else(|| {
        std::env::var_os("HOME")
            .map(PathBuf::from)
            .filter(|home| home.is_absolute())
            .map(|home| home.join(".cache"))
    })
}

fn write_if_changed(path: &Path, text: &str) -> std::io::Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|existing| existing == text) {
        return Ok(());
    }
    let staged = path.with_extension(format!("plat.{}.tmp", std::process::id()));
    std::fs::write(&staged, text)?;
    let mut permissions = std::fs::metadata(&staged)?.permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&staged, permissions)?;
    std::fs::rename(&staged, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&staged);
    })
}
