//! Every Terraform root module of a build, checked as `terraform validate` and
//! `terraform plan` would: blocks against their providers' schemas, references against
//! what the root declares (resources and their attributes, module outputs, other roots'
//! outputs read through `terraform_remote_state`, those of the builds deployed with it
//! included), module calls against their modules'
//! interfaces, and provider constraints against the versions the schemas are of.

use std::collections::BTreeMap;

use plat_compiler::terraform::lock::{exact_version, is_exact_version};
use plat_compiler::terraform::source::ModuleSource;
use plat_compiler::terraform::{ModuleInterface, read_module};
use serde_json::{Map, Value as Json};

use crate::build::Built;
use crate::expressions::{self, Reference, Step};
use crate::schema::{self, closest};
use crate::versions;

/// One root module: a directory of `*.tf.json` files, merged.
pub struct Root<'a> {
    pub built: &'a Built,
    /// `terraform/workloads/api`.
    pub dir: String,
    pub document: Map<String, Json>,
}

impl Root<'_> {
    /// `shop/staging terraform/workloads/api`, to start a message with.
    pub fn name(&self) -> String {
        format!("{} {}", self.built.name, self.dir)
    }

    /// The blocks of a section by type and name: `resource` → `kubernetes_secret_v1` →
    /// `api`.
    pub fn blocks(&self, section: &str) -> Vec<(&str, &str, &Json)> {
        let mut found = Vec::new();
        for (kind, named) in self
            .document
            .get(section)
            .and_then(Json::as_object)
            .into_iter()
            .flatten()
        {
            for (name, body) in named.as_object().into_iter().flatten() {
                found.push((kind.as_str(), name.as_str(), body));
            }
        }
        found
    }

    /// The entries of a section by name: `module` → `cache`.
    pub fn entries(&self, section: &str) -> Vec<(&str, &Json)> {
        self.document
            .get(section)
            .and_then(Json::as_object)
            .into_iter()
            .flatten()
            .map(|(name, body)| (name.as_str(), body))
            .collect()
    }
}

/// The root modules of a build, with the problems of merging their files.
pub fn roots<'a>(built: &'a Built, problems: &mut Vec<String>) -> Vec<Root<'a>> {
    let mut documents: BTreeMap<String, Map<String, Json>> = BTreeMap::new();
    for (path, text) in &built.files {
        let Some(file) = path.strip_suffix(".tf.json") else {
            continue;
        };
        let dir = file.rsplit_once('/').map(|(dir, _)| dir).unwrap_or("");
        let document = documents.entry(dir.to_string()).or_default();
        match serde_json::from_str::<Json>(text) {
            Ok(Json::Object(entries)) => merge(
                document,
                entries,
                0,
                &format!("{} {path}", built.name),
                problems,
            ),
            Ok(_) => problems.push(format!("{} {path}: not a JSON object", built.name)),
            Err(error) => problems.push(format!("{} {path}: not JSON: {error}", built.name)),
        }
    }
    documents
        .into_iter()
        .map(|(dir, document)| Root {
            built,
            dir,
            document,
        })
        .collect()
}

/// A nested block as Terraform's JSON syntax allows it: an object, or a list of one.
pub fn first(value: &Json) -> &Json {
    match value {
        Json::Array(items) => items.first().unwrap_or(&Json::Null),
        other => other,
    }
}

/// Merges a file's sections into a root's: sections, types and names may each come
/// from several files, a block only from one.
fn merge(
    into: &mut Map<String, Json>,
    from: Map<String, Json>,
    depth: usize,
    at: &str,
    problems: &mut Vec<String>,
) {
    for (key, value) in from {
        match (into.get_mut(&key), value) {
            (Some(Json::Object(existing)), Json::Object(more)) if depth < 2 => {
                merge(existing, more, depth + 1, at, problems)
            }
            (Some(_), _) => problems.push(format!("{at}: `{key}` is declared twice")),
            (None, value) => {
                into.insert(key, value);
            }
        }
    }
}

/// Every `resource`, `data` and `provider` block fits its provider's schema.
pub fn check_blocks(root: &Root<'_>, problems: &mut Vec<String>) {
    let providers = schema::providers();
    for (section, data) in [("resource", false), ("data", true)] {
        for (kind, name, body) in root.blocks(section) {
            let at = format!(
                "{}: {}{kind}.{name}",
                root.name(),
                if data { "data." } else { "" }
            );
            let provider = schema::provider_of(kind);
            let Some(schema) = providers.get(provider) else {
                problems.push(format!("{at}: no schema for the provider `{provider}` in tests/data/terraform-providers"));
                continue;
            };
            let types = if data {
                &schema.data_sources
            } else {
                &schema.resources
            };
            let Some(entry) = types.get(kind) else {
                problems.push(format!(
                    "{at}: no schema for the type `{kind}`: add it to tests/data/terraform-providers/types.txt (see the README there)"
                ));
                continue;
            };
            schema.check_block(&entry.arguments, body, &at, true, problems);
        }
    }
    for (name, body) in root.entries("provider") {
        if let Some(arguments) = providers
            .get(name)
            .and_then(|provider| provider.arguments.as_ref())
        {
            let provider = &providers[name];
            provider.check_block(
                arguments,
                body,
                &format!("{}: provider.{name}", root.name()),
                false,
                problems,
            );
        }
    }
}

/// Every reference names something the root declares, and an attribute or output
/// that exists; `roots` are the build's other roots, for `terraform_remote_state`.
pub fn check_references(root: &Root<'_>, roots: &[&Root<'_>], problems: &mut Vec<String>) {
    let mut found = Vec::new();
    for section in ["module", "resource", "data", "output", "locals", "provider"] {
        if let Some(value) = root.document.get(section)
            && let Err(error) = expressions::references(value, section, &mut found)
        {
            problems.push(format!("{}: {error}", root.name()));
        }
    }
    for (at, reference) in &found {
        if let Some(problem) = reference_problem(root, roots, reference) {
            problems.push(format!(
                "{}: {at} reads `{}`: {problem}",
                root.name(),
                reference.text
            ));
        }
    }
}

fn reference_problem(
    root: &Root<'_>,
    roots: &[&Root<'_>],
    reference: &Reference,
) -> Option<String> {
    let steps: Vec<Option<&str>> = reference
        .steps
        .iter()
        .map(|step| match step {
            Step::Attr(name) => Some(name.as_str()),
            Step::Index => None,
        })
        .collect();
    match reference.root.as_str() {
        "module" => {
            let [Some(name), Some(output), ..] = steps.as_slice() else {
                return Some(
                    "a module reference names the module and one of its outputs".to_string(),
                );
            };
            let Some(call) = root
                .entries("module")
                .into_iter()
                .find(|(call, _)| call == name)
            else {
                return Some(format!("no module `{name}` is called here"));
            };
            match module_interface(root, call.1) {
                Err(problem) => Some(problem),
                Ok((described, interface)) => (interface.output(output).is_none()).then(|| {
                    let outputs: Vec<&str> =
                        interface.outputs.iter().map(|o| o.name.as_str()).collect();
                    format!(
                        "{described} has no output `{output}`{}",
                        closest(output, &outputs)
                    )
                }),
            }
        }
        "data" => {
            let [Some(kind), Some(name), rest @ ..] = steps.as_slice() else {
                return Some("a data reference names the type and the data source".to_string());
            };
            let Some((_, _, body)) = root
                .blocks("data")
                .into_iter()
                .find(|(k, n, _)| k == kind && n == name)
            else {
                return Some(format!("no data source `{kind}.{name}` is declared here"));
            };
            if *kind == "terraform_remote_state" {
                return remote_output_problem(root, roots, body, rest);
            }
            let provider = schema::providers().get(schema::provider_of(kind))?;
            let entry = provider.data_sources.get(*kind)?;
            provider
                .missing_attribute(entry, rest)
                .map(|missing| format!("`{kind}` has no attribute `{missing}`"))
        }
        "var" | "local" => {
            let section = if reference.root == "var" {
                "variable"
            } else {
                "locals"
            };
            let name = steps.first().copied().flatten()?;
            (!root
                .entries(section)
                .iter()
                .any(|(declared, _)| *declared == name))
            .then(|| format!("no {section} `{name}` is declared here"))
        }
        "path" | "terraform" | "each" | "count" | "self" => None,
        kind => {
            let Some(Some(name)) = steps.first() else {
                return Some(format!("`{kind}` alone is not a value"));
            };
            if !root
                .blocks("resource")
                .iter()
                .any(|(k, n, _)| *k == kind && n == name)
            {
                return Some(format!("no resource `{kind}.{name}` is declared here"));
            }
            let provider = schema::providers().get(schema::provider_of(kind))?;
            let entry = provider.resources.get(kind)?;
            provider
                .missing_attribute(entry, &steps[1..])
                .map(|missing| format!("`{kind}` has no attribute `{missing}`"))
        }
    }
}

/// `data.terraform_remote_state.X.outputs.NAME`: the root whose state `X` reads
/// declares the output `NAME`.
fn remote_output_problem(
    root: &Root<'_>,
    roots: &[&Root<'_>],
    body: &Json,
    rest: &[Option<&str>],
) -> Option<String> {
    let [Some("outputs"), Some(output), ..] = rest else {
        return None;
    };
    let Some(target) = roots
        .iter()
        .find(|other| writes_state_read_by(other, root, body))
    else {
        return Some("no root module of this build writes the state it reads".to_string());
    };
    (!target
        .entries("output")
        .iter()
        .any(|(name, _)| name == output))
    .then(|| format!("`{}` has no output `{output}`", target.dir))
}

/// Whether `target`'s backend writes the state that the remote state `body`, read in
/// `reader`, names.
fn writes_state_read_by(target: &Root<'_>, reader: &Root<'_>, body: &Json) -> bool {
    let Some(backends) = target
        .document
        .get("terraform")
        .and_then(|t| t.get("backend"))
        .and_then(Json::as_object)
    else {
        return false;
    };
    let Some((kind, config)) = backends.iter().next() else {
        return false;
    };
    if body.get("backend").and_then(Json::as_str) != Some(kind) {
        return false;
    }
    let read = body.get("config").cloned().unwrap_or(Json::Null);
    if kind == "local" {
        // A relative path is relative to the root module's directory.
        let path = |dir: &str, config: &Json| {
            config.get("path").and_then(Json::as_str).map(|path| {
                if path.starts_with('/') {
                    normalise(path)
                } else {
                    normalise(&format!("{dir}/{path}"))
                }
            })
        };
        return path(&target.dir, config).is_some()
            && path(&target.dir, config) == path(&reader.dir, &read);
    }
    ["bucket", "key", "prefix"]
        .iter()
        .all(|field| config.get(*field) == read.get(*field))
}

/// `a/b/../c` → `a/c`.
fn normalise(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// The interface of the module a `module` block calls, with how messages name it.
pub fn module_interface(root: &Root<'_>, call: &Json) -> Result<(String, ModuleInterface), String> {
    let source = call
        .get("source")
        .and_then(Json::as_str)
        .unwrap_or_default();
    let version = call.get("version").and_then(Json::as_str);
    match ModuleSource::of(source) {
        ModuleSource::Local => {
            let dir = normalise(&format!("{}/{source}", root.dir));
            let files: Vec<(String, Result<String, String>)> = root
                .built
                .files
                .iter()
                .filter(|(path, _)| {
                    path.strip_prefix(&format!("{dir}/"))
                        .is_some_and(|name| !name.contains('/') && name.ends_with(".tf"))
                })
                .map(|(path, text)| (path.clone(), Ok(text.clone())))
                .collect();
            read_module(&files)
                .map(|interface| (format!("`{source}`"), interface))
                .map_err(|_| {
                    format!("the module `{source}` is not in the build (no `.tf` files in `{dir}`)")
                })
        }
        remote => {
            let key = remote.key().unwrap_or_default().to_string();
            let version = match (&remote, version) {
                (ModuleSource::Registry(_), Some(version)) if is_exact_version(version) => {
                    Some(exact_version(version))
                }
                (ModuleSource::Registry(_), _) => {
                    return Err(format!(
                        "the registry module `{key}` is not pinned to one version"
                    ));
                }
                _ => None,
            };
            let described = match &version {
                Some(version) => format!("`{key}` {version}"),
                None => format!("`{key}`"),
            };
            root.built
                .lock
                .get(&key, version.as_deref())
                .cloned()
                .or_else(|| plat_compiler::stdlib::module_lock().get(&key, version.as_deref()))
                .map(|module| (described.clone(), module.interface()))
                .ok_or_else(|| format!("no lock records the interface of {described}"))
        }
    }
}

/// Terraform's own arguments of a `module` block.
const MODULE_META_ARGUMENTS: &[&str] = &[
    "source",
    "version",
    "providers",
    "count",
    "for_each",
    "depends_on",
];

/// Every module call sets only variables of its module, and all the required ones.
pub fn check_module_calls(root: &Root<'_>, problems: &mut Vec<String>) {
    for (name, call) in root.entries("module") {
        let at = format!("{}: module.{name}", root.name());
        let (described, interface) = match module_interface(root, call) {
            Ok(found) => found,
            Err(problem) => {
                problems.push(format!("{at}: {problem}"));
                continue;
            }
        };
        let set: Vec<&str> = call
            .as_object()
            .into_iter()
            .flatten()
            .map(|(key, _)| key.as_str())
            .filter(|key| !MODULE_META_ARGUMENTS.contains(key))
            .collect();
        let variables: Vec<&str> = interface
            .variables
            .iter()
            .map(|v| v.name.as_str())
            .collect();
        for key in &set {
            if interface.variable(key).is_none() {
                problems.push(format!(
                    "{at}: {described} has no variable `{key}`{}",
                    closest(key, &variables)
                ));
            }
        }
        for variable in interface.variables.iter().filter(|v| v.required) {
            if !set.contains(&variable.name.as_str()) {
                problems.push(format!(
                    "{at}: {described} needs the variable `{}`",
                    variable.name
                ));
            }
        }
    }
}

/// Every provider whose resources the root declares is required with a constraint
/// that admits the version its schema is of, and so are the constraints of the
/// modules it calls: the blocks are checked against a version the root would install.
pub fn check_provider_versions(root: &Root<'_>, problems: &mut Vec<String>) {
    let providers = schema::providers();
    let required = root
        .document
        .get("terraform")
        .and_then(|t| t.get("required_providers"))
        .and_then(Json::as_object)
        .cloned()
        .unwrap_or_default();
    let mut used: Vec<&str> = Vec::new();
    for section in ["resource", "data"] {
        for (kind, _, _) in root.blocks(section) {
            let provider = schema::provider_of(kind);
            if provider != "terraform" && !used.contains(&provider) {
                used.push(provider);
            }
        }
    }
    for provider in used {
        if !required.contains_key(provider) {
            problems.push(format!(
                "{}: `{provider}` is used but not in `required_providers`",
                root.name()
            ));
        }
    }
    let mut constraints: Vec<(String, String, String)> = Vec::new();
    for (provider, requirement) in &required {
        if let Some(version) = requirement.get("version").and_then(Json::as_str) {
            constraints.push((
                "the root".to_string(),
                provider.clone(),
                version.to_string(),
            ));
        }
    }
    for (name, call) in root.entries("module") {
        if let Ok((described, interface)) = module_interface(root, call) {
            for (provider, requirement) in &interface.required_providers {
                if let Some(version) = &requirement.version {
                    constraints.push((
                        format!("module.{name} ({described})"),
                        provider.clone(),
                        version.clone(),
                    ));
                }
            }
        }
    }
    for (who, provider, constraint) in constraints {
        let schema = providers.get(&provider).map(|schema| {
            (
                schema.version.as_str(),
                "the version whose schema the blocks are checked against",
            )
        });
        let validated = VALIDATED_WITH
            .iter()
            .filter(|(name, _)| *name == provider)
            .map(|(_, version)| (*version, "the version `terraform validate` runs with in CI"));
        for (version, why) in schema.into_iter().chain(validated) {
            match versions::admits(&constraint, version) {
                Ok(true) => {}
                Ok(false) => problems.push(format!(
                    "{}: {who} requires {provider} `{constraint}`, which excludes {version}, {why}",
                    root.name(),
                )),
                Err(error) => problems.push(format!("{}: {who}: {error}", root.name())),
            }
        }
    }
}

/// The providers that `.ci/terraform-validate` finds in the machine's filesystem
/// mirror: every root and every module it calls must admit them, or the roots cannot
/// be validated at all.
const VALIDATED_WITH: &[(&str, &str)] = &[("aws", "5.100.0")];
