#!/usr/bin/env bash
# `make bench`: greenroute vs llama.cpp on the same GGUF files and thread count.
#   bench/run_bench.sh BUILD_DIR      (BUILD_DIR holds bench/engine_bench, bench/membw_bench,
#                                      bench/routing_decision_bench, bench/sim_scale_bench,
#                                      bench/gateway_load_bench, greenroute)
# Environment: BENCH_THREADS (2), BENCH_RUNS (3), BENCH_DECODE_TOKENS (16),
# BENCH_PROMPT_TOKENS (128), BENCH_TYPES ("q8_0 q4_0"), BENCH_PRESET (llama-3.2-1b).
# Synthetic models are written once into BUILD_DIR/bench/models and reused.
# Results: BUILD_DIR/bench/results.json and a table on stdout; the routing
# decision figures in BUILD_DIR/bench/raw/routing_decision.json, the
# simulator's in BUILD_DIR/bench/raw/sim_scale.json, the gateway's added
# latency in BUILD_DIR/bench/raw/gateway_load.json (its node, gateway and
# their logs in BUILD_DIR/bench/gateway-work).
set -euo pipefail
build_dir=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
threads=${BENCH_THREADS:-2}
runs=${BENCH_RUNS:-3}
decode=${BENCH_DECODE_TOKENS:-16}
prompt=${BENCH_PROMPT_TOKENS:-128}
preset=${BENCH_PRESET:-llama-3.2-1b}
types=${BENCH_TYPES:-q8_0 q4_0}
out_dir="$build_dir/bench"
models="$out_dir/models"
mkdir -p "$models" "$out_dir/raw"

for bin in engine_bench membw_bench routing_decision_bench sim_scale_bench gateway_load_bench; do
  [[ -x "$out_dir/$bin" ]] || { echo "run_bench.sh: $out_dir/$bin is missing (build with GREENROUTE_BUILD_BENCH=ON)" >&2; exit 1; }
done

# Pure CPU logic, no model or node needed: first, so it prints even where the
# llama.cpp side cannot run.
echo "== routing: one decision by cluster size (target < 5 us at 100 nodes)"
"$out_dir/routing_decision_bench" --benchmark_out="$out_dir/raw/routing_decision.json" \
  --benchmark_out_format=json
echo "== simulator: 1,000,000 requests on 10, 100, 1000 nodes (target < 30 s per policy at 1000 nodes)"
"$out_dir/sim_scale_bench" --out "$out_dir/raw/sim_scale.json"
# The real program: a node agent on a tiny synthetic model and a gateway in
# front of it, driven open-loop (docs/server.md, "Gateway latency").
echo "== gateway: added latency at 100, 1000, 5000 req/s (target p99 < 1 ms at 1000) and sustained rate"
"$out_dir/gateway_load_bench" --greenroute "$build_dir/greenroute" --work "$out_dir/gateway-work" \
  --out "$out_dir/raw/gateway_load.json"
if ! command -v node >/dev/null || [[ ! -d "$here/../tests/parity/node_modules/node-llama-cpp" ]]; then
  echo "run_bench.sh: node and tests/parity/node_modules (npm ci) are needed for the llama.cpp side" >&2
  exit 1
fi

echo "== memory bandwidth ($threads threads)"
"$out_dir/membw_bench" --threads "$threads" --mib 1024 --reps 5 | tee "$out_dir/raw/membw.json"

common=(--threads "$threads" --prompt-tokens "$prompt" --decode-tokens "$decode" --batches 1,4,8 --runs "$runs")
for type in $types; do
  model="$models/$preset-$type.gguf"
  if [[ ! -f "$model" ]]; then
    echo "== writing synthetic $preset $type (once)"
    "$out_dir/engine_bench" synth --preset "$preset" --type "$type" --seed 1 --out "$model"
  fi
  echo "== greenroute   $preset $type"
  "$out_dir/engine_bench" run --model "$model" --out "$out_dir/raw/greenroute-$type.json" "${common[@]}"
  echo "== llama.cpp    $preset $type"
  node "$here/llama_bench.mjs" --model "$model" --out "$out_dir/raw/llama.cpp-$type.json" "${common[@]}"
done

node "$here/report.mjs" "$out_dir/raw" "$out_dir/results.json" $types
