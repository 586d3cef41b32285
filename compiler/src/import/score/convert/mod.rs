//! Turning a valid Score workload into a plat workload.
//!
//! Invariants: every Score field is either carried over, reported as dropped (W0808),
//! or refused with an error at its node (E0803 unknown resource type, E0804 unknown
//! placeholder, E0805 no counterpart in plat, E0806 unreadable `source`, E0506 a
//! `source` outside the Score file's directory); nothing is
//! dropped silently. Resources are read before containers, so that placeholders know
//! what each resource became. Output follows the order of the Score file.

mod containers;
mod order;
mod references;
mod resources;

use super::offerings::Offering;
use super::placeholder::literal;
use super::plat::{ContainerKind, Workload};
use super::yaml::{Node, Value};
use crate::diagnostic::{Code, Diagnostic};
use crate::project::read::Refusal;
use crate::source::SourceFile;
use crate::span::TextRange;

/// Reads a file that a Score `files` entry names in `source`, relative to the Score
/// file, through the loader's rule ([`crate::project::read`]).
pub type SourceReader<'a> = dyn Fn(&str) -> Result<String, Refusal> + 'a;

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
            let entries = containers.entries();
            let (roles, order) = self.start_order(entries).unwrap_or_else(|| {
                let main = order::Role {
                    kind: ContainerKind::Main,
                    healthy: false,
                };
                (vec![main; entries.len()], (0..entries.len()).collect())
            });
            let first = order
                .iter()
                .copied()
                .find(|index| roles[*index].kind == ContainerKind::Main);
            for index in order {
                let (key, node) = &entries[index];
                let container = self.container(key, node, roles[index], Some(index) == first);
                workload.containers.push(container);
            }
        }
        workload.service_ports = self
            .ports
            .iter()
            .filter(|(_, port, target)| port != target)
            .map(|(name, port, _)| (name.clone(), *port))
            .collect();
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
            self.ports.push((key.text.clone(), port, target));
        }
    }
}

/// What the primary label says, by code.
fn label(code: Code) -> &'static str {
    match code {
        Code::UnknownResourceType => "no offering for this type",
        Code::UnknownPlaceholder => "plat cannot translate this placeholder",
        Code::UnreadableSource => "this file cannot be read",
        Code::OutsideProject => "outside the Score file's directory",
        Code::ScoreDropped => "left out of the .plat workload",
        _ => "plat cannot express this",
    }
}

fn int(node: &Node) -> Option<i64> {
    match &node.value {
        Value::Int(value) => Some(*value),
        Value::String(text) => text.parse().ok(),
        _ => None,
    }
}
