//! The formats of a CronJob's schedule: the cron expression and the time zone, as the
//! Kubernetes API server accepts them.
//!
//! Invariants: [`check_cron`] accepts exactly the standard five-field expressions and
//! the named descriptors that the API server's parser accepts (minute, hour, day of
//! month, month, day of week; `*`, `?`, values, names of months and days, ranges,
//! lists and steps, each value within its field's bounds), except `@every`, and never a
//! `TZ=` prefix (the time zone is a field of its own); [`check_time_zone`] accepts the
//! names of the IANA time zone database (`time_zones.txt`, zones and links), never
//! `Local`. Both are pure functions of the text, bounded by its length, and never panic.

use std::sync::LazyLock;

/// The names of the IANA time zone database (release 2025b), one a line, sorted.
const TIME_ZONES: &str = include_str!("time_zones.txt");

static ZONES: LazyLock<Vec<&'static str>> = LazyLock::new(|| TIME_ZONES.lines().collect());

/// The help line for a malformed schedule.
pub(crate) const CRON_HELP: &str = "write five fields, minute hour day-of-month month day-of-week: \
     `\"30 2 * * *\"` is every day at 02:30, `\"*/15 * * * 1-5\"` every quarter of an hour on \
     weekdays; or `@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`";

/// The descriptors that stand for a whole expression.
const DESCRIPTORS: &[&str] = &[
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@midnight",
    "@hourly",
];

/// One field of an expression: its name, bounds and the names its values may take.
struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
}

const MONTHS: &[&str] = &[
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const DAYS: &[&str] = &["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

const FIELDS: [Field; 5] = [
    Field {
        name: "minute",
        min: 0,
        max: 59,
        names: &[],
    },
    Field {
        name: "hour",
        min: 0,
        max: 23,
        names: &[],
    },
    Field {
        name: "day of the month",
        min: 1,
        max: 31,
        names: &[],
    },
    Field {
        name: "month",
        min: 1,
        max: 12,
        names: MONTHS,
    },
    Field {
        name: "day of the week",
        min: 0,
        max: 6,
        names: DAYS,
    },
];

/// Whether `text` is a cron schedule the API server accepts; `Err` says why not.
pub(crate) fn check_cron(text: &str) -> Result<(), String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("the schedule is empty".to_string());
    }
    if trimmed.contains("TZ") {
        return Err("the time zone is set with `time_zone`, not in the schedule".to_string());
    }
    if let Some(descriptor) = trimmed.strip_prefix('@') {
        let descriptor = format!("@{}", descriptor.to_ascii_lowercase());
        if DESCRIPTORS.contains(&descriptor.as_str()) {
            return Ok(());
        }
        return Err(format!(
            "`{descriptor}` is not a descriptor Kubernetes accepts"
        ));
    }
    let parts: Vec<&str> = trimmed.split_whitespace().collect();
    if parts.len() != FIELDS.len() {
        return Err(format!(
            "{} field{} instead of five",
            parts.len(),
            if parts.len() == 1 { "" } else { "s" }
        ));
    }
    for (part, field) in parts.iter().zip(FIELDS.iter()) {
        check_field(part, field)?;
    }
    Ok(())
}

/// One field: a list of ranges, each with an optional step.
fn check_field(text: &str, field: &Field) -> Result<(), String> {
    for item in text.split(',') {
        check_item(item, field).map_err(|reason| format!("{}: {reason}", field.name))?;
    }
    Ok(())
}

fn check_item(item: &str, field: &Field) -> Result<(), String> {
    let (range, step) = match item.split_once('/') {
        Some((range, step)) => (range, Some(step)),
        None => (item, None),
    };
    if let Some(step) = step {
        match step.parse::<u32>() {
            Ok(0) => return Err(format!("the step of `{item}` is zero")),
            Ok(_) => {}
            Err(_) => return Err(format!("the step of `{item}` is not a number")),
        }
    }
    if range == "*" || range == "?" {
        return Ok(());
    }
    let (start, end) = match range.split_once('-') {
        Some((start, end)) => (value(start, field)?, value(end, field)?),
        None => (value(range, field)?, value(range, field)?),
    };
    if start > end {
        return Err(format!("`{range}` starts after it ends"));
    }
    Ok(())
}

/// A value of `field`: a number within its bounds, or one of its names.
fn value(text: &str, field: &Field) -> Result<u32, String> {
    let lower = text.to_ascii_lowercase();
    if let Some(at) = field.names.iter().position(|name| *name == lower) {
        let at = u32::try_from(at).unwrap_or(0);
        return Ok(if field.min == 1 { at + 1 } else { at });
    }
    let number = text
        .parse::<u32>()
        .map_err(|_| format!("`{text}` is not a number"))?;
    if number < field.min || number > field.max {
        return Err(format!(
            "`{number}` is outside {}..{}",
            field.min, field.max
        ));
    }
    Ok(number)
}

/// Whether `text` names a time zone of the IANA database; `Err` says why not.
pub(crate) fn check_time_zone(text: &str) -> Result<(), String> {
    if text.eq_ignore_ascii_case("local") {
        return Err("`Local` is the API server's own zone: name an explicit one".to_string());
    }
    if ZONES.binary_search(&text).is_ok() {
        return Ok(());
    }
    Err("not a time zone of the IANA database".to_string())
}

/// The time zone closest to `text`, for a suggestion (none for a text longer than any
/// zone's name, which no small edit turns into one).
pub(crate) fn closest_time_zone(text: &str) -> Option<&'static str> {
    if text.len() > 64 {
        return None;
    }
    crate::names::suggest::closest(text, ZONES.iter().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_kubernetes_accepts() {
        for ok in [
            "30 2 * * *",
            "*/15 * * * 1-5",
            "0 0 1 jan,jul *",
            "0 9-17/2 ? * MON-FRI",
            "5,10,15 3 1-31 12 0",
            "0 0 1/2 * *",
            "@daily",
            "@Hourly",
        ] {
            assert_eq!(check_cron(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn schedules_kubernetes_refuses() {
        for bad in [
            "",
            "* * * *",
            "* * * * * *",
            "60 * * * *",
            "* 24 * * *",
            "* * 0 * *",
            "* * * 13 *",
            "* * * * 7",
            "*/0 * * * *",
            "5-1 * * * *",
            "a * * * *",
            "@every 1h",
            "CRON_TZ=UTC 0 * * * *",
        ] {
            assert!(check_cron(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn time_zones() {
        assert_eq!(check_time_zone("Europe/Amsterdam"), Ok(()));
        assert_eq!(check_time_zone("UTC"), Ok(()));
        assert_eq!(check_time_zone("US/Eastern"), Ok(()));
        assert!(check_time_zone("Local").is_err());
        assert!(check_time_zone("Europe/Amsterdan").is_err());
        assert!(check_time_zone("").is_err());
        assert_eq!(closest_time_zone("europe/paris"), Some("Europe/Paris"));
        assert_eq!(
            closest_time_zone("Europe/Amsterdan"),
            Some("Europe/Amsterdam")
        );
    }
}
