//! "Did you mean …?" suggestions.
//!
//! Invariant: a suggestion is only ever a *close* name: within a small edit distance of
//! what was written (relative to its length) or equal to it ignoring case. Among several
//! close names the nearest wins, ties broken alphabetically, so the answer is
//! deterministic whatever order the candidates come in.

/// The candidate closest to `written`, if one is close enough to be worth suggesting.
pub fn closest<'a, I>(written: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        if candidate == written || candidate.is_empty() {
            continue;
        }
        let Some(distance) = distance_if_close(written, candidate) else {
            continue;
        };
        let better = match best {
            None => true,
            Some((best_distance, best_name)) => {
                distance < best_distance || (distance == best_distance && candidate < best_name)
            }
        };
        if better {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, name)| name)
}

/// `did you mean `host`?` for the closest candidate, if any.
pub fn did_you_mean<'a, I>(written: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    closest(written, candidates).map(|name| format!("did you mean `{name}`?"))
}

/// The edit distance between the two names, when it is small enough for a suggestion.
fn distance_if_close(written: &str, candidate: &str) -> Option<usize> {
    if written.eq_ignore_ascii_case(candidate) {
        return Some(0);
    }
    let longest = written.chars().count().max(candidate.chars().count());
    // One edit for short names, a third of the length for longer ones.
    let limit = (longest / 3).max(1);
    let distance = strsim::damerau_levenshtein(written, candidate);
    (distance <= limit).then_some(distance)
}

/// Names in backticks, joined for a help line: `` `a`, `b` or `c` ``.
pub fn one_of(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Names in backticks, all of them: `` `a`, `b` and `c` ``.
pub fn all_of(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// How many names a help line lists before it stops being short.
pub const SHORT_LIST: usize = 8;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(closest("hots", ["host", "port", "password"]), Some("host"));
        assert_eq!(closest("replica", ["replicas", "labels"]), Some("replicas"));
        assert_eq!(closest("xyz", ["host", "port"]), None);
        assert_eq!(closest("a", ["b"]), Some("b"));
        assert_eq!(closest("Host", ["host"]), Some("host"));
    }

    #[test]
    fn ties_are_alphabetical() {
        assert_eq!(closest("pat", ["pot", "pet"]), Some("pet"));
    }

    #[test]
    fn lists_read_naturally() {
        assert_eq!(one_of(&["a"]), "`a`");
        assert_eq!(one_of(&["a", "b", "c"]), "`a`, `b` or `c`");
        assert_eq!(all_of(&["a", "b"]), "`a` and `b`");
    }
}
