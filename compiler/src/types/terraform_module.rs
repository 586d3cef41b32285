//! A `terraform` implementation checked against the interface of its module: read from
//! the module's files when it is kept in the project (a local `source` such as
//! `./modules/search`), or from a lock of module interfaces when it comes from a
//! registry or elsewhere (`terraform-aws-modules/rds/aws` at an exact `version`).
//!
//! Invariants: only a literal `source` (and `version`) is checked; interfaces are read
//! through [`crate::terraform::module_interface`] and
//! [`crate::terraform::remote_interface`], never from disk. Every diagnostic points
//! into the `.plat` file: E0701 for an `inputs` key that is not a variable, E0702 for a
//! required variable left out, E0703 for a literal input that Terraform could not
//! convert to the variable's type (values known only later, and types not understood,
//! are accepted), E0704 for `module.NAME` naming no output, E0705 for a local module
//! that is missing, outside the project, or unreadable, and E0706 for a registry or
//! remote module that no lock records (or a registry module without an exact
//! `version`). Nothing is checked against a module whose files or lock were not loaded.

use std::collections::BTreeSet;

use crate::diagnostic::{Code, Diagnostic};
use crate::names::suggest;
use crate::span::TextRange;
use crate::syntax::ast::{Attribute, Expr, StringPart};
use crate::terraform::lock::LOCK_FILE;
use crate::terraform::path::{self, LocalSource};
use crate::terraform::source::ModuleSource;
use crate::terraform::types::TfAttribute;
use crate::terraform::{
    ModuleInterface, ModuleProblem, RemoteProblem, TfType, module_interface, remote_interface,
};
use crate::types::body::Members;
use crate::types::checker::{Checker, MAX_DEPTH};
use crate::types::schema::OUTPUTS;

/// How many variables a help line lists before it says how many more there are.
const LISTED_VARIABLES: usize = 24;

/// A module, as messages name it, with what it declares.
struct Module {
    /// `` `./modules/archive` `` or `` `terraform-aws-modules/rds/aws` 6.10.0 ``.
    name: String,
    interface: ModuleInterface,
    /// The lock key of a registry or remote module, whose other recorded versions a
    /// help may point to.
    key: Option<String>,
}

/// Where a literal input does not fit its variable's type.
struct Mismatch {
    range: TextRange,
    expected: TfType,
    found: String,
}

impl Checker<'_> {
    /// Checks the `inputs` and `outputs` of a `terraform` implementation against its
    /// module's interface.
    pub(crate) fn check_terraform_module(&mut self, members: &Members<'_>) {
        let Some(source) = members.attribute("source") else {
            return;
        };
        let Some(text) = literal_text(&source.value) else {
            return;
        };
        let module = match ModuleSource::of(&text) {
            ModuleSource::Local => self.local_module(source, text),
            remote => self.remote_module(source, &remote, members.attribute("version")),
        };
        let Some(module) = module else {
            return;
        };
        match members.attribute("inputs") {
            Some(inputs) => self.check_module_inputs(&module, inputs),
            None => self.missing_module_variables(&module, source.name.range, &BTreeSet::new()),
        }
        if let Some(outputs) = members.attribute(OUTPUTS) {
            self.check_module_outputs(&module, &outputs.value, 0);
        }
    }

    /// The module a literal, local `source` names; E0705 when it cannot be read.
    fn local_module(&mut self, source: &Attribute, text: String) -> Option<Module> {
        let range = source.value.range();
        let dir = match path::resolve(self.file.path(self.db), &text)? {
            LocalSource::Inside(dir) => dir,
            LocalSource::Outside => {
                self.invalid_module(range, format!("the module `{text}` is outside the project"), "outside the project root",
                    "keep the module inside the project directory, or publish it and use its registry address");
                return None;
            }
        };
        match module_interface(self.db, self.project, &dir) {
            Ok(interface) => Some(Module {
                name: format!("`{text}`"),
                interface,
                key: None,
            }),
            Err(ModuleProblem::NotLoaded) => None,
            Err(ModuleProblem::Missing) => {
                let shown = if dir.is_empty() { "." } else { dir.as_str() };
                self.invalid_module(
                    range,
                    format!("no Terraform module at `{text}`"),
                    format!("no `.tf` files in `{shown}`"),
                    "a local `source` is relative to this file's directory; check the path, or create the module's `variables.tf`, `main.tf` and `outputs.tf`",
                );
                None
            }
            Err(ModuleProblem::Invalid { file, reason }) => {
                self.invalid_module(
                    range,
                    format!("cannot read the module `{text}`: `{file}`: {reason}"),
                    format!("`{file}` is not valid Terraform"),
                    format!("fix `{file}`; `terraform validate` in the module's directory shows the problem too"),
                );
                None
            }
        }
    }

    /// The registry or remote module that `source` (and `version`) name, from the
    /// locks of module interfaces; E0706 when none records it.
    fn remote_module(
        &mut self,
        source: &Attribute,
        remote: &ModuleSource,
        version: Option<&Attribute>,
    ) -> Option<Module> {
        let key = remote.key()?;
        // A version computed from parameters is not one release plat can check: empty.
        let version_text = version.map(|version| literal_text(&version.value).unwrap_or_default());
        let origin = self.file.origin(self.db);
        match remote_interface(
            self.db,
            self.project,
            origin,
            remote,
            version_text.as_deref(),
        ) {
            Ok(interface) => Some(Module {
                name: match &version_text {
                    Some(version) => {
                        format!("`{key}` {}", crate::terraform::lock::exact_version(version))
                    }
                    None => format!("`{key}`"),
                },
                interface,
                key: Some(key.to_string()),
            }),
            Err(RemoteProblem::NotLoaded | RemoteProblem::LockUnreadable) => None,
            Err(RemoteProblem::Unpinned) => {
                let (range, label) = match (version, &version_text) {
                    (Some(version), Some(text)) if !text.is_empty() => (
                        version.value.range(),
                        format!("`{text}` is a constraint, not one release"),
                    ),
                    (Some(version), _) => (
                        version.value.range(),
                        "not one release written out".to_string(),
                    ),
                    (None, _) => (source.value.range(), "no `version`".to_string()),
                };
                self.report(
                    Diagnostic::new(
                        Code::UnknownModuleInterface,
                        format!("the registry module `{key}` is not pinned to one version"),
                        self.file,
                        range,
                    )
                    .with_label(label)
                    .with_help(
                        "pin an exact release, such as `version = \"1.4.1\"`: plat checks the call against that release's interface, and `terraform init` installs that release and no other",
                    ),
                );
                None
            }
            Err(RemoteProblem::Unknown) => {
                self.unknown_interface(source, key, version_text.as_deref(), version);
                None
            }
        }
    }

    /// E0706: no lock records the module at that version.
    fn unknown_interface(
        &mut self,
        source: &Attribute,
        key: &str,
        version: Option<&str>,
        version_attribute: Option<&Attribute>,
    ) {
        let exact = version.map(crate::terraform::lock::exact_version);
        let named = match &exact {
            Some(version) => format!("`{key}` version `{version}`"),
            None => format!("`{key}`"),
        };
        let known = self.known_versions(key);
        let is_std = self.file.origin(self.db) == crate::source::Origin::Std;
        let (message, label) = if is_std {
            (
                format!("the interface of {named} is not in the standard library's lock"),
                "not in `stdlib/plat.modules.lock.json`".to_string(),
            )
        } else {
            (
                format!("the interface of {named} is not recorded"),
                format!("not in `{LOCK_FILE}`"),
            )
        };
        let pin = match &exact {
            Some(version) => format!(" and `version = \"{version}\"`"),
            None => String::new(),
        };
        let record = format!(
            "record it: in a directory DIR whose `main.tf` calls the module (`source = \"{key}\"`{pin}), run `terraform init -backend=false`, then `plat modules lock {} --from DIR` (`plat explain E0706`)",
            if is_std { "stdlib" } else { "<project>" }
        );
        let names: Vec<&str> = known.iter().map(String::as_str).collect();
        let help = match names.as_slice() {
            [] => record,
            versions if versions.len() > suggest::SHORT_LIST => format!(
                "the newest recorded versions are {}; use one of them, or {record}",
                suggest::all_of(&versions[versions.len() - suggest::SHORT_LIST..])
            ),
            versions => format!(
                "the recorded versions are {}; use one of them, or {record}",
                suggest::all_of(versions)
            ),
        };
        let range = version_attribute
            .map(|version| version.value.range())
            .unwrap_or_else(|| source.value.range());
        self.report(
            Diagnostic::new(Code::UnknownModuleInterface, message, self.file, range)
                .with_label(label)
                .with_help(help),
        );
    }

    /// The versions of the module `key` that the locks this file reads record.
    fn known_versions(&self, key: &str) -> Vec<String> {
        self.versions_where(key, |_| true)
    }

    /// The versions of the module `key` that the locks this file reads record and
    /// that `keep` accepts, in order.
    fn versions_where(
        &self,
        key: &str,
        keep: impl Fn(&crate::terraform::lock::LockedModule) -> bool,
    ) -> Vec<String> {
        let embedded = crate::stdlib::module_lock();
        let own = match self.project.module_lock(self.db) {
            Some(file) if self.file.origin(self.db) == crate::source::Origin::Project => {
                crate::terraform::project_lock(self.db, file).as_ref().ok()
            }
            _ => None,
        };
        let mut versions: Vec<String> = embedded
            .versions(key)
            .into_iter()
            .filter(|version| {
                embedded
                    .get(key, Some(version))
                    .is_some_and(|module| keep(&module))
            })
            .collect();
        if let Some(lock) = own {
            versions.extend(
                lock.versions(key)
                    .into_iter()
                    .filter(|version| lock.get(key, Some(version)).is_some_and(&keep)),
            );
        }
        versions.sort_by_key(|version| crate::terraform::lock::version_order(version));
        versions.dedup();
        versions
    }

    fn invalid_module(
        &mut self,
        range: TextRange,
        message: String,
        label: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.report(
            Diagnostic::new(Code::InvalidModule, message, self.file, range)
                .with_label(label)
                .with_help(help),
        );
    }

    /// Each key of `inputs` names a variable (E0701) and fits its type (E0703); every
    /// required variable is set (E0702).
    fn check_module_inputs(&mut self, module: &Module, inputs: &Attribute) {
        let Expr::Record { entries, .. } = &inputs.value else {
            return;
        };
        let mut set: BTreeSet<&str> = BTreeSet::new();
        for entry in entries {
            let key = entry.key.text();
            if !set.insert(key) {
                continue;
            }
            match module.interface.variable(key) {
                Some(variable) => {
                    if let Some(mismatch) = mismatch(&entry.value, &variable.ty, 0) {
                        self.module_input_mismatch(module, key, &variable.ty, mismatch);
                    }
                }
                None => self.unknown_module_input(module, key, entry.key.range()),
            }
        }
        self.missing_module_variables(module, inputs.name.range, &set);
    }

    fn unknown_module_input(&mut self, module: &Module, key: &str, range: TextRange) {
        let names: Vec<&str> = module
            .interface
            .variables
            .iter()
            .map(|variable| variable.name.as_str())
            .collect();
        let listed = listed(&names);
        let help = match suggest::did_you_mean(key, names.iter().copied()) {
            Some(suggestion) if !names.is_empty() => format!("{suggestion} {listed}"),
            _ => listed,
        };
        let help = match self.other_versions(module, "variable", key, |locked| {
            locked.variables.contains_key(key)
        }) {
            Some(versions) => format!("{versions}; {help}"),
            None => help,
        };
        self.report(
            Diagnostic::new(
                Code::UnknownModuleInput,
                format!("unknown module input `{key}`"),
                self.file,
                range,
            )
            .with_label(format!("{} has no variable `{key}`", module.name))
            .with_help(help),
        );
    }

    /// E0702 for the required variables not in `set`, at `range`.
    fn missing_module_variables(
        &mut self,
        module: &Module,
        range: TextRange,
        set: &BTreeSet<&str>,
    ) {
        let missing: Vec<&str> = module
            .interface
            .variables
            .iter()
            .filter(|variable| variable.required && !set.contains(variable.name.as_str()))
            .map(|variable| variable.name.as_str())
            .collect();
        if missing.is_empty() {
            return;
        }
        let (noun, list) = match missing.as_slice() {
            [only] => ("variable", format!("`{only}`")),
            _ => ("variables", suggest::all_of(&missing)),
        };
        let adds: Vec<String> = missing.iter().map(|name| format!("{name} = ...")).collect();
        self.report(
            Diagnostic::new(
                Code::MissingModuleVariable,
                format!("the module {} needs the {noun} {list}", module.name),
                self.file,
                range,
            )
            .with_label(format!("{list} missing here"))
            .with_help(format!(
                "add `{}` to `inputs`; a variable without a `default` must be set",
                adds.join(", ")
            )),
        );
    }

    fn module_input_mismatch(&mut self, module: &Module, key: &str, ty: &TfType, found: Mismatch) {
        self.report(
            Diagnostic::new(
                Code::ModuleInputTypeMismatch,
                format!(
                    "module input `{key}` has the wrong type: expected `{}`, found {}",
                    found.expected, found.found
                ),
                self.file,
                found.range,
            )
            .with_label(format!("expected `{}`", found.expected))
            .with_help(format!(
                "the variable `{key}` of {} is declared `{ty}`",
                module.name
            )),
        );
    }

    /// E0704 for every `module.NAME` in `expr` whose `NAME` is not an output.
    fn check_module_outputs(&mut self, module: &Module, expr: &Expr, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let next = depth + 1;
        match expr {
            Expr::Field { base, name, .. } => match base.as_ref() {
                Expr::Name(root) if root.name == "module" => {
                    self.module_output(module, &name.name, name.range)
                }
                other => self.check_module_outputs(module, other, next),
            },
            Expr::String { parts, .. } => {
                for part in parts {
                    if let StringPart::Interpolation(path) = part
                        && let [root, name, ..] = path.segments.as_slice()
                        && root.name == "module"
                    {
                        self.module_output(module, &name.name, name.range);
                    }
                }
            }
            Expr::List { items, .. } => {
                for item in items {
                    self.check_module_outputs(module, item, next);
                }
            }
            Expr::Record { entries, .. } => {
                for entry in entries {
                    self.check_module_outputs(module, &entry.value, next);
                }
            }
            Expr::If {
                condition,
                then_branch,
                else_branch,
                ..
            } => {
                for part in [condition, then_branch, else_branch] {
                    self.check_module_outputs(module, part, next);
                }
            }
            Expr::Match {
                scrutinee, arms, ..
            } => {
                self.check_module_outputs(module, scrutinee, next);
                for arm in arms {
                    self.check_module_outputs(module, &arm.value, next);
                }
            }
            Expr::Binary { lhs, rhs, .. } => {
                self.check_module_outputs(module, lhs, next);
                self.check_module_outputs(module, rhs, next);
            }
            Expr::Not { operand, .. }
            | Expr::IsSet { operand, .. }
            | Expr::Matches { operand, .. } => self.check_module_outputs(module, operand, next),
            Expr::Quantified {
                list, condition, ..
            } => {
                self.check_module_outputs(module, list, next);
                self.check_module_outputs(module, condition, next);
            }
            Expr::Int { .. }
            | Expr::Float { .. }
            | Expr::Quantity { .. }
            | Expr::Bool { .. }
            | Expr::Name(_)
            | Expr::Error(_) => {}
        }
    }

    fn module_output(&mut self, module: &Module, name: &str, range: TextRange) {
        if module.interface.output(name).is_some() {
            return;
        }
        let names: Vec<&str> = module
            .interface
            .outputs
            .iter()
            .map(|output| output.name.as_str())
            .collect();
        let help =
            suggest::did_you_mean(name, names.iter().copied()).unwrap_or_else(|| {
                match names.as_slice() {
                    [] => format!(
                        "{} declares no outputs; add an `output` block to it",
                        module.name
                    ),
                    _ => format!(
                        "the outputs of {} are {}",
                        module.name,
                        suggest::all_of(&names)
                    ),
                }
            });
        let help = match self.other_versions(module, "output", name, |locked| {
            locked.outputs.contains_key(name)
        }) {
            Some(versions) => format!("{versions}; or map another output: {help}"),
            None => help,
        };
        self.report(
            Diagnostic::new(
                Code::UnknownModuleOutput,
                format!("unknown module output `{name}`"),
                self.file,
                range,
            )
            .with_label(format!("{} has no output `{name}`", module.name))
            .with_help(help),
        );
    }
}

impl Checker<'_> {
    /// For a registry or remote module: which other recorded versions declare the
    /// `what` (`variable`, `output`) `name`, as the start of a help, such as "`port` is
    /// an output from version `1.8.0` on: pin that version or a later one".
    fn other_versions(
        &self,
        module: &Module,
        what: &str,
        name: &str,
        declares: impl Fn(&crate::terraform::lock::LockedModule) -> bool,
    ) -> Option<String> {
        let key = module.key.as_deref()?;
        let all = self.known_versions(key);
        let having = self.versions_where(key, declares);
        let first = having.first()?;
        let from_first = all
            .iter()
            .skip_while(|version| *version != first)
            .all(|version| having.contains(version));
        if from_first {
            return Some(format!(
                "`{name}` is {} {what} from version `{first}` on: pin that version or a later one",
                article(what)
            ));
        }
        let shown: Vec<&str> = having
            .iter()
            .rev()
            .take(suggest::SHORT_LIST)
            .rev()
            .map(String::as_str)
            .collect();
        Some(format!(
            "`{name}` is {} {what} in version{} {}",
            article(what),
            if shown.len() == 1 { "" } else { "s" },
            suggest::all_of(&shown)
        ))
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// "the module's variables are `a`, `b` and `c`", shortened past [`LISTED_VARIABLES`].
fn listed(names: &[&str]) -> String {
    match names {
        [] => "the module declares no variables".to_string(),
        _ if names.len() > LISTED_VARIABLES => format!(
            "the module's variables are {} and {} more",
            names[..LISTED_VARIABLES]
                .iter()
                .map(|name| format!("`{name}`"))
                .collect::<Vec<_>>()
                .join(", "),
            names.len() - LISTED_VARIABLES
        ),
        _ => format!("the module's variables are {}", suggest::all_of(names)),
    }
}

/// The text of a string without interpolations.
fn literal_text(expr: &Expr) -> Option<String> {
    let Expr::String { parts, .. } = expr else {
        return None;
    };
    let mut text = String::new();
    for part in parts {
        match part {
            StringPart::Text(part) => text.push_str(part),
            StringPart::Interpolation(_) => return None,
        }
    }
    Some(text)
}

/// Where the literal parts of `expr` cannot become a `ty`, following Terraform's
/// conversions: numbers and booleans become strings, strings that spell a number or
/// `true`/`false` become one, records become maps and objects (extra attributes are
/// dropped), lists become lists, sets and tuples. A value that is not a literal fits.
fn mismatch(expr: &Expr, ty: &TfType, depth: usize) -> Option<Mismatch> {
    if depth > MAX_DEPTH {
        return None;
    }
    let fail = |found: &str| {
        Some(Mismatch {
            range: expr.range(),
            expected: ty.clone(),
            found: found.to_string(),
        })
    };
    let found = shape(expr)?;
    match ty {
        TfType::Any => None,
        TfType::String => match expr {
            Expr::List { .. } | Expr::Record { .. } => fail(found),
            _ => None,
        },
        TfType::Number => match expr {
            Expr::Int { .. } | Expr::Float { .. } | Expr::Quantity { .. } => None,
            Expr::String { .. } => match literal_text(expr) {
                Some(text) if text.trim().parse::<f64>().is_err() => fail(found),
                _ => None,
            },
            _ => fail(found),
        },
        TfType::Bool => match expr {
            Expr::Bool { .. } => None,
            Expr::String { .. } => match literal_text(expr) {
                Some(text) if text != "true" && text != "false" => fail(found),
                _ => None,
            },
            _ => fail(found),
        },
        TfType::List(element) | TfType::Set(element) => match expr {
            Expr::List { items, .. } => items
                .iter()
                .find_map(|item| mismatch(item, element, depth + 1)),
            _ => fail(found),
        },
        TfType::Tuple(types) => match expr {
            Expr::List { items, .. } if items.len() == types.len() => items
                .iter()
                .zip(types)
                .find_map(|(item, ty)| mismatch(item, ty, depth + 1)),
            Expr::List { items, .. } => fail(&format!(
                "a list of {} items, not {}",
                items.len(),
                types.len()
            )),
            _ => fail(found),
        },
        TfType::Map(element) => match expr {
            Expr::Record { entries, .. } => entries
                .iter()
                .find_map(|entry| mismatch(&entry.value, element, depth + 1)),
            _ => fail(found),
        },
        TfType::Object(attributes) => match expr {
            Expr::Record { entries, .. } => object_mismatch(expr, ty, entries, attributes, depth),
            _ => fail(found),
        },
    }
}

fn object_mismatch(
    expr: &Expr,
    ty: &TfType,
    entries: &[crate::syntax::ast::RecordEntry],
    attributes: &[TfAttribute],
    depth: usize,
) -> Option<Mismatch> {
    for attribute in attributes {
        match entries
            .iter()
            .find(|entry| entry.key.text() == attribute.name)
        {
            Some(entry) => {
                if let Some(found) = mismatch(&entry.value, &attribute.ty, depth + 1) {
                    return Some(found);
                }
            }
            None if !attribute.optional => {
                return Some(Mismatch {
                    range: expr.range(),
                    expected: ty.clone(),
                    found: format!("a record without `{}`", attribute.name),
                });
            }
            None => {}
        }
    }
    None
}

/// What a literal is, in words; `None` for values that are not literals.
fn shape(expr: &Expr) -> Option<&'static str> {
    match expr {
        Expr::String { .. } => Some("a string"),
        Expr::Int { .. } | Expr::Float { .. } => Some("a number"),
        Expr::Quantity { .. } => Some("a quantity"),
        Expr::Bool { .. } => Some("a bool"),
        Expr::List { .. } => Some("a list"),
        Expr::Record { .. } => Some("a record"),
        _ => None,
    }
}
