//! Terraform modules kept in the project: what a module asks for and what it gives.
//!
//! A module is a directory of `*.tf` files (its subdirectories are other modules). Its
//! interface is its `variable` blocks (name, declared `type`, whether a `default` makes
//! it optional, `description`) and its `output` blocks.
//!
//! Invariants: nothing here reads the disk; the files are [`TerraformFile`] inputs read
//! by [`crate::project`]. Each file is parsed once per revision of its text by the
//! tracked query [`file_interface`], with the `hcl-rs` parser, which caps nesting, so a
//! hostile file cannot overflow the stack; declared types are read to a bounded depth
//! ([`types::MAX_TYPE_DEPTH`]). Results are sorted by name and the first declaration of
//! a name wins (files in path order), so they are deterministic. No function panics on
//! any text.

pub mod path;
pub mod types;

use crate::source::{Db, Project, TerraformFile};

pub use types::TfType;

/// A module's `variable`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    pub name: String,
    /// The declared `type`; [`TfType::Any`] when there is none.
    pub ty: TfType,
    /// Whether the module needs a value: the variable has no `default`.
    pub required: bool,
    /// The variable's `description`.
    pub doc: Option<String>,
}

/// A module's `output`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub name: String,
    /// The output's `description`.
    pub doc: Option<String>,
}

/// What a module declares: its variables and its outputs, each sorted by name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModuleInterface {
    pub variables: Vec<Variable>,
    pub outputs: Vec<Output>,
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
                doc: description(&block.body),
            }),
            _ => {}
        }
    }
    Ok(interface)
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
    Variable {
        name,
        ty: attribute("type")
            .map(|attribute| TfType::from_expression(attribute.expr()))
            .unwrap_or(TfType::Any),
        required: attribute("default").is_none(),
        doc: description(body),
    }
}

fn description(body: &hcl::Body) -> Option<String> {
    body.attributes()
        .find(|attribute| attribute.key() == "description")
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
