//! The workload model resolved: kinds (services, jobs, scheduled jobs), autoscalers
//! and the policies that read them, Service ports and the addresses they make, init
//! containers and sidecars in order, probes and hooks, and the checks of what the pods
//! need in each environment.

use plat_compiler::check::check_project;
use plat_compiler::diagnostic::{Code, Diagnostic};
use plat_compiler::resolve::model::{
    Autoscaling, Concurrency, ContainerKind, HandlerAction, ProbeAction, ResolvedEnvironment,
    ResolvedWorkload, WorkloadKind,
};
use plat_compiler::resolve::value::Value;
use plat_compiler::resolve::{ResolvedProject, resolve_project};
use plat_compiler::source::Database;

/// Checks and resolves a one-file project.
fn resolve(text: &str) -> (Vec<Diagnostic>, ResolvedProject) {
    let db = Database::default();
    let files = vec![("main.plat".to_string(), text.to_string())];
    let project = plat_compiler::project::from_texts(&db, &files);
    (
        check_project(&db, project).clone(),
        resolve_project(&db, project).clone(),
    )
}

/// What the primary label of `diagnostic` says.
fn label(diagnostic: &Diagnostic) -> &str {
    diagnostic
        .primary
        .as_ref()
        .and_then(|label| label.message.as_deref())
        .unwrap_or_default()
}

fn codes(diagnostics: &[Diagnostic]) -> Vec<Code> {
    diagnostics.iter().map(|d| d.code).collect()
}

fn environment<'a>(resolved: &'a ResolvedProject, name: &str) -> &'a ResolvedEnvironment {
    resolved
        .environments
        .iter()
        .find(|environment| environment.name == name)
        .expect("environment")
}

fn workload<'a>(environment: &'a ResolvedEnvironment, name: &str) -> &'a ResolvedWorkload {
    environment.workload(name).expect("workload")
}

const ENVIRONMENTS: &str = r#"
environment development {
  namespace = "shop-dev"
}

environment production {
  namespace = "shop"
  policies = [min_replicas]
}

policy min_replicas {
  require workload.replicas >= 2 else "two replicas at least"
}
"#;

#[test]
fn a_policy_on_replicas_reads_the_autoscalers_minimum() {
    let text = format!(
        "{ENVIRONMENTS}
workload web {{
  container main {{ image = \"ghcr.io/acme/web:1.0.0\" }}
  override production {{ autoscaling = {{ min = 2, max = 8, cpu = 70 }} }}
}}
workload api {{
  container main {{ image = \"ghcr.io/acme/api:1.0.0\" }}
  override production {{ autoscaling = {{ max = 8 }} }}
}}
"
    );
    let (diagnostics, resolved) = resolve(&text);
    let violations: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.code == Code::PolicyViolation)
        .collect();
    assert_eq!(violations.len(), 1, "{diagnostics:?}");
    assert!(
        label(violations[0]).contains("`api`"),
        "{:?}",
        violations[0]
    );
    let production = environment(&resolved, "production");
    let web = workload(production, "web");
    assert_eq!(web.replicas, 2);
    assert_eq!(
        web.kind,
        WorkloadKind::Service {
            autoscaling: Some(Autoscaling {
                min: 2,
                max: 8,
                cpu: Some(70),
                memory: None
            })
        }
    );
    assert_eq!(web.most_pods(), Some(8));
    let development = environment(&resolved, "development");
    assert_eq!(
        workload(development, "web").kind,
        WorkloadKind::Service { autoscaling: None }
    );
}

#[test]
fn callers_reach_a_workload_on_its_service_port() {
    let (diagnostics, resolved) = resolve(&format!(
        "{ENVIRONMENTS}
workload front-end {{
  replicas = 2
  service_ports = {{ http = 80 }}
  container main {{
    image = \"weaveworksdemos/front-end:0.3.12\"
    ports = {{ http = 8079 }}
  }}
}}
workload edge {{
  replicas = 2
  calls = [front-end]
  container main {{
    image = \"ghcr.io/acme/edge:1.0.0\"
    env = {{ FRONT_END = front-end.url }}
  }}
}}
"
    ));
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let development = environment(&resolved, "development");
    let edge = workload(development, "edge");
    assert_eq!(
        edge.containers[0].env["FRONT_END"],
        Value::String("http://front-end.shop-dev.svc.cluster.local:80".to_string())
    );
    let front_end = workload(development, "front-end");
    assert_eq!(front_end.service_port("http", 8079), 80);
}

#[test]
fn jobs_schedules_init_containers_sidecars_probes_and_hooks_are_decided() {
    let (diagnostics, resolved) = resolve(&format!(
        "{}
workload report {{
  schedule = {{ cron = \"30 2 * * *\", time_zone = \"Europe/Amsterdam\", concurrency = \"Forbid\" }}
  job = {{ backoff_limit = 2, active_deadline = 1h }}
  init_container fetch {{ image = \"ghcr.io/acme/fetch:1.0.0\" }}
  sidecar proxy {{
    image = \"ghcr.io/acme/proxy:1.0.0\"
    ports = {{ admin = 9901 }}
    startup = {{ tcp = 9901, failure_threshold = 30 }}
  }}
  container main {{
    image = \"ghcr.io/acme/report:1.0.0\"
    ports = {{ grpc = 9555 }}
    liveness = {{ grpc = 9555, period = 20s }}
    readiness = {{ exec = [\"/bin/ready\"] }}
    pre_stop = {{ sleep = 5s }}
  }}
  override production {{
    schedule = {{ cron = \"@hourly\" }}
  }}
}}
",
        ENVIRONMENTS.replace("policies = [min_replicas]", "")
    ));
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let development = environment(&resolved, "development");
    let report = workload(development, "report");
    let WorkloadKind::CronJob { schedule, job } = &report.kind else {
        panic!("a CronJob: {:?}", report.kind);
    };
    assert_eq!(schedule.cron, "30 2 * * *");
    assert_eq!(schedule.time_zone.as_deref(), Some("Europe/Amsterdam"));
    assert_eq!(schedule.concurrency, Concurrency::Forbid);
    assert_eq!((job.backoff_limit, job.active_deadline), (2, Some(3600)));
    assert_eq!(report.most_pods(), Some(1));
    let kinds: Vec<(&str, ContainerKind)> = report
        .containers
        .iter()
        .map(|container| (container.name.as_str(), container.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("fetch", ContainerKind::Init),
            ("proxy", ContainerKind::Sidecar),
            ("main", ContainerKind::Main)
        ]
    );
    let proxy = &report.containers[1];
    let startup = proxy.startup.as_ref().expect("a startup probe");
    assert_eq!(startup.action, ProbeAction::Tcp { port: 9901 });
    assert_eq!(startup.failure_threshold, 30);
    let main = &report.containers[2];
    let liveness = main.liveness.as_ref().expect("a liveness probe");
    assert_eq!(
        (liveness.action.clone(), liveness.period_seconds),
        (
            ProbeAction::Grpc {
                port: 9555,
                service: None
            },
            20
        )
    );
    assert_eq!(
        main.pre_stop.as_ref().map(|hook| hook.action.clone()),
        Some(HandlerAction::Sleep { seconds: 5 })
    );
    // The override replaces the whole schedule: `concurrency` is back to `Allow`.
    let production = environment(&resolved, "production");
    let WorkloadKind::CronJob { schedule, .. } = &workload(production, "report").kind else {
        panic!("a CronJob");
    };
    assert_eq!(
        (schedule.cron.as_str(), schedule.concurrency),
        ("@hourly", Concurrency::Allow)
    );
    assert_eq!(workload(production, "report").most_pods(), None);
}

#[test]
fn a_read_write_once_volume_counts_the_most_pods_a_workload_may_run() {
    let text = r#"
import std.volume

environment development {
  namespace = "shop-dev"
  use volume.in_cluster { storage_class = "standard", access_mode = "ReadWriteOnce" }
}

workload indexer {
  autoscaling = { min = 1, max = 3 }
  container main {
    image = "ghcr.io/acme/indexer:1.0.0"
    volumes = { "/data" = data }
  }
  data: volume { size = 1Gi }
}

workload compactor {
  schedule = { cron = "@daily" }
  container main {
    image = "ghcr.io/acme/compactor:1.0.0"
    volumes = { "/data" = data }
  }
  data: volume { size = 1Gi }
}
"#;
    let (diagnostics, _) = resolve(text);
    let messages: Vec<&str> = diagnostics
        .iter()
        .filter(|d| d.code == Code::ReadWriteOnceShared)
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(messages.len(), 2, "{diagnostics:?}");
    assert!(
        messages
            .iter()
            .any(|m| m.contains("`indexer.data`") && m.contains("3 pods")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("`compactor.data`") && m.contains("several pods")),
        "{messages:?}"
    );
}

#[test]
fn what_breaks_at_run_time_is_reported_in_the_environment_where_it_does() {
    let text = format!(
        "{ENVIRONMENTS}
workload api {{
  replicas = 2
  container main {{
    image = \"ghcr.io/acme/api:1.0.0\"
    ports = {{ http = 8080 }}
    readiness = {{ path = \"/ready\", port = 8080 }}
  }}
  override production {{
    container main {{ ports = {{ http = 9090 }} }}
  }}
}}
"
    );
    let (diagnostics, _) = resolve(&text);
    assert_eq!(
        codes(&diagnostics),
        [Code::UndeclaredPort],
        "{diagnostics:?}"
    );
    assert!(diagnostics[0].message.contains("port 8080"));
    assert!(
        label(&diagnostics[0]).contains("`production`"),
        "{:?}",
        diagnostics[0]
    );
}

#[test]
fn a_job_owns_no_route() {
    let text = r#"
import std.route

environment development {
  namespace = "shop-dev"
  use route.in_cluster
}

workload importer {
  job = { backoff_limit = 1 }
  container main {
    image = "ghcr.io/acme/importer:1.0.0"
    ports = { http = 8080 }
  }
  web: route { host = "importer.localtest.me", port = 8080 }
}
"#;
    let (diagnostics, _) = resolve(text);
    assert!(
        codes(&diagnostics).contains(&Code::JobWithoutAddress),
        "{diagnostics:?}"
    );
}

#[test]
fn a_value_decided_per_environment_is_held_to_its_type() {
    let text = r#"
environment development {
  namespace = "shop-dev"
}

workload report {
  schedule = { cron = "@daily", time_zone = "Europe/${self.name}" }
  container main { image = "ghcr.io/acme/report:1.0.0" }
}
"#;
    let (diagnostics, _) = resolve(text);
    assert_eq!(
        codes(&diagnostics),
        [Code::MergedTypeMismatch],
        "{diagnostics:?}"
    );
    assert!(
        diagnostics[0]
            .message
            .contains("`time_zone` of `schedule` of `report`"),
        "{:?}",
        diagnostics[0]
    );
    assert!(
        label(&diagnostics[0]).contains("not a time zone"),
        "{:?}",
        diagnostics[0]
    );
}
