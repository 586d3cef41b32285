//! `plat graph` end to end: every format of the shop's production graph, the same
//! bytes on every run, and the exit statuses for errors and unknown environments.

mod support;

use support::{args, run_plat};

#[test]
fn every_format_draws_the_shop_and_is_deterministic() {
    for format in ["json", "dot", "mermaid"] {
        let command = args(&[
            "graph",
            "examples/shop",
            "--env",
            "production",
            "--format",
            format,
        ]);
        let first = run_plat(&command);
        assert_eq!(first.status, Some(0), "{format}:\n{}", first.transcript());
        assert!(first.stderr.is_empty(), "{format}:\n{}", first.stderr);
        assert!(first.stdout.contains("checkout-api"), "{format}");
        assert!(first.stdout.contains("shared_db"), "{format}");
        let second = run_plat(&command);
        assert_eq!(first.stdout, second.stdout, "{format} differs between runs");
    }
}

#[test]
fn json_is_the_documented_shape() {
    let run = run_plat(&args(&["graph", "examples/shop", "--env", "production"]));
    assert_eq!(run.status, Some(0), "{}", run.transcript());
    let graph: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(graph["environment"], "production");
    let nodes = graph["nodes"].as_array().expect("nodes");
    let shared_db = nodes
        .iter()
        .find(|node| node["id"] == "instance:shared_db")
        .expect("shared_db");
    assert_eq!(shared_db["offering"], "postgres");
    assert_eq!(shared_db["implementation"], "aws");
    assert_eq!(shared_db["provisioner"], "terraform");
    assert_eq!(shared_db["owner"], serde_json::Value::Null);
    let edges = graph["edges"].as_array().expect("edges");
    assert!(edges.iter().any(|edge| {
        edge["from"] == "workload:checkout-api"
            && edge["to"] == "instance:shared_db"
            && edge["kind"] == "uses"
            && edge["name"] == "db"
    }));
    assert!(edges.iter().any(|edge| {
        edge["from"] == "workload:checkout-api"
            && edge["to"] == "workload:payments-api"
            && edge["kind"] == "calls"
    }));
}

#[test]
fn dot_and_mermaid_are_well_formed() {
    let dot = run_plat(&args(&[
        "graph",
        "examples/shop",
        "--env",
        "staging",
        "--format",
        "dot",
    ]));
    assert!(
        dot.stdout.starts_with("digraph \"staging\" {\n"),
        "{}",
        dot.stdout
    );
    assert!(dot.stdout.ends_with("}\n"));
    assert!(
        dot.stdout
            .contains("\"workload:checkout-api\" -> \"instance:shared_db\" [label=\"db\"];")
    );
    let mermaid = run_plat(&args(&[
        "graph",
        "examples/shop",
        "--env",
        "development",
        "--format",
        "mermaid",
    ]));
    assert!(
        mermaid.stdout.starts_with("flowchart LR\n"),
        "{}",
        mermaid.stdout
    );
    assert!(mermaid.stdout.contains("-.->|\"calls\"|"));
}

#[test]
fn the_only_environment_is_drawn_without_env() {
    let run = run_plat(&args(&["graph", "examples/minimal"]));
    assert_eq!(run.status, Some(0), "{}", run.transcript());
    assert!(run.stdout.contains("\"environment\": \"development\""));
}

#[test]
fn an_unknown_environment_names_those_there_are() {
    let run = run_plat(&args(&["graph", "examples/shop", "--env", "prod"]));
    assert_eq!(run.status, Some(2), "{}", run.transcript());
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr.contains("no environment `prod`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("`development`, `production` and `staging`"),
        "{}",
        run.stderr
    );
    let which = run_plat(&args(&["graph", "examples/shop"]));
    assert_eq!(which.status, Some(2), "{}", which.transcript());
    assert!(which.stderr.contains("--env"), "{}", which.stderr);
}

#[test]
fn a_project_with_errors_has_no_graph() {
    let run = run_plat(&args(&[
        "graph",
        "tests/fixtures/diagnostics/E0601-no-implementation.plat",
        "--env",
        "production",
    ]));
    assert_eq!(run.status, Some(1), "{}", run.transcript());
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(run.stderr.contains("E0601"), "{}", run.stderr);
}
