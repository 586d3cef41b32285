//! Security by default: what every pod and container plat writes carries, so that it
//! meets the Pod Security Standard "restricted" and the checks of common scanners.
//!
//! Invariants: every pod runs as a non-root user and group, [`USER_ID`] unless an
//! in-cluster service's image needs its own, with the runtime's default seccomp profile and without a service account token; every
//! container runs with a read-only root filesystem, without privilege escalation and
//! with every capability dropped. A pod that listens on a port below 1024 gets the
//! namespaced, "safe" sysctl `net.ipv4.ip_unprivileged_port_start` lowered to that
//! port, which the restricted profile allows, instead of a capability, which it does
//! not.

use serde_json::{Value as Json, json};

/// The user, group and filesystem group that every pod runs as: a high id, so that it
/// never matches a user of the node.
pub(super) const USER_ID: u32 = 10001;

/// The pod-level `securityContext` of a pod that runs as `user` (its group and file
/// system group too); `lowest_port` is the lowest port that a container of the pod
/// listens on.
pub(super) fn pod_security_context(user: u32, lowest_port: Option<u16>) -> Json {
    let mut context = json!({
        "runAsNonRoot": true,
        "runAsUser": user,
        "runAsGroup": user,
        "fsGroup": user,
        "seccompProfile": { "type": "RuntimeDefault" },
    });
    if let Some(port) = lowest_port.filter(|port| *port < 1024) {
        context["sysctls"] = json!([
            { "name": "net.ipv4.ip_unprivileged_port_start", "value": port.to_string() }
        ]);
    }
    context
}

/// The container-level `securityContext` of a container that runs as `user`.
pub(super) fn container_security_context(user: u32) -> Json {
    json!({
        "allowPrivilegeEscalation": false,
        "readOnlyRootFilesystem": true,
        "runAsNonRoot": true,
        "runAsUser": user,
        "runAsGroup": user,
        "capabilities": { "drop": ["ALL"] },
        "seccompProfile": { "type": "RuntimeDefault" },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowers_the_unprivileged_port_start_only_for_low_ports() {
        assert!(
            pod_security_context(USER_ID, Some(8080))
                .get("sysctls")
                .is_none()
        );
        assert!(pod_security_context(USER_ID, None).get("sysctls").is_none());
        assert_eq!(
            pod_security_context(USER_ID, Some(53))["sysctls"][0]["value"],
            json!("53")
        );
    }
}
