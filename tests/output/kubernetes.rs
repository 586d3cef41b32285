//! The Kubernetes objects of a build, checked against each other, and against the
//! objects that its Terraform writes into the cluster, as a cluster would judge them:
//! selectors select pods, every Secret, ConfigMap, claim and ServiceAccount a pod names
//! exists (with the key it reads), every claim can be mounted by the pods that mount
//! it, routes lead to pods, and the NetworkPolicies admit exactly the declared paths:
//! each declared call and use, the way in of every routed workload, and nothing else.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use crate::build::Built;
use crate::terraform::{Root, first};

/// A container port: its name, number and protocol.
type Port = (Option<String>, u64, String);

/// An object of the kustomization, with the file it is in.
pub struct Object {
    pub path: String,
    pub value: Json,
}

impl Object {
    pub fn kind(&self) -> &str {
        self.value["kind"].as_str().unwrap_or_default()
    }

    pub fn name(&self) -> &str {
        self.value["metadata"]["name"].as_str().unwrap_or_default()
    }

    pub fn namespace(&self) -> &str {
        self.value["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
    }
}

/// An object that Terraform writes into the cluster (`kubernetes_secret_v1`, ...).
pub struct Written {
    pub kind: &'static str,
    pub name: String,
    pub namespace: String,
    /// The keys of a Secret's or ConfigMap's data.
    pub keys: BTreeSet<String>,
    /// A claim's access modes.
    pub access_modes: Vec<String>,
    /// Where it is written: `terraform/workloads/api`.
    pub root: String,
}

/// The pods of one workload object (Deployment, StatefulSet, DaemonSet, Job, CronJob).
pub struct Pods<'a> {
    pub object: &'a Object,
    pub labels: BTreeMap<String, String>,
    pub spec: &'a Json,
    pub replicas: u64,
}

impl Pods<'_> {
    fn name(&self) -> &str {
        self.object.name()
    }

    pub fn namespace(&self) -> &str {
        self.object.namespace()
    }

    /// Every container port.
    fn ports(&self) -> Vec<Port> {
        containers(self.spec)
            .flat_map(|container| container["ports"].as_array().into_iter().flatten())
            .filter_map(|port| {
                Some((
                    port["name"].as_str().map(str::to_string),
                    port["containerPort"].as_u64()?,
                    port["protocol"].as_str().unwrap_or("TCP").to_string(),
                ))
            })
            .collect()
    }

    /// `workload storefront` or `instance shop-dns`, as messages name it.
    pub fn describe(&self) -> String {
        let what = if self.object.path.starts_with("kubernetes/instances/") {
            "instance"
        } else {
            "workload"
        };
        format!("{what} `{}`", self.name())
    }
}

/// A build's cluster side: its objects, what its Terraform writes into the cluster,
/// and its graph.
pub struct Cluster<'a> {
    pub built: &'a Built,
    pub objects: Vec<Object>,
    pub written: Vec<Written>,
    pub graph: Json,
}

impl<'a> Cluster<'a> {
    /// Reads the cluster side of `built`; `roots` are its Terraform root modules.
    pub fn read(built: &'a Built, roots: &[Root<'_>], problems: &mut Vec<String>) -> Self {
        let mut objects = Vec::new();
        for (path, text) in &built.files {
            if !path.starts_with("kubernetes/") || !path.ends_with(".yaml") {
                continue;
            }
            for document in text.split("\n---\n") {
                match serde_saphyr::from_str::<Json>(document) {
                    Ok(value) if value.is_object() => objects.push(Object {
                        path: path.clone(),
                        value,
                    }),
                    Ok(_) => {}
                    Err(error) => {
                        problems.push(format!("{} {path}: not YAML: {error}", built.name))
                    }
                }
            }
        }
        let graph = built
            .files
            .get("graph.json")
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or(Json::Null);
        Cluster {
            built,
            objects,
            written: written(roots),
            graph,
        }
    }

    /// The clusters of builds deployed together (a platform's and its applications'),
    /// as one: their objects, what their Terraform writes, and their graphs, merged.
    pub fn together(built: &'a Built, clusters: Vec<Cluster<'_>>) -> Cluster<'a> {
        let mut objects = Vec::new();
        let mut written = Vec::new();
        let mut nodes: Vec<Json> = Vec::new();
        let mut edges: Vec<Json> = Vec::new();
        for cluster in clusters {
            objects.extend(cluster.objects.into_iter().map(|object| Object {
                path: format!("{} {}", cluster.built.name, object.path),
                value: object.value,
            }));
            written.extend(cluster.written);
            for (list, key) in [(&mut nodes, "nodes"), (&mut edges, "edges")] {
                for entry in cluster.graph[key].as_array().into_iter().flatten() {
                    if !list.contains(entry) {
                        list.push(entry.clone());
                    }
                }
            }
        }
        Cluster {
            built,
            objects,
            written,
            graph: serde_json::json!({ "nodes": nodes, "edges": edges }),
        }
    }

    /// The pods of every workload object, each with the most replicas that may run at
    /// once: a HorizontalPodAutoscaler's `maxReplicas` for the object it scales, a
    /// Job's `parallelism`, two for a CronJob whose runs may overlap.
    pub fn pods(&self) -> Vec<Pods<'_>> {
        self.objects
            .iter()
            .filter_map(|object| {
                let spec = &object.value["spec"];
                let parallelism = |job: &Json| job["parallelism"].as_u64().unwrap_or(1);
                let (template, replicas) = match object.kind() {
                    "Deployment" | "StatefulSet" | "ReplicaSet" => (
                        &spec["template"],
                        self.autoscaled_to(object)
                            .unwrap_or_else(|| spec["replicas"].as_u64().unwrap_or(1)),
                    ),
                    "DaemonSet" => (&spec["template"], 2),
                    "Job" => (&spec["template"], parallelism(spec)),
                    "CronJob" => {
                        let job = &spec["jobTemplate"]["spec"];
                        let overlapping =
                            spec["concurrencyPolicy"].as_str().unwrap_or("Allow") == "Allow";
                        let runs = if overlapping { 2 } else { 1 };
                        (&job["template"], runs * parallelism(job))
                    }
                    _ => return None,
                };
                Some(Pods {
                    object,
                    labels: labels(&template["metadata"]["labels"]),
                    spec: &template["spec"],
                    replicas,
                })
            })
            .collect()
    }

    /// The `maxReplicas` of a HorizontalPodAutoscaler that scales `object`.
    fn autoscaled_to(&self, object: &Object) -> Option<u64> {
        self.objects_of("HorizontalPodAutoscaler")
            .filter(|scaler| scaler.namespace() == object.namespace())
            .find(|scaler| {
                let target = &scaler.value["spec"]["scaleTargetRef"];
                target["kind"].as_str() == Some(object.kind())
                    && target["name"].as_str() == Some(object.name())
            })
            .and_then(|scaler| scaler.value["spec"]["maxReplicas"].as_u64())
    }

    pub fn objects_of<'s>(&'s self, kind: &'s str) -> impl Iterator<Item = &'s Object> + 's {
        self.objects
            .iter()
            .filter(move |object| object.kind() == kind)
    }

    /// Every pod template: its object, its pod spec, and the names of the claims a
    /// StatefulSet makes for each pod (`volumeClaimTemplates`).
    pub fn pod_specs(&self) -> Vec<(&Object, &Json, Vec<String>)> {
        self.pods()
            .into_iter()
            .map(|pods| {
                let templates = pods.object.value["spec"]["volumeClaimTemplates"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|claim| claim["metadata"]["name"].as_str().map(str::to_string))
                    .collect();
                (pods.object, pods.spec, templates)
            })
            .collect()
    }

    /// The ports, with their protocols, of the Service `name` in `namespace`.
    /// The ports of the Service `name`: `(port, protocol, targetPort)`, the target as
    /// written (a number, or the name of a container port).
    pub fn service_ports<'s>(
        &'s self,
        namespace: &'s str,
        name: &'s str,
    ) -> impl Iterator<Item = (u64, String, Json)> + 's {
        self.objects_of("Service")
            .filter(move |service| service.name() == name && service.namespace() == namespace)
            .flat_map(|service| {
                service.value["spec"]["ports"]
                    .as_array()
                    .into_iter()
                    .flatten()
            })
            .filter_map(|port| {
                let number = port["port"].as_u64()?;
                let target = match &port["targetPort"] {
                    Json::Null => Json::from(number),
                    target => target.clone(),
                };
                Some((
                    number,
                    port["protocol"].as_str().unwrap_or("TCP").to_string(),
                    target,
                ))
            })
    }

    pub fn problem(&self, path: &str, text: String) -> String {
        format!("{} {path}: {text}", self.built.name)
    }
}

/// The objects that the Terraform of a build writes into the cluster.
fn written(roots: &[Root<'_>]) -> Vec<Written> {
    let kinds = [
        ("kubernetes_secret_v1", "Secret"),
        ("kubernetes_config_map_v1", "ConfigMap"),
        ("kubernetes_service_account_v1", "ServiceAccount"),
        (
            "kubernetes_persistent_volume_claim_v1",
            "PersistentVolumeClaim",
        ),
    ];
    let mut found = Vec::new();
    for root in roots {
        for (resource, _, body) in root.blocks("resource") {
            let Some((_, kind)) = kinds.iter().find(|(name, _)| *name == resource) else {
                continue;
            };
            let metadata = first(&body["metadata"]);
            let spec = first(&body["spec"]);
            let keys = ["data", "binary_data"]
                .iter()
                .flat_map(|field| body[*field].as_object().into_iter().flatten())
                .map(|(key, _)| key.clone())
                .collect();
            found.push(Written {
                kind,
                name: metadata["name"].as_str().unwrap_or_default().to_string(),
                namespace: metadata["namespace"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                keys,
                access_modes: strings(&spec["access_modes"]),
                root: root.dir.clone(),
            });
        }
    }
    found
}

fn strings(value: &Json) -> Vec<String> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Json::as_str)
        .map(str::to_string)
        .collect()
}

fn labels(value: &Json) -> BTreeMap<String, String> {
    value
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(key, value)| Some((key.clone(), value.as_str()?.to_string())))
        .collect()
}

pub fn containers(spec: &Json) -> impl Iterator<Item = &Json> {
    ["initContainers", "containers"]
        .into_iter()
        .flat_map(move |field| spec[field].as_array().into_iter().flatten())
}

/// Whether a label selector (`matchLabels`, `matchExpressions`, or a plain map as a
/// Service's) selects `labels`. An empty selector selects everything.
pub fn selects(selector: &Json, labels: &BTreeMap<String, String>) -> bool {
    let Some(entries) = selector.as_object() else {
        return true;
    };
    let plain = !entries.contains_key("matchLabels") && !entries.contains_key("matchExpressions");
    let required = if plain {
        selector
    } else {
        &selector["matchLabels"]
    };
    let labels_match = required
        .as_object()
        .into_iter()
        .flatten()
        .all(|(key, value)| labels.get(key).map(String::as_str) == value.as_str());
    let expressions_match = selector["matchExpressions"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|expression| {
            let key = expression["key"].as_str().unwrap_or_default();
            let values = strings(&expression["values"]);
            let value = labels.get(key);
            match expression["operator"].as_str().unwrap_or_default() {
                "In" => value.is_some_and(|value| values.contains(value)),
                "NotIn" => value.is_none_or(|value| !values.contains(value)),
                "Exists" => value.is_some(),
                "DoesNotExist" => value.is_none(),
                _ => false,
            }
        });
    labels_match && expressions_match
}

/// Services and PodDisruptionBudgets select pods; a Service's target ports are ports
/// of the pods it selects.
pub fn check_selectors(cluster: &Cluster<'_>, problems: &mut Vec<String>) {
    let pods = cluster.pods();
    for (kind, selector_of) in [
        (
            "Service",
            (|o: &Object| o.value["spec"]["selector"].clone()) as fn(&Object) -> Json,
        ),
        ("PodDisruptionBudget", |o: &Object| {
            o.value["spec"]["selector"].clone()
        }),
    ] {
        for object in cluster.objects_of(kind) {
            let selector = selector_of(object);
            if kind == "Service" && selector.is_null() {
                continue;
            }
            let selected: Vec<&Pods<'_>> = pods
                .iter()
                .filter(|p| p.namespace() == object.namespace() && selects(&selector, &p.labels))
                .collect();
            if selected.is_empty() {
                problems.push(cluster.problem(
                    &object.path,
                    format!(
                        "the {kind} `{}` selects no pods ({selector})",
                        object.name()
                    ),
                ));
                continue;
            }
            if kind != "Service" {
                continue;
            }
            for port in object.value["spec"]["ports"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let target = port.get("targetPort").unwrap_or(&port["port"]);
                let found = selected.iter().any(|p| {
                    p.ports().iter().any(|(name, number, _)| match target {
                        Json::String(wanted) => name.as_deref() == Some(wanted.as_str()),
                        other => other.as_u64() == Some(*number),
                    })
                });
                if !found {
                    problems.push(cluster.problem(
                        &object.path,
                        format!(
                            "the Service `{}` targets the port {target}, which no pod it selects declares",
                            object.name()
                        ),
                    ));
                }
            }
        }
    }
}

/// What a pod names: Secrets and ConfigMaps (with the keys read), claims and its
/// ServiceAccount exist in its namespace, made by the kustomization or the Terraform.
pub fn check_names(cluster: &Cluster<'_>, problems: &mut Vec<String>) {
    for pods in cluster.pods() {
        let at = |text: String| {
            cluster.problem(&pods.object.path, format!("{}: {text}", pods.describe()))
        };
        let namespace = pods.namespace();
        let mut named: Vec<(&str, String, Option<String>, bool)> = Vec::new();
        for container in containers(pods.spec) {
            for variable in container["env"].as_array().into_iter().flatten() {
                for (field, kind) in [("secretKeyRef", "Secret"), ("configMapKeyRef", "ConfigMap")]
                {
                    let reference = &variable["valueFrom"][field];
                    if let Some(name) = reference["name"].as_str() {
                        named.push((
                            kind,
                            name.to_string(),
                            reference["key"].as_str().map(str::to_string),
                            reference["optional"].as_bool().unwrap_or(false),
                        ));
                    }
                }
            }
            for source in container["envFrom"].as_array().into_iter().flatten() {
                for (field, kind) in [("secretRef", "Secret"), ("configMapRef", "ConfigMap")] {
                    if let Some(name) = source[field]["name"].as_str() {
                        let optional = source[field]["optional"].as_bool().unwrap_or(false);
                        named.push((kind, name.to_string(), None, optional));
                    }
                }
            }
        }
        for volume in pods.spec["volumes"].as_array().into_iter().flatten() {
            let mut sources = vec![volume];
            sources.extend(
                volume["projected"]["sources"]
                    .as_array()
                    .into_iter()
                    .flatten(),
            );
            for source in sources {
                for (field, name_field, kind) in [
                    ("secret", "secretName", "Secret"),
                    ("secret", "name", "Secret"),
                    ("configMap", "name", "ConfigMap"),
                    (
                        "persistentVolumeClaim",
                        "claimName",
                        "PersistentVolumeClaim",
                    ),
                ] {
                    let Some(name) = source[field][name_field].as_str() else {
                        continue;
                    };
                    let optional = source[field]["optional"].as_bool().unwrap_or(false);
                    let items = source[field]["items"].as_array().into_iter().flatten();
                    let keys: Vec<String> = items
                        .filter_map(|item| item["key"].as_str().map(str::to_string))
                        .collect();
                    if keys.is_empty() {
                        named.push((kind, name.to_string(), None, optional));
                    }
                    for key in keys {
                        named.push((kind, name.to_string(), Some(key), optional));
                    }
                }
            }
        }
        if let Some(account) = pods.spec["serviceAccountName"].as_str() {
            named.push(("ServiceAccount", account.to_string(), None, false));
        }
        for (kind, name, key, optional) in named {
            if optional {
                continue;
            }
            match existing_keys(cluster, kind, &name, namespace) {
                None => problems.push(at(format!(
                    "names the {kind} `{name}`, which neither the kustomization nor the Terraform creates in `{namespace}`"
                ))),
                Some(keys) => {
                    if let Some(key) = key
                        && !keys.contains(&key)
                    {
                        problems.push(at(format!(
                            "reads the key `{key}` of the {kind} `{name}`, which has only {}",
                            if keys.is_empty() {
                                "no keys".to_string()
                            } else {
                                keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                            }
                        )));
                    }
                }
            }
        }
    }
}

/// The keys of the object `kind`/`name` in `namespace`, made by the kustomization or
/// the Terraform; `None` when neither makes it.
fn existing_keys(
    cluster: &Cluster<'_>,
    kind: &str,
    name: &str,
    namespace: &str,
) -> Option<BTreeSet<String>> {
    if let Some(object) = cluster
        .objects_of(kind)
        .find(|object| object.name() == name && object.namespace() == namespace)
    {
        return Some(
            ["data", "stringData", "binaryData"]
                .iter()
                .flat_map(|field| object.value[*field].as_object().into_iter().flatten())
                .map(|(key, _)| key.clone())
                .collect(),
        );
    }
    cluster
        .written
        .iter()
        .find(|written| {
            written.kind == kind && written.name == name && written.namespace == namespace
        })
        .map(|written| written.keys.clone())
}

/// A claim that only one node may mount (`ReadWriteOnce`) is mounted by the pods of at
/// most one replica: more pods, on more than one node, fail with a Multi-Attach error.
pub fn check_claims(cluster: &Cluster<'_>, problems: &mut Vec<String>) {
    let mut claims: Vec<(String, String, Vec<String>, String)> = cluster
        .objects_of("PersistentVolumeClaim")
        .map(|object| {
            (
                object.name().to_string(),
                object.namespace().to_string(),
                strings(&object.value["spec"]["accessModes"]),
                object.path.clone(),
            )
        })
        .collect();
    claims.extend(
        cluster
            .written
            .iter()
            .filter(|written| written.kind == "PersistentVolumeClaim")
            .map(|written| {
                (
                    written.name.clone(),
                    written.namespace.clone(),
                    written.access_modes.clone(),
                    written.root.clone(),
                )
            }),
    );
    let pods = cluster.pods();
    for (name, namespace, modes, path) in claims {
        let single_node = modes
            .iter()
            .all(|mode| mode == "ReadWriteOnce" || mode == "ReadWriteOncePod");
        if !single_node {
            continue;
        }
        let mounting: Vec<&Pods<'_>> = pods
            .iter()
            .filter(|p| {
                p.namespace() == namespace
                    && p.spec["volumes"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|volume| {
                            volume["persistentVolumeClaim"]["claimName"].as_str() == Some(&name)
                        })
            })
            .collect();
        let replicas: u64 = mounting.iter().map(|p| p.replicas).sum();
        if replicas > 1 {
            let who: Vec<String> = mounting
                .iter()
                .map(|p| {
                    format!(
                        "{} ({} replica{})",
                        p.describe(),
                        p.replicas,
                        if p.replicas == 1 { "" } else { "s" }
                    )
                })
                .collect();
            problems.push(cluster.problem(
                &path,
                format!(
                    "the claim `{name}` is {} but {} pods mount it: {}; on more than one node they fail with a Multi-Attach error",
                    modes.join(", "),
                    replicas,
                    who.join(", ")
                ),
            ));
        }
    }
}

/// A connection the graph declares: `from` calls or uses `to`.
struct Declared {
    from: String,
    to: String,
    why: String,
}

/// The name of the objects of a graph node: a workload's name, or an instance's id
/// made a DNS label (`cart-api.carts` → `cart-api-carts`).
fn object_name(node: &str) -> Option<String> {
    if let Some(name) = node.strip_prefix("workload:") {
        return Some(name.to_string());
    }
    node.strip_prefix("instance:")
        .map(|id| id.replace(['.', '_'], "-"))
}

/// The NetworkPolicies admit every declared call and use, the way in of every routed
/// workload, and nothing else.
pub fn check_network_policies(cluster: &Cluster<'_>, problems: &mut Vec<String>) {
    let pods = cluster.pods();
    let policies: Vec<&Object> = cluster.objects_of("NetworkPolicy").collect();
    let by_name = |name: &str| pods.iter().find(|p| p.name() == name);
    let mut declared: Vec<Declared> = Vec::new();
    for edge in cluster.graph["edges"].as_array().into_iter().flatten() {
        let (Some(from), Some(to), Some(kind)) = (
            edge["from"].as_str(),
            edge["to"].as_str(),
            edge["kind"].as_str(),
        ) else {
            continue;
        };
        let (Some(from_name), Some(to_name)) = (object_name(from), object_name(to)) else {
            continue;
        };
        if by_name(&from_name).is_none() || by_name(&to_name).is_none() {
            continue;
        }
        declared.push(Declared {
            from: from_name,
            to: to_name,
            why: format!("{from} {kind} {to}"),
        });
    }
    // Every declared path is open, at both ends.
    for path in &declared {
        let (Some(from), Some(to)) = (by_name(&path.from), by_name(&path.to)) else {
            continue;
        };
        let ports = to.ports();
        let (egress, ingress) = ports
            .iter()
            .map(|port| sides(&policies, from, to, port, Addresses::External))
            .fold((false, false), |(e, i), (pe, pi)| (e || pe, i || pi));
        if ports.is_empty() {
            problems.push(cluster.problem(
                &to.object.path,
                format!("{} declares no port, though {}", to.describe(), path.why),
            ));
        } else if !egress || !ingress {
            let side = match (egress, ingress) {
                (false, false) => format!(
                    "neither the egress of {} nor the ingress of {}",
                    from.describe(),
                    to.describe()
                ),
                (false, true) => format!("the egress of {}", from.describe()),
                _ => format!("the ingress of {}", to.describe()),
            };
            problems.push(cluster.problem(
                &from.object.path,
                format!(
                    "{}, but the NetworkPolicies deny it: {side} admits any port of {}",
                    path.why,
                    to.describe()
                ),
            ));
        }
    }
    // Nothing else is open between the pods of the build.
    for from in &pods {
        for to in &pods {
            if std::ptr::eq(from, to) {
                continue;
            }
            if declared
                .iter()
                .any(|path| path.from == from.name() && path.to == to.name())
            {
                continue;
            }
            let open: Vec<String> = to
                .ports()
                .iter()
                .filter(|port| sides(&policies, from, to, port, Addresses::AnyPod) == (true, true))
                .map(|(_, number, protocol)| format!("{number}/{protocol}"))
                .collect();
            if !open.is_empty() {
                problems.push(cluster.problem(
                    &to.object.path,
                    format!(
                        "{} can reach {} on {}, though no call or use between them is declared",
                        from.describe(),
                        to.describe(),
                        open.join(", ")
                    ),
                ));
            }
        }
    }
    check_ways_in(cluster, &pods, &policies, problems);
    check_open_peers(cluster, &pods, &policies, problems);
}

/// How an `ipBlock` peer is read: whether it opens a path to a pod is up to the
/// network plugin, so a declared path must not rest on one, and an undeclared path
/// counts as open when one could admit it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Addresses {
    /// An `ipBlock` admits no pod.
    External,
    /// An `ipBlock` admits every pod.
    AnyPod,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    fn field(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Direction::Ingress => ("Ingress", "ingress", "from"),
            Direction::Egress => ("Egress", "egress", "to"),
        }
    }
}

/// The policies that select `pods` and restrict `direction`.
fn restricting<'p>(
    policies: &[&'p Object],
    pods: &Pods<'_>,
    direction: Direction,
) -> Vec<&'p Object> {
    let (kind, field, _) = direction.field();
    policies
        .iter()
        .copied()
        .filter(|policy| {
            policy.namespace() == pods.namespace()
                && selects(&policy.value["spec"]["podSelector"], &pods.labels)
        })
        .filter(|policy| {
            let types = strings(&policy.value["spec"]["policyTypes"]);
            if types.is_empty() {
                // Without `policyTypes`: Ingress always, Egress when there are egress rules.
                direction == Direction::Ingress || policy.value["spec"].get(field).is_some()
            } else {
                types.iter().any(|t| t == kind)
            }
        })
        .collect()
}

/// Whether `from`'s egress and `to`'s ingress let `from` open a connection to `to`
/// on `port`.
fn sides(
    policies: &[&Object],
    from: &Pods<'_>,
    to: &Pods<'_>,
    port: &Port,
    addresses: Addresses,
) -> (bool, bool) {
    (
        allowed(policies, from, to, port, Direction::Egress, addresses),
        allowed(policies, from, to, port, Direction::Ingress, addresses),
    )
}

/// Whether the policies let `from` open a connection to `to` on `port`, on the side
/// of `direction` (`Egress`: what `from`'s policies allow; `Ingress`: `to`'s).
fn allowed(
    policies: &[&Object],
    from: &Pods<'_>,
    to: &Pods<'_>,
    port: &Port,
    direction: Direction,
    addresses: Addresses,
) -> bool {
    let (subject, peer) = match direction {
        Direction::Egress => (from, to),
        Direction::Ingress => (to, from),
    };
    let (_, field, peers_field) = direction.field();
    let restricting = restricting(policies, subject, direction);
    if restricting.is_empty() {
        return true;
    }
    restricting.iter().any(|policy| {
        policy.value["spec"][field]
            .as_array()
            .into_iter()
            .flatten()
            .any(|rule| {
                let peers = rule.get(peers_field).and_then(Json::as_array);
                let peer_ok = match peers {
                    None => true,
                    Some(peers) if peers.is_empty() => true,
                    Some(peers) => peers
                        .iter()
                        .any(|p| peer_selects(p, policy.namespace(), peer, addresses)),
                };
                peer_ok && port_admitted(&rule["ports"], port)
            })
    })
}

/// Whether a policy peer (in a policy of `namespace`) selects the pods `pods`.
fn peer_selects(peer: &Json, namespace: &str, pods: &Pods<'_>, addresses: Addresses) -> bool {
    if peer.get("ipBlock").is_some() {
        return addresses == Addresses::AnyPod;
    }
    let namespace_ok = match peer.get("namespaceSelector") {
        Some(selector) => {
            let labels = BTreeMap::from([(
                "kubernetes.io/metadata.name".to_string(),
                pods.namespace().to_string(),
            )]);
            selects(selector, &labels)
        }
        None => pods.namespace() == namespace,
    };
    let pods_ok = peer
        .get("podSelector")
        .is_none_or(|selector| selects(selector, &pods.labels));
    namespace_ok && pods_ok
}

/// Whether the `ports` of a rule admit `port`.
fn port_admitted(ports: &Json, (name, number, protocol): &Port) -> bool {
    let Some(ports) = ports.as_array() else {
        return true;
    };
    if ports.is_empty() {
        return true;
    }
    ports.iter().any(|entry| {
        let protocol_ok = entry["protocol"].as_str().unwrap_or("TCP") == protocol;
        let port_ok = match &entry["port"] {
            Json::Null => true,
            Json::String(wanted) => name.as_deref() == Some(wanted.as_str()),
            value => match (value.as_u64(), entry["endPort"].as_u64()) {
                (Some(start), Some(end)) => (start..=end).contains(number),
                (Some(start), None) => start == *number,
                _ => false,
            },
        };
        protocol_ok && port_ok
    })
}

/// The routed workloads (those that own or use an instance of a route: the standard
/// library's `route`, or any `ingress` or `http_route` implementation), by name, with
/// the instance that routes to them.
fn routed(cluster: &Cluster<'_>) -> BTreeMap<String, String> {
    let nodes = cluster.graph["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let routes: BTreeSet<&str> = nodes
        .iter()
        .filter(|node| {
            node["offering"].as_str() == Some("route")
                || matches!(node["provisioner"].as_str(), Some("ingress" | "http_route"))
        })
        .filter_map(|node| node["id"].as_str())
        .collect();
    let mut found = BTreeMap::new();
    for node in &nodes {
        if let (Some(id), Some(owner)) = (node["id"].as_str(), node["owner"].as_str())
            && routes.contains(id)
            && let Some(workload) = owner.strip_prefix("workload:")
        {
            found.insert(workload.to_string(), id.to_string());
        }
    }
    for edge in cluster.graph["edges"].as_array().into_iter().flatten() {
        if let (Some(from), Some(to)) = (edge["from"].as_str(), edge["to"].as_str())
            && routes.contains(to)
            && let Some(workload) = from.strip_prefix("workload:")
        {
            found
                .entry(workload.to_string())
                .or_insert_with(|| to.to_string());
        }
    }
    found
}

/// Every routed workload has a way in from outside the namespace (an Ingress or
/// HTTPRoute whose backend is a Service that selects its pods, or a Service of type
/// LoadBalancer or NodePort), and its NetworkPolicies admit traffic from outside the
/// namespace on that way's port.
fn check_ways_in(
    cluster: &Cluster<'_>,
    pods: &[Pods<'_>],
    policies: &[&Object],
    problems: &mut Vec<String>,
) {
    let services: Vec<&Object> = cluster.objects_of("Service").collect();
    for (workload, route) in routed(cluster) {
        let Some(target) = pods
            .iter()
            .find(|p| p.name() == workload && !p.object.path.starts_with("kubernetes/instances/"))
        else {
            continue;
        };
        let selecting: Vec<&Object> = services
            .iter()
            .copied()
            .filter(|service| {
                service.namespace() == target.namespace()
                    && selects(&service.value["spec"]["selector"], &target.labels)
            })
            .collect();
        let mut ways: Vec<(String, Json)> = Vec::new();
        for service in &selecting {
            if matches!(
                service.value["spec"]["type"].as_str(),
                Some("LoadBalancer" | "NodePort")
            ) {
                for port in service.value["spec"]["ports"]
                    .as_array()
                    .into_iter()
                    .flatten()
                {
                    ways.push((
                        format!("the Service `{}`", service.name()),
                        port.get("targetPort").unwrap_or(&port["port"]).clone(),
                    ));
                }
            }
        }
        for ingress in cluster.objects_of("Ingress") {
            for backend in ingress_backends(&ingress.value) {
                if let Some(port) = service_target(
                    &selecting,
                    backend["service"]["name"].as_str(),
                    &backend["service"]["port"],
                ) {
                    ways.push((format!("the Ingress `{}`", ingress.name()), port));
                }
            }
        }
        for route in cluster.objects_of("HTTPRoute") {
            for rule in route.value["spec"]["rules"]
                .as_array()
                .into_iter()
                .flatten()
            {
                for backend in rule["backendRefs"].as_array().into_iter().flatten() {
                    let port = backend.get("port").cloned().unwrap_or(Json::Null);
                    let by_number = serde_json::json!({ "number": port });
                    if let Some(port) =
                        service_target(&selecting, backend["name"].as_str(), &by_number)
                    {
                        ways.push((format!("the HTTPRoute `{}`", route.name()), port));
                    }
                }
            }
        }
        let at = |text: String| {
            cluster.problem(
                &target.object.path,
                format!("{} (routed by `{route}`): {text}", target.describe()),
            )
        };
        if ways.is_empty() {
            problems.push(at(
                "nothing in the cluster leads to its pods: no Ingress or HTTPRoute whose backend selects them, and no Service of type LoadBalancer or NodePort".to_string(),
            ));
            continue;
        }
        for (way, port) in ways {
            let port = target
                .ports()
                .into_iter()
                .find(|(name, number, _)| match &port {
                    Json::String(wanted) => name.as_deref() == Some(wanted.as_str()),
                    other => other.as_u64() == Some(*number),
                });
            let Some(port) = port else {
                problems.push(at(format!("{way} leads to a port its pods do not declare")));
                continue;
            };
            if !admits_outside(policies, target, &port) {
                problems.push(at(format!(
                    "{way} leads to port {}, but its NetworkPolicies admit nothing from outside the namespace there (the ingress controller or gateway cannot reach it)",
                    port.1
                )));
            }
        }
    }
}

/// The backends of an Ingress: its default backend and every path's.
fn ingress_backends(ingress: &Json) -> Vec<&Json> {
    let mut backends: Vec<&Json> = Vec::new();
    if ingress["spec"].get("defaultBackend").is_some() {
        backends.push(&ingress["spec"]["defaultBackend"]);
    }
    for rule in ingress["spec"]["rules"].as_array().into_iter().flatten() {
        for path in rule["http"]["paths"].as_array().into_iter().flatten() {
            backends.push(&path["backend"]);
        }
    }
    backends
}

/// The target port behind the port (`{number}` or `{name}`) of the Service `name`, if
/// it is one of `services`.
fn service_target(services: &[&Object], name: Option<&str>, port: &Json) -> Option<Json> {
    let service = services
        .iter()
        .find(|service| Some(service.name()) == name)?;
    service.value["spec"]["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .find_map(|entry| {
            let matches = match (
                port.get("number").and_then(Json::as_u64),
                port.get("name").and_then(Json::as_str),
            ) {
                (Some(number), _) => entry["port"].as_u64() == Some(number),
                (None, Some(name)) => entry["name"].as_str() == Some(name),
                _ => false,
            };
            matches.then(|| entry.get("targetPort").unwrap_or(&entry["port"]).clone())
        })
}

/// Whether the ingress policies of `pods` admit, on `port`, a peer outside the
/// namespace (another namespace, or addresses).
fn admits_outside(policies: &[&Object], pods: &Pods<'_>, port: &Port) -> bool {
    let restricting = restricting(policies, pods, Direction::Ingress);
    restricting.is_empty()
        || restricting.iter().any(|policy| {
            policy.value["spec"]["ingress"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|rule| {
                    let peers = rule["from"].as_array();
                    let outside = match peers {
                        None => true,
                        Some(peers) => {
                            peers.is_empty()
                                || peers
                                    .iter()
                                    .any(|peer| is_outside(peer, policy.namespace()))
                        }
                    };
                    outside && port_admitted(&rule["ports"], port)
                })
        })
}

/// Whether a peer lets in something outside `namespace`.
fn is_outside(peer: &Json, namespace: &str) -> bool {
    if peer.get("ipBlock").is_some() {
        return true;
    }
    match peer.get("namespaceSelector") {
        None => false,
        Some(selector) => {
            let own = BTreeMap::from([(
                "kubernetes.io/metadata.name".to_string(),
                namespace.to_string(),
            )]);
            // Another namespace, or every namespace.
            !selects(selector, &own) || selector.as_object().is_none_or(|s| s.is_empty())
        }
    }
}

/// No policy admits everything: egress to `0.0.0.0/0` or `::/0` lets a pod reach any
/// address, and ingress from outside the namespace is for routed workloads only.
fn check_open_peers(
    cluster: &Cluster<'_>,
    pods: &[Pods<'_>],
    policies: &[&Object],
    problems: &mut Vec<String>,
) {
    let routed = routed(cluster);
    for policy in policies {
        let selected: Vec<&Pods<'_>> = pods
            .iter()
            .filter(|p| {
                p.namespace() == policy.namespace()
                    && selects(&policy.value["spec"]["podSelector"], &p.labels)
            })
            .collect();
        for rule in policy.value["spec"]["egress"]
            .as_array()
            .into_iter()
            .flatten()
        {
            for peer in rule["to"].as_array().into_iter().flatten() {
                if let Some(cidr) = peer["ipBlock"]["cidr"].as_str()
                    && cidr.ends_with("/0")
                {
                    problems.push(cluster.problem(
                        &policy.path,
                        format!(
                            "the NetworkPolicy `{}` lets its pods reach any address (egress to `{cidr}`); name the addresses of what they use instead",
                            policy.name()
                        ),
                    ));
                }
            }
        }
        for rule in policy.value["spec"]["ingress"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let outside = match rule["from"].as_array() {
                None => true,
                Some(peers) => {
                    peers.is_empty()
                        || peers
                            .iter()
                            .any(|peer| is_outside(peer, policy.namespace()))
                }
            };
            if !outside {
                continue;
            }
            for pods in &selected {
                if !routed.contains_key(pods.name()) {
                    problems.push(cluster.problem(
                        &policy.path,
                        format!(
                            "the NetworkPolicy `{}` admits traffic from outside the namespace into {}, which no route leads to",
                            policy.name(),
                            pods.describe()
                        ),
                    ));
                }
            }
        }
    }
}

/// Every file the kustomization lists exists, and every object file is listed.
pub fn check_kustomization(cluster: &Cluster<'_>, problems: &mut Vec<String>) {
    let Some(text) = cluster.built.files.get("kubernetes/kustomization.yaml") else {
        if cluster
            .built
            .files
            .keys()
            .any(|path| path.starts_with("kubernetes/"))
        {
            problems.push(cluster.problem("kubernetes/", "no kustomization.yaml".to_string()));
        }
        return;
    };
    let kustomization: Json = serde_saphyr::from_str(text).unwrap_or(Json::Null);
    let listed: BTreeSet<String> = strings(&kustomization["resources"])
        .into_iter()
        .map(|resource| format!("kubernetes/{resource}"))
        .collect();
    for resource in &listed {
        if !cluster.built.files.contains_key(resource) {
            problems.push(cluster.problem(
                "kubernetes/kustomization.yaml",
                format!("lists `{resource}`, which is not written"),
            ));
        }
    }
    for path in cluster.built.files.keys() {
        if path.starts_with("kubernetes/")
            && path.ends_with(".yaml")
            && path != "kubernetes/kustomization.yaml"
            && !listed.contains(path)
        {
            problems.push(cluster.problem(
                path,
                "is not listed in kustomization.yaml, so it is never applied".to_string(),
            ));
        }
    }
}
