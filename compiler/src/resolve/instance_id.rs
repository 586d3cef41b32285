//! The id of a resource instance: what the resolved model links instances by.
//!
//! Invariants: an id is unique in an environment; its text is its owner's path of names
//! joined with `.`: `shared_db` for an environment's shared resource, `api.db` for a
//! workload's, `api.db.network` for one an implementation needs. It is built once, where
//! the instance is made, and shared from then on: a copy is a reference count, never a
//! copy of the text. Ids compare, order and hash by their text alone (as a `String`
//! would), so every map and sort keyed by them is in the same order on every run, and a
//! map keyed by them is read with a `&str`.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// The id of a resource instance in an environment: `api.db.network`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InstanceId(Arc<str>);

impl InstanceId {
    /// The id of the instance `name` inside `parent`: a workload's name for its own
    /// resource (`api` and `db` give `api.db`), an instance's id for what its
    /// implementation needs (`api.db.network`).
    pub(crate) fn child(parent: &str, name: &str) -> InstanceId {
        InstanceId(format!("{parent}.{name}").into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the instance is `id` or one that `id` pulled in (`api.db.network` for
    /// `api.db`), which goes with it.
    pub(crate) fn is_or_within(&self, id: &str) -> bool {
        self.0
            .strip_prefix(id)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
    }

    /// Its name inside `parent`, when it is a child of it: `network` for
    /// `api.db.network` inside `api.db`.
    pub(crate) fn name_in(&self, parent: &str) -> Option<&str> {
        self.0.strip_prefix(parent)?.strip_prefix('.')
    }
}

/// The id of an environment's shared resource is its name (`shared_db`); so are ids
/// written by hand.
impl From<&str> for InstanceId {
    fn from(text: &str) -> InstanceId {
        InstanceId(text.into())
    }
}

impl From<String> for InstanceId {
    fn from(text: String) -> InstanceId {
        InstanceId(text.into())
    }
}

/// Read as its text: `id.split('.')`, `&id` where a `&str` is asked for.
impl Deref for InstanceId {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for InstanceId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for InstanceId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for InstanceId {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for InstanceId {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl fmt::Display for InstanceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// As its text is: `"api.db"`.
impl fmt::Debug for InstanceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn ids_order_and_read_as_their_text() {
        let ids: BTreeMap<InstanceId, u8> = [("api.db.network", 2), ("api.db", 1), ("a_b", 0)]
            .into_iter()
            .map(|(id, n)| (InstanceId::from(id), n))
            .collect();
        let texts: Vec<&str> = ids.keys().map(InstanceId::as_str).collect();
        let mut sorted = texts.clone();
        sorted.sort_unstable();
        assert_eq!(texts, sorted);
        assert_eq!(ids.get("api.db"), Some(&1));
        assert_eq!(format!("{:?}", InstanceId::from("api.db")), "\"api.db\"");
        assert_eq!(InstanceId::from("api.db").to_string(), "api.db");
    }

    #[test]
    fn children_are_named_inside_their_parent() {
        let db = InstanceId::child("api", "db");
        let network = InstanceId::child(db.as_str(), "network");
        assert_eq!(network, "api.db.network");
        assert_eq!(network.name_in(db.as_str()), Some("network"));
        assert_eq!(network.name_in("api.d"), None);
        assert!(network.is_or_within("api.db"));
        assert!(db.is_or_within("api.db"));
        assert!(!InstanceId::from("api.dbx").is_or_within("api.db"));
    }
}
