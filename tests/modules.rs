//! `plat modules lock` end to end: the interfaces of the modules that `terraform init`
//! downloaded (or a vendored module) are recorded in the project's lock, and `plat
//! check` then checks the implementations that call them.

mod support;

use std::fs;
use std::path::Path;

use support::{Run, args, run_plat};

/// A downloaded registry module, as `terraform init` leaves it.
const VARIABLES: &str = r#"
variable "name" {
  description = "The name."
  type        = string
}
variable "nodes" {
  type     = number
  default  = 1
  nullable = false
}
variable "token" {
  type      = string
  default   = null
  sensitive = true
}
"#;

const OUTPUTS: &str = r#"
output "endpoint" { value = "x" }
output "password" {
  value     = "y"
  sensitive = true
}
"#;

const VERSIONS: &str = r#"
terraform {
  required_version = ">= 1.5.7"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}
"#;

/// An offering whose `aws` implementation calls `acme/valkey/aws` 2.1.0.
fn offering(inputs: &str, output: &str) -> String {
    format!(
        "offering cache {{\n  version = \"1.0.0\"\n  output host: string\n  implementation aws: terraform {{\n    source = \"acme/valkey/aws\"\n    version = \"2.1.0\"\n    inputs = {{ {inputs} }}\n    outputs = {{ host = {output} }}\n  }}\n}}\n"
    )
}

/// A root module directory after `terraform init`, with `acme/valkey/aws` 2.1.0, one
/// of its submodules, and a local module, under `.terraform/modules`.
fn initialised_root(root: &Path) {
    let modules = root.join(".terraform/modules");
    let cache = modules.join("cache");
    fs::create_dir_all(cache.join("modules/users")).unwrap();
    fs::write(cache.join("variables.tf"), VARIABLES).unwrap();
    fs::write(cache.join("outputs.tf"), OUTPUTS).unwrap();
    fs::write(cache.join("versions.tf"), VERSIONS).unwrap();
    fs::write(
        cache.join("modules/users/main.tf"),
        "variable \"names\" { type = list(string) }\n",
    )
    .unwrap();
    fs::write(
        modules.join("modules.json"),
        r#"{"Modules":[
          {"Key":"","Source":"","Dir":"."},
          {"Key":"cache","Source":"registry.terraform.io/acme/valkey/aws","Version":"2.1.0","Dir":".terraform/modules/cache"},
          {"Key":"cache.users","Source":"./modules/users","Dir":".terraform/modules/cache/modules/users"},
          {"Key":"users","Source":"registry.terraform.io/acme/valkey/aws//modules/users","Version":"2.1.0","Dir":".terraform/modules/cache/modules/users"},
          {"Key":"local","Source":"./modules/local","Dir":"modules/local"}
        ]}"#,
    )
    .unwrap();
}

fn lock(project: &Path, extra: &[&str]) -> Run {
    let mut words = args(&["modules", "lock"]);
    words.push(project.to_string_lossy().into_owned());
    words.extend(args(extra));
    let run = run_plat(&words);
    run.assert_no_crash("plat modules lock");
    run
}

fn check(project: &Path) -> Run {
    let run = run_plat(&["check".to_string(), project.to_string_lossy().into_owned()]);
    run.assert_no_crash("plat check");
    run
}

#[test]
fn the_modules_terraform_init_downloaded_are_recorded_and_then_checked() {
    let scratch = tempfile::tempdir().unwrap();
    initialised_root(scratch.path());
    let project = tempfile::tempdir().unwrap();
    fs::write(
        project.path().join("cache.plat"),
        offering("name = self.name, nodez = 2", "module.endpoint"),
    )
    .unwrap();
    // Before the lock: the module's interface is unknown, an error.
    let before = check(project.path());
    assert_eq!(before.status, Some(1), "{}", before.transcript());
    assert!(before.stderr.contains("E0706"), "{}", before.stderr);

    let from = scratch.path().to_string_lossy().into_owned();
    let run = lock(project.path(), &["--from", &from]);
    assert_eq!(run.status, Some(0), "{}", run.transcript());
    assert!(
        run.stderr
            .contains("recorded `acme/valkey/aws` version `2.1.0`"),
        "{}",
        run.stderr
    );
    let text = fs::read_to_string(project.path().join("plat.modules.lock.json")).unwrap();
    insta::assert_snapshot!("modules_lock_from_terraform_init", text);

    // Now the misspelt input is caught, with its suggestion.
    let after = check(project.path());
    assert_eq!(after.status, Some(1), "{}", after.transcript());
    assert!(after.stderr.contains("E0701"), "{}", after.stderr);
    assert!(
        after.stderr.contains("did you mean `nodes`?"),
        "{}",
        after.stderr
    );
    fs::write(
        project.path().join("cache.plat"),
        offering("name = self.name, nodes = 2", "module.endpoint"),
    )
    .unwrap();
    // Nothing more about the project's own file (the standard library is held to
    // account by its own tests).
    let fixed = run_plat(&[
        "check".to_string(),
        project.path().to_string_lossy().into_owned(),
        "--format".to_string(),
        "json".to_string(),
    ]);
    let diagnostics: serde_json::Value =
        serde_json::from_str(&fixed.stdout).expect("JSON diagnostics");
    let own: Vec<&serde_json::Value> = diagnostics
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| {
            d["file"]
                .as_str()
                .is_some_and(|f| f.ends_with("cache.plat"))
        })
        .collect();
    assert!(own.is_empty(), "{own:?}");

    // Recording again changes nothing, byte for byte.
    let again = lock(
        project.path(),
        &["--from", &format!("{from}/.terraform/modules")],
    );
    assert_eq!(again.status, Some(0), "{}", again.transcript());
    assert!(again.stderr.contains("is up to date"), "{}", again.stderr);
    assert_eq!(
        fs::read_to_string(project.path().join("plat.modules.lock.json")).unwrap(),
        text
    );
}

#[test]
fn a_vendored_module_is_recorded_under_the_source_and_version_given() {
    let scratch = tempfile::tempdir().unwrap();
    initialised_root(scratch.path());
    let project = tempfile::tempdir().unwrap();
    let dir = scratch.path().join(".terraform/modules/cache");
    let dir = dir.to_string_lossy().into_owned();
    let run = lock(
        project.path(),
        &[
            "--module",
            &dir,
            "--source",
            "acme/valkey/aws",
            "--version",
            "3.0.0",
        ],
    );
    assert_eq!(run.status, Some(0), "{}", run.transcript());
    let text = fs::read_to_string(project.path().join("plat.modules.lock.json")).unwrap();
    assert!(text.contains("\"version\": \"3.0.0\""), "{text}");
    // A registry module needs its exact release; a local path needs no lock.
    for extra in [
        vec!["--module", &dir, "--source", "acme/valkey/aws"],
        vec![
            "--module",
            &dir,
            "--source",
            "acme/valkey/aws",
            "--version",
            "~> 3.0",
        ],
        vec!["--module", &dir, "--source", "./modules/valkey"],
    ] {
        let run = lock(project.path(), &extra);
        assert_eq!(run.status, Some(2), "{extra:?}: {}", run.transcript());
    }
}

#[test]
fn nothing_is_read_or_written_when_there_is_nothing_to_record_from() {
    let project = tempfile::tempdir().unwrap();
    let run = lock(project.path(), &[]);
    assert_eq!(run.status, Some(2), "{}", run.transcript());
    assert!(run.stderr.contains("nothing to record"), "{}", run.stderr);
    assert!(!project.path().join("plat.modules.lock.json").exists());
    let elsewhere = tempfile::tempdir().unwrap();
    let run = lock(
        project.path(),
        &["--from", &elsewhere.path().to_string_lossy()],
    );
    assert_eq!(run.status, Some(2), "{}", run.transcript());
    assert!(run.stderr.contains("terraform init"), "{}", run.stderr);
}

#[test]
fn a_lock_that_cannot_be_read_is_never_overwritten() {
    let scratch = tempfile::tempdir().unwrap();
    initialised_root(scratch.path());
    let project = tempfile::tempdir().unwrap();
    let broken = "{ \"format\": 1, \"modules\": [ { \"sourc\": 1 } ] }\n";
    fs::write(project.path().join("plat.modules.lock.json"), broken).unwrap();
    let run = lock(
        project.path(),
        &["--from", &scratch.path().to_string_lossy()],
    );
    assert_eq!(run.status, Some(2), "{}", run.transcript());
    assert!(run.stderr.contains("is not overwritten"), "{}", run.stderr);
    assert_eq!(
        fs::read_to_string(project.path().join("plat.modules.lock.json")).unwrap(),
        broken
    );
}

#[test]
fn a_manifest_that_points_outside_the_modules_directory_is_refused() {
    let scratch = tempfile::tempdir().unwrap();
    let modules = scratch.path().join(".terraform/modules");
    fs::create_dir_all(&modules).unwrap();
    fs::write(
        modules.join("modules.json"),
        r#"{"Modules":[{"Key":"x","Source":"acme/x/aws","Version":"1.0.0","Dir":".terraform/modules/../../../etc"}]}"#,
    )
    .unwrap();
    let project = tempfile::tempdir().unwrap();
    let run = lock(
        project.path(),
        &["--from", &scratch.path().to_string_lossy()],
    );
    assert_eq!(run.status, Some(2), "{}", run.transcript());
    assert!(
        run.stderr.contains("leaves `.terraform/modules`"),
        "{}",
        run.stderr
    );
}
