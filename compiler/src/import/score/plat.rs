//! The plat workload an import writes, and its text.
//!
//! Invariants: values are held as plat expressions already escaped (see
//! `placeholder`), names are checked identifiers or quoted keys, and the text is passed
//! through `plat fmt`'s formatter, so that an imported file is in the canonical style.

use crate::format::format_text;

#[derive(Debug, Default)]
pub struct Workload {
    pub name: String,
    pub calls: Vec<String>,
    pub annotations: Vec<(String, String)>,
    /// The Service's port of a container port, where it is not the container's.
    pub service_ports: Vec<(String, i64)>,
    /// Init containers and sidecars first, in the order they start, then the others.
    pub containers: Vec<Container>,
    pub resources: Vec<Resource>,
}

#[derive(Debug, Default)]
pub struct Container {
    pub name: String,
    pub kind: ContainerKind,
    pub image: String,
    pub command: Option<Vec<String>>,
    pub args: Option<Vec<String>>,
    pub ports: Vec<(String, i64)>,
    pub env: Vec<(String, String)>,
    pub files: Vec<(String, String)>,
    pub volumes: Vec<(String, String)>,
    pub cpu: Option<String>,
    pub memory: Option<String>,
    pub cpu_limit: Option<String>,
    pub memory_limit: Option<String>,
    pub liveness: Option<Probe>,
    pub readiness: Option<Probe>,
    pub startup: Option<Probe>,
}

/// Which block a container is written as.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum ContainerKind {
    #[default]
    Main,
    Init,
    Sidecar,
}

/// A probe, its values as plat expressions.
#[derive(Debug, Clone)]
pub enum Probe {
    /// An HTTP GET: the path, the port, the headers (name, value), whether over TLS.
    Http {
        path: String,
        port: i64,
        headers: Vec<(String, String)>,
        https: bool,
    },
    /// A command.
    Exec { command: Vec<String> },
}

impl Probe {
    fn render(&self) -> String {
        match self {
            Probe::Http {
                path,
                port,
                headers,
                https,
            } => {
                let mut fields = vec![format!("path = {path}"), format!("port = {port}")];
                if !headers.is_empty() {
                    fields.push(format!("headers = {}", map(headers)));
                }
                if *https {
                    fields.push("scheme = \"HTTPS\"".to_string());
                }
                format!("{{ {} }}", fields.join(", "))
            }
            Probe::Exec { command } => format!("{{ exec = [{}] }}", command.join(", ")),
        }
    }

    /// The port it reaches, if any.
    pub fn port(&self) -> Option<i64> {
        match self {
            Probe::Http { port, .. } => Some(*port),
            Probe::Exec { .. } => None,
        }
    }
}

#[derive(Debug)]
pub struct Resource {
    pub name: String,
    pub offering: &'static str,
    /// Param name → plat expression.
    pub params: Vec<(String, String)>,
}

/// Names a workload gives meaning to, that a resource or container may not take.
pub const RESERVED: &[&str] = &[
    "env",
    "self",
    "container",
    "init_container",
    "sidecar",
    "override",
    "params",
    "module",
];

pub use crate::syntax::lexer::is_identifier;

/// A map key: bare when it can be, quoted otherwise.
fn key(name: &str) -> String {
    if is_identifier(name) && !name.contains('-') {
        name.to_string()
    } else {
        super::placeholder::literal(name)
    }
}

fn map(entries: &[(String, String)]) -> String {
    let items: Vec<String> = entries
        .iter()
        .map(|(name, value)| format!("{} = {value}", key(name)))
        .collect();
    format!("{{ {} }}", items.join(", "))
}

impl Workload {
    /// The workload as a `.plat` file in the canonical style; `origin` names the
    /// Score file in the doc comment.
    pub fn render(&self, origin: &str) -> Result<String, String> {
        let mut out = String::new();
        let mut offerings: Vec<&str> = self.resources.iter().map(|r| r.offering).collect();
        offerings.sort_unstable();
        offerings.dedup();
        match offerings.as_slice() {
            [] => {}
            [one] => out.push_str(&format!("import std.{one}\n\n")),
            many => out.push_str(&format!("import std.{{{}}}\n\n", many.join(", "))),
        }
        out.push_str(&format!("/// Imported from the Score file `{origin}`.\n"));
        out.push_str(&format!("workload {} {{\n", self.name));
        if !self.calls.is_empty() {
            out.push_str(&format!("calls = [{}]\n", self.calls.join(", ")));
        }
        if !self.annotations.is_empty() {
            out.push_str(&format!("annotations = {}\n", map(&self.annotations)));
        }
        if !self.service_ports.is_empty() {
            let ports: Vec<(String, String)> = self
                .service_ports
                .iter()
                .map(|(name, port)| (name.clone(), port.to_string()))
                .collect();
            out.push_str(&format!("service_ports = {}\n", map(&ports)));
        }
        for container in &self.containers {
            out.push('\n');
            container.render(&mut out);
        }
        if !self.resources.is_empty() {
            out.push('\n');
        }
        for resource in &self.resources {
            let params: Vec<String> = resource
                .params
                .iter()
                .map(|(name, value)| format!("{name} = {value}"))
                .collect();
            out.push_str(&format!(
                "{}: {} {{ {} }}\n",
                resource.name,
                resource.offering,
                params.join(", ")
            ));
        }
        out.push_str("}\n");
        format_text(&out).map_err(|error| format!("{error:?}"))
    }
}

impl Container {
    fn render(&self, out: &mut String) {
        let keyword = match self.kind {
            ContainerKind::Main => "container",
            ContainerKind::Init => "init_container",
            ContainerKind::Sidecar => "sidecar",
        };
        out.push_str(&format!("{keyword} {} {{\n", self.name));
        out.push_str(&format!("image = {}\n", self.image));
        if let Some(command) = &self.command {
            out.push_str(&format!("command = [{}]\n", command.join(", ")));
        }
        if let Some(args) = &self.args {
            out.push_str(&format!("args = [{}]\n", args.join(", ")));
        }
        if !self.ports.is_empty() {
            let ports: Vec<(String, String)> = self
                .ports
                .iter()
                .map(|(name, port)| (name.clone(), port.to_string()))
                .collect();
            out.push_str(&format!("ports = {}\n", map(&ports)));
        }
        for (field, entries) in [("env", &self.env), ("files", &self.files)] {
            if !entries.is_empty() {
                out.push_str(&format!("{field} = {}\n", map(entries)));
            }
        }
        if !self.volumes.is_empty() {
            let volumes: Vec<(String, String)> = self
                .volumes
                .iter()
                .map(|(path, name)| (path.clone(), name.clone()))
                .collect();
            out.push_str(&format!("volumes = {}\n", map(&volumes)));
        }
        let quantities = [
            ("cpu", &self.cpu),
            ("memory", &self.memory),
            ("cpu_limit", &self.cpu_limit),
            ("memory_limit", &self.memory_limit),
        ];
        for (field, value) in quantities {
            if let Some(value) = value {
                out.push_str(&format!("{field} = {value}\n"));
            }
        }
        let probes = [
            ("liveness", &self.liveness),
            ("readiness", &self.readiness),
            ("startup", &self.startup),
        ];
        for (field, probe) in probes {
            if let Some(probe) = probe {
                out.push_str(&format!("{field} = {}\n", probe.render()));
            }
        }
        out.push_str("}\n");
    }
}
