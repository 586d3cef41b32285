//! The references in Terraform's JSON syntax: every string is a template whose
//! `${...}` interpolations are expressions; each traversal in them
//! (`module.cache.port`, `kubernetes_persistent_volume_v1.data.metadata[0].name`) is a
//! reference, read with the `hcl-rs` parser.

use hcl::expr::{Expression, TraversalOperator};
use hcl::template::{Directive, Element, Template};
use serde_json::Value as Json;

/// One step of a reference after its root name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Attr(String),
    /// `[0]`, `["key"]`, or a splat: a step into a collection.
    Index,
}

/// A reference: `module.cache.port` is root `module`, steps `cache`, `port`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub root: String,
    pub steps: Vec<Step>,
    /// The expression as written, for messages.
    pub text: String,
}

impl Reference {
    /// The names of the first `count` steps, when they are all attributes.
    pub fn names(&self, count: usize) -> Option<Vec<&str>> {
        let names: Vec<&str> = self
            .steps
            .iter()
            .take(count)
            .map_while(|step| match step {
                Step::Attr(name) => Some(name.as_str()),
                Step::Index => None,
            })
            .collect();
        (names.len() == count).then_some(names)
    }
}

/// Every reference in `value` (strings, and the values of arrays and objects), with
/// where it is: `data.REDIS_URL`.
pub fn references(
    value: &Json,
    at: &str,
    found: &mut Vec<(String, Reference)>,
) -> Result<(), String> {
    match value {
        Json::String(text) => {
            for reference in template_references(text).map_err(|error| format!("{at}: {error}"))? {
                found.push((at.to_string(), reference));
            }
        }
        Json::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                references(item, &format!("{at}[{index}]"), found)?;
            }
        }
        Json::Object(entries) => {
            for (key, item) in entries {
                let at = if at.is_empty() {
                    key.clone()
                } else {
                    format!("{at}.{key}")
                };
                references(item, &at, found)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// The references in one template string.
pub fn template_references(text: &str) -> Result<Vec<Reference>, String> {
    if !text.contains("${") && !text.contains("%{") {
        return Ok(Vec::new());
    }
    let template: Template = text
        .parse()
        .map_err(|error| format!("`{text}` is not a valid template: {error}"))?;
    let mut found = Vec::new();
    in_template(&template, &mut found);
    Ok(found)
}

fn in_template(template: &Template, found: &mut Vec<Reference>) {
    for element in template.elements() {
        match element {
            Element::Literal(_) => {}
            Element::Interpolation(interpolation) => in_expression(&interpolation.expr, found),
            Element::Directive(directive) => match directive.as_ref() {
                Directive::If(directive) => {
                    in_expression(&directive.cond_expr, found);
                    in_template(&directive.true_template, found);
                    if let Some(template) = &directive.false_template {
                        in_template(template, found);
                    }
                }
                Directive::For(directive) => {
                    in_expression(&directive.collection_expr, found);
                    in_template(&directive.template, found);
                }
            },
        }
    }
}

fn in_expression(expr: &Expression, found: &mut Vec<Reference>) {
    match expr {
        Expression::Variable(name) => found.push(Reference {
            root: name.to_string(),
            steps: Vec::new(),
            text: name.to_string(),
        }),
        Expression::Traversal(traversal) => {
            let Expression::Variable(root) = &traversal.expr else {
                in_expression(&traversal.expr, found);
                return;
            };
            let mut text = root.to_string();
            let mut steps = Vec::new();
            for operator in &traversal.operators {
                match operator {
                    TraversalOperator::GetAttr(name) => {
                        text.push('.');
                        text.push_str(name.as_str());
                        steps.push(Step::Attr(name.to_string()));
                    }
                    TraversalOperator::Index(index) => {
                        in_expression(index, found);
                        text.push_str("[..]");
                        steps.push(Step::Index);
                    }
                    TraversalOperator::LegacyIndex(_)
                    | TraversalOperator::AttrSplat
                    | TraversalOperator::FullSplat => {
                        text.push_str("[..]");
                        steps.push(Step::Index);
                    }
                }
            }
            found.push(Reference {
                root: root.to_string(),
                steps,
                text,
            });
        }
        Expression::Array(items) => items.iter().for_each(|item| in_expression(item, found)),
        Expression::Object(entries) => {
            for (key, value) in entries {
                if let hcl::ObjectKey::Expression(key) = key {
                    in_expression(key, found);
                }
                in_expression(value, found);
            }
        }
        Expression::TemplateExpr(template) => {
            if let Ok(template) = Template::from_expr(template) {
                in_template(&template, found);
            }
        }
        Expression::FuncCall(call) => call.args.iter().for_each(|arg| in_expression(arg, found)),
        Expression::Parenthesis(inner) => in_expression(inner, found),
        Expression::Conditional(conditional) => {
            in_expression(&conditional.cond_expr, found);
            in_expression(&conditional.true_expr, found);
            in_expression(&conditional.false_expr, found);
        }
        Expression::Operation(operation) => match operation.as_ref() {
            hcl::expr::Operation::Unary(unary) => in_expression(&unary.expr, found),
            hcl::expr::Operation::Binary(binary) => {
                in_expression(&binary.lhs_expr, found);
                in_expression(&binary.rhs_expr, found);
            }
        },
        Expression::ForExpr(for_expr) => {
            // The loop's own names are not references.
            let own = [
                Some(for_expr.value_var.to_string()),
                for_expr.key_var.as_ref().map(ToString::to_string),
            ];
            let mut inner = Vec::new();
            in_expression(&for_expr.collection_expr, found);
            if let Some(key) = &for_expr.key_expr {
                in_expression(key, &mut inner);
            }
            in_expression(&for_expr.value_expr, &mut inner);
            if let Some(condition) = &for_expr.cond_expr {
                in_expression(condition, &mut inner);
            }
            found.extend(
                inner
                    .into_iter()
                    .filter(|reference| !own.iter().flatten().any(|name| *name == reference.root)),
            );
        }
        _ => {}
    }
}

#[test]
fn references_are_read_from_templates() {
    let found = template_references(
        "rediss://${module.cache.host}:${module.cache.port} ${kubernetes_persistent_volume_v1.data.metadata[0].name} $${literal}",
    )
    .expect("a valid template");
    let texts: Vec<&str> = found
        .iter()
        .map(|reference| reference.text.as_str())
        .collect();
    assert_eq!(
        texts,
        vec![
            "module.cache.host",
            "module.cache.port",
            "kubernetes_persistent_volume_v1.data.metadata[..].name"
        ]
    );
    assert_eq!(found[2].names(2), Some(vec!["data", "metadata"]));
    let looped = template_references("${[for s in var.subnets : s.id]}").expect("valid");
    assert_eq!(looped.len(), 1);
    assert_eq!(looped[0].text, "var.subnets");
}
