//! The ServiceAccount that an app's pods run as.
//!
//! Invariant: its token is never mounted (`automountServiceAccountToken: false`): plat's
//! pods do not talk to the Kubernetes API.

use serde_json::{Value as Json, json};

use crate::diagnostic::Label;

use super::context::Context;
use super::meta::App;

/// The ServiceAccount of `app`, named after it.
pub(super) fn object(context: &Context<'_>, app: &App<'_>, source: &Label) -> Json {
    json!({
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": app.metadata(context, app.name, source),
        "automountServiceAccountToken": false,
    })
}
