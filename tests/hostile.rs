//! Hostile input: `plat check` answers with diagnostics and exit 1 or 2, never a panic,
//! a stack overflow or a hang (every run has a time limit).

mod support;

use std::path::Path;

use support::{args, run_plat};

fn check_dir(dir: &Path) -> support::Run {
    run_plat(&args(&["check", &dir.to_string_lossy()]))
}

fn project_with(name: &str, bytes: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::write(dir.path().join(name), bytes).expect("writable");
    dir
}

#[test]
fn binary_garbage() {
    let mut bytes = Vec::with_capacity(64 * 1024);
    let mut state: u32 = 0x1234_5678;
    for _ in 0..64 * 1024 {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        bytes.push(state as u8);
    }
    let dir = project_with("garbage.plat", &bytes);
    let run = check_dir(dir.path());
    run.assert_no_crash("binary garbage");
    assert_eq!(run.status, Some(1));
}

#[test]
fn garbage_that_is_valid_utf8() {
    let text: String = (0..50_000u32)
        .map(|i| char::from_u32((i * 7919) % 0x2FFF + 0x20).unwrap_or('?'))
        .collect();
    let dir = project_with("garbage.plat", text.as_bytes());
    let run = check_dir(dir.path());
    run.assert_no_crash("valid UTF-8 garbage");
    assert_eq!(run.status, Some(1));
}

#[test]
fn twenty_thousand_nested_braces() {
    let text = format!("workload w {}", "{".repeat(20_000));
    let dir = project_with("deep.plat", text.as_bytes());
    let run = check_dir(dir.path());
    run.assert_no_crash("20,000 nested braces");
    assert_eq!(run.status, Some(1));
    assert!(run.stderr.contains("E0104"), "{}", run.stderr);
}

#[test]
fn deeply_nested_expressions() {
    let text = format!(
        "workload w {{ replicas = {}1{} }}",
        "[".repeat(20_000),
        "]".repeat(20_000)
    );
    let dir = project_with("deep.plat", text.as_bytes());
    let run = check_dir(dir.path());
    run.assert_no_crash("20,000 nested lists");
    assert_eq!(run.status, Some(1));
}

#[test]
fn a_two_megabyte_string() {
    let text = format!(
        "workload w {{\n  labels = {{ big = \"{}\" }}\n}}\n",
        "x".repeat(2 * 1024 * 1024)
    );
    let dir = project_with("big.plat", text.as_bytes());
    let run = check_dir(dir.path());
    run.assert_no_crash("a 2 MB string");
}

#[test]
fn an_unterminated_two_megabyte_string() {
    let text = format!(
        "workload w {{ labels = {{ big = \"{}",
        "x".repeat(2 * 1024 * 1024)
    );
    let dir = project_with("big.plat", text.as_bytes());
    let run = check_dir(dir.path());
    run.assert_no_crash("an unterminated 2 MB string");
    assert_eq!(run.status, Some(1));
}

#[test]
fn invalid_utf8() {
    let dir = project_with("latin1.plat", b"workload caf\xe9 {}\n");
    let run = check_dir(dir.path());
    run.assert_no_crash("invalid UTF-8");
    assert_eq!(run.status, Some(1));
    assert!(run.stderr.contains("E0502"), "{}", run.stderr);
}

#[test]
fn an_empty_directory() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let run = check_dir(dir.path());
    run.assert_no_crash("an empty directory");
    assert_eq!(run.status, Some(1));
    assert!(run.stderr.contains("E0504"), "{}", run.stderr);
}

#[test]
fn an_empty_file() {
    let dir = project_with("empty.plat", b"");
    let run = check_dir(dir.path());
    run.assert_no_crash("an empty file");
}

#[test]
fn a_path_that_does_not_exist() {
    let run = run_plat(&args(&["check", "/no/such/plat/project"]));
    run.assert_no_crash("a missing path");
    assert_eq!(run.status, Some(2));
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_loop() {
    let dir = project_with(
        "main.plat",
        b"environment development { namespace = \"dev\" }\n",
    );
    std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).expect("symlink");
    let run = check_dir(dir.path());
    run.assert_no_crash("a symbolic link loop");
    assert_eq!(run.status, Some(0), "{}", run.transcript());
}

/// `plat import score` on `text`, written to a temporary Score file.
fn import_score(text: &str) -> support::Run {
    let dir = project_with("score.yaml", text.as_bytes());
    let file = dir.path().join("score.yaml");
    run_plat(&args(&[
        "import",
        "score",
        &file.to_string_lossy(),
        "--out",
        "-",
    ]))
}

#[test]
fn score_files_that_nest_deeply_or_expand_aliases_are_refused() {
    let header = "apiVersion: score.dev/v1b1\nmetadata:\n  name: x\ncontainers:\n  main:\n    image: nginx:1.27\n";
    let deep = format!(
        "{header}    args: {}{}\n",
        "[".repeat(20_000),
        "]".repeat(20_000)
    );
    let mut bomb = format!("{header}x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..12 {
        let previous = format!("*a{}", level - 1);
        let items = [previous.as_str(); 9].join(", ");
        bomb.push_str(&format!("x{level}: &a{level} [{items}]\n"));
    }
    for (what, text) in [("deep", deep), ("alias bomb", bomb)] {
        let run = import_score(&text);
        run.assert_no_crash(what);
        assert_eq!(run.status, Some(1), "{what}\n{}", run.transcript());
        assert!(run.stderr.contains("E0801"), "{what}\n{}", run.stderr);
    }
}

#[test]
fn score_garbage_and_non_utf8_are_refused() {
    let run = import_score("\u{0}\u{1}: [}{");
    run.assert_no_crash("garbage");
    assert_eq!(run.status, Some(1), "{}", run.transcript());
    let dir = project_with("score.yaml", b"name: caf\xe9\n");
    let file = dir.path().join("score.yaml");
    let run = run_plat(&args(&["import", "score", &file.to_string_lossy()]));
    run.assert_no_crash("latin-1");
    assert_eq!(run.status, Some(2), "{}", run.transcript());
}
