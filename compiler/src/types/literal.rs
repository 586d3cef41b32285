//! The formats of literal values: CPU and memory quantities, durations, image
//! references and semantic versions (the names Kubernetes accepts are in [`crate::kube`]).
//!
//! Invariants: these are pure functions of the text as written; they never panic and
//! never overflow (arithmetic is checked); an `Err` carries a short reason, lower case,
//! that reads well as a label ("unknown unit `x`").

use std::sync::LazyLock;

use regex::Regex;

/// The help line for each kind of quantity.
pub(crate) const CPU_HELP: &str = "write cores (`1`, `0.5`) or millicores (`250m`)";
pub(crate) const MEMORY_HELP: &str =
    "write bytes with a unit: `512Mi`, `1Gi` (binary: Ki Mi Gi Ti Pi Ei; decimal: k M G T P E)";
pub(crate) const DURATION_HELP: &str =
    "write a whole number with a unit: `100ms`, `30s`, `5m`, `1h`, `1d`";

/// Splits `250m` into `("250", "m")`: the number and the unit after it.
fn split_unit(text: &str) -> (&str, &str) {
    let at = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_' || c == '-'))
        .unwrap_or(text.len());
    text.split_at(at)
}

/// A non-negative decimal number as (integer part, fraction digits), `_` allowed.
fn parse_decimal(number: &str) -> Result<(u128, String), String> {
    let cleaned: String = number.chars().filter(|c| *c != '_').collect();
    if cleaned.starts_with('-') {
        return Err("cannot be negative".to_string());
    }
    let (whole, fraction) = match cleaned.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (cleaned.as_str(), ""),
    };
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !digits(whole) || (cleaned.contains('.') && !digits(fraction)) {
        return Err(format!("`{number}` is not a number"));
    }
    let whole = whole
        .parse::<u128>()
        .map_err(|_| "the number is too large".to_string())?;
    Ok((whole, fraction.to_string()))
}

/// `value * scale`, with `fraction` digits after the point, exactly; `None` when it
/// does not come out whole or overflows.
fn scaled(whole: u128, fraction: &str, scale: u128) -> Option<u128> {
    let mut total = whole.checked_mul(scale)?;
    let mut denominator: u128 = 1;
    let mut numerator: u128 = 0;
    for digit in fraction.chars().take(30) {
        denominator = denominator.checked_mul(10)?;
        numerator = numerator
            .checked_mul(10)?
            .checked_add(u128::from(digit.to_digit(10)?))?;
    }
    let part = numerator.checked_mul(scale)?;
    if part % denominator != 0 {
        return None;
    }
    total = total.checked_add(part / denominator)?;
    Some(total)
}

/// A CPU quantity in millicores: `1`, `0.5`, `250m`.
pub(crate) fn parse_cpu(text: &str) -> Result<u128, String> {
    let (number, unit) = split_unit(text);
    let (whole, fraction) = parse_decimal(number)?;
    match unit {
        "" => scaled(whole, &fraction, 1000)
            .ok_or_else(|| "finer than one millicore (`1m`)".to_string()),
        "m" if fraction.is_empty() => Ok(whole),
        "m" => Err("millicores are whole numbers".to_string()),
        other => Err(format!("unknown unit `{other}` for cpu")),
    }
}

/// A memory quantity in bytes: `512Mi`, `1G`, `1048576`.
pub(crate) fn parse_memory(text: &str) -> Result<u128, String> {
    let (number, unit) = split_unit(text);
    let (whole, fraction) = parse_decimal(number)?;
    let scale: u128 = match unit {
        "" if fraction.is_empty() => 1,
        "" => return Err("a plain number of bytes is a whole number".to_string()),
        "Ki" => 1 << 10,
        "Mi" => 1 << 20,
        "Gi" => 1 << 30,
        "Ti" => 1 << 40,
        "Pi" => 1 << 50,
        "Ei" => 1 << 60,
        "k" => 1_000,
        "M" => 1_000_000,
        "G" => 1_000_000_000,
        "T" => 1_000_000_000_000,
        "P" => 1_000_000_000_000_000,
        "E" => 1_000_000_000_000_000_000,
        other => return Err(format!("unknown unit `{other}` for memory")),
    };
    scaled(whole, &fraction, scale).ok_or_else(|| "not a whole number of bytes".to_string())
}

/// A duration in milliseconds: `100ms`, `30s`, `5m`, `1h`, `1d`.
pub(crate) fn parse_duration(text: &str) -> Result<u128, String> {
    let (number, unit) = split_unit(text);
    let (whole, fraction) = parse_decimal(number)?;
    if !fraction.is_empty() {
        return Err("durations are whole numbers".to_string());
    }
    let scale: u128 = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        "" => return Err("a duration needs a unit".to_string()),
        other => return Err(format!("unknown unit `{other}` for a duration")),
    };
    whole
        .checked_mul(scale)
        .ok_or_else(|| "the duration is too long".to_string())
}

static IMAGE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    // The reference grammar of the distribution project (docker/distribution
    // reference/regexp.go), with ASCII classes.
    let component = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    let domain_component = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    let domain =
        format!(r"(?:{domain_component}(?:\.{domain_component})*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?");
    let name = format!(r"(?:{domain}/)?{component}(?:/{component})*");
    let tag = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";
    let digest = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
    Regex::new(&format!(r"^{name}(?::{tag})?(?:@{digest})?$")).ok()
});

/// An OCI image reference: `[registry/]path[:tag][@digest]`.
pub(crate) fn check_image(text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Err("the image is empty".to_string());
    }
    if text.len() > 512 {
        return Err("the reference is too long".to_string());
    }
    if text.chars().any(char::is_whitespace) {
        return Err("an image reference has no spaces".to_string());
    }
    let name = text.split('@').next().unwrap_or(text);
    let path = match name.rsplit_once('/') {
        Some((_, last)) => last,
        None => name,
    };
    if path.chars().any(|c| c.is_ascii_uppercase()) {
        return Err("repository names are lower case".to_string());
    }
    match IMAGE.as_ref() {
        Some(image) if image.is_match(text) => Ok(()),
        Some(_) => Err("not a valid image reference".to_string()),
        None => Ok(()),
    }
}

static SEMVER: LazyLock<Option<Regex>> = LazyLock::new(|| {
    let number = r"(?:0|[1-9][0-9]*)";
    let pre = r"(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)";
    Regex::new(&format!(
        r"^{number}\.{number}\.{number}(?:-{pre}(?:\.{pre})*)?(?:\+[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*)?$"
    ))
    .ok()
});

/// A semantic version: `1.2.0`, `2.0.0-rc.1`.
pub(crate) fn check_semver(text: &str) -> Result<(), String> {
    if text.len() > 256 {
        return Err("the version is too long".to_string());
    }
    match SEMVER.as_ref() {
        Some(semver) if semver.is_match(text) => Ok(()),
        Some(_) => {
            let core = text.split(['-', '+']).next().unwrap_or(text);
            let parts = core.split('.').count();
            if parts != 3 {
                Err(format!("a version has three numbers, this has {parts}"))
            } else {
                Err("not a semantic version".to_string())
            }
        }
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu() {
        assert_eq!(parse_cpu("250m"), Ok(250));
        assert_eq!(parse_cpu("1"), Ok(1000));
        assert_eq!(parse_cpu("0.5"), Ok(500));
        assert!(parse_cpu("0.0001").is_err());
        assert!(parse_cpu("250x").is_err());
        assert!(parse_cpu("2.5m").is_err());
        assert!(parse_cpu("-1").is_err());
    }

    #[test]
    fn memory() {
        assert_eq!(parse_memory("512Mi"), Ok(512 << 20));
        assert_eq!(parse_memory("1G"), Ok(1_000_000_000));
        assert_eq!(parse_memory("1024"), Ok(1024));
        assert_eq!(parse_memory("1.5Gi"), Ok(3 << 29));
        assert!(parse_memory("512MB").is_err());
        assert!(parse_memory("99999999999999999999999999999999999999999Ei").is_err());
    }

    #[test]
    fn duration() {
        assert_eq!(parse_duration("30s"), Ok(30_000));
        assert_eq!(parse_duration("100ms"), Ok(100));
        assert!(parse_duration("30").is_err());
        assert!(parse_duration("1.5h").is_err());
        assert!(parse_duration("3w").is_err());
    }

    #[test]
    fn images() {
        for ok in [
            "postgres:16",
            "ghcr.io/acme/api:1.4.2",
            "localhost:5000/app",
            "nginx",
            "registry.example.com/team/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ] {
            assert_eq!(check_image(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "Nginx",
            "ghcr.io/acme/api:",
            "api:1.0 ",
            "a//b",
            "api:-x",
        ] {
            assert!(check_image(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn versions() {
        assert_eq!(check_semver("1.2.0"), Ok(()));
        assert_eq!(check_semver("2.0.0-rc.1+build.5"), Ok(()));
        assert!(check_semver("1.2").is_err());
        assert!(check_semver("01.2.3").is_err());
        assert!(check_semver("v1.2.3").is_err());
    }
}
