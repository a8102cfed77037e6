#!/usr/bin/env bash
# `make bench`: the CPU compute benchmark (bandwidth, FMA rate, single-stream prefill/decode and
# roofline per weight format: BF16, Q8_0, Q4_0) and the continuous-batching sweep (1, 4, 16, 64
# streams per format on the bench model, and on the tiny model, with the FMA rate and bandwidth of
# the same run; each level the median of BENCH_SWEEP_REPEATS runs, 3 by default). JSON and a PNG
# plot go to bench-out/. BENCH_FORMATS narrows the formats. ComputeBench and SweepBench run each
# format in a JVM of their own (with this one's flags, JDK_JAVA_OPTIONS's included) and merge.
set -euo pipefail
# shellcheck source=hack/worker-java.sh
source "$(dirname "$0")/worker-java.sh"
mkdir -p bench-out/models
JAVA=("${WORKER_JAVA[@]}" -Xmx4g)
model=bench-out/models/qwen2.5-0.5b-shape-bf16
formats="${BENCH_FORMATS:-none,q8_0,q4_0}"
"${JAVA[@]}" dev.cairn.worker.bench.ComputeBench bench-out/compute.json "$model" 128 32 "$formats"
"${JAVA[@]}" dev.cairn.worker.bench.SweepBench bench-out/sweep.json bench-out/sweep.png \
  "$model" models/tiny-shakespeare "${BENCH_STREAMS:-1,4,16,64}" "${BENCH_OUTPUT_TOKENS:-32}" \
  "$formats" "${BENCH_SWEEP_REPEATS:-3}"
"${JAVA[@]}" dev.cairn.worker.bench.LoraBench bench-out/lora.json "$model" 16 "${BENCH_OUTPUT_TOKENS:-32}" 4 16
"${JAVA[@]}" dev.cairn.worker.bench.StructuredStreamsBench bench-out/structured.json "$model" 16 "${BENCH_OUTPUT_TOKENS:-32}"
echo "bench-out/compute.json, sweep.json, sweep.png, lora.json and structured.json written"
