//! Score containers: image, command and args, variables, files, volumes, resources and
//! probes, onto a plat `container` block.

use base64::Engine;

use super::order::Role;
use super::{Became, Converter, int};
use crate::diagnostic::Code;
use crate::import::score::placeholder::{expression, literal};
use crate::import::score::plat::{Container, ContainerKind, Probe};
use crate::import::score::yaml::{Key, Node, Value};
use crate::project::read::Refusal;

impl Converter<'_> {
    /// The container `key`, written as `role` says; `first` when it is the first of the
    /// workload's containers (neither an init container nor a sidecar), which gets the
    /// Service's ports.
    pub(super) fn container(
        &mut self,
        key: &Key,
        node: &Node,
        role: Role,
        first: bool,
    ) -> Container {
        self.identifier(&key.text, key.range, "container");
        let mut container = Container {
            name: key.text.clone(),
            kind: role.kind,
            ..Container::default()
        };
        if first {
            container.ports = self
                .ports
                .iter()
                .map(|(name, _, target)| (name.clone(), *target))
                .collect();
        }
        for (field, value) in node.entries() {
            match field.text.as_str() {
                "image" => self.image(value, &mut container),
                "command" => container.command = self.strings(value, "command"),
                "args" => container.args = self.strings(value, "args"),
                "variables" => {
                    for (name, value) in value.entries() {
                        if let Some(text) = self.string(value) {
                            container.env.push((name.text.clone(), text));
                        }
                    }
                }
                "files" => self.files(value, &mut container),
                "volumes" => self.volumes(value, &mut container),
                "resources" => self.quantities(value, &mut container),
                "livenessProbe" | "readinessProbe" if role.kind == ContainerKind::Init => {
                    self.dropped(
                        field.range,
                        format!(
                            "`{}` is not carried over: `{}` runs to completion before the others \
                             start (an init container), and has no probes",
                            field.text, key.text
                        ),
                    );
                }
                "livenessProbe" => container.liveness = self.probe(value),
                "readinessProbe" => container.readiness = self.probe(value),
                // Read with every container, by `start_order`.
                "before" => {}
                other => self.dropped(
                    field.range,
                    format!("`{other}` of a container is not carried over"),
                ),
            }
        }
        if role.healthy {
            container.startup = container.readiness.clone().or(container.liveness.clone());
            if container.startup.is_none() {
                self.dropped(
                    key.range,
                    format!(
                        "`ready: healthy` of `{}` is carried over as `started`: it has no probe that \
                         says when it is healthy",
                        key.text
                    ),
                );
            }
        }
        declare_probe_ports(&mut container);
        container
    }
    pub(super) fn image(&mut self, value: &Node, container: &mut Container) {
        let image = value.as_str().unwrap_or_default();
        if image == "." {
            self.unsupported(
                value.range,
                "the image `.` is built from source by Score tools".to_string(),
                "plat deploys images that exist: replace `.` with the reference your CI \
                 pushes, such as `ghcr.io/acme/app:1.0.0`",
            );
        }
        container.image = literal(image);
    }
    /// A list of strings (`command`, `args`), placeholders translated.
    pub(super) fn strings(&mut self, value: &Node, field: &'static str) -> Option<Vec<String>> {
        let Value::Seq(items) = &value.value else {
            return None;
        };
        self.plain_field = Some(field);
        let strings = items.iter().filter_map(|item| self.string(item)).collect();
        self.plain_field = None;
        Some(strings)
    }
    pub(super) fn files(&mut self, value: &Node, container: &mut Container) {
        for (target, file) in by_target(value) {
            self.file(&target, file, container);
        }
    }
    pub(super) fn file(&mut self, target: &str, file: &Node, container: &mut Container) {
        let no_expand = matches!(
            file.get("noExpand").map(|n| &n.value),
            Some(Value::Bool(true))
        );
        let mut content = None;
        for (key, value) in file.entries() {
            match key.text.as_str() {
                "target" | "noExpand" => {}
                "content" => {
                    content = if no_expand {
                        Some(literal(&value.value.scalar_text().unwrap_or_default()))
                    } else {
                        self.string(value)
                    };
                }
                "source" => content = self.source(value, no_expand),
                "binaryContent" => content = self.binary(value),
                // 0644 is what plat gives a plain file anyway.
                "mode" if value.value.scalar_text().as_deref().map(|m| m.trim_start_matches('0')) == Some("644") => {}
                "mode" => self.dropped(
                    key.range,
                    format!("the mode of `{target}` is not carried over: plat mounts files read-only, mode 0644 (0440 when they hold a secret)"),
                ),
                other => self.dropped(key.range, format!("`{other}` of a file is not carried over")),
            }
        }
        if let Some(content) = content {
            container.files.push((target.to_string(), content));
        }
    }
    pub(super) fn source(&mut self, value: &Node, no_expand: bool) -> Option<String> {
        let path = value.as_str().unwrap_or_default();
        match (self.read_source)(path) {
            Ok(text) if no_expand => Some(literal(&text)),
            Ok(text) => {
                let parts = self.translate(&text, value)?;
                Some(expression(&parts))
            }
            Err(Refusal::Outside) => {
                self.error(
                    Code::OutsideProject,
                    value.range,
                    format!(
                        "not reading the file `{path}`: it is outside the Score file's directory"
                    ),
                    Some(
                        "plat reads only files inside the Score file's directory, once every \
                          symbolic link is resolved: put the file next to the Score file and \
                          name it by a relative path"
                            .to_string(),
                    ),
                );
                None
            }
            Err(refusal) => {
                self.error(
                    Code::UnreadableSource,
                    value.range,
                    format!("cannot read the file `{path}`: {}", refusal.reason()),
                    Some("`source` is relative to the Score file's directory".to_string()),
                );
                None
            }
        }
    }
    pub(super) fn binary(&mut self, value: &Node) -> Option<String> {
        let encoded = value.as_str().unwrap_or_default();
        let text = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .filter(|text| {
                !text
                    .chars()
                    .any(|c| c.is_control() && !"\n\r\t".contains(c))
            });
        if text.is_none() {
            self.unsupported(
                value.range,
                "`binaryContent` is not text".to_string(),
                "plat files are UTF-8 text: keep binary data in the image, or in a bucket",
            );
        }
        text.map(|text| literal(&text))
    }
    pub(super) fn volumes(&mut self, value: &Node, container: &mut Container) {
        for (target, volume) in by_target(value) {
            self.volume(&target, volume, container);
        }
    }
    pub(super) fn volume(&mut self, target: &str, volume: &Node, container: &mut Container) {
        for (key, value) in volume.entries() {
            match key.text.as_str() {
                "target" => {}
                "source" => {
                    let source = value.as_str().unwrap_or_default();
                    let resource = source
                        .strip_prefix("${resources.")
                        .and_then(|rest| rest.strip_suffix('}'))
                        .filter(|name| !name.contains('.'));
                    let found = resource.and_then(|name| {
                        self.resources.iter().find(|(n, _)| n == name).map(|(n, b)| (n.clone(), b))
                    });
                    match found {
                        Some((name, Became::Offering(o))) if o.name == "volume" => {
                            container.volumes.push((target.to_string(), name));
                        }
                        Some((_, Became::Refused)) => {}
                        _ => self.unsupported(
                            value.range,
                            format!("the volume source `{source}` is not a `volume` resource of this workload"),
                            "write `source: ${resources.NAME}` for a resource `NAME` of type `volume`",
                        ),
                    }
                }
                "path" => self.unsupported(
                    value.range,
                    format!("the volume at `{target}` mounts a sub-path"),
                    "plat mounts a volume whole: remove `path`, or mount the volume and use the sub-directory",
                ),
                "readOnly" => {
                    if matches!(value.value, Value::Bool(true)) {
                        self.dropped(key.range, format!("the volume at `{target}` is mounted read-write: plat has no read-only mounts"));
                    }
                }
                other => self.dropped(key.range, format!("`{other}` of a volume is not carried over")),
            }
        }
    }
    pub(super) fn quantities(&mut self, value: &Node, container: &mut Container) {
        let get = |kind: &str, what: &str| value.get(kind).and_then(|n| n.get(what));
        let mut read = |node: Option<&Node>, cpu: bool| -> Option<String> {
            let node = node?;
            let text = node.value.scalar_text().unwrap_or_default();
            let quantity = if cpu {
                cpu_quantity(&text)
            } else {
                memory_quantity(&text)
            };
            if quantity.is_none() {
                self.unsupported(
                    node.range,
                    format!("the quantity `{text}` is not one plat reads"),
                    if cpu {
                        "write CPU as millicores (`250m`) or cores (`1`, `0.5`)"
                    } else {
                        "write memory with a unit: `256Mi`, `1Gi`, `128M`"
                    },
                );
            }
            quantity
        };
        container.cpu_limit = read(get("limits", "cpu"), true);
        container.memory_limit = read(get("limits", "memory"), false);
        container.cpu = read(get("requests", "cpu"), true).or(container.cpu_limit.clone());
        container.memory =
            read(get("requests", "memory"), false).or(container.memory_limit.clone());
    }
    /// An HTTP GET or `exec` probe (the Score schema requires one of them; with both,
    /// the `exec` one, as the schema recommends).
    pub(super) fn probe(&mut self, value: &Node) -> Option<Probe> {
        if let Some(exec) = value.get("exec") {
            if let Some(http) = value.get("httpGet") {
                self.dropped(
                    http.range,
                    "the probe's `httpGet` is not carried over: a plat probe does one thing, \
                     and Score prefers `exec`"
                        .to_string(),
                );
            }
            let command = exec
                .get("command")
                .and_then(|command| self.strings(command, "exec"))
                .unwrap_or_default();
            return Some(Probe::Exec { command });
        }
        let http = value.get("httpGet")?;
        let (mut path, mut port, mut headers, mut https) = (literal("/"), 0, Vec::new(), false);
        for (key, field) in http.entries() {
            match key.text.as_str() {
                "path" => path = literal(field.as_str().unwrap_or("/")),
                "port" => port = int(field).unwrap_or(0),
                "scheme" => https = field.as_str() == Some("HTTPS"),
                "httpHeaders" => headers = self.headers(field),
                other => self.dropped(
                    key.range,
                    format!("`{other}` of an HTTP probe is not carried over: plat probes the container's own address"),
                ),
            }
        }
        Some(Probe::Http {
            path,
            port,
            headers,
            https,
        })
    }

    /// The `httpHeaders` of a probe: name and value (as a plat expression) of each.
    fn headers(&mut self, list: &Node) -> Vec<(String, String)> {
        let Value::Seq(items) = &list.value else {
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|item| {
                let name = item.get("name")?.as_str()?.to_string();
                let value = literal(&item.get("value")?.value.scalar_text()?);
                Some((name, value))
            })
            .collect()
    }
}

/// Declares the ports the container's probes reach that it does not declare yet, as
/// `probe-PORT`: a Score container listens on a probe's port without `service` naming
/// it, and a plat probe reaches a declared port of its container (E0617).
fn declare_probe_ports(container: &mut Container) {
    let reached: Vec<i64> = [
        &container.liveness,
        &container.readiness,
        &container.startup,
    ]
    .into_iter()
    .flatten()
    .filter_map(Probe::port)
    .collect();
    for port in reached {
        if port > 0
            && !container
                .ports
                .iter()
                .any(|(_, declared)| *declared == port)
        {
            container.ports.push((format!("probe-{port}"), port));
        }
    }
}

/// The entries of `files` or `volumes`: a mapping from target paths, or the deprecated
/// list of entries with a `target`.
fn by_target(value: &Node) -> Vec<(String, &Node)> {
    match &value.value {
        Value::Map(entries) => entries
            .iter()
            .map(|(target, node)| (target.text.clone(), node))
            .collect(),
        Value::Seq(items) => items
            .iter()
            .map(|node| {
                let target = node
                    .get("target")
                    .and_then(Node::as_str)
                    .unwrap_or_default();
                (target.to_string(), node)
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Kubernetes CPU as plat writes it: `250m`, `1`; decimals become millicores.
fn cpu_quantity(text: &str) -> Option<String> {
    if let Some(millis) = text.strip_suffix('m') {
        return millis.parse::<u64>().ok().map(|m| format!("{m}m"));
    }
    if let Ok(cores) = text.parse::<u64>() {
        return Some(cores.to_string());
    }
    let value: f64 = text.parse().ok()?;
    let millis = (value * 1000.0).round();
    (value > 0.0 && millis >= 1.0 && (value * 1000.0 - millis).abs() < 1e-6)
        .then(|| format!("{}m", millis as u64))
}

/// Kubernetes memory with one of the units plat reads.
fn memory_quantity(text: &str) -> Option<String> {
    const UNITS: &[&str] = &["Ki", "Mi", "Gi", "Ti", "K", "M", "G", "T"];
    let unit = UNITS.iter().find(|unit| text.ends_with(**unit))?;
    let number = &text[..text.len() - unit.len()];
    (!number.is_empty() && number.chars().all(|c| c.is_ascii_digit())).then(|| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        assert_eq!(cpu_quantity("0.250").as_deref(), Some("250m"));
        assert_eq!(cpu_quantity("1000m").as_deref(), Some("1000m"));
        assert_eq!(cpu_quantity("2").as_deref(), Some("2"));
        assert_eq!(cpu_quantity("0.0001"), None);
        assert_eq!(memory_quantity("128M").as_deref(), Some("128M"));
        assert_eq!(memory_quantity("1024"), None);
    }
}
