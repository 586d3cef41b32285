//! The one rule for what plat reads from disk.
//!
//! Invariant: a file is read only when, once every symbolic link in its path is
//! resolved, it is a regular file inside the [`Root`] it is read for (a project's
//! directory, the directory of a single `.plat` file or of a Score file), and then at most
//! [`MAX_FILE_BYTES`] of it. Everything else is a [`Refusal`] that says why, before a
//! byte is read: a link that leaves the root (to a credentials file, to
//! `/proc/self/environ`), a device or a pipe (which could block or never end), a file
//! too large. The project loader (`.plat`, `.tf`, `plat.toml`), `plat fmt`,
//! `plat import score` (the Score file and the files its `source`s name) and the
//! language server all read through here, so what plat reads, echoes in a diagnostic or
//! copies into a build is always inside the root.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::MAX_FILE_BYTES;

/// A directory that files are read inside of, with every link in its own path resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Root {
    canonical: PathBuf,
}

/// Why a file is not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Once its links are resolved, the file is outside the root.
    Outside,
    /// A directory, a device, a pipe or a socket.
    NotRegular,
    /// Larger than [`MAX_FILE_BYTES`]; the size in bytes.
    TooLarge(u64),
    /// Read, but not UTF-8: the first invalid byte, at a 1-based line and byte column.
    NotUtf8 {
        byte: u8,
        line: usize,
        column: usize,
    },
    /// The operating system's reason (no such file, permission denied).
    Io(String),
}

impl Root {
    /// The root at `directory`, which must exist.
    pub fn new(directory: &Path) -> Result<Root, Refusal> {
        let directory = if directory.as_os_str().is_empty() {
            Path::new(".")
        } else {
            directory
        };
        let canonical = std::fs::canonicalize(directory).map_err(|error| io(&error))?;
        Ok(Root { canonical })
    }

    /// The root of a file named on its own: the directory that holds it.
    pub fn around(file: &Path) -> Result<Root, Refusal> {
        Root::new(file.parent().unwrap_or(Path::new(".")))
    }

    /// The root's own path, every link resolved.
    pub fn path(&self) -> &Path {
        &self.canonical
    }

    /// Whether `path`, once every link is resolved, names something inside the root:
    /// its resolved path, or the refusal.
    pub fn resolve(&self, path: &Path) -> Result<PathBuf, Refusal> {
        let resolved = std::fs::canonicalize(path).map_err(|error| io(&error))?;
        if resolved.starts_with(&self.canonical) {
            Ok(resolved)
        } else {
            Err(Refusal::Outside)
        }
    }

    /// The bytes of the regular file at `path`, if the rule allows reading it.
    pub fn read_bytes(&self, path: &Path) -> Result<Vec<u8>, Refusal> {
        let resolved = self.resolve(path)?;
        let metadata = std::fs::metadata(&resolved).map_err(|error| io(&error))?;
        if !metadata.is_file() {
            return Err(Refusal::NotRegular);
        }
        if metadata.len() > MAX_FILE_BYTES {
            return Err(Refusal::TooLarge(metadata.len()));
        }
        let file = std::fs::File::open(&resolved).map_err(|error| io(&error))?;
        read_limited(file)
    }

    /// The text of the regular file at `path`, if the rule allows reading it.
    pub fn read_text(&self, path: &Path) -> Result<String, Refusal> {
        text(self.read_bytes(path)?)
    }
}

/// A regular file that a walk of the root found (its directory entry is not a link),
/// opened without following a link in its last component. The walk descends from the
/// root only into directories that are not links, so the file is inside the root
/// without resolving its path: a fast path, for the thousands of files of a project.
pub(crate) struct WalkedFile {
    file: std::fs::File,
    len: u64,
}

impl WalkedFile {
    /// Opens the file at `path`, which the walk found as a regular file. `None` when its
    /// entry is a link now (it was replaced since the walk read it) or where links
    /// cannot be refused on opening: the caller reads it through [`Root::read_bytes`],
    /// which resolves them.
    pub(crate) fn open(path: &Path) -> Option<Result<WalkedFile, Refusal>> {
        let file = match open_not_following(path)? {
            Ok(file) => file,
            Err(error) => return Some(Err(io(&error))),
        };
        let metadata = match file.metadata() {
            Ok(metadata) => metadata,
            Err(error) => return Some(Err(io(&error))),
        };
        Some(if !metadata.is_file() {
            Err(Refusal::NotRegular)
        } else if metadata.len() > MAX_FILE_BYTES {
            Err(Refusal::TooLarge(metadata.len()))
        } else {
            Ok(WalkedFile {
                file,
                len: metadata.len(),
            })
        })
    }

    /// Its size when it was opened.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// Its bytes, at most [`MAX_FILE_BYTES`] of them.
    pub(crate) fn read(self) -> Result<Vec<u8>, Refusal> {
        read_limited_into(self.file, Vec::with_capacity(self.len as usize + 1))
    }
}

/// `path` opened for reading unless its last component is a link (`None`).
#[cfg(unix)]
fn open_not_following(path: &Path) -> Option<std::io::Result<std::fs::File>> {
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
    {
        Err(error) if error.raw_os_error() == Some(libc::ELOOP) => None,
        opened => Some(opened),
    }
}

#[cfg(not(unix))]
fn open_not_following(_path: &Path) -> Option<std::io::Result<std::fs::File>> {
    None
}

/// At most [`MAX_FILE_BYTES`] from `reader` (a file, standard input): more is
/// [`Refusal::TooLarge`], so a file that grows while it is read cannot make plat read
/// without end.
pub fn read_limited(reader: impl Read) -> Result<Vec<u8>, Refusal> {
    read_limited_into(reader, Vec::new())
}

/// [`read_limited`] into `bytes`, whose capacity may be the size expected.
fn read_limited_into(reader: impl Read, mut bytes: Vec<u8>) -> Result<Vec<u8>, Refusal> {
    reader
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| io(&error))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Refusal::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

/// `bytes` as text, or where the first byte that is not UTF-8 is.
pub fn text(bytes: Vec<u8>) -> Result<String, Refusal> {
    String::from_utf8(bytes).map_err(|error| {
        let at = error.utf8_error().valid_up_to();
        let bytes = error.as_bytes();
        let valid = &bytes[..at];
        let line = valid.iter().filter(|byte| **byte == b'\n').count() + 1;
        let column = valid
            .iter()
            .rev()
            .take_while(|byte| **byte != b'\n')
            .count()
            + 1;
        Refusal::NotUtf8 {
            byte: bytes.get(at).copied().unwrap_or_default(),
            line,
            column,
        }
    })
}

impl Refusal {
    /// Why, in a few words: `not a regular file`, `larger than 32 MiB`.
    pub fn reason(&self) -> String {
        match self {
            Refusal::Outside => RULE.to_string(),
            Refusal::NotRegular => "not a regular file".to_string(),
            Refusal::TooLarge(_) => {
                format!("larger than {} MiB", MAX_FILE_BYTES / (1024 * 1024))
            }
            Refusal::NotUtf8 { .. } => "not UTF-8".to_string(),
            Refusal::Io(reason) => reason.clone(),
        }
    }

    /// Whether the file is simply not there.
    pub fn is_missing(&self) -> bool {
        matches!(self, Refusal::Io(reason) if reason == NOT_FOUND)
    }
}

/// The rule, as diagnostics state it.
pub const RULE: &str = "it leaves the project: plat reads only files inside the project \
     directory, once every symbolic link is resolved";

const NOT_FOUND: &str = "no such file or directory";

/// The operating system's reason, without the "(os error N)" suffix.
pub fn io_reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => NOT_FOUND.to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => {
            let text = error.to_string();
            match text.find(" (os error") {
                Some(end) => text[..end].to_lowercase(),
                None => text,
            }
        }
    }
}

fn io(error: &std::io::Error) -> Refusal {
    Refusal::Io(io_reason(error))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn links_that_leave_the_root_are_refused_and_links_inside_are_read() {
        let outside = tempfile_dir("outside");
        let root = tempfile_dir("root");
        std::fs::write(outside.join("secret"), "token").unwrap();
        std::fs::write(root.join("inside.plat"), "workload w {}").unwrap();
        std::os::unix::fs::symlink(outside.join("secret"), root.join("a.plat")).unwrap();
        std::os::unix::fs::symlink(root.join("inside.plat"), root.join("b.plat")).unwrap();
        std::os::unix::fs::symlink("/proc/self/environ", root.join("c.plat")).unwrap();
        let rule = Root::new(&root).unwrap();
        assert_eq!(rule.read_text(&root.join("a.plat")), Err(Refusal::Outside));
        assert_eq!(rule.read_text(&root.join("c.plat")), Err(Refusal::Outside));
        assert_eq!(
            rule.read_text(&root.join("b.plat")).as_deref(),
            Ok("workload w {}")
        );
        let climbing = root
            .join("..")
            .join(outside.file_name().unwrap())
            .join("secret");
        assert_eq!(rule.read_text(&climbing), Err(Refusal::Outside));
        assert!(
            rule.read_text(&root.join("missing.plat"))
                .unwrap_err()
                .is_missing()
        );
        assert_eq!(rule.read_text(&root), Err(Refusal::NotRegular));
        std::fs::remove_dir_all(&root).unwrap();
        std::fs::remove_dir_all(&outside).unwrap();
    }

    #[test]
    fn a_walked_file_that_became_a_link_is_left_to_the_rule() {
        let outside = tempfile_dir("walked-outside");
        let root = tempfile_dir("walked-root");
        std::fs::write(outside.join("secret"), "token").unwrap();
        std::fs::write(root.join("plain.plat"), "workload w {}").unwrap();
        std::os::unix::fs::symlink(outside.join("secret"), root.join("link.plat")).unwrap();
        let plain = WalkedFile::open(&root.join("plain.plat"))
            .expect("opened without the rule")
            .expect("readable");
        assert_eq!(plain.len(), 13);
        assert_eq!(plain.read().as_deref(), Ok(&b"workload w {}"[..]));
        // A link in the walk's place is not opened: the rule, which resolves it, decides.
        assert!(WalkedFile::open(&root.join("link.plat")).is_none());
        assert!(matches!(
            WalkedFile::open(&root.join("missing.plat")),
            Some(Err(refusal)) if refusal.is_missing()
        ));
        assert!(matches!(
            WalkedFile::open(&root),
            Some(Err(Refusal::NotRegular))
        ));
        std::fs::remove_dir_all(&root).unwrap();
        std::fs::remove_dir_all(&outside).unwrap();
    }

    #[test]
    fn text_that_is_not_utf8_says_where() {
        assert_eq!(
            text(b"ab\ncd\xff".to_vec()),
            Err(Refusal::NotUtf8 {
                byte: 0xff,
                line: 2,
                column: 3
            })
        );
    }

    fn tempfile_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "plat-read-{}-{name}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
