//! Every diagnostic code, triggered by a fixture and rendered as a user sees it.
//!
//! Each entry of `tests/fixtures/diagnostics/` whose name starts with a code is run
//! through the real binary: a `.plat` file or a directory with `plat check PATH`, an
//! `.args` file with the arguments it holds, a Score `.yaml` file with
//! `plat import score PATH --out -`. The human rendering (without colour) and
//! the exit status are compared with the snapshot in `tests/snapshots/`; the JSON
//! rendering must carry the fixture's code. Each fixture is a test of its own, so that
//! one mismatch does not hide the others.

mod support;

use std::path::Path;

use libtest_mimic::{Arguments, Failed, Trial};
use plat_compiler::diagnostic::Code;
use support::{Fixture, run_plat};

fn main() {
    let arguments = Arguments::from_args();
    let fixtures = Fixture::all_in("tests/fixtures/diagnostics");
    let mut trials: Vec<Trial> = vec![
        Trial::test("there_are_fixtures", {
            let found = !fixtures.is_empty();
            move || check(found, "no fixtures found in tests/fixtures/diagnostics")
        }),
        Trial::test("every_code_has_a_fixture", || {
            catch(every_code_has_a_fixture)
        }),
        Trial::test("every_code_is_explained_with_an_example_and_a_fix", || {
            catch(every_code_is_explained_with_an_example_and_a_fix)
        }),
        Trial::test(
            "the_language_reference_lists_exactly_the_compilers_codes",
            || catch(the_language_reference_lists_exactly_the_compilers_codes),
        ),
    ];
    trials.extend(fixtures.into_iter().map(|fixture| {
        Trial::test(format!("fixture::{}", fixture.name), move || {
            catch(|| renders_as_its_snapshot_and_reports_its_code(&fixture))
        })
    }));
    // The fixture of a file too large to read, made for the run and removed after it.
    let huge =
        support::HugeFile::create("tests/fixtures/diagnostics/E0503-file-too-large/huge.plat");
    let conclusion = libtest_mimic::run(&arguments, trials);
    drop(huge);
    conclusion.exit();
}

/// A test's assertion as a failure of its trial.
fn catch(test: impl FnOnce() + std::panic::UnwindSafe) -> Result<(), Failed> {
    std::panic::catch_unwind(test).map_err(|panic| {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|text| text.to_string()))
            .unwrap_or_else(|| "the test panicked".to_string());
        Failed::from(message)
    })
}

fn check(condition: bool, message: &str) -> Result<(), Failed> {
    if condition {
        Ok(())
    } else {
        Err(message.into())
    }
}

/// The fixture's human rendering is its snapshot, and its JSON carries its code.
fn renders_as_its_snapshot_and_reports_its_code(fixture: &Fixture) {
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

fn every_code_has_a_fixture() {
    let fixtures = Fixture::all_in("tests/fixtures/diagnostics");
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|code| code.as_str())
        .filter(|code| !fixtures.iter().any(|fixture| fixture.code() == *code))
        .collect();
    assert!(missing.is_empty(), "codes without a fixture: {missing:?}");
}

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
