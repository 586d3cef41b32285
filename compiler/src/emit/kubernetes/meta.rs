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

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Serialize;

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

/// Labels, or the `matchLabels` of a selector: plain strings borrowed from the model.
pub(super) type Labels<'a> = BTreeMap<&'a str, &'a str>;

/// Annotations: plain strings, some of them made here (the source location, checksums).
pub(super) type Annotations<'a> = BTreeMap<&'a str, Cow<'a, str>>;

/// `metadata` of an object, of a pod template, or of a claim template.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ObjectMeta<'a> {
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: Annotations<'a>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: Labels<'a>,
    pub name: Option<Cow<'a, str>>,
    pub namespace: Option<&'a str>,
}

/// A label selector.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct LabelSelector<'a> {
    pub match_labels: Labels<'a>,
}

impl<'a> LabelSelector<'a> {
    /// The selector of the pods of the app named `name`.
    pub(super) fn app(name: &'a str) -> Self {
        LabelSelector {
            match_labels: Labels::from([(NAME_LABEL, name)]),
        }
    }
}

/// A number or a name, where Kubernetes takes either (a port, a count).
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub(super) enum IntOrString<'a> {
    Int(u32),
    String(&'a str),
}

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
    pub(super) fn labels(&self, context: &Context<'a>) -> Labels<'a> {
        let mut labels: Labels<'a> = self
            .labels
            .iter()
            .map(|(key, value)| (key.as_str(), value.as_str()))
            .collect();
        if let Some(component) = self.component {
            labels.insert(COMPONENT_LABEL, component);
        }
        labels.insert(NAME_LABEL, self.name);
        labels.insert(PART_OF_LABEL, context.project);
        labels.insert(MANAGED_BY_LABEL, MANAGER);
        labels
    }

    /// The app's own annotations, for its objects and pod template.
    pub(super) fn annotations(&self) -> Annotations<'a> {
        self.annotations
            .iter()
            .map(|(key, value)| (key.as_str(), Cow::Borrowed(value.as_str())))
            .collect()
    }

    /// `metadata` of an object of the app named `name`, produced by `source`.
    pub(super) fn metadata(
        &self,
        context: &Context<'a>,
        name: impl Into<Cow<'a, str>>,
        source: &Label,
    ) -> ObjectMeta<'a> {
        let mut annotations = self.annotations();
        annotations.insert(SOURCE_ANNOTATION, context.locate(source).into());
        ObjectMeta {
            annotations,
            labels: self.labels(context),
            name: Some(name.into()),
            namespace: Some(&context.env.namespace),
        }
    }

    /// The pod template's `metadata`: the app's labels and annotations, without the
    /// source annotation (moving a declaration must not restart pods).
    pub(super) fn pod_metadata(&self, context: &Context<'a>) -> ObjectMeta<'a> {
        ObjectMeta {
            annotations: self.annotations(),
            labels: self.labels(context),
            ..ObjectMeta::default()
        }
    }

    /// A label selector for the app's pods.
    pub(super) fn selector(&self) -> LabelSelector<'a> {
        LabelSelector::app(self.name)
    }
}
