//! `plat modules lock`: record the interfaces of registry and git modules in the
//! project's lock (`plat.modules.lock.json`), from module sources already on disk.
//!
//! Sources are either what `terraform init` downloaded (a `.terraform/modules`
//! directory and its `modules.json`, or the root module directory that holds one) or a
//! single module's directory (`--module DIR --source SOURCE [--version VERSION]`, for
//! a vendored copy).
//!
//! Invariants: nothing is downloaded and nothing but the named directories is read,
//! each through the loader's one rule (a regular file inside that directory once every
//! link is resolved, bounded in size); only the `.tf` files directly in a module's
//! directory are read; modules installed outside `.terraform/modules` (local ones)
//! are left out; what the lock held for other modules is kept; the lock is written in
//! its canonical form, atomically, and only when it changes; a lock that cannot be
//! read is never overwritten.

use std::fs;
use std::path::{Component, Path, PathBuf};

use plat_compiler::project::read::Root;
use plat_compiler::project::{MAX_TERRAFORM_FILES, module_lock_text};
use plat_compiler::terraform::lock::{
    self, InstalledModule, LOCK_FILE, LockedModule, ModuleLock, describe_key,
};
use plat_compiler::terraform::source::ModuleSource;
use plat_compiler::terraform::{ModuleProblem, read_module};

use crate::Status;
use crate::files::write_atomically;
use plat_compiler::project::read::io_reason;

/// A directory that files are read inside of, by the loader's rule.
fn root(directory: &Path) -> Result<Root, String> {
    Root::new(directory).map_err(|refusal| {
        format!(
            "cannot read `{}`: {}",
            directory.display(),
            refusal.reason()
        )
    })
}

/// The text of `path`, read inside `root` by the loader's rule, or why it cannot be.
fn read_text(root: &Root, path: &Path) -> Result<String, String> {
    root.read_text(path).map_err(|refusal| refusal.reason())
}

/// Where `terraform init` installs modules, relative to the root module.
const INSTALLED: &str = ".terraform/modules";
/// The manifest `terraform init` writes there.
const MANIFEST: &str = "modules.json";
/// At most this many modules are read from one manifest.
const MAX_MODULES: usize = 10_000;

/// A module directory given on the command line, and what to record it as.
pub struct Vendored<'a> {
    pub dir: &'a Path,
    pub source: &'a str,
    pub version: Option<&'a str>,
}

pub fn lock(project: &Path, from: &[PathBuf], vendored: Option<Vendored<'_>>) -> Status {
    match record(project, from, vendored) {
        Ok(status) => status,
        Err(message) => {
            eprintln!("error: {message}");
            Status::Usage
        }
    }
}

fn record(
    project: &Path,
    from: &[PathBuf],
    vendored: Option<Vendored<'_>>,
) -> Result<Status, String> {
    if !project.is_dir() {
        return Err(format!(
            "`{}` is not a directory: pass the project's root, where `{LOCK_FILE}` lives",
            project.display()
        ));
    }
    let path = project.join(LOCK_FILE);
    let mut lock = match module_lock_text(&root(project)?, &path) {
        None => ModuleLock::default(),
        Some(Ok(text)) => ModuleLock::parse(&text).map_err(|error| {
            format!(
                "cannot read `{}`: {}\nhelp: it is not overwritten; remove it and record the modules again",
                path.display(),
                error.0
            )
        })?,
        Some(Err(reason)) => return Err(format!("cannot read `{}`: {reason}", path.display())),
    };
    let mut sources: Vec<PathBuf> = from.to_vec();
    if sources.is_empty() && vendored.is_none() {
        let default = project.join(INSTALLED);
        if !default.is_dir() {
            return Err(format!(
                "nothing to record: `{}` does not exist\nhelp: pass `--from DIR`, where DIR is a \
                 root module directory after `terraform init` (or its `{INSTALLED}`), or \
                 `--module DIR --source SOURCE --version VERSION` for one module's directory",
                default.display()
            ));
        }
        sources.push(default);
    }
    let mut recorded: Vec<LockedModule> = Vec::new();
    for directory in &sources {
        recorded.extend(installed(directory)?);
    }
    if let Some(vendored) = vendored {
        recorded.push(vendored_module(&vendored)?);
    }
    if recorded.is_empty() {
        eprintln!("no registry or git modules found: `{LOCK_FILE}` is unchanged");
        return Ok(Status::Clean);
    }
    let before = lock.to_text();
    for module in recorded {
        eprintln!("recorded {}", describe_key(&module.key()));
        lock.insert(module);
    }
    let text = lock.to_text();
    if text == before {
        eprintln!("`{LOCK_FILE}` is up to date ({} modules)", lock.len());
        return Ok(Status::Clean);
    }
    write_atomically(&path, &text)
        .map_err(|error| format!("cannot write `{}`: {}", path.display(), io_reason(&error)))?;
    eprintln!("wrote `{}` ({} modules)", path.display(), lock.len());
    Ok(Status::Clean)
}

/// The registry and git modules that `terraform init` installed under `directory` (a
/// `.terraform/modules` directory, or a root module directory that holds one).
fn installed(directory: &Path) -> Result<Vec<LockedModule>, String> {
    let modules_dir = if directory.join(MANIFEST).is_file() {
        directory.to_path_buf()
    } else {
        directory.join(INSTALLED)
    };
    let manifest = modules_dir.join(MANIFEST);
    if !manifest.is_file() {
        return Err(format!(
            "no `{MANIFEST}` in `{}` nor in `{}`\nhelp: run `terraform init -backend=false` in the \
             root module directory first; it downloads the modules and writes `{INSTALLED}/{MANIFEST}`",
            directory.display(),
            modules_dir.display()
        ));
    }
    let modules_root = root(&modules_dir)?;
    let text = read_text(&modules_root, &manifest)
        .map_err(|reason| format!("cannot read `{}`: {reason}", manifest.display()))?;
    let entries = lock::installed_modules(&text)
        .map_err(|error| format!("cannot read `{}`: {}", manifest.display(), error.0))?;
    if entries.len() > MAX_MODULES {
        return Err(format!(
            "`{}` lists more than {MAX_MODULES} modules",
            manifest.display()
        ));
    }
    let mut modules = Vec::new();
    for entry in &entries {
        if let Some(module) = installed_module(&modules_root, &modules_dir, entry)? {
            modules.push(module);
        }
    }
    Ok(modules)
}

/// One entry of `modules.json`, recorded; `None` for the root and for local modules.
fn installed_module(
    modules_root: &Root,
    modules_dir: &Path,
    entry: &InstalledModule,
) -> Result<Option<LockedModule>, String> {
    if entry.key.is_empty() || entry.source.is_empty() {
        return Ok(None);
    }
    let (key, version) = match ModuleSource::of(&entry.source) {
        ModuleSource::Local => return Ok(None),
        ModuleSource::Registry(address) => (address, entry.version.clone()),
        ModuleSource::Remote(source) => (source, None),
    };
    // Downloaded modules live under `.terraform/modules/`; any other directory is a
    // local module, which is checked from the project's own files.
    let Some(relative) = entry
        .dir
        .strip_prefix(INSTALLED)
        .map(|rest| rest.trim_start_matches('/'))
    else {
        return Ok(None);
    };
    let relative = Path::new(relative);
    if relative
        .components()
        .any(|part| !matches!(part, Component::Normal(_)))
    {
        return Err(format!(
            "`{}` names the directory `{}`, which leaves `{INSTALLED}`",
            modules_dir.join(MANIFEST).display(),
            entry.dir
        ));
    }
    let interface = module_interface(modules_root, &modules_dir.join(relative), &key)?;
    Ok(Some(LockedModule::new(key, version, &interface)))
}

fn vendored_module(vendored: &Vendored<'_>) -> Result<LockedModule, String> {
    let source = ModuleSource::of(vendored.source);
    let (key, version) = match &source {
        ModuleSource::Local => {
            return Err(format!(
                "`{}` is a local path: local modules are read from the project and need no lock",
                vendored.source
            ));
        }
        ModuleSource::Registry(address) => match vendored.version {
            Some(version) if lock::is_exact_version(version) => {
                (address.clone(), Some(lock::exact_version(version)))
            }
            _ => {
                return Err(format!(
                    "`{}` is a registry module: give the exact release it is, such as `--version 1.4.1`",
                    vendored.source
                ));
            }
        },
        ModuleSource::Remote(source) => {
            if vendored.version.is_some() {
                return Err(format!(
                    "`{source}` is not a registry module: its version is part of the source (`?ref=v1.2.0`); leave out `--version`"
                ));
            }
            (source.clone(), None)
        }
    };
    let interface = module_interface(&root(vendored.dir)?, vendored.dir, &key)?;
    Ok(LockedModule::new(key, version, &interface))
}

/// The interface of the module whose `.tf` files are directly in `directory`, read
/// inside `root`.
fn module_interface(
    root: &Root,
    directory: &Path,
    key: &str,
) -> Result<plat_compiler::terraform::ModuleInterface, String> {
    let entries = fs::read_dir(directory).map_err(|error| {
        format!(
            "cannot read the module `{key}` in `{}`: {}",
            directory.display(),
            io_reason(&error)
        )
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_ok_and(|kind| !kind.is_dir()))
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name()
                .map(|name| name.to_string_lossy())
                .is_some_and(|name| name.ends_with(".tf") && !name.starts_with('.'))
        })
        .collect();
    paths.sort();
    paths.truncate(MAX_TERRAFORM_FILES);
    let files: Vec<(String, Result<String, String>)> = paths
        .iter()
        .map(|path| (path.display().to_string(), read_text(root, path)))
        .collect();
    read_module(&files).map_err(|problem| match problem {
        ModuleProblem::Missing | ModuleProblem::NotLoaded => format!(
            "no `.tf` files in `{}`: it does not hold the module `{key}`",
            directory.display()
        ),
        ModuleProblem::Invalid { file, reason } => {
            format!("cannot read the module `{key}`: `{file}`: {reason}")
        }
    })
}
