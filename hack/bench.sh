#!/usr/bin/env bash
# `make bench`: the CPU compute benchmark (bandwidth, single-stream prefill/decode, roofline) and the
# continuous-batching sweep (1, 4, 16, 64 streams on the bench model and the tiny model, with the FMA
# rate and bandwidth of the same run). JSON and a PNG plot go to bench-out/.
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export PATH="$JAVA_HOME/bin:$PATH"
./mvnw -B -q -pl worker -am compile -DskipTests
./mvnw -B -q -pl worker dependency:build-classpath -Dmdep.outputFile=target/worker.classpath >/dev/null
mkdir -p bench-out/models
JAVA=(java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx4g
  -cp "worker/target/classes:$(cat worker/target/worker.classpath)")
model=bench-out/models/qwen2.5-0.5b-shape-bf16
"${JAVA[@]}" dev.cairn.worker.bench.ComputeBench bench-out/compute.json "$model" 128 32
"${JAVA[@]}" dev.cairn.worker.bench.SweepBench bench-out/sweep.json bench-out/sweep.png \
  "$model" models/tiny-shakespeare "${BENCH_STREAMS:-1,4,16,64}" "${BENCH_OUTPUT_TOKENS:-32}"
"${JAVA[@]}" dev.cairn.worker.bench.LoraBench bench-out/lora.json "$model" 16 "${BENCH_OUTPUT_TOKENS:-32}" 4 16
echo "bench-out/compute.json, bench-out/sweep.json and bench-out/sweep.png written"
