//! Where each root module keeps its state, and how another root module reads it.
//!
//! Invariants: every root module of an environment has a state of its own (a small blast
//! radius): the environment's backend settings with the setting that locates the state
//! (`key`, `prefix`, `path` …) made distinct per root module — `shop/staging.tfstate`
//! becomes `shop/staging/shared.tfstate` and `shop/staging/workloads/cart-api.tfstate`.
//! A backend kind plat does not know gets a distinct `key`: if it does not take one,
//! `terraform init` says so, which is better than root modules silently sharing a state.
//! A `terraform_remote_state` has exactly the settings of the backend it reads. An `s3`
//! backend encrypts state unless the environment says `encrypt = "false"`.
//!
//! Without a backend, state is local, under `<env>/terraform/.state/` — outside the root
//! modules' directories but inside the output, which `plat build` carries over from one
//! build to the next (the state must outlive the generated files: losing it would orphan
//! what was provisioned and regenerate every password).

use serde_json::{Map, Value as Json};

use crate::resolve::model::ResolvedEnvironment;

use super::expr::{self, References};
use super::names;
use super::plan::RootId;

/// The directory, relative to `<env>/terraform/`, that holds local state.
pub const LOCAL_STATE_DIRECTORY: &str = ".state";

/// The `terraform.backend` block of `root`: `{"s3": {...}}`.
pub(super) fn backend(
    env: &ResolvedEnvironment,
    project: &str,
    root: &RootId,
    refs: &dyn References,
) -> Json {
    let (kind, config) = settings(env, project, root, root.depth(), refs);
    Json::Object(Map::from_iter([(kind, Json::Object(config))]))
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
        let path = format!(
            "{}{LOCAL_STATE_DIRECTORY}/{state}.tfstate",
            "../".repeat(depth)
        );
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
            let location = match text("path") {
                Some(path) => relative_to(&format!("{}/{state}.tfstate", stem(&path)), depth),
                None => format!(
                    "{}{LOCAL_STATE_DIRECTORY}/{state}.tfstate",
                    "../".repeat(depth)
                ),
            };
            ("path", location)
        }
        "consul" => {
            let path = text("path").unwrap_or(default_stem);
            ("path", format!("{}/{state}", path.trim_end_matches('/')))
        }
        "kubernetes" => {
            let suffix = text("secret_suffix").unwrap_or_else(|| {
                format!(
                    "plat-{}-{}",
                    names::directory(project),
                    names::directory(&env.name)
                )
            });
            (
                "secret_suffix",
                format!("{suffix}-{}", state.replace('/', "-")),
            )
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
    fn relative_paths_climb_to_the_terraform_directory() {
        assert_eq!(relative_to("state/a.tfstate", 2), "../../state/a.tfstate");
        assert_eq!(
            relative_to("/var/state/a.tfstate", 2),
            "/var/state/a.tfstate"
        );
    }
}
