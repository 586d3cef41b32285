//! One root module as Terraform JSON files.
//!
//! Invariants: each file is built from `serde_json` maps, whose keys are sorted, so
//! the same plan always gives the same bytes; a block or section with nothing in it is
//! left out. Every output that [`super::plan::is_sensitive`] calls sensitive carries
//! `sensitive = true`; Secrets, ConfigMaps and ServiceAccounts are written into the
//! environment's namespace under the names [`delivery`] gives them.

use std::collections::BTreeSet;

use serde_json::{Map, Value as Json};

use crate::emit::delivery;
use crate::resolve::model::{Instance, Lifecycle, ResolvedEnvironment, ResolvedWorkload};

use super::backend;
use super::expr::{self, References};
use super::names;
use super::plan::{Handover, Plan, RootId, RootModule};
use super::providers::{self, Provider};

/// The storage class that binds the PersistentVolumes plat writes to their claims, and
/// only to them: no StorageClass of that name exists, so nothing provisions one
/// dynamically, and no other claim asks for it.
const STATIC_STORAGE_CLASS: &str = "plat-static";

/// The size of a PersistentVolume whose instance gives none. Elastic file systems such
/// as EFS do not enforce it.
const DEFAULT_VOLUME_SIZE: &str = "10Gi";

/// How long the passwords plat has Terraform generate are. Letters and digits only, so
/// that they can be written into a URL or a configuration file without escaping.
const PASSWORD_LENGTH: i64 = 32;

/// The files of `root`, by name, each a JSON document; a file with nothing to say is
/// left out. The split follows Terraform's style guide (`terraform.tf`, `providers.tf`,
/// `main.tf`, `outputs.tf`); it also keeps the `terraform` block, which some scanners'
/// JSON parsers cannot read, apart from the resources they check.
pub(super) fn files(
    env: &ResolvedEnvironment,
    lifecycle: &Lifecycle,
    project: &str,
    plan: &Plan<'_>,
    root: &RootModule<'_>,
    removed: &BTreeSet<Provider>,
) -> Vec<(&'static str, Json)> {
    let refs = plan.references_from(&root.id);
    let mut providers = used_providers(root);
    providers.extend(removed.iter().copied());
    let mut main = Map::new();
    insert_non_empty(&mut main, "data", data(env, project, root, &refs));
    insert_non_empty(&mut main, "module", modules(plan, root, &refs));
    insert_non_empty(
        &mut main,
        "resource",
        resources(env, lifecycle, project, plan, root, &refs),
    );
    let mut provider = Map::new();
    insert_non_empty(&mut provider, "provider", provider_blocks(env, &providers));
    let mut output = Map::new();
    insert_non_empty(&mut output, "output", outputs(root, &refs));
    let terraform = Map::from_iter([(
        "terraform".to_string(),
        settings(env, project, &root.id, &providers, &refs),
    )]);
    non_empty([
        ("main.tf.json", main),
        ("outputs.tf.json", output),
        ("providers.tf.json", provider),
        ("terraform.tf.json", terraform),
    ])
}

/// The documents that say something, by file name.
fn non_empty<const N: usize>(
    documents: [(&'static str, Map<String, Json>); N],
) -> Vec<(&'static str, Json)> {
    documents
        .into_iter()
        .filter(|(_, document)| !document.is_empty())
        .map(|(name, document)| (name, Json::Object(document)))
        .collect()
}

/// The files of a root module that creates nothing and is kept so that Terraform can
/// destroy what its state holds (what the sources remove): its backend, and the
/// providers of what it provisioned.
pub(super) fn destroy_only_files(
    env: &ResolvedEnvironment,
    project: &str,
    root: &RootId,
    refs: &dyn References,
    providers: &BTreeSet<Provider>,
) -> Vec<(&'static str, Json)> {
    let mut provider = Map::new();
    insert_non_empty(&mut provider, "provider", provider_blocks(env, providers));
    let terraform = Map::from_iter([(
        "terraform".to_string(),
        settings(env, project, root, providers, refs),
    )]);
    non_empty([
        ("providers.tf.json", provider),
        ("terraform.tf.json", terraform),
    ])
}

fn insert_non_empty(document: &mut Map<String, Json>, key: &str, section: Map<String, Json>) {
    if !section.is_empty() {
        document.insert(key.to_string(), Json::Object(section));
    }
}

/// The providers the root module uses.
pub(super) fn used_providers(root: &RootModule<'_>) -> BTreeSet<Provider> {
    let mut used: BTreeSet<Provider> = root
        .modules
        .iter()
        .flat_map(|(_, module)| match &module.local {
            Some(local) => providers::of_local_module(&local.files),
            None => providers::of_module(&module.source).into_iter().collect(),
        })
        .collect();
    if !root.passwords.is_empty() {
        used.insert(Provider::Random);
    }
    if !root.handovers.is_empty() || !root.service_accounts.is_empty() || !root.claims.is_empty() {
        used.insert(Provider::Kubernetes);
    }
    used
}

/// The `terraform` block: version, providers and backend.
fn settings(
    env: &ResolvedEnvironment,
    project: &str,
    root: &RootId,
    used: &BTreeSet<Provider>,
    refs: &dyn References,
) -> Json {
    let required: Map<String, Json> = used
        .iter()
        .map(|provider| (provider.name().to_string(), provider.requirement()))
        .collect();
    let mut settings = Map::new();
    if let Some(backend) = backend::backend(env, project, root, refs) {
        settings.insert("backend".to_string(), backend);
    }
    if !required.is_empty() {
        settings.insert("required_providers".to_string(), Json::Object(required));
    }
    settings.insert(
        "required_version".to_string(),
        Json::String(providers::required_terraform(backend::uses_lockfile(env)).to_string()),
    );
    Json::Object(settings)
}

fn provider_blocks(env: &ResolvedEnvironment, used: &BTreeSet<Provider>) -> Map<String, Json> {
    used.iter()
        .filter_map(|provider| {
            provider
                .configuration(env)
                .map(|configuration| (provider.name().to_string(), configuration))
        })
        .collect()
}

/// The remote states this root module reads.
fn data(
    env: &ResolvedEnvironment,
    project: &str,
    root: &RootModule<'_>,
    refs: &dyn References,
) -> Map<String, Json> {
    let states: Map<String, Json> = root
        .remotes
        .iter()
        .map(|target| {
            (
                target.data_source(),
                backend::remote_state(env, project, &root.id, target, refs),
            )
        })
        .collect();
    section("terraform_remote_state", states)
}

/// One module block per instance provisioned by Terraform: its inputs, then `source`
/// and `version` (which no module variable may be named).
fn modules(plan: &Plan<'_>, root: &RootModule<'_>, refs: &dyn References) -> Map<String, Json> {
    root.modules
        .iter()
        .map(|(instance, module)| {
            let mut block: Map<String, Json> = module
                .inputs
                .iter()
                .filter(|(_, value)| !matches!(value, crate::resolve::value::Value::Absent))
                .map(|(name, value)| (name.clone(), expr::json(value, refs)))
                .collect();
            let source = match &module.local {
                Some(local) => super::local_module_source(&root.id.directory(), &local.copy),
                None => module.source.clone(),
            };
            block.insert("source".to_string(), Json::String(expr::escape(&source)));
            if let Some(version) = &module.version {
                block.insert("version".to_string(), Json::String(expr::escape(version)));
            }
            (plan.identifier(&instance.id), Json::Object(block))
        })
        .collect()
}

fn outputs(root: &RootModule<'_>, refs: &dyn References) -> Map<String, Json> {
    root.outputs
        .iter()
        .map(|output| {
            let mut block = Map::new();
            block.insert(
                "description".to_string(),
                Json::String(expr::escape(&output.description)),
            );
            if output.sensitive {
                block.insert("sensitive".to_string(), Json::Bool(true));
            }
            block.insert("value".to_string(), expr::json(&output.value, refs));
            (output.name.clone(), Json::Object(block))
        })
        .collect()
}

/// Generated passwords, the Secrets and ConfigMaps that hand values to the cluster, and
/// the ServiceAccounts that carry provision-time annotations.
fn resources(
    env: &ResolvedEnvironment,
    lifecycle: &Lifecycle,
    project: &str,
    plan: &Plan<'_>,
    root: &RootModule<'_>,
    refs: &dyn References,
) -> Map<String, Json> {
    let mut resources = Map::new();
    let guards: Map<String, Json> = root
        .modules
        .iter()
        .filter(|(instance, _)| lifecycle.is_protected(&instance.id))
        .map(|(instance, _)| {
            let identifier = plan.identifier(&instance.id);
            (identifier.clone(), guard(&instance.id, &identifier))
        })
        .collect();
    let passwords: Map<String, Json> = root
        .passwords
        .iter()
        .map(|instance| (plan.identifier(&instance.id), password()))
        .collect();
    let mut secrets = Map::new();
    let mut config_maps = Map::new();
    for handover in &root.handovers {
        if !handover.secret.is_empty() {
            secrets.insert(
                handover.identifier.clone(),
                secret(env, project, handover, refs),
            );
        }
        if !handover.config.is_empty() {
            config_maps.insert(
                handover.identifier.clone(),
                config_map(env, project, handover, refs),
            );
        }
    }
    let service_accounts: Map<String, Json> = root
        .service_accounts
        .iter()
        .map(|workload| {
            (
                names::identifier(&workload.name),
                service_account(env, project, workload, refs),
            )
        })
        .collect();
    let mut volumes = Map::new();
    let mut claims = Map::new();
    for instance in &root.claims {
        let identifier = plan.identifier(&instance.id);
        if let Some(mounted) = delivery::mounted_volume(instance) {
            volumes.insert(
                identifier.clone(),
                persistent_volume(env, project, instance, &mounted, refs),
            );
            claims.insert(
                identifier.clone(),
                claim(env, project, instance, &mounted, &identifier),
            );
        }
    }
    for (kind, blocks) in [
        ("kubernetes_config_map_v1", config_maps),
        ("kubernetes_persistent_volume_claim_v1", claims),
        ("kubernetes_persistent_volume_v1", volumes),
        ("kubernetes_secret_v1", secrets),
        ("kubernetes_service_account_v1", service_accounts),
        ("random_password", passwords),
        ("terraform_data", guards),
    ] {
        if !blocks.is_empty() {
            resources.insert(kind.to_string(), Json::Object(blocks));
        }
    }
    resources
}

/// The guard of a protected instance: a resource that Terraform refuses to destroy
/// (`prevent_destroy`), so that `terraform destroy` of the root module fails before it
/// destroys anything. Lifting the protection removes the guard, and only then can the
/// instance go.
fn guard(id: &str, identifier: &str) -> Json {
    Json::Object(Map::from_iter([
        (
            "//".to_string(),
            Json::String(expr::escape(&format!(
                "Guards module.{identifier}: `{id}` is protected (protect = true). Lift the \
                 protection and apply before removing it."
            ))),
        ),
        (
            "lifecycle".to_string(),
            Json::Object(Map::from_iter([(
                "prevent_destroy".to_string(),
                Json::Bool(true),
            )])),
        ),
    ]))
}

fn password() -> Json {
    Json::Object(Map::from_iter([
        ("length".to_string(), Json::from(PASSWORD_LENGTH)),
        ("special".to_string(), Json::Bool(false)),
    ]))
}

fn secret(
    env: &ResolvedEnvironment,
    project: &str,
    handover: &Handover<'_>,
    refs: &dyn References,
) -> Json {
    let name = delivery::provisioned_secret_name(&handover.owner);
    Json::Object(Map::from_iter([
        (
            "data".to_string(),
            data_entries(handover.secret.iter().map(|(k, v)| (k, *v)), refs),
        ),
        (
            "metadata".to_string(),
            metadata(env, project, &handover.owner, &name),
        ),
        ("type".to_string(), Json::String("Opaque".to_string())),
    ]))
}

fn config_map(
    env: &ResolvedEnvironment,
    project: &str,
    handover: &Handover<'_>,
    refs: &dyn References,
) -> Json {
    let name = delivery::provisioned_config_map_name(&handover.owner);
    Json::Object(Map::from_iter([
        (
            "data".to_string(),
            data_entries(handover.config.iter().map(|(k, v)| (k, *v)), refs),
        ),
        (
            "metadata".to_string(),
            metadata(env, project, &handover.owner, &name),
        ),
    ]))
}

/// A workload's ServiceAccount with its labels and its annotations, some known only
/// now. Its token is never mounted, as on the ServiceAccounts plat writes.
fn service_account(
    env: &ResolvedEnvironment,
    project: &str,
    workload: &ResolvedWorkload,
    refs: &dyn References,
) -> Json {
    let mut metadata = metadata(env, project, &workload.name, &workload.name);
    let annotations = data_entries(workload.service_account_annotations.iter(), refs);
    if let Json::Object(fields) = &mut metadata {
        // The workload's own labels too; the recommended ones win.
        if let Some(Json::Object(labels)) = fields.get_mut("labels") {
            for (key, value) in &workload.labels {
                labels
                    .entry(expr::escape(key))
                    .or_insert_with(|| Json::String(expr::escape(value)));
            }
        }
        fields.insert("annotations".to_string(), annotations);
    }
    Json::Object(Map::from_iter([
        (
            "automount_service_account_token".to_string(),
            Json::Bool(false),
        ),
        ("metadata".to_string(), metadata),
    ]))
}

/// The PersistentVolume of a mounted instance's CSI volume, kept when its claim goes
/// (`Retain`): the data belongs to the file system, not to the claim.
fn persistent_volume(
    env: &ResolvedEnvironment,
    project: &str,
    instance: &Instance,
    mounted: &delivery::MountedVolume<'_>,
    refs: &dyn References,
) -> Json {
    let name = delivery::persistent_volume_name(&env.namespace, &instance.object_name);
    let mut metadata = metadata(env, project, &instance.object_name, &name);
    if let Json::Object(fields) = &mut metadata {
        // A PersistentVolume belongs to the cluster, not to a namespace.
        fields.remove("namespace");
    }
    let mut csi = Map::from_iter([
        (
            "driver".to_string(),
            Json::String(expr::escape(&mounted.volume.driver)),
        ),
        (
            "volume_handle".to_string(),
            Json::String(expr::string(&mounted.volume.handle, refs)),
        ),
    ]);
    if !mounted.volume.attributes.is_empty() {
        csi.insert(
            "volume_attributes".to_string(),
            data_entries(mounted.volume.attributes.iter(), refs),
        );
    }
    let spec = Map::from_iter([
        ("access_modes".to_string(), Json::from(["ReadWriteMany"])),
        (
            "capacity".to_string(),
            Json::Object(Map::from_iter([("storage".to_string(), size(mounted))])),
        ),
        (
            "persistent_volume_reclaim_policy".to_string(),
            Json::String("Retain".to_string()),
        ),
        (
            "persistent_volume_source".to_string(),
            Json::Object(Map::from_iter([("csi".to_string(), Json::Object(csi))])),
        ),
        (
            "storage_class_name".to_string(),
            Json::String(STATIC_STORAGE_CLASS.to_string()),
        ),
    ]);
    Json::Object(Map::from_iter([
        ("metadata".to_string(), metadata),
        ("spec".to_string(), Json::Object(spec)),
    ]))
}

/// The claim that the mounts of the instance's workloads name, bound to its volume.
fn claim(
    env: &ResolvedEnvironment,
    project: &str,
    instance: &Instance,
    mounted: &delivery::MountedVolume<'_>,
    identifier: &str,
) -> Json {
    let requests = Map::from_iter([("storage".to_string(), size(mounted))]);
    let spec = Map::from_iter([
        ("access_modes".to_string(), Json::from(["ReadWriteMany"])),
        (
            "resources".to_string(),
            Json::Object(Map::from_iter([(
                "requests".to_string(),
                Json::Object(requests),
            )])),
        ),
        (
            "storage_class_name".to_string(),
            Json::String(STATIC_STORAGE_CLASS.to_string()),
        ),
        (
            "volume_name".to_string(),
            Json::String(format!(
                "${{kubernetes_persistent_volume_v1.{identifier}.metadata[0].name}}"
            )),
        ),
    ]);
    Json::Object(Map::from_iter([
        (
            "metadata".to_string(),
            metadata(env, project, &instance.object_name, &instance.object_name),
        ),
        ("spec".to_string(), Json::Object(spec)),
    ]))
}

fn size(mounted: &delivery::MountedVolume<'_>) -> Json {
    Json::String(expr::escape(
        mounted.size.as_deref().unwrap_or(DEFAULT_VOLUME_SIZE),
    ))
}

/// The `data` map of a Secret or ConfigMap: every value as a string template.
fn data_entries<'v>(
    entries: impl Iterator<Item = (&'v String, &'v crate::resolve::value::Value)>,
    refs: &dyn References,
) -> Json {
    Json::Object(
        entries
            .map(|(key, value)| (expr::escape(key), Json::String(expr::string(value, refs))))
            .collect(),
    )
}

/// The metadata of an object Terraform writes into the cluster, with the recommended
/// labels (`managed-by` names Terraform, which owns the object).
fn metadata(env: &ResolvedEnvironment, project: &str, owner: &str, name: &str) -> Json {
    let labels = Map::from_iter(
        [
            ("app.kubernetes.io/managed-by", "terraform"),
            ("app.kubernetes.io/name", owner),
            ("app.kubernetes.io/part-of", project),
        ]
        .map(|(key, value)| (key.to_string(), Json::String(expr::escape(value)))),
    );
    Json::Object(Map::from_iter([
        ("labels".to_string(), Json::Object(labels)),
        ("name".to_string(), Json::String(expr::escape(name))),
        (
            "namespace".to_string(),
            Json::String(expr::escape(&env.namespace)),
        ),
    ]))
}

fn section(kind: &str, blocks: Map<String, Json>) -> Map<String, Json> {
    if blocks.is_empty() {
        Map::new()
    } else {
        Map::from_iter([(kind.to_string(), Json::Object(blocks))])
    }
}
