#!/usr/bin/env bash
# `make coldstart`: what a fresh replica's first requests cost with and without
# spec.engine.warmup. The packaged worker on the generated Qwen2.5-0.5B-shaped model with one
# declared rank-16 LoRA adapter, started COLDSTART_STARTS times per setting (default 2), the two
# settings alternated: launch to ready, the first base and first LoRA request, then three more of
# each (prompts that differ in their first word, so no prefix-cache hits). COLDSTART_QUANTIZATION
# =q8_0|q4_0 quantizes at load. bench-out/coldstart.json.
set -euo pipefail
# shellcheck source=hack/worker-app.sh
source "$(dirname "$0")/worker-app.sh"
java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx2g \
  -cp "worker/target/classes:worker/target/quarkus-app/lib/main/*" \
  dev.cairn.worker.bench.ColdStartBench bench-out/coldstart.json \
  bench-out/models/qwen2.5-0.5b-shape-bf16 "${COLDSTART_STARTS:-2}" \
  "${COLDSTART_QUANTIZATION:-none}" "${COLDSTART_PORT:-18093}"
