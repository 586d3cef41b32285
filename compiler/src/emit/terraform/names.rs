//! Terraform identifiers and the names of root modules.
//!
//! Invariants: every identifier this module returns matches `[a-zA-Z_][a-zA-Z0-9_]*`
//! (a subset of Terraform's `[a-zA-Z_][a-zA-Z0-9_-]*`, so that names read as the
//! snake_case Terraform users expect); a [`Names`] never hands out the same name twice,
//! and hands them out deterministically (the same requests in the same order give the
//! same names). Directory names never contain a path separator and are never `.` or `..`.

use std::collections::BTreeSet;

/// A Terraform identifier made from a plat name: `shared-db` → `shared_db`,
/// `1st` → `_1st`.
pub(super) fn identifier(name: &str) -> String {
    let mut identifier: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !identifier.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        identifier.insert(0, '_');
    }
    identifier
}

/// A single path segment made from a plat name (a workload's directory): anything but
/// `[a-zA-Z0-9._-]` becomes `_`, and a name made only of dots is prefixed with `_`.
pub(super) fn directory(name: &str) -> String {
    let mut segment: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if segment.chars().all(|c| c == '.') {
        segment.insert(0, '_');
    }
    segment
}

/// Whether `text` can follow a `.` in a Terraform traversal (`module.db.text`).
pub(super) fn is_attribute(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Names handed out in one namespace (the instances of an environment, the outputs of
/// a root module): a name already taken gets a numeric suffix (`db_2`).
#[derive(Debug, Default)]
pub(super) struct Names {
    taken: BTreeSet<String>,
}

impl Names {
    /// Takes `wanted`, or the first free `wanted_N` (N from 2) if it is taken.
    pub(super) fn claim(&mut self, wanted: String) -> String {
        if self.taken.insert(wanted.clone()) {
            return wanted;
        }
        let mut suffix = 2usize;
        loop {
            let candidate = format!("{wanted}_{suffix}");
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
            suffix += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_snake_case_and_never_start_with_a_digit() {
        assert_eq!(identifier("shared-db"), "shared_db");
        assert_eq!(identifier("api-db-network"), "api_db_network");
        assert_eq!(identifier("1st"), "_1st");
        assert_eq!(identifier(""), "_");
        assert_eq!(identifier("a.b/c"), "a_b_c");
    }

    #[test]
    fn directories_are_single_safe_segments() {
        assert_eq!(directory("checkout-api"), "checkout-api");
        assert_eq!(directory("../etc"), ".._etc");
        assert_eq!(directory(".."), "_..");
        assert_eq!(directory(""), "_");
    }

    #[test]
    fn names_are_never_handed_out_twice() {
        let mut names = Names::default();
        assert_eq!(names.claim("db".to_string()), "db");
        assert_eq!(names.claim("db".to_string()), "db_2");
        assert_eq!(names.claim("db".to_string()), "db_3");
        assert_eq!(names.claim("db_2".to_string()), "db_2_2");
    }

    #[test]
    fn attributes() {
        assert!(is_attribute("db_instance_address"));
        assert!(is_attribute("fqdn"));
        assert!(!is_attribute("0"));
        assert!(!is_attribute("a.b"));
        assert!(!is_attribute(""));
    }
}
