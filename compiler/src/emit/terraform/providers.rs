//! The providers a root module uses, their pinned versions and their configuration.
//!
//! Invariants: a root module requires exactly the providers it uses — `aws` or `google`
//! when one of its modules' sources is for that cloud, `kubernetes` when it hands values
//! over to the cluster, `random` when it generates a password — each constrained to the
//! versions that every module the standard library pins accepts (the lock file that
//! `terraform init` writes fixes the exact build).

use serde_json::{Map, Value as Json};

use crate::resolve::model::ResolvedEnvironment;

use super::expr;

/// The Terraform versions the emitted JSON is written for: from 1.5.7, or from 1.10
/// when the state is locked with a file beside it (`use_lockfile`, new in 1.10).
pub(super) fn required_terraform(uses_lockfile: bool) -> &'static str {
    if uses_lockfile {
        ">= 1.10.0, < 2.0.0"
    } else {
        ">= 1.5.7, < 2.0.0"
    }
}

/// A provider plat configures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Provider {
    Aws,
    Google,
    Kubernetes,
    Random,
}

impl Provider {
    /// The local name: `aws`.
    pub(super) fn name(self) -> &'static str {
        match self {
            Provider::Aws => "aws",
            Provider::Google => "google",
            Provider::Kubernetes => "kubernetes",
            Provider::Random => "random",
        }
    }

    /// The `required_providers` entry: source address and version constraint.
    pub(super) fn requirement(self) -> Json {
        let version = match self {
            // The standard library's AWS modules accept 5.x and 6.x from these: the
            // highest floor is elasticache 1.10's (>= 5.93).
            Provider::Aws => ">= 5.93, < 7.0",
            // sql-db 26.1's floor (>= 6.31) and memorystore 15.1's ceiling (< 7).
            Provider::Google => ">= 6.31, < 7.0",
            Provider::Kubernetes => "~> 2.36",
            Provider::Random => "~> 3.7",
        };
        Json::Object(Map::from_iter([
            (
                "source".to_string(),
                Json::String(format!("hashicorp/{}", self.name())),
            ),
            ("version".to_string(), Json::String(version.to_string())),
        ]))
    }

    /// The `provider` block, or `None` when the provider needs no configuration.
    pub(super) fn configuration(self, env: &ResolvedEnvironment) -> Option<Json> {
        let setting = |name: &str, value: &Option<String>| {
            value
                .iter()
                .map(|value| (name.to_string(), Json::String(expr::escape(value))))
                .collect::<Map<String, Json>>()
        };
        match self {
            Provider::Aws | Provider::Google => Some(Json::Object(setting("region", &env.region))),
            Provider::Kubernetes => Some(Json::Object(setting("config_context", &env.cluster))),
            Provider::Random => None,
        }
    }
}

/// The cloud a module source is for: the provider segment of a registry address
/// (`terraform-aws-modules/rds/aws`, `registry.terraform.io/x/y/google//modules/z`), or
/// the `terraform-<provider>-` naming convention of other sources.
pub(super) fn of_module(source: &str) -> Option<Provider> {
    let address = source.split("//").next().unwrap_or(source);
    let address = address
        .strip_prefix("registry.terraform.io/")
        .unwrap_or(address);
    let segments: Vec<&str> = address.split('/').collect();
    let is_registry = segments.len() == 3 && !address.contains(['.', ':']);
    let named = |name: &str| match name {
        "aws" => Some(Provider::Aws),
        "google" => Some(Provider::Google),
        _ => None,
    };
    if is_registry {
        return named(segments[2]);
    }
    if source.contains("terraform-aws-") {
        Some(Provider::Aws)
    } else if source.contains("terraform-google-") {
        Some(Provider::Google)
    } else {
        None
    }
}

/// The clouds a module kept in the project uses: the providers its files require or
/// whose resources and data sources they declare (`resource "aws_..."`).
pub(super) fn of_local_module(files: &[(String, String)]) -> Vec<Provider> {
    let uses = |name: &str| {
        files.iter().any(|(_, text)| {
            text.contains(&format!("hashicorp/{name}\""))
                || text.contains(&format!("resource \"{name}_"))
                || text.contains(&format!("data \"{name}_"))
        })
    };
    [("aws", Provider::Aws), ("google", Provider::Google)]
        .into_iter()
        .filter(|(name, _)| uses(name))
        .map(|(_, provider)| provider)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_provider_of_registry_modules() {
        assert_eq!(
            of_module("terraform-aws-modules/rds/aws"),
            Some(Provider::Aws)
        );
        assert_eq!(
            of_module("terraform-google-modules/sql-db/google//modules/postgresql"),
            Some(Provider::Google)
        );
        assert_eq!(
            of_module("registry.terraform.io/terraform-aws-modules/sqs/aws"),
            Some(Provider::Aws)
        );
        assert_eq!(of_module("acme/thing/azurerm"), None);
    }

    #[test]
    fn the_provider_of_other_sources() {
        assert_eq!(
            of_module("git::https://github.com/acme/terraform-aws-db.git?ref=v1.2.0"),
            Some(Provider::Aws)
        );
        assert_eq!(of_module("./modules/db"), None);
        let files = vec![(
            "main.tf".to_string(),
            "resource \"aws_opensearch_domain\" \"this\" {}".to_string(),
        )];
        assert_eq!(of_local_module(&files), vec![Provider::Aws]);
    }
}
