//! Names of resolved things in the systems plat writes for.
//!
//! Invariants: an instance id is its owner's path of names joined with `.`
//! (`shared_db`, `api.db`, `api.db.network`), unique in an environment because the
//! names on each level are; [`object_name`] turns an id into a DNS label (lower-case
//! letters, digits and `-`, at most 63 characters, starting and ending with a letter
//! or digit), the same for the same id on every run, so it is safe for Kubernetes
//! objects and Terraform identifiers alike.

/// The longest DNS label.
const MAX_LABEL: usize = 63;

/// The id of an instance named `name` inside `parent` (a workload or an instance id).
pub(crate) fn child_id(parent: &str, name: &str) -> String {
    format!("{parent}.{name}")
}

/// A DNS label for an id: `shared_db` → `shared-db`, `api.db.network` →
/// `api-db-network`. A label that would be too long is cut and ends with a hash of
/// the whole id, so that two long ids still get two names.
pub(crate) fn object_name(id: &str) -> String {
    let mut name = String::with_capacity(id.len());
    for c in id.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() {
            name.push(c);
        } else if !name.ends_with('-') && !name.is_empty() {
            name.push('-');
        }
    }
    let name = name.trim_end_matches('-').to_string();
    let name = match name.chars().next() {
        None => "x".to_string(),
        Some(first) if first.is_ascii_digit() => format!("x-{name}"),
        Some(_) => name,
    };
    if name.len() <= MAX_LABEL {
        return name;
    }
    let hash = format!("{:08x}", fnv1a(id.as_bytes()));
    let keep = MAX_LABEL - hash.len() - 1;
    let head = name[..keep].trim_end_matches('-');
    format!("{head}-{hash}")
}

/// The 32-bit FNV-1a hash: small, stable across platforms and releases.
fn fnv1a(bytes: &[u8]) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in bytes {
        hash ^= u32::from(*byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_become_dns_labels() {
        assert_eq!(object_name("shared_db"), "shared-db");
        assert_eq!(object_name("api.db.network"), "api-db-network");
        assert_eq!(object_name("Checkout-API.db"), "checkout-api-db");
        assert_eq!(object_name("__"), "x");
        assert_eq!(object_name("_1.db"), "x-1-db");
    }

    #[test]
    fn long_ids_are_cut_with_a_stable_hash() {
        let long = "a".repeat(100);
        let name = object_name(&long);
        assert_eq!(name.len(), MAX_LABEL);
        assert_eq!(name, object_name(&long));
        assert_ne!(name, object_name(&format!("{long}b")));
    }
}
