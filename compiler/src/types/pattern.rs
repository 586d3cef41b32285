//! `matching "..."` patterns: compiled once per process, shared by every check.
//!
//! Invariants: a pattern is compiled as written (anchored only where it says so) with a
//! size limit, so that no pattern can take unbounded memory; each distinct pattern is
//! compiled at most once while the cache holds it, whichever file, workload or
//! environment checks a value against it; the cache holds at most [`CAPACITY`]
//! patterns (it is emptied when full), so a long editing session cannot grow it
//! without bound. An invalid pattern matches everything (it is reported, E0308, where
//! the type is written).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use regex::Regex;

/// The most patterns kept compiled at once.
const CAPACITY: usize = 4096;

/// Compiles a pattern as written, or says why it is not a valid one.
pub(crate) fn compile(pattern: &str) -> Result<Regex, String> {
    regex::RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .build()
        .map_err(|error| match error {
            regex::Error::Syntax(text) => text
                .lines()
                .rev()
                .find(|line| line.starts_with("error:"))
                .map(|line| line.trim_start_matches("error:").trim().to_string())
                .unwrap_or_else(|| "not a valid regular expression".to_string()),
            regex::Error::CompiledTooBig(_) => "the pattern is too large".to_string(),
            _ => "not a valid regular expression".to_string(),
        })
}

/// Whether `text` matches `pattern`; an invalid pattern matches everything.
pub(crate) fn matches(pattern: &str, text: &str) -> bool {
    compiled(pattern).is_none_or(|regex| regex.is_match(text))
}

/// The compiled pattern (`None`: invalid), from the cache when it is there. It is
/// shared through an `Arc`, not cloned: a cloned `Regex` starts with an empty pool of
/// search caches, and rebuilding one per match costs more than the match.
fn compiled(pattern: &str) -> Option<Arc<Regex>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<Arc<Regex>>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Mutex::default);
    if let Some(found) = cache
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(pattern)
    {
        return found.clone();
    }
    // Compiled outside the lock: other threads are not held up by a slow pattern.
    let regex = compile(pattern).ok().map(Arc::new);
    let mut cache = cache.lock().unwrap_or_else(PoisonError::into_inner);
    if cache.len() >= CAPACITY {
        cache.clear();
    }
    cache.insert(pattern.to_string(), regex.clone());
    regex
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_as_written() {
        assert!(matches("^[a-z]+$", "abc"));
        assert!(!matches("^[a-z]+$", "ab-c"));
        assert!(matches("[a-z]", "-a-"), "unanchored where it says nothing");
        // Again, from the cache.
        assert!(!matches("^[a-z]+$", "ABC"));
    }

    #[test]
    fn an_invalid_pattern_matches_everything_and_is_explained() {
        assert!(matches("[a-", "anything"));
        assert!(compile("[a-").is_err());
    }
}
