//! Third-party images run under plat's hardened pod spec (a user of its own, a
//! read-only root file system, every capability dropped), checked against what each
//! image's own documentation says it needs: where it keeps its data (on the claim, when
//! it has one), which paths it writes, which configuration file it reads, and which
//! ports it serves. Besides the table, one rule of Linux for every container: a
//! non-root process binds a port below 1024 only with `NET_BIND_SERVICE` (or a pod
//! whose `net.ipv4.ip_unprivileged_port_start` sysctl admits it).

use serde_json::Value as Json;

use crate::kubernetes::Cluster;

/// What an image needs, from its documentation.
struct Needs {
    /// The repository, without registry host or tag: `postgres`, `localstack/localstack`.
    repository: &'static str,
    /// Where it keeps its data, and how a pod may move it elsewhere.
    data: Option<(&'static str, Moved)>,
    /// Other paths it must be able to write.
    writes: &'static [&'static str],
    /// The argument that names its configuration file, which must then be mounted.
    config_argument: Option<&'static str>,
    /// Ports and protocols it must serve: `(53, "UDP")`.
    serves: &'static [(u64, &'static str)],
    /// Where the facts come from.
    documented: &'static str,
}

/// How a pod moves an image's data directory.
enum Moved {
    /// An environment variable: `PGDATA`.
    Env(&'static str),
    /// An argument `--datadir=PATH` (or `--datadir PATH`).
    Argument(&'static str),
    /// It cannot be moved.
    Fixed,
}

const NEEDS: &[Needs] = &[
    Needs {
        repository: "postgres",
        data: Some(("/var/lib/postgresql/data", Moved::Env("PGDATA"))),
        writes: &["/var/run/postgresql"],
        config_argument: None,
        serves: &[],
        documented: "the postgres image's documentation: PGDATA, and its Unix socket in /var/run/postgresql",
    },
    Needs {
        repository: "mysql",
        data: Some(("/var/lib/mysql", Moved::Argument("--datadir"))),
        writes: &["/var/run/mysqld"],
        config_argument: None,
        serves: &[],
        documented: "the mysql image's documentation: its data in /var/lib/mysql, its socket in /var/run/mysqld",
    },
    Needs {
        repository: "localstack/localstack",
        data: Some(("/var/lib/localstack", Moved::Fixed)),
        writes: &[],
        config_argument: None,
        serves: &[],
        documented: "LocalStack's documentation: its state in the volume directory /var/lib/localstack",
    },
    Needs {
        repository: "coredns/coredns",
        data: None,
        writes: &[],
        config_argument: Some("-conf"),
        serves: &[(53, "UDP"), (53, "TCP")],
        documented: "CoreDNS's documentation: the Corefile that `-conf` names, and DNS over UDP and TCP",
    },
];

/// `registry.k8s.io/coredns/coredns:v1.11.3` → `coredns/coredns`; `postgres:16` → `postgres`.
fn repository(image: &str) -> &str {
    let image = image.split('@').next().unwrap_or(image);
    // A registry host is a first segment with a dot or a port, or `localhost`.
    let path = match image.split_once('/') {
        Some((host, rest)) if host.contains(['.', ':']) || host == "localhost" => rest,
        _ => image,
    };
    // The tag follows the last `:` of the last segment.
    let name = match path.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => name,
        _ => path,
    };
    name.strip_prefix("library/").unwrap_or(name)
}

/// A container with its pod, as the checks read it.
struct Container<'a> {
    pod: &'a Json,
    container: &'a Json,
    /// Volume names that are claims (PVC volumes, or a StatefulSet's claim templates).
    claims: Vec<String>,
}

impl Container<'_> {
    fn read_only_root(&self) -> bool {
        self.container["securityContext"]["readOnlyRootFilesystem"].as_bool() == Some(true)
    }

    /// The mount under which `path` lies, if it is writable: `(volume, mountPath)`.
    fn mount_of(&self, path: &str) -> Option<(String, String)> {
        self.container["volumeMounts"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|mount| mount["readOnly"].as_bool() != Some(true))
            .filter_map(|mount| {
                Some((
                    mount["name"].as_str()?.to_string(),
                    mount["mountPath"]
                        .as_str()?
                        .trim_end_matches('/')
                        .to_string(),
                ))
            })
            .filter(|(_, at)| path == at || path.starts_with(&format!("{at}/")))
            .max_by_key(|(_, at)| at.len())
    }

    fn writable(&self, path: &str) -> bool {
        !self.read_only_root() || self.mount_of(path).is_some()
    }

    fn env(&self, name: &str) -> Option<&str> {
        self.container["env"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|variable| variable["name"].as_str() == Some(name))
            .and_then(|variable| variable["value"].as_str())
    }

    fn arguments(&self) -> Vec<&str> {
        ["command", "args"]
            .iter()
            .flat_map(|field| self.container[*field].as_array().into_iter().flatten())
            .filter_map(Json::as_str)
            .collect()
    }

    /// The value of `--flag=VALUE` or `--flag VALUE` (`-conf VALUE`).
    fn argument(&self, flag: &str) -> Option<&str> {
        let arguments = self.arguments();
        arguments.iter().enumerate().find_map(|(index, argument)| {
            if let Some(value) = argument.strip_prefix(&format!("{flag}=")) {
                return Some(value);
            }
            (*argument == flag)
                .then(|| arguments.get(index + 1).copied())
                .flatten()
        })
    }

    /// Whether the container declares `target` (a port number, or a port's name)
    /// with `protocol`.
    fn declares(&self, target: &Json, protocol: &str) -> bool {
        self.container["ports"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|entry| entry["protocol"].as_str().unwrap_or("TCP") == protocol)
            .any(|entry| match target {
                Json::String(name) => entry["name"].as_str() == Some(name),
                number => entry["containerPort"].as_u64() == number.as_u64(),
            })
    }

    fn runs_as_root(&self) -> bool {
        let user = |context: &Json| context["runAsUser"].as_u64();
        let non_root = |context: &Json| context["runAsNonRoot"].as_bool() == Some(true);
        let context = &self.container["securityContext"];
        let pod = &self.pod["securityContext"];
        let user = user(context).or_else(|| user(pod));
        user == Some(0) || (user.is_none() && !non_root(context) && !non_root(pod))
    }

    fn may_bind_below_1024(&self, port: u64) -> bool {
        let added = self.container["securityContext"]["capabilities"]["add"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|capability| capability.as_str() == Some("NET_BIND_SERVICE"));
        let sysctl = self.pod["securityContext"]["sysctls"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|sysctl| {
                sysctl["name"].as_str() == Some("net.ipv4.ip_unprivileged_port_start")
                    && sysctl["value"]
                        .as_str()
                        .and_then(|v| v.parse::<u64>().ok())
                        .is_some_and(|start| start <= port)
            });
        self.runs_as_root() || added || sysctl
    }
}

/// Every container of every pod gets what its image needs.
pub fn check_images(cluster: &Cluster<'_>, problems: &mut Vec<String>) {
    for (object, pod, claim_templates) in cluster.pod_specs() {
        let mut claims: Vec<String> = pod["volumes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|volume| volume.get("persistentVolumeClaim").is_some())
            .filter_map(|volume| volume["name"].as_str().map(str::to_string))
            .collect();
        claims.extend(claim_templates);
        for container in pod["containers"].as_array().into_iter().flatten() {
            let container = Container {
                pod,
                container,
                claims: claims.clone(),
            };
            let image = container.container["image"].as_str().unwrap_or_default();
            let at = |text: String| {
                cluster.problem(
                    &object.path,
                    format!(
                        "`{}` ({image}): {text}",
                        object.value["metadata"]["name"]
                            .as_str()
                            .unwrap_or_default()
                    ),
                )
            };
            check_ports(&container, &at, problems);
            if let Some(needs) = NEEDS
                .iter()
                .find(|needs| needs.repository == repository(image))
            {
                check_needs(cluster, object, &container, needs, &at, problems);
            }
        }
    }
}

fn check_ports(
    container: &Container<'_>,
    at: &dyn Fn(String) -> String,
    problems: &mut Vec<String>,
) {
    for port in container.container["ports"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let Some(number) = port["containerPort"].as_u64() else {
            continue;
        };
        if number < 1024 && !container.may_bind_below_1024(number) {
            problems.push(at(format!(
                "listens on port {number} as a non-root user without `NET_BIND_SERVICE` (nor the sysctl `net.ipv4.ip_unprivileged_port_start`): the kernel refuses to bind it"
            )));
        }
    }
}

fn check_needs(
    cluster: &Cluster<'_>,
    object: &crate::kubernetes::Object,
    container: &Container<'_>,
    needs: &Needs,
    at: &dyn Fn(String) -> String,
    problems: &mut Vec<String>,
) {
    if let Some((default, moved)) = &needs.data {
        let data = match moved {
            Moved::Env(name) => container.env(name).unwrap_or(default),
            Moved::Argument(flag) => container.argument(flag).unwrap_or(default),
            Moved::Fixed => default,
        };
        let mount = container.mount_of(data);
        if !container.claims.is_empty() {
            let on_claim = mount
                .as_ref()
                .is_some_and(|(volume, _)| container.claims.contains(volume));
            if !on_claim {
                let claims_at: Vec<String> = container.container["volumeMounts"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|mount| {
                        mount["name"]
                            .as_str()
                            .is_some_and(|name| container.claims.iter().any(|c| c == name))
                    })
                    .filter_map(|mount| mount["mountPath"].as_str().map(|p| format!("`{p}`")))
                    .collect();
                problems.push(at(format!(
                    "keeps its data in `{data}`, which is not on its claim (mounted at {}){}; {}",
                    if claims_at.is_empty() {
                        "no path".to_string()
                    } else {
                        claims_at.join(", ")
                    },
                    if container.writable(data) {
                        ""
                    } else {
                        ", and is on the read-only root file system"
                    },
                    needs.documented
                )));
            }
        } else if !container.writable(data) {
            problems.push(at(format!(
                "keeps its data in `{data}`, on the read-only root file system; {}",
                needs.documented
            )));
        }
    }
    for path in needs.writes {
        if !container.writable(path) {
            problems.push(at(format!(
                "writes `{path}`, on the read-only root file system; {}",
                needs.documented
            )));
        }
    }
    if let Some(flag) = needs.config_argument {
        match container.argument(flag) {
            Some(file) if container_mounts(container, file) => {}
            Some(file) => problems.push(at(format!(
                "reads its configuration from `{file}` (`{flag}`), which no volume provides; {}",
                needs.documented
            ))),
            None => {}
        }
    }
    // Clients reach the image through its Service: each port it must serve is a port
    // of the Service whose target is a port the container declares, with the same
    // protocol (the container itself may listen on another number).
    let name = object.value["metadata"]["name"]
        .as_str()
        .unwrap_or_default();
    for (port, protocol) in needs.serves {
        let served = cluster
            .service_ports(object.namespace(), name)
            .filter(|(number, proto, _)| number == port && proto == protocol)
            .any(|(_, _, target)| container.declares(&target, protocol));
        if !served {
            problems.push(at(format!(
                "its Service does not serve port {port}/{protocol} on a port the container declares; {}",
                needs.documented
            )));
        }
    }
}

/// Whether a volume (any, read-only or not) is mounted at or above `path`.
fn container_mounts(container: &Container<'_>, path: &str) -> bool {
    container.container["volumeMounts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|mount| mount["mountPath"].as_str())
        .map(|at| at.trim_end_matches('/'))
        .any(|at| path == at || path.starts_with(&format!("{at}/")))
}

#[test]
fn image_repositories_are_read_without_registry_or_tag() {
    assert_eq!(
        repository("registry.k8s.io/coredns/coredns:v1.11.3"),
        "coredns/coredns"
    );
    assert_eq!(repository("postgres:16-alpine"), "postgres");
    assert_eq!(repository("docker.io/library/mysql:8.4"), "mysql");
    assert_eq!(
        repository("localstack/localstack:3.8"),
        "localstack/localstack"
    );
    assert_eq!(repository("localhost:5000/app@sha256:abc"), "app");
}
