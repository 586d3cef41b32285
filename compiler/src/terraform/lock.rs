//! The lock of module interfaces: what the registry and git modules a project calls
//! declare, recorded once (`plat modules lock`) and committed, so that implementations
//! are checked against them offline and the same way on every machine.
//!
//! A lock is a JSON document ([`LOCK_FILE`] at a project's root; the standard library
//! embeds its own, [`crate::stdlib::module_lock`]):
//!
//! ```json
//! {
//!   "format": 1,
//!   "modules": [
//!     {
//!       "source": "terraform-aws-modules/elasticache/aws",
//!       "version": "1.8.0",
//!       "variables": {
//!         "replication_group_id": { "type": "string", "default": "" },
//!         "subnet_ids": { "type": "list(string)", "required": true }
//!       },
//!       "outputs": { "replication_group_port": {} },
//!       "required_providers": { "aws": { "source": "hashicorp/aws", "version": ">= 5.93" } },
//!       "required_version": ">= 1.0"
//!     }
//!   ]
//! }
//! ```
//!
//! A module is keyed by its source (a registry address without the public registry's
//! host, with its `//subdirectory`; or a remote source as written) and, for registry
//! modules, its exact version.
//!
//! Invariants: reading never panics and never touches the disk (texts come from the
//! caller); [`ModuleLock::to_text`] is canonical (modules sorted by source and
//! version, keys sorted, two-space indents, a final newline), so that recording the
//! same interfaces twice gives the same bytes; the first record of a key wins when a
//! text repeats one, and repeats are reported.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{ModuleInterface, Output, RequiredProvider, TfType, Variable};

/// The file name of a project's lock, at its root.
pub const LOCK_FILE: &str = "plat.modules.lock.json";

/// The format this version of plat reads and writes.
pub const FORMAT: u32 = 1;

/// A lock's text, as JSON.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    format: u32,
    #[serde(default)]
    modules: Vec<LockedModule>,
}

/// One module's interface, as a lock records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockedModule {
    /// A registry address (`terraform-aws-modules/rds/aws//modules/db_instance`) or a
    /// remote source as written (`git::https://...?ref=v1.0.0`).
    pub source: String,
    /// The exact version of a registry module.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default)]
    pub variables: BTreeMap<String, LockedVariable>,
    #[serde(default)]
    pub outputs: BTreeMap<String, LockedOutput>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub required_providers: BTreeMap<String, RequiredProvider>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_version: Option<String>,
}

/// A variable, as a lock records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockedVariable {
    /// Terraform's type expression: `list(string)`.
    #[serde(rename = "type", default = "any_type")]
    pub ty: String,
    /// No `default`: a caller must set it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// The `default` of a variable that is not required (`null` is left out).
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub default: serde_json::Value,
    #[serde(default, skip_serializing_if = "is_false")]
    pub sensitive: bool,
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub nullable: bool,
}

/// An output, as a lock records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockedOutput {
    #[serde(default, skip_serializing_if = "is_false")]
    pub sensitive: bool,
}

fn any_type() -> String {
    "any".to_string()
}

fn yes() -> bool {
    true
}

fn is_false(value: &bool) -> bool {
    !*value
}

fn is_true(value: &bool) -> bool {
    *value
}

/// The key of a module in a lock: its source and, for a registry module, its version.
pub type ModuleKey = (String, Option<String>);

/// The interfaces a lock records, by source and version.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModuleLock {
    modules: BTreeMap<ModuleKey, LockedModule>,
}

/// A lock that could not be read: where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockError(pub String);

impl ModuleLock {
    /// Reads a lock's text. Repeated keys are an error, as is any other format.
    pub fn parse(text: &str) -> Result<ModuleLock, LockError> {
        let document: Document = serde_json::from_str(text).map_err(|error| {
            LockError(format!(
                "line {}, column {}: {}",
                error.line(),
                error.column(),
                first_sentence(&error.to_string())
            ))
        })?;
        if document.format != FORMAT {
            return Err(LockError(format!(
                "format {} is not one this version of plat reads (it reads format {FORMAT})",
                document.format
            )));
        }
        let mut lock = ModuleLock::default();
        for module in document.modules {
            let key = module.key();
            if lock.modules.contains_key(&key) {
                return Err(LockError(format!(
                    "the module {} is recorded twice",
                    describe_key(&key)
                )));
            }
            lock.modules.insert(key, module);
        }
        Ok(lock)
    }

    /// The canonical text of the lock: one module per block, one variable, output or
    /// provider per line, so that a review of a version bump reads as a diff of the
    /// interface.
    pub fn to_text(&self) -> String {
        let mut modules: Vec<&LockedModule> = self.modules.values().collect();
        modules.sort_by_key(|module| sort_key(module));
        let mut text = format!("{{\n  \"format\": {FORMAT},\n  \"modules\": [");
        for (index, module) in modules.iter().enumerate() {
            text.push_str(if index == 0 { "\n" } else { ",\n" });
            write_module(&mut text, module);
        }
        text.push_str(if modules.is_empty() {
            "]\n}\n"
        } else {
            "\n  ]\n}\n"
        });
        text
    }

    /// Records a module, replacing what the lock held for its key.
    pub fn insert(&mut self, module: LockedModule) {
        self.modules.insert(module.key(), module);
    }

    /// The module recorded for `source` (a lock key, see
    /// [`super::source::ModuleSource::key`]) at `version`.
    pub fn get(&self, source: &str, version: Option<&str>) -> Option<&LockedModule> {
        self.modules
            .get(&(source.to_string(), version.map(str::to_string)))
    }

    /// Every recorded module, by key.
    pub fn modules(&self) -> impl Iterator<Item = &LockedModule> {
        self.modules.values()
    }

    /// The versions recorded for `source`, in order.
    pub fn versions(&self, source: &str) -> Vec<String> {
        versions_of(self.modules.keys(), source)
    }

    pub fn len(&self) -> usize {
        self.modules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.modules.is_empty()
    }
}

impl LockedModule {
    /// What a module declares, as a lock records it under `source` and `version`.
    pub fn new(source: String, version: Option<String>, interface: &ModuleInterface) -> Self {
        LockedModule {
            source,
            version,
            variables: interface
                .variables
                .iter()
                .map(|variable| {
                    (
                        variable.name.clone(),
                        LockedVariable {
                            ty: variable.type_text.clone(),
                            required: variable.required,
                            default: variable.default.clone(),
                            sensitive: variable.sensitive,
                            nullable: variable.nullable,
                        },
                    )
                })
                .collect(),
            outputs: interface
                .outputs
                .iter()
                .map(|output| {
                    (
                        output.name.clone(),
                        LockedOutput {
                            sensitive: output.sensitive,
                        },
                    )
                })
                .collect(),
            required_providers: interface.required_providers.clone(),
            required_version: interface.required_version.clone(),
        }
    }

    pub fn key(&self) -> ModuleKey {
        (self.source.clone(), self.version.clone())
    }

    /// The interface the checker reads.
    pub fn interface(&self) -> ModuleInterface {
        ModuleInterface {
            variables: self
                .variables
                .iter()
                .map(|(name, variable)| Variable {
                    name: name.clone(),
                    ty: TfType::from_text(&variable.ty),
                    type_text: variable.ty.clone(),
                    required: variable.required,
                    default: variable.default.clone(),
                    sensitive: variable.sensitive,
                    nullable: variable.nullable,
                    doc: None,
                })
                .collect(),
            outputs: self
                .outputs
                .iter()
                .map(|(name, output)| Output {
                    name: name.clone(),
                    sensitive: output.sensitive,
                    doc: None,
                })
                .collect(),
            required_providers: self.required_providers.clone(),
            required_version: self.required_version.clone(),
        }
    }
}

/// One module of [`ModuleLock::to_text`], indented by four spaces.
fn write_module(text: &mut String, module: &LockedModule) {
    let mut fields = vec![format!("\"source\": {}", json(&module.source))];
    if let Some(version) = &module.version {
        fields.push(format!("\"version\": {}", json(version)));
    }
    fields.push(format!("\"variables\": {}", table(&module.variables)));
    fields.push(format!("\"outputs\": {}", table(&module.outputs)));
    if !module.required_providers.is_empty() {
        fields.push(format!(
            "\"required_providers\": {}",
            table(&module.required_providers)
        ));
    }
    if let Some(version) = &module.required_version {
        fields.push(format!("\"required_version\": {}", json(version)));
    }
    text.push_str("    {\n      ");
    text.push_str(&fields.join(",\n      "));
    text.push_str("\n    }");
}

/// A map with one entry per line, each value on that line.
fn table<T: Serialize>(entries: &BTreeMap<String, T>) -> String {
    if entries.is_empty() {
        return "{}".to_string();
    }
    let lines: Vec<String> = entries
        .iter()
        .map(|(name, value)| format!("        {}: {}", json(name), json(value)))
        .collect();
    format!("{{\n{}\n      }}", lines.join(",\n"))
}

/// Compact JSON. Serialising plain data with string keys cannot fail.
fn json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// A module that `terraform init` installed, as its `.terraform/modules/modules.json`
/// lists it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct InstalledModule {
    /// The module call's path: `cart`, `cart.user_group`; empty for the root.
    #[serde(rename = "Key")]
    pub key: String,
    /// The source as Terraform records it: `registry.terraform.io/a/b/c//modules/d`.
    #[serde(rename = "Source")]
    pub source: String,
    /// The installed version of a registry module.
    #[serde(rename = "Version", default)]
    pub version: Option<String>,
    /// Where it was installed, relative to the root module: `.terraform/modules/cart`.
    #[serde(rename = "Dir")]
    pub dir: String,
}

/// The modules `terraform init` installed, from the text of its `modules.json`.
pub fn installed_modules(text: &str) -> Result<Vec<InstalledModule>, LockError> {
    #[derive(Deserialize)]
    struct Manifest {
        #[serde(rename = "Modules", default)]
        modules: Vec<InstalledModule>,
    }
    serde_json::from_str::<Manifest>(text)
        .map(|manifest| manifest.modules)
        .map_err(|error| {
            LockError(format!(
                "line {}, column {}: {}",
                error.line(),
                error.column(),
                first_sentence(&error.to_string())
            ))
        })
}

/// A lock in canonical text, indexed by key without reading its modules: each is read
/// when it is asked for. The standard library's lock is large (every release of every
/// module it calls), and a check reads a handful of them.
///
/// Invariant: the text is canonical ([`ModuleLock::to_text`]), as a test holds the
/// standard library's: every module is a block between a line `    {` and a line
/// `    }` (or `    },`), its first lines `"source"` and, if any, `"version"`.
#[derive(Debug, Default)]
pub struct LockIndex {
    text: &'static str,
    modules: BTreeMap<ModuleKey, std::ops::Range<usize>>,
}

impl LockIndex {
    /// Indexes the canonical text of a lock; a block that does not read as a module is
    /// left out.
    pub fn new(text: &'static str) -> LockIndex {
        let mut modules = BTreeMap::new();
        let mut start = None;
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let trimmed = line.trim_end_matches('\n');
            if trimmed == "    {" {
                start = Some(offset);
            } else if (trimmed == "    }" || trimmed == "    },")
                && let Some(begin) = start.take()
            {
                let end = offset + "    }".len();
                if let Some(key) = block_key(&text[begin..end]) {
                    modules.insert(key, begin..end);
                }
            }
            offset += line.len();
        }
        LockIndex { text, modules }
    }

    /// The module recorded for `source` at `version`, read from its block.
    pub fn get(&self, source: &str, version: Option<&str>) -> Option<LockedModule> {
        let range = self
            .modules
            .get(&(source.to_string(), version.map(str::to_string)))?;
        serde_json::from_str(&self.text[range.clone()]).ok()
    }

    /// The versions recorded for `source`, in order.
    pub fn versions(&self, source: &str) -> Vec<String> {
        versions_of(self.modules.keys(), source)
    }

    /// Whether any version of `source` is recorded.
    pub fn knows(&self, source: &str) -> bool {
        self.modules.keys().any(|(recorded, _)| recorded == source)
    }

    /// Every key, in order.
    pub fn keys(&self) -> impl Iterator<Item = &ModuleKey> {
        self.modules.keys()
    }
}

/// The key of a module's block in canonical text, from its `source` and `version` lines.
fn block_key(block: &str) -> Option<ModuleKey> {
    let field = |name: &str| {
        block.lines().find_map(|line| {
            let value = line
                .trim()
                .strip_prefix(&format!("\"{name}\": "))?
                .trim_end_matches(',');
            serde_json::from_str::<String>(value).ok()
        })
    };
    Some((field("source")?, field("version")))
}

/// `terraform-aws-modules/rds/aws` `6.10.0`, as a message names a key.
pub fn describe_key((source, version): &ModuleKey) -> String {
    match version {
        Some(version) => format!("`{source}` version `{version}`"),
        None => format!("`{source}`"),
    }
}

/// Sorts modules by source, then by version as numbers (`1.10.0` after `1.9.0`).
fn sort_key(module: &LockedModule) -> (String, Vec<(u64, String)>) {
    (
        module.source.clone(),
        version_order(module.version.as_deref().unwrap_or_default()),
    )
}

/// The versions among `keys` recorded for `source`, in order.
fn versions_of<'a>(keys: impl Iterator<Item = &'a ModuleKey>, source: &str) -> Vec<String> {
    let mut versions: Vec<String> = keys
        .filter(|(recorded, _)| recorded == source)
        .filter_map(|(_, version)| version.clone())
        .collect();
    versions.sort_by_key(|version| version_order(version));
    versions
}

/// A key that sorts versions as numbers: `1.9.0` before `1.10.0`.
pub fn version_order(version: &str) -> Vec<(u64, String)> {
    version
        .split(['.', '-', '+'])
        .map(|part| (part.parse::<u64>().unwrap_or(u64::MAX), part.to_string()))
        .collect()
}

/// Whether `version` names one release exactly (`1.4.1`, `v2.0.0-rc.1`): not a
/// constraint such as `~> 1.4` or `>= 1.0`, which `terraform init` resolves to
/// whichever release is newest that day.
pub fn is_exact_version(version: &str) -> bool {
    let version = version.trim();
    let version = version.strip_prefix('=').unwrap_or(version).trim();
    let version = version.strip_prefix('v').unwrap_or(version);
    let core = version.split(['-', '+']).next().unwrap_or_default();
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()))
}

/// The version a lock is keyed by: an exact version without `=`, `v` or spaces, as
/// `terraform init` records it (`1.4.1`).
pub fn exact_version(version: &str) -> String {
    let version = version.trim();
    let version = version.strip_prefix('=').unwrap_or(version).trim();
    version.strip_prefix('v').unwrap_or(version).to_string()
}

/// The first line of serde's message, without its " at line 1 column 2" suffix.
fn first_sentence(message: &str) -> String {
    let line = message.lines().next().unwrap_or_default();
    match line.find(" at line ") {
        Some(end) => line[..end].to_string(),
        None => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"{
  "format": 1,
  "modules": [
    {
      "source": "acme/db/aws",
      "version": "1.10.0",
      "variables": {
        "name": { "type": "string", "required": true },
        "size": { "type": "number", "default": 10 },
        "tags": { "type": "map(string)", "nullable": false, "default": {} }
      },
      "outputs": { "endpoint": {}, "password": { "sensitive": true } }
    },
    {
      "source": "acme/db/aws",
      "version": "1.9.0",
      "variables": {},
      "outputs": {}
    }
  ]
}
"#;

    #[test]
    fn a_lock_reads_its_modules_and_gives_their_interfaces() {
        let lock = ModuleLock::parse(LOCK).expect("a valid lock");
        assert_eq!(lock.len(), 2);
        let module = lock.get("acme/db/aws", Some("1.10.0")).expect("recorded");
        let interface = module.interface();
        let variables: Vec<(&str, String, bool)> = interface
            .variables
            .iter()
            .map(|v| (v.name.as_str(), v.ty.to_string(), v.required))
            .collect();
        assert_eq!(
            variables,
            vec![
                ("name", "string".to_string(), true),
                ("size", "number".to_string(), false),
                ("tags", "map(string)".to_string(), false),
            ]
        );
        assert!(interface.output("password").is_some_and(|o| o.sensitive));
        assert!(lock.get("acme/db/aws", Some("2.0.0")).is_none());
    }

    #[test]
    fn the_text_of_a_lock_is_canonical() {
        let lock = ModuleLock::parse(LOCK).expect("a valid lock");
        let text = lock.to_text();
        assert_eq!(ModuleLock::parse(&text).expect("reads back"), lock);
        assert_eq!(
            ModuleLock::parse(&text).expect("reads back").to_text(),
            text
        );
        // Versions in numeric order: 1.9.0 before 1.10.0.
        let first = text.find("\"1.9.0\"").expect("1.9.0");
        let second = text.find("\"1.10.0\"").expect("1.10.0");
        assert!(first < second, "{text}");
    }

    #[test]
    fn an_index_of_canonical_text_reads_the_same_modules() {
        let lock = ModuleLock::parse(LOCK).expect("a valid lock");
        let text: &'static str = Box::leak(lock.to_text().into_boxed_str());
        let index = LockIndex::new(text);
        let keys: Vec<&ModuleKey> = index.keys().collect();
        assert_eq!(keys, lock.modules.keys().collect::<Vec<_>>());
        for module in lock.modules() {
            assert_eq!(
                index
                    .get(&module.source, module.version.as_deref())
                    .as_ref(),
                Some(module)
            );
        }
        assert_eq!(index.versions("acme/db/aws"), vec!["1.9.0", "1.10.0"]);
        assert!(index.knows("acme/db/aws") && !index.knows("acme/other/aws"));
    }

    #[test]
    fn a_broken_lock_says_where_and_why() {
        let error =
            ModuleLock::parse("{\n  \"format\": 1,\n  \"modules\": [ { \"sourc\": 1 } ]\n}")
                .expect_err("unknown field");
        assert!(error.0.starts_with("line 3, column"), "{}", error.0);
        assert!(error.0.contains("unknown field `sourc`"), "{}", error.0);
        let error = ModuleLock::parse("{ \"format\": 2 }").expect_err("newer format");
        assert!(error.0.contains("format 2"), "{}", error.0);
        let twice = r#"{ "format": 1, "modules": [ { "source": "a/b/c", "version": "1.0.0" }, { "source": "a/b/c", "version": "1.0.0" } ] }"#;
        let error = ModuleLock::parse(twice).expect_err("repeat");
        assert!(error.0.contains("recorded twice"), "{}", error.0);
    }

    #[test]
    fn the_modules_terraform_init_installed_are_read_from_its_manifest() {
        let text = r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"cache","Source":"registry.terraform.io/terraform-aws-modules/elasticache/aws","Version":"1.8.0","Dir":".terraform/modules/cache"}]}"#;
        let modules = installed_modules(text).expect("a valid manifest");
        assert_eq!(modules.len(), 2);
        assert_eq!(modules[1].version.as_deref(), Some("1.8.0"));
        assert_eq!(modules[1].dir, ".terraform/modules/cache");
        assert!(installed_modules("[").is_err());
    }

    #[test]
    fn exact_versions_are_told_from_constraints() {
        for exact in ["1.4.1", "=1.4.1", "= 1.4.1", "v1.4.1", "2.0.0-rc.1"] {
            assert!(is_exact_version(exact), "{exact}");
        }
        for constraint in ["~> 1.4", ">= 1.0", "1.4", "1.4.x", "", ">= 1.0, < 2.0"] {
            assert!(!is_exact_version(constraint), "{constraint}");
        }
        assert_eq!(exact_version("= 1.4.1"), "1.4.1");
        assert_eq!(exact_version("v1.4.1"), "1.4.1");
    }
}
