//! Code actions: quick fixes for the compiler's own diagnostics.
//!
//! Invariants: a fix is offered only for a diagnostic the compiler reports for the
//! current text (`check::check_project`, recomputed on the snapshot rather than taken
//! from the client), and only from what that diagnostic says: "did you mean `x`?"
//! replaces the primary range with `x`; E0302 inserts a `name = ` line for each
//! parameter or field its help lists, in the body of the node it is about; E0601 adds
//! `use offering.implementation` (the offering's first implementation, the first one the
//! help lists) to the environment its secondary label points at. An edit is built only
//! when the tree confirms where it goes (a body that ends with `}`); otherwise no action.

use std::collections::HashMap;

use plat_compiler::check::check_project;
use plat_compiler::diagnostic::{Code, Diagnostic};
use plat_compiler::source::SourceFile;
use plat_compiler::span::TextRange;
use plat_compiler::syntax::ast::{Body, Item, Member};
use plat_compiler::syntax::parse_file;
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, TextEdit, Uri, WorkspaceEdit,
};

use crate::snapshot::Snapshot;

/// The quick fixes for the diagnostics of `file` that touch `range`.
pub fn code_actions(
    snapshot: &Snapshot,
    file: SourceFile,
    range: TextRange,
) -> Vec<CodeActionOrCommand> {
    let db = &snapshot.db;
    check_project(db, snapshot.project)
        .iter()
        .filter(|d| {
            d.primary
                .as_ref()
                .is_some_and(|p| p.file == file && touches(p.range, range))
        })
        .filter_map(|diagnostic| fix(snapshot, file, diagnostic))
        .map(CodeActionOrCommand::CodeAction)
        .collect()
}

fn touches(a: TextRange, b: TextRange) -> bool {
    a.start <= b.end && b.start <= a.end
}

fn fix(snapshot: &Snapshot, file: SourceFile, diagnostic: &Diagnostic) -> Option<CodeAction> {
    let help = diagnostic.help.as_deref()?;
    let primary = diagnostic.primary.as_ref()?;
    let (title, edits) = if let Some(name) = did_you_mean(help) {
        (
            format!("Replace with `{name}`"),
            vec![(file, primary.range, name.to_string())],
        )
    } else if diagnostic.code == Code::MissingField {
        let names = missing_names(help);
        let edit = add_params(snapshot, file, primary.range, &names)?;
        (format!("Add {}", quoted(&names)), vec![edit])
    } else if diagnostic.code == Code::MissingImplementation {
        let used = first_use(help)?;
        let environment = diagnostic.secondary.first()?;
        let edit = add_use(snapshot, environment.file, environment.range, used)?;
        (format!("Add `{used}` to the environment"), vec![edit])
    } else {
        return None;
    };
    Some(CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![crate::diagnostics::convert(
            snapshot, file, diagnostic,
        )]),
        edit: Some(workspace_edit(snapshot, edits)?),
        is_preferred: Some(true),
        ..Default::default()
    })
}

fn quoted(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    quoted.join(", ")
}

/// `x` in "... did you mean `x`?".
pub fn did_you_mean(help: &str) -> Option<&str> {
    let rest = &help[help.find("did you mean `")? + "did you mean `".len()..];
    let name = &rest[..rest.find("`?")?];
    (!name.is_empty()).then_some(name)
}

/// The names of "add `a = ...`, `b = ...` and `c = ...`".
pub fn missing_names(help: &str) -> Vec<&str> {
    help.split('`')
        .skip(1)
        .step_by(2)
        .filter_map(|quoted| quoted.strip_suffix(" = ..."))
        .collect()
}

/// `use postgres.in_cluster`: the first `use` that the help lists.
pub fn first_use(help: &str) -> Option<&str> {
    help.split('`')
        .skip(1)
        .step_by(2)
        .find(|quoted| quoted.starts_with("use "))
}

type Edit = (SourceFile, TextRange, String);

fn workspace_edit(snapshot: &Snapshot, edits: Vec<Edit>) -> Option<WorkspaceEdit> {
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for (file, range, text) in edits {
        let uri = snapshot.paths.uri_of(&snapshot.db, file)?;
        let range = snapshot.line_map(file).range(range);
        changes
            .entry(uri)
            .or_default()
            .push(TextEdit::new(range, text));
    }
    Some(WorkspaceEdit {
        changes: Some(changes),
        ..Default::default()
    })
}

/// Inserts `name = ` lines into the body that the E0302 at `at` is about.
fn add_params(
    snapshot: &Snapshot,
    file: SourceFile,
    at: TextRange,
    names: &[&str],
) -> Option<Edit> {
    if names.is_empty() {
        return None;
    }
    let text = file.text(&snapshot.db);
    let lines: Vec<String> = names.iter().map(|name| format!("{name} = ")).collect();
    // A record expression `{ ... }` is its own body.
    let slice = text.get(at.as_range())?;
    if slice.starts_with('{') && slice.ends_with('}') {
        return insert_in_body(file, text, at, &lines);
    }
    let module = &parse_file(&snapshot.db, file).module;
    match owner_at(module, at.start)? {
        Owner::Body(body) => insert_in_body(file, text, body.range, &lines),
        Owner::BodilessUse(range) => {
            let outer = indentation(text, range.start);
            let inner = format!("{outer}  ");
            let mut insert = " {\n".to_string();
            for line in &lines {
                insert.push_str(&format!("{inner}{line}\n"));
            }
            insert.push_str(&format!("{outer}}}"));
            Some((file, TextRange::new(range.end, range.end), insert))
        }
    }
}

/// Where the members of the node at an offset go.
enum Owner<'a> {
    Body(&'a Body),
    /// A `use` without a body: its range.
    BodilessUse(TextRange),
}

/// The innermost declaration, resource, block or `use` whose range holds `offset`.
fn owner_at(module: &plat_compiler::syntax::ast::Module, offset: u32) -> Option<Owner<'_>> {
    let decl = module.items.iter().find_map(|item| match item {
        Item::Decl(decl) if decl.range.contains(offset) => Some(decl),
        _ => None,
    })?;
    let mut owner = Owner::Body(&decl.body);
    let mut body = &decl.body;
    // Each step goes one level deeper; the tree's depth bounds the loop.
    while let Some(member) = body.members.iter().find(|m| m.range().contains(offset)) {
        match member {
            Member::Instance(instance) => body = &instance.body,
            Member::Block(block) => body = &block.body,
            Member::Use(used) => match &used.body {
                Some(inner) => body = inner,
                None => return Some(Owner::BodilessUse(used.range)),
            },
            _ => break,
        }
        owner = Owner::Body(body);
    }
    Some(owner)
}

/// Inserts `lines` before the closing brace of the braced region `body`.
fn insert_in_body(file: SourceFile, text: &str, body: TextRange, lines: &[String]) -> Option<Edit> {
    let close = body.end.checked_sub(1)?;
    if text.get(close as usize..body.end as usize)? != "}" {
        return None;
    }
    let outer = indentation(text, body.start);
    let inner = format!("{outer}  ");
    let line_start = text[..close as usize].rfind('\n').map_or(0, |n| n + 1);
    let before = &text[line_start..close as usize];
    let mut insert = String::new();
    if before.trim().is_empty() && line_start > body.start as usize {
        for line in lines {
            insert.push_str(&format!("{inner}{line}\n"));
        }
        let at = line_start as u32;
        return Some((file, TextRange::new(at, at), insert));
    }
    for line in lines {
        insert.push_str(&format!("\n{inner}{line}"));
    }
    insert.push_str(&format!("\n{outer}"));
    let start = close - (before.len() - before.trim_end().len()) as u32;
    Some((file, TextRange::new(start, close), insert))
}

/// The leading whitespace of the line that holds `offset`.
fn indentation(text: &str, offset: u32) -> String {
    let offset = (offset as usize).min(text.len());
    let start = text
        .get(..offset)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |n| n + 1);
    text[start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect()
}

/// Adds `used` to the environment whose name is at `name` of `file`: after its last
/// `use`, else at the end of its body.
fn add_use(snapshot: &Snapshot, file: SourceFile, name: TextRange, used: &str) -> Option<Edit> {
    let text = file.text(&snapshot.db);
    let module = &parse_file(&snapshot.db, file).module;
    let decl = module.items.iter().find_map(|item| match item {
        Item::Decl(decl) if decl.name.range == name => Some(decl),
        _ => None,
    })?;
    let last_use = decl.body.members.iter().rev().find_map(|m| match m {
        Member::Use(u) => Some(u.range),
        _ => None,
    });
    match last_use {
        Some(range) => {
            let inner = indentation(text, range.start);
            Some((
                file,
                TextRange::new(range.end, range.end),
                format!("\n{inner}{used}"),
            ))
        }
        None => insert_in_body(file, text, decl.body.range, &[used.to_string()]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_help_lines() {
        assert_eq!(did_you_mean("did you mean `host`?"), Some("host"));
        assert_eq!(did_you_mean("add `x`"), None);
        assert_eq!(
            missing_names("add `database = ...`, `a = ...` and `b = ...`"),
            vec!["database", "a", "b"]
        );
        assert_eq!(
            first_use("add `use redis.in_cluster` or `use redis.aws` to the environment `x`"),
            Some("use redis.in_cluster")
        );
    }
}
