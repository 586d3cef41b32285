//! Implementations checked against Terraform modules kept in the project, on projects
//! held in memory with their `.tf` files (what `project::load` reads from disk).

use plat_compiler::check::check_project;
use plat_compiler::diagnostic::{Code, Diagnostic};
use plat_compiler::project::from_texts;
use plat_compiler::source::{Database, Db, ModuleLockFile, Origin, Project, TerraformFile};
use plat_compiler::terraform::lock::LOCK_FILE;

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
    own(&db, check_project(&db, project))
}

/// The diagnostics about the project's own files: the standard library's are held
/// to account by its own tests (`stdlib.rs`).
fn own(db: &dyn Db, diagnostics: &[Diagnostic]) -> Vec<Diagnostic> {
    diagnostics
        .iter()
        .filter(|diagnostic| {
            diagnostic
                .primary
                .as_ref()
                .is_none_or(|label| label.file.origin(db) == Origin::Project)
        })
        .cloned()
        .collect()
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
fn local_modules_of_projects_without_terraform_files_are_not_checked() {
    let db = Database::default();
    let text = offering("./modules/archive", "nope = 1", "module.x");
    let project = from_texts(&db, &[("archive.plat".to_string(), text)]);
    assert_eq!(codes(&own(&db, check_project(&db, project))), vec![]);
}

/// An offering whose `aws` implementation calls `source` at `version` (a line such as
/// `version = "1.8.0"`, or nothing).
fn registry_offering(source: &str, version: &str, inputs: &str, output: &str) -> String {
    format!(
        "offering cache {{\n  version = \"1.0.0\"\n  output port: int\n  implementation aws: terraform {{\n    source = \"{source}\"\n    {version}\n    inputs = {{ {inputs} }}\n    outputs = {{ port = {output} }}\n  }}\n}}\n"
    )
}

/// The ElastiCache inputs the standard library sets, which every version requires.
const ELASTICACHE_INPUTS: &str = "replication_group_id = self.name";

/// A project read from a directory: `platform/cache.plat` and, if given, the text of
/// its `plat.modules.lock.json`.
fn project_with_lock(db: &dyn Db, plat: String, lock: Option<&str>) -> Project {
    let base = from_texts(db, &[("platform/cache.plat".to_string(), plat)]);
    let lock = ModuleLockFile::new(
        db,
        LOCK_FILE.to_string(),
        lock.map(|text| Ok(text.to_string())),
    );
    Project::builder(base.files(db).clone(), vec![])
        .terraform_files(Some(vec![]))
        .module_lock(Some(lock))
        .new(db)
}

fn check_registry(plat: String, lock: Option<&str>) -> Vec<Diagnostic> {
    let db = Database::default();
    let project = project_with_lock(&db, plat, lock);
    own(&db, check_project(&db, project))
}

fn helps(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .filter_map(|diagnostic| diagnostic.help.clone())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_misspelt_registry_module_output_is_an_error_with_a_suggestion() {
    let found = check_registry(
        registry_offering(
            "terraform-aws-modules/elasticache/aws",
            "version = \"1.8.0\"",
            ELASTICACHE_INPUTS,
            "module.replication_group_prot",
        ),
        None,
    );
    assert_eq!(codes(&found), vec![Code::UnknownModuleOutput]);
    assert_eq!(
        found[0].help.as_deref(),
        Some("did you mean `replication_group_port`?")
    );
    assert_eq!(
        found[0]
            .primary
            .as_ref()
            .and_then(|label| label.message.clone()),
        Some(
            "`terraform-aws-modules/elasticache/aws` 1.8.0 has no output `replication_group_prot`"
                .to_string()
        )
    );
}

#[test]
fn a_misspelt_registry_module_input_is_an_error_with_a_suggestion() {
    let found = check_registry(
        registry_offering(
            "terraform-aws-modules/elasticache/aws",
            "version = \"1.8.0\"",
            "replication_group_idd = self.name",
            "module.replication_group_port",
        ),
        None,
    );
    assert_eq!(codes(&found), vec![Code::UnknownModuleInput]);
    assert!(
        helps(&found).starts_with("did you mean `replication_group_id`?"),
        "{}",
        helps(&found)
    );
}

#[test]
fn an_output_that_the_pinned_version_lacks_is_an_error_that_names_the_version_that_has_it() {
    let found = check_registry(
        registry_offering(
            "terraform-aws-modules/elasticache/aws",
            "version = \"1.4.1\"",
            ELASTICACHE_INPUTS,
            "module.replication_group_port",
        ),
        None,
    );
    assert_eq!(codes(&found), vec![Code::UnknownModuleOutput]);
    assert!(
        helps(&found).starts_with(
            "`replication_group_port` is an output from version `1.8.0` on: pin that version or a later one"
        ),
        "{}",
        helps(&found)
    );
}

#[test]
fn registry_values_are_checked_against_the_variables_types() {
    let found = check_registry(
        registry_offering(
            "terraform-aws-modules/elasticache/aws",
            "version = \"1.8.0\"",
            "replication_group_id = self.name, num_cache_clusters = \"three\"",
            "module.replication_group_port",
        ),
        None,
    );
    assert_eq!(codes(&found), vec![Code::ModuleInputTypeMismatch]);
}

/// A project lock that records `acme/valkey/aws` 2.1.0.
const VALKEY_LOCK: &str = r#"{
  "format": 1,
  "modules": [
    {
      "source": "acme/valkey/aws",
      "version": "2.1.0",
      "variables": {
        "name": {"type":"string","required":true},
        "nodes": {"type":"number","default":1}
      },
      "outputs": {
        "port": {}
      }
    }
  ]
}
"#;

#[test]
fn the_projects_lock_records_its_own_registry_modules() {
    let valkey = |inputs: &str, output: &str| {
        registry_offering("acme/valkey/aws", "version = \"2.1.0\"", inputs, output)
    };
    assert_eq!(
        codes(&check_registry(
            valkey("name = self.name", "module.port"),
            Some(VALKEY_LOCK)
        )),
        vec![]
    );
    assert_eq!(
        codes(&check_registry(
            valkey("nodes = 2", "module.port"),
            Some(VALKEY_LOCK)
        )),
        vec![Code::MissingModuleVariable]
    );
    // Without the lock, the module is unknown: an error that says how to record it.
    let unknown = check_registry(valkey("name = self.name", "module.port"), None);
    assert_eq!(codes(&unknown), vec![Code::UnknownModuleInterface]);
    assert!(
        helps(&unknown).contains("plat modules lock <project> --from DIR"),
        "{}",
        helps(&unknown)
    );
    // Another version than the lock records: the recorded ones are named.
    let other = check_registry(
        registry_offering(
            "acme/valkey/aws",
            "version = \"2.2.0\"",
            "name = self.name",
            "module.port",
        ),
        Some(VALKEY_LOCK),
    );
    assert_eq!(codes(&other), vec![Code::UnknownModuleInterface]);
    assert!(
        helps(&other).starts_with("the recorded versions are `2.1.0`"),
        "{}",
        helps(&other)
    );
}

#[test]
fn a_registry_module_must_be_pinned_to_one_release() {
    for version in [
        "",
        "version = \"~> 1.8\"",
        "version = \">= 1.8.0\"",
        "version = \"${env.name}\"",
    ] {
        let found = check_registry(
            registry_offering(
                "terraform-aws-modules/elasticache/aws",
                version,
                ELASTICACHE_INPUTS,
                "module.replication_group_port",
            ),
            None,
        );
        assert_eq!(
            codes(&found),
            vec![Code::UnknownModuleInterface],
            "{version}"
        );
    }
}

#[test]
fn git_modules_are_checked_against_the_lock_too() {
    let source = "git::https://example.com/acme/valkey.git?ref=v2.1.0";
    let lock = VALKEY_LOCK
        .replace("\"acme/valkey/aws\"", &format!("\"{source}\""))
        .replace("      \"version\": \"2.1.0\",\n", "");
    assert_eq!(
        codes(&check_registry(
            registry_offering(source, "", "name = self.name", "module.prot"),
            Some(&lock)
        )),
        vec![Code::UnknownModuleOutput]
    );
}

#[test]
fn a_broken_lock_is_reported_once_and_its_modules_are_not_checked() {
    let found = check_registry(
        registry_offering("acme/valkey/aws", "version = \"2.1.0\"", "", "module.x"),
        Some("{ \"format\": 1, \"modules\": [ { \"source\": 1 } ] }"),
    );
    assert_eq!(codes(&found), vec![Code::InvalidModuleLock]);
    assert_eq!(found[0].subject.as_deref(), Some(LOCK_FILE));
    assert!(
        found[0].message.contains("line 1, column"),
        "{}",
        found[0].message
    );
}

#[test]
fn in_memory_projects_check_registry_modules_the_standard_library_knows() {
    let db = Database::default();
    let known = registry_offering(
        "terraform-aws-modules/elasticache/aws",
        "version = \"1.8.0\"",
        ELASTICACHE_INPUTS,
        "module.replication_group_prot",
    );
    let project = from_texts(&db, &[("cache.plat".to_string(), known)]);
    assert_eq!(
        codes(&own(&db, check_project(&db, project))),
        vec![Code::UnknownModuleOutput]
    );
    // A module no lock in memory records is not judged: the project's lock was not read.
    let unknown = registry_offering("acme/valkey/aws", "version = \"2.1.0\"", "", "module.x");
    let project = from_texts(&db, &[("cache.plat".to_string(), unknown)]);
    assert_eq!(codes(&own(&db, check_project(&db, project))), vec![]);
}
