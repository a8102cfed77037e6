#!/usr/bin/env bash
# `make kernel-bench ARGS="..."`: the CPU matmul kernels alone (MatmulBench), for comparing two
# builds of a kernel. ARGS: `matrix ROWS IN TOKENS THREADS FORMAT [COPIES]` or
# `step TOKENS THREADS FORMAT` (FORMAT bf16, q8_0 or q4_0).
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export PATH="$JAVA_HOME/bin:$PATH"
./mvnw -B -q -pl worker -am compile dependency:build-classpath -DskipTests \
  -Dmdep.outputFile=target/bench.classpath >/dev/null
# shellcheck disable=SC2086 # ARGS is a word list on purpose
java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx6g \
  -cp "worker/target/classes:$(cat worker/target/bench.classpath)" \
  dev.cairn.worker.bench.MatmulBench ${ARGS:-matrix 4864 896 16 2 bf16}
