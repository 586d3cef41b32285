//! What a module `source` names, as Terraform reads it: a local path, a registry
//! address (`terraform-aws-modules/rds/aws`, with an optional host and `//subdirectory`),
//! or anything else that `terraform init` downloads (git, an archive, a bucket).
//!
//! Invariants: a source is classified by its text alone, as Terraform's own rules do
//! (local paths start with `./` or `../`; a registry address is `[HOST/]NAMESPACE/NAME/
//! PROVIDER` with no scheme); registry addresses on the public registry are written
//! without their host, so that `registry.terraform.io/a/b/c` and `a/b/c` are one module.

/// The public registry's host, left out of registry addresses.
const PUBLIC_REGISTRY: &str = "registry.terraform.io/";

/// What kind of module a `source` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModuleSource {
    /// `./modules/x`, `../x`: a directory read with the calling module.
    Local,
    /// A registry module: its address, without the public registry's host, with its
    /// `//subdirectory` when there is one. Versioned by the `version` argument.
    Registry(String),
    /// Anything else `terraform init` downloads (`git::...`, `github.com/...`,
    /// `https://.../x.zip`, `s3::...`): the source as written; a version, if any, is
    /// part of it (`?ref=v1.2.0`).
    Remote(String),
}

impl ModuleSource {
    /// Classifies `source` as Terraform does.
    pub fn of(source: &str) -> ModuleSource {
        let source = source.trim();
        if super::path::is_local(source) {
            return ModuleSource::Local;
        }
        match registry_address(source) {
            Some(address) => ModuleSource::Registry(address),
            None => ModuleSource::Remote(source.to_string()),
        }
    }

    /// The key under which a lock records the module: the registry address or the
    /// remote source; `None` for a local module.
    pub fn key(&self) -> Option<&str> {
        match self {
            ModuleSource::Local => None,
            ModuleSource::Registry(address) | ModuleSource::Remote(address) => Some(address),
        }
    }
}

/// The registry address of `source` (host of the public registry left out), or `None`
/// when `source` is not a registry address.
fn registry_address(source: &str) -> Option<String> {
    if source.contains("::") || source.contains("://") || source.contains(['?', '@']) {
        return None;
    }
    let (package, subdirectory) = match source.split_once("//") {
        Some((package, subdirectory)) => (package, Some(subdirectory)),
        None => (source, None),
    };
    let package = package.strip_prefix(PUBLIC_REGISTRY).unwrap_or(package);
    let parts: Vec<&str> = package.split('/').collect();
    let valid = |part: &&str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    let is_address = match parts.as_slice() {
        [namespace, name, provider] => [namespace, name, provider].iter().all(|part| valid(part)),
        // A private registry: the host has a dot, and is not a code host that
        // Terraform reads as git (`github.com/a/b/c`).
        [host, namespace, name, provider] => {
            host.contains('.')
                && !["github.com", "bitbucket.org"].contains(host)
                && [namespace, name, provider].iter().all(|part| valid(part))
        }
        _ => false,
    };
    if !is_address {
        return None;
    }
    Some(match subdirectory {
        Some(subdirectory) if !subdirectory.is_empty() => format!("{package}//{subdirectory}"),
        _ => package.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_classified_as_terraform_reads_them() {
        assert_eq!(ModuleSource::of("./modules/db"), ModuleSource::Local);
        assert_eq!(
            ModuleSource::of("terraform-aws-modules/rds/aws"),
            ModuleSource::Registry("terraform-aws-modules/rds/aws".into())
        );
        assert_eq!(
            ModuleSource::of(
                "registry.terraform.io/terraform-aws-modules/iam/aws//modules/iam-role"
            ),
            ModuleSource::Registry("terraform-aws-modules/iam/aws//modules/iam-role".into())
        );
        assert_eq!(
            ModuleSource::of("app.terraform.io/acme/db/aws"),
            ModuleSource::Registry("app.terraform.io/acme/db/aws".into())
        );
        for remote in [
            "git::https://github.com/acme/terraform-aws-db.git?ref=v1.2.0",
            "github.com/acme/terraform-aws-db",
            "github.com/acme/db/aws",
            "git@github.com:acme/db.git",
            "https://example.com/db.zip",
            "s3::https://s3.amazonaws.com/bucket/db.zip",
        ] {
            assert_eq!(
                ModuleSource::of(remote),
                ModuleSource::Remote(remote.into()),
                "{remote}"
            );
        }
    }
}
