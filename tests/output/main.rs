//! The output of every example, checked with facts that nobody here wrote: the
//! providers' schemas and the modules' interfaces for the Terraform, and the objects'
//! references to one another for Kubernetes (and what workloads' pods need, in
//! `workloads`).
//!
//! Each check gathers every problem of every environment and fails with the whole
//! list, one problem per line, each naming the environment, the file and the block.

mod build;
mod cloud;
mod expressions;
mod images;
mod kubernetes;
mod schema;
mod terraform;
mod versions;
mod workloads;

use build::{assert_none, examples};
use terraform::Root;

/// Every root module of every build, with the problems of reading them.
fn every_root(problems: &mut Vec<String>) -> Vec<Vec<Root<'static>>> {
    examples()
        .built
        .iter()
        .map(|built| terraform::roots(built, problems))
        .collect()
}

/// The cluster side of every build, with the problems of reading it.
fn every_cluster(problems: &mut Vec<String>) -> Vec<kubernetes::Cluster<'static>> {
    examples()
        .built
        .iter()
        .map(|built| {
            let roots = terraform::roots(built, problems);
            kubernetes::Cluster::read(built, &roots, problems)
        })
        .collect()
}

/// A build of the `files` given, by path.
fn synthetic<const N: usize>(files: [(&str, String); N]) -> build::Built {
    build::Built {
        name: "synthetic".to_string(),
        files: files
            .into_iter()
            .map(|(path, text)| (path.to_string(), text))
            .collect(),
        lock: Default::default(),
        group: None,
    }
}

/// Each of `expected` is part of one of `problems`: a check caught it.
fn assert_caught(expected: &[&str], problems: &[String]) {
    for expected in expected {
        assert!(
            problems.iter().any(|problem| problem.contains(expected)),
            "not caught: {expected}\n{}",
            problems.join("\n")
        );
    }
}

#[test]
fn every_example_checks_clean() {
    let problems: Vec<String> = examples()
        .unchecked
        .iter()
        .flat_map(|unchecked| {
            unchecked
                .errors
                .iter()
                .map(|error| format!("examples/{}: {error}", unchecked.example))
        })
        .collect();
    assert_none("plat check of the examples", &problems);
}

#[test]
fn every_terraform_block_fits_its_providers_schema() {
    let mut problems = Vec::new();
    for roots in every_root(&mut problems) {
        for root in &roots {
            terraform::check_blocks(root, &mut problems);
        }
    }
    assert_none(
        "resource, data and provider blocks against the provider schemas",
        &problems,
    );
}

#[test]
fn every_terraform_reference_names_what_exists() {
    let mut problems = Vec::new();
    let all = every_root(&mut problems);
    for (built, roots) in examples().built.iter().zip(&all) {
        // The root modules of the builds deployed with this one (an application's reads
        // its platform's shared state) are there to be read too.
        let deployed: Vec<&terraform::Root<'_>> = examples()
            .built
            .iter()
            .zip(&all)
            .filter(|(other, _)| {
                std::ptr::eq(*other, built) || (other.group.is_some() && other.group == built.group)
            })
            .flat_map(|(_, roots)| roots)
            .collect();
        for root in roots {
            terraform::check_references(root, &deployed, &mut problems);
        }
    }
    assert_none("references in the Terraform", &problems);
}

#[test]
fn every_module_call_fits_the_interface_of_its_module() {
    let mut problems = Vec::new();
    for roots in every_root(&mut problems) {
        for root in &roots {
            terraform::check_module_calls(root, &mut problems);
        }
    }
    assert_none("module calls against the modules' interfaces", &problems);
}

#[test]
fn every_root_admits_the_provider_versions_its_blocks_are_checked_against() {
    let mut problems = Vec::new();
    for roots in every_root(&mut problems) {
        for root in &roots {
            terraform::check_provider_versions(root, &mut problems);
        }
    }
    assert_none("provider version constraints", &problems);
}

/// The Terraform modules the standard library keeps (`stdlib/modules/`), read as
/// Terraform reads them, against the same schemas.
#[test]
fn the_standard_librarys_own_modules_fit_their_providers_schemas() {
    let mut problems = Vec::new();
    let mut modules: std::collections::BTreeMap<&str, serde_json::Map<String, serde_json::Value>> =
        std::collections::BTreeMap::new();
    for (path, text) in plat_compiler::stdlib::TERRAFORM_FILES {
        let dir = path
            .rsplit_once('/')
            .map(|(dir, _)| dir)
            .unwrap_or_default();
        match hcl::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(document)) => {
                let into = modules.entry(dir).or_default();
                for (key, value) in document {
                    match (into.get_mut(&key), value) {
                        (
                            Some(serde_json::Value::Object(existing)),
                            serde_json::Value::Object(more),
                        ) => existing.extend(more),
                        (_, value) => {
                            into.insert(key, value);
                        }
                    }
                }
            }
            Ok(_) => problems.push(format!("{path}: not a body")),
            Err(error) => problems.push(format!("{path}: {error}")),
        }
    }
    assert!(!modules.is_empty(), "the standard library keeps no modules");
    let built = build::Built {
        name: "stdlib".to_string(),
        files: Default::default(),
        lock: Default::default(),
        group: None,
    };
    let roots: Vec<Root<'_>> = modules
        .into_iter()
        .map(|(dir, document)| Root {
            built: &built,
            dir: dir.to_string(),
            document,
        })
        .collect();
    for root in &roots {
        terraform::check_blocks(root, &mut problems);
        terraform::check_references(root, &roots.iter().collect::<Vec<_>>(), &mut problems);
        terraform::check_provider_versions(root, &mut problems);
        // HCL reads as the JSON syntax does: references are `${...}` strings.
        let mut found = Vec::new();
        for section in ["data", "output"] {
            if let Some(value) = root.document.get(section) {
                let _ = expressions::references(value, section, &mut found);
            }
        }
        assert!(!found.is_empty(), "{}: no reference read", root.dir);
    }
    assert_none("the standard library's modules", &problems);
}

/// The checks above can fail: a block and references with the mistakes they catch.
#[test]
fn the_checks_catch_what_they_are_for() {
    let document = serde_json::json!({
        "terraform": { "required_providers": {
            "kubernetes": { "source": "hashicorp/kubernetes", "version": "~> 1.13" }
        } },
        "resource": {
            "kubernetes_persistent_volume_v1": {
                "data": {
                    "metadata": { "name": "data", "labelz": {} },
                    "spec": { "capacity": { "storage": "1Gi" }, "access_modes": "ReadWriteMany" }
                },
                "files": {
                    "metadata": { "name": "files" },
                    "spec": {
                        "access_modes": ["ReadWriteMany"], "capacity": { "storage": "1Gi" },
                        "persistent_volume_source": { "nfs": { "path": "/", "server": "${module.files.dns_name}" } }
                    }
                }
            },
            "kubernetes_config_map_v1": { "app": {
                "metadata": { "name": "app" },
                "data": {
                    "A": "${kubernetes_persistent_volume_v1.data.metadata[0].nmae}",
                    "B": "${kubernetes_persistent_volume_v1.other.id}",
                    "C": "${module.cache.port}",
                    "D": "${data.terraform_remote_state.shared.outputs.host}",
                    "E": "${random_password.db.result}"
                }
            } },
            "aws_unheard_of": { "x": {} }
        },
        "module": {
            "cache": { "source": "terraform-aws-modules/elasticache/aws", "version": "1.8.0", "replication_group_id": "c" },
            "files": { "source": "terraform-aws-modules/efs/aws", "version": "1.6.5" },
            "site": { "source": "terraform-aws-modules/s3-bucket/aws", "version": "4.1.2", "block_public_policy": false }
        }
    });
    let built = build::Built {
        name: "synthetic".to_string(),
        files: Default::default(),
        lock: Default::default(),
        group: None,
    };
    let root = Root {
        built: &built,
        dir: "terraform/workloads/app".to_string(),
        document: document.as_object().cloned().unwrap_or_default(),
    };
    let mut problems = Vec::new();
    terraform::check_blocks(&root, &mut problems);
    terraform::check_references(&root, &[&root], &mut problems);
    terraform::check_provider_versions(&root, &mut problems);
    cloud::check_caches(&root, &mut problems);
    cloud::check_file_systems(&root, &mut problems);
    cloud::check_buckets(&root, &mut problems);
    let expected = [
        "`labelz` is not an argument here (did you mean `labels`?)",
        "spec.access_modes: expected list:string",
        "the required argument `persistent_volume_source` is not set",
        "no schema for the type `aws_unheard_of`",
        "`kubernetes_persistent_volume_v1` has no attribute `nmae`",
        "no resource `kubernetes_persistent_volume_v1.other` is declared here",
        "`terraform-aws-modules/elasticache/aws` 1.8.0 has no output `port`",
        "no data source `terraform_remote_state.shared` is declared here",
        "no resource `random_password.db` is declared here",
        "requires kubernetes `~> 1.13`, which excludes 2.38.0",
        "`aws` is used but not in `required_providers`",
        "module.cache (terraform-aws-modules/elasticache/aws): the security group the module creates admits nothing",
        "kubernetes_persistent_volume_v1.files mounts module.files (terraform-aws-modules/efs/aws) over plain NFS",
        "module.site (terraform-aws-modules/s3-bucket/aws) lifts the public-access blocks but grants no public read",
    ];
    assert_caught(&expected, &problems);
}

#[test]
fn every_kubernetes_object_names_objects_that_exist() {
    let mut problems = Vec::new();
    for cluster in every_cluster(&mut problems) {
        kubernetes::check_kustomization(&cluster, &mut problems);
        kubernetes::check_selectors(&cluster, &mut problems);
        kubernetes::check_names(&cluster, &mut problems);
    }
    assert_none("Kubernetes objects and what they name", &problems);
}

#[test]
fn every_in_cluster_image_gets_what_its_documentation_says_it_needs() {
    let mut problems = Vec::new();
    for cluster in every_cluster(&mut problems) {
        images::check_images(&cluster, &mut problems);
    }
    assert_none(
        "images and what their documentation says they need",
        &problems,
    );
}

#[test]
fn every_cloud_service_can_be_reached_as_its_module_documents() {
    let mut problems = Vec::new();
    for roots in every_root(&mut problems) {
        for root in &roots {
            cloud::check_caches(root, &mut problems);
            cloud::check_file_systems(root, &mut problems);
            cloud::check_buckets(root, &mut problems);
        }
    }
    assert_none("cloud services and the way to them", &problems);
}

#[test]
fn every_claim_can_be_mounted_by_every_pod_that_mounts_it() {
    let mut problems = Vec::new();
    for cluster in every_cluster(&mut problems) {
        kubernetes::check_claims(&cluster, &mut problems);
    }
    assert_none("claims and the pods that mount them", &problems);
}

#[test]
fn network_policies_admit_the_declared_paths_and_nothing_else() {
    let mut problems = Vec::new();
    for cluster in every_cluster(&mut problems) {
        kubernetes::check_network_policies(&cluster, &mut problems);
    }
    assert_none(
        "NetworkPolicies against the declared calls, uses and routes",
        &problems,
    );
}

/// A platform's build and its applications' builds of one environment, deployed
/// together, make one cluster: every call and use between them is admitted by the
/// policies of both sides, and nothing else is.
#[test]
fn network_policies_of_a_platform_and_its_applications_admit_exactly_what_they_declare() {
    let mut problems = Vec::new();
    let groups = build::groups(&examples().built);
    assert!(
        groups.len() >= 2,
        "the platform and its applications are built in each of their environments"
    );
    for (group, builds) in groups {
        assert_eq!(builds.len(), build::APPLICATIONS.len(), "{group}");
        let clusters: Vec<kubernetes::Cluster<'_>> = builds
            .iter()
            .map(|built| {
                let roots = terraform::roots(built, &mut problems);
                kubernetes::Cluster::read(built, &roots, &mut problems)
            })
            .collect();
        let together = build::Built {
            name: group.to_string(),
            files: Default::default(),
            lock: Default::default(),
            group: Some(group.to_string()),
        };
        let cluster = kubernetes::Cluster::together(&together, clusters);
        kubernetes::check_network_policies(&cluster, &mut problems);
        kubernetes::check_selectors(&cluster, &mut problems);
    }
    assert_none(
        "NetworkPolicies of the platform and its applications, deployed together",
        &problems,
    );
}

/// The Kubernetes checks can fail: a cluster with the mistakes they catch.
#[test]
fn the_kubernetes_checks_catch_what_they_are_for() {
    let deployment = |name: &str, replicas: u64, extra: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: shop\nspec:\n  replicas: {replicas}\n  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: {name}\n    spec:\n      containers:\n      - name: main\n        ports:\n        - containerPort: 8080\n          name: http\n{extra}"
        )
    };
    let service = |name: &str, selected: &str, target: &str| {
        format!(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: shop\nspec:\n  selector:\n    app.kubernetes.io/name: {selected}\n  ports:\n  - port: 80\n    targetPort: {target}\n"
        )
    };
    let policy = |name: &str, ingress: &str, egress: &str| {
        format!(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {name}\n  namespace: shop\nspec:\n  podSelector:\n    matchLabels:\n      app.kubernetes.io/name: {name}\n  policyTypes: [Ingress, Egress]\n  ingress: {ingress}\n  egress: {egress}\n"
        )
    };
    let from = |name: &str| {
        format!(
            "[{{from: [{{podSelector: {{matchLabels: {{app.kubernetes.io/name: {name}}}}}}}], ports: [{{port: 8080}}]}}]"
        )
    };
    let web_env = "        env:\n        - name: A\n          valueFrom:\n            secretKeyRef: {name: web-db, key: password}\n        - name: B\n          valueFrom:\n            configMapKeyRef: {name: web-provisioned, key: HOST}\n      volumes:\n      - name: data\n        persistentVolumeClaim: {claimName: data}\n";
    let files = [
        ("kubernetes/web/deployment.yaml", deployment("web", 2, web_env)),
        ("kubernetes/api/deployment.yaml", deployment("api", 1, "")),
        ("kubernetes/db/deployment.yaml", deployment("db", 1, "")),
        ("kubernetes/web/service.yaml", service("web", "web", "http")),
        ("kubernetes/api/service.yaml", service("api", "api", "grpc")),
        ("kubernetes/db/service.yaml", service("db", "nothing", "http")),
        // web calls api, but api admits only db; db admits web, though nobody calls it;
        // web may go anywhere.
        ("kubernetes/web/networkpolicy.yaml", policy("web", "[]", "[{to: [{ipBlock: {cidr: 0.0.0.0/0}}]}]")),
        ("kubernetes/api/networkpolicy.yaml", policy("api", &from("db"), "[]")),
        ("kubernetes/db/networkpolicy.yaml", policy("db", &from("web"), "[]")),
        (
            "kubernetes/db/statefulset.yaml",
            "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: pg\n  namespace: shop\nspec:\n  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: pg\n    spec:\n      securityContext: {runAsUser: 10001}\n      containers:\n      - name: main\n        image: postgres:16-alpine\n        ports: [{containerPort: 53}]\n        securityContext: {readOnlyRootFilesystem: true}\n        volumeMounts: [{name: data, mountPath: /data}]\n  volumeClaimTemplates:\n  - metadata: {name: data}\n".to_string(),
        ),
        (
            "kubernetes/data.yaml",
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\n  namespace: shop\nspec:\n  accessModes: [ReadWriteOnce]\n".to_string(),
        ),
        (
            "kubernetes/web-db.yaml",
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: web-db\n  namespace: shop\nstringData:\n  username: web\n".to_string(),
        ),
        (
            "kubernetes/kustomization.yaml",
            "resources:\n- web/deployment.yaml\n- api/deployment.yaml\n- db/deployment.yaml\n- web/service.yaml\n- api/service.yaml\n- db/service.yaml\n- web/networkpolicy.yaml\n- api/networkpolicy.yaml\n- db/networkpolicy.yaml\n- data.yaml\n- db/statefulset.yaml\n- gone.yaml\n".to_string(),
        ),
        (
            "graph.json",
            serde_json::json!({
                "edges": [{ "from": "workload:web", "kind": "calls", "name": null, "to": "workload:api" }],
                "nodes": [
                    { "id": "workload:web", "kind": "workload" },
                    { "id": "workload:api", "kind": "workload" },
                    { "id": "workload:db", "kind": "workload" },
                    { "id": "instance:web.site", "kind": "instance", "offering": "route", "owner": "workload:web", "provisioner": "terraform" }
                ]
            })
            .to_string(),
        ),
    ];
    let built = synthetic(files);
    let mut problems = Vec::new();
    let cluster = kubernetes::Cluster::read(&built, &[], &mut problems);
    kubernetes::check_kustomization(&cluster, &mut problems);
    kubernetes::check_selectors(&cluster, &mut problems);
    kubernetes::check_names(&cluster, &mut problems);
    kubernetes::check_claims(&cluster, &mut problems);
    kubernetes::check_network_policies(&cluster, &mut problems);
    images::check_images(&cluster, &mut problems);
    let expected = [
        "lists `kubernetes/gone.yaml`, which is not written",
        "kubernetes/web-db.yaml: is not listed in kustomization.yaml",
        "the Service `db` selects no pods",
        "the Service `api` targets the port \"grpc\"",
        "reads the key `password` of the Secret `web-db`, which has only `username`",
        "names the ConfigMap `web-provisioned`, which neither the kustomization nor the Terraform creates",
        "the claim `data` is ReadWriteOnce but 2 pods mount it",
        "workload:web calls workload:api, but the NetworkPolicies deny it: neither the egress of workload `web` nor the ingress of workload `api` admits any port",
        "workload `web` can reach workload `db` on 8080/TCP",
        "lets its pods reach any address (egress to `0.0.0.0/0`)",
        "workload `web` (routed by `instance:web.site`): nothing in the cluster leads to its pods",
        "`pg` (postgres:16-alpine): keeps its data in `/var/lib/postgresql/data`, which is not on its claim (mounted at `/data`)",
        "`pg` (postgres:16-alpine): writes `/var/run/postgresql`, on the read-only root file system",
        "`pg` (postgres:16-alpine): listens on port 53 as a non-root user without `NET_BIND_SERVICE`",
    ];
    assert_caught(&expected, &problems);
}

#[test]
fn every_probe_autoscaler_and_job_works_as_a_cluster_runs_it() {
    let mut problems = Vec::new();
    for cluster in every_cluster(&mut problems) {
        workloads::check_probes(&cluster, &mut problems);
        workloads::check_autoscalers(&cluster, &mut problems);
        workloads::check_jobs(&cluster, &mut problems);
    }
    assert_none("probes, autoscalers and jobs", &problems);
}

/// The checks of workloads' pods can fail: a cluster with the mistakes they catch.
#[test]
fn the_workload_checks_catch_what_they_are_for() {
    let pod = |probe: &str| {
        format!(
            "    metadata:\n      labels:\n        app.kubernetes.io/name: report\n    spec:\n      initContainers:\n      - name: proxy\n        ports: [{{containerPort: 9901, name: admin}}]\n        resources: {{requests: {{memory: 64Mi}}}}\n      containers:\n      - name: main\n        ports: [{{containerPort: 8080, name: http}}]\n        resources: {{requests: {{cpu: 100m, memory: 64Mi}}}}\n{probe}"
        )
    };
    let files = [
        (
            "kubernetes/web/deployment.yaml",
            format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  replicas: 2\n  template:\n{}",
                pod("        livenessProbe: {tcpSocket: {port: 9090}}\n        lifecycle: {preStop: {httpGet: {path: /drain, port: admin}}}\n")
            ),
        ),
        (
            "kubernetes/web/hpa.yaml",
            "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  minReplicas: 5\n  maxReplicas: 3\n  metrics:\n  - type: Resource\n    resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}\n".to_string(),
        ),
        (
            "kubernetes/api/hpa.yaml",
            "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}\n  minReplicas: 1\n  maxReplicas: 3\n".to_string(),
        ),
        (
            "kubernetes/report/cronjob.yaml",
            format!(
                "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: report\n  namespace: shop\nspec:\n  schedule: '@daily'\n  jobTemplate:\n    spec:\n      template:\n{}",
                pod("").replace("\n    ", "\n        ").replacen("    metadata", "        metadata", 1)
            ),
        ),
        (
            "kubernetes/report/service.yaml",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: report\n  namespace: shop\nspec:\n  selector:\n    app.kubernetes.io/name: report\n  ports:\n  - port: 80\n    targetPort: http\n".to_string(),
        ),
    ];
    let built = synthetic(files);
    let mut problems = Vec::new();
    let cluster = kubernetes::Cluster::read(&built, &[], &mut problems);
    workloads::check_probes(&cluster, &mut problems);
    workloads::check_autoscalers(&cluster, &mut problems);
    workloads::check_jobs(&cluster, &mut problems);
    let expected = [
        "the livenessProbe.tcpSocket of the container `main` reaches the port 9090, which the container does not declare",
        "the lifecycle.preStop.httpGet of the container `main` reaches the port \"admin\"",
        "the HorizontalPodAutoscaler `web` keeps at least 5 and at most 3 replicas",
        "scales the Deployment `web`, which sets `replicas` too",
        "measures cpu against requests, but the container `proxy` of `web` requests none",
        "the HorizontalPodAutoscaler `api` scales",
        "a Job's pods restart `Never` or `OnFailure`, not None",
        "the init container `proxy` has ports or probes but runs to completion",
        "the Service `report` selects the pods of the job workload `report`",
    ];
    assert_caught(&expected, &problems);
}
