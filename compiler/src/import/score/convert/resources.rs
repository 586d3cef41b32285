//! Score resources: each becomes a resource of an offering, a host name under the
//! environment's domain (`dns`), a call to another workload (`service-port`), or is
//! refused (E0803).

use super::{Became, Converter, dns_host};
use crate::diagnostic::Code;
use crate::import::score::offerings::{self, Mapping, Offering};
use crate::import::score::placeholder::literal;
use crate::import::score::plat::{Resource, Workload};
use crate::import::score::yaml::{Key, Node, Value};

impl Converter<'_> {
    pub(super) fn resource(
        &mut self,
        key: &Key,
        node: &Node,
        workload: &mut Workload,
    ) -> Option<Resource> {
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
    pub(super) fn dns_count(&self) -> usize {
        self.resources
            .iter()
            .filter(|(_, became)| matches!(became, Became::Dns(_)))
            .count()
            + 1
    }
    /// Reports every field of `node` but `kept` as not carried over.
    pub(super) fn ignore_fields(&mut self, node: &Node, kept: &[&str], what: &str) {
        for (key, _) in node.entries() {
            if !kept.contains(&key.text.as_str()) {
                self.dropped(
                    key.range,
                    format!("`{}` of {what} is not carried over", key.text),
                );
            }
        }
    }
    pub(super) fn service_port(&mut self, key: &Key, node: &Node, workload: &mut Workload) {
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
    pub(super) fn offering_resource(
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
    pub(super) fn param(&mut self, offering: &Offering, key: &Key, value: &Node) -> Option<String> {
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
    pub(super) fn route_port(&mut self, value: &Node) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_names_become_sql_names() {
        assert_eq!(sql_name("my-postgres"), "my_postgres");
        assert_eq!(sql_name("1db"), "_1db");
    }
}
