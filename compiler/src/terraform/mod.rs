//! Terraform modules kept in the project: what a module asks for and what it gives.
//!
//! A module is a directory of `*.tf` files (its subdirectories are other modules). Its
//! interface is its `variable` blocks (name, declared `type`, whether a `default` makes
//! it optional, the default, `sensitive`, `nullable`, `description`), its `output`
//! blocks (name, `sensitive`) and what its `terraform` block requires (providers and
//! Terraform's version). Modules kept elsewhere (the registry, git) are known through
//! a lock of their interfaces ([`lock`]).
//!
//! Invariants: nothing here reads the disk; the files are [`TerraformFile`] inputs read
//! by [`crate::project`]. Each file is parsed once per revision of its text by the
//! tracked query [`file_interface`], with the `hcl-rs` parser, which caps nesting, so a
//! hostile file cannot overflow the stack; declared types are read to a bounded depth
//! ([`types::MAX_TYPE_DEPTH`]). Results are sorted by name and the first declaration of
//! a name wins (files in path order), so they are deterministic. No function panics on
//! any text.

pub mod lock;
pub mod path;
pub mod source;
pub mod types;

use std::collections::BTreeMap;

use crate::source::{Db, ModuleLockFile, Origin, Project, TerraformFile};

use lock::{LockError, ModuleLock};
use source::ModuleSource;

pub use types::TfType;

/// A module's `variable`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    pub name: String,
    /// The declared `type`; [`TfType::Any`] when there is none.
    pub ty: TfType,
    /// The declared `type` as written (`list(string)`); `any` when there is none.
    pub type_text: String,
    /// Whether the module needs a value: the variable has no `default`.
    pub required: bool,
    /// The `default`, as JSON; `null` when there is none or it is not a constant.
    pub default: serde_json::Value,
    /// `sensitive = true`: Terraform hides the value in its output.
    pub sensitive: bool,
    /// `nullable`: whether `null` is a value the variable takes (`true` unless set).
    pub nullable: bool,
    /// The variable's `description`.
    pub doc: Option<String>,
}

/// A module's `output`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub name: String,
    /// `sensitive = true`: whatever reads it must be sensitive too.
    pub sensitive: bool,
    /// The output's `description`.
    pub doc: Option<String>,
}

/// A provider a module requires (`terraform { required_providers { ... } }`).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequiredProvider {
    /// The provider's address: `hashicorp/aws`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The version constraint: `>= 5.73`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// What a module declares: its variables and its outputs, each sorted by name, and
/// what it requires.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModuleInterface {
    pub variables: Vec<Variable>,
    pub outputs: Vec<Output>,
    /// The providers it requires, by local name.
    pub required_providers: BTreeMap<String, RequiredProvider>,
    /// The Terraform versions it accepts (`required_version`).
    pub required_version: Option<String>,
}

impl ModuleInterface {
    pub fn variable(&self, name: &str) -> Option<&Variable> {
        self.variables.iter().find(|variable| variable.name == name)
    }

    pub fn output(&self, name: &str) -> Option<&Output> {
        self.outputs.iter().find(|output| output.name == name)
    }
}

/// Why a module's interface cannot be known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModuleProblem {
    /// The project's Terraform files were not read (texts held in memory): the module
    /// is not checked at all.
    NotLoaded,
    /// The directory holds no `.tf` file.
    Missing,
    /// A file of the module could not be read or parsed; `reason` says where and why.
    Invalid { file: String, reason: String },
}

/// Why the interface of a registry or remote module cannot be known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteProblem {
    /// The project was not read from a directory, so its lock was not read either, and
    /// the standard library's lock does not know the module: it is not checked.
    NotLoaded,
    /// The project's lock cannot be read (reported on its own, E0707): the module is
    /// not checked.
    LockUnreadable,
    /// A registry module without an exact `version`: which release `terraform init`
    /// picks, and so its interface, is not known.
    Unpinned,
    /// No lock records the module (at that version).
    Unknown,
}

/// What one file declares, or why it cannot be read.
pub type FileInterface = Result<ModuleInterface, String>;

/// The variables and outputs that one `.tf` file declares.
#[salsa::tracked(returns(ref))]
pub fn file_interface(db: &dyn Db, file: TerraformFile) -> FileInterface {
    let text = file.text(db).as_ref().map_err(Clone::clone)?;
    interface_of(text)
}

/// The variables and outputs that the Terraform `text` declares.
fn interface_of(text: &str) -> FileInterface {
    let body = hcl::parse(text).map_err(|error| describe(&error))?;
    let mut interface = ModuleInterface::default();
    for block in body.blocks() {
        let [label] = block.labels() else {
            continue;
        };
        let name = label.as_str().to_string();
        match block.identifier() {
            "variable" => interface.variables.push(variable(name, &block.body)),
            "output" => interface.outputs.push(Output {
                name,
                sensitive: flag(&block.body, "sensitive").unwrap_or(false),
                doc: description(&block.body),
            }),
            _ => {}
        }
    }
    for block in body
        .blocks()
        .filter(|block| block.identifier() == "terraform")
    {
        read_requirements(&block.body, &mut interface);
    }
    Ok(interface)
}

/// `required_version` and `required_providers` of a `terraform` block; the first
/// declaration of each wins.
fn read_requirements(body: &hcl::Body, interface: &mut ModuleInterface) {
    if interface.required_version.is_none() {
        interface.required_version = text_attribute(body, "required_version");
    }
    for block in body
        .blocks()
        .filter(|block| block.identifier() == "required_providers")
    {
        for attribute in block.body.attributes() {
            let requirement = match attribute.expr() {
                hcl::Expression::Object(object) => {
                    let field = |key: &str| {
                        object.iter().find_map(|(name, value)| match (name, value) {
                            (hcl::ObjectKey::Identifier(name), hcl::Expression::String(text))
                                if name.as_str() == key =>
                            {
                                Some(text.clone())
                            }
                            _ => None,
                        })
                    };
                    RequiredProvider {
                        source: field("source"),
                        version: field("version"),
                    }
                }
                // Terraform 0.12 wrote `aws = ">= 2.0"`.
                hcl::Expression::String(version) => RequiredProvider {
                    source: None,
                    version: Some(version.clone()),
                },
                _ => RequiredProvider::default(),
            };
            interface
                .required_providers
                .entry(attribute.key().to_string())
                .or_insert(requirement);
        }
    }
}

/// The interface of the module in `dir` (a project path with `/` separators, no
/// trailing slash): the `.tf` files directly in it, merged. The standard library's
/// modules (`std/modules/<name>`) are read from the binary.
pub fn module_interface(
    db: &dyn Db,
    project: Project,
    dir: &str,
) -> Result<ModuleInterface, ModuleProblem> {
    if crate::stdlib::is_module_directory(dir) {
        let files = crate::stdlib::module_files(dir);
        return merge(
            files
                .iter()
                .map(|(name, text)| (format!("{dir}/{name}"), interface_of(text))),
        );
    }
    let Some(files) = project.terraform_files(db) else {
        return Err(ModuleProblem::NotLoaded);
    };
    merge(
        files
            .iter()
            .filter(|file| path::is_directly_in(file.path(db), dir))
            .map(|file| (file.path(db).clone(), file_interface(db, *file).clone())),
    )
}

/// The project's lock of module interfaces, read once per revision of its text; an
/// empty lock when the project has none.
#[salsa::tracked(returns(ref))]
pub fn project_lock(db: &dyn Db, file: ModuleLockFile) -> Result<ModuleLock, LockError> {
    match file.text(db) {
        None => Ok(ModuleLock::default()),
        Some(Err(reason)) => Err(LockError(reason.clone())),
        Some(Ok(text)) => ModuleLock::parse(text),
    }
}

/// E0707 when the project's lock of module interfaces cannot be read.
pub fn lock_diagnostics(db: &dyn Db, project: Project) -> Vec<crate::diagnostic::Diagnostic> {
    let Some(file) = project.module_lock(db) else {
        return Vec::new();
    };
    let Err(LockError(reason)) = project_lock(db, file) else {
        return Vec::new();
    };
    let path = file.path(db);
    vec![
        crate::diagnostic::Diagnostic::about_path(
            crate::diagnostic::Code::InvalidModuleLock,
            format!("cannot read `{path}`: {reason}"),
            path.clone(),
        )
        .with_help(format!(
            "`{path}` is written by `plat modules lock`: record the interfaces again rather than editing it by hand; until it can be read, registry and git modules are not checked"
        )),
    ]
}

/// The interface of the registry or remote module that `source` and `version` name,
/// as called from a file of `origin`. The standard library's files read the lock it
/// embeds; a project's files read the project's lock, then the standard library's.
pub fn remote_interface(
    db: &dyn Db,
    project: Project,
    origin: Origin,
    source: &ModuleSource,
    version: Option<&str>,
) -> Result<ModuleInterface, RemoteProblem> {
    let Some(key) = source.key() else {
        return Err(RemoteProblem::Unknown);
    };
    let embedded = crate::stdlib::module_lock();
    let own = match (origin, project.module_lock_of(db, origin)) {
        (Origin::Std, _) => None,
        (_, Some(file)) => match project_lock(db, file) {
            Ok(lock) => Some(lock),
            Err(_) => return Err(RemoteProblem::LockUnreadable),
        },
        // Without the project's lock, only what the standard library records is known.
        (_, None) => {
            if !embedded.knows(key) {
                return Err(RemoteProblem::NotLoaded);
            }
            None
        }
    };
    let version = match source {
        ModuleSource::Registry(_) => match version {
            Some(version) if lock::is_exact_version(version) => Some(lock::exact_version(version)),
            _ => return Err(RemoteProblem::Unpinned),
        },
        _ => None,
    };
    let version = version.as_deref();
    own.and_then(|lock| lock.get(key, version).cloned())
        .or_else(|| embedded.get(key, version))
        .map(|module| module.interface())
        .ok_or(RemoteProblem::Unknown)
}

/// The interface of a module read from its `.tf` files, given as `(path, text or why
/// it could not be read)`: what `plat modules lock` records.
pub fn read_module(
    files: &[(String, Result<String, String>)],
) -> Result<ModuleInterface, ModuleProblem> {
    merge(files.iter().map(|(path, text)| {
        let interface = match text {
            Ok(text) => interface_of(text),
            Err(reason) => Err(reason.clone()),
        };
        (path.clone(), interface)
    }))
}

/// The interfaces of a module's files, by path, merged into the module's.
fn merge(
    files: impl Iterator<Item = (String, FileInterface)>,
) -> Result<ModuleInterface, ModuleProblem> {
    let mut merged = ModuleInterface::default();
    let mut found = false;
    for (file, interface) in files {
        found = true;
        let interface = interface.map_err(|reason| ModuleProblem::Invalid { file, reason })?;
        merged.variables.extend(interface.variables);
        merged.outputs.extend(interface.outputs);
        for (name, requirement) in interface.required_providers {
            merged.required_providers.entry(name).or_insert(requirement);
        }
        if merged.required_version.is_none() {
            merged.required_version = interface.required_version;
        }
    }
    if !found {
        return Err(ModuleProblem::Missing);
    }
    // Stable sorts keep the first declaration of a name first; repeats are dropped.
    merged.variables.sort_by(|a, b| a.name.cmp(&b.name));
    merged.variables.dedup_by(|a, b| a.name == b.name);
    merged.outputs.sort_by(|a, b| a.name.cmp(&b.name));
    merged.outputs.dedup_by(|a, b| a.name == b.name);
    Ok(merged)
}

fn variable(name: String, body: &hcl::Body) -> Variable {
    let attribute = |key: &str| body.attributes().find(|attribute| attribute.key() == key);
    let declared = attribute("type").map(|attribute| attribute.expr());
    let default = attribute("default").map(|attribute| attribute.expr());
    Variable {
        name,
        ty: declared.map(TfType::from_expression).unwrap_or(TfType::Any),
        type_text: declared
            .map(types::expression_text)
            .unwrap_or_else(|| "any".to_string()),
        required: default.is_none(),
        default: default.map(constant).unwrap_or(serde_json::Value::Null),
        sensitive: flag(body, "sensitive").unwrap_or(false),
        nullable: flag(body, "nullable").unwrap_or(true),
        doc: description(body),
    }
}

/// The value of a constant expression (a variable's `default`), as JSON; `null` for
/// an expression that is not a constant.
fn constant(expr: &hcl::Expression) -> serde_json::Value {
    use hcl::eval::Evaluate;
    expr.evaluate(&hcl::eval::Context::new())
        .ok()
        .and_then(|value| serde_json::to_value(value).ok())
        .unwrap_or(serde_json::Value::Null)
}

/// A literal `true` or `false` attribute.
fn flag(body: &hcl::Body, key: &str) -> Option<bool> {
    body.attributes()
        .find(|attribute| attribute.key() == key)
        .and_then(|attribute| match attribute.expr() {
            hcl::Expression::Bool(value) => Some(*value),
            _ => None,
        })
}

fn description(body: &hcl::Body) -> Option<String> {
    text_attribute(body, "description")
}

/// A literal string attribute.
fn text_attribute(body: &hcl::Body, key: &str) -> Option<String> {
    body.attributes()
        .find(|attribute| attribute.key() == key)
        .and_then(|attribute| match attribute.expr() {
            hcl::Expression::String(text) => Some(text.clone()),
            _ => None,
        })
}

/// A parse error in one line: `line 3, column 7: expected ...`.
fn describe(error: &hcl::Error) -> String {
    match error {
        hcl::Error::Parse(error) => {
            let location = error.location();
            let message = error.message().lines().next().unwrap_or("invalid HCL");
            format!(
                "line {}, column {}: {message}",
                location.line(),
                location.column()
            )
        }
        other => other
            .to_string()
            .lines()
            .next()
            .unwrap_or_default()
            .to_string(),
    }
}

#[cfg(test)]
mod tests;

/// The `*.tf` files directly in `dir` (a project path), as `(file name, text)` sorted by
/// name; files that could not be read are left out (the checker reports them).
pub fn module_files(db: &dyn Db, project: Project, dir: &str) -> Vec<(String, String)> {
    if crate::stdlib::is_module_directory(dir) {
        return crate::stdlib::module_files(dir)
            .into_iter()
            .map(|(name, text)| (name.to_string(), text.to_string()))
            .collect();
    }
    let Some(files) = project.terraform_files(db) else {
        return Vec::new();
    };
    let mut found: Vec<(String, String)> = files
        .iter()
        .filter(|file| path::is_directly_in(file.path(db), dir))
        .filter_map(|file| {
            let text = file.text(db).as_ref().ok()?;
            let name = file.path(db).rsplit('/').next()?.to_string();
            Some((name, text.clone()))
        })
        .collect();
    found.sort();
    found
}
