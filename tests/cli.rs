//! The `plat` command as users and CI run it: exit statuses, formats, examples, help.

mod support;

use std::path::Path;

use serde_json::Value;
use support::{args, run_plat, run_plat_in};

#[test]
fn every_example_checks_clean() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut checked = 0;
    for entry in std::fs::read_dir(examples).expect("examples/ exists") {
        let entry = entry.expect("readable entry");
        if !entry.path().is_dir() {
            continue;
        }
        let path = format!("examples/{}", entry.file_name().to_string_lossy());
        let run = run_plat(&args(&["check", &path]));
        assert_eq!(
            run.status,
            Some(0),
            "`plat check {path}` is not clean:\n{}",
            run.transcript()
        );
        assert!(run.stderr.contains("no problems"), "{}", run.stderr);
        checked += 1;
    }
    assert!(checked >= 2, "expected at least two examples");
}

#[test]
fn a_file_with_five_syntax_errors_reports_five_errors() {
    let run = run_plat(&args(&[
        "check",
        "--format",
        "json",
        "tests/fixtures/syntax/five-errors.plat",
    ]));
    assert_eq!(run.status, Some(1));
    let diagnostics: Vec<Value> = serde_json::from_str(&run.stdout).expect("JSON array");
    let errors = diagnostics
        .iter()
        .filter(|d| d["severity"] == "error")
        .count();
    assert_eq!(errors, 5, "{}", run.stdout);
}

#[test]
fn a_misspelled_output_suggests_the_right_one() {
    let run = run_plat(&args(&[
        "check",
        "--format",
        "json",
        "tests/fixtures/diagnostics/E0204-unknown-output.plat",
    ]));
    let diagnostics: Vec<Value> = serde_json::from_str(&run.stdout).expect("JSON array");
    let unknown = diagnostics
        .iter()
        .find(|d| d["code"] == "E0204")
        .expect("an E0204");
    assert!(
        unknown["message"]
            .as_str()
            .unwrap_or_default()
            .contains("hots")
    );
    assert!(
        unknown["help"]
            .as_str()
            .unwrap_or_default()
            .contains("did you mean `host`"),
        "{unknown}"
    );
}

#[test]
fn a_secret_leak_labels_both_the_origin_and_the_sink() {
    let run = run_plat(&args(&[
        "check",
        "--format",
        "json",
        "tests/fixtures/diagnostics/E0401-secret-in-label.plat",
    ]));
    let diagnostics: Vec<Value> = serde_json::from_str(&run.stdout).expect("JSON array");
    let leak = diagnostics
        .iter()
        .find(|d| d["code"] == "E0401")
        .expect("an E0401");
    assert!(
        leak["start"]["line"].is_u64(),
        "the sink has a position: {leak}"
    );
    let labels = leak["labels"].as_array().expect("labels");
    assert!(
        !labels.is_empty(),
        "the secret's origin is labelled: {leak}"
    );
    assert_ne!(
        labels[0]["start"], leak["start"],
        "origin and sink are different places: {leak}"
    );
}

#[test]
fn json_objects_carry_every_documented_field() {
    let run = run_plat(&args(&[
        "check",
        "--format",
        "json",
        "tests/fixtures/diagnostics/E0204-unknown-output.plat",
    ]));
    let diagnostics: Vec<Value> = serde_json::from_str(&run.stdout).expect("JSON array");
    for field in [
        "code", "severity", "message", "file", "start", "end", "help",
    ] {
        assert!(
            diagnostics[0].get(field).is_some(),
            "missing `{field}`: {}",
            diagnostics[0]
        );
    }
    assert!(
        diagnostics[0]["file"]
            .as_str()
            .unwrap_or_default()
            .ends_with("E0204-unknown-output.plat")
    );
}

#[test]
fn sarif_is_a_2_1_0_log_with_one_result_per_diagnostic() {
    let run = run_plat(&args(&[
        "check",
        "--format",
        "sarif",
        "tests/fixtures/diagnostics/E0204-unknown-output.plat",
    ]));
    assert_eq!(run.status, Some(1));
    let log: Value = serde_json::from_str(&run.stdout).expect("SARIF is JSON");
    assert_eq!(log["version"], "2.1.0");
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert!(results.iter().any(|r| r["ruleId"] == "E0204"));
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    for result in results {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let region = &result["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().unwrap_or_default() >= 1);
    }
}

#[test]
fn exit_statuses_tell_clean_errors_and_usage_apart() {
    assert_eq!(
        run_plat(&args(&["check", "examples/minimal"])).status,
        Some(0)
    );
    assert_eq!(
        run_plat(&args(&[
            "check",
            "tests/fixtures/diagnostics/E0204-unknown-output.plat"
        ]))
        .status,
        Some(1)
    );
    assert_eq!(run_plat(&args(&["check", "no/such/path"])).status, Some(2));
    assert_eq!(
        run_plat(&args(&["check", "--format", "yaml"])).status,
        Some(2)
    );
    assert_eq!(run_plat(&args(&["frobnicate"])).status, Some(2));
}

#[test]
fn a_panic_is_an_internal_error_with_exit_status_3_and_no_backtrace() {
    let output = assert_cmd::Command::new(env!("CARGO_BIN_EXE_plat"))
        .args(["check", "examples/minimal"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("PLAT_TEST_PANIC", "1")
        .env("RUST_BACKTRACE", "full")
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("plat runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.starts_with("error: internal error in plat ")
            && stderr.contains("a panic requested by PLAT_TEST_PANIC")
            && stderr
                .contains("note: this is a bug in plat, not in your project; please report it"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked at"), "{stderr}");
    assert!(!stderr.contains("stack backtrace"), "{stderr}");
    assert!(output.stdout.is_empty());
}

#[test]
fn help_teaches_with_examples() {
    let run = run_plat(&args(&["--help"]));
    assert_eq!(run.status, Some(0));
    assert!(run.stdout.contains("Examples:"), "{}", run.stdout);
    assert!(run.stdout.contains("plat check examples/shop"));
    let run = run_plat(&args(&["check", "--help"]));
    assert!(run.stdout.contains("--format"), "{}", run.stdout);
}

#[test]
fn explain_prints_the_explanation_and_refuses_unknown_codes() {
    let run = run_plat(&args(&["explain", "e0204"]));
    assert_eq!(run.status, Some(0));
    assert!(
        run.stdout.starts_with("# E0204: unknown output"),
        "{}",
        run.stdout
    );
    let run = run_plat(&args(&["explain", "E9999"]));
    assert_eq!(run.status, Some(2));
    assert!(run.stderr.contains("--list"));
    let run = run_plat(&args(&["explain", "--list"]));
    assert!(run.stdout.lines().count() >= 30);
}

#[test]
fn completions_are_generated_for_common_shells() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = run_plat(&args(&["completions", shell]));
        assert_eq!(run.status, Some(0), "{shell}");
        assert!(run.stdout.contains("check"), "{shell}");
    }
}

#[test]
fn human_output_has_no_colour_in_a_pipe_and_colour_when_asked() {
    let path = "tests/fixtures/diagnostics/E0204-unknown-output.plat";
    let plain = run_plat(&args(&["check", path]));
    assert!(!plain.stderr.contains('\u{1b}'), "{}", plain.stderr);
    let coloured = run_plat(&args(&["--color", "always", "check", path]));
    assert!(coloured.stderr.contains('\u{1b}'));
}

#[test]
fn paths_are_shown_as_the_user_typed_them() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = run_plat_in(
        &root.join("tests/fixtures"),
        &args(&[
            "check",
            "--format",
            "json",
            "diagnostics/E0204-unknown-output.plat",
        ]),
    );
    let diagnostics: Vec<Value> = serde_json::from_str(&run.stdout).expect("JSON array");
    assert_eq!(
        diagnostics[0]["file"],
        "diagnostics/E0204-unknown-output.plat"
    );
}

#[test]
fn a_file_of_a_project_is_checked_with_the_project_and_its_diagnostics_reported() {
    // The README's form: one file of the shop, whose names come from other files.
    let run = run_plat(&args(&["check", "examples/shop/workloads/cart-api.plat"]));
    assert_eq!(run.status, Some(0), "{}", run.transcript());
    assert!(
        run.stderr.contains(
            "checked examples/shop/workloads/cart-api.plat in shop (11 files): no problems"
        ),
        "{}",
        run.stderr
    );
    // Errors in two files: only the file asked for is reported, and sets the status.
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::write(dir.path().join("plat.toml"), "[project]\nname = \"p\"\n").expect("writable");
    std::fs::create_dir_all(dir.path().join("workloads")).expect("mkdir");
    std::fs::write(
        dir.path().join("environments.plat"),
        "environment development { namespace = \"dev\" }\n\
         workload broken {\n  replicas = \"x\"\n  container main { image = \"a:1\" }\n}\n",
    )
    .expect("writable");
    std::fs::write(
        dir.path().join("workloads/web.plat"),
        "workload web {\n  calls = [broken]\n  replicas = nope\n  container main { image = \"a:1\" }\n}\n",
    )
    .expect("writable");
    let web = dir.path().join("workloads/web.plat");
    let run = run_plat(&args(&[
        "check",
        &web.to_string_lossy(),
        "--format",
        "json",
    ]));
    assert_eq!(run.status, Some(1), "{}", run.transcript());
    let diagnostics: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let files: Vec<&str> = diagnostics
        .as_array()
        .expect("an array")
        .iter()
        .map(|d| d["file"].as_str().unwrap_or_default())
        .collect();
    assert!(!files.is_empty(), "{}", run.stdout);
    assert!(
        files
            .iter()
            .all(|file| file.ends_with("workloads/web.plat")),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("unknown name `nope`"), "{}", run.stdout);
    // A clean file of a project with errors elsewhere is clean.
    std::fs::write(
        &web,
        "workload web {\n  calls = [broken]\n  container main { image = \"a:1\" }\n}\n",
    )
    .expect("writable");
    let run = run_plat(&args(&["check", &web.to_string_lossy()]));
    assert_eq!(run.status, Some(0), "{}", run.transcript());
    assert!(
        run.stderr.contains("web.plat in p (2 files): no problems"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_waived_violation_is_shown_in_every_format_and_fails_nothing() {
    let fixture = "tests/fixtures/diagnostics/W0622-unused-waiver.plat";
    let human = run_plat(&args(&["check", fixture]));
    assert_eq!(human.status, Some(0), "{}", human.transcript());
    assert!(
        human
            .stderr
            .contains("waived[E0605]: run at least two replicas"),
        "{}",
        human.stderr
    );
    assert!(
        human
            .stderr
            .contains("waived here: one replica while the new cache warms up"),
        "{}",
        human.stderr
    );
    assert!(
        human.stderr.contains("1 warning, 1 waived"),
        "{}",
        human.stderr
    );

    let json = run_plat(&args(&["check", "--format", "json", fixture]));
    assert_eq!(json.status, Some(0));
    let diagnostics: Vec<Value> = serde_json::from_str(&json.stdout).expect("JSON array");
    let waived = diagnostics
        .iter()
        .find(|d| d["code"] == "E0605")
        .expect("the waived violation");
    assert_eq!(
        waived["waiver"]["reason"],
        "one replica while the new cache warms up"
    );
    assert!(waived["waiver"]["start"]["line"].as_u64().is_some());
    assert!(
        diagnostics
            .iter()
            .filter(|d| d["code"] != "E0605")
            .all(|d| d["waiver"].is_null())
    );

    let sarif = run_plat(&args(&["check", "--format", "sarif", fixture]));
    assert_eq!(sarif.status, Some(0));
    let log: Value = serde_json::from_str(&sarif.stdout).expect("SARIF is JSON");
    let results = log["runs"][0]["results"].as_array().expect("results");
    let result = results
        .iter()
        .find(|r| r["ruleId"] == "E0605")
        .expect("the waived violation");
    let suppression = &result["suppressions"][0];
    assert_eq!(suppression["kind"], "inSource");
    assert_eq!(suppression["status"], "accepted");
    assert_eq!(
        suppression["justification"],
        "one replica while the new cache warms up"
    );
    assert!(
        suppression["location"]["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .is_some()
    );
    assert!(
        results
            .iter()
            .filter(|r| r["ruleId"] != "E0605")
            .all(|r| r.get("suppressions").is_none())
    );
}
