//! `plat diff`: what a change does, from the sources against a git revision (in a fresh
//! clone, with nothing but the `git` command) or against a build directory; the
//! destruction of data marked, an orphaning change refused, the exit status a CI gate,
//! the Markdown a pull-request comment (a reviewed snapshot).

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value as Json;
use support::{Run, args, commit_all, copy_of, git, run_plat_in};

/// A git repository holding `examples/<name>` at its root, committed on `main`.
fn repository(name: &str) -> (tempfile::TempDir, PathBuf) {
    let (temp, project) = copy_of(name);
    commit_all(&project);
    (temp, project)
}

fn plat(directory: &Path, words: &[&str]) -> Run {
    run_plat_in(directory, &args(words))
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).expect("readable");
    assert!(text.contains(from), "{} holds `{from}`", path.display());
    fs::write(path, text.replacen(from, to, 1)).expect("writable");
}

fn json(run: &Run) -> Json {
    serde_json::from_str(&run.stdout).unwrap_or_else(|_| panic!("JSON: {}", run.transcript()))
}

/// The messages of the findings of `severity` in `environment`.
fn findings(diff: &Json, environment: &str, severity: &str) -> Vec<String> {
    diff["environments"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|env| env["name"] == environment)
        .flat_map(|env| env["findings"].as_array().cloned().unwrap_or_default())
        .filter(|finding| finding["severity"] == severity)
        .filter_map(|finding| finding["message"].as_str().map(str::to_string))
        .collect()
}

const REPORT: &str = "workloads/nightly-report.plat";
const REPORT_HEAD: &str = "workload nightly-report {\n";

#[test]
fn removing_a_workload_with_a_database_shows_the_destruction_and_keeps_a_destroy_path() {
    let (_temp, project) = repository("shop");
    edit(
        &project.join(REPORT),
        REPORT_HEAD,
        "workload nightly-report {\n  override staging { removed = true }\n",
    );
    let run = plat(&project, &["diff", "--env", "staging", "--format", "json"]);
    assert_eq!(run.status, Some(4), "{}", run.transcript());
    let diff = json(&run);
    assert_eq!(diff["blocked"], true);
    let destroyed = findings(&diff, "staging", "destroys");
    assert!(
        destroyed
            .iter()
            .any(|m| m.starts_with("`nightly-report.warehouse` (mysql on aws) is destroyed")),
        "{destroyed:?}"
    );
    assert!(
        destroyed
            .iter()
            .any(|m| m.starts_with("`nightly-report.reports` (bucket on aws)")),
        "{destroyed:?}"
    );
    // Allowed, it passes the gate.
    let run = plat(&project, &["diff", "--env", "staging", "--allow-destroy"]);
    assert_eq!(run.status, Some(0), "{}", run.transcript());
    assert!(
        run.stdout.contains("allowed: --allow-destroy"),
        "{}",
        run.stdout
    );
    // The build keeps what Terraform needs to destroy it.
    let out = project.join("out");
    let run = plat(&project, &["build", "--env", "staging"]);
    assert_eq!(run.status, Some(0), "{}", run.transcript());
    let root = out.join("staging/terraform/workloads/nightly-report");
    let terraform: Json =
        serde_json::from_str(&fs::read_to_string(root.join("terraform.tf.json")).expect("kept"))
            .expect("JSON");
    assert_eq!(
        terraform["terraform"]["backend"]["s3"]["key"],
        "shop/staging/workloads/nightly-report.tfstate"
    );
    assert!(root.join("providers.tf.json").is_file());
    assert!(!root.join("main.tf.json").exists(), "nothing to create");
    assert!(!out.join("staging/kubernetes/nightly-report").exists());
}

#[test]
fn deleting_a_workload_instead_of_removing_it_orphans_its_state_and_is_refused() {
    let (_temp, project) = repository("shop");
    fs::remove_file(project.join(REPORT)).expect("deleted");
    let run = plat(
        &project,
        &[
            "diff",
            "--env",
            "staging",
            "--format",
            "json",
            "--allow-destroy",
        ],
    );
    assert_eq!(run.status, Some(4), "{}", run.transcript());
    let orphaned = findings(&json(&run), "staging", "orphans");
    assert_eq!(orphaned.len(), 1, "{orphaned:?}");
    assert!(
        orphaned[0].contains("`nightly-report.warehouse` (mysql on aws)"),
        "{orphaned:?}"
    );
    assert!(orphaned[0].contains("removed = true"), "{orphaned:?}");
}

#[test]
fn a_protected_database_blocks_its_removal_and_its_deletion() {
    let (_temp, project) = repository("shop");
    let report = project.join(REPORT);
    // Declared: plat check refuses it (production protects its databases).
    edit(
        &report,
        REPORT_HEAD,
        "workload nightly-report {\n  override production { removed = true }\n",
    );
    let run = plat(&project, &["check"]);
    assert_eq!(run.status, Some(1), "{}", run.transcript());
    assert!(run.stderr.contains("E0904"), "{}", run.stderr);
    // Deleted outright: plat diff refuses it, even allowed to destroy.
    fs::remove_file(&report).expect("deleted");
    let run = plat(
        &project,
        &[
            "diff",
            "--env",
            "production",
            "--format",
            "json",
            "--allow-destroy",
        ],
    );
    assert_eq!(run.status, Some(4), "{}", run.transcript());
    let protected = findings(&json(&run), "production", "protected");
    assert!(
        protected
            .iter()
            .any(|m| m.starts_with("`nightly-report.warehouse` (mysql on aws) is protected")),
        "{protected:?}"
    );
}

#[test]
fn plat_diff_against_a_git_revision_works_in_a_fresh_clone() {
    let (temp, origin) = repository("minimal");
    let clone = temp.path().join("clone");
    git(
        temp.path(),
        &["clone", "--quiet", &origin.display().to_string(), "clone"],
    );
    // The clone has the files of the revision, and no build of any kind.
    assert!(!clone.join("out").exists());
    edit(&clone.join("hello.plat"), "hello:1.0.0", "hello:1.1.0");
    let run = plat(&clone, &["diff", "--against", "origin/main"]);
    assert_eq!(run.status, Some(0), "{}", run.transcript());
    assert!(
        run.stdout
            .contains("image: \"ghcr.io/acme/hello:1.0.0\" -> \"ghcr.io/acme/hello:1.1.0\""),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("no change destroys data"),
        "{}",
        run.stdout
    );
    // A revision that is not there is a usage error.
    let run = plat(&clone, &["diff", "--against", "no-such-branch"]);
    assert_eq!(run.status, Some(2), "{}", run.transcript());
    assert!(run.stderr.contains("is not a revision"), "{}", run.stderr);
}

#[test]
fn outside_a_git_repository_plat_diff_says_what_to_compare_with_instead() {
    let (temp, project) = copy_of("minimal");
    // Git looks no further up than the temporary directory, wherever that is.
    let run = Run::from(
        assert_cmd::Command::new(env!("CARGO_BIN_EXE_plat"))
            .current_dir(&project)
            .env("NO_COLOR", "1")
            .env("GIT_CEILING_DIRECTORIES", temp.path())
            .arg("diff")
            .output()
            .expect("plat runs"),
    );
    assert_eq!(run.status, Some(2), "{}", run.transcript());
    assert!(
        run.stderr.contains("is not in a git repository")
            && run
                .stderr
                .contains("help: compare with a build directory instead"),
        "{}",
        run.stderr
    );
}

#[test]
fn plat_diff_against_a_build_directory_reads_what_its_manifests_list() {
    let (temp, project) = copy_of("minimal");
    let out = temp.path().join("before");
    let run = plat(
        temp.path(),
        &["build", &project.display().to_string(), "--out", "before"],
    );
    assert_eq!(run.status, Some(0), "{}", run.transcript());
    // What Terraform writes there is not read.
    fs::write(
        out.join("development/terraform/workloads/hello/.terraform.lock.hcl"),
        "not a build file",
    )
    .expect("writable");
    edit(
        &project.join("hello.plat"),
        "ports = { http = 8080 }",
        "ports = { http = 9090 }",
    );
    edit(
        &project.join("hello.plat"),
        "port = 8080 }",
        "port = 9090 }",
    );
    let run = plat(
        &project,
        &[
            "diff",
            "--against-build",
            &out.display().to_string(),
            "--format",
            "json",
        ],
    );
    assert_eq!(run.status, Some(0), "{}", run.transcript());
    let diff = json(&run);
    let addresses: Vec<&str> = diff["environments"][0]["changes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|change| change["address"].as_str())
        .collect();
    assert!(addresses.contains(&"Service hello/hello"), "{addresses:?}");
    assert!(
        addresses.contains(&"Deployment hello/hello"),
        "{addresses:?}"
    );
}

#[test]
fn the_markdown_of_a_destructive_change_is_a_pull_request_comment() {
    let temp = tempfile::tempdir().expect("temp dir");
    let project = temp.path().join("reports");
    support::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff/reports"),
        &project,
    );
    commit_all(&project);
    let workloads = project.join("workloads.plat");
    edit(
        &workloads,
        "workload nightly-report {\n",
        "workload nightly-report {\n  removed = true\n",
    );
    edit(&workloads, "replicas = 2", "replicas = 3");
    let run = plat(
        &project,
        &["diff", "--against", "main", "--format", "markdown"],
    );
    assert_eq!(run.status, Some(4), "{}", run.transcript());
    insta::with_settings!({ snapshot_path => "snapshots/diff", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("markdown", run.stdout);
    });
}

#[test]
fn a_build_refuses_to_drop_a_root_module_that_still_creates_something() {
    let (_temp, project) = copy_of("shop");
    let build = |project: &Path| plat(project, &["build"]);
    let run = build(&project);
    assert_eq!(run.status, Some(0), "{}", run.transcript());
    let out = project.join("out");
    let root = out.join("staging/terraform/workloads/nightly-report");
    assert!(root.join("main.tf.json").is_file());
    // Deleted from the sources: the build keeps the output as it was.
    let source = fs::read_to_string(project.join(REPORT)).expect("readable");
    fs::remove_file(project.join(REPORT)).expect("deleted");
    let run = build(&project);
    assert_eq!(run.status, Some(4), "{}", run.transcript());
    assert!(
        run.stderr.contains("refusing to replace the environment"),
        "{}",
        run.stderr
    );
    assert!(
        root.join("main.tf.json").is_file(),
        "the output is unchanged"
    );
    // Removed first, then deleted once applied: both builds go through.
    fs::write(
        project.join(REPORT),
        source.replacen(
            REPORT_HEAD,
            "workload nightly-report {\n  removed = true\n",
            1,
        ),
    )
    .expect("writable");
    let run = plat(&project, &["build"]);
    assert_eq!(
        run.status,
        Some(1),
        "production protects its databases: {}",
        run.transcript()
    );
    fs::write(
        project.join(REPORT),
        source.replacen(
            REPORT_HEAD,
            "workload nightly-report {\n  override staging { removed = true }\n",
            1,
        ),
    )
    .expect("writable");
    let run = plat(&project, &["build", "--env", "staging"]);
    assert_eq!(run.status, Some(0), "{}", run.transcript());
    assert!(!root.join("main.tf.json").exists());
    assert!(root.join("terraform.tf.json").is_file(), "kept to destroy");
}
