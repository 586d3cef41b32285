//! Resolution on whole projects: the examples resolve clean in every environment; params
//! merge in the documented precedence; shared instances exist once; implementations'
//! needs are pulled in transitively; cycles, missing implementations, missing shared
//! resources and policy violations are reported where the spec says; the graph holds
//! no secret.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use plat_compiler::check::check_project;
use plat_compiler::diagnostic::{Code, Diagnostic};
use plat_compiler::graph::{self, ResourceGraph};
use plat_compiler::resolve::model::{
    Instance, Lifecycle, Owner, Provisioning, ResolvedEnvironment,
};
use plat_compiler::resolve::value::{Deferred, Value};
use plat_compiler::resolve::{ResolvedProject, resolve_project};
use plat_compiler::source::{Database, Project};

fn project(db: &Database, files: &[(&str, &str)]) -> Project {
    let files: Vec<(String, String)> = files
        .iter()
        .map(|(path, text)| (path.to_string(), text.to_string()))
        .collect();
    plat_compiler::project::from_texts(db, &files)
}

/// Checks and resolves a one-file project; returns every diagnostic and the resolution.
fn resolve(text: &str) -> (Vec<Diagnostic>, ResolvedProject) {
    let db = Database::default();
    let project = project(&db, &[("main.plat", text)]);
    (
        check_project(&db, project).clone(),
        resolve_project(&db, project).clone(),
    )
}

fn describe(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| format!("{} {} (help: {:?})", d.code, d.message, d.help))
        .collect::<Vec<_>>()
        .join("\n")
}

fn resolve_clean(text: &str) -> ResolvedProject {
    let (diagnostics, resolved) = resolve(text);
    assert!(
        diagnostics.is_empty(),
        "expected no diagnostics, got:\n{}",
        describe(&diagnostics)
    );
    resolved
}

fn codes(diagnostics: &[Diagnostic]) -> Vec<Code> {
    diagnostics.iter().map(|d| d.code).collect()
}

fn instance<'a>(environment: &'a ResolvedEnvironment, id: &str) -> &'a Instance {
    environment
        .instances
        .iter()
        .find(|instance| instance.id == id)
        .unwrap_or_else(|| panic!("no instance `{id}` in `{}`", environment.name))
}

fn env<'a>(resolved: &'a ResolvedProject, name: &str) -> &'a ResolvedEnvironment {
    resolved
        .environment(name)
        .unwrap_or_else(|| panic!("no environment `{name}`"))
}

fn text(value: &str) -> Value {
    Value::String(value.to_string())
}

fn load_example(db: &Database, name: &str) -> Project {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name);
    plat_compiler::project::load(db, &path)
        .expect("the example exists")
        .project
}

#[test]
fn the_examples_resolve_without_diagnostics_in_every_environment() {
    for (example, environments) in [
        ("minimal", vec!["development"]),
        ("shop", vec!["development", "production", "staging"]),
    ] {
        let db = Database::default();
        let project = load_example(&db, example);
        let diagnostics = check_project(&db, project);
        assert!(
            diagnostics.is_empty(),
            "{example}:\n{}",
            describe(diagnostics)
        );
        let resolved = resolve_project(&db, project);
        assert!(
            resolved.diagnostics.is_empty(),
            "{example}:\n{}",
            describe(&resolved.diagnostics)
        );
        assert_eq!(resolved.environment_names(), environments, "{example}");
        for environment in &resolved.environments {
            assert!(!environment.workloads.is_empty(), "{example}");
            let ids: Vec<&str> = environment
                .instances
                .iter()
                .map(|i| i.id.as_str())
                .collect();
            let mut sorted = ids.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(ids, sorted, "instances are sorted and unique in {example}");
        }
    }
}

#[test]
fn the_shop_binds_each_environment_to_its_implementations() {
    let db = Database::default();
    let project = load_example(&db, "shop");
    let resolved = resolve_project(&db, project);
    let development = env(resolved, "development");
    let production = env(resolved, "production");
    assert_eq!(
        instance(development, "shared_db").implementation,
        "in_cluster"
    );
    assert_eq!(instance(production, "shared_db").implementation, "aws");
    assert!(matches!(
        instance(development, "storefront.web").provisioning,
        Provisioning::Ingress(ref route) if route.host == "shop.localtest.me" && route.port == 3000
    ));
    let storefront = production
        .workloads
        .iter()
        .find(|workload| workload.name == "storefront")
        .expect("storefront");
    assert_eq!(
        storefront.replicas, 3,
        "the production override applies: the autoscaler keeps at least 3"
    );
    assert_eq!(storefront.containers[0].cpu, "1");
    let env_vars = &storefront.containers[0].env;
    assert_eq!(
        env_vars["CATALOG_API_URL"],
        text("http://catalog-api.shop.svc.cluster.local:8080")
    );
    assert_eq!(env_vars["LOG_LEVEL"], text("info"));
    assert_eq!(
        storefront.calls,
        vec!["cart-api", "catalog-api", "checkout-api"]
    );
    // A password reaches the container as a secret known at provision time.
    let catalog = production
        .workloads
        .iter()
        .find(|workload| workload.name == "catalog-api")
        .expect("catalog-api");
    let url = &catalog.containers[0].env["DATABASE_URL"];
    assert!(url.is_secret() && url.is_deferred(), "{url:?}");
    assert_eq!(catalog.resources["db"], "shared_db");
    assert_eq!(
        catalog.containers[0].volumes["/var/lib/search"],
        "search_index"
    );
}

const PRECEDENCE: &str = r#"
offering thing {
  version = "1.0.0"
  param a: string = "offering"
  param b: string = "offering"
  param c: string = "offering"
  param d: string = "offering"
  output a: string
  output b: string
  output c: string
  output d: string
  implementation plain: existing {
    outputs = { a = params.a, b = params.b, c = params.c, d = params.d }
  }
}

environment production {
  namespace = "shop"
  backend kubernetes {}
  use thing.plain { b = "use", c = "use", d = "use" }
}

environment staging {
  namespace = "shop"
  backend kubernetes {}
  use thing.plain { b = "use", c = "use", d = "use" }
}

workload api {
  container main {
    image = "ghcr.io/acme/api:1.0.0"
    env = { D = it.d }
  }
  it: thing { c = "instance", d = "instance" }
  override production {
    it: thing { d = "override" }
  }
}
"#;

#[test]
fn params_merge_from_default_to_use_to_instance_to_override() {
    let resolved = resolve_clean(PRECEDENCE);
    let production = instance(env(&resolved, "production"), "api.it");
    let expected: BTreeMap<String, Value> = [
        ("a", "offering"),
        ("b", "use"),
        ("c", "instance"),
        ("d", "override"),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_string(), text(value)))
    .collect();
    assert_eq!(*production.params, expected);
    assert_eq!(*production.outputs, expected);
    let staging = instance(env(&resolved, "staging"), "api.it");
    assert_eq!(
        staging.params["d"],
        text("instance"),
        "no override in staging"
    );
    let api = &env(&resolved, "production").workloads[0];
    assert_eq!(api.containers[0].env["D"], text("override"));
}

#[test]
fn a_shared_instance_exists_once_and_every_workload_binds_it() {
    let resolved = resolve_clean(
        r#"
import std.postgres

environment development {
  namespace = "shop-dev"
  backend kubernetes {}
  use postgres.in_cluster
  shared_db: postgres { database = "shop" }
}

workload a {
  container main {
    image = "ghcr.io/acme/a:1.0.0"
    env = { DB = db.host }
  }
  db: postgres { shared = shared_db }
}

workload b {
  container main {
    image = "ghcr.io/acme/b:1.0.0"
    env = { DB = db.host }
  }
  db: postgres { shared = shared_db }
}
"#,
    );
    let development = env(&resolved, "development");
    let ids: Vec<&str> = development
        .instances
        .iter()
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(ids, vec!["shared_db"]);
    let shared = instance(development, "shared_db");
    assert_eq!(shared.owner, Owner::Environment);
    assert_eq!(shared.object_name, "shared-db");
    for workload in &development.workloads {
        assert_eq!(workload.resources["db"], "shared_db");
        assert_eq!(
            workload.containers[0].env["DB"],
            text("shared-db.shop-dev.svc.cluster.local")
        );
    }
    let password = &shared.outputs["password"];
    assert_eq!(
        password,
        &Value::Secret(Box::new(Value::Deferred(Box::new(
            Deferred::GeneratedPassword {
                instance: "shared_db".into()
            }
        ))))
    );
}

const NEEDS: &str = r#"
/// A network, which needs a firewall.
offering network {
  version = "1.0.0"
  param cidr: string = "10.0.0.0/16"
  output id: string
  implementation aws: terraform {
    source = "terraform-aws-modules/vpc/aws"
    wall: firewall { name = "edge" }
    inputs = { cidr = params.cidr, firewall = wall.id }
    outputs = { id = module.vpc_id }
  }
}

/// A firewall.
offering firewall {
  version = "1.0.0"
  param name: string
  output id: string
  implementation aws: terraform {
    source = "acme/firewall/aws"
    inputs = { name = params.name }
    outputs = { id = module.id }
  }
}

/// A database in a network.
offering database {
  version = "1.0.0"
  output host: string
  implementation aws: terraform {
    source = "acme/database/aws"
    net: network { cidr = "10.1.0.0/16" }
    inputs = { network = net.id }
    outputs = { host = module.address }
  }
}

environment production {
  namespace = "shop"
  backend kubernetes {}
  use database.aws
  use network.aws
  use firewall.aws
}

workload api {
  container main {
    image = "ghcr.io/acme/api:1.0.0"
    env = { DB_HOST = db.host }
  }
  db: database {}
}
"#;

#[test]
fn what_implementations_need_is_pulled_in_transitively() {
    let resolved = resolve_clean(NEEDS);
    let production = env(&resolved, "production");
    let ids: Vec<&str> = production.instances.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, vec!["api.db", "api.db.net", "api.db.net.wall"]);
    assert_eq!(instance(production, "api.db").needs, vec!["api.db.net"]);
    assert_eq!(
        instance(production, "api.db.net").needs,
        vec!["api.db.net.wall"]
    );
    let net = instance(production, "api.db.net");
    assert_eq!(net.owner, Owner::Workload("api".to_string()));
    assert_eq!(net.params["cidr"], text("10.1.0.0/16"));
    let Provisioning::Terraform(module) = &net.provisioning else {
        panic!("not terraform");
    };
    assert_eq!(
        module.inputs["firewall"],
        Value::Deferred(Box::new(Deferred::ModuleOutput {
            instance: "api.db.net.wall".into(),
            path: vec!["id".to_string()],
        }))
    );
    let graph = ResourceGraph::of(production, &Lifecycle::default());
    let needs: Vec<(String, String)> = graph
        .edges()
        .filter(|(_, _, edge)| edge.kind == graph::EdgeKind::Needs)
        .map(|(from, to, _)| (from.id.clone(), to.id.clone()))
        .collect();
    assert_eq!(
        needs,
        vec![
            (
                "instance:api.db".to_string(),
                "instance:api.db.net".to_string()
            ),
            (
                "instance:api.db.net".to_string(),
                "instance:api.db.net.wall".to_string()
            ),
        ]
    );
}

#[test]
fn a_cycle_between_offerings_is_reported_once_with_every_hop() {
    let cyclic = NEEDS.replace(
        "inputs = { name = params.name }",
        "back: network {}\n    inputs = { name = params.name, back = back.id }",
    );
    let cyclic = cyclic.replace(
        "environment production {",
        "environment staging {\n  namespace = \"shop\"\n  backend kubernetes {}\n  use database.aws\n  use network.aws\n  use firewall.aws\n}\n\nenvironment production {",
    );
    let (diagnostics, _) = resolve(&cyclic);
    assert_eq!(
        codes(&diagnostics),
        vec![Code::DependencyCycle],
        "{}",
        describe(&diagnostics)
    );
    let cycle = &diagnostics[0];
    assert_eq!(
        cycle.message,
        "dependency cycle between offerings: `firewall` → `network` → `firewall`"
    );
    assert_eq!(cycle.secondary.len(), 1, "one label per hop");
    let labels: Vec<&str> = std::iter::once(cycle.primary.as_ref())
        .flatten()
        .chain(&cycle.secondary)
        .filter_map(|label| label.message.as_deref())
        .collect();
    assert_eq!(
        labels,
        vec![
            "the implementation `firewall.aws` needs `network` here",
            "the implementation `network.aws` needs `firewall` here",
        ]
    );
}

#[test]
fn workloads_that_call_each_other_or_themselves_are_no_cycle() {
    let text = r#"
environment production { namespace = "shop" }

workload a {
  calls = [b]
  container main {
    image = "ghcr.io/acme/a:1.0.0"
    ports = { http = 8080 }
    env = { B_URL = b.url }
  }
}

workload b {
  calls = [a, b]
  container main {
    image = "ghcr.io/acme/b:1.0.0"
    ports = { http = 8081 }
    env = { A_URL = a.url, SELF_URL = b.url }
  }
}
"#;
    let resolved = resolve_clean(text);
    let production = env(&resolved, "production");
    let calls = |name: &str| {
        production
            .workloads
            .iter()
            .find(|workload| workload.name == name)
            .map(|workload| workload.calls.clone())
            .unwrap_or_default()
    };
    assert_eq!(calls("a"), vec!["b".to_string()]);
    assert_eq!(calls("b"), vec!["a".to_string(), "b".to_string()]);
    // Each NetworkPolicy lets the other in and out, and `b` reaches itself.
    let db = Database::default();
    let project = project(&db, &[("main.plat", text)]);
    let id = plat_compiler::lowered::EnvironmentId::new(
        &db,
        project,
        plat_compiler::file::Origin::Project,
        "production".to_string(),
    );
    let model = plat_compiler::resolve::environment_model(&db, id).expect("resolved");
    let lifecycle = plat_compiler::resolve::environment_lifecycle(&db, id);
    let artifacts = plat_compiler::emit::bundle::environment(&db, &model, &lifecycle, "shop");
    let policy = |name: &str| {
        artifacts
            .iter()
            .find(|artifact| artifact.path == format!("kubernetes/{name}/networkpolicy.yaml"))
            .map(|artifact| artifact.contents.clone())
            .expect("a NetworkPolicy")
    };
    let b = policy("b");
    // Its own label and selector, and itself as a peer of ingress and of egress.
    let named = b.matches("app.kubernetes.io/name: b\n").count();
    assert_eq!(named, 4, "`b` lets itself in and reaches itself:\n{b}");
    assert!(policy("a").contains("app.kubernetes.io/name: b\n"));
}

const POLICY: &str = r#"
environment production {
  namespace = "shop"
  backend kubernetes {}
  policies = [min_replicas, pinned]
}

environment development { namespace = "shop-dev" }

policy min_replicas {
  require workload.replicas >= 2 else "production workloads need at least two replicas"
}

policy pinned {
  require !("latest" in workload.image_tags) else "pin every image"
}

workload api {
  container main { image = "ghcr.io/acme/api" }
  REPLICAS
}
"#;

#[test]
fn policies_hold_workloads_after_their_overrides() {
    let (diagnostics, _) = resolve(&POLICY.replace("REPLICAS", ""));
    assert_eq!(
        codes(&diagnostics),
        vec![Code::PolicyViolation, Code::PolicyViolation],
        "{}",
        describe(&diagnostics)
    );
    let messages: Vec<&str> = diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert!(messages.contains(&"production workloads need at least two replicas"));
    assert!(messages.contains(&"pin every image"));
    assert!(diagnostics.iter().all(|d| d.secondary.len() == 1));

    let fixed = POLICY
        .replace("REPLICAS", "override production { replicas = 2 }")
        .replace("ghcr.io/acme/api\"", "ghcr.io/acme/api:1.0.0\"");
    resolve_clean(&fixed);
}

#[test]
fn missing_implementations_and_shared_resources_are_reported_per_environment() {
    let (diagnostics, _) = resolve(
        r#"
import std.{postgres, redis}

environment development {
  namespace = "shop-dev"
  backend kubernetes {}
  use postgres.in_cluster
  shared_db: postgres { database = "shop" }
}

environment production {
  namespace = "shop"
  backend kubernetes {}
  use postgres.in_cluster
}

workload api {
  container main {
    image = "ghcr.io/acme/api:1.0.0"
    env = { DB = db.host, CACHE = cache.url }
  }
  db: postgres { shared = shared_db }
  cache: redis {}
}
"#,
    );
    let found: Vec<(Code, &str)> = diagnostics
        .iter()
        .map(|d| (d.code, d.message.as_str()))
        .collect();
    assert_eq!(
        found,
        vec![
            (
                Code::MissingSharedResource,
                "the environment `production` has no shared resource `shared_db`"
            ),
            (
                Code::MissingImplementation,
                "the environment `development` has no implementation of `redis`"
            ),
            (
                Code::MissingImplementation,
                "the environment `production` has no implementation of `redis`"
            ),
        ],
        "{}",
        describe(&diagnostics)
    );
    let help = diagnostics[1].help.as_deref().unwrap_or_default();
    assert!(help.contains("`use redis.in_cluster`"), "{help}");
}

#[test]
fn values_decided_per_environment_are_checked_against_their_types() {
    let (diagnostics, _) = resolve(
        r#"
import std.postgres

environment development {
  namespace = "shop-dev"
  backend kubernetes {}
  use postgres.in_cluster
}

environment production {
  namespace = "shop"
  backend kubernetes {}
  use postgres.in_cluster
}

workload checkout-api {
  container main { image = "ghcr.io/acme/api:1.0.0" }
  db: postgres { database = self.name }
  other: postgres {
    database = match env.name { "production" => "other" }
  }
}
"#,
    );
    let found: Vec<(Code, &str)> = diagnostics
        .iter()
        .map(|d| (d.code, d.message.as_str()))
        .collect();
    assert_eq!(
        found,
        vec![
            (
                Code::MergedTypeMismatch,
                "the parameter `database` of `checkout-api.db` does not fit its type in the environment `development`"
            ),
            (
                Code::MergedTypeMismatch,
                "the parameter `database` of `checkout-api.db` does not fit its type in the environment `production`"
            ),
            (
                Code::UnboundParam,
                "the parameter `database` of `checkout-api.other` has no value in the environment `development`"
            ),
        ],
        "{}",
        describe(&diagnostics)
    );
}

#[test]
fn resolution_is_not_shown_when_the_checker_found_errors() {
    let (diagnostics, resolved) = resolve(
        r#"
environment production {
  namespace = "shop"
  backend kubernetes {}
  policies = [min_replicas]
}
policy min_replicas { require workload.replicas >= 2 else "two" }
workload api {
  replicas = "one"
  container main { image = "ghcr.io/acme/api:1.0.0" }
}
"#,
    );
    assert_eq!(codes(&diagnostics), vec![Code::TypeMismatch]);
    assert!(!resolved.diagnostics.is_empty(), "resolution still ran");
}

#[test]
fn routes_become_ingresses_or_gateway_routes() {
    let resolved = resolve_clean(
        r#"
import std.route

environment development {
  namespace = "shop-dev"
  backend kubernetes {}
  use route.in_cluster { ingress_class = "traefik" }
}

environment production {
  namespace = "shop"
  backend kubernetes {}
  use route.gateway { gateway = "edge", gateway_namespace = "infra" }
}

workload web {
  container main {
    image = "ghcr.io/acme/web:1.0.0"
    ports = { http = 8080 }
    env = { PUBLIC_URL = site.url }
  }
  site: route { host = "shop.example.com", path = "/shop", port = 8080 }
}
"#,
    );
    let Provisioning::Ingress(ingress) =
        &instance(env(&resolved, "development"), "web.site").provisioning
    else {
        panic!("not an ingress");
    };
    assert_eq!(
        (ingress.host.as_str(), ingress.path.as_str(), ingress.port),
        ("shop.example.com", "/shop", 8080)
    );
    assert_eq!(ingress.class_or_gateway.as_deref(), Some("traefik"));
    let production = env(&resolved, "production");
    let Provisioning::GatewayRoute(route) = &instance(production, "web.site").provisioning else {
        panic!("not a gateway route");
    };
    assert_eq!(route.class_or_gateway.as_deref(), Some("edge"));
    assert_eq!(route.gateway_namespace.as_deref(), Some("infra"));
    assert_eq!(
        production.workloads[0].containers[0].env["PUBLIC_URL"],
        text("https://shop.example.com/shop")
    );
}

#[test]
fn the_graph_holds_no_secret() {
    let db = Database::default();
    let project = load_example(&db, "shop");
    let mut production = env(resolve_project(&db, project), "production").clone();
    // Plant secrets, known at compile time, everywhere a value could be.
    let planted = Value::Secret(Box::new(text("hunter2-planted")));
    for instance in production.instances.iter_mut().map(Arc::make_mut) {
        Arc::make_mut(&mut instance.params).insert("password".into(), planted.clone());
        Arc::make_mut(&mut instance.outputs).insert("password".into(), planted.clone());
    }
    for workload in production.workloads.iter_mut().map(Arc::make_mut) {
        for container in &mut workload.containers {
            container.env.insert("PASSWORD".into(), planted.clone());
            container.files.insert("/secret".into(), planted.clone());
        }
    }
    let graph = ResourceGraph::of(&production, &Lifecycle::default());
    for rendered in [
        graph::json::render(&graph),
        graph::dot::render(&graph),
        graph::mermaid::render(&graph),
    ] {
        assert!(!rendered.contains("hunter2"), "{rendered}");
        assert!(rendered.contains("checkout-api"));
    }
}

#[test]
fn the_graph_is_deterministic_and_documented() {
    let render = || {
        let db = Database::default();
        let project = load_example(&db, "shop");
        let graph = graph::environment_graph(&db, project, "production").expect("production");
        graph::json::render(graph)
    };
    let first = render();
    assert_eq!(first, render());
    let json: serde_json::Value = serde_json::from_str(&first).expect("valid JSON");
    assert_eq!(json["environment"], "production");
    for node in json["nodes"].as_array().expect("nodes") {
        let keys: Vec<&str> = node
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            vec![
                "application",
                "id",
                "implementation",
                "kind",
                "name",
                "offering",
                "owner",
                "protected",
                "provisioner",
                "removed",
                "stateful",
                "version"
            ]
        );
    }
    for edge in json["edges"].as_array().expect("edges") {
        let keys: Vec<&str> = edge
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, vec!["from", "kind", "name", "to"]);
    }
    assert!(first.contains(r#""from": "workload:checkout-api""#));
}

#[test]
fn resources_whose_params_read_each_other_are_a_cycle() {
    let cyclic = PRECEDENCE.replace(
        "it: thing { c = \"instance\", d = \"instance\" }",
        "it: thing { c = other.a }\n  other: thing { a = it.c }",
    );
    let (diagnostics, _) = resolve(&cyclic);
    assert_eq!(
        codes(&diagnostics),
        vec![Code::DependencyCycle],
        "{}",
        describe(&diagnostics)
    );
    assert_eq!(
        diagnostics[0].message,
        "dependency cycle between resources: `it` → `other` → `it`"
    );
    assert_eq!(diagnostics[0].secondary.len(), 1);
}

#[test]
fn long_chains_neither_overflow_nor_slow_down() {
    let mut text = String::from("environment production { namespace = \"shop\" ");
    for at in 0..200 {
        text.push_str(&format!("use o{at}.x "));
    }
    text.push_str("}\n");
    for at in 0..200 {
        let need = if at + 1 < 200 {
            format!("n: o{} {{}}", at + 1)
        } else {
            String::new()
        };
        text.push_str(&format!(
            "offering o{at} {{ version = \"1.0.0\" output id: string implementation x: existing {{ {need} outputs = {{ id = \"x\" }} }} }}\n"
        ));
    }
    for at in 0..3000 {
        let next = (at + 1) % 3000;
        text.push_str(&format!(
            "workload w{at} {{ calls = [w{next}] container main {{ image = \"ghcr.io/acme/w:1.0.0\" }} }}\n"
        ));
    }
    text.push_str(
        "workload top { container main { image = \"ghcr.io/acme/w:1.0.0\" } r: o0 {} }\n",
    );
    let started = std::time::Instant::now();
    let (diagnostics, resolved) = resolve(&text);
    assert!(started.elapsed().as_secs() < 30);
    // A ring of calls through every workload is no cycle.
    assert!(diagnostics.is_empty(), "{}", describe(&diagnostics));
    let production = env(&resolved, "production");
    assert!(production.instances.len() > 1);
}

#[test]
fn a_workloads_attributes_decided_per_environment_are_checked_against_their_types() {
    let (diagnostics, _) = resolve(
        r#"
environment production { namespace = "shop" }
environment development { namespace = "shop-dev" }

workload api {
  labels = { tier = "web", stage = "${env.name} stage" }
  container main {
    image = "ghcr.io/acme/api:1.0.0"
    ports = { http = 8080 }
  }
}
"#,
    );
    assert_eq!(
        codes(&diagnostics),
        vec![Code::MergedTypeMismatch, Code::MergedTypeMismatch],
        "one per environment: {}",
        describe(&diagnostics)
    );
    assert!(
        diagnostics.iter().all(|d| d
            .message
            .starts_with("`labels` of `api` does not fit its type")),
        "{}",
        describe(&diagnostics)
    );
    assert_eq!(
        diagnostics[0]
            .primary
            .as_ref()
            .and_then(|label| label.message.clone()),
        Some(
            "`\"development stage\"`: only letters, digits, `-`, `_` and `.` are allowed"
                .to_string()
        )
    );
}

#[test]
fn a_match_with_no_arm_in_a_policy_is_an_error() {
    let (diagnostics, _) = resolve(
        r#"
environment production {
  namespace = "shop"
  policies = [sevens]
}

policy sevens {
  require match workload.replicas { 7 => true } else "run seven replicas"
}

workload api {
  container main { image = "ghcr.io/acme/api:1.0.0" }
}
"#,
    );
    assert_eq!(
        codes(&diagnostics),
        vec![Code::NoMatchingArm],
        "{}",
        describe(&diagnostics)
    );
    assert_eq!(
        diagnostics[0].message,
        "no arm of this `match` matches `1` in the environment `production`"
    );
}

const PLATFORM_POLICIES: &str = r#"
import std.postgres

environment production {
  namespace = "shop"
  region = "eu-west-1"
  policies = [probes, limits, registry, databases, no_debug, low_ports]
  backend s3 {
    bucket = "state"
    use_lockfile = true
  }
  use postgres.aws {
    subnet_ids = ["subnet-1"]
    subnet_cidrs = ["10.0.0.0/24"]
    security_group_ids = ["sg-1"]
  }
}

/// Every container can be restarted, and taken out of its Service, when it fails.
policy probes {
  require every c in workload.containers: c.liveness? && c.readiness?
    else "every container needs a liveness and a readiness probe"
  require every c in workload.containers: !c.liveness? || c.liveness.period <= 30s
    else "probe at least every 30 seconds"
}

/// Requests and limits stay within what a node offers.
policy limits {
  require every c in workload.containers: c.memory_limit <= 2Gi && c.cpu >= 100m
    else "at most 2Gi of memory, at least 100m of CPU"
}

/// Images come from the company's registry.
policy registry {
  require every c in workload.containers: c.image matching "^ghcr\\.io/acme/"
    else "pull images from ghcr.io/acme"
}

/// Production databases are RDS, in several zones, and not the smallest.
policy databases {
  require every db: postgres in workload.instances:
    db.implementation == "aws" && db.params.multi_az == true && db.params.size != "small"
    else "production databases run on RDS in several zones"
}

/// Nobody ships a debug switch.
policy no_debug {
  require !(some c in workload.containers: "DEBUG" in c.env) else "no DEBUG variable"
}

/// Nothing listens below 1024.
policy low_ports {
  require every c in workload.containers: every p in c.ports: p.port >= 1024
    else "listen on ports from 1024"
}

workload api {
  container main {
    image = "ghcr.io/acme/api:1.0.0"
    ports = { http = 8080 }
    memory = 4Gi
    liveness = { path = "/healthz", port = 8080, period = 60s }
    readiness = { path = "/ready", port = 8080 }
  }

  container proxy {
    image = "docker.io/envoyproxy/envoy:v1.30.0"
    ports = { admin = 80 }
    env = { DEBUG = "1" }
  }

  db: postgres { database = "api" }
}
"#;

#[test]
fn policies_read_containers_probes_limits_images_and_instances() {
    let (diagnostics, _) = resolve(PLATFORM_POLICIES);
    let found: Vec<(Code, String, String)> = diagnostics
        .iter()
        .map(|d| {
            let label = d
                .primary
                .as_ref()
                .and_then(|label| label.message.clone())
                .unwrap_or_default();
            (d.code, d.message.clone(), label)
        })
        .collect();
    let expect = |message: &str, what: &str| {
        assert!(
            found
                .iter()
                .any(|(code, text, label)| *code == Code::PolicyViolation
                    && text == message
                    && label.starts_with(what)),
            "no `{message}` at {what}:\n{}",
            describe(&diagnostics)
        );
    };
    expect(
        "every container needs a liveness and a readiness probe",
        "the container `proxy` of `api`",
    );
    expect(
        "probe at least every 30 seconds",
        "the container `main` of `api`",
    );
    expect(
        "at most 2Gi of memory, at least 100m of CPU",
        "the container `main` of `api`",
    );
    expect(
        "pull images from ghcr.io/acme",
        "the container `proxy` of `api`",
    );
    expect(
        "production databases run on RDS in several zones",
        "the resource `db` of `api`",
    );
    expect("no DEBUG variable", "`api`");
    expect(
        "listen on ports from 1024",
        "the container `proxy` of `api`",
    );
    assert_eq!(
        diagnostics.len(),
        7,
        "each failing container once, no other: {}",
        describe(&diagnostics)
    );
}

#[test]
fn a_policy_that_reads_a_field_that_does_not_exist_is_a_compile_error() {
    for (condition, field) in [
        (
            "every c in workload.containers: c.memroy_limit <= 2Gi",
            "memroy_limit",
        ),
        (
            "every db in workload.instances: db.params.size != \"small\"",
            "params",
        ),
        (
            "every db: postgres in workload.instances: db.params.multiaz",
            "multiaz",
        ),
        ("workload.replica >= 2", "replica"),
    ] {
        let text = format!(
            "import std.postgres\nenvironment production {{ namespace = \"shop\" policies = [p] }}\npolicy p {{ require {condition} }}\n"
        );
        let (diagnostics, _) = resolve(&text);
        let diagnostics: Vec<Diagnostic> = diagnostics
            .into_iter()
            .filter(|d| d.code != Code::UnusedImport)
            .collect();
        assert_eq!(
            codes(&diagnostics),
            vec![Code::UnknownField],
            "{condition}: {}",
            describe(&diagnostics)
        );
        assert_eq!(diagnostics[0].message, format!("unknown field `{field}`"));
    }
}

#[test]
fn quantifiers_optional_values_and_patterns_are_type_checked() {
    for (condition, code) in [
        ("every c in workload.name: true", Code::TypeMismatch),
        (
            "every c in workload.containers: c.image?",
            Code::TypeMismatch,
        ),
        ("every c in workload.containers: c.name", Code::TypeMismatch),
        ("workload.name matching \"[\"", Code::InvalidPattern),
        (
            "every c: postgres in workload.containers: true",
            Code::TypeMismatch,
        ),
        (
            "every db: postgress in workload.instances: true",
            Code::UnknownName,
        ),
    ] {
        let text = format!(
            "import std.postgres\nenvironment production {{ namespace = \"shop\" policies = [p] }}\npolicy p {{ require {condition} }}\n"
        );
        let (diagnostics, _) = resolve(&text);
        let diagnostics: Vec<Diagnostic> = diagnostics
            .into_iter()
            .filter(|d| d.code != Code::UnusedImport)
            .collect();
        assert_eq!(
            codes(&diagnostics),
            vec![code],
            "{condition}: {}",
            describe(&diagnostics)
        );
    }
}

#[test]
fn a_policy_warns_or_denies_and_a_waiver_accepts_with_its_reason() {
    let text = r#"
environment production {
  namespace = "shop"
  policies = [min_replicas, probes]

  waiver min_replicas {
    workloads = [report]
    reason = "one report a night"
  }
}

policy min_replicas {
  require workload.replicas >= 2 else "two replicas"
}

policy probes {
  severity = "warn"
  require every c in workload.containers: c.readiness? else "a readiness probe"
}

workload report {
  container main { image = "ghcr.io/acme/report:1.0.0" }
}
"#;
    let (diagnostics, _) = resolve(text);
    assert_eq!(
        codes(&diagnostics),
        vec![Code::PolicyViolation, Code::PolicyWarning],
        "{}",
        describe(&diagnostics)
    );
    let waived = &diagnostics[0];
    let suppression = waived.suppression.as_ref().expect("waived");
    assert_eq!(suppression.justification, "one report a night");
    assert!(!waived.is_error(), "a waived violation fails nothing");
    assert!(!diagnostics.iter().any(|d| d.is_error()));
    assert!(diagnostics[1].suppression.is_none());
}
