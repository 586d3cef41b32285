//! The README's commands, run as a new user runs them: in a copy of the repository's
//! layout (`examples/shop` in a git repository with history), the quick start's build,
//! then every command of the tour in order, then the quick start's build again. Each
//! one succeeds, and none refuses the output another one wrote.

mod support;

use std::fs;
use std::path::Path;

use support::{commit_all, copy_dir, git, run_plat_in};

/// The tour's commands that are not run here, by how they start, and why.
const NOT_RUN: &[(&str, &str)] = &[
    (
        "plat import score score.yaml",
        "imports a Score file of the reader's own",
    ),
    (
        "plat modules lock . --from DIR",
        "reads a directory that `terraform init` downloaded modules into",
    ),
    (
        "plat add shop-platform --git URL",
        "depends on a platform repository of the reader's own (the guide's test runs it)",
    ),
    (
        "plat fetch",
        "runs in a project with dependencies (the guide's test runs it)",
    ),
    (
        "plat update",
        "runs in a project with dependencies (tests/packages.rs runs it)",
    ),
    (
        "plat semver v1.2.0",
        "compares with a release tag of the reader's platform repository",
    ),
    ("plat lsp", "waits for an editor on its standard input"),
];

fn readme() -> String {
    fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).expect("README.md")
}

/// The lines of the first `sh` code block after the heading `heading`.
fn code_block<'a>(readme: &'a str, heading: &str) -> Vec<&'a str> {
    let section = readme
        .split_once(&format!("\n{heading}\n"))
        .unwrap_or_else(|| panic!("the README has a section `{heading}`"))
        .1;
    let block = section
        .split_once("```sh\n")
        .and_then(|(_, rest)| rest.split_once("\n```"))
        .unwrap_or_else(|| panic!("`{heading}` has a sh code block"))
        .0;
    block.lines().collect()
}

/// A command line without its comment.
fn command(line: &str) -> &str {
    line.split(" #").next().unwrap_or_default().trim()
}

/// The arguments of `plat` in the quick start's build (`cargo run --release -- ARGS`).
fn quick_start(readme: &str) -> Vec<String> {
    let build = code_block(readme, "## Quick start")
        .into_iter()
        .find_map(|line| command(line).strip_prefix("cargo run --release -- "))
        .expect("the quick start runs `cargo run --release -- ...`");
    build.split_whitespace().map(str::to_string).collect()
}

/// The tour's commands to run, as arguments of `plat`; every command of the tour is one
/// of them or listed in [`NOT_RUN`].
fn tour(readme: &str) -> Vec<Vec<String>> {
    let mut skipped = Vec::new();
    let mut commands = Vec::new();
    for line in code_block(readme, "## A short tour") {
        let command = command(line);
        let arguments = command
            .strip_prefix("plat ")
            .unwrap_or_else(|| panic!("a tour line that is not a plat command: `{line}`"));
        match NOT_RUN.iter().find(|(start, _)| command.starts_with(start)) {
            Some((start, _)) => skipped.push(*start),
            None => commands.push(arguments.split_whitespace().map(str::to_string).collect()),
        }
    }
    let listed: Vec<&str> = NOT_RUN.iter().map(|(start, _)| *start).collect();
    assert_eq!(skipped, listed, "NOT_RUN names tour commands that are gone");
    commands
}

#[test]
fn the_quick_start_and_the_tour_run_as_written_one_after_the_other() {
    let readme = readme();
    let quick = quick_start(&readme);
    let tour = tour(&readme);
    assert!(tour.len() >= 10, "the tour has commands: {tour:?}");
    let temp = tempfile::tempdir().expect("temp dir");
    let root = temp.path();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/shop"),
        &root.join("examples/shop"),
    );
    // A clone has history: `HEAD~1` is the commit before the last one.
    commit_all(root);
    git(
        root,
        &["commit", "--quiet", "--allow-empty", "-m", "a change"],
    );
    for arguments in std::iter::once(&quick).chain(&tour).chain([&quick]) {
        let run = run_plat_in(root, arguments);
        assert_eq!(
            run.status,
            Some(0),
            "`plat {}`: {}",
            arguments.join(" "),
            run.transcript()
        );
    }
    assert!(root.join("out/shop/.plat-build").is_file());
    assert!(root.join("examples/shop/out/.plat-build").is_file());
    // Nothing the tour ran changed the sources.
    git(root, &["diff", "--quiet", "HEAD"]);
}
