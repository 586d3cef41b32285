//! The benchmarks' synthetic platform stays a project that checks and builds: the
//! benchmarks measure plat on a valid platform, never on one that stops at an error.

mod support;

#[path = "../benches/synthetic.rs"]
#[allow(dead_code)]
mod synthetic;

use support::{args, run_plat_in};

#[test]
fn the_benchmarks_synthetic_platform_checks_clean_and_builds() {
    let temp = tempfile::tempdir().expect("temp dir");
    let platform = temp.path().join("platform");
    synthetic::write(&platform, 12, 3).expect("the synthetic platform");
    let check = run_plat_in(&platform, &args(&["check", "."]));
    assert_eq!(check.status, Some(0), "{}", check.transcript());
    assert!(
        check.stderr.contains("no problems") || check.stdout.contains("no problems"),
        "no warning either: {}",
        check.transcript()
    );
    let out = temp.path().join("out");
    let build = run_plat_in(
        &platform,
        &args(&["build", ".", "--out", &out.display().to_string()]),
    );
    assert_eq!(build.status, Some(0), "{}", build.transcript());
}
