use serde_json::json;

use super::*;

/// A build of one environment, `production`, from `(path, JSON or YAML text)`.
fn build(files: &[(&str, String)]) -> Build {
    let env = files
        .iter()
        .map(|(path, text)| (path.to_string(), text.clone()))
        .collect();
    Build {
        environments: BTreeMap::from([("production".to_string(), env)]),
    }
}

fn node(id: &str, owner: Option<&str>, implementation: &str, protected: bool) -> Json {
    json!({
        "id": format!("instance:{id}"), "kind": "instance", "name": id,
        "offering": "postgres", "version": "2.0.0", "implementation": implementation,
        "provisioner": if implementation == "in_cluster" { "kubernetes" } else { "terraform" },
        "owner": owner.map(|o| format!("workload:{o}")),
        "stateful": true, "protected": protected, "removed": false,
    })
}

fn graph(nodes: &[Json]) -> String {
    json!({ "environment": "production", "nodes": nodes, "edges": [] }).to_string()
}

fn root(path: &str, module: &str) -> Vec<(&'static str, String)> {
    let main = json!({ "module": { module: { "source": "terraform-aws-modules/rds/aws" } } });
    let terraform = json!({ "terraform": { "backend": { "s3": { "key": format!("k/{path}") } } } });
    vec![
        (
            leak(format!("terraform/{path}/main.tf.json")),
            main.to_string(),
        ),
        (
            leak(format!("terraform/{path}/terraform.tf.json")),
            terraform.to_string(),
        ),
    ]
}

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

fn severities(diff: &Diff) -> Vec<Severity> {
    diff.findings().map(|finding| finding.severity).collect()
}

#[test]
fn a_root_module_that_leaves_with_its_database_orphans_it() {
    let mut old = root("workloads/api", "api_db");
    old.push((
        "graph.json",
        graph(&[node("api.db", Some("api"), "aws", false)]),
    ));
    let new = vec![("graph.json", graph(&[]))];
    let diff = diff(&build(&old), &build(&new));
    assert_eq!(severities(&diff), [Severity::Orphans]);
    assert!(diff.blocks(true), "orphaning is never allowed");
    let finding = diff.findings().next().expect("a finding");
    assert!(
        finding.message.contains("`api.db` (postgres on aws)"),
        "{}",
        finding.message
    );
}

#[test]
fn a_module_that_leaves_a_root_module_destroys_its_data() {
    let mut old = root("shared", "shared_db");
    old.push((
        "graph.json",
        graph(&[node("shared_db", None, "aws", false)]),
    ));
    let mut new = root("shared", "other");
    new.push(("graph.json", graph(&[])));
    let diff = diff(&build(&old), &build(&new));
    assert_eq!(severities(&diff), [Severity::Destroys]);
    assert!(diff.blocks(false));
    assert!(!diff.blocks(true));
    let removed: Vec<&str> = diff.environments[0]
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Removed)
        .map(|c| c.address.as_str())
        .collect();
    assert_eq!(removed, ["shared: module.shared_db"]);
}

#[test]
fn a_new_implementation_replaces_the_data_and_a_protected_one_blocks() {
    let old = vec![(
        "graph.json",
        graph(&[node("shared_db", None, "in_cluster", true)]),
    )];
    let new = vec![("graph.json", graph(&[node("shared_db", None, "aws", true)]))];
    let diff = diff(&build(&old), &build(&new));
    assert_eq!(severities(&diff), [Severity::Protected]);
    assert_eq!(diff.environments[0].offerings.len(), 1);
    assert!(diff.blocks(true));
}

#[test]
fn a_moved_backend_asks_for_attention_and_a_version_is_shown() {
    let mut old = root("shared", "db");
    old.push(("graph.json", graph(&[node("db", None, "aws", false)])));
    let mut new: Vec<(&str, String)> = root("shared", "db")
        .into_iter()
        .map(|(path, text)| (path, text.replace("k/shared", "moved/shared")))
        .collect();
    let mut upgraded = node("db", None, "aws", false);
    upgraded["version"] = json!("2.1.0");
    new.push(("graph.json", graph(&[upgraded])));
    let diff = diff(&build(&old), &build(&new));
    assert_eq!(severities(&diff), [Severity::Attention]);
    assert!(!diff.blocks(false));
    let offering = &diff.environments[0].offerings[0];
    assert_eq!(
        (offering.old_version.as_str(), offering.new_version.as_str()),
        ("2.0.0", "2.1.0")
    );
}

#[test]
fn a_changed_object_lists_its_fields_and_equal_builds_change_nothing() {
    let yaml = |image: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n      - name: main\n        image: {image}\n"
        )
    };
    let old = vec![("kubernetes/api/deployment.yaml", yaml("a:1"))];
    let new = vec![("kubernetes/api/deployment.yaml", yaml("a:2"))];
    let changed = diff(&build(&old), &build(&new));
    let change = &changed.environments[0].changes[0];
    assert_eq!(change.address, "Deployment shop/api");
    assert_eq!(
        change.fields[0].path,
        "spec.template.spec.containers[main].image"
    );
    let same = diff(&build(&old), &build(&old));
    assert!(same.is_empty());
    assert_eq!(same.environments[0].status, Status::Unchanged);
}

#[test]
fn lifting_the_protection_in_the_change_that_removes_it_is_refused() {
    let mut old = root("shared", "shared_db");
    old.push(("graph.json", graph(&[node("shared_db", None, "aws", true)])));
    let mut removed = node("shared_db", None, "aws", false);
    removed["removed"] = json!(true);
    let mut new = root("shared", "other");
    new.push(("graph.json", graph(&[removed])));
    let diff = diff(&build(&old), &build(&new));
    assert_eq!(severities(&diff), [Severity::Protected]);
    assert!(diff.blocks(true));
}
