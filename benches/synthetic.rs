//! A synthetic platform of any size, in the shape of `examples/shop`, for the benchmarks.
//!
//! Invariant: the same numbers of workloads and environments always give the same files,
//! byte for byte, and the project checks and builds without a diagnostic.
//!
//! The platform has `environments` environments: `development` (everything in the
//! cluster), `staging` and `production` on AWS, and further AWS regions
//! (`production-2`, `production-3`, ...) beyond three. Every environment declares the
//! shared resources: a database per team of 50 workloads, a DNS zone, two queues and a
//! volume. Staging holds `pinned_images`, production and the regions hold
//! `min_replicas` too. Workloads cycle through ten shapes taken from the shop: web front
//! ends (a route, sessions in Redis, the shared zone), APIs with their own or their
//! team's database, queue workers, singletons (a report job, a search indexer with the
//! shared volume) and a payments API (an external secret, a workload identity). Each
//! workload calls up to three APIs declared before it, so the calls never form a cycle.
//!
//! Files: `plat.toml`, `platform/environments.plat`, `platform/policies.plat` and one
//! `workloads/<name>.plat` per workload.

use std::fmt::Write as _;
use std::path::Path;

/// Workloads per team; each team shares one database.
const TEAM_SIZE: usize = 50;

/// The shape of a workload, chosen by its number.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Web,
    Api,
    SharedApi,
    Worker,
    Job,
    Indexer,
    Payments,
}

impl Shape {
    /// Ten shapes in turn, weighted like a typical platform: mostly APIs and workers.
    fn of(n: usize) -> Shape {
        match n % 10 {
            0 => Shape::Web,
            1 | 4 => Shape::Api,
            2 | 6 => Shape::SharedApi,
            3 | 7 => Shape::Worker,
            5 => Shape::Job,
            8 => Shape::Indexer,
            _ => Shape::Payments,
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Shape::Web => "web",
            Shape::Api | Shape::SharedApi => "api",
            Shape::Worker => "worker",
            Shape::Job => "report",
            Shape::Indexer => "indexer",
            Shape::Payments => "payments",
        }
    }

    /// Whether other workloads may call it: it serves HTTP.
    fn serves(self) -> bool {
        matches!(self, Shape::Api | Shape::SharedApi | Shape::Payments)
    }
}

/// The name of workload number `n` (from 0).
fn name(n: usize) -> String {
    format!("{}-{n:05}", Shape::of(n).prefix())
}

/// The name of environment number `e` (from 0).
fn environment_name(e: usize) -> String {
    match e {
        0 => "development".to_string(),
        1 => "staging".to_string(),
        2 => "production".to_string(),
        _ => format!("production-{}", e - 1),
    }
}

/// Every file of the platform, as (path relative to the root, contents), sorted by path.
pub fn files(workloads: usize, environments: usize) -> Vec<(String, String)> {
    let mut files = vec![
        (
            "plat.toml".to_string(),
            "[project]\nname = \"synthetic\"\n".to_string(),
        ),
        (
            "platform/environments.plat".to_string(),
            environments_file(workloads, environments),
        ),
        ("platform/policies.plat".to_string(), POLICIES.to_string()),
    ];
    for n in 0..workloads {
        files.push((
            format!("workloads/{}.plat", name(n)),
            workload(n, environments),
        ));
    }
    files.sort();
    files
}

/// Writes the platform under `root`, which must be empty or absent.
pub fn write(root: &Path, workloads: usize, environments: usize) -> std::io::Result<()> {
    if root.exists() && std::fs::read_dir(root)?.next().is_some() {
        return Err(std::io::Error::other(format!(
            "{} is not empty",
            root.display()
        )));
    }
    for (path, text) in files(workloads, environments) {
        let path = root.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, text)?;
    }
    Ok(())
}

const POLICIES: &str = r#"// The rules that environments hold their workloads to.

/// Every workload runs at least two replicas, except singletons, which say so.
policy min_replicas {
  require workload.replicas >= 2 || "acme.example/singleton" in workload.labels
    else "production workloads need at least two replicas"
}

/// Every image is pinned to a released version.
policy pinned_images {
  require !("latest" in workload.image_tags)
    else "pin every image to a version: the tag `latest` is not allowed here"
}
"#;

const OFFERINGS: &str = "postgres, mysql, redis, bucket, queue, dns, dns_record, route, volume, workload_identity, external_secret";

fn teams(workloads: usize) -> usize {
    workloads.div_ceil(TEAM_SIZE).max(1)
}

fn environments_file(workloads: usize, environments: usize) -> String {
    let mut out =
        format!("// The environments of the synthetic platform.\n\nimport std.{{{OFFERINGS}}}\n");
    for e in 0..environments {
        out.push('\n');
        if e == 0 {
            development(&mut out);
        } else {
            aws(&mut out, e);
        }
        shared(&mut out, e, teams(workloads));
        out.push_str("}\n");
    }
    out
}

fn development(out: &mut String) {
    out.push_str(
        r#"/// A developer's own cluster: everything runs in Kubernetes.
environment development {
  namespace = "synthetic-dev"
  cluster = "kind-synthetic"
  domain = "synthetic.localtest.me"

  backend kubernetes {
    namespace = "synthetic-dev"
  }

  use postgres.in_cluster
  use mysql.in_cluster
  use redis.in_cluster
  use bucket.in_cluster
  use queue.in_cluster
  use dns.in_cluster
  use route.in_cluster
  use volume.in_cluster { storage_class = "nfs-csi" }
  use workload_identity.in_cluster
  use external_secret.in_cluster
"#,
    );
}

fn aws(out: &mut String, e: usize) {
    let name = environment_name(e);
    let policies = if e == 1 {
        "[pinned_images]"
    } else {
        "[min_replicas, pinned_images]"
    };
    let region = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2"][e % 4];
    let net = format!("{e:02x}{:015x}", e * 7919);
    let _ = write!(
        out,
        r#"/// {name}, on AWS in {region}.
environment {name} {{
  namespace = "synthetic"
  cluster = "eks-{name}-{region}"
  region = "{region}"
  domain = "{name}.synthetic.example.com"
  policies = {policies}

  backend s3 {{
    bucket = "acme-terraform-state"
    key = "synthetic/{name}.tfstate"
    region = "{region}"
    use_lockfile = true
  }}

  use postgres.aws {{
    subnet_ids = ["subnet-{net}1", "subnet-{net}2"]
    subnet_cidrs = {cidrs}
    security_group_ids = ["sg-{net}3"]
    multi_az = {multi_az}
  }}
  use mysql.aws {{
    subnet_ids = ["subnet-{net}1", "subnet-{net}2"]
    subnet_cidrs = {cidrs}
    security_group_ids = ["sg-{net}4"]
  }}
  use redis.aws {{
    vpc_id = "vpc-{net}0"
    subnet_ids = ["subnet-{net}1", "subnet-{net}2"]
    subnet_cidrs = {cidrs}
    client_security_group_id = "sg-{net}5"
  }}
  use bucket.aws {{ name_prefix = "acme-synthetic-{name}-", api_cidrs = {cidrs} }}
  use queue.aws {{ api_cidrs = {cidrs} }}
  use dns.aws
  use dns_record.aws
  use route.aws {{
    zone = "{name}.synthetic.example.com"
    load_balancer = "k8s-synthetic-edge-{net}.{region}.elb.amazonaws.com"
    load_balancer_zone_id = "Z32O12XQLNTSW2"
  }}
  use volume.aws {{
    vpc_id = "vpc-{net}0"
    mount_targets = {{
      "{region}a" = {{ subnet_id = "subnet-{net}1" }}
      "{region}b" = {{ subnet_id = "subnet-{net}2" }}
    }}
    client_security_group_id = "sg-{net}5"
  }}
  use workload_identity.aws {{
    oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.{region}.amazonaws.com/id/{net}"
    api_cidrs = {cidrs}
  }}
  use external_secret.aws
"#,
        multi_az = e >= 2,
        cidrs = format!("[\"10.{e}.0.0/19\", \"10.{e}.32.0/19\"]"),
    );
}

fn shared(out: &mut String, e: usize, teams: usize) {
    let size = match e {
        0 | 1 => "small",
        _ => "large",
    };
    let domain = if e == 0 {
        "synthetic.localtest.me".to_string()
    } else {
        format!("{}.synthetic.example.com", environment_name(e))
    };
    let _ = write!(
        out,
        r#"
  /// The zone that the platform's names live in.
  site_dns: dns {{ domain = "{domain}" }}
  /// Orders placed, waiting to be fulfilled.
  order_events: queue {{ fifo = true }}
  /// E-mails waiting to be sent.
  email_outbox: queue {{}}
  /// The search index: written by the indexers, read by the APIs.
  search_index: volume {{ size = 20Gi }}
"#
    );
    for team in 0..teams {
        let _ = writeln!(
            out,
            "  /// The database of team {team}.\n  team_{team}_db: postgres {{ database = \"team_{team}\", size = \"{size}\" }}"
        );
    }
}

/// The APIs that workload `n` calls: up to `count` APIs declared before it, picked by a
/// fixed hash so that the graph has fan-in without forming a cycle.
fn callees(n: usize, count: usize) -> Vec<String> {
    let mut picked: Vec<usize> = Vec::new();
    let mut seed = n.wrapping_mul(2_654_435_761) % 4_294_967_291;
    for _ in 0..count * 4 {
        if picked.len() == count || n == 0 {
            break;
        }
        seed = (seed * 48_271) % 2_147_483_647;
        let back = 1 + seed % n.min(60);
        let callee = n - back;
        if Shape::of(callee).serves() && !picked.contains(&callee) {
            picked.push(callee);
        }
    }
    picked.sort_unstable();
    picked.into_iter().map(name).collect()
}

/// A `match env.name` choosing a host per environment.
fn host(name: &str) -> String {
    format!(
        "match env.name {{\n      \"production\" => \"{name}.example.com\"\n      \"staging\" => \"{name}.staging.example.com\"\n      _ => \"{name}.localtest.me\"\n    }}"
    )
}

fn workload(n: usize, environments: usize) -> String {
    let shape = Shape::of(n);
    let name = name(n);
    let team = n / TEAM_SIZE;
    let image = format!("ghcr.io/acme/{name}:{}.{}.{}", 1 + n % 5, n % 20, n % 7);
    let production = environments > 2;
    let mut out = String::new();
    match shape {
        Shape::Web => {
            let calls = callees(n, 3);
            out.push_str("import std.{redis, route, dns}\n\n");
            let _ = writeln!(out, "/// Web front end number {n}: server-rendered pages.");
            let _ = writeln!(out, "workload {name} {{\n  replicas = 2");
            calls_line(&mut out, &calls);
            let _ = writeln!(
                out,
                "  labels = {{ team = \"team-{team}\", tier = \"frontend\" }}\n"
            );
            let mut env = vec![
                "NODE_ENV = \"production\"".to_string(),
                "APP_ENV = env.name".to_string(),
                "LOG_LEVEL = if env.name == \"production\" then \"info\" else \"debug\""
                    .to_string(),
                "PUBLIC_URL = web.url".to_string(),
                "COOKIE_DOMAIN = site.domain".to_string(),
                "SESSION_REDIS_URL = sessions.url".to_string(),
            ];
            env.extend(call_urls(&calls));
            container(
                &mut out,
                Container {
                    image: &image,
                    args: &[],
                    ports: "http = 3000",
                    env: &env,
                    volumes: None,
                    cpu: "250m",
                    memory: "512Mi",
                    probes: true,
                },
            );
            let _ = write!(
                out,
                "\n  /// Sessions are never evicted.\n  sessions: redis {{ eviction = \"noeviction\" }}\n\n  /// The public address.\n  web: route {{\n    host = {}\n    port = 3000\n  }}\n\n  site: dns {{ shared = site_dns }}\n",
                host(&name)
            );
            if production {
                out.push_str("\n  override production {\n    replicas = 4\n    container main {\n      cpu = 1\n      memory = 1Gi\n    }\n  }\n");
            }
        }
        Shape::Api | Shape::SharedApi => {
            let calls = callees(n, 1);
            let own = shape == Shape::Api;
            out.push_str(if own {
                "import std.{postgres, redis}\n\n"
            } else {
                "import std.{postgres, bucket, route}\n\n"
            });
            let _ = writeln!(out, "/// API number {n}, over HTTP and JSON.");
            let _ = writeln!(out, "workload {name} {{\n  replicas = 2");
            calls_line(&mut out, &calls);
            let _ = writeln!(out, "  labels = {{ team = \"team-{team}\" }}\n");
            let mut env = vec!["DATABASE_URL = db.url".to_string()];
            if own {
                env.push("CACHE_URL = cache.url".to_string());
            } else {
                env.push("FILES_BUCKET = files.name".to_string());
                env.push("FILES_ENDPOINT = files.endpoint".to_string());
                env.push("PUBLIC_API_URL = api.url".to_string());
            }
            env.extend(call_urls(&calls));
            container(
                &mut out,
                Container {
                    image: &image,
                    args: &["serve", "--port", "8080"],
                    ports: "http = 8080, metrics = 9090",
                    env: &env,
                    volumes: None,
                    cpu: "500m",
                    memory: "512Mi",
                    probes: true,
                },
            );
            if own {
                let _ = write!(
                    out,
                    "\n  /// Its own database.\n  db: postgres {{ database = \"api_{n}\", size = \"medium\" }}\n  cache: redis {{ size = \"medium\", eviction = \"volatile-lru\" }}\n"
                );
            } else {
                let _ = write!(
                    out,
                    "\n  db: postgres {{ shared = team_{team}_db }}\n  /// Uploaded files, kept in every version.\n  files: bucket {{ versioned = true }}\n\n  api: route {{\n    host = {}\n    path = \"/{name}\"\n    port = 8080\n  }}\n",
                    host(&format!("api-{team}"))
                );
            }
            if production {
                out.push_str("\n  override production {\n    replicas = 3\n  }\n");
            }
        }
        Shape::Worker => {
            let calls = callees(n, 1);
            out.push_str("import std.{postgres, queue}\n\n");
            let _ = writeln!(
                out,
                "/// Worker number {n}: takes orders from the queue and queues e-mails."
            );
            let _ = writeln!(out, "workload {name} {{\n  replicas = 2");
            calls_line(&mut out, &calls);
            let _ = writeln!(out, "  labels = {{ team = \"team-{team}\" }}\n");
            let mut env = vec![
                "DATABASE_URL = db.url".to_string(),
                "ORDER_EVENTS_QUEUE_URL = orders.url".to_string(),
                "EMAIL_OUTBOX_QUEUE_URL = outbox.url".to_string(),
            ];
            env.extend(call_urls(&calls));
            container(
                &mut out,
                Container {
                    image: &image,
                    args: &["--concurrency", "8"],
                    ports: "metrics = 9090",
                    env: &env,
                    volumes: None,
                    cpu: "200m",
                    memory: "256Mi",
                    probes: false,
                },
            );
            let _ = write!(
                out,
                "\n  db: postgres {{ shared = team_{team}_db }}\n  orders: queue {{ shared = order_events }}\n  outbox: queue {{ shared = email_outbox }}\n"
            );
            if production {
                out.push_str("\n  override production {\n    replicas = 3\n  }\n");
            }
        }
        Shape::Job => {
            out.push_str("import std.{postgres, mysql, bucket, queue}\n\n");
            let _ = writeln!(
                out,
                "/// Report number {n}: every night, writes a report to a bucket. It runs once."
            );
            let _ = writeln!(out, "workload {name} {{\n  replicas = 1");
            let _ = writeln!(
                out,
                "  labels = {{ team = \"team-{team}\", \"acme.example/singleton\" = \"true\" }}\n"
            );
            let env = [
                "DATABASE_URL = db.url".to_string(),
                "WAREHOUSE_URL = \"mysql://${warehouse.username}:${warehouse.password}@${warehouse.host}:${warehouse.port}/${warehouse.database}\"".to_string(),
                "REPORTS_BUCKET = reports.name".to_string(),
                "EMAIL_OUTBOX_QUEUE_URL = outbox.url".to_string(),
            ];
            container(
                &mut out,
                Container {
                    image: &image,
                    args: &["schedule", "--at", "02:30"],
                    ports: "metrics = 9090",
                    env: &env,
                    volumes: None,
                    cpu: "100m",
                    memory: "256Mi",
                    probes: false,
                },
            );
            let _ = write!(
                out,
                "\n  db: postgres {{ shared = team_{team}_db }}\n  warehouse: mysql {{ database = \"warehouse_{n}\" }}\n  reports: bucket {{ versioned = true }}\n  outbox: queue {{ shared = email_outbox }}\n"
            );
        }
        Shape::Indexer => {
            out.push_str("import std.{postgres, volume}\n\n");
            let _ = writeln!(
                out,
                "/// Indexer number {n}: keeps the search index up to date. It runs once."
            );
            let _ = writeln!(out, "workload {name} {{\n  replicas = 1");
            let _ = writeln!(
                out,
                "  labels = {{ team = \"team-{team}\", \"acme.example/singleton\" = \"true\" }}\n"
            );
            let env = [
                "DATABASE_URL = db.url".to_string(),
                "SEARCH_INDEX_DIR = \"/var/lib/search\"".to_string(),
            ];
            container(
                &mut out,
                Container {
                    image: &image,
                    args: &["--index-dir", "/var/lib/search"],
                    ports: "metrics = 9090",
                    env: &env,
                    volumes: Some("\"/var/lib/search\" = index"),
                    cpu: "500m",
                    memory: "1Gi",
                    probes: false,
                },
            );
            let _ = write!(
                out,
                "\n  db: postgres {{ shared = team_{team}_db }}\n  index: volume {{ shared = search_index }}\n"
            );
        }
        Shape::Payments => {
            let calls = callees(n, 2);
            out.push_str("import std.{postgres, workload_identity, external_secret}\n\n");
            let _ = writeln!(
                out,
                "/// Payments number {n}: authorises and captures card payments."
            );
            let _ = writeln!(out, "workload {name} {{\n  replicas = 2");
            calls_line(&mut out, &calls);
            let _ = writeln!(
                out,
                "  labels = {{ team = \"team-{team}\", \"acme.example/pci-scope\" = \"true\" }}\n  annotations = {{ \"acme.example/on-call\" = \"payments@acme.example\" }}\n  service_account_annotations = {{ \"eks.amazonaws.com/role-arn\" = identity.role }}\n"
            );
            let mut env = vec![
                "DATABASE_URL = db.url".to_string(),
                "PSP_BASE_URL = if env.name == \"production\" then \"https://api.psp.example\" else \"https://sandbox.psp.example\"".to_string(),
                "PSP_API_KEY = psp_key.value".to_string(),
            ];
            env.extend(call_urls(&calls));
            container(
                &mut out,
                Container {
                    image: &image,
                    args: &[],
                    ports: "http = 8080",
                    env: &env,
                    volumes: None,
                    cpu: "500m",
                    memory: "512Mi",
                    probes: true,
                },
            );
            let _ = write!(
                out,
                "\n  /// Its own database: it is in PCI scope.\n  db: postgres {{ database = \"payments_{n}\", size = \"medium\" }}\n  psp_key: external_secret {{ name = \"payments/{name}/psp-api-key\" }}\n  identity: workload_identity {{\n    service_account = \"{name}\"\n    policy_arns = {{ ssm = \"arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess\" }}\n  }}\n"
            );
            if production {
                out.push_str("\n  override production {\n    replicas = 3\n  }\n");
            }
        }
    }
    out.push_str("}\n");
    out
}

fn calls_line(out: &mut String, calls: &[String]) {
    if !calls.is_empty() {
        let _ = writeln!(out, "  calls = [{}]", calls.join(", "));
    }
}

/// The container of a workload.
struct Container<'a> {
    image: &'a str,
    args: &'a [&'a str],
    ports: &'a str,
    env: &'a [String],
    volumes: Option<&'a str>,
    cpu: &'a str,
    memory: &'a str,
    probes: bool,
}

fn container(out: &mut String, container: Container) {
    let Container {
        image,
        args,
        ports,
        env,
        volumes,
        cpu,
        memory,
        probes,
    } = container;
    let _ = writeln!(out, "  container main {{\n    image = \"{image}\"");
    if !args.is_empty() {
        let args: Vec<String> = args.iter().map(|arg| format!("\"{arg}\"")).collect();
        let _ = writeln!(out, "    args = [{}]", args.join(", "));
    }
    let _ = writeln!(out, "    ports = {{ {ports} }}\n    env = {{");
    for line in env {
        let _ = writeln!(out, "      {line}");
    }
    out.push_str("    }\n");
    if let Some(volumes) = volumes {
        let _ = writeln!(out, "    volumes = {{ {volumes} }}");
    }
    let _ = writeln!(out, "    cpu = {cpu}\n    memory = {memory}");
    if probes {
        let port = if ports.contains("3000") { 3000 } else { 8080 };
        let _ = writeln!(
            out,
            "    liveness = {{ path = \"/healthz\", port = {port} }}\n    readiness = {{ path = \"/ready\", port = {port} }}"
        );
    }
    out.push_str("  }\n");
}

/// `CALLEE_URL = callee.url` for each workload called.
fn call_urls(calls: &[String]) -> impl Iterator<Item = String> + '_ {
    calls.iter().map(|callee| {
        format!(
            "{}_URL = {callee}.url",
            callee.to_uppercase().replace('-', "_")
        )
    })
}
