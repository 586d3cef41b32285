//! What one environment of a build holds, as `plat diff` compares it: its Kubernetes
//! objects, its Terraform root modules and their blocks, the module code copied beside
//! them, and its instances as `graph.json` describes them.
//!
//! Invariants: everything is read from the files' text alone (a build in memory or one
//! read from disk), never from the disk or the sources; the source locations plat
//! annotates Kubernetes objects with are left out (a moved line changes nothing that
//! runs); a file that cannot be read as
//! what its path says is named in `unreadable` rather than guessed at; maps are ordered,
//! so the same files give the same inventory.

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json};

/// One environment of a build, taken apart.
#[derive(Debug, Default)]
pub(crate) struct Inventory {
    /// `Deployment shop/api` → the object.
    pub(crate) objects: BTreeMap<String, Json>,
    /// `shared`, `workloads/api` → the root module.
    pub(crate) roots: BTreeMap<String, Root>,
    /// The files of the modules copied beside the root modules (`terraform/std/...`).
    pub(crate) module_files: BTreeMap<String, String>,
    /// By instance id.
    pub(crate) instances: BTreeMap<String, InstanceFacts>,
    /// Files that could not be read, with why.
    pub(crate) unreadable: Vec<String>,
}

/// A Terraform root module.
#[derive(Debug, Default)]
pub(crate) struct Root {
    /// `module.shared_db`, `random_password.shared_db`, `output.host`, `provider.aws`,
    /// `terraform` → the block.
    pub(crate) blocks: BTreeMap<String, Json>,
    /// The backend block: `{"s3": {...}}`.
    pub(crate) backend: Option<Json>,
    /// Whether it creates anything (it has a `main.tf.json`); a root module without is
    /// kept only to destroy what its state holds.
    pub(crate) creates: bool,
}

/// What `graph.json` says of an instance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct InstanceFacts {
    pub(crate) offering: String,
    pub(crate) version: String,
    pub(crate) implementation: String,
    pub(crate) provisioner: String,
    /// The owning workload's name; `None` for the environment's shared instances.
    pub(crate) owner: Option<String>,
    pub(crate) stateful: bool,
    pub(crate) protected: bool,
    pub(crate) removed: bool,
}

impl InstanceFacts {
    /// The root module that holds its Terraform: `shared` or `workloads/<owner>`.
    pub(crate) fn root(&self) -> String {
        match &self.owner {
            Some(owner) => format!("workloads/{owner}"),
            None => "shared".to_string(),
        }
    }

    /// `postgres on aws`.
    pub(crate) fn describe(&self) -> String {
        format!("{} on {}", self.offering, self.implementation)
    }
}

/// The inventory of one environment's files (path relative to the environment's
/// directory → text).
pub(crate) fn of(files: &BTreeMap<String, String>) -> Inventory {
    let mut inventory = Inventory::default();
    for (path, text) in files {
        if let Some(rest) = path.strip_prefix("kubernetes/") {
            if rest.ends_with(".yaml") && !rest.ends_with("kustomization.yaml") {
                inventory.add_object(path, text);
            }
        } else if let Some(rest) = path.strip_prefix("terraform/") {
            if rest.starts_with("std/") || rest.starts_with("project/") {
                inventory.module_files.insert(path.clone(), text.clone());
            } else if let Some((root, file)) = rest.rsplit_once('/')
                && file.ends_with(".tf.json")
            {
                inventory.add_terraform(path, root, file, text);
            }
        } else if path == "graph.json" {
            inventory.add_graph(text);
        }
    }
    inventory
}

impl Inventory {
    fn add_object(&mut self, path: &str, text: &str) {
        let mut object: Json = match serde_saphyr::from_str(text) {
            Ok(object) => object,
            Err(error) => {
                self.unreadable.push(format!("{path}: {error}"));
                return;
            }
        };
        without_source_locations(&mut object, 0);
        let kind = object["kind"].as_str().unwrap_or("Object");
        let name = object["metadata"]["name"].as_str().unwrap_or(path);
        let key = match object["metadata"]["namespace"].as_str() {
            Some(namespace) => format!("{kind} {namespace}/{name}"),
            None => format!("{kind} {name}"),
        };
        self.objects.insert(key, object);
    }

    fn add_terraform(&mut self, path: &str, root: &str, file: &str, text: &str) {
        let document: Json = match serde_json::from_str(text) {
            Ok(document) => document,
            Err(error) => {
                self.unreadable.push(format!("{path}: {error}"));
                return;
            }
        };
        let entry = self.roots.entry(root.to_string()).or_default();
        if file == "main.tf.json" {
            entry.creates = true;
        }
        let Some(sections) = document.as_object() else {
            return;
        };
        for (section, body) in sections {
            blocks(section, body, &mut entry.blocks);
        }
        if let Some(backend) = document["terraform"].get("backend") {
            entry.backend = Some(backend.clone());
        }
    }

    fn add_graph(&mut self, text: &str) {
        let graph: Json = match serde_json::from_str(text) {
            Ok(graph) => graph,
            Err(error) => {
                self.unreadable.push(format!("graph.json: {error}"));
                return;
            }
        };
        for node in graph["nodes"].as_array().into_iter().flatten() {
            if node["kind"] != "instance" {
                continue;
            }
            let text = |key: &str| node[key].as_str().unwrap_or_default().to_string();
            let Some(id) = node["name"].as_str() else {
                continue;
            };
            let facts = InstanceFacts {
                offering: text("offering"),
                version: text("version"),
                implementation: text("implementation"),
                provisioner: text("provisioner"),
                owner: node["owner"]
                    .as_str()
                    .map(|owner| owner.trim_start_matches("workload:").to_string()),
                // A graph written before plat knew which offerings keep data says
                // nothing: take every instance as keeping some, to be safe.
                stateful: node["stateful"].as_bool().unwrap_or(true),
                protected: node["protected"].as_bool().unwrap_or(false),
                removed: node["removed"].as_bool().unwrap_or(false),
            };
            self.instances.insert(id.to_string(), facts);
        }
    }
}

/// The annotation that says which line of the sources made an object.
const SOURCE_ANNOTATION: &str = "plat.dev/source";

/// `object` without the source locations plat annotates objects with: a line that moves
/// in a `.plat` file changes nothing that runs, and would bury what does.
fn without_source_locations(object: &mut Json, depth: usize) {
    if depth > 32 {
        return;
    }
    match object {
        Json::Object(entries) => {
            if let Some(Json::Object(annotations)) = entries.get_mut("annotations") {
                annotations.remove(SOURCE_ANNOTATION);
                if annotations.is_empty() {
                    entries.remove("annotations");
                }
            }
            for value in entries.values_mut() {
                without_source_locations(value, depth + 1);
            }
        }
        Json::Array(items) => items
            .iter_mut()
            .for_each(|item| without_source_locations(item, depth + 1)),
        _ => {}
    }
}

/// The blocks of one section of a Terraform JSON document, by address.
fn blocks(section: &str, body: &Json, into: &mut BTreeMap<String, Json>) {
    let Some(entries) = body.as_object() else {
        return;
    };
    match section {
        "resource" | "data" => {
            for (kind, named) in entries {
                for (name, block) in named.as_object().into_iter().flatten() {
                    let address = if section == "data" {
                        format!("data.{kind}.{name}")
                    } else {
                        format!("{kind}.{name}")
                    };
                    into.insert(address, block.clone());
                }
            }
        }
        "terraform" => {
            let settings: Map<String, Json> = entries
                .iter()
                .filter(|(key, _)| key.as_str() != "backend")
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect();
            into.insert("terraform".to_string(), Json::Object(settings));
        }
        _ => {
            for (name, block) in entries {
                into.insert(format!("{section}.{name}"), block.clone());
            }
        }
    }
}
