//! Object metadata: names, namespace, labels, annotations and selectors.
//!
//! Invariants: the recommended labels (`app.kubernetes.io/name`, `part-of`,
//! `managed-by`) are on every object and win over a user's label of the same key;
//! selectors use only `app.kubernetes.io/name`, which never changes for an app, so that
//! a Deployment's immutable selector survives any change of the user's labels; the
//! `plat.dev/source` annotation names the source location and wins over a user's
//! annotation of the same key. Labels and annotations come from the model's plain
//! strings only, never from a [`crate::resolve::value::Value`], so no secret can reach
//! them.

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json, json};

use crate::diagnostic::Label;

use super::context::Context;

pub(super) const NAME_LABEL: &str = "app.kubernetes.io/name";
pub(super) const PART_OF_LABEL: &str = "app.kubernetes.io/part-of";
pub(super) const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
pub(super) const COMPONENT_LABEL: &str = "app.kubernetes.io/component";
pub(super) const SOURCE_ANNOTATION: &str = "plat.dev/source";
pub(super) const MANAGER: &str = "plat";

/// The namespace label that every namespace carries (Kubernetes sets it).
pub(super) const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

const NO_ENTRIES: &BTreeMap<String, String> = &BTreeMap::new();

/// What a group of objects belongs to: a workload, or an in-cluster instance.
pub(super) struct App<'a> {
    /// The value of `app.kubernetes.io/name`, and the name of its main objects.
    pub name: &'a str,
    /// The value of `app.kubernetes.io/component`, when there is one.
    pub component: Option<&'a str>,
    /// The owner's own labels and annotations (plain strings).
    pub labels: &'a BTreeMap<String, String>,
    pub annotations: &'a BTreeMap<String, String>,
}

impl<'a> App<'a> {
    pub(super) fn new(name: &'a str) -> Self {
        App {
            name,
            component: None,
            labels: NO_ENTRIES,
            annotations: NO_ENTRIES,
        }
    }

    /// Every label of the app's objects and pods.
    pub(super) fn labels(&self, context: &Context<'_>) -> Json {
        let mut labels: Map<String, Json> = self
            .labels
            .iter()
            .map(|(key, value)| (key.clone(), Json::from(value.as_str())))
            .collect();
        if let Some(component) = self.component {
            labels.insert(COMPONENT_LABEL.into(), component.into());
        }
        labels.insert(NAME_LABEL.into(), self.name.into());
        labels.insert(PART_OF_LABEL.into(), context.project.into());
        labels.insert(MANAGED_BY_LABEL.into(), MANAGER.into());
        Json::Object(labels)
    }

    /// The app's own annotations, for its objects and pod template.
    pub(super) fn annotations(&self) -> Map<String, Json> {
        self.annotations
            .iter()
            .map(|(key, value)| (key.clone(), Json::from(value.as_str())))
            .collect()
    }

    /// `metadata` of an object of the app named `name`, produced by `source`.
    pub(super) fn metadata(&self, context: &Context<'_>, name: &str, source: &Label) -> Json {
        let mut annotations = self.annotations();
        annotations.insert(SOURCE_ANNOTATION.into(), context.locate(source).into());
        json!({
            "name": name,
            "namespace": context.env.namespace,
            "labels": self.labels(context),
            "annotations": annotations,
        })
    }

    /// The pod template's `metadata`: the app's labels and annotations, without the
    /// source annotation (moving a declaration must not restart pods).
    pub(super) fn pod_metadata(&self, context: &Context<'_>) -> Json {
        let mut metadata = json!({ "labels": self.labels(context) });
        let annotations = self.annotations();
        if !annotations.is_empty() {
            metadata["annotations"] = Json::Object(annotations);
        }
        metadata
    }

    /// A label selector for the app's pods.
    pub(super) fn selector(&self) -> Json {
        selector(self.name)
    }
}

/// A label selector for the pods of the app named `name`.
pub(super) fn selector(name: &str) -> Json {
    json!({ "matchLabels": { NAME_LABEL: name } })
}
