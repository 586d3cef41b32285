//! `plat init` end to end: the scaffold checks, builds and is formatted with nothing
//! else installed; existing files are never overwritten; names become DNS labels.

mod support;

use std::fs;

use support::{args, run_plat_in};

#[test]
fn a_new_platform_checks_builds_and_is_formatted() {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path();
    for command in [
        vec!["init", "x"],
        vec!["check", "x"],
        vec!["build", "x", "--out", "x/out"],
        vec!["fmt", "--check", "x"],
        vec!["doc", "x", "--out", "x/out-catalog"],
    ] {
        let run = run_plat_in(dir, &args(&command));
        assert_eq!(run.status, Some(0), "{command:?}:\n{}", run.transcript());
    }
    for path in [
        "x/plat.toml",
        "x/README.md",
        "x/platform/environments.plat",
        "x/workloads/hello.plat",
        "x/out/development/kubernetes/hello/deployment.yaml",
        "x/out-catalog/postgres.html",
    ] {
        assert!(dir.join(path).is_file(), "{path}");
    }
    let manifest = fs::read_to_string(dir.join("x/plat.toml")).expect("plat.toml");
    assert_eq!(manifest, "[project]\nname = \"x\"\n");
    let hello = fs::read_to_string(dir.join("x/workloads/hello.plat")).expect("hello");
    assert!(
        hello.contains("DATABASE_URL = db.url"),
        "the database's URL, with its password, flows into env"
    );
}

#[test]
fn existing_files_are_never_overwritten() {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path();
    fs::create_dir_all(dir.join("p")).expect("mkdir");
    fs::write(dir.join("p/README.md"), "mine").expect("write");
    let run = run_plat_in(dir, &args(&["init", "p"]));
    assert_eq!(run.status, Some(2), "{}", run.transcript());
    assert!(run.stderr.contains("README.md"), "{}", run.stderr);
    assert_eq!(
        fs::read_to_string(dir.join("p/README.md")).expect("read"),
        "mine"
    );
    assert!(!dir.join("p/plat.toml").exists(), "nothing is written");

    let first = run_plat_in(dir, &args(&["init", "q"]));
    assert_eq!(first.status, Some(0), "{}", first.transcript());
    let again = run_plat_in(dir, &args(&["init", "q"]));
    assert_eq!(again.status, Some(2), "{}", again.transcript());
    assert!(again.stderr.contains("plat.toml"), "{}", again.stderr);
}

#[test]
fn the_name_is_a_dns_label() {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path();
    let run = run_plat_in(dir, &args(&["init", "My Shop_2"]));
    assert_eq!(run.status, Some(0), "{}", run.transcript());
    let manifest = fs::read_to_string(dir.join("My Shop_2/plat.toml")).expect("plat.toml");
    assert!(manifest.contains("name = \"my-shop-2\""), "{manifest}");
    let check = run_plat_in(dir, &args(&["check", "My Shop_2"]));
    assert_eq!(check.status, Some(0), "{}", check.transcript());

    let named = run_plat_in(dir, &args(&["init", "n", "--name", "payments"]));
    assert_eq!(named.status, Some(0), "{}", named.transcript());
    let environments =
        fs::read_to_string(dir.join("n/platform/environments.plat")).expect("environments");
    assert!(
        environments.contains("namespace = \"payments-dev\""),
        "{environments}"
    );

    let invalid = run_plat_in(dir, &args(&["init", "m", "--name", "Not_A_Label"]));
    assert_eq!(invalid.status, Some(2), "{}", invalid.transcript());
    assert!(
        invalid.stderr.contains("--name not-a-label"),
        "{}",
        invalid.stderr
    );
    assert!(!dir.join("m").exists());
}
