//! Tests of the whole emitter, on the bytes it writes (parsed back from YAML).

use std::collections::BTreeSet;

use serde_json::{Value as Json, json};

use super::fixture::{Fixture, PROJECT, SECRET_MARKER, fixture};
use super::{DIRECTORY, emit};
use crate::emit::Artifact;
use crate::resolve::value::Value;

fn artifacts() -> Vec<Artifact> {
    let fixture = fixture();
    {
        let places = fixture.places();
        emit(&fixture.env, PROJECT, &|label| places.locate(label))
    }
}

fn parse(artifact: &Artifact) -> Json {
    match serde_saphyr::from_str::<Json>(&artifact.contents) {
        Ok(value) => value,
        Err(error) => panic!("{} is not YAML: {error}", artifact.path),
    }
}

fn object(artifacts: &[Artifact], path: &str) -> Json {
    let path = format!("{DIRECTORY}/{path}");
    match artifacts.iter().find(|artifact| artifact.path == path) {
        Some(artifact) => parse(artifact),
        None => panic!("no artefact {path}"),
    }
}

fn has(artifacts: &[Artifact], path: &str) -> bool {
    let path = format!("{DIRECTORY}/{path}");
    artifacts.iter().any(|artifact| artifact.path == path)
}

/// Every object but the kustomization.
fn objects(artifacts: &[Artifact]) -> impl Iterator<Item = (&str, Json)> {
    artifacts
        .iter()
        .filter(|artifact| !artifact.path.ends_with(super::kustomization::FILE))
        .map(|artifact| (artifact.path.as_str(), parse(artifact)))
}

/// Every pod template: Deployments' and StatefulSets'.
fn pod_templates(artifacts: &[Artifact]) -> Vec<(String, Json)> {
    objects(artifacts)
        .filter(|(_, object)| matches!(object["kind"].as_str(), Some("Deployment" | "StatefulSet")))
        .map(|(path, object)| (path.to_string(), object["spec"]["template"].clone()))
        .collect()
}

fn container<'a>(pod: &'a Json, name: &str) -> &'a Json {
    let containers = pod["spec"]["containers"].as_array().into_iter().flatten();
    match containers.into_iter().find(|c| c["name"] == name) {
        Some(container) => container,
        None => panic!("no container {name}"),
    }
}

fn env_var<'a>(container: &'a Json, name: &str) -> &'a Json {
    let env = container["env"].as_array().into_iter().flatten();
    match env.into_iter().find(|variable| variable["name"] == name) {
        Some(variable) => variable,
        None => panic!("no env var {name}"),
    }
}

#[test]
fn writes_the_expected_files() {
    let paths: Vec<String> = artifacts().into_iter().map(|a| a.path).collect();
    let expected = [
        "catalog/configmap.yaml",
        "catalog/deployment.yaml",
        "catalog/networkpolicy.yaml",
        "catalog/service.yaml",
        "catalog/serviceaccount.yaml",
        "instances/catalog-db/networkpolicy.yaml",
        "instances/catalog-db/service.yaml",
        "instances/catalog-db/serviceaccount.yaml",
        "instances/catalog-db/statefulset.yaml",
        "instances/order-events/deployment.yaml",
        "instances/order-events/networkpolicy.yaml",
        "instances/order-events/service.yaml",
        "instances/order-events/serviceaccount.yaml",
        "instances/search-index/persistentvolumeclaim.yaml",
        "kustomization.yaml",
        "namespace.yaml",
        "storefront/deployment.yaml",
        "storefront/httproute-storefront-public.yaml",
        "storefront/ingress-storefront-web.yaml",
        "storefront/networkpolicy.yaml",
        "storefront/pdb.yaml",
        "storefront/service.yaml",
        "storefront/serviceaccount.yaml",
        "worker/deployment.yaml",
        "worker/networkpolicy.yaml",
        "worker/pdb.yaml",
        "worker/serviceaccount.yaml",
    ]
    .map(|path| format!("{DIRECTORY}/{path}"));
    assert_eq!(paths, expected);
}

#[test]
fn gives_identical_bytes_every_time() {
    let first = artifacts();
    assert_eq!(first, artifacts());
    for artifact in &first {
        assert!(artifact.contents.ends_with('\n'), "{}", artifact.path);
        assert!(!artifact.contents.ends_with("\n\n"), "{}", artifact.path);
    }
}

#[test]
fn never_writes_a_secret() {
    for artifact in artifacts() {
        assert!(
            !artifact.contents.contains(SECRET_MARKER),
            "{} holds a secret:\n{}",
            artifact.path,
            artifact.contents
        );
    }
}

#[test]
fn secret_env_vars_reach_containers_only_through_secret_key_refs() {
    let fixture = fixture();
    let artifacts = {
        let places = fixture.places();
        emit(&fixture.env, PROJECT, &|label| places.locate(label))
    };
    let mut checked = 0;
    for workload in &fixture.env.workloads {
        let deployment = object(&artifacts, &format!("{}/deployment.yaml", workload.name));
        let pod = &deployment["spec"]["template"];
        for declared in &workload.containers {
            for (name, _) in declared.env.iter().filter(|(_, value)| value.is_secret()) {
                let variable = env_var(container(pod, &declared.name), name);
                assert_eq!(variable.get("value"), None, "{name}");
                assert_eq!(
                    variable["valueFrom"]["secretKeyRef"],
                    json!({ "name": format!("{}-secrets", workload.name), "key": name })
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 3);

    let database = object(&artifacts, "instances/catalog-db/statefulset.yaml");
    let main = container(&database["spec"]["template"], "main");
    assert_eq!(
        env_var(main, "POSTGRES_PASSWORD")["valueFrom"],
        json!({ "secretKeyRef": { "name": "catalog-db-secrets", "key": "POSTGRES_PASSWORD" } })
    );
    assert_eq!(
        env_var(main, "POSTGRES_DB"),
        &json!({ "name": "POSTGRES_DB", "value": "catalog" })
    );
}

#[test]
fn plain_and_provision_time_env_vars_are_inline_or_from_the_provisioned_config_map() {
    let artifacts = artifacts();
    let deployment = object(&artifacts, "catalog/deployment.yaml");
    let main = container(&deployment["spec"]["template"], "main");
    assert_eq!(env_var(main, "PORT")["value"], "8080");
    assert_eq!(env_var(main, "FEATURE")["value"], "yes");
    assert_eq!(
        env_var(main, "CACHE_HOST")["valueFrom"],
        json!({ "configMapKeyRef": { "name": "catalog-provisioned", "key": "CACHE_HOST" } })
    );
    let names: Vec<&Json> = main["env"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| &v["name"])
        .collect();
    assert!(
        !names.contains(&&json!("OPTIONAL")),
        "an absent value sets no variable"
    );
}

#[test]
fn a_file_is_delivered_exactly_as_written() {
    let text = "  indented first line\n\ttab\r\nwindows line\n   \nlast line\n\n\n";
    let mut fixture = fixture();
    let container = fixture
        .env
        .workloads
        .iter_mut()
        .find(|workload| workload.name == "worker")
        .map(std::sync::Arc::make_mut)
        .and_then(|workload| workload.containers.first_mut());
    match container {
        Some(container) => container
            .files
            .insert("/etc/worker/motd".into(), Value::String(text.into())),
        None => panic!("the fixture has no worker"),
    };
    let places = fixture.places();
    let artifacts = emit(&fixture.env, PROJECT, &|label| places.locate(label));
    let config = object(&artifacts, "worker/configmap.yaml");
    assert_eq!(config["data"]["file.etc.worker.motd"], json!(text));
}

#[test]
fn files_are_mounted_from_where_delivery_puts_them() {
    let artifacts = artifacts();
    let config = object(&artifacts, "catalog/configmap.yaml");
    assert_eq!(config["metadata"]["name"], "catalog-config");
    assert_eq!(
        config["data"],
        json!({ "file.etc.catalog.config.yaml": "listen: 8080\nmode: on\n" })
    );

    let deployment = object(&artifacts, "catalog/deployment.yaml");
    let pod = &deployment["spec"]["template"];
    assert_eq!(
        pod["spec"]["volumes"],
        json!([
            { "name": "tmp", "emptyDir": {} },
            { "name": "files", "configMap": { "name": "catalog-config", "items": [
                { "key": "file.etc.catalog.config.yaml", "path": "file.etc.catalog.config.yaml" },
            ] } },
            { "name": "provisioned-files", "configMap": { "name": "catalog-provisioned", "items": [
                { "key": "file.etc.catalog.cache-endpoint", "path": "file.etc.catalog.cache-endpoint" },
            ] } },
            { "name": "secret-files", "secret": { "secretName": "catalog-secrets", "defaultMode": 288, "items": [
                { "key": "file.etc.catalog.database.yaml", "path": "file.etc.catalog.database.yaml" },
            ] } },
            { "name": "volume-0", "persistentVolumeClaim": { "claimName": "search-index" } },
        ])
    );
    assert_eq!(
        container(pod, "main")["volumeMounts"],
        json!([
            { "name": "provisioned-files", "mountPath": "/etc/catalog/cache-endpoint",
              "subPath": "file.etc.catalog.cache-endpoint", "readOnly": true },
            { "name": "files", "mountPath": "/etc/catalog/config.yaml",
              "subPath": "file.etc.catalog.config.yaml", "readOnly": true },
            { "name": "secret-files", "mountPath": "/etc/catalog/database.yaml",
              "subPath": "file.etc.catalog.database.yaml", "readOnly": true },
            { "name": "tmp", "mountPath": "/tmp" },
            { "name": "volume-0", "mountPath": "/var/lib/search" },
        ])
    );
    assert_eq!(
        container(pod, "sidecar")["volumeMounts"],
        json!([{ "name": "tmp", "mountPath": "/tmp" }])
    );
}

#[test]
fn a_change_of_a_plain_file_rolls_the_pods() {
    let checksum = |fixture: &Fixture| {
        let artifacts = {
            let places = fixture.places();
            emit(&fixture.env, PROJECT, &|label| places.locate(label))
        };
        let deployment = object(&artifacts, "catalog/deployment.yaml");
        deployment["spec"]["template"]["metadata"]["annotations"]["plat.dev/config-sha256"].clone()
    };
    let mut fixture = fixture();
    let before = checksum(&fixture);
    assert!(
        before.as_str().is_some_and(|hex| hex.len() == 64),
        "{before}"
    );
    let catalog = fixture
        .env
        .workloads
        .iter_mut()
        .find(|w| w.name == "catalog")
        .map(std::sync::Arc::make_mut);
    if let Some(catalog) = catalog {
        catalog.containers[0].files.insert(
            "/etc/catalog/config.yaml".into(),
            Value::String("listen: 9090\n".into()),
        );
    }
    assert_ne!(before, checksum(&fixture));
    let artifacts = {
        let places = fixture.places();
        emit(&fixture.env, PROJECT, &|label| places.locate(label))
    };
    let storefront = object(&artifacts, "storefront/deployment.yaml");
    assert!(
        storefront["spec"]["template"]["metadata"]["annotations"]
            .get("plat.dev/config-sha256")
            .is_none(),
        "no ConfigMap, no checksum"
    );
}

#[test]
fn network_policies_allow_exactly_the_declared_dependencies() {
    let artifacts = artifacts();
    let pods = |name: &str| json!({ "podSelector": { "matchLabels": { "app.kubernetes.io/name": name } } });
    let namespace = |name: &str| json!({ "namespaceSelector": { "matchLabels": { "kubernetes.io/metadata.name": name } } });
    let tcp = |port: u16| json!({ "protocol": "TCP", "port": port });
    let dns = json!({
        "to": [{
            "namespaceSelector": { "matchLabels": { "kubernetes.io/metadata.name": "kube-system" } },
            "podSelector": { "matchLabels": { "k8s-app": "kube-dns" } },
        }],
        "ports": [{ "protocol": "UDP", "port": 53 }, { "protocol": "TCP", "port": 53 }],
    });
    let cache = json!({
        "to": [{ "ipBlock": { "cidr": "10.20.0.0/19" } }, { "ipBlock": { "cidr": "10.20.32.0/19" } }],
        "ports": [tcp(6379)],
    });
    let spec = |path: &str| object(&artifacts, path)["spec"].clone();

    assert_eq!(
        spec("catalog/networkpolicy.yaml"),
        json!({
            "podSelector": { "matchLabels": { "app.kubernetes.io/name": "catalog" } },
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [{ "from": [pods("storefront"), pods("worker")], "ports": [tcp(8080), tcp(9090)] }],
            "egress": [cache, { "to": [pods("catalog-db")], "ports": [tcp(5432)] }, dns],
        })
    );
    assert_eq!(
        spec("storefront/networkpolicy.yaml"),
        json!({
            "podSelector": { "matchLabels": { "app.kubernetes.io/name": "storefront" } },
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [
                { "from": [namespace("gateways"), namespace("ingress-nginx")], "ports": [tcp(8080)] },
            ],
            "egress": [{ "to": [pods("catalog")], "ports": [tcp(8080), tcp(9090)] }, dns],
        })
    );
    assert_eq!(
        spec("worker/networkpolicy.yaml")["ingress"],
        json!([]),
        "nothing calls the worker"
    );
    assert_eq!(
        spec("worker/networkpolicy.yaml")["egress"],
        json!([
            { "to": [pods("catalog")], "ports": [tcp(8080), tcp(9090)] },
            { "to": [pods("order-events")], "ports": [tcp(9324)] },
            dns,
        ])
    );
    assert_eq!(
        spec("instances/order-events/networkpolicy.yaml"),
        json!({
            "podSelector": { "matchLabels": { "app.kubernetes.io/name": "order-events" } },
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [{ "from": [pods("worker")], "ports": [tcp(9324)] }],
            "egress": [dns],
        })
    );
    for (path, object) in objects(&artifacts) {
        let text = object.to_string();
        assert!(
            !text.contains("0.0.0.0/0") && !text.contains("::/0"),
            "{path} opens every address"
        );
    }
}

#[test]
fn a_disruption_budget_only_when_more_than_one_replica() {
    let artifacts = artifacts();
    assert!(!has(&artifacts, "catalog/pdb.yaml"));
    let budget = object(&artifacts, "storefront/pdb.yaml");
    assert_eq!(
        budget["spec"],
        json!({
            "maxUnavailable": 1,
            "selector": { "matchLabels": { "app.kubernetes.io/name": "storefront" } },
        })
    );
    assert!(has(&artifacts, "worker/pdb.yaml"));
}

#[test]
fn every_pod_and_container_is_restricted_and_bounded() {
    let templates = pod_templates(&artifacts());
    assert_eq!(templates.len(), 5);
    for (path, pod) in templates {
        let spec = &pod["spec"];
        assert_eq!(spec["automountServiceAccountToken"], false, "{path}");
        let context = &spec["securityContext"];
        assert_eq!(context["runAsNonRoot"], true, "{path}");
        // plat's user, or the user the image of an in-cluster service needs.
        let user = if path.contains("instances/catalog-db/") {
            70
        } else {
            10001
        };
        assert_eq!(context["runAsUser"], user, "{path}");
        assert_eq!(context["runAsGroup"], user, "{path}");
        assert_eq!(context["fsGroup"], user, "{path}");
        assert_eq!(
            context["seccompProfile"]["type"], "RuntimeDefault",
            "{path}"
        );
        for container in spec["containers"].as_array().into_iter().flatten() {
            let context = &container["securityContext"];
            assert_eq!(context["allowPrivilegeEscalation"], false, "{path}");
            assert_eq!(context["readOnlyRootFilesystem"], true, "{path}");
            assert_eq!(context["runAsNonRoot"], true, "{path}");
            assert_eq!(
                context["capabilities"],
                json!({ "drop": ["ALL"] }),
                "{path}"
            );
            assert_eq!(container["imagePullPolicy"], "Always", "{path}");
            for bound in ["requests", "limits"] {
                for resource in ["cpu", "memory"] {
                    let quantity = &container["resources"][bound][resource];
                    assert!(quantity.is_string(), "{path}: {bound}.{resource}");
                }
            }
            let mounts = container["volumeMounts"].as_array().into_iter().flatten();
            assert!(
                mounts.into_iter().any(|mount| mount["mountPath"] == "/tmp"),
                "{path}: /tmp is writable"
            );
        }
    }
}

#[test]
fn requests_and_limits_follow_the_model() {
    let artifacts = artifacts();
    let deployment = object(&artifacts, "catalog/deployment.yaml");
    assert_eq!(
        container(&deployment["spec"]["template"], "main")["resources"],
        json!({
            "requests": { "cpu": "500m", "memory": "512Mi" },
            "limits": { "cpu": "500m", "memory": "1Gi" },
        })
    );
}

#[test]
fn every_object_is_labelled_namespaced_and_traced_to_its_source() {
    let artifacts = artifacts();
    for (path, object) in objects(&artifacts) {
        let metadata = &object["metadata"];
        if object["kind"] != "Namespace" {
            assert_eq!(metadata["namespace"], "shop-dev", "{path}");
        }
        let labels = &metadata["labels"];
        assert!(labels["app.kubernetes.io/name"].is_string(), "{path}");
        assert_eq!(labels["app.kubernetes.io/part-of"], PROJECT, "{path}");
        assert_eq!(labels["app.kubernetes.io/managed-by"], "plat", "{path}");
        let source = metadata["annotations"]["plat.dev/source"]
            .as_str()
            .unwrap_or_default();
        assert!(
            source.starts_with("platform/shop.plat:"),
            "{path}: {source}"
        );
    }
    let deployment = object(&artifacts, "storefront/deployment.yaml");
    assert_eq!(
        deployment["metadata"]["annotations"],
        json!({ "plat.dev/source": "platform/shop.plat:5", "prometheus.io/scrape": "true" })
    );
    assert_eq!(
        deployment["metadata"]["labels"],
        json!({
            "app.kubernetes.io/managed-by": "plat",
            "app.kubernetes.io/name": "storefront",
            "app.kubernetes.io/part-of": "shop",
            "team": "web",
        }),
        "the recommended labels win over the user's"
    );
    assert_eq!(
        deployment["spec"]["template"]["metadata"],
        json!({
            "labels": deployment["metadata"]["labels"],
            "annotations": { "prometheus.io/scrape": "true" },
        })
    );
    let namespace = object(&artifacts, "namespace.yaml");
    assert_eq!(
        namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"],
        "restricted"
    );
    assert_eq!(
        namespace["metadata"]["annotations"]["plat.dev/source"],
        "platform/shop.plat:1"
    );
}

#[test]
fn the_kustomization_lists_every_object_file() {
    let artifacts = artifacts();
    let kustomization = object(&artifacts, "kustomization.yaml");
    let listed: Vec<&str> = kustomization["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Json::as_str)
        .collect();
    let written: Vec<String> = objects(&artifacts)
        .map(|(path, _)| path.trim_start_matches("kubernetes/").to_string())
        .collect();
    assert_eq!(listed, written);
    assert_eq!(listed.iter().collect::<BTreeSet<_>>().len(), listed.len());
}

#[test]
fn services_expose_the_named_ports() {
    let artifacts = artifacts();
    assert_eq!(
        object(&artifacts, "catalog/service.yaml")["spec"],
        json!({
            "type": "ClusterIP",
            "selector": { "app.kubernetes.io/name": "catalog" },
            "ports": [
                { "name": "http", "port": 8080, "targetPort": "http", "protocol": "TCP" },
                { "name": "metrics", "port": 9090, "targetPort": "metrics", "protocol": "TCP" },
            ],
        })
    );
    assert!(
        !has(&artifacts, "worker/service.yaml"),
        "the worker has no port"
    );
}

#[test]
fn routes_send_requests_to_the_workload_service() {
    let artifacts = artifacts();
    assert_eq!(
        object(&artifacts, "storefront/ingress-storefront-web.yaml")["spec"],
        json!({
            "ingressClassName": "nginx",
            "rules": [{
                "host": "shop.localtest.me",
                "http": { "paths": [{
                    "path": "/",
                    "pathType": "Prefix",
                    "backend": { "service": { "name": "storefront", "port": { "number": 8080 } } },
                }] },
            }],
        })
    );
    assert_eq!(
        object(&artifacts, "storefront/httproute-storefront-public.yaml")["spec"],
        json!({
            "parentRefs": [{ "name": "public", "namespace": "gateways" }],
            "hostnames": ["shop.example.com"],
            "rules": [{
                "matches": [{ "path": { "type": "PathPrefix", "value": "/shop" } }],
                "backendRefs": [{ "name": "storefront", "port": 8080 }],
            }],
        })
    );
}

#[test]
fn in_cluster_instances_keep_their_data_in_a_claim() {
    let artifacts = artifacts();
    let database = object(&artifacts, "instances/catalog-db/statefulset.yaml");
    assert_eq!(database["spec"]["serviceName"], "catalog-db");
    assert_eq!(database["spec"]["replicas"], 1);
    assert_eq!(
        database["spec"]["volumeClaimTemplates"][0]["spec"],
        json!({
            "accessModes": ["ReadWriteOnce"],
            "resources": { "requests": { "storage": "10Gi" } },
            "storageClassName": "standard",
        })
    );
    assert_eq!(
        database["metadata"]["labels"]["app.kubernetes.io/component"],
        "postgres"
    );
    let main = container(&database["spec"]["template"], "main");
    let mounts: Vec<&Json> = main["volumeMounts"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| &m["mountPath"])
        .collect();
    assert_eq!(
        mounts,
        [
            &json!("/tmp"),
            &json!("/var/lib/postgresql/data"),
            &json!("/var/run/postgresql")
        ]
    );
    assert_eq!(
        database["metadata"]["annotations"]["checkov.io/skip1"]
            .as_str()
            .map(|skip| skip.starts_with("CKV_K8S_40=")),
        Some(true),
        "a pod that runs as its image's own low user says why"
    );

    let queue = object(&artifacts, "instances/order-events/deployment.yaml");
    assert!(queue["spec"].get("volumeClaimTemplates").is_none());

    let index = object(
        &artifacts,
        "instances/search-index/persistentvolumeclaim.yaml",
    );
    assert_eq!(index["metadata"]["name"], "search-index");
    assert_eq!(
        index["spec"],
        json!({
            "accessModes": ["ReadWriteMany"],
            "resources": { "requests": { "storage": "5Gi" } },
            "storageClassName": "local-path",
        })
    );
}

#[test]
fn a_service_on_a_low_port_listens_on_its_container_port_for_every_protocol() {
    let mut fixture = fixture();
    let queue = fixture
        .env
        .instances
        .iter_mut()
        .find(|instance| instance.id == "order_events")
        .map(std::sync::Arc::make_mut)
        .expect("the fixture has a queue");
    if let crate::resolve::model::Provisioning::Kubernetes(service) = &mut queue.provisioning {
        service.port = Some(53);
        service.container_port = Some(1053);
        service.protocols = vec![
            crate::resolve::model::Protocol::Tcp,
            crate::resolve::model::Protocol::Udp,
        ];
        service.files = std::collections::BTreeMap::from([(
            "/etc/coredns/Corefile".to_string(),
            Value::String(".:1053 {\n  errors\n}\n".to_string()),
        )]);
        service.writable = vec!["/var/cache/dns".to_string()];
    }
    let artifacts = {
        let places = fixture.places();
        emit(&fixture.env, PROJECT, &|label| places.locate(label))
    };
    let service = object(&artifacts, "instances/order-events/service.yaml");
    assert_eq!(
        service["spec"]["ports"],
        json!([
            { "name": "service", "port": 53, "targetPort": "service", "protocol": "TCP" },
            { "name": "service-udp", "port": 53, "targetPort": "service-udp", "protocol": "UDP" },
        ])
    );
    let deployment = object(&artifacts, "instances/order-events/deployment.yaml");
    let pod = &deployment["spec"]["template"];
    let main = container(pod, "main");
    assert_eq!(
        main["ports"],
        json!([
            { "name": "service", "containerPort": 1053, "protocol": "TCP" },
            { "name": "service-udp", "containerPort": 1053, "protocol": "UDP" },
        ])
    );
    assert!(
        pod["spec"]["securityContext"].get("sysctls").is_none(),
        "no privileged port, no sysctl"
    );
    assert_eq!(
        main["volumeMounts"],
        json!([
            {
                "name": "files",
                "mountPath": "/etc/coredns/Corefile",
                "subPath": "file.etc.coredns.Corefile",
                "readOnly": true,
            },
            { "name": "tmp", "mountPath": "/tmp" },
            { "name": "writable-0", "mountPath": "/var/cache/dns" },
        ])
    );
    let config = object(&artifacts, "instances/order-events/configmap.yaml");
    assert_eq!(config["metadata"]["name"], "order-events-config");
    assert_eq!(
        config["data"]["file.etc.coredns.Corefile"],
        ".:1053 {\n  errors\n}\n"
    );
    assert!(
        pod["metadata"]["annotations"]["plat.dev/config-sha256"].is_string(),
        "a change of the files rolls the pod"
    );
    // The callers' policies name the pods' port, which a NetworkPolicy matches.
    let policy = object(&artifacts, "worker/networkpolicy.yaml");
    assert_eq!(
        policy["spec"]["egress"][1]["ports"],
        json!([{ "protocol": "TCP", "port": 1053 }, { "protocol": "UDP", "port": 1053 }])
    );
}

/// Writes the sample to the directory named by `PLAT_KUBERNETES_SAMPLE_DIR`, for
/// validators (`kubernetes-validate`, `checkov`) to read; does nothing otherwise.
#[test]
fn writes_the_sample_when_asked() {
    let Some(directory) = std::env::var_os("PLAT_KUBERNETES_SAMPLE_DIR") else {
        return;
    };
    let directory = std::path::PathBuf::from(directory);
    for artifact in artifacts() {
        let path = directory.join(&artifact.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create the sample's directories");
        }
        std::fs::write(&path, artifact.contents).expect("write the sample");
    }
}

#[test]
fn service_account_annotations_known_at_compile_time_are_on_the_service_account() {
    let mut fixture = fixture();
    std::sync::Arc::make_mut(&mut fixture.env.workloads[0]).service_account_annotations =
        std::collections::BTreeMap::from([
            ("team".to_string(), Value::String("checkout".to_string())),
            (
                "plat.dev/source".to_string(),
                Value::String("elsewhere".to_string()),
            ),
        ]);
    let name = fixture.env.workloads[0].name.clone();
    let artifacts = {
        let places = fixture.places();
        emit(&fixture.env, PROJECT, &|label| places.locate(label))
    };
    let account = object(&artifacts, &format!("{name}/serviceaccount.yaml"));
    assert_eq!(account["metadata"]["annotations"]["team"], "checkout");
    assert_ne!(
        account["metadata"]["annotations"]["plat.dev/source"], "elsewhere",
        "the source annotation always names the source"
    );
}

#[test]
fn a_service_account_with_a_provision_time_annotation_is_left_to_terraform() {
    let mut fixture = fixture();
    std::sync::Arc::make_mut(&mut fixture.env.workloads[0]).service_account_annotations =
        std::collections::BTreeMap::from([(
            "eks.amazonaws.com/role-arn".to_string(),
            Value::Deferred(Box::new(crate::resolve::value::Deferred::ModuleOutput {
                instance: "catalog.identity".into(),
                path: vec!["iam_role_arn".to_string()],
            })),
        )]);
    let name = fixture.env.workloads[0].name.clone();
    let artifacts = {
        let places = fixture.places();
        emit(&fixture.env, PROJECT, &|label| places.locate(label))
    };
    assert!(!has(&artifacts, &format!("{name}/serviceaccount.yaml")));
    let deployment = object(&artifacts, &format!("{name}/deployment.yaml"));
    assert_eq!(
        deployment["spec"]["template"]["spec"]["serviceAccountName"],
        name.as_str()
    );
}

/// The artefacts of the fixture with `change` made to its environment.
fn artifacts_with(
    change: impl FnOnce(&mut crate::resolve::model::ResolvedEnvironment),
) -> Vec<Artifact> {
    let mut fixture = fixture();
    change(&mut fixture.env);
    let places = fixture.places();
    emit(&fixture.env, PROJECT, &|label| places.locate(label))
}

fn workload_mut<'a>(
    env: &'a mut crate::resolve::model::ResolvedEnvironment,
    name: &str,
) -> &'a mut crate::resolve::model::ResolvedWorkload {
    match env
        .workloads
        .iter_mut()
        .find(|workload| workload.name == name)
    {
        Some(workload) => std::sync::Arc::make_mut(workload),
        None => panic!("no workload {name}"),
    }
}

fn worker_as_a_job(
    image: &str,
) -> impl FnOnce(&mut crate::resolve::model::ResolvedEnvironment) + '_ {
    use crate::resolve::model::{Job, JobRestart, WorkloadKind};
    move |env| {
        let worker = workload_mut(env, "worker");
        worker.kind = WorkloadKind::Job(Job {
            backoff_limit: 2,
            completions: None,
            parallelism: 1,
            active_deadline: Some(600),
            ttl_after_finished: None,
            restart: JobRestart::OnFailure,
        });
        worker.containers[0].image = image.to_string();
    }
}

#[test]
fn a_job_is_named_after_its_spec_and_has_no_deployment_service_or_budget() {
    let artifacts = artifacts_with(worker_as_a_job("ghcr.io/acme/worker:1.0.0"));
    for absent in [
        "worker/deployment.yaml",
        "worker/pdb.yaml",
        "worker/service.yaml",
    ] {
        assert!(!has(&artifacts, absent), "{absent}");
    }
    let job = object(&artifacts, "worker/job.yaml");
    assert_eq!(job["kind"], "Job");
    let name = job["metadata"]["name"].as_str().unwrap_or_default();
    let hash = name.strip_prefix("worker-").unwrap_or_default();
    assert!(
        hash.len() == 8 && hash.chars().all(|c| c.is_ascii_hexdigit()),
        "{name}"
    );
    assert_eq!(job["spec"]["backoffLimit"], 2);
    assert_eq!(job["spec"]["activeDeadlineSeconds"], 600);
    assert_eq!(
        job["spec"]["template"]["spec"]["restartPolicy"],
        "OnFailure"
    );
    // Another image is another Job: the API server refuses to change a Job's pods.
    let again = artifacts_with(worker_as_a_job("ghcr.io/acme/worker:1.0.1"));
    let renamed = object(&again, "worker/job.yaml");
    assert_ne!(renamed["metadata"]["name"], job["metadata"]["name"]);
    assert_eq!(
        object(
            &artifacts_with(worker_as_a_job("ghcr.io/acme/worker:1.0.0")),
            "worker/job.yaml"
        ),
        job,
        "the same job, the same name"
    );
}

#[test]
fn sidecars_and_init_containers_start_in_order_before_the_containers() {
    use crate::resolve::model::ContainerKind;
    let artifacts = artifacts_with(|env| {
        let catalog = workload_mut(env, "catalog");
        let mut migrate = catalog.containers[0].clone();
        migrate.name = "migrate".to_string();
        migrate.kind = ContainerKind::Init;
        migrate.ports.clear();
        migrate.liveness = None;
        migrate.readiness = None;
        catalog.containers[1].kind = ContainerKind::Sidecar;
        catalog.containers.insert(0, migrate);
    });
    let pod = &object(&artifacts, "catalog/deployment.yaml")["spec"]["template"]["spec"];
    let names = |field: &str| -> Vec<String> {
        pod[field]
            .as_array()
            .into_iter()
            .flatten()
            .map(|container| container["name"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(names("initContainers"), ["migrate", "sidecar"]);
    assert_eq!(names("containers"), ["main"]);
    assert!(pod["initContainers"][0].get("restartPolicy").is_none());
    assert_eq!(pod["initContainers"][1]["restartPolicy"], "Always");
    assert_eq!(
        pod["initContainers"][0]["securityContext"], pod["containers"][0]["securityContext"],
        "an init container is as restricted as the others"
    );
}

#[test]
fn an_autoscaled_deployment_leaves_its_replicas_to_the_autoscaler() {
    use crate::resolve::model::{Autoscaling, WorkloadKind};
    let artifacts = artifacts_with(|env| {
        workload_mut(env, "storefront").kind = WorkloadKind::Service {
            autoscaling: Some(Autoscaling {
                min: 3,
                max: 9,
                cpu: None,
                memory: Some(75),
            }),
        };
    });
    let deployment = object(&artifacts, "storefront/deployment.yaml");
    assert!(deployment["spec"].get("replicas").is_none(), "{deployment}");
    let scaler = object(&artifacts, "storefront/hpa.yaml");
    assert_eq!(scaler["apiVersion"], "autoscaling/v2");
    assert_eq!(
        scaler["spec"]["scaleTargetRef"],
        json!({ "apiVersion": "apps/v1", "kind": "Deployment", "name": "storefront" })
    );
    assert_eq!(
        (
            scaler["spec"]["minReplicas"].clone(),
            scaler["spec"]["maxReplicas"].clone()
        ),
        (json!(3), json!(9))
    );
    assert_eq!(
        scaler["spec"]["metrics"],
        json!([{ "type": "Resource", "resource": { "name": "memory", "target": { "type": "Utilization", "averageUtilization": 75 } } }])
    );
}

#[test]
fn a_service_listens_on_its_service_ports_and_routes_reach_them() {
    let artifacts = artifacts_with(|env| {
        workload_mut(env, "storefront")
            .service_ports
            .insert("http".to_string(), 80);
    });
    let service = object(&artifacts, "storefront/service.yaml");
    assert_eq!(
        service["spec"]["ports"],
        json!([{ "name": "http", "port": 80, "protocol": "TCP", "targetPort": "http" }])
    );
    let ingress = object(&artifacts, "storefront/ingress-storefront-web.yaml");
    assert_eq!(
        ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["port"]["number"],
        80
    );
    let route = object(&artifacts, "storefront/httproute-storefront-public.yaml");
    assert_eq!(route["spec"]["rules"][0]["backendRefs"][0]["port"], 80);
}
