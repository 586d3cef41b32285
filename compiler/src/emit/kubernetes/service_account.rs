//! The ServiceAccount that an app's pods run as.
//!
//! Invariant: its token is never mounted (`automountServiceAccountToken: false`): plat's
//! pods do not talk to the Kubernetes API. Its annotations are plain compile-time
//! strings; a workload whose ServiceAccount needs a provision-time annotation gets it
//! from its Terraform instead (see [`crate::emit::delivery::service_account`]).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diagnostic::Label;

use super::context::Context;
use super::meta::{App, ObjectMeta, SOURCE_ANNOTATION};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ServiceAccount<'a> {
    api_version: &'static str,
    pub automount_service_account_token: bool,
    kind: &'static str,
    pub metadata: ObjectMeta<'a>,
}

/// The ServiceAccount of `app`, named after it, with `annotations` of its own, which
/// win over the app's annotations of the same key (but not over the source annotation).
pub(super) fn object<'a>(
    context: &Context<'a>,
    app: &App<'a>,
    source: &Label,
    annotations: &'a BTreeMap<String, String>,
) -> ServiceAccount<'a> {
    let mut metadata = app.metadata(context, app.name, source);
    for (key, value) in annotations {
        if key != SOURCE_ANNOTATION {
            metadata.annotations.insert(key, value.into());
        }
    }
    ServiceAccount {
        api_version: "v1",
        automount_service_account_token: false,
        kind: "ServiceAccount",
        metadata,
    }
}
