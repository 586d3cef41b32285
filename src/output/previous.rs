//! What an existing output directory holds: the files plat wrote there, and the entries
//! it did not write.
//!
//! Invariants: a file counts as plat's only when the listing of the output's marker
//! (or, for an output of an earlier plat whose marker has none, the `manifest.json` of
//! each environment) names it and its bytes are the ones listed (a regular file with
//! that sha256); everything else is *foreign*. A foreign entry is never deleted: the
//! build carries it into the new output when it lies under an environment's
//! `terraform/` directory (what Terraform writes beside the root modules: the
//! `.terraform/` directory, `.terraform.lock.hcl`, plan files, local state), and any
//! other refuses the replacement before anything is written. The walk descends only
//! into directories that hold listed files, so its cost is bounded by the listing; a
//! foreign directory is one entry, carried as a whole.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use super::{Writer, sha256};

/// The most foreign entries an output may hold before plat refuses to look further.
const MAX_FOREIGN: usize = 100_000;

/// An existing output directory, inspected.
#[derive(Debug, Default)]
pub(super) struct Previous {
    /// The files plat wrote there (relative paths), each checked against its listing.
    pub(super) written: BTreeSet<PathBuf>,
    /// The directories that hold them, parents before children.
    pub(super) directories: BTreeSet<PathBuf>,
    /// What plat did not write, to carry into the new output (relative paths).
    pub(super) foreign: Vec<PathBuf>,
}

/// The files a marker lists: relative path → sha256. `None` for the marker of an
/// earlier plat, which listed nothing.
pub(super) fn listing(marker: &str) -> Option<BTreeMap<String, String>> {
    let document: Json = serde_json::from_str(marker).ok()?;
    let files = document.get("files")?.as_object()?;
    files
        .iter()
        .map(|(path, hash)| Some((path.clone(), hash.as_str()?.to_string())))
        .collect()
}

/// Inspects the existing directory `out` before `writer` replaces it; an error says
/// why it must not be replaced.
pub(super) fn inspect(out: &Path, writer: Writer) -> Result<Previous, String> {
    let entries: Vec<fs::DirEntry> = fs::read_dir(out)
        .map_err(|error| format!("cannot read `{}`: {error}", out.display()))?
        .filter_map(Result::ok)
        .collect();
    if entries.is_empty() {
        return Ok(Previous::default());
    }
    let own = out.join(writer.marker());
    if !own.is_file() {
        let other = writer.other();
        return Err(if out.join(other.marker()).exists() {
            format!(
                "refusing to replace `{}`: it holds the output of `{}`, not of `{}`; choose \
                 another `--out`",
                out.display(),
                other.command(),
                writer.command()
            )
        } else {
            format!(
                "refusing to replace `{}`: it is not empty and was not written by `{}` (it \
                 has no `{}` file); choose another `--out`, or empty it first",
                out.display(),
                writer.command(),
                writer.marker()
            )
        });
    }
    let marker = fs::read_to_string(&own)
        .map_err(|error| format!("cannot read `{}`: {error}", own.display()))?;
    let listed = match listing(&marker) {
        Some(listed) => listed,
        None => legacy_listing(out, writer),
    };
    let mut previous = Previous::default();
    previous.written.insert(PathBuf::from(writer.marker()));
    for path in listed.keys() {
        let mut parent = Path::new(path).parent();
        while let Some(directory) = parent.filter(|p| !p.as_os_str().is_empty()) {
            previous.directories.insert(directory.to_path_buf());
            parent = directory.parent();
        }
    }
    let mut changed = Vec::new();
    walk(
        out,
        Path::new(""),
        &listed,
        writer,
        &mut previous,
        &mut changed,
    )?;
    refuse_unexpected(out, writer, &previous, &changed)?;
    Ok(previous)
}

/// The listing of an output written by an earlier plat, whose marker listed nothing:
/// for a build, each environment's `manifest.json` and the artefacts it lists; for a
/// catalogue, nothing (so that every file in it is foreign, and kept).
fn legacy_listing(out: &Path, writer: Writer) -> BTreeMap<String, String> {
    let mut listed = BTreeMap::new();
    if writer != Writer::Build {
        return listed;
    }
    let Ok(entries) = fs::read_dir(out) else {
        return listed;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let manifest = entry.path().join("manifest.json");
        let Ok(bytes) = fs::read(&manifest) else {
            continue;
        };
        let Ok(document) = serde_json::from_slice::<Json>(&bytes) else {
            continue;
        };
        if document.get("environment").and_then(Json::as_str) != Some(name.as_str()) {
            continue;
        }
        for artifact in document["artifacts"].as_array().into_iter().flatten() {
            if let (Some(path), Some(hash)) =
                (artifact["path"].as_str(), artifact["sha256"].as_str())
            {
                listed.insert(format!("{name}/{path}"), hash.to_string());
            }
        }
        listed.insert(format!("{name}/manifest.json"), sha256(&bytes));
    }
    listed
}

/// Sorts the entries under `relative` into written and foreign, checking each listed
/// file's bytes; `changed` collects listed files whose bytes are not the listed ones.
fn walk(
    out: &Path,
    relative: &Path,
    listed: &BTreeMap<String, String>,
    writer: Writer,
    previous: &mut Previous,
    changed: &mut Vec<PathBuf>,
) -> Result<(), String> {
    let directory = out.join(relative);
    let mut entries: Vec<fs::DirEntry> = fs::read_dir(&directory)
        .map_err(|error| format!("cannot read `{}`: {error}", directory.display()))?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(fs::DirEntry::file_name);
    for entry in entries {
        let path = relative.join(entry.file_name());
        let kind = entry
            .file_type()
            .map_err(|error| format!("cannot read `{}`: {error}", entry.path().display()))?;
        let key = slash_path(&path);
        if let Some(hash) = key.as_deref().and_then(|key| listed.get(key)) {
            if kind.is_file() && file_hash(&entry.path()).as_deref() == Some(hash.as_str()) {
                previous.written.insert(path);
            } else {
                changed.push(path);
            }
            continue;
        }
        if path == Path::new(writer.marker()) {
            continue;
        }
        if kind.is_dir() && previous.directories.contains(&path) {
            walk(out, &path, listed, writer, previous, changed)?;
            continue;
        }
        if previous.foreign.len() >= MAX_FOREIGN {
            return Err(format!(
                "refusing to replace `{}`: it holds more than {MAX_FOREIGN} entries that plat \
                 did not write",
                out.display()
            ));
        }
        previous.foreign.push(path);
    }
    Ok(())
}

/// The sha256 of a regular file's bytes.
fn file_hash(path: &Path) -> Option<String> {
    fs::read(path).ok().map(|bytes| sha256(&bytes))
}

/// A relative path with `/` separators, as listings write them.
fn slash_path(path: &Path) -> Option<String> {
    let parts: Option<Vec<&str>> = path.components().map(|c| c.as_os_str().to_str()).collect();
    parts.map(|parts| parts.join("/"))
}

/// Whether a foreign entry is one the build carries: something under an environment's
/// `terraform/` directory, where Terraform writes beside the root modules.
pub(super) fn carried_by_build(path: &Path) -> bool {
    let parts: Vec<_> = path.components().collect();
    parts.len() >= 3 && parts[1].as_os_str() == "terraform"
}

/// Refuses the replacement when the output holds what plat would have to delete or
/// leave in the way: a listed file that was changed, or a foreign entry it does not
/// carry.
fn refuse_unexpected(
    out: &Path,
    writer: Writer,
    previous: &Previous,
    changed: &[PathBuf],
) -> Result<(), String> {
    let stray: Vec<&PathBuf> = previous
        .foreign
        .iter()
        .filter(|path| writer != Writer::Build || !carried_by_build(path))
        .collect();
    if stray.is_empty() && changed.is_empty() {
        return Ok(());
    }
    let mut lines = Vec::new();
    for path in changed.iter().take(5) {
        lines.push(format!(
            "  {} (changed since `{}` wrote it)",
            path.display(),
            writer.command()
        ));
    }
    for path in stray.iter().take(5) {
        lines.push(format!("  {} (not written by plat)", path.display()));
    }
    let more = changed.len().saturating_sub(5) + stray.len().saturating_sub(5);
    if more > 0 {
        lines.push(format!("  and {more} more"));
    }
    Err(format!(
        "refusing to replace `{}`: it holds files that `{}` did not write, which replacing it \
         would delete:\n{}\nhelp: move them out of the output (an output holds only what plat \
         writes, and what Terraform writes beside its root modules), or choose another `--out`",
        out.display(),
        writer.command(),
        lines.join("\n")
    ))
}
