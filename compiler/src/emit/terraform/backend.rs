//! Where each root module keeps its state, and how another root module reads it.
//!
//! Invariants: every root module of an environment has a state of its own (a small blast
//! radius): the environment's backend settings with the setting that locates the state
//! (`key`, `prefix`, `path` …) made distinct per root module — `shop/staging.tfstate`
//! becomes `shop/staging/shared.tfstate` and `shop/staging/workloads/cart-api.tfstate`.
//! A backend kind plat does not know gets a distinct `key`: if it does not take one,
//! `terraform init` says so, which is better than root modules silently sharing a state.
//! A `terraform_remote_state` has exactly the settings of the backend it reads. An `s3`
//! backend encrypts state unless the environment says `encrypt = false`; a `kubernetes`
//! backend uses the environment's `cluster` as its kube context unless it names one, as
//! the `kubernetes` provider does, so that state and what it describes are in one
//! cluster.
//!
//! State never lives in the build output, which any build replaces: an environment that
//! writes Terraform names a backend (E0901), and a `local` one has an absolute path
//! (E0902). A model that breaks this (built by hand, never by the checker) gets no
//! backend block, Terraform's default.

use serde_json::{Map, Value as Json};

use crate::resolve::model::ResolvedEnvironment;

use super::expr::{self, References};
use super::names;
use super::plan::RootId;

/// The `terraform.backend` block of `root`: `{"s3": {...}}`; `None` without a backend.
pub(super) fn backend(
    env: &ResolvedEnvironment,
    project: &str,
    root: &RootId,
    refs: &dyn References,
) -> Option<Json> {
    env.backend.as_ref()?;
    let (kind, config) = settings(env, project, root, root.depth(), refs);
    Some(Json::Object(Map::from_iter([(kind, Json::Object(config))])))
}

/// Whether the environment's state is locked with a file beside it, which Terraform
/// 1.10 introduced (`use_lockfile`).
pub(super) fn uses_lockfile(env: &ResolvedEnvironment) -> bool {
    env.backend.as_ref().is_some_and(|backend| {
        backend.config.get("use_lockfile") == Some(&crate::resolve::value::Value::Bool(true))
    })
}

/// The `terraform_remote_state` data source through which `reader` reads `target`.
pub(super) fn remote_state(
    env: &ResolvedEnvironment,
    project: &str,
    reader: &RootId,
    target: &RootId,
    refs: &dyn References,
) -> Json {
    let (kind, config) = settings(env, project, target, reader.depth(), refs);
    Json::Object(Map::from_iter([
        ("backend".to_string(), Json::String(kind)),
        ("config".to_string(), Json::Object(config)),
    ]))
}

/// Whose state `root` is, and its name among the states of the environment: in an
/// application's build, the shared root module is the platform's (`shared`, under the
/// platform's name), and the application's root modules keep their states apart from
/// the platform's and other applications' (`apps/storefront/workloads/web`).
fn state_of<'a>(
    env: &'a ResolvedEnvironment,
    project: &'a str,
    root: &RootId,
) -> (&'a str, String) {
    match (&env.platform, root) {
        (Some(platform), RootId::Shared) => (platform, root.state_name()),
        (Some(_), RootId::Workload(_)) => (
            project,
            format!("apps/{}/{}", names::directory(project), root.state_name()),
        ),
        (None, _) => (project, root.state_name()),
    }
}

/// The backend kind and settings of `root`'s state, with relative paths written for a
/// working directory `depth` levels below `terraform/`.
fn settings(
    env: &ResolvedEnvironment,
    project: &str,
    root: &RootId,
    depth: usize,
    refs: &dyn References,
) -> (String, Map<String, Json>) {
    let (project, state) = state_of(env, project, root);
    let Some(backend) = &env.backend else {
        // Terraform's default: `terraform.tfstate` in the root module's directory.
        let path = format!("{}{state}/terraform.tfstate", "../".repeat(depth));
        return (
            "local".to_string(),
            Map::from_iter([("path".to_string(), Json::String(expr::escape(&path)))]),
        );
    };
    let mut config: Map<String, Json> = backend
        .config
        .iter()
        .map(|(key, value)| (key.clone(), expr::json(value, refs)))
        .collect();
    let text = |field: &str| backend.config.get(field).and_then(|value| value.as_text());
    let default_stem = default_stem(project, &env.name);
    let (field, location) = match backend.kind.as_str() {
        "gcs" => {
            let prefix = text("prefix").unwrap_or(default_stem);
            (
                "prefix",
                format!("{}/{state}", prefix.trim_end_matches('/')),
            )
        }
        "local" => {
            let path = text("path").unwrap_or_else(|| "terraform.tfstate".to_string());
            (
                "path",
                relative_to(&format!("{}/{state}.tfstate", stem(&path)), depth),
            )
        }
        "consul" => {
            let path = text("path").unwrap_or(default_stem);
            ("path", format!("{}/{state}", path.trim_end_matches('/')))
        }
        "kubernetes" => {
            if let Some(cluster) = &env.cluster {
                config
                    .entry("config_context")
                    .or_insert_with(|| Json::String(expr::escape(cluster)));
            }
            let suffix = text("secret_suffix").unwrap_or_else(|| {
                format!(
                    "plat-{}-{}",
                    names::directory(project),
                    names::directory(&env.name)
                )
            });
            ("secret_suffix", secret_suffix(&suffix, &state))
        }
        _ => {
            let key = text("key").map(|key| stem(&key)).unwrap_or(default_stem);
            ("key", format!("{key}/{state}.tfstate"))
        }
    };
    config.insert(field.to_string(), Json::String(expr::escape(&location)));
    if backend.kind == "s3" {
        // State holds every secret of the root module: encrypt it unless told otherwise.
        config.entry("encrypt").or_insert(Json::Bool(true));
    }
    (backend.kind.clone(), config)
}

/// The `secret_suffix` of a root module's state: the environment's suffix and the root
/// module's name. Terraform refuses a suffix that ends in `-<number>` (it numbers the
/// Secrets of a large state so), so such a name gets `-state` after it.
fn secret_suffix(suffix: &str, state: &str) -> String {
    let suffix = format!("{suffix}-{}", state.replace('/', "-"));
    let numbered = suffix
        .rsplit_once('-')
        .is_some_and(|(_, last)| !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()));
    if numbered {
        format!("{suffix}-state")
    } else {
        suffix
    }
}

/// Where state goes when the backend does not say: `plat/<project>/<env>`.
fn default_stem(project: &str, env: &str) -> String {
    format!(
        "plat/{}/{}",
        names::directory(project),
        names::directory(env)
    )
}

/// A state location without its `.tfstate` extension and trailing `/`.
fn stem(location: &str) -> String {
    let location = location.trim_end_matches('/');
    location
        .strip_suffix(".tfstate")
        .unwrap_or(location)
        .to_string()
}

/// A relative local path, written relative to `<env>/terraform/`, seen from a working
/// directory `depth` levels below it; absolute paths stay as they are.
fn relative_to(path: &str, depth: usize) -> String {
    if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{}{path}", "../".repeat(depth))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems() {
        assert_eq!(stem("shop/staging.tfstate"), "shop/staging");
        assert_eq!(stem("shop/staging/"), "shop/staging");
        assert_eq!(stem("state"), "state");
    }

    #[test]
    fn secret_suffixes_never_end_in_a_number() {
        assert_eq!(
            secret_suffix("plat-shop-dev", "workloads/api"),
            "plat-shop-dev-workloads-api"
        );
        assert_eq!(
            secret_suffix("plat-shop-dev", "workloads/api-2"),
            "plat-shop-dev-workloads-api-2-state"
        );
    }

    #[test]
    fn relative_paths_climb_to_the_terraform_directory() {
        assert_eq!(relative_to("state/a.tfstate", 2), "../../state/a.tfstate");
        assert_eq!(
            relative_to("/var/state/a.tfstate", 2),
            "/var/state/a.tfstate"
        );
    }
}
