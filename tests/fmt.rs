//! `plat fmt` as users, editors and CI run it: rewriting, `--check`, standard input, and
//! what it never touches.

mod support;

use std::path::Path;
use std::time::Duration;

use support::{args, run_plat, run_plat_in};

const MESSY: &str =
    "workload   api{replicas=2 // two\ncontainer main{image=\"ghcr.io/acme/api:1.0.0\"}}\n";
const CANONICAL: &str = "workload api {\n  replicas = 2 // two\n  container main {\n    image = \"ghcr.io/acme/api:1.0.0\"\n  }\n}\n";
const BROKEN: &str = "workload broken {\n  replicas = = 2\n}\n";

/// A temporary project with `files` (relative path, text).
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let directory = tempfile::tempdir().expect("a temporary directory");
    for (path, text) in files {
        let path = directory.path().join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("directories");
        std::fs::write(path, text).expect("a file");
    }
    directory
}

fn read(directory: &Path, path: &str) -> String {
    std::fs::read_to_string(directory.join(path)).expect("readable")
}

/// Every file name in `directory` (not recursive), sorted.
fn names(directory: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(directory)
        .expect("a directory")
        .map(|entry| {
            entry
                .expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

#[test]
fn fmt_rewrites_the_files_that_are_not_canonical_and_nothing_else() {
    let dir = project(&[("messy.plat", MESSY), ("ok.plat", CANONICAL)]);
    let before = std::fs::metadata(dir.path().join("ok.plat")).and_then(|m| m.modified());
    std::thread::sleep(Duration::from_millis(20));
    let run = run_plat_in(dir.path(), &args(&["fmt"]));
    assert_eq!(run.status, Some(0), "{}", run.transcript());
    assert_eq!(run.stdout, "");
    assert_eq!(read(dir.path(), "messy.plat"), CANONICAL);
    let after = std::fs::metadata(dir.path().join("ok.plat")).and_then(|m| m.modified());
    assert_eq!(before.ok(), after.ok(), "a canonical file is not written");
    assert_eq!(
        names(dir.path()),
        ["messy.plat", "ok.plat"],
        "no temporary file left"
    );
    let again = run_plat_in(dir.path(), &args(&["fmt", "--check"]));
    assert_eq!(again.status, Some(0), "{}", again.transcript());
}

#[test]
fn check_lists_the_files_that_would_change_and_exits_1() {
    let dir = project(&[
        ("a.plat", MESSY),
        ("nested/b.plat", MESSY),
        ("nested/ok.plat", CANONICAL),
    ]);
    let run = run_plat_in(dir.path(), &args(&["fmt", "--check", "."]));
    assert_eq!(run.status, Some(1), "{}", run.transcript());
    assert_eq!(run.stdout, "a.plat\nnested/b.plat\n");
    assert_eq!(read(dir.path(), "a.plat"), MESSY, "--check writes nothing");
    assert_eq!(read(dir.path(), "nested/b.plat"), MESSY);
}

#[test]
fn check_of_canonical_files_exits_0_and_prints_nothing() {
    let dir = project(&[("ok.plat", CANONICAL)]);
    let run = run_plat_in(dir.path(), &args(&["fmt", "--check", "ok.plat"]));
    assert_eq!(run.status, Some(0), "{}", run.transcript());
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr, "");
}

#[test]
fn a_file_with_syntax_errors_is_left_byte_identical_and_its_errors_are_reported() {
    let dir = project(&[("broken.plat", BROKEN), ("messy.plat", MESSY)]);
    let run = run_plat_in(dir.path(), &args(&["fmt", "."]));
    assert_eq!(run.status, Some(1), "{}", run.transcript());
    assert_eq!(read(dir.path(), "broken.plat"), BROKEN);
    assert_eq!(
        read(dir.path(), "messy.plat"),
        CANONICAL,
        "the other files are formatted"
    );
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn paths_that_cannot_be_read_exit_2() {
    let run = run_plat(&args(&["fmt", "tests/fixtures/does-not-exist"]));
    assert_eq!(run.status, Some(2), "{}", run.transcript());
    assert!(run.stderr.contains("E0501"), "{}", run.stderr);
    let dir = project(&[("latin1.plat", "")]);
    std::fs::write(dir.path().join("latin1.plat"), b"workload caf\xe9 {}\n").expect("a file");
    let run = run_plat_in(dir.path(), &args(&["fmt"]));
    assert_eq!(run.status, Some(2), "{}", run.transcript());
    assert!(run.stderr.contains("E0502"), "{}", run.stderr);
}

#[test]
fn hidden_build_and_excluded_directories_are_not_formatted() {
    let dir = project(&[
        ("plat.toml", "[project]\nexclude = [\"vendor\"]\n"),
        (".hidden/a.plat", MESSY),
        ("target/a.plat", MESSY),
        ("vendor/a.plat", MESSY),
        ("main.plat", MESSY),
    ]);
    let run = run_plat_in(dir.path(), &args(&["fmt"]));
    assert_eq!(run.status, Some(0), "{}", run.transcript());
    for skipped in [".hidden/a.plat", "target/a.plat", "vendor/a.plat"] {
        assert_eq!(read(dir.path(), skipped), MESSY, "{skipped}");
    }
    assert_eq!(read(dir.path(), "main.plat"), CANONICAL);
}

#[test]
fn several_paths_are_formatted_in_turn() {
    let dir = project(&[
        ("a/x.plat", MESSY),
        ("b/y.plat", MESSY),
        ("c/z.plat", MESSY),
    ]);
    let run = run_plat_in(dir.path(), &args(&["fmt", "--check", "a", "b/y.plat"]));
    assert_eq!(run.status, Some(1), "{}", run.transcript());
    assert_eq!(run.stdout, "a/x.plat\nb/y.plat\n");
}

/// Runs `plat fmt` with `input` on standard input.
fn run_with_stdin(extra: &[&str], input: &str) -> std::process::Output {
    let mut words = vec!["fmt"];
    words.extend_from_slice(extra);
    words.push("-");
    assert_cmd::Command::new(env!("CARGO_BIN_EXE_plat"))
        .env("NO_COLOR", "1")
        .args(&words)
        .write_stdin(input)
        .timeout(Duration::from_secs(60))
        .output()
        .expect("plat runs")
}

#[test]
fn standard_input_is_formatted_to_standard_output() {
    let output = run_with_stdin(&[], MESSY);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stdout), CANONICAL);

    let output = run_with_stdin(&["--check"], MESSY);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&output.stdout), "<stdin>\n");

    let output = run_with_stdin(&[], BROKEN);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(output.stdout, b"", "nothing for an editor to paste");
    assert!(String::from_utf8_lossy(&output.stderr).contains("error[E0101]"));
}

#[test]
fn standard_input_goes_alone() {
    let run = run_plat(&args(&["fmt", "-", "examples"]));
    assert_eq!(run.status, Some(2), "{}", run.transcript());
}

#[test]
fn the_repository_examples_and_standard_library_are_checked_without_problems() {
    // Which files would change is the style's business (see the unit tests); here only
    // that every file is read, parses and can be formatted.
    let run = run_plat(&args(&["fmt", "--check", "examples", "stdlib"]));
    run.assert_no_crash("plat fmt --check examples stdlib");
    assert!(
        run.status == Some(0) || run.status == Some(1),
        "{}",
        run.transcript()
    );
    assert_eq!(run.stderr, "", "no file has errors");
    for listed in run.stdout.lines() {
        assert!(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(listed).is_file(),
            "{listed}"
        );
    }
}

#[test]
fn help_shows_examples() {
    let run = run_plat(&args(&["fmt", "--help"]));
    assert_eq!(run.status, Some(0));
    assert!(run.stdout.contains("plat fmt --check"), "{}", run.stdout);
}

#[test]
fn the_examples_and_the_standard_library_are_in_canonical_form() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = run_plat_in(root, &args(&["fmt", "--check", "examples", "stdlib"]));
    assert_eq!(
        run.status,
        Some(0),
        "run `plat fmt examples stdlib`: {}",
        run.transcript()
    );
}
