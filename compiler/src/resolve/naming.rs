//! Names of resolved things in the systems plat writes for.
//!
//! Invariants: an instance id ([`crate::resolve::instance_id::InstanceId`]) is its
//! owner's path of names joined with `.` (`shared_db`, `api.db`, `api.db.network`),
//! unique in an environment because the names on each level are; [`object_name`] turns
//! an id into a DNS label (lower-case
//! letters, digits and `-`, at most 52 characters, starting and ending with a letter
//! or digit), the same for the same id on every run, so it is safe for Kubernetes
//! objects and Terraform identifiers alike. [`Carrier`] and [`file_key`] say under which
//! object and key a container's value travels when it is not written inline: the one
//! rule that the emitters write by and that resolution checks for clashes.

use crate::resolve::value::Value;

/// The longest object name: a DNS label is at most 63 characters, but a StatefulSet
/// (an in-cluster instance that keeps data) labels its pods with its name, a `-` and a
/// hash of up to 10 characters, a label value of at most 63: so 52.
const MAX_NAME: usize = 52;

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
    if name.len() <= MAX_NAME {
        return name;
    }
    let hash = format!("{:08x}", fnv1a(id.as_bytes()));
    let keep = MAX_NAME - hash.len() - 1;
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

/// The object of its owner (a workload or an in-cluster instance) that carries a value
/// of a container which is not written inline in the manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Carrier {
    /// The Secret that the owner's Terraform writes: every secret value.
    ProvisionedSecret,
    /// The ConfigMap that the owner's Terraform writes: plain values known only after
    /// provisioning.
    ProvisionedConfigMap,
    /// The ConfigMap that plat writes: plain compile-time files.
    PlatConfigMap,
}

impl Carrier {
    /// What carries an environment variable of `value`; `None` when it is inline.
    pub(crate) fn of_env(value: &Value) -> Option<Carrier> {
        Carrier::provisioned(value)
    }

    /// What carries a file of `value`: files are always mounted, never inline.
    pub(crate) fn of_file(value: &Value) -> Carrier {
        Carrier::provisioned(value).unwrap_or(Carrier::PlatConfigMap)
    }

    fn provisioned(value: &Value) -> Option<Carrier> {
        if value.is_secret() {
            Some(Carrier::ProvisionedSecret)
        } else if value.is_deferred() {
            Some(Carrier::ProvisionedConfigMap)
        } else {
            None
        }
    }

    /// How messages name it.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Carrier::ProvisionedSecret => "Secret",
            Carrier::ProvisionedConfigMap | Carrier::PlatConfigMap => "ConfigMap",
        }
    }
}

/// The key of a ConfigMap or Secret that carries the file at `path`:
/// `/etc/app/config.yaml` → `file.etc.app.config.yaml` (keys may hold only
/// `[-._a-zA-Z0-9]`, so other characters become `_`). Different paths may share a key
/// (`/etc/a/b` and `/etc/a.b`): resolution reports that (E0619).
pub(crate) fn file_key(path: &str) -> String {
    let mut key = String::from("file");
    for segment in path.split('/').filter(|segment| !segment.is_empty()) {
        key.push('.');
        key.extend(segment.chars().map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        }));
    }
    key
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
        assert_eq!(name.len(), MAX_NAME);
        assert_eq!(name, object_name(&long));
        assert_ne!(name, object_name(&format!("{long}b")));
    }
}
