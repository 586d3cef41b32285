use super::*;
use crate::source::Database;

fn interface(text: &str) -> FileInterface {
    let db = Database::default();
    let file = TerraformFile::new(&db, "m/variables.tf".to_string(), Ok(text.to_string()));
    file_interface(&db, file).clone()
}

#[test]
fn variables_and_outputs_are_read_with_types_defaults_and_docs() {
    let found = interface(
        r#"
        variable "name" {
          description = "The name."
          type        = string
        }
        variable "sizes" {
          type    = list(number)
          default = []
        }
        variable "settings" {
          type = object({ tier = string, replicas = optional(number, 1) })
        }
        variable "untyped" {}
        output "endpoint" { value = "x" }
        resource "null_resource" "x" {}
        "#,
    )
    .expect("valid HCL");
    let names: Vec<(&str, String, bool)> = found
        .variables
        .iter()
        .map(|v| (v.name.as_str(), v.ty.to_string(), v.required))
        .collect();
    assert_eq!(
        names,
        vec![
            ("name", "string".to_string(), true),
            ("sizes", "list(number)".to_string(), false),
            (
                "settings",
                "object({ replicas = optional(number), tier = string })".to_string(),
                true
            ),
            ("untyped", "any".to_string(), true),
        ]
    );
    assert_eq!(found.variables[0].doc.as_deref(), Some("The name."));
    assert_eq!(found.outputs.len(), 1);
}

#[test]
fn hostile_text_is_an_error_not_a_panic() {
    let deep = format!(
        "variable \"x\" {{ type = {}string{} }}",
        "list(".repeat(5000),
        ")".repeat(5000)
    );
    // Nesting past the parser's limit is refused; whatever is accepted is bounded.
    if let Ok(found) = interface(&deep) {
        assert_eq!(found.variables.len(), 1);
    }
    let nested_blocks = "a {\n".repeat(10_000);
    assert!(interface(&nested_blocks).is_err());
    let error = interface("variable \"x\" {").expect_err("unterminated block");
    assert!(error.starts_with("line 1, column"), "{error}");
}

#[test]
fn local_sources_resolve_against_the_file_and_stay_in_the_project() {
    use path::{LocalSource, resolve};
    assert_eq!(
        resolve("platform/search.plat", "./modules/search"),
        Some(LocalSource::Inside("platform/modules/search".to_string()))
    );
    assert_eq!(
        resolve("platform/search.plat", "../modules/x/"),
        Some(LocalSource::Inside("modules/x".to_string()))
    );
    assert_eq!(resolve("a.plat", "../x"), Some(LocalSource::Outside));
    assert_eq!(resolve("a.plat", "terraform-aws-modules/rds/aws"), None);
    assert!(path::is_directly_in("m/main.tf", "m"));
    assert!(!path::is_directly_in("m/sub/main.tf", "m"));
}

#[test]
fn type_texts_read_back_as_the_same_type() {
    for text in [
        "string",
        "list(number)",
        "map(object({ name = string, size = optional(number, 1) }))",
        "tuple([string, bool])",
    ] {
        let expr: hcl::Expression = text.parse().expect("a type expression");
        assert_eq!(types::expression_text(&expr), text);
        assert_eq!(TfType::from_text(text), TfType::from_expression(&expr));
    }
    assert_eq!(TfType::from_text("list("), TfType::Any);
}
