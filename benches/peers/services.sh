#!/usr/bin/env bash
# The peer benchmark's platform in plat (docs/performance.md): N web services in one
# environment, each a workload of its own file with a name, an image, replicas, a port
# and an environment variable, and no resources.
#   benches/peers/services.sh N DIR
set -euo pipefail
n=$1
dir=$2
mkdir -p "$dir/platform" "$dir/workloads"
printf '[project]\nname = "services"\n' >"$dir/plat.toml"
printf 'environment development {\n  namespace = "services"\n}\n' >"$dir/platform/environments.plat"
for ((i = 1; i <= n; i++)); do
  printf 'workload svc-%d {\n  replicas = 2\n  container main {\n    image = "ghcr.io/acme/svc-%d:1.0.0"\n    ports = { http = 8080 }\n    env = { INDEX = "%d" }\n  }\n}\n' \
    "$i" "$i" "$i" >"$dir/workloads/svc-$i.plat"
done
