//! Terraform's version constraints (`~> 6.3`, `>= 1.5.7, < 2.0.0`), to ask whether a
//! constraint admits a version.

/// Whether every part of `constraint` admits `version`; an error for a constraint
/// that is not one.
pub fn admits(constraint: &str, version: &str) -> Result<bool, String> {
    let version = numbers(version).ok_or_else(|| format!("`{version}` is not a version"))?;
    for part in constraint.split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (operator, bound) = split_operator(part);
        let bound_numbers =
            numbers(bound).ok_or_else(|| format!("`{constraint}` is not a version constraint"))?;
        let order = compare(&version, &bound_numbers);
        let admitted = match operator {
            "=" | "" => order.is_eq(),
            "!=" => !order.is_eq(),
            ">" => order.is_gt(),
            ">=" => order.is_ge(),
            "<" => order.is_lt(),
            "<=" => order.is_le(),
            "~>" => order.is_ge() && compare(&version, &pessimistic_limit(&bound_numbers)).is_lt(),
            other => return Err(format!("`{other}` is not an operator of `{constraint}`")),
        };
        if !admitted {
            return Ok(false);
        }
    }
    Ok(true)
}

fn split_operator(part: &str) -> (&str, &str) {
    for operator in ["~>", ">=", "<=", "!=", ">", "<", "="] {
        if let Some(rest) = part.strip_prefix(operator) {
            return (operator, rest.trim());
        }
    }
    ("", part)
}

/// `6.3.1` as `[6, 3, 1]`; a pre-release or build suffix is ignored.
fn numbers(version: &str) -> Option<Vec<u64>> {
    let version = version.trim().trim_start_matches('v');
    let core = version.split(['-', '+']).next()?;
    core.split('.').map(|part| part.parse().ok()).collect()
}

fn compare(a: &[u64], b: &[u64]) -> std::cmp::Ordering {
    let length = a.len().max(b.len());
    let at = |v: &[u64], i: usize| v.get(i).copied().unwrap_or(0);
    (0..length)
        .map(|i| at(a, i).cmp(&at(b, i)))
        .find(|order| !order.is_eq())
        .unwrap_or(std::cmp::Ordering::Equal)
}

/// `~> 6.3` admits up to, not including, `7`; `~> 6.3.1` up to `6.4`; `~> 6` up to `7`.
fn pessimistic_limit(bound: &[u64]) -> Vec<u64> {
    let kept = bound.len().saturating_sub(1).max(1);
    let mut limit: Vec<u64> = bound[..kept.min(bound.len())].to_vec();
    if let Some(last) = limit.last_mut() {
        *last += 1;
    }
    limit
}

#[test]
fn constraints_admit_what_terraform_admits() {
    let yes = |c: &str, v: &str| assert!(admits(c, v).unwrap(), "{c} admits {v}");
    let no = |c: &str, v: &str| assert!(!admits(c, v).unwrap(), "{c} does not admit {v}");
    yes("~> 6.3", "6.25.0");
    no("~> 6.3", "5.100.0");
    no("~> 6.3", "7.0.0");
    yes("~> 6.3.1", "6.3.9");
    no("~> 6.3.1", "6.4.0");
    yes("~> 2", "2.38.0");
    yes(">= 5.73", "6.25.0");
    yes(">= 1.5.7, < 2.0.0", "1.11.4");
    no(">= 1.5.7, < 2.0.0", "2.0.0");
    no(">= 6.28", "6.25.0");
    yes("6.25.0", "6.25.0");
    no("!= 6.25.0", "6.25.0");
    assert!(admits("about six", "6.0.0").is_err());
}
