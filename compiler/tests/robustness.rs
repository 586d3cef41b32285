//! Property tests of robustness, bounded to a few seconds each: random token streams
//! and random mutations of the examples never make the compiler panic, and whatever
//! builds builds to the same bytes in a fresh database.
//!
//! They run the queries the command line runs (`check_project`, `resolve_project`,
//! `emit::bundle`); the fuzz targets in `fuzz/` do the same for much longer.

use std::path::{Path, PathBuf};

use plat_compiler::diagnostic::Diagnostic;
use plat_compiler::emit::{Artifact, bundle};
use plat_compiler::source::{Database, Origin, Project};
use proptest::prelude::*;
use salsa::Setter;

/// Pieces of plat source: every keyword and punctuation mark, names, literals,
/// comments, and the odd broken piece (an unterminated string, a stray byte).
const TOKENS: &[&str] = &[
    "import",
    "std",
    "as",
    "type",
    "offering",
    "environment",
    "workload",
    "policy",
    "param",
    "output",
    "use",
    "require",
    "else",
    "if",
    "then",
    "match",
    "true",
    "false",
    "in",
    "matching",
    "implementation",
    "container",
    "kubernetes",
    "terraform",
    "override",
    "version",
    "image",
    "port",
    "env",
    "namespace",
    "shared",
    "self",
    "params",
    "module",
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    "<",
    ">",
    ",",
    ".",
    "..",
    ":",
    "=",
    "==",
    "!=",
    "=>",
    "!",
    "&&",
    "||",
    "?",
    "|",
    "_",
    "<=",
    ">=",
    "\\",
    "\n",
    " ",
    "  ",
    "\t",
    "x",
    "db",
    "api",
    "postgres",
    "string",
    "int",
    "secret",
    "list",
    "map",
    "0",
    "1",
    "65536",
    "-1",
    "9223372036854775808",
    "1.5",
    "250m",
    "512Mi",
    "\"\"",
    "\"a\"",
    "\"${x}\"",
    "\"${db.host}:${db.port}\"",
    "\"",
    "\"${",
    "\"\\q\"",
    "// c\n",
    "/// doc\n",
    "/* c */",
    "/*",
    "*/",
    "é",
    "😀",
    "\u{0}",
    "\r\n",
];

fn token_stream() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..400).prop_map(|tokens| tokens.join(" "))
}

/// One change to a text, at places given as fractions of its length.
#[derive(Debug, Clone)]
enum Mutation {
    Delete { at: f64, length: usize },
    Insert { at: f64, token: &'static str },
    Duplicate { at: f64, length: usize },
    Swap { a: f64, b: f64 },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = 0.0..1.0f64;
    prop_oneof![
        (at.clone(), 1..40usize).prop_map(|(at, length)| Mutation::Delete { at, length }),
        (at.clone(), prop::sample::select(TOKENS))
            .prop_map(|(at, token)| Mutation::Insert { at, token }),
        (at.clone(), 1..80usize).prop_map(|(at, length)| Mutation::Duplicate { at, length }),
        (at.clone(), at).prop_map(|(a, b)| Mutation::Swap { a, b }),
    ]
}

/// The character boundary at or before the fraction `at` of `text`.
fn place(text: &str, at: f64) -> usize {
    let mut offset = ((text.len() as f64) * at) as usize;
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn apply(text: &mut String, mutation: &Mutation) {
    match *mutation {
        Mutation::Delete { at, length } => {
            let start = place(text, at);
            let end = place(text, (start + length) as f64 / text.len().max(1) as f64);
            text.replace_range(start..end.max(start), "");
        }
        Mutation::Insert { at, token } => {
            let at = place(text, at);
            text.insert_str(at, token);
        }
        Mutation::Duplicate { at, length } => {
            let start = place(text, at);
            let end = place(text, (start + length) as f64 / text.len().max(1) as f64).max(start);
            let copy = text[start..end].to_string();
            text.insert_str(end, &copy);
        }
        Mutation::Swap { a, b } => {
            let (a, b) = (place(text, a.min(b)), place(text, a.max(b)));
            let (first, second) = (text[..a].to_string(), text[a..b].to_string());
            *text = format!("{second}{first}{}", &text[b..]);
        }
    }
}

fn examples() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut examples: Vec<PathBuf> = std::fs::read_dir(root)
        .expect("examples/")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
        .collect();
    examples.sort();
    examples
}

/// The example at `index` (modulo their number), loaded in `db`, with the mutations
/// applied to its project file at `file` (modulo their number).
fn mutated_example(
    db: &mut Database,
    index: usize,
    file: usize,
    mutations: &[Mutation],
) -> Project {
    let examples = examples();
    let path = &examples[index % examples.len()];
    let loaded = plat_compiler::project::load(db, path).expect("the example loads");
    let project = loaded.project;
    let files: Vec<_> = project
        .files(db)
        .iter()
        .copied()
        .filter(|source| source.origin(db) == Origin::Project)
        .collect();
    let source = files[file % files.len()];
    let mut text = source.text(db).clone();
    for mutation in mutations {
        apply(&mut text, mutation);
    }
    source.set_text(db).to(text);
    project
}

/// Every artefact of every environment, or `None` when the project has errors.
fn build(db: &Database, project: Project) -> Option<Vec<(String, Vec<Artifact>)>> {
    let diagnostics = plat_compiler::check::check_project(db, project);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return None;
    }
    let resolved = plat_compiler::resolve::resolve_project(db, project);
    Some(
        resolved
            .with_lifecycles()
            .map(|(env, lifecycle)| {
                let artifacts = bundle::environment(db, env, lifecycle, "example");
                (env.name.clone(), artifacts)
            })
            .collect(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_token_streams_never_panic(files in prop::collection::vec(token_stream(), 1..4)) {
        let files: Vec<(String, String)> = files
            .into_iter()
            .enumerate()
            .map(|(index, text)| (format!("f{index}.plat"), text))
            .collect();
        for (_, text) in &files {
            let _ = plat_compiler::syntax::parse(text);
            let _ = plat_compiler::format::format_text(text);
        }
        let db = Database::default();
        let project = plat_compiler::project::from_texts(&db, &files);
        let _ = build(&db, project);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn mutated_examples_never_panic_and_build_deterministically(
        example in 0..8usize,
        file in 0..16usize,
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let mut first = Database::default();
        let project = mutated_example(&mut first, example, file, &mutations);
        let built = build(&first, project);
        if built.is_some() {
            let mut second = Database::default();
            let again = mutated_example(&mut second, example, file, &mutations);
            prop_assert_eq!(built, build(&second, again), "the same project built twice differs");
        }
    }
}

#[test]
fn every_example_builds_to_the_same_bytes_in_a_fresh_database() {
    for index in 0..examples().len() {
        let mut first = Database::default();
        let mut second = Database::default();
        let a = mutated_example(&mut first, index, 0, &[]);
        let b = mutated_example(&mut second, index, 0, &[]);
        let built = build(&first, a);
        assert!(built.is_some(), "example {index} builds");
        assert_eq!(built, build(&second, b));
    }
}
