//! Turning a valid Score workload into a plat workload.
//!
//! Invariants: every Score field is either carried over, reported as dropped (W0808),
//! or refused with an error at its node (E0803 unknown resource type, E0804 unknown
//! placeholder, E0805 no counterpart in plat, E0806 unreadable `source`); nothing is
//! dropped silently. Resources are read before containers, so that placeholders know
//! what each resource became. Output follows the order of the Score file.

use base64::Engine;

use super::offerings::{self, Mapping, Offering};
use super::placeholder::{Part, Segment, expression, literal, segments};
use super::plat::{Container, Probe, Resource, Workload};
use super::yaml::{Key, Node, Value};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::SourceFile;
use crate::span::TextRange;

/// Reads a file that a Score `files` entry names in `source`, relative to the Score file.
pub type SourceReader<'a> = dyn Fn(&str) -> Result<String, String> + 'a;

/// What a Score resource became.
enum Became {
    Offering(&'static Offering),
    /// A host name under the environment's domain.
    Dns(String),
    /// A call to another workload.
    Call(String),
    /// Refused (already reported): placeholders into it are not reported again.
    Refused,
}

/// The route `host` of a `dns` resource, as plat interpolation text.
fn dns_host(name: &str, dns_count: usize) -> String {
    if dns_count > 1 {
        format!("{name}-${{self.name}}.${{env.domain}}")
    } else {
        "${self.name}.${env.domain}".to_string()
    }
}

pub struct Converter<'a> {
    pub file: SourceFile,
    pub text: &'a str,
    pub read_source: &'a SourceReader<'a>,
    pub diagnostics: Vec<Diagnostic>,
    resources: Vec<(String, Became)>,
    /// Service ports: name, the port callers use, the port the container listens on.
    ports: Vec<(String, i64, i64)>,
    /// The field being read when it must hold plain values known when compiling
    /// (`command`, `args`): resource outputs may be secret or known only after
    /// provisioning, so they are refused there.
    plain_field: Option<&'static str>,
}

impl<'a> Converter<'a> {
    pub fn new(file: SourceFile, text: &'a str, read_source: &'a SourceReader<'a>) -> Self {
        Converter {
            file,
            text,
            read_source,
            diagnostics: Vec::new(),
            resources: Vec::new(),
            ports: Vec::new(),
            plain_field: None,
        }
    }

    fn error(&mut self, code: Code, range: TextRange, message: String, help: Option<String>) {
        let mut diagnostic =
            Diagnostic::new(code, message, self.file, range).with_label(label(code));
        if let Some(help) = help {
            diagnostic = diagnostic.with_help(help);
        }
        self.diagnostics.push(diagnostic);
    }

    fn unsupported(&mut self, range: TextRange, message: String, help: &str) {
        self.error(
            Code::ScoreUnsupported,
            range,
            message,
            (!help.is_empty()).then(|| help.to_string()),
        );
    }

    fn dropped(&mut self, range: TextRange, message: String) {
        self.error(Code::ScoreDropped, range, message, None);
    }

    /// The whole workload.
    pub fn workload(&mut self, root: &Node) -> Workload {
        let metadata = root.get("metadata");
        let name_node = metadata.and_then(|m| m.get("name"));
        let name = name_node
            .and_then(Node::as_str)
            .unwrap_or_default()
            .to_string();
        if let Some(node) = name_node {
            self.identifier(&name, node.range, "workload");
        }
        let mut workload = Workload {
            name,
            ..Workload::default()
        };
        if let Some(metadata) = metadata {
            self.metadata(metadata, &mut workload);
        }
        if let Some(service) = root.get("service") {
            self.service(service);
        }
        if let Some(resources) = root.get("resources") {
            for (key, node) in resources.entries() {
                if let Some(resource) = self.resource(key, node, &mut workload) {
                    workload.resources.push(resource);
                }
            }
        }
        if let Some(containers) = root.get("containers") {
            for (index, (key, node)) in containers.entries().iter().enumerate() {
                let container = self.container(key, node, index == 0);
                workload.containers.push(container);
            }
        }
        workload
    }

    /// A plat name must be an identifier and no keyword.
    fn identifier(&mut self, name: &str, range: TextRange, what: &str) {
        if !super::plat::is_identifier(name) || super::plat::RESERVED.contains(&name) {
            self.unsupported(
                range,
                format!("the {what} name `{name}` is not a plat name"),
                "plat names start with a letter, and are neither keywords (`workload`, \
                 `type`, `in` …) nor names a workload gives a meaning to (`env`, `self` …): \
                 rename it in the Score file",
            );
        }
    }

    fn metadata(&mut self, metadata: &Node, workload: &mut Workload) {
        for (key, node) in metadata.entries() {
            match key.text.as_str() {
                "name" => {}
                "annotations" => {
                    for (k, v) in node.entries() {
                        let value = v.value.scalar_text().unwrap_or_default();
                        workload.annotations.push((k.text.clone(), literal(&value)));
                    }
                }
                other => self.dropped(
                    key.range,
                    format!(
                        "`metadata.{other}` is not carried over: plat workloads have no such field"
                    ),
                ),
            }
        }
    }

    fn service(&mut self, service: &Node) {
        let Some(ports) = service.get("ports") else {
            return;
        };
        for (key, node) in ports.entries() {
            let port = node.get("port").and_then(int).unwrap_or(0);
            let target = node.get("targetPort").and_then(int).unwrap_or(port);
            if let Some(protocol) = node.get("protocol")
                && protocol.as_str() == Some("UDP")
            {
                self.unsupported(
                    protocol.range,
                    format!("the service port `{}` uses UDP", key.text),
                    "plat's Services carry TCP only; remove the port, or serve it over TCP",
                );
            }
            if target != port {
                self.dropped(
                    node.range,
                    format!(
                        "the service port `{}` is published on {target}, not {port}: a plat \
                         Service listens on the port its container listens on",
                        key.text
                    ),
                );
            }
            self.ports.push((key.text.clone(), port, target));
        }
    }

    fn resource(&mut self, key: &Key, node: &Node, workload: &mut Workload) -> Option<Resource> {
        let type_node = node.get("type")?;
        let score_type = type_node.as_str().unwrap_or_default();
        match offerings::mapping(score_type) {
            Mapping::Offering(offering) => {
                self.identifier(&key.text, key.range, "resource");
                self.resources
                    .push((key.text.clone(), Became::Offering(offering)));
                Some(self.offering_resource(key, node, offering))
            }
            Mapping::Dns => {
                self.ignore_fields(node, &["type"], "a `dns` resource");
                let count = self.dns_count();
                self.resources
                    .push((key.text.clone(), Became::Dns(dns_host(&key.text, count))));
                None
            }
            Mapping::ServicePort => {
                self.service_port(key, node, workload);
                None
            }
            Mapping::Refused(reason) => {
                self.resources.push((key.text.clone(), Became::Refused));
                let help = if reason.is_empty() {
                    format!(
                        "plat maps these Score types to offerings: {}; declare an offering \
                         for `{score_type}` in the platform, or remove the resource",
                        offerings::SUPPORTED
                    )
                } else {
                    reason.to_string()
                };
                self.error(
                    Code::UnknownResourceType,
                    type_node.range,
                    format!("no offering for the Score resource type `{score_type}`"),
                    Some(help),
                );
                None
            }
        }
    }

    /// How many `dns` resources there are, this one included.
    fn dns_count(&self) -> usize {
        self.resources
            .iter()
            .filter(|(_, became)| matches!(became, Became::Dns(_)))
            .count()
            + 1
    }

    /// Reports every field of `node` but `kept` as not carried over.
    fn ignore_fields(&mut self, node: &Node, kept: &[&str], what: &str) {
        for (key, _) in node.entries() {
            if !kept.contains(&key.text.as_str()) {
                self.dropped(
                    key.range,
                    format!("`{}` of {what} is not carried over", key.text),
                );
            }
        }
    }

    fn service_port(&mut self, key: &Key, node: &Node, workload: &mut Workload) {
        let params = node.get("params");
        let target = params.and_then(|p| p.get("workload"));
        match target.and_then(Node::as_str) {
            Some(name) => {
                self.identifier(name, target.map_or(key.range, |t| t.range), "workload");
                if !workload.calls.iter().any(|call| call == name) {
                    workload.calls.push(name.to_string());
                }
                self.resources
                    .push((key.text.clone(), Became::Call(name.to_string())));
                if let Some(port) = params.and_then(|p| p.get("port")) {
                    self.dropped(
                        port.range,
                        format!(
                            "`{name}.port` is the first port of `{name}`: the port named \
                             here is not checked"
                        ),
                    );
                }
            }
            None => {
                self.resources.push((key.text.clone(), Became::Refused));
                self.unsupported(
                    params.map_or(node.range, |p| p.range),
                    format!(
                        "the `service-port` resource `{}` names no workload",
                        key.text
                    ),
                    "set `params.workload` to the name of the workload it calls",
                );
            }
        }
    }

    fn offering_resource(
        &mut self,
        key: &Key,
        node: &Node,
        offering: &'static Offering,
    ) -> Resource {
        let mut resource = Resource {
            name: key.text.clone(),
            offering: offering.name,
            params: Vec::new(),
        };
        let shared = node.get("id").and_then(Node::as_str);
        for (field, value) in node.entries() {
            match field.text.as_str() {
                "type" | "id" => {}
                "params" if shared.is_some() => self.dropped(
                    field.range,
                    "`params` of a shared resource (`id`) are not carried over: the \
                     environment that declares it sets them"
                        .to_string(),
                ),
                "params" => {
                    for (param, value) in value.entries() {
                        if let Some(text) = self.param(offering, param, value) {
                            resource.params.push((param.text.clone(), text));
                        }
                    }
                }
                "class" => self.dropped(
                    field.range,
                    "`class` is not carried over: each environment chooses the \
                     implementation of an offering"
                        .to_string(),
                ),
                other => self.dropped(
                    field.range,
                    format!("`{other}` of a resource is not carried over"),
                ),
            }
        }
        if let Some(id) = shared {
            if let Some(range) = node.get("id").map(|n| n.range) {
                self.identifier(id, range, "shared resource");
            }
            resource.params = vec![("shared".to_string(), id.to_string())];
            return resource;
        }
        if let Some(param) = offering.named_param
            && !resource.params.iter().any(|(name, _)| name == param)
        {
            resource
                .params
                .insert(0, (param.to_string(), literal(&sql_name(&key.text))));
        }
        if offering.name == "route" {
            for required in ["host", "port"] {
                if !resource.params.iter().any(|(name, _)| name == required) {
                    self.unsupported(
                        node.range,
                        format!("the route `{}` has no `{required}`", key.text),
                        "set it in the route's `params`",
                    );
                }
            }
        }
        resource
    }

    /// One param of an offering resource, as a plat expression.
    fn param(&mut self, offering: &Offering, key: &Key, value: &Node) -> Option<String> {
        if !offering.params.contains(&key.text.as_str()) {
            self.unsupported(
                key.range,
                format!(
                    "the offering `{}` has no param `{}`",
                    offering.name, key.text
                ),
                &format!("its params are: {}", offering.params.join(", ")),
            );
            return None;
        }
        match (offering.name, key.text.as_str()) {
            ("route", "port") => self.route_port(value),
            ("route", "path") => {
                let path = value.as_str().unwrap_or_default();
                let plain = path.starts_with('/')
                    && path
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "/_.-".contains(c));
                if !plain {
                    self.unsupported(
                        value.range,
                        format!("the route path `{path}` is not a plain path prefix"),
                        "plat routes match a path prefix made of letters, digits and `/_.-`: \
                         route the common prefix (such as `/my`) instead",
                    );
                    return None;
                }
                Some(literal(path))
            }
            _ => match &value.value {
                Value::Bool(b) => Some(b.to_string()),
                Value::Int(i) => Some(i.to_string()),
                Value::String(_) => self.string(value),
                _ => {
                    self.unsupported(
                        value.range,
                        format!("the param `{}` is {}", key.text, value.value.kind()),
                        "plat params of the standard offerings are strings, numbers or booleans",
                    );
                    None
                }
            },
        }
    }

    /// A route's `port`: a number, or the name of a service port; the port the
    /// container listens on, which is the one plat's Service serves.
    fn route_port(&mut self, value: &Node) -> Option<String> {
        let found = match &value.value {
            Value::Int(number) => Some(
                self.ports
                    .iter()
                    .find(|(_, port, _)| port == number)
                    .map_or(*number, |(_, _, target)| *target),
            ),
            Value::String(name) => self
                .ports
                .iter()
                .find(|(port_name, _, _)| port_name == name)
                .map(|(_, _, target)| *target)
                .or_else(|| name.parse().ok()),
            _ => None,
        };
        if found.is_none() {
            self.unsupported(
                value.range,
                "the route's port names no service port".to_string(),
                "name a port of `service.ports`, or give its number",
            );
        }
        found.map(|port| port.to_string())
    }

    fn container(&mut self, key: &Key, node: &Node, first: bool) -> Container {
        self.identifier(&key.text, key.range, "container");
        let mut container = Container {
            name: key.text.clone(),
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
                "livenessProbe" => container.liveness = self.probe(value),
                "readinessProbe" => container.readiness = self.probe(value),
                other => self.dropped(
                    field.range,
                    format!("`{other}` of a container is not carried over"),
                ),
            }
        }
        container
    }

    fn image(&mut self, value: &Node, container: &mut Container) {
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
    fn strings(&mut self, value: &Node, field: &'static str) -> Option<Vec<String>> {
        let Value::Seq(items) = &value.value else {
            return None;
        };
        self.plain_field = Some(field);
        let strings = items.iter().filter_map(|item| self.string(item)).collect();
        self.plain_field = None;
        Some(strings)
    }

    /// A Score string value as a plat expression, placeholders translated.
    pub fn string(&mut self, node: &Node) -> Option<String> {
        let text = node.value.scalar_text().unwrap_or_default();
        self.translate(&text, node).map(|parts| expression(&parts))
    }

    /// The parts of `text` (the value of `node`), or `None` after reporting an
    /// unknown placeholder.
    fn translate(&mut self, text: &str, node: &Node) -> Option<Vec<Part>> {
        let mut parts = Vec::new();
        let mut ok = true;
        let mut seen: Vec<String> = Vec::new();
        for segment in segments(text) {
            match segment {
                Segment::Text(text) => parts.push(Part::Text(text)),
                Segment::Placeholder(path) => {
                    let nth = seen.iter().filter(|p| **p == path).count();
                    seen.push(path.clone());
                    match self.placeholder(&path) {
                        Ok(_) if self.reads_resource_output(&path) => {
                            ok = false;
                            let field = self.plain_field.unwrap_or_default();
                            let range = self.locate(node, &format!("${{{path}}}"), nth);
                            self.unsupported(
                                range,
                                format!("`${{{path}}}` in `{field}`: a resource's output may be secret, or known only once it is provisioned"),
                                "pass it in `variables` (`DB_HOST: ${resources.db.host}`) and write \
                                 `$(DB_HOST)` in the argument: Kubernetes expands it",
                            );
                        }
                        Ok(mut translated) => parts.append(&mut translated),
                        Err(None) => ok = false,
                        Err(Some((message, help))) => {
                            ok = false;
                            let range = self.locate(node, &format!("${{{path}}}"), nth);
                            self.error(Code::UnknownPlaceholder, range, message, Some(help));
                        }
                    }
                }
            }
        }
        ok.then_some(parts)
    }

    /// Where the `nth` occurrence of `needle` is inside `node`'s text; the node when
    /// it is not written there literally (an escaped or folded scalar).
    fn locate(&self, node: &Node, needle: &str, nth: usize) -> TextRange {
        let source = self.text.get(node.range.as_range()).unwrap_or_default();
        match source.match_indices(needle).nth(nth) {
            Some((at, _)) => {
                let start = node.range.start + at as u32;
                TextRange::new(start, start + needle.len() as u32)
            }
            None => node.range,
        }
    }

    /// What a placeholder becomes: parts, or an error (message and help; `None` when
    /// the resource was refused and reported already).
    fn placeholder(&self, path: &str) -> Result<Vec<Part>, Option<(String, String)>> {
        let names: Vec<&str> = path.split('.').collect();
        match names.as_slice() {
            ["metadata", "name"] => Ok(vec![Part::Ref {
                path: "self.name".to_string(),
                bare: true,
            }]),
            ["resources", resource, output] => {
                let Some((_, became)) = self.resources.iter().find(|(n, _)| n == resource) else {
                    return Err(Some((
                        format!("`${{{path}}}` names no resource of this workload"),
                        format!("the resources are: {}", self.resource_names()),
                    )));
                };
                self.output(resource, became, output, path)
            }
            ["resources", resource] => Err(Some((
                format!("`${{{path}}}` names a whole resource, not one of its outputs"),
                format!(
                    "name an output, such as `${{resources.{resource}.host}}`; a whole resource may only be a volume's `source`"
                ),
            ))),
            _ => Err(Some((
                format!("unknown placeholder `${{{path}}}`"),
                "plat understands `${metadata.name}` and `${resources.NAME.OUTPUT}`; write \
                 `$${` for the characters `${`"
                    .to_string(),
            ))),
        }
    }

    /// Whether `path` reads an offering resource's output inside `command` or `args`.
    fn reads_resource_output(&self, path: &str) -> bool {
        let Some(name) = path
            .strip_prefix("resources.")
            .and_then(|rest| rest.split('.').next())
        else {
            return false;
        };
        self.plain_field.is_some()
            && self
                .resources
                .iter()
                .any(|(n, became)| n == name && matches!(became, Became::Offering(_)))
    }

    fn resource_names(&self) -> String {
        let names: Vec<String> = self
            .resources
            .iter()
            .map(|(n, _)| format!("`{n}`"))
            .collect();
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    }

    fn output(
        &self,
        resource: &str,
        became: &Became,
        output: &str,
        path: &str,
    ) -> Result<Vec<Part>, Option<(String, String)>> {
        match became {
            Became::Refused => Err(None),
            Became::Offering(offering) => match offering.output(output) {
                Some(plat) => Ok(vec![Part::Ref {
                    path: format!("{resource}.{plat}"),
                    bare: !offerings::is_port(plat),
                }]),
                None => Err(Some((
                    format!(
                        "the offering `{}` has no output `{output}` (`${{{path}}}`)",
                        offering.name
                    ),
                    crate::names::suggest::did_you_mean(output, offering.output_names())
                        .unwrap_or_else(|| {
                            format!(
                                "`{resource}` is a `{}`, whose outputs are {}",
                                offering.name,
                                crate::names::suggest::all_of(&offering.output_names())
                            )
                        }),
                ))),
            },
            Became::Dns(host) if output == "host" => Ok(host_parts(host)),
            Became::Dns(_) => Err(Some((
                format!("a `dns` resource has no output `{output}` (`${{{path}}}`)"),
                "a `dns` resource has the output `host` only".to_string(),
            ))),
            Became::Call(workload) => {
                let plat = match output {
                    "hostname" | "host" => "host",
                    "port" => "port",
                    "url" => "url",
                    _ => {
                        return Err(Some((
                            format!(
                                "a `service-port` resource has no output `{output}` (`${{{path}}}`)"
                            ),
                            "its outputs are: hostname, host, port, url".to_string(),
                        )));
                    }
                };
                Ok(vec![Part::Ref {
                    path: format!("{workload}.{plat}"),
                    bare: plat != "port",
                }])
            }
        }
    }

    fn files(&mut self, value: &Node, container: &mut Container) {
        for (target, file) in by_target(value) {
            self.file(&target, file, container);
        }
    }

    fn file(&mut self, target: &str, file: &Node, container: &mut Container) {
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

    fn source(&mut self, value: &Node, no_expand: bool) -> Option<String> {
        let path = value.as_str().unwrap_or_default();
        match (self.read_source)(path) {
            Ok(text) if no_expand => Some(literal(&text)),
            Ok(text) => {
                let parts = self.translate(&text, value)?;
                Some(expression(&parts))
            }
            Err(reason) => {
                self.error(
                    Code::UnreadableSource,
                    value.range,
                    format!("cannot read the file `{path}`: {reason}"),
                    Some("`source` is relative to the Score file's directory".to_string()),
                );
                None
            }
        }
    }

    fn binary(&mut self, value: &Node) -> Option<String> {
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

    fn volumes(&mut self, value: &Node, container: &mut Container) {
        for (target, volume) in by_target(value) {
            self.volume(&target, volume, container);
        }
    }

    fn volume(&mut self, target: &str, volume: &Node, container: &mut Container) {
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

    fn quantities(&mut self, value: &Node, container: &mut Container) {
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

    fn probe(&mut self, value: &Node) -> Option<Probe> {
        if let Some(exec) = value.get("exec") {
            self.dropped(
                exec.range,
                "an `exec` probe is not carried over: plat's probes are HTTP GETs".to_string(),
            );
        }
        let http = value.get("httpGet")?;
        let mut probe = Probe::default();
        for (key, field) in http.entries() {
            match key.text.as_str() {
                "path" => probe.path = literal(field.as_str().unwrap_or("/")),
                "port" => probe.port = int(field).unwrap_or(0),
                other => self.dropped(
                    key.range,
                    format!("`{other}` of an HTTP probe is not carried over: plat probes GET a path on the container's port"),
                ),
            }
        }
        if probe.path.is_empty() {
            probe.path = literal("/");
        }
        Some(probe)
    }
}

/// What the primary label says, by code.
fn label(code: Code) -> &'static str {
    match code {
        Code::UnknownResourceType => "no offering for this type",
        Code::UnknownPlaceholder => "plat cannot translate this placeholder",
        Code::UnreadableSource => "this file cannot be read",
        Code::ScoreDropped => "left out of the .plat workload",
        _ => "plat cannot express this",
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

fn host_parts(host: &str) -> Vec<Part> {
    // `NAME-${self.name}.${env.domain}` or `${self.name}.${env.domain}`.
    let mut parts = Vec::new();
    for segment in segments(host) {
        match segment {
            Segment::Text(text) => parts.push(Part::Text(text)),
            Segment::Placeholder(path) => parts.push(Part::Ref { path, bare: false }),
        }
    }
    parts
}

fn int(node: &Node) -> Option<i64> {
    match &node.value {
        Value::Int(value) => Some(*value),
        Value::String(text) => text.parse().ok(),
        _ => None,
    }
}

/// A Score resource name as a SQL identifier: `my-postgres` → `my_postgres`.
fn sql_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_lowercase() || c == '_') {
        out.insert(0, '_');
    }
    out.chars().take(63).collect()
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
        assert_eq!(sql_name("my-postgres"), "my_postgres");
        assert_eq!(sql_name("1db"), "_1db");
    }
}
