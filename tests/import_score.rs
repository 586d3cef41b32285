//! `plat import score` end to end, on every Score sample of the Score project.
//!
//! [`SAMPLES`] is the table a reviewer reads: each sample of
//! `tests/fixtures/score/samples/` and what becomes of it. A sample that imports is
//! written into a new project made of the shop example's platform (its environments
//! `development`, `staging` and `production`), which must then pass `plat check` and
//! `plat build`. A refused sample must fail with the code named here, on a diagnostic
//! whose message says the reason named here.
//!
//! The shop's environments are used without their `policies` lists: Score has no
//! replica count and its samples use unpinned images, which the shop's policies refuse
//! by design; `policies_hold_imported_workloads` shows that they do.

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value as Json;
use support::{Run, args, run_plat};

/// What becomes of a sample.
enum Outcome {
    /// Imports (together with the other samples named, which it calls) and the project
    /// checks and builds in every environment of the shop.
    Imports { with: &'static [&'static str] },
    /// Refused: the first error has this code, and its message contains this text.
    Refused {
        code: &'static str,
        reason: &'static str,
    },
}

use Outcome::{Imports, Refused};

const ALONE: Outcome = Imports { with: &[] };

/// Every sample, and its outcome.
const SAMPLES: &[(&str, Outcome)] = &[
    (
        "docs__gen__external-content__resource-provisioners__community__azure-blob__score.yaml",
        Refused {
            code: "E0803",
            reason: "no offering for the Score resource type `azure-blob`",
        },
    ),
    (
        "docs__gen__external-content__resource-provisioners__community__service__score-frontend.yaml",
        Refused {
            code: "E0803",
            reason: "no offering for the Score resource type `service`",
        },
    ),
    (
        "docs__schemas__samples__score-full.yaml",
        Refused {
            code: "E0806",
            reason: "cannot read the file `file.txt`",
        },
    ),
    (
        "docs__score.yaml",
        Refused {
            code: "E0805",
            reason: "the image `.` is built from source by Score tools",
        },
    ),
    (
        "examples__resources__amqp__score.yaml",
        Refused {
            code: "E0804",
            reason: "the offering `queue` has no output `host`",
        },
    ),
    ("examples__resources__dns__score.yaml", ALONE),
    ("examples__resources__mysql__score.yaml", ALONE),
    ("examples__resources__postgres__score.yaml", ALONE),
    (
        "examples__resources__redis__score.yaml",
        Refused {
            code: "E0804",
            reason: "the offering `redis` has no output `username`",
        },
    ),
    ("examples__specification__annotations__score.yaml", ALONE),
    ("examples__specification__command__score.yaml", ALONE),
    ("examples__specification__files__score.yaml", ALONE),
    (
        "examples__specification__limits-and-requests__score.yaml",
        ALONE,
    ),
    ("examples__specification__probes__score.yaml", ALONE),
    (
        "examples__specification__service__score.yaml",
        Refused {
            code: "E0805",
            reason: "the service port `stream` uses UDP",
        },
    ),
    ("examples__specification__variables__score.yaml", ALONE),
    ("examples__specification__volumes__score.yaml", ALONE),
    ("sample-app-gif__score.yaml", ALONE),
    (
        "sample-score-app__score.yaml",
        Refused {
            code: "E0805",
            reason: "the image `.` is built from source by Score tools",
        },
    ),
    ("score-compose__examples__01-hello__score.yaml", ALONE),
    (
        "score-compose__examples__02-environment__score.yaml",
        Refused {
            code: "E0803",
            reason: "no offering for the Score resource type `environment`",
        },
    ),
    ("score-compose__examples__03-files__score.yaml", ALONE),
    (
        "score-compose__examples__04-multiple-workloads__score.yaml",
        ALONE,
    ),
    (
        "score-compose__examples__04-multiple-workloads__score2.yaml",
        ALONE,
    ),
    (
        "score-compose__examples__05-volume-mounts__score.yaml",
        ALONE,
    ),
    (
        "score-compose__examples__06-resource-provisioning__score.yaml",
        Refused {
            code: "E0804",
            reason: "the offering `redis` has no output `username`",
        },
    ),
    (
        "score-compose__examples__06-resource-provisioning__score2.yaml",
        Refused {
            code: "E0804",
            reason: "the offering `redis` has no output `username`",
        },
    ),
    ("score-compose__examples__07-overrides__score.yaml", ALONE),
    (
        "score-compose__examples__08-service-port-resource__scoreA.yaml",
        ALONE,
    ),
    (
        "score-compose__examples__08-service-port-resource__scoreB.yaml",
        Imports {
            with: &["score-compose__examples__08-service-port-resource__scoreA.yaml"],
        },
    ),
    (
        "score-compose__examples__09-dns-and-route__score.yaml",
        Refused {
            code: "E0805",
            reason: "the route path `/my/[^/]+/path` is not a plain path prefix",
        },
    ),
    (
        "score-compose__examples__10-amqp-rabbitmq__score.yaml",
        Refused {
            code: "E0804",
            reason: "the offering `queue` has no output `username`",
        },
    ),
    (
        "score-compose__examples__11-mongodb-document-database__score.yaml",
        Refused {
            code: "E0803",
            reason: "no offering for the Score resource type `mongodb`",
        },
    ),
    (
        "score-compose__examples__12-mysql-database__score.yaml",
        ALONE,
    ),
    (
        "score-compose__examples__13-kafka-topic__score.yaml",
        Refused {
            code: "E0803",
            reason: "no offering for the Score resource type `kafka-topic`",
        },
    ),
    (
        "score-compose__examples__14-elasticsearch__score.yaml",
        Refused {
            code: "E0803",
            reason: "no offering for the Score resource type `elasticsearch`",
        },
    ),
    (
        "score-compose__examples__15-mssql-database__score.yaml",
        Refused {
            code: "E0803",
            reason: "no offering for the Score resource type `mssql`",
        },
    ),
    (
        "score-compose__examples__16-patching-templates__score.yaml",
        ALONE,
    ),
    (
        "score-go__schema__files__samples__score-full.yaml",
        Refused {
            code: "E0806",
            reason: "cannot read the file `file.txt`",
        },
    ),
    (
        "spec__samples__score-deprecated-files-and-volumes.yaml",
        Refused {
            code: "E0805",
            reason: "the volume source `some-volume` is not a `volume` resource",
        },
    ),
    (
        "spec__samples__score-full.yaml",
        Refused {
            code: "E0806",
            reason: "cannot read the file `file.txt`",
        },
    ),
];

/// Files that samples name in `source:`: the sample, the file in `aux/`, and the name
/// the sample uses.
const AUX: &[(&str, &str, &str)] = &[
    (
        "examples__specification__files__score.yaml",
        "examples__specification__files__fileA.txt",
        "fileA.txt",
    ),
    (
        "score-compose__examples__03-files__score.yaml",
        "score-compose__examples__03-files__fileA.txt",
        "fileA.txt",
    ),
];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/score")
}

fn shop() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/shop")
}

/// A directory holding `sample` (and the files it names in `source:`).
fn staged(sample: &str, into: &Path) -> PathBuf {
    let directory = into.join(sample.trim_end_matches(".yaml"));
    fs::create_dir_all(&directory).expect("staging directory");
    let path = directory.join("score.yaml");
    fs::copy(fixtures().join("samples").join(sample), &path).expect("sample exists");
    for (owner, aux, name) in AUX {
        if *owner == sample {
            fs::copy(fixtures().join("aux").join(aux), directory.join(name)).expect("aux exists");
        }
    }
    path
}

/// A new project with the shop's platform; `policies` keeps the environments' policies.
fn project(root: &Path, policies: bool) -> PathBuf {
    let project = root.join("project");
    fs::create_dir_all(project.join("platform")).expect("project directory");
    fs::copy(shop().join("plat.toml"), project.join("plat.toml")).expect("plat.toml");
    fs::copy(
        shop().join("platform/policies.plat"),
        project.join("platform/policies.plat"),
    )
    .expect("policies");
    let environments =
        fs::read_to_string(shop().join("platform/environments.plat")).expect("environments");
    let environments: String = environments
        .lines()
        .filter(|line| policies || !line.trim_start().starts_with("policies = "))
        .map(|line| format!("{line}\n"))
        .collect();
    fs::write(project.join("platform/environments.plat"), environments).expect("write");
    project
}

fn path_arg(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

fn import(files: &[PathBuf], out: &Path, extra: &[&str]) -> Run {
    let mut words = args(&["import", "score"]);
    words.extend(files.iter().map(|file| path_arg(file)));
    words.push("--out".to_string());
    words.push(path_arg(out));
    words.extend(args(extra));
    let run = run_plat(&words);
    run.assert_no_crash("plat import score");
    run
}

fn check_and_build(project: &Path, sample: &str) {
    let check = run_plat(&[String::from("check"), path_arg(project)]);
    assert_eq!(
        check.status,
        Some(0),
        "{sample}: plat check\n{}",
        check.transcript()
    );
    let out = project.parent().expect("parent").join("out");
    let build = run_plat(&[
        String::from("build"),
        path_arg(project),
        String::from("--out"),
        path_arg(&out),
    ]);
    assert_eq!(
        build.status,
        Some(0),
        "{sample}: plat build\n{}",
        build.transcript()
    );
    for environment in ["development", "staging", "production"] {
        assert!(
            out.join(environment).join("kubernetes").is_dir(),
            "{sample}: nothing built for {environment}"
        );
    }
}

#[test]
fn the_table_lists_every_sample() {
    let mut listed: Vec<&str> = SAMPLES.iter().map(|(name, _)| *name).collect();
    listed.sort_unstable();
    let mut found: Vec<String> = fs::read_dir(fixtures().join("samples"))
        .expect("samples")
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    assert_eq!(listed, found, "SAMPLES must list exactly the samples");
}

#[test]
fn every_sample_imports_and_builds_or_is_refused_for_its_reason() {
    for (sample, outcome) in SAMPLES {
        let temporary = tempfile::tempdir().expect("temporary directory");
        let mut files: Vec<PathBuf> = Vec::new();
        if let Imports { with } = outcome {
            files.extend(with.iter().map(|other| staged(other, temporary.path())));
        }
        files.push(staged(sample, temporary.path()));
        let project = project(temporary.path(), false);
        let workloads = project.join("workloads");
        match outcome {
            Imports { .. } => {
                let run = import(&files, &workloads, &[]);
                assert_eq!(
                    run.status,
                    Some(0),
                    "{sample}: import\n{}",
                    run.transcript()
                );
                assert!(
                    !run.stderr.contains("error["),
                    "{sample}: import reported errors\n{}",
                    run.transcript()
                );
                check_and_build(&project, sample);
            }
            Refused { code, reason } => {
                let run = import(&files, &workloads, &["--format", "json"]);
                assert_eq!(
                    run.status,
                    Some(1),
                    "{sample}: refused\n{}",
                    run.transcript()
                );
                assert!(
                    !workloads.exists(),
                    "{sample}: nothing is written when refused"
                );
                let diagnostics: Json = serde_json::from_str(&run.stdout).expect("JSON");
                let first = diagnostics
                    .as_array()
                    .and_then(|all| all.iter().find(|d| d["severity"] == "error"))
                    .unwrap_or_else(|| panic!("{sample}: no error in {}", run.stdout));
                assert_eq!(first["code"], *code, "{sample}: {first}");
                let message = first["message"].as_str().unwrap_or_default();
                assert!(
                    message.contains(reason),
                    "{sample}: `{message}` does not say `{reason}`"
                );
            }
        }
    }
}

#[test]
fn policies_hold_imported_workloads() {
    let temporary = tempfile::tempdir().expect("temporary directory");
    let sample = staged(
        "examples__resources__postgres__score.yaml",
        temporary.path(),
    );
    let project = project(temporary.path(), true);
    let run = import(&[sample], &project.join("workloads"), &[]);
    assert_eq!(run.status, Some(0), "{}", run.transcript());
    let check = run_plat(&[
        String::from("check"),
        path_arg(&project),
        String::from("--format"),
        String::from("json"),
    ]);
    assert_eq!(check.status, Some(1), "{}", check.transcript());
    assert!(
        check.stdout.contains("\"code\": \"E0605\""),
        "{}",
        check.stdout
    );
}

#[test]
fn an_existing_file_is_never_overwritten() {
    let temporary = tempfile::tempdir().expect("temporary directory");
    let sample = staged(
        "examples__resources__postgres__score.yaml",
        temporary.path(),
    );
    let out = temporary.path().join("workloads");
    let first = import(std::slice::from_ref(&sample), &out, &[]);
    assert_eq!(first.status, Some(0), "{}", first.transcript());
    let written = out.join("my-workload.plat");
    fs::write(&written, "// mine\n").expect("write");
    let second = import(&[sample], &out, &["--format", "json"]);
    assert_eq!(second.status, Some(2), "{}", second.transcript());
    assert!(
        second.stdout.contains("\"code\": \"E0807\""),
        "{}",
        second.stdout
    );
    assert_eq!(fs::read_to_string(&written).expect("read"), "// mine\n");
}

#[test]
fn secrets_stay_secret_and_the_output_is_formatted() {
    let temporary = tempfile::tempdir().expect("temporary directory");
    let sample = staged("sample-app-gif__score.yaml", temporary.path());
    let project = project(temporary.path(), false);
    let workloads = project.join("workloads");
    let run = import(&[sample], &workloads, &[]);
    assert_eq!(run.status, Some(0), "{}", run.transcript());
    let written = workloads.join("sample.plat");
    insta::assert_snapshot!(
        "imported_sample_app_gif",
        fs::read_to_string(&written).expect("imported")
    );
    let fmt = run_plat(&[
        String::from("fmt"),
        String::from("--check"),
        path_arg(&written),
    ]);
    assert_eq!(
        fmt.status,
        Some(0),
        "not in the canonical style\n{}",
        fmt.transcript()
    );
    check_and_build(&project, "sample-app-gif");
    let deployment = fs::read_to_string(
        project
            .parent()
            .expect("parent")
            .join("out/development/kubernetes/sample/deployment.yaml"),
    )
    .expect("deployment");
    assert!(deployment.contains("secretKeyRef"), "{deployment}");
    assert!(!deployment.contains("postgresql://"), "{deployment}");
}

#[test]
fn a_shared_resource_is_bound_and_listed_for_the_environments() {
    let temporary = tempfile::tempdir().expect("temporary directory");
    let sample = temporary.path().join("score.yaml");
    fs::write(
        &sample,
        "apiVersion: score.dev/v1b1\nmetadata:\n  name: api\ncontainers:\n  main:\n    \
         image: ghcr.io/acme/api:1.0.0\n    variables:\n      CACHE: ${resources.cache.url}\n\
         resources:\n  cache:\n    type: redis\n    id: main-cache\n",
    )
    .expect("write");
    let run = import(&[sample], Path::new("-"), &[]);
    assert_eq!(run.status, Some(0), "{}", run.transcript());
    assert!(
        run.stdout.contains("cache: redis { shared = main-cache }"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("CACHE = cache.url"), "{}", run.stdout);
    assert!(
        run.stderr.contains("  main-cache: redis {}"),
        "{}",
        run.stderr
    );
}

#[test]
fn placeholders_are_reported_at_their_line_and_column() {
    let temporary = tempfile::tempdir().expect("temporary directory");
    let sample = temporary.path().join("score.yaml");
    fs::write(
        &sample,
        "apiVersion: score.dev/v1b1\nmetadata:\n  name: api\ncontainers:\n  main:\n    \
         image: ghcr.io/acme/api:1.0.0\n    variables:\n      A: x-${resources.db.host}-${resources.db.hots}\n\
         resources:\n  db:\n    type: postgres\n",
    )
    .expect("write");
    let run = import(&[sample], Path::new("-"), &["--format", "json"]);
    assert_eq!(run.status, Some(1), "{}", run.transcript());
    let diagnostics: Json = serde_json::from_str(&run.stdout).expect("JSON");
    let first = &diagnostics[0];
    assert_eq!(first["code"], "E0804", "{first}");
    let text = first.to_string();
    assert!(text.contains("\"line\":8"), "{text}");
    assert!(text.contains("\"column\":33"), "{text}");
    assert!(text.contains("did you mean `host`?"), "{text}");
}

#[test]
fn resource_outputs_in_arguments_and_reserved_names_are_refused() {
    let temporary = tempfile::tempdir().expect("temporary directory");
    let sample = temporary.path().join("score.yaml");
    fs::write(
        &sample,
        "apiVersion: score.dev/v1b1\nmetadata:\n  name: api\ncontainers:\n  main:\n    \
         image: ghcr.io/acme/api:1.0.0\n    args: [\"--db\", \"${resources.db.password}\", \"${metadata.name}\"]\n\
         resources:\n  env:\n    type: postgres\n  db:\n    type: postgres\n",
    )
    .expect("write");
    let run = import(&[sample], Path::new("-"), &["--format", "json"]);
    assert_eq!(run.status, Some(1), "{}", run.transcript());
    let diagnostics: Json = serde_json::from_str(&run.stdout).expect("JSON");
    let messages: Vec<&str> = diagnostics
        .as_array()
        .expect("array")
        .iter()
        .map(|d| d["message"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        messages,
        [
            "`${resources.db.password}` in `args`: a resource's output may be secret, or known only once it is provisioned",
            "the resource name `env` is not a plat name",
        ]
    );
}

#[test]
fn schema_violations_point_at_their_nodes() {
    let temporary = tempfile::tempdir().expect("temporary directory");
    let sample = temporary.path().join("score.yaml");
    fs::write(
        &sample,
        "apiVersion: score.sh/v1b1\nmetadata:\n  name: Bad_Name\ncontainers:\n  main:\n    \
         image: nginx\n    variables:\n      PORT: 8080\n",
    )
    .expect("write");
    let run = import(&[sample], Path::new("-"), &["--format", "json"]);
    assert_eq!(run.status, Some(1), "{}", run.transcript());
    let diagnostics: Json = serde_json::from_str(&run.stdout).expect("JSON");
    let found: Vec<(String, i64, i64)> = diagnostics
        .as_array()
        .expect("array")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                d["start"]["line"].as_i64().unwrap_or_default(),
                d["start"]["column"].as_i64().unwrap_or_default(),
            )
        })
        .collect();
    let expected = [("E0802", 1, 13), ("E0802", 3, 9), ("E0802", 8, 13)];
    let expected: Vec<(String, i64, i64)> = expected
        .iter()
        .map(|(code, line, column)| (code.to_string(), *line, *column))
        .collect();
    assert_eq!(found, expected, "{}", run.stdout);
}

/// The kubernetes object at `path` of `environment` in a build under `out`.
fn built_object(out: &Path, environment: &str, path: &str) -> Json {
    let file = out.join(environment).join("kubernetes").join(path);
    let text = fs::read_to_string(&file).unwrap_or_else(|error| panic!("{path}: {error}"));
    serde_saphyr::from_str(&text).unwrap_or_else(|error| panic!("{path}: {error}"))
}

#[test]
fn a_container_started_before_another_and_an_exec_probe_reach_the_cluster() {
    let temporary = tempfile::tempdir().expect("temporary directory");
    let project = project(temporary.path(), false);
    let score = fixtures().join("workloads").join("orders.yaml");
    let workloads = project.join("workloads");
    let run = import(&[score], &workloads, &[]);
    assert_eq!(run.status, Some(0), "{}", run.transcript());
    let text = fs::read_to_string(workloads.join("orders.plat")).expect("imported");
    assert!(text.contains("init_container migrate {"), "{text}");
    assert!(
        text.contains("liveness = { exec = [\"/app/healthcheck\", \"--live\"] }"),
        "{text}"
    );
    assert!(text.contains("service_ports = { http = 80 }"), "{text}");
    check_and_build(&project, "orders.yaml");
    let out = project.parent().expect("parent").join("out");
    for environment in ["development", "staging", "production"] {
        let deployment = built_object(&out, environment, "orders/deployment.yaml");
        let spec = &deployment["spec"]["template"]["spec"];
        let init = &spec["initContainers"];
        assert_eq!(init[0]["name"], "migrate", "{environment}: {spec}");
        assert_eq!(init[0]["args"][0], "migrate", "{environment}: {spec}");
        assert!(
            init[0].get("restartPolicy").is_none(),
            "{environment}: {spec}"
        );
        let main = &spec["containers"][0];
        assert_eq!(main["name"], "main", "{environment}: {spec}");
        assert_eq!(
            main["livenessProbe"]["exec"]["command"],
            serde_json::json!(["/app/healthcheck", "--live"]),
            "{environment}: {spec}"
        );
        let service = built_object(&out, environment, "orders/service.yaml");
        assert_eq!(
            service["spec"]["ports"][0],
            serde_json::json!({ "name": "http", "port": 80, "targetPort": "http", "protocol": "TCP" }),
            "{environment}"
        );
    }
}
