//! The hash of a package's content: what the lock records of a fetched package, and
//! what `plat check` compares with before it reads one.
//!
//! Invariants: the hash covers exactly the files the loader reads from a package
//! (its `plat.toml`, `.plat` and `.tf` files and its lock of module interfaces), each
//! as its path relative to the package's root and its bytes, in path order, so that
//! the same files give the same hash on every machine and any change to what plat
//! reads, a file added, removed, renamed or edited, changes it. Each part is prefixed
//! with its length, so that no two different sets of files hash alike by running into
//! each other.

use sha2::{Digest, Sha256};

/// The prefix of a hash as the lock writes it.
const PREFIX: &str = "sha256:";

/// A hash being computed, fed one file at a time in path order.
#[derive(Clone, Default)]
pub struct ContentHash {
    hasher: Sha256,
}

impl ContentHash {
    /// Adds the file at `path` (relative to the package's root, `/` separators) with
    /// `bytes`.
    pub fn add(&mut self, path: &str, bytes: &[u8]) {
        for part in [path.as_bytes(), bytes] {
            self.hasher.update((part.len() as u64).to_le_bytes());
            self.hasher.update(part);
        }
    }

    /// The hash, as the lock writes it: `sha256:` and 64 hexadecimal digits.
    pub fn finish(self) -> String {
        let digest = self.hasher.finalize();
        let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
        format!("{PREFIX}{hex}")
    }
}

/// Whether `text` is a hash as the lock writes it.
pub fn is_hash(text: &str) -> bool {
    text.strip_prefix(PREFIX)
        .is_some_and(|hex| is_lower_hex(hex, 64))
}

/// Whether `text` is `digits` lower-case hexadecimal digits.
pub(crate) fn is_lower_hex(text: &str, digits: usize) -> bool {
    text.len() == digits
        && text
            .bytes()
            .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(files: &[(&str, &str)]) -> String {
        let mut hash = ContentHash::default();
        for (path, text) in files {
            hash.add(path, text.as_bytes());
        }
        hash.finish()
    }

    #[test]
    fn any_change_to_the_files_changes_the_hash() {
        let base = hash(&[("a.plat", "x"), ("b.plat", "y")]);
        assert!(is_hash(&base), "{base}");
        assert_eq!(base, hash(&[("a.plat", "x"), ("b.plat", "y")]));
        assert_ne!(base, hash(&[("a.plat", "x"), ("b.plat", "z")]));
        assert_ne!(base, hash(&[("a.plat", "x")]));
        assert_ne!(base, hash(&[("a.plat", "x"), ("c.plat", "y")]));
        assert_ne!(hash(&[("ab", "c")]), hash(&[("a", "bc")]));
    }
}
