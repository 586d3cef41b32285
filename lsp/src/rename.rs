//! Rename: the edits that rename a definition and every reference to it, checked by
//! the compiler before they are offered.
//!
//! Invariant: edits are answered only for a new name that the compiler's lexer reads
//! as one name (not empty, no space, not a keyword, no `${...}`), and whose edits leave
//! the project meaning what it meant: once renamed, the project is checked again from
//! scratch and every reference must resolve to what it resolved to before, and no
//! error may appear that was not there (a name already taken in the scope, a name the
//! checker refuses). Anything else is an error that says why, and no edit.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use plat_compiler::check::{check_project, definitions};
use plat_compiler::diagnostic::Code;
use plat_compiler::source::{Database, Origin, Project, SourceFile, TerraformFile};
use plat_compiler::span::TextRange;
use plat_compiler::syntax::lexer::{is_identifier, is_keyword};
use tower_lsp_server::ls_types::{TextEdit, Uri, WorkspaceEdit};

use crate::navigation::{project_files, reference_sites, target_at};
use crate::snapshot::Snapshot;

/// The range to rename at `offset`, when the definition is in the project.
pub fn prepare_rename(snapshot: &Snapshot, file: SourceFile, offset: u32) -> Option<TextRange> {
    let (range, target) = target_at(snapshot, file, offset)?;
    (target.file.origin(&snapshot.db) == Origin::Project).then_some(range)
}

/// The edits that rename the definition at `offset` and every reference to it to
/// `new_name`; `Ok(None)` when nothing at `offset` can be renamed, `Err` with the
/// reason when the new name is refused.
pub fn rename(
    snapshot: &Snapshot,
    file: SourceFile,
    offset: u32,
    new_name: &str,
) -> Result<Option<WorkspaceEdit>, String> {
    let Some(range) = prepare_rename(snapshot, file, offset) else {
        return Ok(None);
    };
    refuse_unless_a_name(new_name)?;
    let db = &snapshot.db;
    let old_name = file.text(db).get(range.as_range()).unwrap_or_default();
    if old_name == new_name {
        return Ok(Some(WorkspaceEdit::default()));
    }
    let sites = reference_sites(snapshot, file, offset);
    let edits = Edits::new(db, &sites, new_name);
    edits.keeps_the_meaning(snapshot, old_name)?;
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for (file, range) in sites {
        let Some(location) = snapshot.location(file, range) else {
            continue;
        };
        changes
            .entry(location.uri)
            .or_default()
            .push(TextEdit::new(location.range, new_name.to_string()));
    }
    Ok(Some(WorkspaceEdit {
        changes: Some(changes),
        ..Default::default()
    }))
}

/// `Err` with the reason unless the lexer reads `name` as one name.
fn refuse_unless_a_name(name: &str) -> Result<(), String> {
    if is_identifier(name) {
        return Ok(());
    }
    Err(if name.trim().is_empty() {
        "the new name is empty".to_string()
    } else if is_keyword(name) {
        format!("`{name}` is a keyword of the language, not a name")
    } else {
        format!(
            "`{name}` is not a name: a name starts with a letter or `_` and holds only letters, \
             digits, `_` and `-`"
        )
    })
}

/// The renaming edits of a project, by file path: ranges in the text as it is, sorted.
struct Edits {
    by_path: BTreeMap<String, Vec<TextRange>>,
    new_name: String,
}

/// A reference as the comparison sees it: where it is, what it names, and as what.
type Resolved = (String, TextRange, String, TextRange, String);

impl Edits {
    fn new(db: &Database, sites: &[(SourceFile, TextRange)], new_name: &str) -> Edits {
        let mut by_path: BTreeMap<String, Vec<TextRange>> = BTreeMap::new();
        for (file, range) in sites {
            by_path
                .entry(file.path(db).clone())
                .or_default()
                .push(*range);
        }
        for ranges in by_path.values_mut() {
            ranges.sort_by_key(|range| (range.start, range.end));
            ranges.dedup();
        }
        Edits {
            by_path,
            new_name: new_name.to_string(),
        }
    }

    /// `text` of the file at `path`, renamed.
    fn apply(&self, path: &str, text: &str) -> String {
        let Some(ranges) = self.by_path.get(path) else {
            return text.to_string();
        };
        let mut renamed = String::with_capacity(text.len());
        let mut at = 0;
        for range in ranges {
            let (start, end) = (range.start as usize, range.end as usize);
            if start < at || end > text.len() {
                continue;
            }
            renamed.push_str(&text[at..start]);
            renamed.push_str(&self.new_name);
            at = end;
        }
        renamed.push_str(&text[at..]);
        renamed
    }

    /// Where `offset` of the file at `path` is once it is renamed.
    fn moved(&self, path: &str, offset: u32) -> u32 {
        let Some(ranges) = self.by_path.get(path) else {
            return offset;
        };
        let new = self.new_name.len() as i64;
        let shift: i64 = ranges
            .iter()
            .filter(|range| range.end <= offset)
            .map(|range| new - i64::from(range.len()))
            .sum();
        (i64::from(offset) + shift).max(0) as u32
    }

    fn moved_range(&self, path: &str, range: TextRange) -> TextRange {
        let start = self.moved(path, range.start);
        let renamed = self
            .by_path
            .get(path)
            .is_some_and(|ranges| ranges.contains(&range));
        let end = if renamed {
            start + self.new_name.len() as u32
        } else {
            self.moved(path, range.end)
        };
        TextRange::new(start, end)
    }

    /// `Err` unless the renamed project resolves every reference as before, renamed,
    /// and has no error that the project did not have.
    fn keeps_the_meaning(&self, snapshot: &Snapshot, old_name: &str) -> Result<(), String> {
        let before_db = &snapshot.db;
        let after_db = Database::default();
        let after = self.renamed_project(before_db, snapshot.project, &after_db);
        let resolved_before: BTreeSet<Resolved> =
            resolutions(before_db, snapshot.project, |path, range| {
                self.moved_range(path, range)
            });
        let resolved_after: BTreeSet<Resolved> = resolutions(&after_db, after, |_, range| range);
        let new_name = &self.new_name;
        if resolved_before != resolved_after {
            return Err(format!(
                "`{new_name}` is taken: after renaming `{old_name}` to it, names would refer to \
                 something else; choose another name"
            ));
        }
        let errors = |db: &Database, project: Project| {
            let mut counts: BTreeMap<Code, usize> = BTreeMap::new();
            for diagnostic in check_project(db, project).iter().filter(|d| d.is_error()) {
                *counts.entry(diagnostic.code).or_default() += 1;
            }
            counts
        };
        let (before, now) = (
            errors(before_db, snapshot.project),
            errors(&after_db, after),
        );
        let count = |counts: &BTreeMap<Code, usize>, code| counts.get(&code).copied().unwrap_or(0);
        let new_error = check_project(&after_db, after).iter().find(|diagnostic| {
            diagnostic.is_error() && count(&now, diagnostic.code) > count(&before, diagnostic.code)
        });
        match new_error {
            Some(diagnostic) => Err(format!(
                "renaming `{old_name}` to `{new_name}` would break the project: {} ({})",
                diagnostic.message, diagnostic.code
            )),
            None => Ok(()),
        }
    }

    /// The project, renamed, in the fresh database `db`.
    fn renamed_project(&self, old: &Database, project: Project, db: &Database) -> Project {
        let files: Vec<SourceFile> = project
            .files(old)
            .iter()
            .map(|file| {
                let path = file.path(old).clone();
                let text = self.apply(&path, file.text(old));
                SourceFile::new(db, path, text, file.origin(old))
            })
            .collect();
        let terraform = project.terraform_files(old).as_ref().map(|files| {
            files
                .iter()
                .map(|file| TerraformFile::new(db, file.path(old).clone(), file.text(old).clone()))
                .collect()
        });
        Project::builder(files, Vec::new())
            .terraform_files(terraform)
            .new(db)
    }
}

/// Every reference of the project's files: its file's path and range (moved by
/// `moved`), and its target's path and range (moved too), and its kind.
fn resolutions(
    db: &Database,
    project: Project,
    moved: impl Fn(&str, TextRange) -> TextRange,
) -> BTreeSet<Resolved> {
    let mut resolved = BTreeSet::new();
    for file in project_files(db, project) {
        let path = file.path(db);
        for reference in &definitions(db, project, file).references {
            let target = reference.target.file.path(db);
            resolved.insert((
                path.clone(),
                moved(path, reference.range),
                target.clone(),
                moved(target, reference.target.range),
                format!("{:?}", reference.kind),
            ));
        }
    }
    resolved
}
