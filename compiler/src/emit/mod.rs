//! Emitters: the artefacts of one resolved environment, in memory.
//!
//! Invariants: emitters read only [`crate::resolve::model`]; they produce bytes, never
//! touch the disk (the command line writes them atomically), and the same model gives
//! byte-identical artefacts. No secret value is ever written in clear text.

use crate::diagnostic::Label;

pub mod bundle;
pub mod delivery;
pub(crate) mod kubernetes;
pub mod terraform;

/// One file an emitter produces, in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// Relative to the environment's output directory, with `/` separators:
    /// `terraform/shared/main.tf.json`.
    pub path: String,
    /// The file's text; it ends with a newline.
    pub contents: String,
    /// The declaration that produced the file, for `manifest.json`.
    pub source: Option<Label>,
}

/// How many workloads, instances or root modules are rendered together, in parallel,
/// before their files are handed on: enough to keep every core busy, few enough that
/// the text of a whole environment is never held at once.
const PART: usize = 256;

/// Renders `items` [`PART`] at a time, each part in parallel, and hands each on in
/// order.
fn in_parts<T: Sync, E>(
    items: &[T],
    render: impl Fn(&T) -> Vec<Artifact> + Sync,
    hand_on: &mut dyn FnMut(Vec<Artifact>) -> Result<(), E>,
) -> Result<(), E> {
    use rayon::prelude::*;
    for items in items.chunks(PART) {
        let part: Vec<Vec<Artifact>> = items.par_iter().map(&render).collect();
        hand_on(part.into_iter().flatten().collect())?;
    }
    Ok(())
}

/// Everything that `emit_in_parts` hands on, gathered, in the order it hands it on: for
/// tests and callers that take an emitter's output whole.
fn gathered<T>(
    emit_in_parts: impl FnOnce(
        &mut dyn FnMut(Vec<T>) -> Result<(), std::convert::Infallible>,
    ) -> Result<(), std::convert::Infallible>,
) -> Vec<T> {
    let mut artifacts = Vec::new();
    emit_in_parts(&mut |part| {
        artifacts.extend(part);
        Ok(())
    })
    .unwrap_or_else(|never| match never {});
    artifacts
}

/// The places of the files an environment's model points into, read from the database
/// once, so that the emitters can name a label's place on any thread.
pub(crate) struct Places {
    /// Looked up only, never walked: its order cannot reach the output.
    files: std::collections::HashMap<crate::source::SourceFile, (String, Vec<u32>)>,
}

impl Places {
    /// The places of every file a label of `env` is in.
    pub(crate) fn of(
        db: &dyn crate::source::Db,
        env: &crate::resolve::model::ResolvedEnvironment,
    ) -> Places {
        let labels = std::iter::once(&env.source)
            .chain(env.instances.iter().map(|instance| &instance.source))
            .chain(env.workloads.iter().flat_map(|workload| {
                std::iter::once(&workload.source).chain(
                    workload
                        .containers
                        .iter()
                        .map(|container| &container.source),
                )
            }));
        let mut files = std::collections::HashMap::new();
        for label in labels {
            files.entry(label.file).or_insert_with(|| {
                (
                    label.file.path(db).clone(),
                    line_starts(db, label.file).clone(),
                )
            });
        }
        Places { files }
    }

    /// Where `label` starts, as artefacts name it: `workloads/api.plat:12` (the file's
    /// path as users see it, and the 1-based line: the number of lines that start at or
    /// before the label). The Kubernetes emitter writes it in the `plat.dev/source`
    /// annotation, and `manifest.json` beside each artefact.
    pub(crate) fn locate(&self, label: &Label) -> String {
        match self.files.get(&label.file) {
            Some((path, starts)) => {
                let line = starts.partition_point(|start| *start <= label.range.start);
                format!("{path}:{line}")
            }
            None => String::new(),
        }
    }
}

/// Where each line of a file starts (the first at 0): computed once per file text,
/// however many objects a build annotates with a place in it.
#[salsa::tracked(returns(ref))]
fn line_starts(db: &dyn crate::source::Db, file: crate::source::SourceFile) -> Vec<u32> {
    let text = file.text(db);
    std::iter::once(0)
        .chain(
            text.match_indices('\n')
                .filter_map(|(at, _)| u32::try_from(at + 1).ok()),
        )
        .collect()
}

/// A sha256 digest, written as lowercase hex (what the manifest, the marker of an
/// output, a ConfigMap's checksum and a Job's name carry); 32 bytes, for the hundreds
/// of thousands of files a large build lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sha256(pub [u8; 32]);

impl Sha256 {
    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Sha256 {
        use sha2::Digest;
        Sha256(sha2::Sha256::digest(bytes).into())
    }
}

impl std::fmt::Display for Sha256 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut hex = [0u8; 64];
        for (at, byte) in self.0.iter().enumerate() {
            hex[2 * at] = DIGITS[usize::from(byte >> 4)];
            hex[2 * at + 1] = DIGITS[usize::from(byte & 0x0f)];
        }
        // Every byte is an ASCII digit.
        f.write_str(std::str::from_utf8(&hex).unwrap_or_default())
    }
}

impl serde::Serialize for Sha256 {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The sha256 of `bytes`, as lowercase hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::of(bytes).to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn sha256_is_lowercase_hex() {
        assert_eq!(
            super::sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
