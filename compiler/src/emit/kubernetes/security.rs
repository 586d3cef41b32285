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

use serde::Serialize;

/// The user, group and filesystem group that every pod runs as: a high id, so that it
/// never matches a user of the node.
pub(super) const USER_ID: u32 = 10001;

/// The pod-level `securityContext`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PodSecurityContext {
    pub fs_group: u32,
    pub run_as_group: u32,
    pub run_as_non_root: bool,
    pub run_as_user: u32,
    pub seccomp_profile: SeccompProfile,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sysctls: Vec<Sysctl>,
}

/// The container-level `securityContext`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ContainerSecurityContext {
    pub allow_privilege_escalation: bool,
    pub capabilities: Capabilities,
    pub read_only_root_filesystem: bool,
    pub run_as_group: u32,
    pub run_as_non_root: bool,
    pub run_as_user: u32,
    pub seccomp_profile: SeccompProfile,
}

#[derive(Debug, Serialize)]
pub(super) struct SeccompProfile {
    #[serde(rename = "type")]
    pub kind: &'static str,
}

#[derive(Debug, Serialize)]
pub(super) struct Capabilities {
    pub drop: &'static [&'static str],
}

#[derive(Debug, Serialize)]
pub(super) struct Sysctl {
    pub name: &'static str,
    pub value: String,
}

const RUNTIME_DEFAULT: SeccompProfile = SeccompProfile {
    kind: "RuntimeDefault",
};

/// The pod-level `securityContext` of a pod that runs as `user` (its group and file
/// system group too); `lowest_port` is the lowest port that a container of the pod
/// listens on.
pub(super) fn pod_security_context(user: u32, lowest_port: Option<u16>) -> PodSecurityContext {
    let sysctls = lowest_port
        .filter(|port| *port < 1024)
        .map(|port| Sysctl {
            name: "net.ipv4.ip_unprivileged_port_start",
            value: port.to_string(),
        })
        .into_iter()
        .collect();
    PodSecurityContext {
        fs_group: user,
        run_as_group: user,
        run_as_non_root: true,
        run_as_user: user,
        seccomp_profile: RUNTIME_DEFAULT,
        sysctls,
    }
}

impl ContainerSecurityContext {
    /// The `securityContext` of a container that runs as `user`.
    pub(super) fn restricted(user: u32) -> Self {
        ContainerSecurityContext {
            allow_privilege_escalation: false,
            capabilities: Capabilities { drop: &["ALL"] },
            read_only_root_filesystem: true,
            run_as_group: user,
            run_as_non_root: true,
            run_as_user: user,
            seccomp_profile: RUNTIME_DEFAULT,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowers_the_unprivileged_port_start_only_for_low_ports() {
        assert!(pod_security_context(USER_ID, Some(8080)).sysctls.is_empty());
        assert!(pod_security_context(USER_ID, None).sysctls.is_empty());
        let sysctls = pod_security_context(USER_ID, Some(53)).sysctls;
        assert_eq!(sysctls.len(), 1);
        assert_eq!(sysctls[0].value, "53");
    }
}
