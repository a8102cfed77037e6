#!/usr/bin/env bash
# CPU compute benchmark: generates (once) a random-weight BF16 model of Qwen2.5-0.5B shape under
# bench-out/models/, then reports bandwidth, prefill and decode tokens/s and the decode roofline
# fraction. Usage: hack/bench-compute.sh [OUT.json] [PREFILL_TOKENS] [DECODE_TOKENS]
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export PATH="$JAVA_HOME/bin:$PATH"
out="${1:-bench-out/compute.json}"
./mvnw -B -q -pl worker -am compile -DskipTests
./mvnw -B -q -pl worker dependency:build-classpath -Dmdep.outputFile=target/worker.classpath >/dev/null
mkdir -p bench-out/models
exec java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx2g \
  -cp "worker/target/classes:$(cat worker/target/worker.classpath)" \
  dev.cairn.worker.bench.ComputeBench "$out" bench-out/models/qwen2.5-0.5b-shape-bf16 \
  "${2:-128}" "${3:-32}"
