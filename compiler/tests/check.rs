//! The checker (names and types) on whole projects: the language's examples check
//! clean, every rule fires where it should, with the labels and help the spec asks
//! for, and an edit re-checks only what depends on it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use plat_compiler::check::{
    check_project, check_rendering_each_environment, definitions, keep_only_what_a_build_reads,
};
use plat_compiler::diagnostic::{Code, Diagnostic};
use plat_compiler::names::TargetKind;
use plat_compiler::source::{Database, Db, Origin, Project, SourceFile};
use salsa::Setter;

/// A project of the given files, with the standard library.
fn project(db: &dyn Db, files: &[(&str, &str)]) -> (Project, Vec<SourceFile>) {
    let mut inputs: Vec<SourceFile> = files
        .iter()
        .map(|(path, text)| {
            SourceFile::new(db, path.to_string(), text.to_string(), Origin::Project)
        })
        .collect();
    let own = inputs.clone();
    for (path, text) in plat_compiler::stdlib::FILES {
        inputs.push(SourceFile::new(
            db,
            path.to_string(),
            text.to_string(),
            Origin::Std,
        ));
    }
    inputs.sort_by_key(|file| file.path(db).clone());
    (Project::new(db, inputs, vec![]), own)
}

fn check(files: &[(&str, &str)]) -> Vec<Diagnostic> {
    let db = Database::default();
    let (project, _) = project(&db, files);
    check_project(&db, project).clone()
}

fn check_one(text: &str) -> Vec<Diagnostic> {
    check(&[("main.plat", text)])
}

fn codes(diagnostics: &[Diagnostic]) -> Vec<Code> {
    diagnostics
        .iter()
        .map(|diagnostic| diagnostic.code)
        .collect()
}

/// The source text a label points at.
fn text_at<'a>(text: &'a str, diagnostic: &Diagnostic) -> &'a str {
    diagnostic
        .primary
        .as_ref()
        .and_then(|label| text.get(label.range.as_range()))
        .unwrap_or_default()
}

fn describe(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| format!("{} {} (help: {:?})", d.code, d.message, d.help))
        .collect::<Vec<_>>()
        .join("\n")
}

fn assert_clean(files: &[(&str, &str)]) {
    let diagnostics = check(files);
    assert!(
        diagnostics.is_empty(),
        "expected no diagnostics, got:\n{}",
        describe(&diagnostics)
    );
}

/// Expects exactly one diagnostic, of `code`, and returns it.
fn only(code: Code, text: &str) -> Diagnostic {
    let diagnostics = check_one(text);
    assert_eq!(
        codes(&diagnostics),
        vec![code],
        "{}",
        describe(&diagnostics)
    );
    diagnostics.into_iter().next().expect("one diagnostic")
}

const DATABASE: &str = r#"
/// A database.
offering database {
  version = "1.0.0"
  /// The database name.
  param name: string matching "^[a-z_][a-z0-9_]*$"
  param size: "small" | "medium" | "large" = "small"
  output host: string
  output port: port
  output password: secret

  implementation local: kubernetes {
    param storage_class: string = "standard"
    image = "postgres:16"
    port = 5432
    access_mode = "ReadWriteMany"
    env = { POSTGRES_PASSWORD = self.generated_password }
    outputs = { host = "${self.name}", port = 5432, password = self.generated_password }
  }
  implementation rds: terraform {
    source = "terraform-aws-modules/rds/aws"
    version = "6.10.0"
    param instance_class: string = "db.t4g.micro"
    network: vpc {}
    inputs = { engine = "postgres", db_name = params.name, instance_class = params.instance_class,
               subnet_ids = network.private_subnets,
               identifier = self.name, manage_master_user_password = false,
               password = self.generated_password }
    outputs = { host = module.db_instance_address, port = module.db_instance_port,
                password = self.generated_password }
  }
  implementation external: existing {
    param host: string
    param password_ref: secret
    outputs = { host = params.host, port = 5432, password = params.password_ref }
  }
}

offering vpc {
  version = "0.3.1"
  output private_subnets: list<string>
  implementation aws: terraform {
    source = "terraform-aws-modules/vpc/aws"
    outputs = { private_subnets = module.private_subnets }
  }
}
"#;

/// The spec's examples, made concrete, check clean.
#[test]
fn the_spec_examples_check_clean() {
    let platform = r#"
environment production {
  namespace = "shop"
  cluster = "prod-eu-1"
  region = "eu-west-1"
  domain = "shop.example.com"
  policies = [min_replicas, pinned_images]
  backend s3 { bucket = "tf-state", key = "shop/production" }
  use database.rds { instance_class = "db.r6g.large" }
  use vpc.aws
  shared_db: database { name = "shop" }
}

environment development {
  namespace = "shop-dev"
  backend kubernetes {}
  use database.local
  shared_db: database { name = "shop" }
}

/// Production runs at least two replicas.
policy min_replicas {
  require workload.replicas >= 2 else "production workloads need at least two replicas"
}

policy pinned_images {
  require !("latest" in workload.image_tags) else "pin image tags"
  require env.region == "eu-west-1" || env.name != "production"
}

type size = "small" | "medium" | "large"
type probe_settings = { path: string, port: port = 8080, period?: duration }
"#;
    let workloads = r#"
workload api {
  replicas = 2
  calls = [payments, catalog]
  labels = { team = "checkout" }
  annotations = { "example.com/owner" = "checkout" }
  container main {
    image = "ghcr.io/acme/api:1.4.2"
    command = ["/app"]
    args = ["--port", "8080", "--name", "${self.name}", payments.url]
    env = {
      DATABASE_URL = "postgres://app:${db.password}@${db.host}:${db.port}/api"
      PAYMENTS = payments.url
      ENV = env.name
    }
    files = { "/etc/app/config.yaml" = "password: ${db.password}" }
    ports = { http = 8080 }
    cpu = 250m
    memory = 256Mi
    cpu_limit = 1
    memory_limit = 512Mi
    liveness = { path = "/healthz", port = 8080 }
    readiness = { path = "/ready", port = 8080, period = 5s }
    volumes = { "/data" = db }
  }
  db: database { name = "api", size = "medium" }
  shared: database { shared = shared_db }
  override production {
    replicas = 4
    container main { cpu = 1 }
  }
}

workload payments {
  replicas = 2
  container main { image = "ghcr.io/acme/payments:2.0.0" ports = { http = 8080 } }
}

workload catalog {
  replicas = 2
  container main { image = "ghcr.io/acme/catalog@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" }
}
"#;
    assert_clean(&[
        ("offerings.plat", DATABASE),
        ("platform.plat", platform),
        ("workloads.plat", workloads),
    ]);
}

/// The standard library and the examples shipped with plat check clean.
#[test]
fn the_standard_library_and_the_examples_check_clean() {
    assert_clean(&[]);
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let Ok(entries) = std::fs::read_dir(&examples) else {
        return;
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let mut files = Vec::new();
        collect_plat(&dir, &dir, &mut files);
        let borrowed: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        let diagnostics = check(&borrowed);
        assert!(
            diagnostics.is_empty(),
            "{}:\n{}",
            dir.display(),
            describe(&diagnostics)
        );
    }
}

fn collect_plat(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect_plat(&path, root, out);
        } else if path.extension().is_some_and(|ext| ext == "plat")
            && let (Ok(text), Ok(relative)) =
                (std::fs::read_to_string(&path), path.strip_prefix(root))
        {
            out.push((relative.display().to_string(), text));
        }
    }
}

/// The codes of the names and types layers.
fn checker_codes() -> Vec<Code> {
    Code::ALL
        .iter()
        .copied()
        .filter(|code| {
            let text = code.as_str();
            text.starts_with("E02")
                || text.starts_with("W02")
                || text.starts_with("E03")
                || text.starts_with("E04")
        })
        .collect()
}

/// Each fixture of a checker code reports that code, and only that code.
#[test]
fn every_checker_fixture_reports_its_code_only() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/diagnostics");
    for code in checker_codes() {
        let mut found = false;
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("the fixtures directory exists")
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .collect();
        entries.sort();
        for path in entries {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            if !name.starts_with(&format!("{}-", code.as_str())) {
                continue;
            }
            found = true;
            let mut files = Vec::new();
            if path.is_dir() {
                collect_plat(&path, &path, &mut files);
            } else {
                files.push((
                    name.clone(),
                    std::fs::read_to_string(&path).expect("readable fixture"),
                ));
            }
            let borrowed: Vec<(&str, &str)> = files
                .iter()
                .map(|(p, t)| (p.as_str(), t.as_str()))
                .collect();
            let diagnostics = check(&borrowed);
            assert!(!diagnostics.is_empty(), "{name} reports nothing");
            assert!(
                diagnostics.iter().all(|d| d.code == code),
                "{name} should report only {code}:\n{}",
                describe(&diagnostics)
            );
        }
        assert!(found, "no fixture for {code}");
    }
}

/// The `plat` blocks of a Markdown section.
fn plat_blocks(markdown: &str, section: &str) -> Vec<String> {
    let Some(body) = markdown.split(section).nth(1) else {
        return Vec::new();
    };
    let body = body.split("\n## ").next().unwrap_or(body);
    body.split("```plat\n")
        .skip(1)
        .filter_map(|block| block.split("```").next().map(str::to_string))
        .collect()
}

/// Each explanation's example triggers its code, and its fix checks clean.
#[test]
fn every_checker_explanation_example_fails_and_its_fix_passes() {
    for code in checker_codes() {
        let text = code.explanation();
        let examples = plat_blocks(text, "## Example");
        let fixes = plat_blocks(text, "## Fix");
        assert!(
            !examples.is_empty() && !fixes.is_empty(),
            "{code} needs an example and a fix"
        );
        for example in &examples {
            let diagnostics = check_one(example);
            assert!(
                diagnostics.iter().any(|d| d.code == code),
                "the example of {code} does not report it:\n{}",
                describe(&diagnostics)
            );
        }
        for fix in &fixes {
            let diagnostics = check_one(fix);
            assert!(
                diagnostics.is_empty(),
                "the fix of {code} is not clean:\n{}",
                describe(&diagnostics)
            );
        }
    }
}

#[test]
fn an_unknown_output_suggests_the_close_one() {
    let text = format!(
        "{DATABASE}\nworkload api {{\n  container main {{ image = \"nginx:1.25\" env = {{ H = db.hots }} }}\n  db: database {{ name = \"api\" }}\n}}\n"
    );
    let diagnostic = only(Code::UnknownOutput, &text);
    assert_eq!(diagnostic.message, "unknown output `hots`");
    assert_eq!(diagnostic.help.as_deref(), Some("did you mean `host`?"));
    assert_eq!(text_at(&text, &diagnostic), "hots");
}

#[test]
fn a_secret_in_a_label_points_at_the_value_and_at_its_origin() {
    let text = format!(
        "{DATABASE}\nworkload api {{\n  labels = {{ team = \"pw-${{db.password}}\" }}\n  container main {{ image = \"nginx:1.25\" }}\n  db: database {{ name = \"api\" }}\n}}\n"
    );
    let diagnostic = only(Code::SecretLeak, &text);
    assert_eq!(text_at(&text, &diagnostic), "\"pw-${db.password}\"");
    assert_eq!(
        diagnostic
            .primary
            .as_ref()
            .and_then(|label| label.message.as_deref()),
        Some("this value is secret")
    );
    let origin = diagnostic
        .secondary
        .iter()
        .find(|label| label.message.as_deref() == Some("secret because of this"))
        .expect("a label at the origin");
    assert_eq!(text.get(origin.range.as_range()), Some("db.password"));
    assert!(
        diagnostic
            .secondary
            .iter()
            .any(|label| text.get(label.range.as_range()) == Some("password")),
        "a label at the output declaration"
    );
}

#[test]
fn secrets_may_flow_into_env_files_and_terraform_inputs() {
    let text = format!(
        "{DATABASE}\nworkload api {{\n  container main {{\n    image = \"nginx:1.25\"\n    env = {{ P = db.password, U = \"x${{db.password}}\" }}\n    files = {{ \"/p\" = [db.password] == [] }}\n  }}\n  db: database {{ name = \"api\" }}\n}}\n"
    );
    let diagnostics = check_one(&text);
    // `files` takes strings: the comparison is a type error, not a leak.
    assert_eq!(
        codes(&diagnostics),
        vec![Code::TypeMismatch],
        "{}",
        describe(&diagnostics)
    );
}

#[test]
fn a_secret_built_into_a_list_or_a_branch_stays_secret() {
    let text = format!(
        "{DATABASE}\nworkload api {{\n  container main {{\n    image = \"nginx:1.25\"\n    args = [if true then db.password else \"x\"]\n    command = [\"a\", match db.password {{ \"x\" => \"y\", _ => \"z\" }}]\n  }}\n  db: database {{ name = \"api\" }}\n}}\n"
    );
    let diagnostics = check_one(&text);
    assert_eq!(
        codes(&diagnostics),
        vec![Code::SecretLeak, Code::SecretLeak],
        "{}",
        describe(&diagnostics)
    );
}

#[test]
fn a_provision_time_value_where_compile_time_is_needed() {
    let text = format!(
        "{DATABASE}\nenvironment prod {{ namespace = \"p\" use database.rds use vpc.aws }}\nworkload api {{\n  container main {{ image = \"nginx:1.25\" args = [db.host] }}\n  db: database {{ name = \"api\" }}\n}}\n"
    );
    let diagnostic = only(Code::ProvisionTimeValue, &text);
    assert_eq!(text_at(&text, &diagnostic), "db.host");
    assert!(
        diagnostic
            .secondary
            .iter()
            .any(|label| text.get(label.range.as_range()) == Some("db.host"))
    );
}

#[test]
fn outputs_of_compile_time_implementations_are_compile_time() {
    let text = r#"
offering queue {
  version = "1.0.0"
  output url: string
  implementation local: kubernetes {
    image = "rabbitmq:3"
    outputs = { url = "amqp://${self.name}:5672" }
  }
}
workload api {
  container main { image = "nginx:1.25" args = [q.url] }
  q: queue {}
}
"#;
    assert_clean(&[("main.plat", text)]);
}

#[test]
fn provision_time_follows_instances_through_other_offerings() {
    let text = r#"
offering inner {
  version = "1.0.0"
  output id: string
  implementation tf: terraform { source = "x" outputs = { id = module.id } }
}
offering outer {
  version = "1.0.0"
  output id: string
  implementation k: kubernetes {
    image = "busybox:1"
    needs: inner {}
    outputs = { id = needs.id }
  }
}
offering loop_a {
  version = "1.0.0"
  output id: string
  implementation k: kubernetes { image = "busybox:1" b: loop_b {} outputs = { id = b.id } }
}
offering loop_b {
  version = "1.0.0"
  output id: string
  implementation k: kubernetes { image = "busybox:1" a: loop_a {} outputs = { id = a.id } }
}
workload api {
  container main { image = "nginx:1.25" args = [o.id, l.id] }
  o: outer {}
  l: loop_a {}
}
"#;
    let diagnostics = check_one(text);
    assert_eq!(
        codes(&diagnostics),
        vec![Code::ProvisionTimeValue],
        "{}",
        describe(&diagnostics)
    );
}

#[test]
fn a_secret_literal_is_refused() {
    let text = format!(
        "{DATABASE}\nenvironment e {{ namespace = \"e\" use database.external {{ host = \"h\", password_ref = \"hunter2\" }} }}\n"
    );
    let diagnostic = only(Code::SecretLiteral, &text);
    assert_eq!(text_at(&text, &diagnostic), "\"hunter2\"");
}

#[test]
fn a_plain_reference_is_not_a_secret() {
    let text = format!(
        "{DATABASE}\nenvironment e {{ namespace = \"e\" use database.external {{ host = \"h\", password_ref = env.name }} }}\n"
    );
    let diagnostic = only(Code::TypeMismatch, &text);
    assert!(
        diagnostic.message.contains("expected `secret`"),
        "{}",
        diagnostic.message
    );
}

#[test]
fn duplicates_across_files_point_at_both() {
    let db = Database::default();
    let a = "workload api {\n  container main { image = \"nginx:1.25\" }\n}\n";
    let b = "\npolicy api {}\n";
    let (project, files) = project(&db, &[("a.plat", a), ("b.plat", b)]);
    let diagnostics = check_project(&db, project);
    assert_eq!(
        codes(diagnostics),
        vec![Code::DuplicateDeclaration],
        "{}",
        describe(diagnostics)
    );
    let diagnostic = &diagnostics[0];
    let primary = diagnostic.primary.as_ref().expect("a primary label");
    assert_eq!(primary.file, files[1]);
    assert_eq!(b.get(primary.range.as_range()), Some("api"));
    let first = diagnostic
        .secondary
        .first()
        .expect("a label at the first declaration");
    assert_eq!(first.file, files[0]);
    assert_eq!(a.get(first.range.as_range()), Some("api"));
}

#[test]
fn the_standard_library_is_reached_only_through_imports() {
    let without = "workload api {\n  container main { image = \"nginx:1.25\" }\n  db: postgres { database = \"api\" }\n}\n";
    let diagnostic = only(Code::UnknownName, without);
    assert_eq!(
        diagnostic.help.as_deref(),
        Some("the standard library has it: add `import std.postgres`")
    );
    for import in [
        "import std.postgres",
        "import std.{postgres}",
        "import std.{postgres, redis}\nworkload w { container c { image = \"a:1\" } r: redis {} }",
    ] {
        let text = format!("{import}\n{without}");
        assert_clean(&[("main.plat", &text)]);
    }
    let aliased = "import std.postgres as pg\nworkload api {\n  container main { image = \"nginx:1.25\" }\n  db: pg { database = \"api\" }\n}\n";
    assert_clean(&[("main.plat", aliased)]);
    // Imports are per file.
    let other = "workload other {\n  container main { image = \"nginx:1.25\" }\n  db: postgres { database = \"x\" }\n}\n";
    let diagnostics = check(&[
        ("a.plat", &format!("import std.postgres\n{without}")),
        ("b.plat", other),
    ]);
    assert_eq!(
        codes(&diagnostics),
        vec![Code::UnknownName],
        "{}",
        describe(&diagnostics)
    );
}

#[test]
fn import_problems() {
    let diagnostic = only(Code::UnknownImport, "import std.postgress\n");
    assert_eq!(diagnostic.help.as_deref(), Some("did you mean `postgres`?"));
    only(Code::UnknownImport, "import lib.postgres\n");
    only(Code::UnknownImport, "import std\n");
    let clash = check_one("import std.postgres\noffering postgres { version = \"1.0.0\" }\n");
    assert!(
        codes(&clash).contains(&Code::DuplicateDeclaration),
        "{}",
        describe(&clash)
    );
    let unused = only(
        Code::UnusedImport,
        "import std.{postgres, redis}\nworkload w { container c { image = \"a:1\" } db: postgres { database = \"d\" } }\n",
    );
    assert_eq!(unused.message, "unused import `redis`");
    assert!(!unused.is_error());
}

#[test]
fn names_of_the_wrong_kind() {
    let text = "environment prod { namespace = \"p\" }\nworkload api {\n  calls = [prod]\n  container main { image = \"nginx:1.25\" }\n}\n";
    let diagnostic = only(Code::WrongKindOfName, text);
    assert_eq!(
        diagnostic.message,
        "`prod` is an environment, not a workload"
    );
    let override_text = "workload other { container c { image = \"a:1\" } }\nworkload api {\n  container main { image = \"nginx:1.25\" }\n  override other {}\n}\n";
    only(Code::WrongKindOfName, override_text);
    let unknown_env = only(
        Code::UnknownEnvironment,
        "environment production { namespace = \"p\" }\nworkload api {\n  container main { image = \"nginx:1.25\" }\n  override prodution {}\n}\n",
    );
    assert_eq!(
        unknown_env.help.as_deref(),
        Some("did you mean `production`?")
    );
}

#[test]
fn bodies_follow_their_schemas() {
    let unknown_field = only(
        Code::UnknownField,
        "workload api {\n  replica = 2\n  container main { image = \"nginx:1.25\" }\n}\n",
    );
    assert_eq!(
        unknown_field.help.as_deref(),
        Some("did you mean `replicas`?")
    );
    let unknown_block = only(
        Code::UnknownBlock,
        "workload api {\n  container main { image = \"nginx:1.25\" }\n  contaner x {}\n}\n",
    );
    assert_eq!(
        unknown_block.help.as_deref(),
        Some("did you mean `container`?")
    );
    only(
        Code::InvalidMember,
        "environment e {\n  namespace = \"e\"\n  container main { image = \"nginx:1.25\" }\n}\n",
    );
    only(Code::InvalidMember, "policy p {\n  use x.y\n}\n");
    only(
        Code::DuplicateField,
        "workload api {\n  replicas = 1\n  replicas = 2\n  container main { image = \"nginx:1.25\" }\n}\n",
    );
    let missing = only(
        Code::MissingField,
        "workload api {\n  container main { cpu = 1 }\n}\n",
    );
    assert_eq!(missing.help.as_deref(), Some("add `image = ...`"));
    let no_container = only(Code::MissingField, "workload api {}\n");
    assert!(no_container.message.contains("no container"));
    let missing_param = only(
        Code::MissingField,
        &format!(
            "{DATABASE}\nworkload api {{\n  container main {{ image = \"nginx:1.25\" }}\n  db: database {{}}\n}}\n"
        ),
    );
    assert_eq!(missing_param.help.as_deref(), Some("add `name = ...`"));
}

#[test]
fn values_follow_their_types() {
    let w = |member: &str| {
        format!("workload api {{\n  container main {{ image = \"nginx:1.25\" {member} }}\n}}\n")
    };
    only(Code::InvalidQuantity, &w("cpu = 250x"));
    only(Code::InvalidQuantity, &w("memory = 512MB"));
    only(
        Code::InvalidQuantity,
        &w("liveness = { path = \"/\", port = 80, period = 10 }"),
    );
    only(Code::OutOfRange, &w("ports = { http = 0 }"));
    only(
        Code::InvalidImage,
        "workload api { container main { image = \"Nginx:latest\" } }\n",
    );
    let mismatch = only(Code::TypeMismatch, &w("ports = { http = \"8080\" }"));
    assert_eq!(
        mismatch.message,
        "type mismatch: expected `port`, found `string`"
    );
    only(
        Code::OutOfRange,
        "workload api {\n  replicas = 1001\n  container main { image = \"nginx:1.25\" }\n}\n",
    );
    only(
        Code::NotInEnum,
        &format!(
            "{DATABASE}\nworkload api {{\n  container main {{ image = \"nginx:1.25\" }}\n  db: database {{ name = \"x\", size = \"huge\" }}\n}}\n"
        ),
    );
    only(
        Code::PatternMismatch,
        &format!(
            "{DATABASE}\nworkload api {{\n  container main {{ image = \"nginx:1.25\" }}\n  db: database {{ name = \"Bad Name\" }}\n}}\n"
        ),
    );
    only(
        Code::PatternMismatch,
        "environment e { namespace = \"Not_A_Label\" }\n",
    );
    only(Code::InvalidVersion, "offering o { version = \"v1\" }\n");
    only(Code::InvalidPattern, "type t = string matching \"(\"\n");
    only(
        Code::TypeMismatch,
        "policy p { require workload.replicas }\n",
    );
    only(Code::TypeMismatch, "type t = map<string, int>\n");
}

#[test]
fn implementations_map_exactly_the_offerings_outputs() {
    let offering = |outputs: &str| {
        format!(
            "offering o {{\n  version = \"1.0.0\"\n  output host: string\n  output port: port\n  implementation k: kubernetes {{ image = \"a:1\" outputs = {outputs} }}\n}}\n"
        )
    };
    let missing = only(
        Code::MissingOutputMapping,
        &offering("{ host = self.name }"),
    );
    assert!(missing.message.contains("`port`"), "{}", missing.message);
    let unknown = only(
        Code::UnknownOutput,
        &offering("{ host = self.name, port = 1, hots = \"x\" }"),
    );
    assert_eq!(unknown.help.as_deref(), Some("did you mean `host`?"));
    only(
        Code::TypeMismatch,
        &offering("{ host = self.name, port = \"x\" }"),
    );
    only(
        Code::UnknownName,
        "offering o {\n  version = \"1.0.0\"\n  implementation k: kubernetess { image = \"a:1\" }\n}\n",
    );
}

#[test]
fn recursive_types_are_refused() {
    let diagnostics = check_one("type a = { b: b }\ntype b = list<a>\ntype c = c\n");
    assert_eq!(
        codes(&diagnostics),
        vec![
            Code::RecursiveType,
            Code::RecursiveType,
            Code::RecursiveType
        ],
        "{}",
        describe(&diagnostics)
    );
    assert_clean(&[("main.plat", "type a = { b: b }\ntype b = list<string>\n")]);
}

#[test]
fn user_types_are_checked_where_used() {
    let text = "type size = \"s\" | \"m\"\ntype settings = { size: size = \"s\", count: int in 1..3 }\noffering o {\n  version = \"1.0.0\"\n  param settings: settings\n}\nworkload w {\n  container c { image = \"a:1\" }\n  r: o { settings = { size = \"l\", count = 4 } }\n}\n";
    let diagnostics = check_one(text);
    assert_eq!(
        codes(&diagnostics),
        vec![Code::NotInEnum, Code::OutOfRange],
        "{}",
        describe(&diagnostics)
    );
}

#[test]
fn diagnostics_are_sorted_by_file_position_and_code() {
    let diagnostics = check(&[
        (
            "b.plat",
            "workload b { replica = 1 container c { image = \"a:1\" } }\n",
        ),
        (
            "a.plat",
            "workload a { container c { image = \"A\" cpu = 1x } }\n",
        ),
    ]);
    let positions: Vec<(String, u32)> = diagnostics
        .iter()
        .filter_map(|d| {
            d.primary
                .as_ref()
                .map(|label| (label.file, label.range.start))
        })
        .map(|(file, start)| (format!("{file:?}"), start))
        .collect();
    assert_eq!(
        codes(&diagnostics),
        vec![
            Code::InvalidImage,
            Code::InvalidQuantity,
            Code::UnknownField
        ]
    );
    assert_eq!(positions.len(), 3);
    // Checking twice gives the same answer.
    let again = check(&[
        (
            "b.plat",
            "workload b { replica = 1 container c { image = \"a:1\" } }\n",
        ),
        (
            "a.plat",
            "workload a { container c { image = \"A\" cpu = 1x } }\n",
        ),
    ]);
    assert_eq!(describe(&diagnostics), describe(&again));
}

#[test]
fn the_resolution_table_maps_references_to_definitions() {
    let db = Database::default();
    let workload = "workload api {\n  container main { image = \"nginx:1.25\" env = { H = db.host } }\n  db: database { name = \"api\" }\n}\n";
    let (project, files) = project(&db, &[("a.plat", DATABASE), ("b.plat", workload)]);
    assert!(check_project(&db, project).is_empty());
    let table = definitions(&db, project, files[1]);
    let at = |needle: &str, nth: usize| -> u32 {
        let start = workload
            .match_indices(needle)
            .nth(nth)
            .map(|(i, _)| i)
            .expect("needle");
        u32::try_from(start).expect("small")
    };
    let db_ref = table.at(at("db.host", 0)).expect("`db` resolves");
    assert_eq!(db_ref.kind, TargetKind::Resource);
    assert_eq!(workload.get(db_ref.target.range.as_range()), Some("db"));
    assert_eq!(db_ref.target.range.start, at("db:", 0));
    let host = table.at(at("host", 0)).expect("`host` resolves");
    assert_eq!(host.kind, TargetKind::Output);
    assert_eq!(host.target.file, files[0]);
    assert_eq!(DATABASE.get(host.target.range.as_range()), Some("host"));
    let offering = table.at(at("database", 0)).expect("`database` resolves");
    assert_eq!(
        DATABASE.get(offering.target.range.as_range()),
        Some("database")
    );
    let param = table.at(at("name", 0)).expect("`name` resolves");
    assert_eq!(param.kind, TargetKind::Param);
}

#[test]
fn hostile_input_never_panics() {
    let deep = format!(
        "workload w {{ labels = {}{} }}",
        "[".repeat(200),
        "]".repeat(200)
    );
    let deep_record = format!("type t = {}string{}", "list<".repeat(300), ">".repeat(300));
    let chain: String = (0..300)
        .map(|i| format!("type t{i} = t{}\n", i + 1))
        .collect();
    let wide: String = (0..300)
        .map(|i| format!("type w{i} = {{ a: w{}, b: w{} }}\n", i + 1, i + 1))
        .collect();
    for text in [
        deep.as_str(),
        deep_record.as_str(),
        chain.as_str(),
        wide.as_str(),
        "workload { } offering { version = }",
        "import std.{}\nimport std.postgres as\nimport .x",
        "workload w { container c { image = \"${\" } }",
        "policy p { require match x { } }",
        "offering o { implementation : { outputs = 3 } }",
        "environment e { use . }",
        "workload w { x: { } }",
        "workload w { container main { cpu = 99999999999999999999999999999m memory = 1.5 } }",
        "\u{0}\u{feff}workload ü { }",
    ] {
        let _ = check_one(text);
    }
}

/// A database that records which queries run, to test incrementality.
#[salsa::db]
#[derive(Clone)]
struct LoggingDatabase {
    storage: salsa::Storage<Self>,
    executed: Arc<Mutex<Vec<String>>>,
}

impl Default for LoggingDatabase {
    fn default() -> Self {
        let executed: Arc<Mutex<Vec<String>>> = Arc::default();
        let log = executed.clone();
        LoggingDatabase {
            storage: salsa::Storage::new(Some(Box::new(move |event: salsa::Event| {
                if let salsa::EventKind::WillExecute { database_key } = event.kind
                    && let Ok(mut log) = log.lock()
                {
                    log.push(format!("{database_key:?}"));
                }
            }))),
            executed,
        }
    }
}

#[salsa::db]
impl salsa::Database for LoggingDatabase {}

#[salsa::db]
impl Db for LoggingDatabase {}

impl LoggingDatabase {
    fn take(&self) -> Vec<String> {
        self.executed
            .lock()
            .map(|mut log| std::mem::take(&mut *log))
            .unwrap_or_default()
    }
}

#[test]
fn an_edit_to_one_workload_rechecks_only_its_file() {
    let mut db = LoggingDatabase::default();
    let api = "workload api {\n  container main { image = \"nginx:1.25\" env = { H = db.host } }\n  db: database { name = \"api\" }\n}\n";
    let worker =
        "workload worker {\n  replicas = 1\n  container main { image = \"nginx:1.25\" }\n}\n";
    let (project, files) = project(
        &db,
        &[("a.plat", DATABASE), ("b.plat", api), ("c.plat", worker)],
    );
    assert!(check_project(&db, project).is_empty());
    db.take();

    // Change a value (and shift positions) in the worker's file.
    let edited = "// a comment that moves everything\nworkload worker {\n  replicas = 3\n  container main { image = \"nginx:1.25\" }\n}\n";
    files[2].set_text(&mut db).to(edited.to_string());
    assert!(check_project(&db, project).is_empty());
    let executed = db.take();
    let analyses: Vec<&String> = executed
        .iter()
        .filter(|key| key.contains("file_analysis"))
        .collect();
    assert_eq!(
        analyses.len(),
        1,
        "only the edited file is re-checked: {executed:#?}"
    );
    assert!(
        !executed.iter().any(|key| key.contains("file_signatures")),
        "{executed:#?}"
    );

    // A new error appears, in the edited file only.
    files[2]
        .set_text(&mut db)
        .to(edited.replace("replicas = 3", "replicas = \"3\""));
    assert_eq!(codes(check_project(&db, project)), vec![Code::TypeMismatch]);
}

/// How many times a query whose name is `query` ran, in a log of executions.
fn runs(executed: &[String], query: &str) -> usize {
    executed
        .iter()
        .filter(|key| key.starts_with(&format!("{query}(")))
        .count()
}

#[test]
fn an_edit_inside_one_workload_re_resolves_only_that_workload_in_each_environment() {
    let mut db = LoggingDatabase::default();
    let environments = "environment staging {\n  namespace = \"staging\"\n  backend kubernetes {}\n  use database.local\n}\nenvironment production {\n  namespace = \"production\"\n  backend kubernetes {}\n  use database.local\n}\n";
    let workload = |name: &str, replicas: u32| {
        format!(
            "workload {name} {{\n  replicas = {replicas}\n  calls = [api]\n  container main {{ image = \"nginx:1.25\" ports = {{ http = 8080 }} env = {{ H = db.host, PEER = api.url }} }}\n  db: database {{ name = \"{name}\" }}\n}}\n"
        )
    };
    let (api, web, worker) = (
        workload("api", 1),
        workload("web", 1),
        workload("worker", 1),
    );
    let (project, files) = project(
        &db,
        &[
            ("a.plat", DATABASE),
            ("e.plat", environments),
            ("w/api.plat", &api),
            ("w/web.plat", &web),
            ("w/worker.plat", &worker),
        ],
    );
    assert!(check_project(&db, project).is_empty());
    let executed = db.take();
    assert_eq!(
        runs(&executed, "resolve_workload"),
        6,
        "every workload once in each of the two environments: {executed:#?}"
    );

    // A value inside `api` changes, and the text before it moves. Every workload reads
    // `api.url`, but that address does not change.
    files[2]
        .set_text(&mut db)
        .to(format!("// moved\n{}", workload("api", 3)));
    assert!(check_project(&db, project).is_empty());
    let executed = db.take();
    assert_eq!(
        runs(&executed, "resolve_workload"),
        2,
        "`api` again in each environment, and nothing else: {executed:#?}"
    );
    for query in ["environment_shared", "lowered_file", "workload"] {
        let expected = usize::from(query != "environment_shared");
        assert_eq!(
            runs(&executed, query),
            expected,
            "`{query}` runs for the edited file only: {executed:#?}"
        );
    }
    // Its address is computed again in each environment, found unchanged, and so the
    // workloads that read it are not resolved again.
    assert_eq!(runs(&executed, "workload_address"), 2, "{executed:#?}");

    // An edit to one environment re-resolves its shared part, and every workload on
    // top of it, in that environment only.
    files[1]
        .set_text(&mut db)
        .to(environments.replace("\"production\"", "\"prod\""));
    assert!(check_project(&db, project).is_empty());
    let executed = db.take();
    assert_eq!(runs(&executed, "environment_shared"), 1, "{executed:#?}");
    assert_eq!(runs(&executed, "resolve_workload"), 3, "{executed:#?}");
}

/// Checks `project` as `plat build` does, and the environments rendered, with the number
/// of workloads each one's model held when it was.
fn build(db: &mut LoggingDatabase, project: Project) -> (Vec<Diagnostic>, Vec<(String, usize)>) {
    let mut rendered = Vec::new();
    let diagnostics = check_rendering_each_environment(db, project, &mut |db, env| {
        let workloads = plat_compiler::resolve::environment_named(db, project, env)
            .and_then(|id| plat_compiler::resolve::environment_model(db, id))
            .map_or(0, |model| model.workloads.len());
        rendered.push((env.to_string(), workloads));
    });
    (diagnostics, rendered)
}

#[test]
fn a_build_resolves_each_workload_once_and_drops_an_environment_once_it_is_rendered() {
    let mut db = LoggingDatabase::default();
    keep_only_what_a_build_reads(&mut db);
    let environments = "environment production {\n  namespace = \"production\"\n  backend kubernetes {}\n  use database.local\n}\nenvironment staging {\n  namespace = \"staging\"\n  backend kubernetes {}\n  use database.local\n}\n";
    let workload = |name: &str| {
        format!(
            "workload {name} {{\n  container main {{ image = \"nginx:1.25\" env = {{ H = db.host }} }}\n  db: database {{ name = \"{name}\" }}\n}}\n"
        )
    };
    let (project, _) = project(
        &db,
        &[
            ("a.plat", DATABASE),
            ("e.plat", environments),
            ("w/api.plat", &workload("api")),
            ("w/web.plat", &workload("web")),
            ("w/worker.plat", &workload("worker")),
        ],
    );
    let (diagnostics, rendered) = build(&mut db, project);
    assert!(diagnostics.is_empty(), "{}", describe(&diagnostics));
    assert_eq!(
        rendered,
        [("production".to_string(), 3), ("staging".to_string(), 3)],
        "each environment rendered whole, in order"
    );
    let executed = db.take();
    assert_eq!(
        runs(&executed, "resolve_workload"),
        6,
        "every workload once in each environment, though each environment's resolutions \
         are dropped once it is rendered: {executed:#?}"
    );
    let analyses: Vec<&String> = executed
        .iter()
        .filter(|key| key.starts_with("file_analysis("))
        .collect();
    let distinct: std::collections::BTreeSet<&&String> = analyses.iter().collect();
    assert_eq!(
        analyses.len(),
        distinct.len(),
        "each file is analysed once, though the analyses are dropped: {executed:#?}"
    );

    // Dropped: reading the first environment's model again resolves its workloads again.
    let production = plat_compiler::resolve::environment_named(&db, project, "production")
        .expect("an environment");
    assert!(plat_compiler::resolve::environment_model(&db, production).is_some());
    assert_eq!(runs(&db.take(), "resolve_workload"), 3);
}

#[test]
fn a_build_renders_no_environment_from_the_first_one_with_an_error() {
    let mut db = LoggingDatabase::default();
    keep_only_what_a_build_reads(&mut db);
    let environment = |name: &str, shared: bool| {
        let declared = if shared {
            "  shared_db: database { name = \"shop\" }\n"
        } else {
            ""
        };
        format!(
            "environment {name} {{\n  namespace = \"{name}\"\n  backend kubernetes {{}}\n  use database.local\n{declared}}}\n"
        )
    };
    let environments = [
        environment("alpha", true),
        environment("beta", false),
        environment("gamma", true),
    ]
    .concat();
    let api = "workload api {\n  container main { image = \"nginx:1.25\" env = { H = db.host } }\n  db: database { shared = shared_db }\n}\n";
    let (project, _) = project(
        &db,
        &[
            ("a.plat", DATABASE),
            ("e.plat", &environments),
            ("w/api.plat", api),
        ],
    );
    let (diagnostics, rendered) = build(&mut db, project);
    assert_eq!(codes(&diagnostics), vec![Code::MissingSharedResource]);
    assert_eq!(
        rendered,
        [("alpha".to_string(), 1)],
        "`beta` has an error: neither it nor `gamma` after it is rendered"
    );
}

#[test]
fn an_unknown_offering_is_reported_once() {
    let text = "workload api {\n  container main { image = \"nginx:1.25\" env = { H = db.host, P = \"${db.port}\" } }\n  db: datbase { name = \"x\" }\n}\n";
    let diagnostic = only(Code::UnknownName, text);
    assert_eq!(text_at(text, &diagnostic), "datbase");
}

#[test]
fn environments_wire_shared_outputs_into_implementation_parameters() {
    let vault = r#"
offering vault {
  version = "1.0.0"
  output token: secret
  implementation k: kubernetes { image = "vault:1" outputs = { token = self.generated_password } }
}
offering store {
  version = "1.0.0"
  output token: secret
  implementation fixed: existing { param token_ref: secret outputs = { token = params.token_ref } }
}
"#;
    let ok = format!(
        "{DATABASE}{vault}\nenvironment e {{\n  namespace = \"e\"\n  keys: store {{}}\n  use store.fixed {{ token_ref = keys.token }}\n  use database.external {{ host = \"db.internal\", password_ref = keys.token }}\n}}\n"
    );
    // The types fit; resolution then finds that `keys` reads its own output.
    assert_eq!(codes(&check_one(&ok)), vec![Code::DependencyCycle]);
    // A generated secret is known only after provisioning: not for a parameter.
    let late = format!(
        "{DATABASE}{vault}\nenvironment e {{\n  namespace = \"e\"\n  keys: vault {{}}\n  use database.external {{ host = \"db.internal\", password_ref = keys.token }}\n}}\n"
    );
    let diagnostic = only(Code::ProvisionTimeValue, &late);
    assert_eq!(text_at(&late, &diagnostic), "keys.token");
}

#[test]
fn overrides_set_only_what_changes() {
    let text = format!(
        "{DATABASE}\nenvironment production {{ namespace = \"p\" backend kubernetes {{}} use database.local }}\nworkload api {{\n  container main {{ image = \"nginx:1.25\" }}\n  db: database {{ name = \"api\" }}\n  override production {{\n    replicas = 3\n    container main {{ cpu = 1 }}\n    db: database {{ size = \"large\" }}\n  }}\n}}\n"
    );
    assert_clean(&[("main.plat", &text)]);
    let new_container = text.replace("container main { cpu = 1 }", "container extra { cpu = 1 }");
    let diagnostic = only(Code::MissingField, &new_container);
    assert_eq!(diagnostic.help.as_deref(), Some("add `image = ...`"));
    let changed = text.replace("db: database { size", "db: vpc { size");
    only(Code::TypeMismatch, &changed);
}

#[test]
fn declarations_are_not_values() {
    let text = "type size = \"s\" | \"m\"\nworkload api {\n  container main { image = \"nginx:1.25\" args = [size] }\n}\n";
    let diagnostic = only(Code::WrongKindOfName, text);
    assert_eq!(diagnostic.message, "`size` is a type, not a value");
}

#[test]
fn backend_settings_are_typed_for_the_backends_plat_knows() {
    let backend = |body: &str| {
        let text =
            format!("environment e {{\n  namespace = \"e\"\n  backend s3 {{ {body} }}\n}}\n");
        let diagnostics = check_one(&text);
        (codes(&diagnostics), describe(&diagnostics), text)
    };
    let (found, _, _) = backend("bucket = \"b\", use_lockfile = true, max_retries = 5");
    assert_eq!(found, Vec::<Code>::new());
    let (found, _, _) = backend(
        "bucket = \"b\", assume_role = { role_arn = \"arn:aws:iam::1:role/t\", duration = \"1h\" }",
    );
    assert_eq!(found, Vec::<Code>::new());
    let (found, said, _) = backend("bucket = \"b\", use_lockfile = \"true\"");
    assert_eq!(found, [Code::TypeMismatch], "{said}");
    let (found, said, _) = backend("bucket = \"b\", use_lock_file = true");
    assert_eq!(found, [Code::UnknownField], "{said}");
    assert!(said.contains("use_lockfile"), "{said}");
    let (found, said, _) = backend("key = \"k\"");
    assert_eq!(found, [Code::MissingField], "{said}");
    // Credentials are secrets: source can never hold one.
    let (found, said, _) = backend("bucket = \"b\", secret_key = \"hunter2\"");
    assert_eq!(found, [Code::SecretLiteral], "{said}");
    let (found, said, text) = backend("bucket = \"b\", dynamodb_table = \"locks\"");
    assert_eq!(found, [Code::DeprecatedSetting], "{said}");
    let diagnostics = check_one(&text);
    assert_eq!(text_at(&text, &diagnostics[0]), "dynamodb_table");
    // A kind plat does not know takes any setting, of any type.
    assert_clean(&[(
        "main.plat",
        "environment e {\n  namespace = \"e\"\n  backend azurerm { use_azuread_auth = true, key = \"k\" }\n}\n",
    )]);
}

#[test]
fn a_probe_period_beyond_what_kubernetes_counts_is_out_of_range() {
    let text = "workload api {\n  container main {\n    image = \"ghcr.io/acme/api:1.0.0\"\n    ports = { http = 8080 }\n    liveness = { path = \"/\", port = 8080, period = 2147483648s }\n    readiness = { path = \"/\", port = 8080, period = 2147483647s }\n  }\n}\n";
    let diagnostic = only(Code::OutOfRange, text);
    assert_eq!(text_at(text, &diagnostic), "2147483648s");
    assert_eq!(
        diagnostic.help.as_deref(),
        Some("use a value from 1 to 2147483647 seconds")
    );
}

/// `callers` holds `"APPLICATION.WORKLOAD"`: an application's name as its label value
/// (it may have a `.`), a workload's name as its Service's.
#[test]
fn callers_name_an_application_and_a_workload_as_kubernetes_spells_them() {
    let workload = |callers: &str| {
        format!(
            "workload api {{\n  callers = [{callers}]\n  container main {{ image = \"ghcr.io/acme/api:1.0.0\" }}\n}}\n"
        )
    };
    assert_clean(&[(
        "main.plat",
        &workload(r#""storefront.web", "shop.eu.checkout-2", "Shop_2.web""#),
    )]);
    for wrong in [
        r#""_storefront.web""#,
        r#""storefront-.web""#,
        r#""storefront.Web""#,
        r#""storefront.web-""#,
        r#""storefront""#,
        r#""storefront.2web""#,
    ] {
        let diagnostic = only(Code::PatternMismatch, &workload(wrong));
        assert_eq!(text_at(&workload(wrong), &diagnostic), wrong);
    }
}
