//! Cloud services that their modules create, checked against what the modules' own
//! documentation says it takes to reach them: a security group that admits clients,
//! a file system policy that admits the way it is mounted, a bucket that is public
//! when its public-access blocks are lifted. A module call's value is the one it sets,
//! else the variable's default in the module's recorded interface.

use serde_json::Value as Json;

use crate::terraform::{Root, first, module_interface};

const ELASTICACHE: &str = "terraform-aws-modules/elasticache/aws";
const EFS: &str = "terraform-aws-modules/efs/aws";
const S3_BUCKET: &str = "terraform-aws-modules/s3-bucket/aws";

/// A module call with its interface's defaults.
struct Call<'a> {
    name: &'a str,
    body: &'a Json,
    defaults: Vec<(String, Json)>,
}

impl Call<'_> {
    /// The value of the input `name`: set by the call, else the module's default.
    fn input(&self, name: &str) -> Json {
        self.body.get(name).cloned().unwrap_or_else(|| {
            self.defaults
                .iter()
                .find(|(variable, _)| variable == name)
                .map(|(_, default)| default.clone())
                .unwrap_or(Json::Null)
        })
    }

    fn is_true(&self, name: &str) -> bool {
        matches!(self.input(name), Json::Bool(true)) || self.input(name) == "true"
    }

    fn is_false(&self, name: &str) -> bool {
        matches!(self.input(name), Json::Bool(false)) || self.input(name) == "false"
    }
}

/// The calls of a root module to the registry module `source`.
fn calls<'a>(root: &'a Root<'_>, source: &str) -> Vec<Call<'a>> {
    root.entries("module")
        .into_iter()
        .filter(|(_, body)| body.get("source").and_then(Json::as_str) == Some(source))
        .map(|(name, body)| Call {
            name,
            body,
            defaults: module_interface(root, body)
                .map(|(_, interface)| {
                    interface
                        .variables
                        .into_iter()
                        .map(|variable| (variable.name, variable.default))
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect()
}

/// Whether a resource of the root opens the security group of `module.NAME`: an
/// ingress rule whose group is one of the module's outputs.
fn rule_opens(root: &Root<'_>, module: &str) -> bool {
    let reference = format!("module.{module}.");
    root.blocks("resource").iter().any(|(kind, _, body)| {
        let group = match *kind {
            "aws_vpc_security_group_ingress_rule" => body.get("security_group_id"),
            "aws_security_group_rule"
                if body.get("type").and_then(Json::as_str) == Some("ingress") =>
            {
                body.get("security_group_id")
            }
            _ => None,
        };
        group
            .and_then(Json::as_str)
            .is_some_and(|group| group.contains(&reference))
    })
}

/// ElastiCache: the module's security group has no ingress rule unless
/// `security_group_rules` holds one (rules are ingress unless their `type` says
/// otherwise); `security_group_ids` attaches existing groups instead.
pub fn check_caches(root: &Root<'_>, problems: &mut Vec<String>) {
    for call in calls(root, ELASTICACHE) {
        let rules = call.input("security_group_rules");
        let ingress = rules.as_object().into_iter().flatten().any(|(_, rule)| {
            rule.get("type").and_then(Json::as_str).unwrap_or("ingress") == "ingress"
        });
        let existing = call
            .input("security_group_ids")
            .as_array()
            .is_some_and(|groups| !groups.is_empty());
        if !ingress && !existing && !rule_opens(root, call.name) {
            problems.push(format!(
                "{}: module.{} ({ELASTICACHE}): the security group the module creates admits nothing (no ingress rule in `security_group_rules`, no `security_group_ids`, no rule resource on it), so no client can reach the cache",
                root.name(),
                call.name
            ));
        }
    }
}

/// EFS: by default (`attach_policy`, `deny_nonsecure_transport`) the file system's
/// policy denies every client that does not use TLS; a PersistentVolume that mounts it
/// over plain NFS is then refused. The EFS CSI driver mounts with TLS unless told
/// otherwise (`encryptInTransit`).
pub fn check_file_systems(root: &Root<'_>, problems: &mut Vec<String>) {
    for call in calls(root, EFS) {
        let denies_plain =
            !call.is_false("attach_policy") && !call.is_false("deny_nonsecure_transport");
        if !denies_plain {
            continue;
        }
        let reference = format!("module.{}.", call.name);
        for (kind, name, body) in root.blocks("resource") {
            if kind != "kubernetes_persistent_volume_v1" {
                continue;
            }
            let spec = first(&body["spec"]);
            let source = first(&spec["persistent_volume_source"]);
            let nfs = first(&source["nfs"]);
            let reads_module = nfs["server"]
                .as_str()
                .is_some_and(|server| server.contains(&reference));
            if reads_module {
                problems.push(format!(
                    "{}: {kind}.{name} mounts module.{} ({EFS}) over plain NFS, which the file system's policy denies (`deny_nonsecure_transport` is on): mount it with TLS (the EFS CSI driver) or let the policy admit it",
                    root.name(),
                    call.name
                ));
            }
            let csi = first(&source["csi"]);
            let plain_csi = csi["driver"].as_str() == Some("efs.csi.aws.com")
                && first(&csi["volume_attributes"])["encryptInTransit"].as_str() == Some("false")
                && csi["volume_handle"]
                    .as_str()
                    .is_some_and(|handle| handle.contains(&reference));
            if plain_csi {
                problems.push(format!(
                    "{}: {kind}.{name} mounts module.{} ({EFS}) without TLS (`encryptInTransit = false`), which the file system's policy denies",
                    root.name(),
                    call.name
                ));
            }
        }
    }
}

/// S3: lifting the public-access blocks grants nothing by itself; a public bucket
/// also needs a policy (`attach_policy` and `policy`) or an ACL that grants read.
pub fn check_buckets(root: &Root<'_>, problems: &mut Vec<String>) {
    for call in calls(root, S3_BUCKET) {
        let lifted = [
            "block_public_acls",
            "block_public_policy",
            "ignore_public_acls",
            "restrict_public_buckets",
        ]
        .iter()
        .any(|block| call.is_false(block));
        if !lifted {
            continue;
        }
        let policy = call.is_true("attach_policy") && !call.input("policy").is_null();
        let acl = matches!(
            call.input("acl").as_str(),
            Some("public-read" | "public-read-write")
        );
        if !policy && !acl {
            problems.push(format!(
                "{}: module.{} ({S3_BUCKET}) lifts the public-access blocks but grants no public read: no `policy` is attached and no public ACL is set",
                root.name(),
                call.name
            ));
        }
    }
}
