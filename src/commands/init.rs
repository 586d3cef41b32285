//! `plat init`: scaffold a new platform that checks and builds at once.
//!
//! Writes `plat.toml`, `platform/environments.plat` (a `development` environment where
//! everything runs in the cluster, with the standard library's offerings),
//! `workloads/hello.plat` (one container and a PostgreSQL database whose password flows
//! into `env`), `README.md` and `.gitignore`.
//!
//! Invariants: an existing file is never overwritten: if any of the files exists,
//! nothing is written, they are listed and the exit status is 2; each file is created
//! with `create_new`, so a file that appears meanwhile is not clobbered either. The
//! project name is a DNS label (it names Kubernetes namespaces), and the scaffold is in
//! the canonical style of `plat fmt`, with nothing to install but plat.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::Status;

/// The longest DNS label.
const MAX_LABEL: usize = 63;
/// The name used when the directory's name has nothing usable in it.
const FALLBACK_NAME: &str = "platform";

pub fn run(directory: &Path, name: Option<&str>) -> Status {
    let name = match project_name(directory, name) {
        Ok(name) => name,
        Err(message) => {
            eprintln!("{message}");
            return Status::Usage;
        }
    };
    if let Err(message) = check_directory(directory) {
        eprintln!("error: {message}");
        return Status::Usage;
    }
    let files = scaffold(&name);
    let existing: Vec<&str> = files
        .iter()
        .map(|(path, _)| *path)
        .filter(|path| fs::symlink_metadata(directory.join(path)).is_ok())
        .collect();
    if !existing.is_empty() {
        eprintln!(
            "error: not initialising `{}`: these files exist already:\n{}\nhelp: run \
             `plat init` in an empty or new directory, or move them away first",
            directory.display(),
            existing
                .iter()
                .map(|path| format!("  {path}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
        return Status::Usage;
    }
    for (path, contents) in &files {
        if let Err(message) = create(&directory.join(path), contents) {
            eprintln!("error: {message}");
            return Status::Usage;
        }
    }
    eprintln!("{}", next_steps(directory, &name, &files));
    Status::Clean
}

/// The project's name: `--name`, which must be a DNS label, or the directory's name
/// made into one.
fn project_name(directory: &Path, name: Option<&str>) -> Result<String, String> {
    if let Some(name) = name {
        let label = dns_label(name);
        if label != name {
            return Err(format!(
                "error: `{name}` is not a valid project name: it names Kubernetes namespaces, \
                 so it must be a DNS label (lower-case letters, digits and `-`, at most \
                 {MAX_LABEL} characters)\nhelp: try `--name {label}`"
            ));
        }
        return Ok(label);
    }
    let absolute = std::path::absolute(directory).unwrap_or_else(|_| directory.to_path_buf());
    let base = normalised(&absolute)
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(dns_label(&base))
}

/// `path` with `.` and `..` removed lexically (`/a/b/..` → `/a`).
fn normalised(path: &Path) -> PathBuf {
    let mut result = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                result.pop();
            }
            other => result.push(other),
        }
    }
    result
}

/// `text` made a DNS label: lower case, every run of other characters a single `-`,
/// no `-` at either end, at most 63 characters; `platform` if nothing is left.
pub fn dns_label(text: &str) -> String {
    let mut label = String::new();
    for ch in text.chars() {
        let ch = ch.to_ascii_lowercase();
        if ch.is_ascii_lowercase() || ch.is_ascii_digit() {
            label.push(ch);
        } else if !label.ends_with('-') {
            label.push('-');
        }
    }
    let label: String = label.trim_matches('-').chars().take(MAX_LABEL).collect();
    let label = label.trim_end_matches('-');
    if label.is_empty() {
        FALLBACK_NAME.to_string()
    } else {
        label.to_string()
    }
}

/// The directory must be a directory, or not exist yet.
fn check_directory(directory: &Path) -> Result<(), String> {
    match fs::metadata(directory) {
        Ok(metadata) if metadata.is_dir() => Ok(()),
        Ok(_) => Err(format!(
            "cannot initialise `{}`: it exists and is not a directory",
            directory.display()
        )),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(format!("cannot read `{}`: {error}", directory.display())),
    }
}

/// Creates a new file (and its directory); fails if it exists.
pub(super) fn create(path: &Path, contents: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .map_err(|error| format!("cannot create `{}`: {error}", parent.display()))?;
    }
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|error| format!("cannot create `{}`: {error}", path.display()))?;
    file.write_all(contents.as_bytes())
        .map_err(|error| format!("cannot write `{}`: {error}", path.display()))
}

/// What was created and what to run next.
fn next_steps(directory: &Path, name: &str, files: &[(&str, String)]) -> String {
    let shown = shell_quoted(&directory.display().to_string());
    let created: Vec<String> = files.iter().map(|(path, _)| format!("  {path}")).collect();
    let (prefix, out) = if shown == "." {
        (String::new(), "out".to_string())
    } else {
        (format!(" {shown}"), format!("{shown}/out"))
    };
    format!(
        "created the platform `{name}` in {shown}:\n{}\n\nnext:\n  plat check{prefix}\n  \
         plat build{prefix} --out {out}\n  plat doc{prefix} --out {out}-catalog",
        created.join("\n")
    )
}

/// `text` as one shell word: as it is when it is made of safe characters, else in
/// single quotes.
fn shell_quoted(text: &str) -> String {
    let safe = !text.is_empty()
        && text
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "-_./+:@".contains(ch));
    if safe {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// The files of a new platform, by path relative to its directory.
fn scaffold(name: &str) -> Vec<(&'static str, String)> {
    vec![
        (".gitignore", "/out/\n/out-catalog/\n/.plat/\n".to_string()),
        ("README.md", readme(name)),
        ("plat.toml", format!("[project]\nname = \"{name}\"\n")),
        ("platform/environments.plat", environments(name)),
        ("workloads/hello.plat", HELLO.to_string()),
    ]
}

fn environments(name: &str) -> String {
    let base = name.get(..MAX_LABEL - 4).unwrap_or(name);
    let namespace = format!("{}-dev", base.trim_end_matches('-'));
    format!(
        "\
// The environments of the platform: where workloads run, and which implementation of
// each offering is used there. Workloads never say how anything is provisioned; the
// environment does.

import std.postgres

/// A developer's own cluster (kind, k3d, minikube): everything runs in Kubernetes,
/// nothing costs money, and the data goes away with the cluster.
environment development {{
  namespace = \"{namespace}\"

  // Where Terraform keeps its state (the database's generated password): in the
  // cluster, beside what it describes, never in the build output.
  backend kubernetes {{
    namespace = \"{namespace}\"
  }}

  use postgres.in_cluster
}}
"
    )
}

const HELLO: &str = "\
// A workload: what a developer writes. It asks for what it needs (a database) and
// says nothing about how it is provisioned.

import std.postgres

/// A small web service with a database of its own.
workload hello {
  replicas = 1

  container main {
    image = \"ghcr.io/example/hello:1.0.0\"
    ports = { http = 8080 }
    env = {
      // The URL holds the password, a secret: plat delivers it through a Kubernetes
      // Secret.
      DATABASE_URL = db.url
    }
    readiness = { path = \"/ready\", port = 8080 }
  }

  /// The service's own PostgreSQL database.
  db: postgres { database = \"hello\" }
}
";

fn readme(name: &str) -> String {
    format!(
        "\
# {name}

A platform described with plat: what it offers, the environments it runs in, and the
workloads that run there.

## Layout

| path | what it holds |
| --- | --- |
| `plat.toml` | the project's name |
| `platform/environments.plat` | the environments; `development` runs everything in the cluster |
| `workloads/hello.plat` | a workload: one container and the PostgreSQL database it needs |

Every `.plat` file under this directory belongs to the project, however you arrange
them. Offerings (`postgres`, `redis`, `bucket`, `queue`, `dns`, `route`, `volume`) come
from the standard library with `import std.NAME`.

## Next

```sh
plat check                        # check everything: names, types, secrets
plat build --out out              # Kubernetes manifests and Terraform per environment
kubectl apply -k out/development/kubernetes
plat doc --out out-catalog        # the catalogue of offerings, as HTML and Markdown
plat fmt                          # the canonical style
```

To add an environment on a cloud, declare another `environment` that `use`s another
implementation of each offering (`use postgres.aws {{ subnet_ids = [...] }}`); the
workloads stay as they are. `plat explain CODE` explains any diagnostic.
"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_dns_labels() {
        assert_eq!(dns_label("My Platform_2"), "my-platform-2");
        assert_eq!(dns_label("--x--"), "x");
        assert_eq!(dns_label("!!!"), "platform");
        assert_eq!(dns_label(&"a".repeat(80)).len(), 63);
        assert_eq!(dns_label("ok-name"), "ok-name");
    }
}
