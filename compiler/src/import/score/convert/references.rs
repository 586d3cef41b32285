//! Score strings and their `${...}` placeholders, translated into plat references
//! (E0804 for a placeholder that names nothing plat knows, at its line and column).

use super::{Became, Converter};
use crate::diagnostic::Code;
use crate::import::score::offerings;
use crate::import::score::placeholder::{Part, Segment, expression, segments};
use crate::import::score::yaml::Node;
use crate::span::TextRange;

impl Converter<'_> {
    /// A Score string value as a plat expression, placeholders translated.
    pub fn string(&mut self, node: &Node) -> Option<String> {
        let text = node.value.scalar_text().unwrap_or_default();
        self.translate(&text, node).map(|parts| expression(&parts))
    }
    /// The parts of `text` (the value of `node`), or `None` after reporting an
    /// unknown placeholder.
    pub(super) fn translate(&mut self, text: &str, node: &Node) -> Option<Vec<Part>> {
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
    pub(super) fn locate(&self, node: &Node, needle: &str, nth: usize) -> TextRange {
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
    pub(super) fn placeholder(&self, path: &str) -> Result<Vec<Part>, Option<(String, String)>> {
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
    pub(super) fn reads_resource_output(&self, path: &str) -> bool {
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
    pub(super) fn resource_names(&self) -> String {
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
    pub(super) fn output(
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
