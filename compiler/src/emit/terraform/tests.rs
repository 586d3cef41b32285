//! The Terraform emitter on hand-built environments.

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};

use super::emit;
use crate::diagnostic::Label;
use crate::emit::Artifact;
use crate::resolve::model::{
    AccessMode, Backend, Container, ContainerKind, CsiVolume, Endpoints, InClusterService,
    Instance, Lifecycle, Owner, Protocol, Provisioning, ResolvedEnvironment, ResolvedWorkload,
    TerraformModule, WorkloadKind,
};
use crate::resolve::value::{Deferred, TemplatePart, Value};
use crate::source::{Database, Origin, SourceFile};
use crate::span::TextRange;

/// A secret that must never appear in any artefact.
const SECRET_LITERAL: &str = "hunter2-do-not-write";

fn label(db: &Database) -> Label {
    let file = SourceFile::new(
        db,
        "platform.plat".to_string(),
        "environment staging {}\n".to_string(),
        Origin::Project,
    );
    Label::new(file, TextRange::new(0, 1))
}

fn text(value: &str) -> Value {
    Value::String(value.to_string())
}

fn secret(value: Value) -> Value {
    Value::Secret(Box::new(value))
}

fn module_output(instance: &str, path: &[&str]) -> Value {
    Value::Deferred(Box::new(Deferred::ModuleOutput {
        instance: instance.into(),
        path: path.iter().map(|segment| segment.to_string()).collect(),
    }))
}

fn generated(instance: &str) -> Value {
    Value::Deferred(Box::new(Deferred::GeneratedPassword {
        instance: instance.into(),
    }))
}

fn map(entries: &[(&str, Value)]) -> BTreeMap<String, Value> {
    entries
        .iter()
        .map(|(key, value)| (key.to_string(), value.clone()))
        .collect()
}

fn instance(
    source: &Label,
    id: &str,
    owner: Owner,
    provisioning: Provisioning,
    outputs: BTreeMap<String, Value>,
) -> Instance {
    Instance {
        id: id.into(),
        object_name: id.replace(['.', '_'], "-"),
        offering: "postgres".to_string(),
        offering_version: "1.0.0".to_string(),
        implementation: "aws".to_string(),
        owner,
        params: Default::default(),
        outputs: outputs.into(),
        provisioning,
        endpoints: Endpoints::default(),
        needs: Vec::new(),
        source: source.clone(),
    }
}

fn rds(inputs: BTreeMap<String, Value>) -> Provisioning {
    Provisioning::Terraform(TerraformModule {
        source: "terraform-aws-modules/rds/aws".to_string(),
        version: Some("6.10.0".to_string()),
        inputs,
        local: None,
        volume: None,
    })
}

fn container(
    source: &Label,
    env: BTreeMap<String, Value>,
    files: BTreeMap<String, Value>,
) -> Container {
    Container {
        name: "main".to_string(),
        image: "ghcr.io/acme/api:1.0.0".to_string(),
        command: Vec::new(),
        args: Vec::new(),
        env,
        files,
        ports: BTreeMap::from([("http".to_string(), 8080)]),
        cpu: "250m".to_string(),
        memory: "256Mi".to_string(),
        cpu_limit: None,
        memory_limit: None,
        kind: ContainerKind::Main,
        liveness: None,
        readiness: None,
        startup: None,
        pre_stop: None,
        volumes: BTreeMap::new(),
        source: source.clone(),
    }
}

fn workload(source: &Label, name: &str, containers: Vec<Container>) -> ResolvedWorkload {
    ResolvedWorkload {
        name: name.to_string(),
        replicas: 1,
        kind: WorkloadKind::Service { autoscaling: None },
        labels: BTreeMap::new(),
        annotations: BTreeMap::new(),
        service_account_annotations: BTreeMap::new(),
        containers,
        service_ports: BTreeMap::new(),
        termination_grace_period: None,
        resources: BTreeMap::new(),
        calls: Vec::new(),
        callers: Vec::new(),
        source: source.clone(),
    }
}

/// A staging environment: a shared RDS database, a workload with its own in-cluster
/// cache (with a generated password) and its own RDS database, and a workload that needs
/// no Terraform at all.
fn staging(db: &Database) -> ResolvedEnvironment {
    let source = label(db);
    let shared_db = instance(
        &source,
        "shared_db",
        Owner::Environment,
        rds(map(&[
            ("identifier", text("shared-db")),
            ("engine", text("postgres")),
            ("allocated_storage", Value::Int(20)),
            ("multi_az", Value::Bool(false)),
            (
                "subnet_ids",
                Value::list(vec![text("subnet-1"), text("subnet-2")]),
            ),
            (
                "tags",
                Value::map(map(&[("plat/environment", text("staging"))])),
            ),
            ("unused", Value::Absent),
        ])),
        map(&[
            ("host", module_output("shared_db", &["db_instance_address"])),
            ("port", module_output("shared_db", &["db_instance_port"])),
            (
                "username",
                module_output("shared_db", &["db_instance_username"]),
            ),
            (
                "password",
                secret(module_output("shared_db", &["db_instance_password"])),
            ),
        ]),
    );
    let cache = instance(
        &source,
        "api.cache",
        Owner::Workload("api".to_string()),
        Provisioning::Kubernetes(InClusterService {
            image: Some("redis:7".to_string()),
            port: Some(6379),
            container_port: None,
            protocols: vec![Protocol::Tcp],
            user: None,
            args: Vec::new(),
            env: map(&[
                ("REDIS_PASSWORD", secret(generated("api.cache"))),
                ("MODE", text("standalone")),
            ]),
            files: BTreeMap::new(),
            storage: None,
            data_path: "/data".to_string(),
            writable: Vec::new(),
            access_mode: AccessMode::ReadWriteOnce,
        }),
        map(&[
            ("host", text("api-cache.shop.svc.cluster.local")),
            ("password", secret(generated("api.cache"))),
        ]),
    );
    let api_db = instance(
        &source,
        "api.db",
        Owner::Workload("api".to_string()),
        rds(map(&[
            ("identifier", text("api-db")),
            // A provision-time input from another root module.
            (
                "vpc_security_group_ids",
                Value::list(vec![module_output("shared_db", &["security_group_id"])]),
            ),
            // A secret literal cannot come from a checked program; if one ever does, it
            // is not written.
            ("password", secret(text(SECRET_LITERAL))),
        ])),
        map(&[("host", module_output("api.db", &["db_instance_address"]))]),
    );
    let cache_url = secret(Value::Template(vec![
        TemplatePart::Text("rediss://:".to_string()),
        TemplatePart::Value(secret(generated("api.cache"))),
        TemplatePart::Text("@api-cache:6379/${literally}".to_string()),
    ]));
    let database_yaml = secret(Value::Template(vec![
        TemplatePart::Text("host: ".to_string()),
        TemplatePart::Value(module_output("shared_db", &["db_instance_address"])),
        TemplatePart::Text("\npassword: ".to_string()),
        TemplatePart::Value(secret(module_output(
            "shared_db",
            &["db_instance_password"],
        ))),
        TemplatePart::Text("\n".to_string()),
    ]));
    let api = workload(
        &source,
        "api",
        vec![container(
            &source,
            map(&[
                ("PORT", Value::Int(8080)),
                (
                    "DB_HOST",
                    module_output("shared_db", &["db_instance_address"]),
                ),
                (
                    "DB_PASSWORD",
                    secret(module_output("shared_db", &["db_instance_password"])),
                ),
                (
                    "OWN_DB_HOST",
                    module_output("api.db", &["db_instance_address"]),
                ),
                ("CACHE_URL", cache_url),
                ("LEAKED", secret(text(SECRET_LITERAL))),
            ]),
            map(&[("/etc/api/database.yaml", database_yaml)]),
        )],
    );
    let web = workload(
        &source,
        "web",
        vec![container(
            &source,
            map(&[("PORT", Value::Int(8080))]),
            BTreeMap::new(),
        )],
    );
    ResolvedEnvironment {
        name: "staging".to_string(),
        namespace: "shop".to_string(),
        cluster: Some("eks-staging".to_string()),
        region: Some("eu-west-1".to_string()),
        domain: None,
        backend: Some(Backend {
            kind: "s3".to_string(),
            config: map(&[
                ("bucket", text("acme-terraform-state")),
                ("key", text("shop/staging.tfstate")),
                ("region", text("eu-west-1")),
            ]),
        }),
        workloads: vec![api.into(), web.into()],
        instances: vec![api_db.into(), cache.into(), shared_db.into()],
        remote_workloads: Vec::new(),
        platform: None,
        source,
    }
}

fn parse(artifact: &Artifact) -> Json {
    serde_json::from_str(&artifact.contents).expect("valid JSON")
}

/// The root module in `directory`: its files' documents merged (each top-level key is
/// in one file only).
fn find(artifacts: &[Artifact], directory: &str) -> Json {
    let mut merged = serde_json::Map::new();
    for artifact in artifacts {
        if artifact.path.rsplit_once('/').map(|(dir, _)| dir) == Some(directory) {
            let Json::Object(document) = parse(artifact) else {
                panic!("{} is not an object", artifact.path);
            };
            for (key, value) in document {
                assert!(merged.insert(key.clone(), value).is_none(), "{key} twice");
            }
        }
    }
    assert!(
        !merged.is_empty(),
        "no {directory} in {:?}",
        paths(artifacts)
    );
    Json::Object(merged)
}

fn paths(artifacts: &[Artifact]) -> Vec<&str> {
    artifacts
        .iter()
        .map(|artifact| artifact.path.as_str())
        .collect()
}

const SHARED: &str = "terraform/shared";
const API: &str = "terraform/workloads/api";

#[test]
fn one_root_module_for_shared_and_one_per_workload_that_needs_terraform() {
    let db = Database::default();
    let artifacts = emit(&staging(&db), &Lifecycle::default(), "shop");
    assert_eq!(
        paths(&artifacts),
        [
            "terraform/shared/main.tf.json",
            "terraform/shared/outputs.tf.json",
            "terraform/shared/providers.tf.json",
            "terraform/shared/terraform.tf.json",
            "terraform/workloads/api/main.tf.json",
            "terraform/workloads/api/outputs.tf.json",
            "terraform/workloads/api/providers.tf.json",
            "terraform/workloads/api/terraform.tf.json",
        ]
    );
    assert!(artifacts.iter().all(|artifact| artifact.source.is_some()));
}

#[test]
fn output_is_deterministic_and_ends_with_a_newline() {
    let db = Database::default();
    let env = staging(&db);
    let first = emit(&env, &Lifecycle::default(), "shop");
    let mut shuffled = env.clone();
    shuffled.instances.reverse();
    let second = emit(&shuffled, &Lifecycle::default(), "shop");
    assert_eq!(first, second);
    for artifact in &first {
        assert!(artifact.contents.ends_with("}\n"), "{}", artifact.path);
        assert!(!artifact.contents.ends_with("\n\n"), "{}", artifact.path);
    }
}

#[test]
fn every_output_that_may_hold_a_secret_is_sensitive() {
    let db = Database::default();
    let artifacts = emit(&staging(&db), &Lifecycle::default(), "shop");
    let mut checked = 0;
    for artifact in &artifacts {
        let document = parse(artifact);
        let Some(outputs) = document["output"].as_object() else {
            continue;
        };
        for (name, output) in outputs {
            let value = output["value"].to_string();
            if value.contains("${") || name.contains("password") {
                assert_eq!(output["sensitive"], Json::Bool(true), "{name}: {output}");
                checked += 1;
            }
        }
    }
    assert!(checked >= 5, "only {checked} outputs checked");
    // A plain compile-time output is not hidden.
    let api = find(&artifacts, API);
    assert_eq!(api["output"]["api_cache_host"]["sensitive"], Json::Null);
}

#[test]
fn no_secret_literal_is_ever_written() {
    let db = Database::default();
    for artifact in emit(&staging(&db), &Lifecycle::default(), "shop") {
        assert!(
            !artifact.contents.contains(SECRET_LITERAL),
            "{}:\n{}",
            artifact.path,
            artifact.contents
        );
    }
}

#[test]
fn references_across_root_modules_go_through_remote_state() {
    let db = Database::default();
    let artifacts = emit(&staging(&db), &Lifecycle::default(), "shop");
    let shared = find(&artifacts, SHARED);
    let api = find(&artifacts, API);

    // The shared root module exports what the workload reads, sensitively...
    let password = &shared["output"]["shared_db_password"];
    assert_eq!(
        password["value"],
        "${module.shared_db.db_instance_password}"
    );
    assert_eq!(password["sensitive"], true);
    let security_group = &shared["output"]["shared_db_security_group_id"];
    assert_eq!(
        security_group["value"],
        "${module.shared_db.security_group_id}"
    );
    assert_eq!(security_group["sensitive"], true);

    // ... and the workload reads it from the shared state, with the same backend.
    let state = &api["data"]["terraform_remote_state"]["shared"];
    assert_eq!(state["backend"], "s3");
    assert_eq!(state["config"]["key"], "shop/staging/shared.tfstate");
    assert_eq!(state["config"]["bucket"], "acme-terraform-state");
    assert_eq!(
        api["resource"]["kubernetes_secret_v1"]["api"]["data"]["DB_PASSWORD"],
        "${data.terraform_remote_state.shared.outputs.shared_db_password}"
    );
    assert_eq!(
        api["module"]["api_db"]["vpc_security_group_ids"],
        serde_json::json!([
            "${data.terraform_remote_state.shared.outputs.shared_db_security_group_id}"
        ])
    );
    // A value of the same root module is referred to directly.
    assert_eq!(
        api["resource"]["kubernetes_config_map_v1"]["api"]["data"]["OWN_DB_HOST"],
        "${module.api_db.db_instance_address}"
    );
    assert!(shared.get("data").is_none());
}

#[test]
fn each_root_module_has_a_state_of_its_own() {
    let db = Database::default();
    let artifacts = emit(&staging(&db), &Lifecycle::default(), "shop");
    let shared = find(&artifacts, SHARED);
    let api = find(&artifacts, API);
    assert_eq!(
        shared["terraform"]["backend"]["s3"]["key"],
        "shop/staging/shared.tfstate"
    );
    assert_eq!(
        api["terraform"]["backend"]["s3"]["key"],
        "shop/staging/workloads/api.tfstate"
    );
    assert_eq!(api["terraform"]["backend"]["s3"]["region"], "eu-west-1");
    assert_eq!(
        api["terraform"]["backend"]["s3"]["encrypt"], true,
        "state holds secrets"
    );
}

#[test]
fn a_model_without_a_backend_gets_terraform_s_default_and_reads_it() {
    // Unreachable from a checked project (E0901): such a model still renders.
    let db = Database::default();
    let mut env = staging(&db);
    env.backend = None;
    let artifacts = emit(&env, &Lifecycle::default(), "shop");
    let shared = find(&artifacts, SHARED);
    let api = find(&artifacts, API);
    assert_eq!(shared["terraform"].get("backend"), None);
    assert_eq!(api["terraform"].get("backend"), None);
    let state = &api["data"]["terraform_remote_state"]["shared"];
    assert_eq!(state["backend"], "local");
    assert_eq!(state["config"]["path"], "../../shared/terraform.tfstate");
}

#[test]
fn local_state_lives_at_the_absolute_path_the_environment_names() {
    let db = Database::default();
    let mut env = staging(&db);
    env.backend = Some(Backend {
        kind: "local".to_string(),
        config: BTreeMap::from([(
            "path".to_string(),
            Value::String("/var/lib/plat/shop/staging.tfstate".to_string()),
        )]),
    });
    let artifacts = emit(&env, &Lifecycle::default(), "shop");
    let api = find(&artifacts, API);
    assert_eq!(
        api["terraform"]["backend"]["local"]["path"],
        "/var/lib/plat/shop/staging/workloads/api.tfstate"
    );
    let state = &api["data"]["terraform_remote_state"]["shared"];
    assert_eq!(
        state["config"]["path"],
        "/var/lib/plat/shop/staging/shared.tfstate"
    );
}

#[test]
fn a_lockfile_asks_for_the_terraform_that_has_it() {
    let db = Database::default();
    let mut env = staging(&db);
    let before =
        find(&emit(&env, &Lifecycle::default(), "shop"), API)["terraform"]["required_version"]
            .clone();
    assert_eq!(before, ">= 1.5.7, < 2.0.0");
    if let Some(backend) = &mut env.backend {
        backend
            .config
            .insert("use_lockfile".to_string(), Value::Bool(true));
    }
    let api = find(&emit(&env, &Lifecycle::default(), "shop"), API);
    assert_eq!(api["terraform"]["required_version"], ">= 1.10.0, < 2.0.0");
    assert_eq!(api["terraform"]["backend"]["s3"]["use_lockfile"], true);
}

#[test]
fn kubernetes_state_lives_in_the_environment_s_cluster() {
    let db = Database::default();
    let mut env = staging(&db);
    env.cluster = Some("kind-shop".to_string());
    env.backend = Some(Backend {
        kind: "kubernetes".to_string(),
        config: BTreeMap::new(),
    });
    let api = find(&emit(&env, &Lifecycle::default(), "shop"), API);
    let backend = &api["terraform"]["backend"]["kubernetes"];
    assert_eq!(backend["config_context"], "kind-shop");
    assert_eq!(backend["secret_suffix"], "plat-shop-staging-workloads-api");
}

#[test]
fn values_are_handed_over_through_secrets_and_config_maps_named_by_delivery() {
    let db = Database::default();
    let artifacts = emit(&staging(&db), &Lifecycle::default(), "shop");
    let api = find(&artifacts, API);
    let secret = &api["resource"]["kubernetes_secret_v1"]["api"];
    assert_eq!(secret["metadata"]["name"], "api-secrets");
    assert_eq!(secret["metadata"]["namespace"], "shop");
    assert_eq!(secret["type"], "Opaque");
    assert_eq!(
        secret["data"]["CACHE_URL"],
        "rediss://:${random_password.api_cache.result}@api-cache:6379/$${literally}"
    );
    assert_eq!(
        secret["data"]["file.etc.api.database.yaml"],
        "host: ${data.terraform_remote_state.shared.outputs.shared_db_host}\npassword: ${data.terraform_remote_state.shared.outputs.shared_db_password}\n"
    );
    let config = &api["resource"]["kubernetes_config_map_v1"]["api"];
    assert_eq!(config["metadata"]["name"], "api-provisioned");
    assert_eq!(
        config["data"]["DB_HOST"],
        "${data.terraform_remote_state.shared.outputs.shared_db_host}"
    );
    assert!(
        config["data"].get("PORT").is_none(),
        "inline values stay inline"
    );
    assert!(config["data"].get("DB_PASSWORD").is_none());
    // The in-cluster cache gets its generated password through its own Secret.
    let cache = &api["resource"]["kubernetes_secret_v1"]["api_cache"];
    assert_eq!(cache["metadata"]["name"], "api-cache-secrets");
    assert_eq!(
        cache["data"]["REDIS_PASSWORD"],
        "${random_password.api_cache.result}"
    );
    assert!(cache["data"].get("MODE").is_none());
    let password = &api["resource"]["random_password"]["api_cache"];
    assert_eq!(password["special"], false);
}

#[test]
fn no_secret_reaches_a_config_map() {
    let db = Database::default();
    for artifact in emit(&staging(&db), &Lifecycle::default(), "shop") {
        let document = parse(&artifact);
        let Some(config_maps) = document["resource"]["kubernetes_config_map_v1"].as_object() else {
            continue;
        };
        for config_map in config_maps.values() {
            let data = config_map["data"].to_string();
            assert!(!data.contains("password"), "{}: {data}", artifact.path);
            assert!(
                !data.contains("random_password"),
                "{}: {data}",
                artifact.path
            );
        }
    }
}

#[test]
fn only_the_providers_used_are_required_and_configured() {
    let db = Database::default();
    let artifacts = emit(&staging(&db), &Lifecycle::default(), "shop");
    let shared = find(&artifacts, SHARED);
    let api = find(&artifacts, API);
    let required = |document: &Json| -> Vec<String> {
        document["terraform"]["required_providers"]
            .as_object()
            .map(|providers| providers.keys().cloned().collect())
            .unwrap_or_default()
    };
    assert_eq!(required(&shared), ["aws"]);
    assert_eq!(required(&api), ["aws", "kubernetes", "random"]);
    assert_eq!(shared["provider"]["aws"]["region"], "eu-west-1");
    assert_eq!(
        api["provider"]["kubernetes"]["config_context"],
        "eks-staging"
    );
    assert_eq!(
        api["terraform"]["required_providers"]["aws"]["source"],
        "hashicorp/aws"
    );
    assert!(shared["terraform"]["required_version"].is_string());
}

#[test]
fn module_blocks_carry_source_version_and_inputs() {
    let db = Database::default();
    let artifacts = emit(&staging(&db), &Lifecycle::default(), "shop");
    let shared = find(&artifacts, SHARED);
    let module = &shared["module"]["shared_db"];
    assert_eq!(module["source"], "terraform-aws-modules/rds/aws");
    assert_eq!(module["version"], "6.10.0");
    assert_eq!(module["allocated_storage"], 20);
    assert_eq!(module["multi_az"], false);
    assert_eq!(
        module["subnet_ids"],
        serde_json::json!(["subnet-1", "subnet-2"])
    );
    assert_eq!(module["tags"]["plat/environment"], "staging");
    assert!(
        module.get("unused").is_none(),
        "absent inputs are left to their default"
    );
}

#[test]
fn an_environment_without_terraform_writes_nothing() {
    let db = Database::default();
    let mut env = staging(&db);
    env.instances.clear();
    env.workloads.retain(|workload| workload.name == "web");
    assert!(emit(&env, &Lifecycle::default(), "shop").is_empty());
}

#[test]
fn a_service_account_annotated_with_a_provision_time_value_is_written_by_terraform() {
    let db = Database::default();
    let mut env = staging(&db);
    let api = env
        .workloads
        .iter_mut()
        .find(|workload| workload.name == "api")
        .map(std::sync::Arc::make_mut)
        .expect("the fixture has an `api` workload");
    api.service_account_annotations = map(&[
        (
            "eks.amazonaws.com/role-arn",
            module_output("api.db", &["db_instance_arn"]),
        ),
        ("team", text("checkout")),
    ]);
    let artifacts = emit(&env, &Lifecycle::default(), "shop");
    let root = find(&artifacts, API);
    let account = &root["resource"]["kubernetes_service_account_v1"]["api"];
    assert_eq!(account["metadata"]["name"], "api");
    assert_eq!(account["metadata"]["namespace"], "shop");
    assert_eq!(account["automount_service_account_token"], false);
    assert_eq!(
        account["metadata"]["annotations"],
        json!({
            "eks.amazonaws.com/role-arn": "${module.api_db.db_instance_arn}",
            "team": "checkout",
        })
    );
    assert_eq!(
        root["terraform"]["required_providers"]["kubernetes"]["source"],
        "hashicorp/kubernetes"
    );
}

#[test]
fn a_service_account_with_compile_time_annotations_is_left_to_plat() {
    let db = Database::default();
    let mut env = staging(&db);
    for workload in &mut env.workloads {
        std::sync::Arc::make_mut(workload).service_account_annotations =
            map(&[("team", text("checkout"))]);
    }
    let artifacts = emit(&env, &Lifecycle::default(), "shop");
    assert!(
        artifacts
            .iter()
            .all(|artifact| !artifact.contents.contains("kubernetes_service_account_v1"))
    );
}

#[test]
fn a_mounted_csi_volume_gets_a_persistent_volume_and_its_claim_from_its_owner() {
    let db = Database::default();
    let mut env = staging(&db);
    let source = label(&db);
    let handle = Value::Template(vec![
        TemplatePart::Value(module_output("shared_files", &["id"])),
        TemplatePart::Text("::".to_string()),
        TemplatePart::Value(module_output(
            "shared_files",
            &["access_points", "data", "id"],
        )),
    ]);
    let mut files = instance(
        &source,
        "shared_files",
        Owner::Environment,
        Provisioning::Terraform(TerraformModule {
            source: "terraform-aws-modules/efs/aws".to_string(),
            version: Some("1.8.1".to_string()),
            inputs: map(&[("name", text("shared-files"))]),
            local: None,
            volume: Some(CsiVolume {
                driver: "efs.csi.aws.com".to_string(),
                handle,
                attributes: map(&[("encryptInTransit", text("true"))]),
            }),
        }),
        map(&[("id", module_output("shared_files", &["id"]))]),
    );
    files.params = map(&[("size", text("20Gi"))]).into();
    env.instances.push(files.into());
    env.instances.sort_by(|a, b| a.id.cmp(&b.id));
    let api = env
        .workloads
        .iter_mut()
        .find(|workload| workload.name == "api")
        .map(std::sync::Arc::make_mut)
        .expect("the fixture has an `api` workload");
    api.containers[0]
        .volumes
        .insert("/data".to_string(), "shared_files".into());
    let artifacts = emit(&env, &Lifecycle::default(), "shop");
    let shared = find(&artifacts, SHARED);
    let volume = &shared["resource"]["kubernetes_persistent_volume_v1"]["shared_files"];
    assert_eq!(volume["metadata"]["name"], "shop-shared-files");
    assert_eq!(volume["metadata"].get("namespace"), None);
    assert_eq!(
        volume["spec"]["persistent_volume_source"],
        json!({ "csi": {
            "driver": "efs.csi.aws.com",
            "volume_handle": "${module.shared_files.id}::${module.shared_files.access_points.data.id}",
            "volume_attributes": { "encryptInTransit": "true" },
        } })
    );
    assert_eq!(volume["spec"]["access_modes"], json!(["ReadWriteMany"]));
    assert_eq!(volume["spec"]["capacity"]["storage"], "20Gi");
    let claim = &shared["resource"]["kubernetes_persistent_volume_claim_v1"]["shared_files"];
    assert_eq!(claim["metadata"]["name"], "shared-files");
    assert_eq!(claim["metadata"]["namespace"], "shop");
    assert_eq!(claim["spec"]["access_modes"], json!(["ReadWriteMany"]));
    assert_eq!(
        claim["spec"]["volume_name"],
        "${kubernetes_persistent_volume_v1.shared_files.metadata[0].name}"
    );
    assert_eq!(
        claim["spec"]["storage_class_name"],
        volume["spec"]["storage_class_name"]
    );
    // A volume nobody mounts gets no PersistentVolume.
    let api = find(&artifacts, API);
    assert_eq!(api["resource"].get("kubernetes_persistent_volume_v1"), None);
}
