//! If it checks, it deploys: properties of the whole output of every example that a
//! cluster and a cloud account need for what plat writes to plan, apply and connect.
//!
//! Each test builds every example with the `plat` binary and reads what it wrote (the
//! Kubernetes objects as YAML, the Terraform as JSON), so it holds for any project
//! shaped like them: every route reaches its workload, no NetworkPolicy opens every
//! address, caches and file systems admit the cluster, volumes that several pods mount
//! can be mounted by several nodes, buckets that say `public_read` are readable, the
//! in-cluster services' images get their data directories, users and ports, and every
//! module call fits the interface of the module version it pins.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use plat_compiler::resolve::model::{Instance, Owner, Provisioning, ResolvedEnvironment};
use plat_compiler::resolve::value::Value;
use plat_compiler::source::Database;
use serde_json::Value as Json;
use support::{args, run_plat};

/// The root of the repository.
fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// One environment of one example, as built.
struct Built {
    /// `shop/staging`.
    name: String,
    /// Every Kubernetes object, by path under `kubernetes/`.
    objects: BTreeMap<String, Json>,
    /// Every Terraform file, by path under `terraform/` (`workloads/api/main.tf.json`).
    terraform: BTreeMap<String, Json>,
    /// The environment, resolved by the library.
    model: ResolvedEnvironment,
}

impl Built {
    /// The Kubernetes objects of `kind`, with their paths.
    fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = (&'a String, &'a Json)> {
        self.objects
            .iter()
            .filter(move |(_, object)| object["kind"] == kind)
    }

    /// The instances of `offering`.
    fn instances_of<'a>(&'a self, offering: &'a str) -> impl Iterator<Item = &'a Instance> {
        self.model
            .instances
            .iter()
            .map(AsRef::as_ref)
            .filter(move |instance| instance.offering == offering)
    }

    /// Every `module` block of every root module: (root directory, name, block).
    fn modules(&self) -> Vec<(String, &String, &Json)> {
        self.terraform
            .iter()
            .filter_map(|(path, document)| {
                let root = path.rsplit_once('/')?.0.to_string();
                Some((root, document.get("module")?.as_object()?))
            })
            .flat_map(|(root, modules)| {
                modules
                    .iter()
                    .map(move |(name, block)| (root.clone(), name, block))
            })
            .collect()
    }

    /// Every resource block of `kind` in every root module, by its name.
    fn resources(&self, kind: &str) -> Vec<(&String, &Json)> {
        self.terraform
            .values()
            .filter_map(|document| document["resource"][kind].as_object())
            .flatten()
            .collect()
    }
}

/// Every environment of every example, built.
fn built() -> Vec<Built> {
    let mut examples: Vec<PathBuf> = fs::read_dir(repository().join("examples"))
        .expect("examples/ exists")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
        .collect();
    examples.sort();
    assert!(!examples.is_empty(), "no examples");
    let mut all = Vec::new();
    for example in examples {
        let name = example
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temp = tempfile::tempdir().expect("temp dir");
        let out = temp.path().join("out");
        let mut words = args(&["build"]);
        words.push(example.to_string_lossy().into_owned());
        words.push("--out".to_string());
        words.push(out.to_string_lossy().into_owned());
        let run = run_plat(&words);
        assert_eq!(run.status, Some(0), "{name}: {}", run.transcript());
        let db = Database::default();
        let loaded = plat_compiler::project::load(&db, &example).expect("project loads");
        let environments = plat_compiler::resolve::resolve_project(&db, loaded.project)
            .environments
            .clone();
        for model in environments {
            let directory = out.join(&model.name);
            let mut objects = BTreeMap::new();
            let mut terraform = BTreeMap::new();
            for (path, text) in files(&directory) {
                if let Some(rest) = path.strip_prefix("kubernetes/") {
                    if rest.ends_with(".yaml") && rest != "kustomization.yaml" {
                        let object: Json = serde_saphyr::from_str(&text)
                            .unwrap_or_else(|error| panic!("{path}: {error}"));
                        objects.insert(rest.to_string(), object);
                    }
                } else if let Some(rest) = path.strip_prefix("terraform/")
                    && rest.ends_with(".tf.json")
                {
                    let document: Json = serde_json::from_str(&text)
                        .unwrap_or_else(|error| panic!("{path}: {error}"));
                    terraform.insert(rest.to_string(), document);
                }
            }
            all.push(Built {
                name: format!("{name}/{}", model.name),
                objects,
                terraform,
                model,
            });
        }
    }
    all
}

/// Every file under `root`, by `/`-separated relative path, with its text.
fn files(root: &Path) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(directory) = pending.pop() {
        for entry in fs::read_dir(&directory).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if let Ok(text) = fs::read_to_string(&path) {
                let relative = path
                    .strip_prefix(root)
                    .expect("under root")
                    .to_string_lossy()
                    .replace('\\', "/");
                found.insert(relative, text);
            }
        }
    }
    found
}

fn list(value: &Json) -> impl Iterator<Item = &Json> {
    value.as_array().into_iter().flatten()
}

/// Whether the NetworkPolicy rule `rule` lets `peer` send to TCP `port` (a rule
/// without ports admits every port).
fn admits(rule: &Json, peer: &Json, port: u16) -> bool {
    let ports: Vec<&Json> = list(&rule["ports"]).collect();
    list(&rule["from"]).any(|from| from == peer)
        && (ports.is_empty()
            || ports
                .iter()
                .any(|entry| entry["port"] == port && entry["protocol"] == "TCP"))
}

#[test]
fn every_route_reaches_its_workload_in_every_environment() {
    let mut routes = 0;
    for built in built() {
        for workload in &built.model.workloads {
            let owned = built.model.instances.iter().filter(|instance| {
                instance.offering == "route"
                    && matches!(&instance.owner, Owner::Workload(owner) if *owner == workload.name)
            });
            for instance in owned {
                routes += 1;
                let name = &instance.object_name;
                let (object, route) = match &instance.provisioning {
                    Provisioning::Ingress(route) => {
                        (format!("{}/ingress-{name}.yaml", workload.name), route)
                    }
                    Provisioning::GatewayRoute(route) => {
                        (format!("{}/httproute-{name}.yaml", workload.name), route)
                    }
                    other => panic!(
                        "{}: the route `{}` is {other:?}: nothing in the cluster sends its requests to `{}`",
                        built.name, instance.id, workload.name
                    ),
                };
                let body = built.objects.get(&object).unwrap_or_else(|| {
                    panic!(
                        "{}: no {object} for the route `{}`",
                        built.name, instance.id
                    )
                });
                let text = body["spec"].to_string();
                assert!(
                    text.contains(&format!("\"{}\"", workload.name)) && text.contains(&route.host),
                    "{}: {object} does not send `{}` to the Service `{}`",
                    built.name,
                    route.host,
                    workload.name
                );
                let policy = &built.objects[&format!("{}/networkpolicy.yaml", workload.name)];
                let mut peers: Vec<Json> = route
                    .sources
                    .cidrs
                    .iter()
                    .map(|cidr| serde_json::json!({ "ipBlock": { "cidr": cidr } }))
                    .collect();
                let namespace = route.sources.namespace.clone().or_else(|| {
                    route
                        .sources
                        .cidrs
                        .is_empty()
                        .then(|| built.model.namespace.clone())
                });
                peers.extend(namespace.map(|namespace| {
                    serde_json::json!({ "namespaceSelector": { "matchLabels": { "kubernetes.io/metadata.name": namespace } } })
                }));
                assert!(
                    !peers.is_empty(),
                    "{}: `{}` comes from nowhere",
                    built.name,
                    instance.id
                );
                for peer in peers {
                    assert!(
                        list(&policy["spec"]["ingress"])
                            .any(|rule| admits(rule, &peer, route.port)),
                        "{}: the NetworkPolicy of `{}` does not let the requests of `{}` in from {peer} on {}",
                        built.name,
                        workload.name,
                        instance.id,
                        route.port
                    );
                }
            }
        }
    }
    assert!(routes > 0, "no example has a route");
}

#[test]
fn no_network_policy_opens_every_address() {
    for built in built() {
        for (path, policy) in built.of_kind("NetworkPolicy") {
            for direction in ["ingress", "egress"] {
                for rule in list(&policy["spec"][direction]) {
                    for peer in list(&rule["to"]).chain(list(&rule["from"])) {
                        let cidr = peer["ipBlock"]["cidr"].as_str().unwrap_or_default();
                        assert!(
                            cidr != "0.0.0.0/0" && cidr != "::/0",
                            "{}: {path} opens {cidr}",
                            built.name
                        );
                    }
                    assert!(
                        !list(&rule["to"])
                            .chain(list(&rule["from"]))
                            .any(|peer| peer.as_object().is_some_and(|peer| peer.is_empty())),
                        "{}: {path} has an empty peer, which selects everything",
                        built.name
                    );
                }
            }
        }
    }
}

#[test]
fn a_workload_reaches_exactly_the_endpoints_of_the_cloud_resources_it_uses() {
    let mut checked = 0;
    for built in built() {
        for workload in &built.model.workloads {
            let policy = &built.objects[&format!("{}/networkpolicy.yaml", workload.name)];
            let egress: Vec<&Json> = list(&policy["spec"]["egress"]).collect();
            let mut wanted = BTreeSet::new();
            for id in workload.resources.values() {
                let Some(instance) = built.model.instance(id) else {
                    continue;
                };
                if !matches!(instance.provisioning, Provisioning::Terraform(_)) {
                    continue;
                }
                for cidr in &instance.endpoints.cidrs {
                    for port in &instance.endpoints.ports {
                        wanted.insert((cidr.clone(), *port));
                    }
                }
            }
            let mut opened = BTreeSet::new();
            for rule in &egress {
                for peer in list(&rule["to"]) {
                    if let Some(cidr) = peer["ipBlock"]["cidr"].as_str() {
                        for port in list(&rule["ports"]) {
                            let port = port["port"].as_u64().unwrap_or_default();
                            opened.insert((cidr.to_string(), port as u16));
                        }
                    }
                }
            }
            assert_eq!(
                opened, wanted,
                "{}: `{}` may reach other addresses than its resources' endpoints",
                built.name, workload.name
            );
            checked += wanted.len();
        }
    }
    assert!(checked > 0, "no example reaches a cloud resource");
}

#[test]
fn every_cache_admits_the_cluster_and_says_whether_it_uses_tls() {
    let mut caches = 0;
    for built in built() {
        for instance in built.instances_of("redis") {
            caches += 1;
            let url = instance.outputs["url"].clone();
            let tls = &instance.outputs["tls"];
            let scheme = match &url {
                Value::String(text) => text.split(':').next().unwrap_or_default().to_string(),
                Value::Template(parts) => match parts.first() {
                    Some(plat_compiler::resolve::value::TemplatePart::Text(text)) => {
                        text.split(':').next().unwrap_or_default().to_string()
                    }
                    _ => String::new(),
                },
                other => panic!("{}: `{}`'s url is {other:?}", built.name, instance.id),
            };
            let expected = if *tls == Value::Bool(true) {
                "rediss"
            } else {
                "redis"
            };
            assert_eq!(
                scheme, expected,
                "{}: `{}` url and tls disagree",
                built.name, instance.id
            );
            let Provisioning::Terraform(module) = &instance.provisioning else {
                continue;
            };
            if module.source.contains("elasticache") {
                assert_eq!(
                    module.inputs["transit_encryption_enabled"],
                    Value::Bool(true)
                );
                assert_eq!(
                    *tls,
                    Value::Bool(true),
                    "{}: ElastiCache speaks TLS",
                    built.name
                );
                let Value::Map(rules) = &module.inputs["security_group_rules"] else {
                    panic!(
                        "{}: `{}` has no security group rules: nothing can connect",
                        built.name, instance.id
                    );
                };
                assert!(
                    rules.values().any(|rule| matches!(rule, Value::Map(rule)
                        if rule.contains_key("referenced_security_group_id")
                            && rule.get("type").is_none_or(|kind| *kind == Value::String("ingress".into())))),
                    "{}: `{}` admits no security group",
                    built.name,
                    instance.id
                );
            }
        }
    }
    assert!(caches > 0, "no example has a cache");
}

#[test]
fn a_volume_mounted_by_several_pods_can_be_mounted_by_several_nodes() {
    let mut shared = 0;
    for built in built() {
        let mut pods: BTreeMap<&str, u32> = BTreeMap::new();
        for workload in &built.model.workloads {
            let mounted: BTreeSet<&str> = workload
                .containers
                .iter()
                .flat_map(|container| container.volumes.values())
                .map(|id| id.as_str())
                .collect();
            for id in mounted {
                *pods.entry(id).or_default() += workload.replicas;
            }
        }
        for (id, count) in pods.into_iter().filter(|(_, count)| *count > 1) {
            shared += 1;
            let instance = built.model.instance(id).expect("mounted instance exists");
            let name = &instance.object_name;
            let modes = match built
                .objects
                .get(&format!("instances/{name}/persistentvolumeclaim.yaml"))
            {
                Some(claim) => claim["spec"]["accessModes"].clone(),
                None => built
                    .resources("kubernetes_persistent_volume_claim_v1")
                    .into_iter()
                    .find(|(_, claim)| claim["metadata"]["name"] == name.as_str())
                    .map(|(_, claim)| claim["spec"]["access_modes"].clone())
                    .unwrap_or_else(|| panic!("{}: no claim for `{id}`", built.name)),
            };
            assert_eq!(
                modes,
                serde_json::json!(["ReadWriteMany"]),
                "{}: {count} pods mount `{id}`",
                built.name
            );
        }
    }
    assert!(shared > 0, "no example shares a volume");
}

#[test]
fn file_systems_are_mounted_over_tls_through_their_csi_driver() {
    let mut volumes = 0;
    for built in built() {
        for (name, volume) in built.resources("kubernetes_persistent_volume_v1") {
            volumes += 1;
            let source = &volume["spec"]["persistent_volume_source"];
            assert!(
                source.get("nfs").is_none(),
                "{}: `{name}` is mounted as plain NFS",
                built.name
            );
            assert_eq!(
                source["csi"]["driver"], "efs.csi.aws.com",
                "{}: {name}",
                built.name
            );
            assert_eq!(
                source["csi"]["volume_attributes"]["encryptInTransit"],
                "true"
            );
        }
        for (root, name, module) in built.modules() {
            if module["source"] == "terraform-aws-modules/efs/aws" {
                assert_ne!(
                    module.get("attach_policy"),
                    Some(&Json::Bool(false)),
                    "{root}: {name}"
                );
                assert_ne!(
                    module.get("deny_nonsecure_transport"),
                    Some(&Json::Bool(false))
                );
                assert!(
                    module["security_group_rules"]
                        .as_object()
                        .into_iter()
                        .flatten()
                        .all(|(_, rule)| rule.get("cidr_blocks").is_none()),
                    "{}: `{name}` admits address ranges rather than the cluster",
                    built.name
                );
            }
        }
    }
    assert!(volumes > 0, "no example mounts a file system");
}

#[test]
fn a_bucket_that_says_public_read_grants_it() {
    let mut public = 0;
    for built in built() {
        for instance in built.instances_of("bucket") {
            let Provisioning::Terraform(module) = &instance.provisioning else {
                continue;
            };
            let wants = instance.params["public_read"] == Value::Bool(true);
            let (_, _, block) = built
                .modules()
                .into_iter()
                .find(|(_, name, _)| name.as_str() == instance.object_name.replace('-', "_"))
                .unwrap_or_else(|| panic!("{}: no module for `{}`", built.name, instance.id));
            let grants = if module.source.contains("s3-bucket") {
                let policy = block["policy"].as_str().unwrap_or_default();
                block["attach_policy"] == Json::Bool(true)
                    && block["block_public_policy"] == Json::Bool(false)
                    && block["restrict_public_buckets"] == Json::Bool(false)
                    && policy.contains("\"Principal\":\"*\"")
                    && policy.contains("s3:GetObject")
            } else {
                list(&block["iam_members"]).any(|member| member["member"] == "allUsers")
            };
            assert_eq!(grants, wants, "{}: `{}`", built.name, instance.id);
            public += usize::from(wants);
        }
    }
    assert!(public > 0, "no example has a public cloud bucket");
}

#[test]
fn in_cluster_images_get_their_data_directory_user_and_ports() {
    let mut seen = BTreeSet::new();
    for built in built() {
        for (path, object) in built.of_kind("StatefulSet") {
            let template = &object["spec"]["template"];
            let main = &template["spec"]["containers"][0];
            let image = main["image"].as_str().unwrap_or_default();
            let mounts: BTreeMap<&str, &str> = list(&main["volumeMounts"])
                .map(|mount| {
                    (
                        mount["name"].as_str().unwrap_or_default(),
                        mount["mountPath"].as_str().unwrap_or_default(),
                    )
                })
                .collect();
            let env: BTreeMap<&str, &Json> = list(&main["env"])
                .map(|variable| {
                    (
                        variable["name"].as_str().unwrap_or_default(),
                        &variable["value"],
                    )
                })
                .collect();
            let user = &template["spec"]["securityContext"]["runAsUser"];
            let (data, owner) = if image.starts_with("postgres:") {
                let pgdata = env
                    .get("PGDATA")
                    .and_then(|value| value.as_str())
                    .unwrap_or_default();
                assert!(
                    pgdata.starts_with("/var/lib/postgresql/data/"),
                    "{}: {path}: PGDATA {pgdata}",
                    built.name
                );
                assert!(
                    mounts.values().any(|mount| *mount == "/var/run/postgresql"),
                    "{path}: no socket directory"
                );
                ("/var/lib/postgresql/data", 70)
            } else if image.starts_with("mysql:") {
                assert!(
                    mounts.values().any(|mount| *mount == "/var/run/mysqld"),
                    "{path}: no socket directory"
                );
                ("/var/lib/mysql", 999)
            } else if image.starts_with("localstack/") {
                ("/var/lib/localstack", 1000)
            } else {
                continue;
            };
            seen.insert(image.split(':').next().unwrap_or_default().to_string());
            assert_eq!(
                mounts.get("data").copied(),
                Some(data),
                "{}: {path}: the claim is not the image's data directory",
                built.name
            );
            assert_eq!(user, owner, "{}: {path}", built.name);
        }
        for (path, deployment) in built.of_kind("Deployment") {
            let main = &deployment["spec"]["template"]["spec"]["containers"][0];
            if !main["image"]
                .as_str()
                .unwrap_or_default()
                .contains("coredns")
            {
                continue;
            }
            seen.insert("coredns".to_string());
            let directory = path.rsplit_once('/').map_or("", |(directory, _)| directory);
            let conf = list(&main["args"])
                .skip_while(|arg| *arg != "-conf")
                .nth(1)
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_string();
            let mount = list(&main["volumeMounts"])
                .find(|mount| mount["mountPath"] == conf.as_str())
                .unwrap_or_else(|| panic!("{}: {path}: nothing is mounted at {conf}", built.name));
            let volume = list(&deployment["spec"]["template"]["spec"]["volumes"])
                .find(|volume| volume["name"] == mount["name"])
                .expect("the mounted volume exists");
            let config_map = volume["configMap"]["name"].as_str().unwrap_or_default();
            let config = &built.objects[&format!("{directory}/configmap.yaml")];
            assert_eq!(config["metadata"]["name"], config_map);
            let corefile = config["data"][mount["subPath"].as_str().unwrap_or_default()]
                .as_str()
                .unwrap_or_default();
            let ports: Vec<&Json> = list(&main["ports"]).collect();
            for port in &ports {
                let number = port["containerPort"].as_u64().unwrap_or_default();
                assert!(
                    number >= 1024,
                    "{}: {path}: a non-root server cannot bind {number}",
                    built.name
                );
                assert!(
                    corefile.contains(&format!(":{number}")),
                    "{path}: the Corefile does not listen on {number}"
                );
            }
            let service = &built.objects[&format!("{directory}/service.yaml")];
            let protocols: BTreeSet<&str> = list(&service["spec"]["ports"])
                .filter(|port| port["port"] == 53)
                .filter_map(|port| port["protocol"].as_str())
                .collect();
            assert_eq!(
                protocols,
                BTreeSet::from(["TCP", "UDP"]),
                "{}: DNS answers on 53 over UDP and TCP",
                built.name
            );
            for port in list(&service["spec"]["ports"]) {
                assert!(
                    ports
                        .iter()
                        .any(|container| container["name"] == port["targetPort"]
                            && container["protocol"] == port["protocol"])
                );
            }
        }
    }
    for image in ["postgres", "mysql", "localstack/localstack", "coredns"] {
        assert!(
            seen.contains(image),
            "no example runs {image} in its cluster: {seen:?}"
        );
    }
}
