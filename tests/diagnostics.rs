//! Every diagnostic code, triggered by a fixture and rendered as a user sees it.
//!
//! Each entry of `tests/fixtures/diagnostics/` whose name starts with a code is run
//! through the real binary: a `.plat` file or a directory with `plat check PATH`, an
//! `.args` file with the arguments it holds, a Score `.yaml` file with
//! `plat import score PATH --out -`. The human rendering (without colour) and
//! the exit status are compared with the snapshot in `tests/snapshots/`; the JSON
//! rendering must carry the fixture's code.

mod support;

use std::path::Path;

use plat_compiler::diagnostic::Code;
use support::{Fixture, run_plat};

#[test]
fn every_fixture_renders_as_its_snapshot_and_reports_its_code() {
    let fixtures = Fixture::all_in("tests/fixtures/diagnostics");
    assert!(!fixtures.is_empty(), "no fixtures found");
    let _huge =
        support::HugeFile::create("tests/fixtures/diagnostics/E0503-file-too-large/huge.plat");
    for fixture in &fixtures {
        let human = run_plat(&fixture.args(&[]));
        insta::with_settings!({
            snapshot_path => "snapshots/diagnostics",
            prepend_module_to_snapshot => false,
            omit_expression => true,
            description => fixture.name.clone(),
        }, {
            insta::assert_snapshot!(fixture.name.clone(), human.transcript());
        });
        let json = run_plat(&fixture.args(&["--format", "json"]));
        let code = fixture.code();
        assert!(
            json.stdout.contains(&format!("\"code\": \"{code}\"")),
            "fixture `{}` does not report {code}:\n{}",
            fixture.name,
            json.stdout
        );
        assert_ne!(
            human.status,
            Some(3),
            "internal error on `{}`",
            fixture.name
        );
    }
}

#[test]
fn every_code_has_a_fixture() {
    let fixtures = Fixture::all_in("tests/fixtures/diagnostics");
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|code| code.as_str())
        .filter(|code| !fixtures.iter().any(|fixture| fixture.code() == *code))
        .collect();
    assert!(missing.is_empty(), "codes without a fixture: {missing:?}");
}

#[test]
fn every_code_is_explained_with_an_example_and_a_fix() {
    for code in Code::ALL {
        let text = code.explanation();
        let heading = format!("# {}: {}", code.as_str(), code.title());
        assert!(
            text.starts_with(&heading),
            "{code}'s explanation must open with `{heading}`"
        );
        assert!(
            text.contains("## Example"),
            "{code}'s explanation has no example"
        );
        assert!(text.contains("## Fix"), "{code}'s explanation has no fix");
    }
}

#[test]
fn the_language_reference_lists_exactly_the_compilers_codes() {
    let reference =
        std::fs::read_to_string(Path::new("docs/language.md")).expect("docs/language.md exists");
    let section = reference
        .split("## Diagnostic codes")
        .nth(1)
        .expect("docs/language.md has a `## Diagnostic codes` section");
    let section = section.split("\n## ").next().unwrap_or(section);
    let mut listed: Vec<String> = section
        .split('`')
        .filter(|word| is_code(word))
        .map(str::to_string)
        .collect();
    listed.sort();
    listed.dedup();
    let mut known: Vec<String> = Code::ALL
        .iter()
        .map(|code| code.as_str().to_string())
        .collect();
    known.sort();
    assert_eq!(
        listed, known,
        "docs/language.md's code list differs from the compiler's"
    );
}

fn is_code(word: &str) -> bool {
    word.len() == 5
        && (word.starts_with('E') || word.starts_with('W'))
        && word[1..].chars().all(|c| c.is_ascii_digit())
}
