#!/usr/bin/env bash
# The command-line benchmarks of docs/performance.md: generates synthetic platforms
# (benches/synthetic.rs) and measures cold `plat check` and `plat build` of the release
# binary with hyperfine, and their peak memory with `/usr/bin/time -v`.
#
#   benches/run.sh                  # N = 100, 1000 and 10000 workloads, 3 environments
#   SIZES="20" RUNS=1 benches/run.sh  # a smoke test: one small platform, one run each
#
# Environment: SIZES (workload counts), ENVIRONMENTS (default 3), RUNS (hyperfine runs,
# default 10), WORK (where platforms and outputs go; default a temporary directory),
# PLAT and GENERATE (the binaries; by default the release builds of `plat` and of the
# `generate` example, built here).
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=${SIZES:-"100 1000 10000"}
environments=${ENVIRONMENTS:-3}
runs=${RUNS:-10}
work=${WORK:-$(mktemp -d)}

if [ -z "${PLAT:-}" ] || [ -z "${GENERATE:-}" ]; then
  cargo build --release --locked --bin plat --example generate
fi
PLAT=${PLAT:-target/release/plat}
generate=${GENERATE:-target/release/examples/generate}

# The peak resident set size of a command, in MiB.
peak_rss() {
  /usr/bin/time -v "$@" 2>&1 >/dev/null | awk '/Maximum resident set size/ { printf "%.1f MiB\n", $6 / 1024 }'
}

printf 'machine: %s cores, %s\n' "$(nproc)" "$(uname -sr)"
printf 'load average before: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
"$PLAT" --version

for n in $sizes; do
  project="$work/platform-$n"
  out="$work/out-$n"
  rm -rf "$project" "$out"
  "$generate" "$n" "$environments" "$project"
  files=$(find "$project" -name '*.plat' | wc -l)
  printf '\n=== N = %s workloads x %s environments (%s .plat files)\n' "$n" "$environments" "$files"

  # Both must succeed before they are timed.
  "$PLAT" check "$project" >/dev/null
  "$PLAT" build "$project" --out "$out" 2>/dev/null
  printf 'output: %s files, %s\n' "$(find "$out" -type f | wc -l)" "$(du -sh "$out" | cut -f1)"

  hyperfine --style basic --warmup 1 --runs "$runs" --export-json "$work/hyperfine-$n.json" \
    --command-name "check N=$n" "$PLAT check $project" \
    --command-name "build N=$n" "$PLAT build $project --out $out"
  python3 -c 'import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print("median: %s %.1f ms" % (r["command"], r["median"] * 1000))' "$work/hyperfine-$n.json"
  printf 'peak RSS: check %s, build %s\n' \
    "$(peak_rss "$PLAT" check "$project")" \
    "$(peak_rss "$PLAT" build "$project" --out "$out")"
done
printf '\nload average after: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
