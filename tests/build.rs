//! `plat build` end to end: every example builds, its whole output matches the golden
//! snapshots, builds are deterministic and atomic, dangerous output directories are
//! refused, and no secret leaks into the output.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use plat_compiler::emit::delivery;
use plat_compiler::resolve::model::{Provisioning, ResolvedEnvironment};
use plat_compiler::resolve::value::Value;
use plat_compiler::source::Database;
use serde_json::Value as Json;
use support::{Run, args, copy_of, run_plat};

/// The root of the repository.
fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every example project, by name.
fn examples() -> Vec<(String, PathBuf)> {
    let mut examples: Vec<(String, PathBuf)> = fs::read_dir(repository().join("examples"))
        .expect("examples/ exists")
        .filter_map(Result::ok)
        .filter(|entry| entry.path().is_dir())
        .map(|entry| {
            (
                entry.file_name().to_string_lossy().into_owned(),
                entry.path(),
            )
        })
        .collect();
    examples.sort();
    assert!(!examples.is_empty(), "no examples found");
    examples
}

/// The resolved environments of a project, from the library.
fn environments(project: &Path) -> Vec<ResolvedEnvironment> {
    let db = Database::default();
    let loaded = plat_compiler::project::load(&db, project).expect("project loads");
    plat_compiler::resolve::resolve_project(&db, loaded.project)
        .environments
        .clone()
}

fn build(project: &Path, out: &Path, extra: &[&str]) -> Run {
    let mut words = args(&["build"]);
    words.push(project.to_string_lossy().into_owned());
    words.push("--out".to_string());
    words.push(out.to_string_lossy().into_owned());
    words.extend(args(extra));
    let run = run_plat(&words);
    run.assert_no_crash("plat build");
    run
}

fn build_ok(project: &Path, out: &Path) {
    let run = build(project, out, &[]);
    assert_eq!(run.status, Some(0), "{}", run.transcript());
    assert!(run.stdout.is_empty(), "nothing on stdout: {}", run.stdout);
}

/// Every file under `root`, by `/`-separated relative path, with its bytes.
fn files(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut found = BTreeMap::new();
    collect(root, root, &mut found);
    found
}

fn collect(root: &Path, directory: &Path, found: &mut BTreeMap<String, Vec<u8>>) {
    let Ok(entries) = fs::read_dir(directory) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, found);
        } else {
            let relative = path
                .strip_prefix(root)
                .expect("under root")
                .components()
                .map(|component| component.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            found.insert(relative, fs::read(&path).expect("readable"));
        }
    }
}

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("output is UTF-8")
}

#[test]
fn every_example_builds_for_each_of_its_environments() {
    for (name, project) in examples() {
        let temp = tempfile::tempdir().expect("temp dir");
        let out = temp.path().join("out");
        build_ok(&project, &out);
        let written = files(&out);
        let environments = environments(&project);
        assert!(!environments.is_empty(), "{name} has no environment");
        for env in &environments {
            for expected in [
                "manifest.json",
                "graph.json",
                "kubernetes/kustomization.yaml",
            ] {
                let path = format!("{}/{expected}", env.name);
                assert!(written.contains_key(&path), "{name}: no {path}");
            }
        }
    }
}

/// The whole output of every example, one snapshot per environment: each file under a
/// `--- path` header, in path order.
#[test]
fn the_output_of_every_example_matches_its_snapshots() {
    for (name, project) in examples() {
        let temp = tempfile::tempdir().expect("temp dir");
        let out = temp.path().join("out");
        build_ok(&project, &out);
        let mut listings: BTreeMap<String, String> = BTreeMap::new();
        for (path, contents) in files(&out) {
            let Some((env, rest)) = path.split_once('/') else {
                continue;
            };
            let listing = listings.entry(env.to_string()).or_default();
            listing.push_str(&format!("--- {rest}\n{}", text(&contents)));
        }
        for (env, listing) in listings {
            insta::with_settings!({
                snapshot_path => "snapshots/build",
                prepend_module_to_snapshot => false,
                omit_expression => true,
                description => format!("plat build examples/{name}: the `{env}` environment"),
            }, {
                insta::assert_snapshot!(format!("{name}-{env}"), listing);
            });
        }
    }
}

#[test]
fn building_twice_gives_identical_bytes() {
    for (_, project) in examples() {
        let temp = tempfile::tempdir().expect("temp dir");
        let first = temp.path().join("first");
        let second = temp.path().join("second");
        build_ok(&project, &first);
        build_ok(&project, &second);
        let before = files(&first);
        assert_eq!(before, files(&second));
        build_ok(&project, &first);
        assert_eq!(before, files(&first), "rebuilding in place changes nothing");
    }
}

/// The hidden entries of `directory`: what a build stages beside its output.
fn hidden_entries(directory: &Path) -> Vec<String> {
    fs::read_dir(directory)
        .expect("readable")
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with('.'))
        .collect()
}

#[test]
fn a_failing_build_leaves_the_previous_output_as_it_was() {
    let (temp, project) = copy_of("minimal");
    let out = temp.path().join("out");
    build_ok(&project, &out);
    let before = files(&out);
    let source = project.join("hello.plat");
    let broken = fs::read_to_string(&source).expect("readable") + "\nworkload broken {\n";
    fs::write(&source, broken).expect("writable");
    let run = build(&project, &out, &[]);
    assert_eq!(run.status, Some(1), "{}", run.transcript());
    assert!(run.stderr.contains("not building"), "{}", run.stderr);
    assert_eq!(before, files(&out));
    let siblings = hidden_entries(temp.path());
    assert!(siblings.is_empty(), "left behind: {siblings:?}");
}

#[test]
fn an_error_in_a_later_environment_leaves_the_previous_output_as_it_was() {
    // `development` checks and is rendered before `zeta`, which lacks a shared
    // resource that a workload binds: nothing of it may reach the output.
    let (temp, project) = copy_of("minimal");
    let out = temp.path().join("out");
    build_ok(&project, &out);
    let before = files(&out);
    let source = project.join("hello.plat");
    let text = fs::read_to_string(&source).expect("readable");
    let text = text.replacen(
        "  use postgres.in_cluster\n}",
        "  use postgres.in_cluster\n  reports: postgres { database = \"reports\" }\n}",
        1,
    ) + "\nenvironment zeta {\n  namespace = \"zeta\"\n  backend kubernetes { namespace = \"zeta\" }\n  use postgres.in_cluster\n}\n\nworkload reporter {\n  container main { image = \"ghcr.io/acme/reporter:1.0.0\" }\n  store: postgres { shared = reports }\n}\n";
    fs::write(&source, text).expect("writable");
    let run = build(&project, &out, &[]);
    assert_eq!(run.status, Some(1), "{}", run.transcript());
    assert!(run.stderr.contains("E0606"), "{}", run.stderr);
    assert!(run.stderr.contains("not building"), "{}", run.stderr);
    assert_eq!(before, files(&out));
    let siblings = hidden_entries(temp.path());
    assert!(siblings.is_empty(), "left behind: {siblings:?}");
}

#[test]
fn files_an_earlier_build_wrote_and_this_one_does_not_are_removed() {
    let (temp, project) = copy_of("shop");
    let out = temp.path().join("out");
    build_ok(&project, &out);
    assert!(out.join("staging/manifest.json").is_file());
    let run = build(&project, &out, &["--env", "development"]);
    assert_eq!(run.status, Some(0), "{}", run.transcript());
    assert!(out.join("development/manifest.json").is_file());
    assert!(!out.join("staging").exists());
    assert!(!out.join("production").exists());
}

#[test]
fn files_an_earlier_build_did_not_write_refuse_the_replacement() {
    let (temp, project) = copy_of("minimal");
    let out = temp.path().join("out");
    build_ok(&project, &out);
    let before = files(&out);
    let stray = out.join("development/kubernetes/notes.yaml");
    fs::write(&stray, "kind: Mine\n").expect("writable");
    let run = build(&project, &out, &[]);
    assert_eq!(run.status, Some(2), "{}", run.transcript());
    assert!(
        run.stderr
            .contains("development/kubernetes/notes.yaml (not written by plat)"),
        "{}",
        run.stderr
    );
    let mut after = files(&out);
    after.remove("development/kubernetes/notes.yaml");
    assert_eq!(before, after, "nothing was replaced");
}

#[test]
fn dangerous_output_directories_are_refused() {
    let (temp, project) = copy_of("minimal");
    let before = files(temp.path());
    let someone_elses = temp.path().join("documents");
    fs::create_dir_all(&someone_elses).expect("mkdir");
    fs::write(someone_elses.join("notes.md"), "mine\n").expect("writable");
    let mut cases = vec![
        project.clone(),
        project.join("."),
        temp.path().to_path_buf(),
        project.join("sub/../.."),
        PathBuf::from("/"),
        someone_elses.clone(),
    ];
    // Links to the project, to its parent and to the root, made outside the project.
    let links = tempfile::tempdir().expect("temp dir");
    #[cfg(unix)]
    {
        for (name, target) in [
            ("project", project.clone()),
            ("parent", temp.path().to_path_buf()),
            ("root", PathBuf::from("/")),
        ] {
            let link = links.path().join(name);
            std::os::unix::fs::symlink(&target, &link).expect("symlink");
            cases.push(link);
        }
    }
    for out in &cases {
        let run = build(&project, out, &[]);
        assert_eq!(
            run.status,
            Some(2),
            "{}: {}",
            out.display(),
            run.transcript()
        );
        assert!(run.stderr.contains("refusing"), "{}", run.stderr);
    }
    let mut after = files(temp.path());
    after.remove("documents/notes.md");
    assert_eq!(before, after, "nothing was written");
}

#[test]
fn unknown_environments_are_refused_with_the_known_ones() {
    let temp = tempfile::tempdir().expect("temp dir");
    let out = temp.path().join("out");
    let run = build(
        &repository().join("examples/shop"),
        &out,
        &["--env", "prod"],
    );
    assert_eq!(run.status, Some(2), "{}", run.transcript());
    assert!(run.stderr.contains("`prod`"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("its environments are `development`, `production`, `staging`"),
        "{}",
        run.stderr
    );
    assert!(!out.exists());
    // The environments are known once the sources are checked; nothing staged remains.
    let staged = hidden_entries(temp.path());
    assert!(staged.is_empty(), "left behind: {staged:?}");
}

#[test]
fn env_selects_the_environments_built() {
    let temp = tempfile::tempdir().expect("temp dir");
    let out = temp.path().join("out");
    let run = build(
        &repository().join("examples/shop"),
        &out,
        &["--env", "staging"],
    );
    assert_eq!(run.status, Some(0), "{}", run.transcript());
    let environments: Vec<String> = fs::read_dir(&out)
        .expect("written")
        .filter_map(Result::ok)
        .filter(|entry| entry.path().is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(environments, ["staging"]);
}

#[test]
fn the_manifest_lists_every_artefact_with_its_hash_and_source() {
    let temp = tempfile::tempdir().expect("temp dir");
    let out = temp.path().join("out");
    build_ok(&repository().join("examples/shop"), &out);
    let written = files(&out);
    let manifest: Json =
        serde_json::from_slice(&written["staging/manifest.json"]).expect("manifest is JSON");
    let listed: Vec<&str> = manifest["artifacts"]
        .as_array()
        .expect("artifacts")
        .iter()
        .map(|entry| entry["path"].as_str().expect("path"))
        .collect();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(listed, sorted, "sorted by path");
    let on_disk: Vec<&str> = written
        .keys()
        .filter_map(|path| path.strip_prefix("staging/"))
        .filter(|path| *path != "manifest.json" && !path.contains("/.state/"))
        .collect();
    assert_eq!(listed, on_disk, "every artefact, and only those");
    for entry in manifest["artifacts"].as_array().expect("artifacts") {
        let source = entry["source"]
            .as_str()
            .expect("every artefact has a source");
        let (file, line) = source.rsplit_once(':').expect("path:line");
        assert!(file.ends_with(".plat"), "{source}");
        assert!(line.parse::<u32>().is_ok_and(|line| line > 0), "{source}");
        let sha = entry["sha256"].as_str().expect("sha256");
        assert_eq!(sha.len(), 64);
        assert!(
            sha.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
    }
}

// ---------------------------------------------------------------------------------------
// Secrets: a walk over every file of every example's output.

/// Text that marks a provision-time reference; plat-written Kubernetes objects, labels,
/// annotations and the graph never hold one, and a Terraform output that does is
/// sensitive.
const REFERENCES: &[&str] = &["${", "random_password", "terraform_remote_state", "module."];

fn holds_reference(text: &str) -> bool {
    REFERENCES.iter().any(|marker| text.contains(marker))
}

/// Every string inside a JSON value.
fn strings(value: &Json, found: &mut Vec<String>) {
    match value {
        Json::String(text) => found.push(text.clone()),
        Json::Array(items) => items.iter().for_each(|item| strings(item, found)),
        Json::Object(entries) => {
            for (key, value) in entries {
                found.push(key.clone());
                strings(value, found);
            }
        }
        _ => {}
    }
}

/// Every object of `value` (itself included) that has the key `key`, with its value.
fn find_key<'a>(value: &'a Json, key: &str, found: &mut Vec<&'a Json>) {
    match value {
        Json::Array(items) => items.iter().for_each(|item| find_key(item, key, found)),
        Json::Object(entries) => {
            if let Some(inner) = entries.get(key) {
                found.push(inner);
            }
            entries
                .values()
                .for_each(|inner| find_key(inner, key, found));
        }
        _ => {}
    }
}

fn yaml(path: &str, bytes: &[u8]) -> Json {
    serde_saphyr::from_str(text(bytes)).unwrap_or_else(|error| panic!("{path}: {error}"))
}

/// The secret environment variables and files of every owner (a workload, or an
/// in-cluster instance by object name), and the directory its objects are in.
struct Owner {
    directory: String,
    secret_env: Vec<String>,
    secret_files: Vec<String>,
    /// Every env var and file key, with whether its value is secret.
    secret_keys: BTreeMap<String, bool>,
}

fn owners(env: &ResolvedEnvironment) -> BTreeMap<String, Owner> {
    let mut owners = BTreeMap::new();
    for workload in &env.workloads {
        let mut owner = Owner {
            directory: format!("kubernetes/{}/", workload.name),
            secret_env: Vec::new(),
            secret_files: Vec::new(),
            secret_keys: BTreeMap::new(),
        };
        for container in &workload.containers {
            for (key, value) in &container.env {
                add_key(&mut owner, key.clone(), value, true);
            }
            for (path, value) in &container.files {
                add_key(&mut owner, delivery::file_key(path), value, false);
            }
        }
        owners.insert(workload.name.clone(), owner);
    }
    for instance in &env.instances {
        if let Provisioning::Kubernetes(service) = &instance.provisioning {
            let mut owner = Owner {
                directory: format!("kubernetes/instances/{}/", instance.object_name),
                secret_env: Vec::new(),
                secret_files: Vec::new(),
                secret_keys: BTreeMap::new(),
            };
            for (key, value) in &service.env {
                add_key(&mut owner, key.clone(), value, true);
            }
            owners.insert(instance.object_name.clone(), owner);
        }
    }
    owners
}

fn add_key(owner: &mut Owner, key: String, value: &Value, is_env: bool) {
    if value.is_secret() {
        if is_env {
            owner.secret_env.push(key.clone());
        } else {
            owner.secret_files.push(key.clone());
        }
    }
    let secret = owner.secret_keys.entry(key).or_insert(false);
    *secret |= value.is_secret();
}

#[test]
fn no_secret_leaks_into_the_output() {
    for (name, project) in examples() {
        let temp = tempfile::tempdir().expect("temp dir");
        let out = temp.path().join("out");
        build_ok(&project, &out);
        let written = files(&out);
        let mut secret_env_checked = 0;
        let mut graphs_checked = 0;
        for env in environments(&project) {
            let prefix = format!("{}/", env.name);
            let owned: BTreeMap<&str, &[u8]> = written
                .iter()
                .filter_map(|(path, bytes)| {
                    path.strip_prefix(&prefix)
                        .map(|rest| (rest, bytes.as_slice()))
                })
                .collect();
            let owners = owners(&env);
            for (path, bytes) in &owned {
                let context = format!("{name}/{}/{path}", env.name);
                if path.ends_with(".yaml") {
                    check_kubernetes(&context, &yaml(&context, bytes), &owners);
                } else if path.ends_with(".tf.json") {
                    let document: Json = serde_json::from_slice(bytes).expect("JSON");
                    check_terraform(&context, &document, &owners);
                } else if *path == "graph.json" {
                    assert!(
                        !holds_reference(text(bytes)),
                        "{context}: a reference in the graph"
                    );
                    graphs_checked += 1;
                }
            }
            secret_env_checked += check_secret_env_vars(&env.name, &owned, &owners);
        }
        assert_eq!(
            graphs_checked,
            environments(&project).len(),
            "{name}: graphs"
        );
        let has_secrets = environments(&project)
            .iter()
            .flat_map(|env| owners(env).into_values())
            .any(|owner| !owner.secret_env.is_empty());
        assert!(
            !has_secrets || secret_env_checked > 0,
            "{name}: no secret env var was found in the output"
        );
    }
}

/// A plat-written Kubernetes object: no reference anywhere in labels, annotations or
/// ConfigMaps, and a ConfigMap holds no key whose value is secret.
fn check_kubernetes(context: &str, object: &Json, owners: &BTreeMap<String, Owner>) {
    for key in ["labels", "annotations"] {
        let mut found = Vec::new();
        find_key(object, key, &mut found);
        let mut texts = Vec::new();
        found.iter().for_each(|map| strings(map, &mut texts));
        for text in texts {
            assert!(!holds_reference(&text), "{context}: `{text}` in {key}");
        }
    }
    if object["kind"] == "ConfigMap" {
        let mut texts = Vec::new();
        strings(&object["data"], &mut texts);
        for text in &texts {
            assert!(!holds_reference(text), "{context}: `{text}` in a ConfigMap");
        }
        let owner = owners
            .values()
            .find(|owner| context.contains(&format!("/{}", owner.directory)));
        if let (Some(owner), Some(data)) = (owner, object["data"].as_object()) {
            for key in data.keys() {
                assert!(
                    !owner.secret_keys.get(key).copied().unwrap_or(false),
                    "{context}: the secret `{key}` is in a ConfigMap"
                );
            }
        }
    }
}

/// A Terraform root module: every output that holds a reference is sensitive; a
/// ConfigMap it writes holds no secret.
fn check_terraform(context: &str, document: &Json, owners: &BTreeMap<String, Owner>) {
    if let Some(outputs) = document["output"].as_object() {
        for (name, output) in outputs {
            if holds_reference(&output["value"].to_string()) {
                assert_eq!(
                    output["sensitive"],
                    Json::Bool(true),
                    "{context}: output `{name}` is not sensitive"
                );
            }
        }
    }
    let Some(config_maps) = document["resource"]["kubernetes_config_map_v1"].as_object() else {
        return;
    };
    for config_map in config_maps.values() {
        let name = config_map["metadata"]["name"].as_str().expect("name");
        let owner = name
            .strip_suffix("-provisioned")
            .expect("a provisioned ConfigMap");
        let owner = owners.get(owner).expect("the owner is known");
        let data = config_map["data"].as_object().expect("data");
        for (key, value) in data {
            assert!(
                !owner.secret_keys.get(key).copied().unwrap_or(true),
                "{context}: `{key}` is secret (or unknown) and in ConfigMap `{name}`"
            );
            let text = value.as_str().unwrap_or_default();
            assert!(
                !text.contains("random_password"),
                "{context}: {key} = {text}"
            );
        }
    }
}

/// Every secret env var of every owner reaches its container through `secretKeyRef`,
/// from the owner's provisioned Secret; returns how many were checked.
fn check_secret_env_vars(
    env: &str,
    files: &BTreeMap<&str, &[u8]>,
    owners: &BTreeMap<String, Owner>,
) -> usize {
    let mut checked = 0;
    for (name, owner) in owners {
        let mut variables: BTreeMap<String, Json> = BTreeMap::new();
        for (path, bytes) in files {
            if path.starts_with(&owner.directory) && path.ends_with(".yaml") {
                let object = yaml(path, bytes);
                let mut lists = Vec::new();
                find_key(&object, "env", &mut lists);
                for list in lists {
                    for variable in list.as_array().into_iter().flatten() {
                        if let Some(key) = variable["name"].as_str() {
                            variables.insert(key.to_string(), variable.clone());
                        }
                    }
                }
            }
        }
        for key in &owner.secret_env {
            let variable = variables
                .get(key)
                .unwrap_or_else(|| panic!("{env}: {name} has no env var {key}"));
            let reference = &variable["valueFrom"]["secretKeyRef"];
            assert_eq!(
                reference["name"].as_str(),
                Some(delivery::provisioned_secret_name(name).as_str()),
                "{env}: {name}.{key} is not from its Secret: {variable}"
            );
            assert_eq!(reference["key"].as_str(), Some(key.as_str()));
            assert!(
                variable.get("value").is_none(),
                "{env}: {name}.{key} inline"
            );
            checked += 1;
        }
    }
    checked
}

// ---------------------------------------------------------------------------------------
// The Kubernetes objects read Secrets and ConfigMaps that the Terraform (or plat) writes.

/// `(object name, key)` of every Secret or ConfigMap key that pods read: `secretKeyRef`,
/// `configMapKeyRef`, and the items of `secret` and `configMap` volumes.
fn keys_read(object: &Json, secrets: &mut Vec<(String, String)>, maps: &mut Vec<(String, String)>) {
    let pair = |reference: &Json, name: &str| {
        (
            reference[name].as_str().unwrap_or_default().to_string(),
            reference["key"].as_str().unwrap_or_default().to_string(),
        )
    };
    let mut found = Vec::new();
    find_key(object, "secretKeyRef", &mut found);
    secrets.extend(found.iter().map(|reference| pair(reference, "name")));
    let mut found = Vec::new();
    find_key(object, "configMapKeyRef", &mut found);
    maps.extend(found.iter().map(|reference| pair(reference, "name")));
    for (volume_kind, name_key, list) in [
        ("secret", "secretName", &mut *secrets),
        ("configMap", "name", &mut *maps),
    ] {
        let mut volumes = Vec::new();
        find_key(object, volume_kind, &mut volumes);
        for volume in volumes {
            let name = volume[name_key].as_str().unwrap_or_default();
            for item in volume["items"].as_array().into_iter().flatten() {
                let key = item["key"].as_str().unwrap_or_default();
                list.push((name.to_string(), key.to_string()));
            }
        }
    }
}

/// `(object name, key)` of every key of the Secrets or ConfigMaps written: by Terraform
/// (`kubernetes_secret_v1`, `kubernetes_config_map_v1`) and by plat (ConfigMap objects).
fn keys_written(
    path: &str,
    bytes: &[u8],
    secrets: &mut Vec<(String, String)>,
    maps: &mut Vec<(String, String)>,
) {
    let add = |object: &Json, list: &mut Vec<(String, String)>| {
        let name = object["metadata"]["name"].as_str().unwrap_or_default();
        for key in object["data"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(key, _)| key)
        {
            list.push((name.to_string(), key.clone()));
        }
    };
    if path.ends_with(".tf.json") {
        let document: Json = serde_json::from_slice(bytes).expect("JSON");
        let resources = &document["resource"];
        for object in resources["kubernetes_secret_v1"]
            .as_object()
            .into_iter()
            .flatten()
        {
            add(object.1, secrets);
        }
        for object in resources["kubernetes_config_map_v1"]
            .as_object()
            .into_iter()
            .flatten()
        {
            add(object.1, maps);
        }
    } else if path.ends_with(".yaml") {
        let object = yaml(path, bytes);
        if object["kind"] == "ConfigMap" {
            add(&object, maps);
        }
        assert_ne!(
            object["kind"], "Secret",
            "{path}: plat never writes a Secret itself"
        );
    }
}

#[test]
fn every_secret_and_config_map_key_a_pod_reads_is_written() {
    let mut checked = 0;
    for (name, project) in examples() {
        let temp = tempfile::tempdir().expect("temp dir");
        let out = temp.path().join("out");
        build_ok(&project, &out);
        let written = files(&out);
        for env in environments(&project) {
            let prefix = format!("{}/", env.name);
            let (mut read_secrets, mut read_maps) = (Vec::new(), Vec::new());
            let (mut secrets, mut maps) = (Vec::new(), Vec::new());
            for (path, bytes) in &written {
                let Some(path) = path.strip_prefix(&prefix) else {
                    continue;
                };
                if path.ends_with(".yaml") && path.starts_with("kubernetes/") {
                    keys_read(&yaml(path, bytes), &mut read_secrets, &mut read_maps);
                }
                keys_written(path, bytes, &mut secrets, &mut maps);
            }
            checked += read_secrets.len() + read_maps.len();
            for read in &read_secrets {
                assert!(
                    secrets.contains(read),
                    "{name}/{}: a pod reads the Secret key {read:?}, which nothing writes",
                    env.name
                );
            }
            for read in &read_maps {
                assert!(
                    maps.contains(read),
                    "{name}/{}: a pod reads the ConfigMap key {read:?}, which nothing writes",
                    env.name
                );
            }
        }
    }
    assert!(checked > 0, "no pod reads a Secret or ConfigMap key");
}

#[test]
fn a_project_directory_whose_name_is_not_a_label_value_becomes_one() {
    let temp = tempfile::tempdir().expect("temp dir");
    let project = temp.path().join("My Shop");
    fs::create_dir_all(&project).expect("mkdir");
    fs::copy(
        repository().join("examples/minimal/hello.plat"),
        project.join("hello.plat"),
    )
    .expect("copy");
    let out = temp.path().join("out");
    build_ok(&project, &out);
    let written = files(&out);
    let deployment = written
        .iter()
        .find(|(path, _)| path.ends_with("deployment.yaml"))
        .map(|(_, bytes)| text(bytes))
        .expect("a deployment");
    assert!(
        deployment.contains("app.kubernetes.io/part-of: My-Shop\n"),
        "{deployment}"
    );
    assert!(!deployment.contains("My Shop"), "{deployment}");
}
