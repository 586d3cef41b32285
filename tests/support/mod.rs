//! Shared helpers of the end-to-end tests: running the binary, finding fixtures.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

/// What one run of `plat` did.
pub struct Run {
    pub status: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl From<std::process::Output> for Run {
    fn from(output: std::process::Output) -> Run {
        Run {
            status: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Run {
    /// The exit status and both streams, as one text for snapshots.
    pub fn transcript(&self) -> String {
        let status = self
            .status
            .map(|code| code.to_string())
            .unwrap_or_else(|| "killed".to_string());
        let mut text = format!("exit status: {status}\n");
        if !self.stdout.is_empty() {
            text.push_str("--- stdout\n");
            text.push_str(&self.stdout);
        }
        if !self.stderr.is_empty() {
            text.push_str("--- stderr\n");
            text.push_str(&self.stderr);
        }
        text
    }

    pub fn assert_no_crash(&self, what: &str) {
        let status = self.status.unwrap_or(-1);
        assert!(
            status == 0 || status == 1 || status == 2,
            "{what}: exit status {status}\n{}",
            self.transcript()
        );
        assert!(
            !self.stderr.contains("panicked"),
            "{what}: panicked\n{}",
            self.stderr
        );
    }
}

/// Runs the `plat` binary from the repository root, without colour, with a time limit.
pub fn run_plat(args: &[String]) -> Run {
    run_plat_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

pub fn run_plat_in(directory: &Path, args: &[String]) -> Run {
    let output = assert_cmd::Command::new(env!("CARGO_BIN_EXE_plat"))
        .current_dir(directory)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .args(args)
        .timeout(Duration::from_secs(60))
        .output()
        .expect("plat runs");
    Run::from(output)
}

/// `args` as owned strings.
pub fn args(args: &[&str]) -> Vec<String> {
    args.iter().map(|arg| arg.to_string()).collect()
}

/// One fixture: a `.plat` file, a project directory, an `.args` file, or a Score
/// `.yaml` file (run with `plat import score PATH --out -`).
pub struct Fixture {
    pub name: String,
    pub path: PathBuf,
}

impl Fixture {
    /// Every fixture in `directory` (relative to the repository root), sorted by name.
    pub fn all_in(directory: &str) -> Vec<Fixture> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut fixtures: Vec<Fixture> = std::fs::read_dir(root.join(directory))
            .expect("fixture directory exists")
            .filter_map(Result::ok)
            .filter_map(|entry| {
                let file_name = entry.file_name().to_string_lossy().into_owned();
                let path = Path::new(directory).join(&file_name);
                let name = if entry.path().is_dir() {
                    file_name
                } else {
                    let stem = file_name
                        .strip_suffix(".plat")
                        .or_else(|| file_name.strip_suffix(".args"))
                        .or_else(|| file_name.strip_suffix(".yaml"))?;
                    stem.to_string()
                };
                Some(Fixture { name, path })
            })
            .collect();
        fixtures.sort_by(|a, b| a.name.cmp(&b.name));
        fixtures
    }

    /// The code the fixture is named after: `E0204` for `E0204-unknown-output.plat`.
    pub fn code(&self) -> &str {
        self.name.split('-').next().unwrap_or_default()
    }

    /// The arguments that run the fixture, with `extra` flags after the command.
    pub fn args(&self, extra: &[&str]) -> Vec<String> {
        let mut words: Vec<String> = if self.path.extension().is_some_and(|e| e == "args") {
            let root = Path::new(env!("CARGO_MANIFEST_DIR"));
            std::fs::read_to_string(root.join(&self.path))
                .expect("args fixture is readable")
                .split_whitespace()
                .map(str::to_string)
                .collect()
        } else if self.path.extension().is_some_and(|e| e == "yaml") {
            let path = self.path.to_string_lossy().into_owned();
            ["import", "score", &path, "--out", "-"]
                .iter()
                .map(|word| word.to_string())
                .collect()
        } else {
            vec![
                "check".to_string(),
                self.path.to_string_lossy().into_owned(),
            ]
        };
        let at = 1.min(words.len());
        for (offset, flag) in extra.iter().enumerate() {
            words.insert(at + offset, flag.to_string());
        }
        words
    }
}

/// A file of 9 MiB that exists while this value lives; sparse, so it costs no disk.
pub struct HugeFile(PathBuf);

impl HugeFile {
    pub fn create(relative: &str) -> HugeFile {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
        let file = std::fs::File::create(&path).expect("fixture directory is writable");
        file.set_len(33 * 1024 * 1024).expect("sparse file");
        HugeFile(path)
    }
}

impl Drop for HugeFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A copy of `examples/<name>` in a fresh temporary directory: the directory, and the
/// project in it (`DIR/<name>`).
pub fn copy_of(name: &str) -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().expect("temp dir");
    let project = temp.path().join(name);
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(name),
        &project,
    );
    (temp, project)
}

/// Copies a directory of regular files recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from)
        .expect("readable")
        .filter_map(Result::ok)
    {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Runs git in `directory`, isolated from the machine's configuration, with a fixed
/// author and dates so that commits have the same ids on every run.
pub fn git(directory: &Path, arguments: &[&str]) {
    let output = std::process::Command::new("git")
        .current_dir(directory)
        .args(arguments)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Platform Team")
        .env("GIT_AUTHOR_EMAIL", "platform@example.com")
        .env("GIT_AUTHOR_DATE", "2026-12-01T12:00:00Z")
        .env("GIT_COMMITTER_NAME", "Platform Team")
        .env("GIT_COMMITTER_EMAIL", "platform@example.com")
        .env("GIT_COMMITTER_DATE", "2026-12-01T12:00:00Z")
        .output()
        .expect("git runs (these tests need the git command)");
    assert!(
        output.status.success(),
        "git {arguments:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Makes `directory` a git repository whose `main` holds everything in it.
pub fn commit_all(directory: &Path) {
    git(directory, &["init", "--quiet", "--initial-branch=main"]);
    git(directory, &["add", "."]);
    git(directory, &["commit", "--quiet", "-m", "the platform"]);
}
