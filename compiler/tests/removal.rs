//! Removals and protection on whole projects: what the sources remove leaves what runs
//! and stays in the Terraform (a root module with its backend and providers and nothing
//! to create) until the declaration is deleted; nothing live may use it; protected
//! resources are guarded in the Terraform and cannot be removed.

use plat_compiler::check::check_project;
use plat_compiler::diagnostic::{Code, Diagnostic};
use plat_compiler::emit::{Artifact, bundle};
use plat_compiler::resolve::resolve_project;
use plat_compiler::source::Database;
use serde_json::Value as Json;

/// An environment on AWS (with its state in S3) and a workload with a database, a
/// queue and a cache, with `extra` added to the workload's body.
fn platform(extra: &str, db_settings: &str) -> String {
    format!(
        r#"import std.{{postgres, queue, redis}}

environment production {{
  namespace = "shop"
  region = "eu-west-1"
  backend s3 {{
    bucket = "acme-terraform-state"
  }}
  use postgres.aws {{
    subnet_ids = ["subnet-1", "subnet-2"]
    subnet_cidrs = ["10.0.0.0/19", "10.0.32.0/19"]
    security_group_ids = ["sg-1"]
  }}
  use queue.aws {{ api_cidrs = ["10.0.0.0/19"] }}
  use redis.in_cluster
}}

workload reports {{
{extra}
  container main {{
    image = "ghcr.io/acme/reports:1.0.0"
    env = {{ DATABASE_URL = db.url }}
  }}
  db: postgres {{ database = "reports"{db_settings} }}
  jobs: queue {{ protect = false }}
}}
"#
    )
}

/// Checks and builds the project: its diagnostics and the artefacts of `production`.
fn build(text: &str) -> (Vec<Diagnostic>, Vec<Artifact>) {
    let db = Database::default();
    let files = vec![("main.plat".to_string(), text.to_string())];
    let project = plat_compiler::project::from_texts(&db, &files);
    let diagnostics = check_project(&db, project).clone();
    let resolved = resolve_project(&db, project);
    let artifacts = resolved
        .with_lifecycles()
        .flat_map(|(env, lifecycle)| bundle::environment(&db, env, lifecycle, "shop"))
        .collect();
    (diagnostics, artifacts)
}

fn file<'a>(artifacts: &'a [Artifact], path: &str) -> Option<&'a Artifact> {
    artifacts.iter().find(|artifact| artifact.path == path)
}

fn json(artifacts: &[Artifact], path: &str) -> Json {
    let artifact = file(artifacts, path).unwrap_or_else(|| panic!("no {path}"));
    serde_json::from_str(&artifact.contents).expect("JSON")
}

fn codes(diagnostics: &[Diagnostic]) -> Vec<Code> {
    diagnostics.iter().map(|d| d.code).collect()
}

const ROOT: &str = "terraform/workloads/reports";

#[test]
fn a_protected_instance_is_guarded_and_an_unprotected_one_is_not() {
    let (diagnostics, artifacts) = build(&platform("", ""));
    assert_eq!(codes(&diagnostics), Vec::<Code>::new());
    let main = json(&artifacts, &format!("{ROOT}/main.tf.json"));
    let guards = main["resource"]["terraform_data"]
        .as_object()
        .expect("guards");
    assert_eq!(guards.keys().collect::<Vec<_>>(), ["reports_db"]);
    assert_eq!(
        guards["reports_db"]["lifecycle"]["prevent_destroy"],
        Json::Bool(true)
    );
    // The cloud's own protection: RDS deletion protection.
    assert_eq!(
        main["module"]["reports_db"]["deletion_protection"],
        Json::Bool(true)
    );
    let graph = json(&artifacts, "graph.json");
    let node = |id: &str| {
        graph["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|node| node["id"] == id)
            .cloned()
            .unwrap_or(Json::Null)
    };
    assert_eq!(node("instance:reports.db")["protected"], true);
    assert_eq!(node("instance:reports.jobs")["protected"], false);
    assert_eq!(node("instance:reports.jobs")["stateful"], true);
}

#[test]
fn a_removed_workload_leaves_its_root_module_with_nothing_to_create() {
    let text = platform("  removed = true", ", protect = false");
    let (diagnostics, artifacts) = build(&text);
    assert_eq!(
        codes(&diagnostics),
        [Code::RemovalDestroys],
        "{diagnostics:?}"
    );
    assert!(diagnostics[0].message.contains("`reports.db`"));
    assert!(diagnostics[0].message.contains("`reports.jobs`"));
    // Terraform keeps what it needs to destroy it: the backend and the providers.
    let terraform = json(&artifacts, &format!("{ROOT}/terraform.tf.json"));
    assert_eq!(
        terraform["terraform"]["backend"]["s3"]["key"],
        "plat/shop/production/workloads/reports.tfstate"
    );
    let providers = terraform["terraform"]["required_providers"]
        .as_object()
        .expect("providers");
    assert!(providers.contains_key("aws") && providers.contains_key("random"));
    assert!(file(&artifacts, &format!("{ROOT}/providers.tf.json")).is_some());
    assert!(file(&artifacts, &format!("{ROOT}/main.tf.json")).is_none());
    // Nothing of it runs.
    assert!(
        !artifacts
            .iter()
            .any(|artifact| artifact.path.starts_with("kubernetes/reports/")),
        "no Kubernetes object"
    );
    let graph = json(&artifacts, "graph.json");
    let removed: Vec<&str> = graph["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|node| node["removed"] == true)
        .filter_map(|node| node["id"].as_str())
        .collect();
    assert_eq!(
        removed,
        [
            "workload:reports",
            "instance:reports.db",
            "instance:reports.jobs"
        ]
    );
}

#[test]
fn a_removed_resource_keeps_its_root_module_even_when_it_was_its_only_work() {
    let text = platform("", ", protect = false, removed = true")
        .replace("DATABASE_URL = db.url", "MODE = \"read-only\"")
        .replace("  jobs: queue { protect = false }\n", "");
    let (diagnostics, artifacts) = build(&text);
    assert_eq!(
        codes(&diagnostics),
        [Code::RemovalDestroys],
        "{diagnostics:?}"
    );
    assert!(file(&artifacts, &format!("{ROOT}/terraform.tf.json")).is_some());
    assert!(file(&artifacts, &format!("{ROOT}/main.tf.json")).is_none());
    assert!(file(&artifacts, "kubernetes/reports/deployment.yaml").is_some());
}

#[test]
fn a_protected_resource_cannot_be_removed() {
    let (diagnostics, _) = build(&platform("  removed = true", ""));
    assert_eq!(
        codes(&diagnostics),
        [Code::ProtectedRemoval],
        "{diagnostics:?}"
    );
}

#[test]
fn what_still_runs_cannot_use_what_is_removed() {
    // The workload still reads the database it removes.
    let text = platform("", ", protect = false, removed = true");
    let (diagnostics, _) = build(&text);
    assert_eq!(
        codes(&diagnostics),
        [Code::UsesRemoved, Code::RemovalDestroys],
        "{diagnostics:?}"
    );
    assert!(diagnostics[0].message.contains("the resource `reports.db`"));
}

#[test]
fn a_shared_resource_that_is_removed_cannot_be_bound() {
    let text = r#"import std.queue

environment production {
  namespace = "shop"
  region = "eu-west-1"
  backend s3 {
    bucket = "acme-terraform-state"
  }
  use queue.aws { api_cidrs = ["10.0.0.0/19"] }
  events: queue { protect = false, removed = true }
}

workload worker {
  container main { image = "ghcr.io/acme/worker:1.0.0" }
  jobs: queue { shared = events }
}
"#;
    let (diagnostics, artifacts) = build(text);
    assert_eq!(
        codes(&diagnostics),
        [Code::RemovalDestroys, Code::UsesRemoved],
        "{diagnostics:?}"
    );
    // The shared root module stays, to destroy it.
    assert!(file(&artifacts, "terraform/shared/terraform.tf.json").is_some());
}
