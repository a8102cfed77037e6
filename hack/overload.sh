#!/usr/bin/env bash
# `make overload`: one worker process on the generated Qwen2.5-0.5B-shaped model (BF16 as generated,
# OVERLOAD_QUANTIZATION=q8_0|q4_0 to quantize at load), its capacity measured with 16 closed-loop
# streams, then 10× that request rate open-loop for OVERLOAD_SECONDS (default 120; e.g. 20 for a
# smoke run). Accepted/rejected counts, TTFT p50/p99 of the accepted, heap and RSS before, at peak
# and after, KV usage after the drain: bench-out/overload.json and overload.png.
set -euo pipefail
# shellcheck source=hack/worker-app.sh
source "$(dirname "$0")/worker-app.sh"
java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx4g \
  -cp "worker/target/classes:worker/target/quarkus-app/lib/main/*" \
  dev.cairn.worker.bench.OverloadBench bench-out/overload.json bench-out/overload.png \
  bench-out/models/qwen2.5-0.5b-shape-bf16 \
  "--seconds=${OVERLOAD_SECONDS:-120}" "--factor=${OVERLOAD_FACTOR:-10}" \
  "--output-tokens=${OVERLOAD_OUTPUT_TOKENS:-16}" "--quantization=${OVERLOAD_QUANTIZATION:-none}" \
  "--port=${OVERLOAD_PORT:-18091}"
