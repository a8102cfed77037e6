#!/usr/bin/env bash
# `make kernel-bench ARGS="..."`: the CPU kernels alone (MatmulBench), for comparing two builds of
# a kernel. ARGS: `matrix ROWS IN TOKENS THREADS FORMAT [COPIES]`, `step TOKENS THREADS FORMAT`
# (FORMAT bf16, q8_0 or q4_0), `attention CONTEXT ROWS THREADS [f32|bf16]` (the KV dtype) or
# `prefill TOKENS THREADS FORMAT` (a whole prefill of the bench model, milliseconds per backend call).
set -euo pipefail
# shellcheck source=hack/worker-java.sh
source "$(dirname "$0")/worker-java.sh"
# shellcheck disable=SC2086 # ARGS is a word list on purpose
"${WORKER_JAVA[@]}" -Xmx6g dev.cairn.worker.bench.MatmulBench ${ARGS:-matrix 4864 896 16 2 bf16}
