//! Provider schemas (`tests/data/terraform-providers/`, see its README) and the check
//! of one `resource` or `data` block against them: argument names, required
//! arguments, nested blocks, literal values of the wrong kind; and the attributes a
//! reference may read.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde_json::Value as Json;

use crate::build::repository;

/// An argument: required or not, and its type.
#[derive(Debug, Clone)]
pub struct Argument {
    pub required: bool,
    pub kind: Kind,
}

#[derive(Debug, Clone)]
pub enum Kind {
    /// `string`, `number`, `bool`, `any`, `list:string`, `map:string`, ...
    Value(String),
    /// A nested block (or an attribute of an object type), described by `structs[name]`.
    Block { name: String, list: bool },
}

pub type Arguments = BTreeMap<String, Argument>;

/// A resource or data source type.
#[derive(Debug, Clone)]
pub struct Type {
    pub arguments: Arguments,
    /// Every attribute a reference may read, computed ones included.
    pub attributes: BTreeSet<String>,
}

/// One provider's schema.
#[derive(Debug)]
pub struct Provider {
    pub version: String,
    pub arguments: Option<Arguments>,
    pub resources: BTreeMap<String, Type>,
    pub data_sources: BTreeMap<String, Type>,
    structs: BTreeMap<String, Arguments>,
    struct_attributes: BTreeMap<String, BTreeSet<String>>,
}

/// The providers whose schemas the tests hold, by local name.
pub fn providers() -> &'static BTreeMap<String, Provider> {
    static PROVIDERS: OnceLock<BTreeMap<String, Provider>> = OnceLock::new();
    PROVIDERS.get_or_init(|| {
        ["aws", "kubernetes", "random", "terraform"]
            .into_iter()
            .map(|name| (name.to_string(), load(name)))
            .collect()
    })
}

/// The provider of a resource or data source type: `aws` for `aws_s3_bucket`.
pub fn provider_of(kind: &str) -> &str {
    kind.split('_').next().unwrap_or(kind)
}

fn load(name: &str) -> Provider {
    let path = repository().join(format!("tests/data/terraform-providers/{name}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let json: Json =
        serde_json::from_str(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let types = |section: &str| -> BTreeMap<String, Type> {
        json[section]
            .as_object()
            .map(|types| {
                types
                    .iter()
                    .map(|(name, entry)| {
                        let attributes = entry["attrs"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(Json::as_str)
                            .map(str::to_string)
                            .collect();
                        (
                            name.clone(),
                            Type {
                                arguments: arguments(&entry["args"]),
                                attributes,
                            },
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut structs = BTreeMap::new();
    let mut struct_attributes = BTreeMap::new();
    if let Some(entries) = json["structs"].as_object() {
        for (name, value) in entries {
            if name == "__attrs__" {
                for (name, attributes) in value.as_object().into_iter().flatten() {
                    let attributes: BTreeSet<String> = attributes
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Json::as_str)
                        // An artefact of the package the schemas come from, not Terraform's.
                        .filter(|name| *name != "internal_value")
                        .map(str::to_string)
                        .collect();
                    struct_attributes.insert(name.clone(), attributes);
                }
            } else {
                structs.insert(name.clone(), arguments(value));
            }
        }
    }
    Provider {
        version: json["provider_version"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        arguments: json["provider"].get("args").map(arguments),
        resources: types("resources"),
        data_sources: types("data_sources"),
        structs,
        struct_attributes,
    }
}

fn arguments(value: &Json) -> Arguments {
    value
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, argument)| {
            let kind = match &argument["type"] {
                Json::String(kind) => Kind::Value(kind.clone()),
                Json::Object(block) => Kind::Block {
                    name: block
                        .get("block")
                        .and_then(Json::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    list: block.get("list").and_then(Json::as_bool).unwrap_or(false),
                },
                _ => Kind::Value("any".to_string()),
            };
            (
                name.clone(),
                Argument {
                    required: argument["required"].as_bool().unwrap_or(false),
                    kind,
                },
            )
        })
        .collect()
}

/// Arguments Terraform itself gives every resource and data source.
const META_ARGUMENTS: &[&str] = &[
    "count",
    "depends_on",
    "for_each",
    "lifecycle",
    "provider",
    "provisioner",
    "connection",
];

/// How deep nested blocks are followed.
const MAX_DEPTH: usize = 32;

impl Provider {
    /// The problems of `body`, a block of arguments described by `arguments`, at
    /// `at` (`resource kubernetes_secret_v1.api`).
    pub fn check_block(
        &self,
        arguments: &Arguments,
        body: &Json,
        at: &str,
        meta: bool,
        problems: &mut Vec<String>,
    ) {
        self.check_body(arguments, body, at, meta, 0, problems);
    }

    fn check_body(
        &self,
        arguments: &Arguments,
        body: &Json,
        at: &str,
        meta: bool,
        depth: usize,
        problems: &mut Vec<String>,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        let Some(entries) = body.as_object() else {
            problems.push(format!(
                "{at}: a block must be a JSON object, found {}",
                shape(body)
            ));
            return;
        };
        for (name, value) in entries {
            if meta && META_ARGUMENTS.contains(&name.as_str()) {
                continue;
            }
            // Terraform's JSON syntax reads a `//` property of a block as a comment.
            if name == "//" && value.is_string() {
                continue;
            }
            let Some(argument) = arguments.get(name) else {
                let known: Vec<&str> = arguments.keys().map(String::as_str).collect();
                problems.push(format!(
                    "{at}: `{name}` is not an argument here{}",
                    closest(name, &known)
                ));
                continue;
            };
            let at = format!("{at}.{name}");
            match &argument.kind {
                Kind::Block { name, list } => {
                    let Some(nested) = self.structs.get(name) else {
                        continue;
                    };
                    match value {
                        Json::Array(items) => {
                            if !list && items.len() > 1 {
                                problems.push(format!(
                                    "{at}: at most one such block, found {}",
                                    items.len()
                                ));
                            }
                            for (index, item) in items.iter().enumerate() {
                                self.check_body(
                                    nested,
                                    item,
                                    &format!("{at}[{index}]"),
                                    false,
                                    depth + 1,
                                    problems,
                                );
                            }
                        }
                        Json::String(text) if text.contains("${") => {}
                        other => self.check_body(nested, other, &at, false, depth + 1, problems),
                    }
                }
                Kind::Value(kind) => {
                    if let Some(problem) = value_problem(kind, value) {
                        problems.push(format!("{at}: {problem}"));
                    }
                }
            }
        }
        for (name, argument) in arguments {
            if argument.required && !entries.contains_key(name) {
                problems.push(format!("{at}: the required argument `{name}` is not set"));
            }
        }
    }

    /// Whether a reference may read `steps` (attribute names, `None` for an index)
    /// of a resource or data source of type `kind`; the first step that does not
    /// exist, otherwise.
    pub fn missing_attribute<'s>(&self, kind: &Type, steps: &[Option<&'s str>]) -> Option<&'s str> {
        let mut names: Option<BTreeSet<String>> = Some(kind.attributes.clone());
        let mut arguments: Option<&Arguments> = Some(&kind.arguments);
        for step in steps {
            let Some(name) = step else {
                continue;
            };
            let known = names.as_ref()?;
            if !known.contains(*name) {
                return Some(name);
            }
            // What the next step may read: the nested block's arguments and attributes.
            match arguments.and_then(|arguments| arguments.get(*name)) {
                Some(Argument {
                    kind: Kind::Block { name: block, .. },
                    ..
                }) => {
                    let nested = self.structs.get(block);
                    let mut next: BTreeSet<String> = nested
                        .map(|nested| nested.keys().cloned().collect())
                        .unwrap_or_default();
                    if let Some(extra) = self.struct_attributes.get(block) {
                        next.extend(extra.iter().cloned());
                    }
                    names = Some(next);
                    arguments = nested;
                }
                // A value (a string, a map, `any`): nothing more is known.
                _ => return None,
            }
        }
        None
    }
}

/// What is wrong with a literal `value` for an argument of type `kind`; references
/// and templates are not judged.
fn value_problem(kind: &str, value: &Json) -> Option<String> {
    if let Json::String(text) = value
        && text.contains("${")
    {
        return None;
    }
    let fits = match kind.split(':').next().unwrap_or(kind) {
        "string" => matches!(value, Json::String(_) | Json::Number(_) | Json::Bool(_)),
        "number" => match value {
            Json::Number(_) => true,
            Json::String(text) => text.trim().parse::<f64>().is_ok(),
            _ => false,
        },
        "bool" => match value {
            Json::Bool(_) => true,
            Json::String(text) => text == "true" || text == "false",
            _ => false,
        },
        "list" | "set" => matches!(value, Json::Array(_)),
        "map" => matches!(value, Json::Object(_)),
        _ => true,
    };
    (!fits && !value.is_null()).then(|| format!("expected {kind}, found {}", shape(value)))
}

fn shape(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "a bool",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    }
}

/// ` (did you mean `x`?)` for the closest of `known`, or nothing.
pub fn closest(name: &str, known: &[&str]) -> String {
    known
        .iter()
        .map(|candidate| (strsim::damerau_levenshtein(name, candidate), *candidate))
        .filter(|(distance, candidate)| *distance <= 2.max(candidate.len() / 4))
        .min()
        .map(|(_, candidate)| format!(" (did you mean `{candidate}`?)"))
        .unwrap_or_default()
}
