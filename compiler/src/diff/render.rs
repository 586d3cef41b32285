//! A diff for people and for tools: plain text for a terminal, Markdown for a
//! pull-request comment, JSON for scripts.
//!
//! Invariants: every format shows the same findings in the same order (most serious
//! first); in Markdown every text that comes from a build (an address, a value) is a
//! code span fenced with more backticks than it holds, so that it can neither format
//! nor inject anything, and the comment stays below what a pull request accepts
//! ([`MARKDOWN_LIMIT`]) by leaving out field lists, then change lists; JSON has the
//! shape of [`Diff`], with the context around it. The terminal text is passed through
//! the command line's cleaning of control characters before it is printed.

use std::fmt::Write;

use serde_json::{Value as Json, json};

use super::{Change, ChangeKind, Diff, EnvironmentDiff, Severity, Status, System};

/// The largest Markdown text a pull-request comment holds comfortably (GitHub's limit
/// is 65,536 characters).
pub const MARKDOWN_LIMIT: usize = 60_000;

/// What a diff compares, for its heading.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    pub project: &'a str,
    /// `origin/main (1a2b3c4)`, `the build in out-before`.
    pub old: &'a str,
    /// `the sources`.
    pub new: &'a str,
    /// Whether destroying data is allowed (`--allow-destroy`).
    pub allow_destroy: bool,
}

/// The verdict, in one sentence.
fn verdict(diff: &Diff, context: &Context<'_>) -> String {
    let count = |severity| diff.count(severity);
    let mut parts = Vec::new();
    if count(Severity::Protected) > 0 {
        parts.push(plural(
            count(Severity::Protected),
            "change touches a protected resource",
            "changes touch protected resources",
        ));
    }
    if count(Severity::Orphans) > 0 {
        parts.push(plural(
            count(Severity::Orphans),
            "change orphans Terraform state",
            "changes orphan Terraform state",
        ));
    }
    if count(Severity::Destroys) > 0 {
        let allowed = if context.allow_destroy {
            " (allowed: --allow-destroy)"
        } else {
            " (--allow-destroy lets it through)"
        };
        parts.push(format!(
            "{}{allowed}",
            plural(
                count(Severity::Destroys),
                "change destroys or replaces data",
                "changes destroy or replace data",
            )
        ));
    }
    let blocked = diff.blocks(context.allow_destroy);
    match (parts.is_empty(), blocked) {
        (true, _) if diff.is_empty() => "nothing changes".to_string(),
        (true, _) => "no change destroys data".to_string(),
        (false, true) => format!("blocked: {}", parts.join("; ")),
        (false, false) => parts.join("; "),
    }
}

fn plural(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}

fn status(status: Status) -> &'static str {
    match status {
        Status::Added => "added",
        Status::Removed => "removed",
        Status::Changed => "changed",
        Status::Unchanged => "unchanged",
    }
}

fn mark(kind: ChangeKind) -> char {
    match kind {
        ChangeKind::Added => '+',
        ChangeKind::Removed => '-',
        ChangeKind::Changed => '~',
    }
}

fn system(system: System) -> &'static str {
    match system {
        System::Kubernetes => "kubernetes",
        System::Terraform => "terraform",
        System::Module => "module",
    }
}

fn value(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("(none)")
}

/// The diff as plain text, for a terminal.
pub fn terminal(diff: &Diff, context: &Context<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "plat diff of {}: {} -> {}",
        context.project, context.old, context.new
    );
    for env in &diff.environments {
        let _ = writeln!(out, "\n{}: {}", env.name, status(env.status));
        for finding in &env.findings {
            let _ = writeln!(
                out,
                "  {:<10} {}",
                finding.severity.as_str(),
                finding.message
            );
        }
        for change in &env.offerings {
            let _ = writeln!(
                out,
                "  {:<10} `{}`: {} {} on {} -> {} on {}",
                "offering",
                change.instance,
                change.offering,
                change.old_version,
                change.old_implementation,
                change.new_version,
                change.new_implementation
            );
        }
        for change in &env.changes {
            let _ = writeln!(
                out,
                "  {:<10} {} {}",
                system(change.system),
                mark(change.kind),
                change.address
            );
            for field in &change.fields {
                let _ = writeln!(
                    out,
                    "{:13}{}: {} -> {}",
                    "",
                    field.path,
                    value(&field.old),
                    value(&field.new)
                );
            }
            if change.more_fields > 0 {
                let _ = writeln!(out, "{:13}and {} more fields", "", change.more_fields);
            }
        }
        for problem in &env.unreadable {
            let _ = writeln!(out, "  {:<10} cannot read {problem}", "warning");
        }
    }
    let _ = writeln!(out, "\n{}", verdict(diff, context));
    out
}

/// A code span that shows `text` as it is, whatever backticks it holds.
fn code(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let text = text.replace(['\n', '\r'], " ");
    if text.starts_with('`') || text.ends_with('`') || text.is_empty() {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

/// A finding's message in Markdown: its backticked names as they are (they are
/// identifiers), anything else escaped.
fn prose(text: &str) -> String {
    let mut out = String::new();
    for (at, part) in text.split('`').enumerate() {
        if at % 2 == 1 {
            out.push_str(&code(part));
        } else {
            for c in part.chars() {
                if "\\*_[]<>|#!~".contains(c) {
                    out.push('\\');
                }
                out.push(c);
            }
        }
    }
    out
}

/// How much detail the Markdown shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Detail {
    Fields,
    Changes,
    Counts,
}

/// The diff as Markdown, for a pull-request comment, at most [`MARKDOWN_LIMIT`]
/// characters long (left out, details say how to see them).
pub fn markdown(diff: &Diff, context: &Context<'_>) -> String {
    for detail in [Detail::Fields, Detail::Changes] {
        let text = markdown_with(diff, context, detail);
        if text.len() <= MARKDOWN_LIMIT {
            return text;
        }
    }
    markdown_with(diff, context, Detail::Counts)
}

fn markdown_with(diff: &Diff, context: &Context<'_>, detail: Detail) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### plat diff of {}: {} → {}\n",
        code(context.project),
        prose(context.old),
        prose(context.new)
    );
    let verdict = verdict(diff, context);
    if diff.blocks(context.allow_destroy) {
        let _ = writeln!(out, "> [!CAUTION]\n> **{}**\n", prose(&verdict));
    } else if diff.count(Severity::Destroys) > 0 {
        let _ = writeln!(out, "> [!WARNING]\n> **{}**\n", prose(&verdict));
    } else {
        let _ = writeln!(out, "**{}**\n", prose(&verdict));
    }
    let _ = writeln!(
        out,
        "| environment | status | data | offerings | Kubernetes | Terraform |\n| --- | --- | --- | --- | --- | --- |"
    );
    for env in &diff.environments {
        let data = [Severity::Protected, Severity::Orphans, Severity::Destroys]
            .into_iter()
            .filter_map(|severity| {
                let count = env
                    .findings
                    .iter()
                    .filter(|f| f.severity == severity)
                    .count();
                (count > 0).then(|| format!("{} {count}", severity.as_str()))
            })
            .collect::<Vec<_>>();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            code(&env.name),
            status(env.status),
            if data.is_empty() {
                "—".to_string()
            } else {
                data.join(", ")
            },
            env.offerings.len(),
            count_of(env, System::Kubernetes),
            count_of(env, System::Terraform) + count_of(env, System::Module),
        );
    }
    for env in diff
        .environments
        .iter()
        .filter(|env| env.status != Status::Unchanged)
    {
        markdown_environment(&mut out, env, detail);
    }
    if detail != Detail::Fields {
        let _ = writeln!(
            out,
            "\n_Some details are left out to fit a comment: run `plat diff` for all of them._"
        );
    }
    out
}

fn count_of(env: &EnvironmentDiff, wanted: System) -> usize {
    env.changes.iter().filter(|c| c.system == wanted).count()
}

fn markdown_environment(out: &mut String, env: &EnvironmentDiff, detail: Detail) {
    let _ = writeln!(out, "\n#### {} ({})\n", code(&env.name), status(env.status));
    for finding in &env.findings {
        let _ = writeln!(
            out,
            "- **{}**: {}",
            finding.severity.as_str(),
            prose(&finding.message)
        );
    }
    if !env.offerings.is_empty() {
        let _ = writeln!(out, "\n**Offerings**\n");
        for change in &env.offerings {
            let _ = writeln!(
                out,
                "- {}: {} {} on {} → {} on {}",
                code(&change.instance),
                code(&change.offering),
                code(&change.old_version),
                code(&change.old_implementation),
                code(&change.new_version),
                code(&change.new_implementation),
            );
        }
    }
    for (wanted, title) in [
        (System::Terraform, "Terraform"),
        (System::Module, "Terraform modules"),
        (System::Kubernetes, "Kubernetes"),
    ] {
        let changes: Vec<&Change> = env.changes.iter().filter(|c| c.system == wanted).collect();
        if changes.is_empty() {
            continue;
        }
        let summary = [ChangeKind::Added, ChangeKind::Removed, ChangeKind::Changed]
            .into_iter()
            .filter_map(|kind| {
                let count = changes.iter().filter(|c| c.kind == kind).count();
                let word = match kind {
                    ChangeKind::Added => "added",
                    ChangeKind::Removed => "removed",
                    ChangeKind::Changed => "changed",
                };
                (count > 0).then(|| format!("{count} {word}"))
            })
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(out, "\n<details><summary>{title}: {summary}</summary>\n");
        if detail == Detail::Counts {
            let _ = writeln!(out, "</details>");
            continue;
        }
        for change in changes {
            let _ = writeln!(out, "- `{}` {}", mark(change.kind), code(&change.address));
            if detail != Detail::Fields {
                continue;
            }
            for field in &change.fields {
                let _ = writeln!(
                    out,
                    "  - {}: {} → {}",
                    code(&field.path),
                    code(value(&field.old)),
                    code(value(&field.new))
                );
            }
            if change.more_fields > 0 {
                let _ = writeln!(out, "  - and {} more fields", change.more_fields);
            }
        }
        let _ = writeln!(out, "\n</details>");
    }
    for problem in &env.unreadable {
        let _ = writeln!(out, "\n- **cannot read** {}", code(problem));
    }
}

/// The diff as JSON: the context, the verdict and the diff itself.
pub fn json(diff: &Diff, context: &Context<'_>) -> String {
    let document = json!({
        "project": context.project,
        "old": context.old,
        "new": context.new,
        "allow_destroy": context.allow_destroy,
        "blocked": diff.blocks(context.allow_destroy),
        "counts": {
            "protected": diff.count(Severity::Protected),
            "orphans": diff.count(Severity::Orphans),
            "destroys": diff.count(Severity::Destroys),
            "attention": diff.count(Severity::Attention),
        },
        "environments": serde_json::to_value(&diff.environments).unwrap_or(Json::Null),
    });
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_hold_any_text() {
        assert_eq!(code("a"), "`a`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x`"), "`` `x` ``");
        assert_eq!(code("<img src=x>"), "`<img src=x>`");
    }

    #[test]
    fn prose_escapes_markdown_outside_names() {
        assert_eq!(
            prose("`a_b` is <b>bold</b>"),
            "`a_b` is \\<b\\>bold\\</b\\>"
        );
    }
}
