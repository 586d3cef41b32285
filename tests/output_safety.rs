//! The build output is disposable, and nothing plat does to it ever loses what others
//! wrote there: what Terraform writes beside the root modules survives every build, a
//! build killed at any instant leaves an output and the next one cleans up, `plat doc`
//! never replaces a build, a marker copied among sources deletes none of them, and the
//! temporary files of a killed `plat fmt` do not stay. (That the README's quick start and
//! tour do not collide is tests/readme.rs.)
//!
//! Kills are forced with `PLAT_TEST_KILL_AT=POINT` (the debug binary aborts there, as a
//! SIGKILL would: no destructor runs), and a write racing the build with
//! `PLAT_TEST_PAUSE_AT=POINT` (it waits there until the test removes the flag file it
//! creates); see `src/output/swap.rs`.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value as Json;
use support::{Run, copy_of};

/// Runs `plat` in `directory` with extra environment variables.
fn plat(directory: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = assert_cmd::Command::new(env!("CARGO_BIN_EXE_plat"));
    command
        .current_dir(directory)
        .env("NO_COLOR", "1")
        .env_remove("PLAT_TEST_KILL_AT")
        .env_remove("PLAT_TEST_PAUSE_AT")
        .env_remove("PLAT_TEST_NO_EXCHANGE")
        .args(args)
        .timeout(Duration::from_secs(120));
    for (name, value) in env {
        command.env(name, value);
    }
    Run::from(command.output().expect("plat runs"))
}

fn build(project: &Path, out: &Path, env: &[(&str, &str)]) -> Run {
    let (project, out) = (project.display().to_string(), out.display().to_string());
    plat(Path::new("."), &["build", &project, "--out", &out], env)
}

fn build_ok(project: &Path, out: &Path) -> Run {
    let run = build(project, out, &[]);
    assert_eq!(run.status, Some(0), "{}", run.transcript());
    run
}

/// What Terraform writes beside the root module of `hello` in the minimal example,
/// and what an earlier plat kept in the output: path under the output → contents.
fn terraform_files() -> BTreeMap<&'static str, &'static str> {
    BTreeMap::from([
        (
            "development/terraform/workloads/hello/.terraform.lock.hcl",
            "# provider locks\n",
        ),
        (
            "development/terraform/workloads/hello/.terraform/terraform.tfstate",
            "{\"backend\": {}}\n",
        ),
        (
            "development/terraform/workloads/hello/tfplan",
            "a saved plan\n",
        ),
        (
            "development/terraform/.state/workloads/hello.tfstate",
            "{\"version\": 4, \"serial\": 7}\n",
        ),
    ])
}

fn plant(out: &Path, files: &BTreeMap<&str, &str>) {
    for (path, contents) in files {
        let path = out.join(path);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, contents).expect("writable");
    }
}

fn assert_kept(out: &Path, files: &BTreeMap<&str, &str>) {
    for (path, contents) in files {
        assert_eq!(
            fs::read_to_string(out.join(path)).ok().as_deref(),
            Some(*contents),
            "{path} was lost"
        );
    }
}

/// The names in `directory` that start with a dot: what a build leaves beside its output.
fn hidden_siblings(directory: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(directory)
        .expect("readable")
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with('.'))
        .collect();
    names.sort();
    names
}

/// Whether `out` is a whole output: its marker lists files that are all there, with
/// the bytes it lists.
fn is_complete(out: &Path) -> bool {
    let Ok(marker) = fs::read_to_string(out.join(".plat-build")) else {
        return false;
    };
    let Ok(document) = serde_json::from_str::<Json>(&marker) else {
        return false;
    };
    let Some(files) = document["files"].as_object() else {
        return false;
    };
    !files.is_empty()
        && files.iter().all(|(path, hash)| {
            fs::read(out.join(path))
                .is_ok_and(|bytes| Some(sha256(&bytes).as_str()) == hash.as_str())
        })
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The pid of a process that has exited.
fn dead_pid() -> u32 {
    let mut child = std::process::Command::new("true").spawn().expect("spawn");
    let pid = child.id();
    child.wait().expect("wait");
    pid
}

/// Changes the minimal example so that its next build differs from the last.
fn change(project: &Path) {
    let source = project.join("hello.plat");
    let text = fs::read_to_string(&source).expect("readable");
    fs::write(&source, text.replace("hello:1.0.0", "hello:1.0.1")).expect("writable");
}

/// The minimal example built into `out`, with what Terraform writes planted in the
/// output and its source changed so that the next build differs.
struct Built {
    temp: tempfile::TempDir,
    project: PathBuf,
    out: PathBuf,
    files: BTreeMap<&'static str, &'static str>,
}

fn built_and_changed() -> Built {
    let (temp, project) = copy_of("minimal");
    let out = temp.path().join("out");
    build_ok(&project, &out);
    let files = terraform_files();
    plant(&out, &files);
    change(&project);
    Built {
        temp,
        project,
        out,
        files,
    }
}

impl Built {
    /// Builds the changed sources again, and asserts what every such build leaves: a
    /// whole output of the new sources, holding what Terraform wrote, and nothing
    /// beside it.
    fn rebuild(&self, what: &str) -> Run {
        let run = build_ok(&self.project, &self.out);
        assert_kept(&self.out, &self.files);
        assert!(is_complete(&self.out), "{what}: not a whole output");
        assert!(
            deployment(&self.out).contains("hello:1.0.1"),
            "{what}: not the output of the new sources"
        );
        assert_nothing_left(self.temp.path());
        run
    }
}

fn assert_nothing_left(directory: &Path) {
    let left = hidden_siblings(directory);
    assert!(left.is_empty(), "left behind: {left:?}");
}

fn deployment(out: &Path) -> String {
    fs::read_to_string(out.join("development/kubernetes/hello/deployment.yaml")).unwrap_or_default()
}

#[test]
fn what_terraform_writes_beside_the_root_modules_survives_a_build() {
    let run = built_and_changed().rebuild("a build");
    assert!(
        run.stderr
            .contains("holds Terraform state that an earlier plat kept"),
        "{}",
        run.stderr
    );
}

/// The marker of an output that an earlier plat wrote: it lists nothing; each
/// environment's `manifest.json` lists what that build wrote.
const EARLIER_MARKER: &str = "This directory is written by `plat build` and replaced as a whole \
on every build.\nDo not edit it: change the .plat sources and build again.\n";

#[test]
fn an_output_of_an_earlier_plat_is_replaced_and_its_state_kept() {
    let built = built_and_changed();
    fs::write(built.out.join(".plat-build"), EARLIER_MARKER).expect("writable");
    // A file no build wrote, outside the Terraform directories, refuses the build.
    let notes = built.out.join("development/notes.txt");
    fs::write(&notes, "mine\n").expect("writable");
    let run = build(&built.project, &built.out, &[]);
    assert_eq!(run.status, Some(2), "{}", run.transcript());
    assert!(run.stderr.contains("notes.txt"), "{}", run.stderr);
    assert_eq!(fs::read_to_string(&notes).ok().as_deref(), Some("mine\n"));
    fs::remove_file(&notes).expect("removed");
    // Otherwise it is replaced, and what Terraform wrote there, and the state that
    // plat kept in it, move into the new output, with a warning about the state.
    let run = built.rebuild("an output of an earlier plat");
    assert!(
        run.stderr
            .contains("holds Terraform state that an earlier plat kept"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_state_directory_that_is_a_link_is_kept() {
    let (temp, project) = copy_of("minimal");
    let out = temp.path().join("out");
    build_ok(&project, &out);
    let elsewhere = temp.path().join("state");
    fs::create_dir_all(&elsewhere).expect("mkdir");
    fs::write(elsewhere.join("shared.tfstate"), "{}\n").expect("writable");
    let link = out.join("development/terraform/.state");
    std::os::unix::fs::symlink(&elsewhere, &link).expect("symlink");
    build_ok(&project, &out);
    let kept = fs::read_link(&link).expect("the link is kept");
    assert_eq!(kept, elsewhere);
    assert_eq!(
        fs::read_to_string(elsewhere.join("shared.tfstate")).expect("kept"),
        "{}\n"
    );
}

#[test]
fn plat_doc_never_replaces_a_build() {
    let (temp, project) = copy_of("minimal");
    let out = temp.path().join("out");
    build_ok(&project, &out);
    let files = terraform_files();
    plant(&out, &files);
    let run = plat(
        temp.path(),
        &["doc", &project.display().to_string(), "--out", "out"],
        &[],
    );
    assert_eq!(run.status, Some(2), "{}", run.transcript());
    assert!(
        run.stderr.contains("output of `plat build`"),
        "{}",
        run.stderr
    );
    assert_kept(&out, &files);
    assert!(is_complete(&out));
    // Nor does a build replace a catalogue.
    let catalogue = temp.path().join("catalogue");
    let run = plat(
        temp.path(),
        &["doc", &project.display().to_string(), "--out", "catalogue"],
        &[],
    );
    assert_eq!(run.status, Some(0), "{}", run.transcript());
    let run = build(&project, &catalogue, &[]);
    assert_eq!(run.status, Some(2), "{}", run.transcript());
    assert!(catalogue.join("index.html").is_file());
}

#[test]
fn a_marker_among_sources_deletes_none_of_them() {
    let (temp, project) = copy_of("minimal");
    let sources = temp.path().join("src");
    fs::create_dir_all(&sources).expect("mkdir");
    fs::write(sources.join(".plat-build"), "copied from an output\n").expect("marker");
    fs::write(sources.join("main.rs"), "fn main() {}\n").expect("source");
    let run = build(&project, &sources, &[]);
    assert_eq!(run.status, Some(2), "{}", run.transcript());
    assert!(
        run.stderr.contains("main.rs (not written by plat)"),
        "{}",
        run.stderr
    );
    assert_eq!(
        fs::read_to_string(sources.join("main.rs")).expect("kept"),
        "fn main() {}\n"
    );
}

/// Every point of a build at which a kill is forced, and whether the swap renames twice
/// (as on a file system that cannot exchange two directories).
const KILL_POINTS: &[(&str, bool)] = &[
    ("staging", false),
    ("staged", false),
    ("exchanged", false),
    ("swapped", false),
    ("carried", false),
    ("renamed", true),
    ("swapped", true),
];

#[test]
fn a_build_killed_at_any_point_leaves_an_output_and_the_next_loses_nothing() {
    for (point, renames) in KILL_POINTS {
        let built = built_and_changed();
        let (temp, out) = (&built.temp, &built.out);
        let mut env = vec![("PLAT_TEST_KILL_AT", *point)];
        if *renames {
            env.push(("PLAT_TEST_NO_EXCHANGE", "1"));
        }
        let killed = build(&built.project, out, &env);
        assert_eq!(
            killed.status,
            None,
            "{point}: not killed\n{}",
            killed.transcript()
        );
        if *point == "renamed" {
            // Between two renames there is no output; the old one waits beside it.
            assert!(!out.exists(), "{point}");
            assert!(is_complete(&temp.path().join(".out.plat-old")), "{point}");
        } else {
            assert!(is_complete(out), "{point}: no whole output in place");
        }
        built.rebuild(point);
    }
}

#[test]
fn what_an_earlier_plat_left_when_killed_between_its_renames_is_put_back() {
    let built = built_and_changed();
    let (temp, out) = (&built.temp, &built.out);
    // An earlier plat renamed the output away, then was killed: no `out`, the previous
    // output in `.out.old-PID` and the new one, incomplete, in `.out.tmp-PID`.
    let pid = dead_pid();
    fs::rename(out, temp.path().join(format!(".out.old-{pid}"))).expect("rename");
    let staging = temp.path().join(format!(".out.tmp-{pid}"));
    fs::create_dir_all(staging.join("development")).expect("mkdir");
    fs::write(staging.join(".plat-build"), "written by plat build\n").expect("marker");
    let run = built.rebuild("an earlier plat killed between its renames");
    assert!(run.stderr.contains("interrupted run"), "{}", run.stderr);
}

#[test]
fn a_file_terraform_writes_while_a_build_runs_is_kept() {
    for point in ["staged", "carried"] {
        let built = built_and_changed();
        let (temp, out) = (&built.temp, &built.out);
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_plat"))
            .args(["build", &built.project.display().to_string(), "--out"])
            .arg(out)
            .env("NO_COLOR", "1")
            .env("PLAT_TEST_PAUSE_AT", point)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("plat runs");
        let flag = temp.path().join(".plat-test-paused");
        let start = Instant::now();
        while !flag.exists() {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "{point}: the build never paused"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        // Terraform, running in the root module's directory as the build swaps it:
        // before the swap that is `out`, after it the old output beside it.
        let root = if point == "staged" {
            out.clone()
        } else {
            temp.path().join(".out.plat-old")
        };
        let written = "development/terraform/workloads/hello/errored.tfstate";
        fs::write(root.join(written), "{\"serial\": 8}\n").expect("terraform writes");
        fs::remove_file(&flag).expect("resume");
        let status = child.wait().expect("wait");
        assert!(status.success(), "{point}");
        // It is in the new output, or kept beside it and moved in by the next build.
        let run = built.rebuild(point);
        assert_eq!(
            fs::read_to_string(out.join(written)).ok().as_deref(),
            Some("{\"serial\": 8}\n"),
            "{point}: {}",
            run.stderr
        );
    }
}

#[test]
fn a_killed_build_leaves_nothing_behind() {
    let (temp, project) = copy_of("minimal");
    let out = temp.path().join("out");
    // What a killed earlier plat left: its staging directory, named as it named it.
    let earlier = temp.path().join(format!(".out.tmp-{}", dead_pid()));
    fs::create_dir_all(earlier.join("development")).expect("mkdir");
    build_ok(&project, &out);
    assert_nothing_left(temp.path());
    // A first build killed while it writes leaves nothing that the next one keeps.
    fs::remove_dir_all(&out).expect("removed");
    let killed = build(&project, &out, &[("PLAT_TEST_KILL_AT", "staging")]);
    assert_eq!(killed.status, None, "{}", killed.transcript());
    assert!(!out.exists(), "a first build killed leaves no output");
    build_ok(&project, &out);
    assert!(is_complete(&out));
    assert_nothing_left(temp.path());
}

#[test]
fn a_killed_fmt_leaves_no_temporary_file_behind() {
    let (_temp, project) = copy_of("minimal");
    let pid = dead_pid();
    // This plat's temporary files, and those of earlier versions of `plat fmt`.
    let left = [
        project.join(format!(".hello.plat.{pid}.0.tmp")),
        project.join(format!(".hello.plat.{pid}.1.fmt")),
    ];
    // A run that is still going (this test) keeps its own.
    let running = project.join(format!(".hello.plat.{}.0.fmt", std::process::id()));
    for path in left.iter().chain([&running]) {
        fs::write(path, "half a file").expect("writable");
    }
    let run = plat(&project, &["fmt", "."], &[]);
    assert_eq!(run.status, Some(0), "{}", run.transcript());
    let listing: Vec<PathBuf> = fs::read_dir(&project)
        .expect("readable")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with('.'))
        })
        .collect();
    assert_eq!(
        listing,
        vec![running],
        "the temporary files of killed runs are removed, and only those"
    );
}

/// Deleting the output never loses state: no root module of any example keeps its
/// state in the output (each names a backend, and a local one by absolute path).
#[test]
fn no_example_keeps_its_state_in_the_build_output() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let temp = tempfile::tempdir().expect("temp dir");
    let mut roots = 0;
    for entry in fs::read_dir(&examples)
        .expect("examples")
        .filter_map(Result::ok)
    {
        let out = temp.path().join(entry.file_name());
        build_ok(&entry.path(), &out);
        for file in walk(&out) {
            if !file.ends_with("terraform.tf.json") {
                continue;
            }
            roots += 1;
            let text = fs::read_to_string(&file).expect("readable");
            let document: Json = serde_json::from_str(&text).expect("JSON");
            let backend = document["terraform"]["backend"]
                .as_object()
                .unwrap_or_else(|| panic!("{}: no backend", file.display()));
            if let Some(local) = backend.get("local") {
                let path = local["path"].as_str().unwrap_or_default();
                assert!(
                    path.starts_with('/'),
                    "{}: local state at {path}",
                    file.display()
                );
            }
        }
    }
    assert!(roots > 10, "the examples have root modules");
}

fn walk(directory: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in fs::read_dir(directory)
        .expect("readable")
        .filter_map(Result::ok)
    {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}
