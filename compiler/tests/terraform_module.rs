//! Implementations checked against Terraform modules kept in the project, on projects
//! held in memory with their `.tf` files (what `project::load` reads from disk).

use plat_compiler::check::check_project;
use plat_compiler::diagnostic::{Code, Diagnostic};
use plat_compiler::project::from_texts;
use plat_compiler::source::{Database, Db, Project, TerraformFile};

const VARIABLES: &str = r#"
variable "bucket_name" { type = string }
variable "retention_days" {
  type    = number
  default = 365
}
variable "tags" {
  type    = map(string)
  default = {}
}
"#;

const OUTPUTS: &str = r#"output "bucket_arn" { value = "arn" }"#;

fn offering(source: &str, inputs: &str, output: &str) -> String {
    format!(
        "offering archive {{\n  version = \"1.0.0\"\n  output arn: string\n  implementation aws: terraform {{\n    source = \"{source}\"\n    inputs = {{ {inputs} }}\n    outputs = {{ arn = {output} }}\n  }}\n}}\n"
    )
}

/// A project with `platform/archive.plat` and the module in `platform/modules/archive`.
fn project(db: &dyn Db, plat: String, variables: &str) -> Project {
    let base = from_texts(db, &[("platform/archive.plat".to_string(), plat)]);
    let tf =
        |path: &str, text: &str| TerraformFile::new(db, path.to_string(), Ok(text.to_string()));
    Project::builder(base.files(db).clone(), vec![])
        .terraform_files(Some(vec![
            tf("platform/modules/archive/outputs.tf", OUTPUTS),
            tf("platform/modules/archive/variables.tf", variables),
        ]))
        .new(db)
}

fn check(source: &str, inputs: &str, output: &str) -> Vec<Diagnostic> {
    check_with(source, inputs, output, VARIABLES)
}

fn check_with(source: &str, inputs: &str, output: &str, variables: &str) -> Vec<Diagnostic> {
    let db = Database::default();
    let project = project(&db, offering(source, inputs, output), variables);
    check_project(&db, project).clone()
}

fn codes(diagnostics: &[Diagnostic]) -> Vec<Code> {
    diagnostics
        .iter()
        .map(|diagnostic| diagnostic.code)
        .collect()
}

#[test]
fn a_call_that_fits_the_module_checks_clean() {
    let found = check(
        "./modules/archive",
        "bucket_name = \"a\", tags = { team = \"x\" }",
        "module.bucket_arn",
    );
    assert_eq!(codes(&found), vec![]);
}

#[test]
fn a_misspelled_variable_is_caught_with_the_variable_list_in_the_help() {
    let found = check(
        "./modules/archive",
        "bucket_name = \"a\", retention_dyas = 9",
        "module.bucket_arn",
    );
    assert_eq!(codes(&found), vec![Code::UnknownModuleInput]);
    let help = found[0].help.as_deref().unwrap_or_default();
    assert!(help.contains("did you mean `retention_days`?"), "{help}");
    assert!(
        help.contains("`bucket_name`, `retention_days` and `tags`"),
        "{help}"
    );
}

#[test]
fn a_missing_required_variable_is_caught_and_named() {
    let found = check(
        "./modules/archive",
        "retention_days = 9",
        "module.bucket_arn",
    );
    assert_eq!(codes(&found), vec![Code::MissingModuleVariable]);
    assert!(found[0].message.contains("`bucket_name`"));
    assert!(
        found[0]
            .help
            .as_deref()
            .unwrap_or_default()
            .contains("bucket_name = ...")
    );
}

#[test]
fn literal_inputs_are_checked_against_declared_types_as_terraform_converts() {
    let mismatch = |inputs: &str| codes(&check("./modules/archive", inputs, "module.bucket_arn"));
    assert_eq!(
        mismatch("bucket_name = \"a\", retention_days = \"x\""),
        vec![Code::ModuleInputTypeMismatch]
    );
    assert_eq!(
        mismatch("bucket_name = \"a\", tags = [\"x\"]"),
        vec![Code::ModuleInputTypeMismatch]
    );
    assert_eq!(
        mismatch("bucket_name = [\"a\"]"),
        vec![Code::ModuleInputTypeMismatch]
    );
    // Terraform converts these, and values known later are not judged.
    assert_eq!(
        mismatch("bucket_name = 42, retention_days = \"30\""),
        vec![]
    );
    assert_eq!(
        mismatch("bucket_name = self.name, retention_days = env.name"),
        vec![]
    );
}

#[test]
fn unknown_outputs_missing_modules_and_broken_files_are_reported() {
    let output = check(
        "./modules/archive",
        "bucket_name = \"a\"",
        "\"${module.bucket_ar}\"",
    );
    assert_eq!(codes(&output), vec![Code::UnknownModuleOutput]);
    assert_eq!(
        output[0].help.as_deref(),
        Some("did you mean `bucket_arn`?")
    );
    for source in ["./modules/other", "../../outside"] {
        assert_eq!(
            codes(&check(source, "", "module.x")),
            vec![Code::InvalidModule],
            "{source}"
        );
    }
    let broken = check_with("./modules/archive", "", "module.x", "variable \"x\" {");
    assert_eq!(codes(&broken), vec![Code::InvalidModule]);
}

#[test]
fn registry_modules_and_projects_without_terraform_files_are_not_checked() {
    assert_eq!(
        codes(&check(
            "terraform-aws-modules/s3-bucket/aws",
            "nope = 1",
            "module.x"
        )),
        vec![]
    );
    let db = Database::default();
    let text = offering("./modules/archive", "nope = 1", "module.x");
    let project = from_texts(&db, &[("archive.plat".to_string(), text)]);
    assert_eq!(codes(check_project(&db, project)), vec![]);
}
