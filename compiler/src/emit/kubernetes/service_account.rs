//! The ServiceAccount that an app's pods run as.
//!
//! Invariant: its token is never mounted (`automountServiceAccountToken: false`): plat's
//! pods do not talk to the Kubernetes API. Its annotations are plain compile-time
//! strings; a workload whose ServiceAccount needs a provision-time annotation gets it
//! from its Terraform instead (see [`crate::emit::delivery::service_account`]).

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};

use crate::diagnostic::Label;

use super::context::Context;
use super::meta::{App, SOURCE_ANNOTATION};

/// The ServiceAccount of `app`, named after it, with `annotations` of its own, which
/// win over the app's annotations of the same key (but not over the source annotation).
pub(super) fn object(
    context: &Context<'_>,
    app: &App<'_>,
    source: &Label,
    annotations: &BTreeMap<String, String>,
) -> Json {
    let mut metadata = app.metadata(context, app.name, source);
    if let Some(existing) = metadata["annotations"].as_object_mut() {
        for (key, value) in annotations {
            if key != SOURCE_ANNOTATION {
                existing.insert(key.clone(), Json::from(value.as_str()));
            }
        }
    }
    json!({
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": metadata,
        "automountServiceAccountToken": false,
    })
}
