//! Packages end to end: a platform and two applications, each a git repository of its
//! own in a temporary directory (`payments` depends on the platform by git tag,
//! `storefront` on the platform and on `payments` by path, and calls `payments`), as a
//! user sets them up: `plat fetch`, `plat check`, `plat build`. And every way a
//! dependency goes wrong, each with its diagnostic and nothing changed on disk. And the
//! guide docs/applications.md, followed step by step from an empty directory.
//!
//! These tests run `git` (and the guide's steps `sh`): without them they fail.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value as Json;
use support::{Run, run_plat_in};

/// Runs git in `directory`, as a user who never configured it; panics when it fails.
fn git(directory: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(["-c", "tag.gpgsign=false"])
        .args(args)
        .current_dir(directory)
        .env("GIT_AUTHOR_NAME", "plat")
        .env("GIT_AUTHOR_EMAIL", "plat@example.com")
        .env("GIT_COMMITTER_NAME", "plat")
        .env("GIT_COMMITTER_EMAIL", "plat@example.com")
        .output()
        .expect("git runs: these tests need git");
    assert!(
        output.status.success(),
        "git {args:?} in {}: {}",
        directory.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// Commits everything in the repository at `directory` (made if need be).
fn commit(directory: &Path, message: &str) {
    if !directory.join(".git").exists() {
        git(directory, &["init", "--quiet"]);
    }
    git(directory, &["add", "--all"]);
    git(directory, &["commit", "--quiet", "--message", message]);
}

/// Runs plat in `directory` with `args`.
fn plat(directory: &Path, args: &[&str]) -> Run {
    let args: Vec<String> = args.iter().map(|arg| arg.to_string()).collect();
    run_plat_in(directory, &args)
}

fn assert_clean(run: &Run, what: &str) {
    assert_eq!(run.status, Some(0), "{what}\n{}", run.transcript());
}

fn fixture(project: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/applications")
        .join(project)
}

/// Copies the `.plat` files and `plat.toml` of the fixture `project` into `to`.
fn copy_fixture(project: &str, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(fixture(project)).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".plat") || name == "plat.toml" {
            std::fs::copy(entry.path(), to.join(&name)).unwrap();
        }
    }
}

/// Every file under `directory` but `.git`, with its bytes: what "nothing on disk
/// changed" compares (none when there is no such directory).
fn files(directory: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut found = BTreeMap::new();
    let mut pending: Vec<PathBuf> = directory
        .is_dir()
        .then(|| directory.to_path_buf())
        .into_iter()
        .collect();
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            if entry.file_name() == ".git" {
                continue;
            }
            if entry.file_type().unwrap().is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(directory).unwrap().to_path_buf();
                found.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    found
}

/// A platform repository tagged `v1.0.0` and a `payments` repository that depends on
/// it by that tag, in `root`.
fn platform_and_payments(root: &Path) -> (PathBuf, PathBuf) {
    let platform = root.join("platform");
    copy_fixture("platform", &platform);
    commit(&platform, "The shop's platform, 1.0.0");
    git(&platform, &["tag", "v1.0.0"]);
    let payments = root.join("payments");
    copy_fixture("payments", &payments);
    let manifest = std::fs::read_to_string(payments.join("plat.toml")).unwrap();
    let manifest = manifest.replace(
        "shop_platform = { path = \"../platform\", version = \"^1.0\" }",
        "shop_platform = { git = \"../platform\", tag = \"v1.0.0\", version = \"^1.0\" }",
    );
    assert!(manifest.contains("tag = \"v1.0.0\""), "{manifest}");
    std::fs::write(payments.join("plat.toml"), manifest).unwrap();
    commit(&payments, "Payments");
    (platform, payments)
}

#[test]
fn a_platform_and_two_applications_check_build_and_admit_exactly_their_call() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path();
    let (platform, payments) = platform_and_payments(root);
    let storefront = root.join("storefront");
    copy_fixture("storefront", &storefront);
    commit(&storefront, "Storefront");

    assert_clean(&plat(&payments, &["fetch"]), "plat fetch in payments");
    let lock = std::fs::read_to_string(payments.join("plat.lock")).unwrap();
    let revision = git(&platform, &["rev-parse", "v1.0.0^{commit}"]);
    assert!(
        lock.contains(&format!("revision = \"{revision}\"")),
        "{lock}"
    );
    assert!(lock.contains("hash = \"sha256:"), "{lock}");
    assert_clean(&plat(&storefront, &["fetch"]), "plat fetch in storefront");

    // Once fetched, the git dependency is read from the cache: offline.
    let away = root.join("platform-away");
    std::fs::rename(&platform, &away).unwrap();
    assert_clean(
        &plat(&payments, &["check"]),
        "plat check in payments, offline",
    );
    std::fs::rename(&away, &platform).unwrap();
    assert_clean(&plat(&storefront, &["check"]), "plat check in storefront");
    assert_clean(&plat(&platform, &["check"]), "plat check in the platform");

    let mut builds = BTreeMap::new();
    for (name, directory) in [
        ("platform", &platform),
        ("payments", &payments),
        ("storefront", &storefront),
    ] {
        let out = root.join(format!("out-{name}"));
        let out_arg = out.to_string_lossy().into_owned();
        assert_clean(
            &plat(directory, &["build", "--out", &out_arg]),
            &format!("plat build in {name}"),
        );
        builds.insert(name, out);
    }

    for environment in ["development", "staging"] {
        let platform_out = builds["platform"].join(environment);
        let shared = platform_out.join("terraform/shared");
        for application in ["payments", "storefront"] {
            let out = builds[application].join(environment);
            assert_creates_nothing_of_the_platform(&out, application);
            let reading = assert_reads_the_shared_state(&out, &shared, application);
            // `payments-api` binds the shared database, `web` does not.
            assert_eq!(
                reading,
                usize::from(application == "payments"),
                "{application}"
            );
        }
        let objects: Vec<Json> = builds
            .values()
            .flat_map(|out| kubernetes_objects(&out.join(environment)))
            .collect();
        let open = open_paths(&objects);
        let between_applications: BTreeSet<(String, String, u64)> = open
            .into_iter()
            .filter(|(from, to, _)| from.0 != to.0)
            .map(|(from, to, port)| (from.1, to.1, port))
            .collect();
        assert_eq!(
            between_applications,
            BTreeSet::from([
                ("web".to_string(), "payments-api".to_string(), 8080),
                ("payments-api".to_string(), "shared-db".to_string(), 5432),
            ])
            .into_iter()
            .filter(|(_, to, _)| environment == "development" || to != "shared-db")
            .collect(),
            "in {environment}, the NetworkPolicies of the three builds admit exactly the \
             call of `web` to `payments-api` (and, in development, `payments-api`'s use \
             of the platform's in-cluster database) between applications"
        );
    }
}

/// An application's build writes no Namespace, no shared root module and no object
/// of the platform's shared instances; its Terraform creates nothing but what hands
/// its values to its own pods.
fn assert_creates_nothing_of_the_platform(out: &Path, application: &str) {
    assert!(
        !out.join("kubernetes/namespace.yaml").exists(),
        "{application} writes the Namespace"
    );
    assert!(
        !out.join("terraform/shared").exists(),
        "{application} writes the shared root module"
    );
    for (path, text) in files(&out.join("terraform")) {
        let document: Json = serde_json::from_slice(&text).unwrap();
        assert!(
            document.get("module").is_none(),
            "{application} terraform/{}: calls a module",
            path.display()
        );
        for (kind, _) in document["resource"].as_object().into_iter().flatten() {
            assert!(
                matches!(
                    kind.as_str(),
                    "kubernetes_secret_v1" | "kubernetes_config_map_v1"
                ),
                "{application} terraform/{}: creates a `{kind}`",
                path.display()
            );
        }
    }
}

/// Every output an application's root module reads from `terraform_remote_state.shared`
/// is one the platform's shared root module writes, read from the backend it writes
/// its state to; how many root modules read it.
fn assert_reads_the_shared_state(out: &Path, shared: &Path, application: &str) -> usize {
    let mut reading = 0;
    let backend: Json =
        serde_json::from_str(&std::fs::read_to_string(shared.join("terraform.tf.json")).unwrap())
            .unwrap();
    let backend = &backend["terraform"]["backend"];
    let (kind, config) = backend.as_object().unwrap().iter().next().unwrap();
    let outputs: Json =
        serde_json::from_str(&std::fs::read_to_string(shared.join("outputs.tf.json")).unwrap())
            .unwrap();
    for (path, text) in files(&out.join("terraform")) {
        let text = String::from_utf8(text).unwrap();
        let document: Json = serde_json::from_str(&text).unwrap();
        let Some(remote) = document["data"]["terraform_remote_state"].get("shared") else {
            continue;
        };
        reading += 1;
        assert_eq!(remote["backend"], *kind, "{application} {}", path.display());
        assert_eq!(
            remote["config"],
            *config,
            "{application} {}",
            path.display()
        );
        for read in text
            .split("data.terraform_remote_state.shared.outputs.")
            .skip(1)
        {
            let name: String = read
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            assert!(
                outputs["output"].get(&name).is_some(),
                "{application} {} reads `{name}`, which the platform does not write",
                path.display()
            );
        }
    }
    reading
}

/// Every Kubernetes object a build writes.
fn kubernetes_objects(out: &Path) -> Vec<Json> {
    files(&out.join("kubernetes"))
        .into_iter()
        .filter(|(path, _)| {
            path.extension()
                .is_some_and(|extension| extension == "yaml")
        })
        .map(|(_, text)| serde_saphyr::from_str::<Json>(&String::from_utf8(text).unwrap()).unwrap())
        .filter(|object| object["kind"] != "Kustomization")
        .collect()
}

/// A pod: its application (`part-of`) and name.
type Pod = (String, String);

/// Every (from, to, port) that the NetworkPolicies let one pod open to another, every
/// pod in one namespace (as the builds of one environment are).
fn open_paths(objects: &[Json]) -> Vec<(Pod, Pod, u64)> {
    let pods: Vec<(BTreeMap<String, String>, Vec<u64>)> = objects
        .iter()
        .filter(|object| matches!(object["kind"].as_str(), Some("Deployment" | "StatefulSet")))
        .map(|object| {
            let template = &object["spec"]["template"];
            let labels = strings(&template["metadata"]["labels"]);
            let ports = template["spec"]["containers"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|container| container["ports"].as_array().into_iter().flatten())
                .filter_map(|port| port["containerPort"].as_u64())
                .collect();
            (labels, ports)
        })
        .collect();
    let policies: Vec<&Json> = objects
        .iter()
        .filter(|object| object["kind"] == "NetworkPolicy")
        .collect();
    let name = |labels: &BTreeMap<String, String>| {
        (
            labels["app.kubernetes.io/part-of"].clone(),
            labels["app.kubernetes.io/name"].clone(),
        )
    };
    let mut open = Vec::new();
    for (from, _) in &pods {
        for (to, ports) in &pods {
            if from == to {
                continue;
            }
            for port in ports {
                if allows(&policies, from, to, *port, "Egress")
                    && allows(&policies, to, from, *port, "Ingress")
                {
                    open.push((name(from), name(to), *port));
                }
            }
        }
    }
    open
}

/// Whether the policies that select `subject` for `direction` let it exchange traffic
/// with `peer` on `port` (a pod no policy selects for it is not isolated).
fn allows(
    policies: &[&Json],
    subject: &BTreeMap<String, String>,
    peer: &BTreeMap<String, String>,
    port: u64,
    direction: &str,
) -> bool {
    let (field, peers) = match direction {
        "Egress" => ("egress", "to"),
        _ => ("ingress", "from"),
    };
    let selecting: Vec<&&Json> = policies
        .iter()
        .filter(|policy| selects(&policy["spec"]["podSelector"], subject))
        .filter(|policy| {
            policy["spec"]["policyTypes"]
                .as_array()
                .is_some_and(|types| types.iter().any(|kind| kind == direction))
        })
        .collect();
    selecting.is_empty()
        || selecting.iter().any(|policy| {
            policy["spec"][field]
                .as_array()
                .into_iter()
                .flatten()
                .any(|rule| {
                    let peer_ok = rule[peers].as_array().into_iter().flatten().any(|entry| {
                        entry.get("ipBlock").is_none()
                            && entry.get("namespaceSelector").is_none()
                            && selects(&entry["podSelector"], peer)
                    });
                    let port_ok = rule["ports"].as_array().is_none_or(|ports| {
                        ports
                            .iter()
                            .any(|entry| entry["port"].as_u64() == Some(port))
                    });
                    peer_ok && port_ok
                })
        })
}

fn selects(selector: &Json, labels: &BTreeMap<String, String>) -> bool {
    strings(&selector["matchLabels"])
        .iter()
        .all(|(key, value)| labels.get(key) == Some(value))
}

fn strings(value: &Json) -> BTreeMap<String, String> {
    value
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(key, value)| Some((key.clone(), value.as_str()?.to_string())))
        .collect()
}

#[test]
fn tampering_with_a_fetched_dependency_is_refused_and_changes_nothing() {
    let temp = tempfile::tempdir().unwrap();
    let (_, payments) = platform_and_payments(temp.path());
    assert_clean(&plat(&payments, &["fetch"]), "plat fetch");
    let cache = payments.join(".plat/packages");
    let fetched = std::fs::read_dir(&cache)
        .unwrap()
        .next()
        .expect("the platform is fetched")
        .unwrap()
        .path();
    let environments = fetched.join("environments.plat");
    let text = std::fs::read_to_string(&environments).unwrap();
    let mut permissions = std::fs::metadata(&environments).unwrap().permissions();
    assert!(
        permissions.readonly(),
        "a fetched package's files are read-only"
    );
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    std::fs::set_permissions(&environments, permissions).unwrap();
    std::fs::write(
        &environments,
        text.replace("database = \"shop\"", "database = \"stolen\""),
    )
    .unwrap();
    let before = files(&payments);
    for args in [&["check"][..], &["build", "--out", "out"][..]] {
        let run = plat(&payments, args);
        assert_eq!(run.status, Some(1), "plat {args:?}\n{}", run.transcript());
        assert!(
            run.stderr.contains("error[E0509]")
                && run.stderr.contains("changed since it was fetched"),
            "plat {args:?}\n{}",
            run.transcript()
        );
        assert_eq!(files(&payments), before, "plat {args:?} changed files");
    }
    // `plat fetch` fetches it again, and the project checks.
    assert_clean(&plat(&payments, &["fetch"]), "plat fetch again");
    assert_eq!(std::fs::read_to_string(&environments).unwrap(), text);
    assert_clean(
        &plat(&payments, &["check"]),
        "plat check after fetching again",
    );
}

#[test]
fn asking_for_a_version_that_does_not_exist_is_refused_and_changes_nothing() {
    let temp = tempfile::tempdir().unwrap();
    let (_, payments) = platform_and_payments(temp.path());
    assert_clean(&plat(&payments, &["fetch"]), "plat fetch");
    let manifest = std::fs::read_to_string(payments.join("plat.toml")).unwrap();
    std::fs::write(
        payments.join("plat.toml"),
        manifest.replace("tag = \"v1.0.0\"", "tag = \"v9.9.9\""),
    )
    .unwrap();
    let before = files(&payments);

    let check = plat(&payments, &["check"]);
    assert_eq!(check.status, Some(1), "{}", check.transcript());
    assert!(
        check.stderr.contains("error[E0507]"),
        "{}",
        check.transcript()
    );

    let fetch = plat(&payments, &["fetch"]);
    assert_eq!(fetch.status, Some(1), "{}", fetch.transcript());
    assert!(
        fetch.stderr.contains("error[E0511]") && fetch.stderr.contains("tag `v9.9.9`"),
        "{}",
        fetch.transcript()
    );
    assert!(
        fetch.stderr.contains("`v1.0.0`"),
        "the help names the tags there are"
    );
    assert_eq!(files(&payments), before, "a failed fetch changed files");

    // A tag that exists, with a version that does not match the requirement.
    std::fs::write(
        payments.join("plat.toml"),
        manifest.replace("version = \"^1.0\"", "version = \"^2.0\""),
    )
    .unwrap();
    let before = files(&payments);
    let fetch = plat(&payments, &["fetch"]);
    assert_eq!(fetch.status, Some(1), "{}", fetch.transcript());
    assert!(
        fetch.stderr.contains("error[E0512]"),
        "{}",
        fetch.transcript()
    );
    assert_eq!(files(&payments), before, "a failed fetch changed files");

    // Nothing is written by `plat add` either, in a project that has fetched nothing.
    let fresh = temp.path().join("fresh");
    std::fs::create_dir_all(&fresh).unwrap();
    std::fs::write(fresh.join("plat.toml"), "[project]\nname = \"fresh\"\n").unwrap();
    let before = files(&fresh);
    let add = plat(
        &fresh,
        &[
            "add",
            "shop_platform",
            "--git",
            "../platform",
            "--tag",
            "v2.0.0",
        ],
    );
    assert_eq!(add.status, Some(1), "{}", add.transcript());
    assert!(add.stderr.contains("error[E0511]"), "{}", add.transcript());
    assert_eq!(files(&fresh), before, "a failed add changed files");
    assert!(!fresh.join(".plat").exists());
}

#[test]
fn a_cycle_between_packages_is_refused_and_changes_nothing() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path();
    let repository = |name: &str, depends_on: &str| {
        let directory = root.join(name);
        std::fs::create_dir_all(&directory).unwrap();
        let other = root.join(depends_on);
        std::fs::write(
            directory.join("plat.toml"),
            format!(
                "[project]\nname = \"{name}\"\nversion = \"1.0.0\"\n\n[dependencies]\n{depends_on} = {{ git = \"{}\", branch = \"main\" }}\n",
                other.display()
            ),
        )
        .unwrap();
        std::fs::write(
            directory.join("types.plat"),
            format!("/// A size.\ntype {name}_size = \"small\" | \"large\"\n"),
        )
        .unwrap();
        commit(&directory, name);
    };
    repository("orders", "billing");
    repository("billing", "orders");
    let app = root.join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(
        app.join("plat.toml"),
        format!(
            "[project]\nname = \"app\"\n\n[dependencies]\norders = {{ git = \"{}\", branch = \"main\" }}\n",
            root.join("orders").display()
        ),
    )
    .unwrap();
    let before = files(&app);
    let fetch = plat(&app, &["fetch"]);
    assert_eq!(fetch.status, Some(1), "{}", fetch.transcript());
    assert!(
        fetch.stderr.contains("error[E0514]")
            && fetch.stderr.contains("`orders` → `billing` → `orders`"),
        "{}",
        fetch.transcript()
    );
    assert_eq!(files(&app), before, "a failed fetch changed files");
    assert!(!app.join(".plat").exists());
}

#[test]
fn a_branch_is_read_as_locked_until_it_is_updated() {
    let temp = tempfile::tempdir().unwrap();
    let (platform, payments) = platform_and_payments(temp.path());
    let manifest = std::fs::read_to_string(payments.join("plat.toml")).unwrap();
    std::fs::write(
        payments.join("plat.toml"),
        manifest.replace("tag = \"v1.0.0\"", "branch = \"main\""),
    )
    .unwrap();
    assert_clean(&plat(&payments, &["fetch"]), "plat fetch");
    let first = git(&platform, &["rev-parse", "HEAD"]);
    let lock = |payments: &Path| std::fs::read_to_string(payments.join("plat.lock")).unwrap();
    assert!(lock(&payments).contains(&first));

    let policies = platform.join("environments.plat");
    let text = std::fs::read_to_string(&policies).unwrap();
    std::fs::write(
        &policies,
        text.replace("size = \"medium\"", "size = \"large\""),
    )
    .unwrap();
    commit(&platform, "A larger database in staging");
    let second = git(&platform, &["rev-parse", "HEAD"]);

    assert_clean(&plat(&payments, &["fetch"]), "plat fetch keeps the lock");
    assert!(lock(&payments).contains(&first), "{}", lock(&payments));
    assert_clean(
        &plat(&payments, &["update", "shop_platform"]),
        "plat update",
    );
    assert!(lock(&payments).contains(&second), "{}", lock(&payments));
    assert_clean(&plat(&payments, &["check"]), "plat check after the update");
    let cached: Vec<String> = std::fs::read_dir(payments.join(".plat/packages"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        cached,
        vec![format!("shop_platform-{}", &second[..12])],
        "the cache keeps only what the lock names"
    );
}

#[test]
fn removing_an_output_without_a_major_version_is_reported_naming_the_workloads_that_read_it() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path();
    let (platform, payments) = platform_and_payments(root);
    let storefront = root.join("storefront");
    copy_fixture("storefront", &storefront);
    assert_clean(&plat(&payments, &["fetch"]), "plat fetch in payments");
    assert_clean(&plat(&storefront, &["fetch"]), "plat fetch in storefront");

    // The platform team replaces the search service's `endpoint` by `url`, and raises
    // only the minor versions.
    let search = platform.join("search.plat");
    let text = std::fs::read_to_string(&search).unwrap();
    std::fs::write(
        &search,
        text.replace("version = \"1.0.0\"", "version = \"1.1.0\"")
            .replace("output endpoint: string", "output url: string")
            .replace("endpoint = \"https://", "url = \"https://"),
    )
    .unwrap();
    let manifest = std::fs::read_to_string(platform.join("plat.toml")).unwrap();
    std::fs::write(
        platform.join("plat.toml"),
        manifest.replace("version = \"1.0.0\"", "version = \"1.1.0\""),
    )
    .unwrap();
    commit(&platform, "Search by URL");
    git(&platform, &["tag", "v1.1.0"]);
    let before = files(&platform);

    let storefront_arg = storefront.to_string_lossy().into_owned();
    let semver = plat(
        &platform,
        &[
            "semver",
            "v1.0.0",
            "v1.1.0",
            "--application",
            &storefront_arg,
        ],
    );
    assert_eq!(semver.status, Some(1), "{}", semver.transcript());
    let stderr = &semver.stderr;
    for expected in [
        "breaking: the output `endpoint` is removed",
        "breaks: `web` reads `catalog.endpoint` in `storefront`",
        "error[E1007]: the offering `search` 1.1.0 breaks what 1.0.0 offered, without a major version",
        "must be 2.0.0 or later",
        "error[E1007]: the package `shop_platform` 1.1.0 breaks what 1.0.0 offered",
    ] {
        assert!(stderr.contains(expected), "missing `{expected}`:\n{stderr}");
    }
    assert_eq!(
        files(&platform),
        before,
        "plat semver changed the repository"
    );
    assert_eq!(git(&platform, &["status", "--porcelain"]), "");

    // With the major versions, the change is what the versions say.
    std::fs::write(
        &search,
        std::fs::read_to_string(&search)
            .unwrap()
            .replace("version = \"1.1.0\"", "version = \"2.0.0\""),
    )
    .unwrap();
    std::fs::write(
        platform.join("plat.toml"),
        manifest.replace("version = \"1.0.0\"", "version = \"2.0.0\""),
    )
    .unwrap();
    let working_tree = plat(&platform, &["semver", "v1.0.0"]);
    assert_clean(
        &working_tree,
        "plat semver of the working tree with the major versions",
    );
    assert!(
        working_tree
            .stderr
            .contains("offering `search` 1.0.0 → 2.0.0, needs 2.0.0")
    );
}

#[test]
fn a_project_decides_where_a_package_its_dependencies_share_comes_from() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path();
    let (_, payments) = platform_and_payments(root);
    git(&payments, &["tag", "v1.0.0"]);
    let storefront = root.join("storefront");
    copy_fixture("storefront", &storefront);
    let manifest = std::fs::read_to_string(storefront.join("plat.toml")).unwrap();
    std::fs::write(
        storefront.join("plat.toml"),
        manifest.replace(
            "payments = { path = \"../payments\", version = \"^1.0\" }",
            "payments = { git = \"../payments\", tag = \"v1.0.0\", version = \"^1.0\" }",
        ),
    )
    .unwrap();
    // `payments`, fetched with git, names the platform by a path relative to where it
    // was written; the storefront names the platform itself, which decides.
    assert_clean(&plat(&storefront, &["fetch"]), "plat fetch");
    let lock = std::fs::read_to_string(storefront.join("plat.lock")).unwrap();
    assert!(lock.contains("path = \"../platform\""), "{lock}");
    assert_clean(&plat(&storefront, &["check"]), "plat check");
}

#[test]
fn a_platforms_policy_reads_an_applications_callers_and_its_waivers_stay_with_its_own_workloads() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path();
    let platform = root.join("platform");
    copy_fixture("platform", &platform);
    let payments = root.join("payments");
    copy_fixture("payments", &payments);
    // The platform admits calls between applications from the storefront only.
    let environments = platform.join("environments.plat");
    let text = std::fs::read_to_string(&environments).unwrap();
    let text = text.replace(
        "  cluster = \"kind-shop\"\n",
        "  cluster = \"kind-shop\"\n  policies = [known_callers]\n",
    ) + r#"
/// Only the storefront calls across applications.
policy known_callers {
  require every caller in workload.callers: caller matching "^storefront\\.checkout$"
    else "only the storefront's checkout calls other applications"
}
"#;
    std::fs::write(&environments, &text).unwrap();
    assert_clean(&plat(&payments, &["fetch"]), "plat fetch in payments");
    let check = plat(&payments, &["check", "--format", "json"]);
    assert_eq!(check.status, Some(1), "{}", check.transcript());
    let violations = |check: &Run| -> Vec<Json> {
        let diagnostics: Vec<Json> = serde_json::from_str(&check.stdout).expect("JSON array");
        diagnostics
            .into_iter()
            .filter(|diagnostic| diagnostic["code"] == "E0605")
            .collect()
    };
    let found = violations(&check);
    assert_eq!(found.len(), 1, "{}", check.transcript());
    let violation = &found[0];
    assert_eq!(violation["file"], "payments-api.plat", "{violation}");
    assert_eq!(
        violation["label"],
        "`payments-api` does not satisfy `known_callers` in the environment `development`"
    );
    assert!(violation["waiver"].is_null());
    // The platform's waivers name its own workloads: the help does not offer one.
    let help = violation["help"].as_str().unwrap_or_default();
    assert!(!help.contains("waiver known_callers"), "{help}");

    // The platform runs a `payments-api` of its own too, and waives the policy for
    // it: the waiver is the platform's workload's, not the application's of that name,
    // and the two would be one Deployment in the namespace.
    let text = text.replace(
        "  policies = [known_callers]\n",
        "  policies = [known_callers]\n\n  waiver known_callers {\n    workloads = [payments-api]\n    reason = \"the platform's own\"\n  }\n",
    ) + r#"
/// The platform's own payments service.
workload payments-api {
  callers = ["storefront.web"]
  container main { image = "ghcr.io/acme/platform-payments:1.0.0" }
}
"#;
    std::fs::write(&environments, &text).unwrap();
    let check = plat(&payments, &["check", "--format", "json"]);
    assert_eq!(check.status, Some(1), "{}", check.transcript());
    let found = violations(&check);
    assert_eq!(found.len(), 1, "{}", check.transcript());
    assert!(found[0]["waiver"].is_null(), "{}", check.transcript());
    assert!(
        check.stdout.contains("\"E0618\""),
        "the two `payments-api` clash:\n{}",
        check.transcript()
    );
}

/// docs/applications.md, followed from an empty directory as a user does: its shell
/// blocks run in order (but those that need a cluster), the files it says to write are
/// written with the text it shows, its edits in prose are made as it says, and what it
/// shows a command prints is what the command prints.
mod guide {
    use std::path::{Path, PathBuf};
    use std::process::Command;

    use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

    /// A fenced block of the guide, and the text of the paragraphs between it and the
    /// block before (code spans in backquotes), one a line.
    struct Block {
        language: String,
        text: String,
        before: String,
    }

    fn blocks(markdown: &str) -> Vec<Block> {
        let mut blocks = Vec::new();
        let mut paragraph = String::new();
        let mut before = String::new();
        let mut open: Option<(String, String)> = None;
        for event in Parser::new(markdown) {
            match event {
                Event::Start(Tag::Paragraph) => paragraph.clear(),
                Event::End(TagEnd::Paragraph) => {
                    before.push_str(&paragraph);
                    before.push('\n');
                }
                Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(language))) => {
                    open = Some((language.to_string(), String::new()));
                }
                Event::End(TagEnd::CodeBlock) => {
                    if let Some((language, text)) = open.take() {
                        blocks.push(Block {
                            language,
                            text,
                            before: std::mem::take(&mut before),
                        });
                    }
                }
                Event::Text(text) => match &mut open {
                    Some((_, block)) => block.push_str(&text),
                    None => paragraph.push_str(&text),
                },
                Event::Code(code) => paragraph.push_str(&format!("`{code}`")),
                Event::SoftBreak | Event::HardBreak => paragraph.push(' '),
                _ => {}
            }
        }
        blocks
    }

    /// A shell in the guide's directories, with `plat` on its path and git set up as
    /// the guide asks.
    struct Shell {
        home: PathBuf,
        cwd: PathBuf,
    }

    impl Shell {
        /// Runs `script` in the current directory and follows its `cd`s; the status
        /// and what it printed (both streams).
        fn run(&mut self, script: &str) -> (bool, String) {
            let marker = self.home.join("cwd");
            let bin = Path::new(env!("CARGO_BIN_EXE_plat")).parent().unwrap();
            let path = format!(
                "{}:{}",
                bin.display(),
                std::env::var("PATH").unwrap_or_default()
            );
            let output = Command::new("sh")
                .arg("-c")
                .arg(format!("set -e\n{script}\npwd > '{}'\n", marker.display()))
                .current_dir(&self.cwd)
                .env("PATH", path)
                .env("HOME", &self.home)
                .env("GIT_CONFIG_GLOBAL", self.home.join(".gitconfig"))
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("NO_COLOR", "1")
                .env_remove("CLICOLOR_FORCE")
                .output()
                .expect("sh runs");
            if output.status.success() {
                self.cwd = PathBuf::from(std::fs::read_to_string(&marker).unwrap().trim());
            }
            let printed = format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            (output.status.success(), printed)
        }

        fn edit(&self, file: &str, from: &str, to: &str) {
            let path = self.cwd.join(file);
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(text.contains(from), "{file} has no `{from}`:\n{text}");
            std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
        }
    }

    /// Every line `shown` holds is in what the command printed.
    fn assert_prints(printed: &str, shown: &str) {
        for line in shown.lines().map(str::trim).filter(|line| !line.is_empty()) {
            assert!(
                printed.contains(line),
                "the guide shows `{line}`, the command printed:\n{printed}"
            );
        }
    }

    #[test]
    fn one_platform_many_application_repositories_is_followed_from_an_empty_directory() {
        let guide = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/applications.md"),
        )
        .unwrap();
        let blocks = blocks(&guide);
        let temp = tempfile::tempdir().unwrap();
        let home = temp.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::write(
            home.join(".gitconfig"),
            "[user]\n\tname = plat\n\temail = plat@example.com\n[init]\n\tdefaultBranch = main\n\
             [commit]\n\tgpgsign = false\n[tag]\n\tgpgsign = false\n",
        )
        .unwrap();
        let empty = temp.path().join("work");
        std::fs::create_dir_all(&empty).unwrap();
        let mut shell = Shell {
            home,
            cwd: empty.clone(),
        };
        let mut index = 0;
        let mut last_printed = String::new();
        let mut edits = Vec::new();
        while index < blocks.len() {
            let block = &blocks[index];
            let next = blocks.get(index + 1);
            index += 1;
            edits.extend(follow_the_prose(&mut shell, &block.before, &last_printed));
            match block.language.as_str() {
                "sh" if block.text.contains("kubectl") => {
                    // Applying needs a cluster: the guide says so.
                    assert!(guide.contains("These need a cluster"));
                }
                "sh" => {
                    let (success, printed) = shell.run(&block.text);
                    let shown = next.filter(|next| next.language == "text");
                    match shown {
                        Some(shown) => {
                            assert_prints(&printed, &shown.text);
                            assert_eq!(
                                success,
                                !shown.text.contains("error["),
                                "{}\n{printed}",
                                block.text
                            );
                            index += 1;
                        }
                        None => assert!(success, "{}\n{printed}", block.text),
                    }
                    check_the_claims(&shell, &block.text);
                    last_printed = printed;
                }
                "plat" | "toml" => write_or_add(&shell, block),
                other => panic!("a `{other}` block the guide's user has nothing to do with"),
            }
        }
        assert_eq!(
            edits,
            (0..EDITS.len()).collect::<Vec<_>>(),
            "each edit once, in order"
        );
        // The guide ends in the storefront, built for both environments.
        assert!(
            shell.cwd.ends_with("shop/storefront"),
            "{}",
            shell.cwd.display()
        );
        for environment in ["development", "staging"] {
            assert!(shell.cwd.join("out").join(environment).is_dir());
        }
    }

    /// "Write `FILE`:" writes the block; "In `FILE`, add:" appends it; "In `FILE`, add
    /// `callers` to the workload:" puts in its new line.
    fn write_or_add(shell: &Shell, block: &Block) {
        let before = &block.before;
        let (verb, file) = ["Write `", "In `"]
            .into_iter()
            .find_map(|verb| {
                let (_, after) = before.rsplit_once(verb)?;
                Some((verb, after.split('`').next()?))
            })
            .unwrap_or_else(|| panic!("which file: {before}"));
        let path = shell.cwd.join(file);
        if verb == "Write `" {
            std::fs::write(&path, &block.text).unwrap();
        } else if before.contains("add `callers`") {
            let line = block
                .text
                .lines()
                .find(|line| line.contains("callers ="))
                .unwrap();
            shell.edit(
                file,
                "workload payments-api {\n",
                &format!("workload payments-api {{\n{line}\n\n"),
            );
        } else if before.trim_end().ends_with(", add:") {
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, format!("{text}\n{}", block.text)).unwrap();
        } else {
            panic!("what to do with the block after: {before}");
        }
    }

    /// The edits the guide asks for in words, each after the words that ask for it.
    const EDITS: [&str; 5] = [
        "raise the version in `plat.toml` to `1.1.0`",
        "ask for the new tag: `tag = \"v1.1.0\"` in `[dependencies.payments]`",
        "raise `version` in `plat.toml` to `1.1.0`, run `plat semver v1.0.0` again (no warning now)",
        "delete its two lines in `platform/environments.plat`",
        "Set `tag = \"v1.1.0\"` in `[dependencies.shop-platform]`",
    ];

    /// Makes the edits `before` asks for, and checks what it says the last command
    /// printed; which of [`EDITS`] it made.
    fn follow_the_prose(shell: &mut Shell, before: &str, last_printed: &str) -> Vec<usize> {
        if let Some((_, after)) = before.split_once(" prints `") {
            let shown = after.split('`').next().unwrap_or_default();
            assert!(last_printed.contains(shown), "`{shown}`:\n{last_printed}");
        }
        let asked: Vec<usize> = (0..EDITS.len())
            .filter(|&edit| before.contains(EDITS[edit]))
            .collect();
        for &edit in &asked {
            match edit {
                0 => shell.edit("plat.toml", "version = \"1.0.0\"", "version = \"1.1.0\""),
                1 => {
                    shell.edit(
                        "plat.toml",
                        "git = \"../payments\"\ntag = \"v1.0.0\"",
                        "git = \"../payments\"\ntag = \"v1.1.0\"",
                    );
                    // As the guide says: the lock does not record it yet.
                    let (success, printed) = shell.run("plat check");
                    assert!(!success && printed.contains("error[E0507]"), "{printed}");
                }
                2 => {
                    shell.edit("plat.toml", "version = \"1.0.0\"", "version = \"1.1.0\"");
                    let (success, printed) = shell.run("plat semver v1.0.0");
                    assert!(success && !printed.contains("warning"), "{printed}");
                }
                3 => shell.edit(
                    "platform/environments.plat",
                    "  /// The database every application of the shop shares.\n  shared_db: postgres { database = \"shop\" }\n",
                    "",
                ),
                _ => shell.edit("plat.toml", "tag = \"v1.0.0\"", "tag = \"v1.1.0\""),
            }
        }
        asked
    }

    /// What the guide says about what a command printed or wrote (a build in the
    /// directory the script ends in).
    fn check_the_claims(shell: &Shell, script: &str) {
        let here = |path: &str| shell.cwd.join(path);
        let builds_here = script
            .lines()
            .rev()
            .take_while(|line| !line.contains("cd "))
            .any(|line| line.contains("plat build"));
        if builds_here && shell.cwd.ends_with("payments") {
            let kubernetes = here("out/development/kubernetes");
            assert!(!kubernetes.join("namespace.yaml").exists());
            assert!(
                kubernetes
                    .join("instances/shared-db/networkpolicy.yaml")
                    .exists()
            );
            let root = std::fs::read_to_string(here(
                "out/development/terraform/workloads/payments-api/main.tf.json",
            ))
            .unwrap();
            assert!(root.contains("terraform_remote_state"), "{root}");
            assert!(!root.contains("\"module\""), "{root}");
        }
        if builds_here && shell.cwd.ends_with("storefront") {
            let policy =
                std::fs::read_to_string(here("out/development/kubernetes/web/networkpolicy.yaml"))
                    .unwrap();
            for expected in [
                "app.kubernetes.io/name: payments-api",
                "app.kubernetes.io/part-of: payments",
                "port: 8080",
            ] {
                assert!(policy.contains(expected), "{expected}:\n{policy}");
            }
            let graph = std::fs::read_to_string(here("out/development/graph.json")).unwrap();
            assert!(graph.contains("\"application\": \"payments\""), "{graph}");
        }
    }
}
