#!/usr/bin/env bash
# `make soak`: one worker (tiny model, fixed 512 MiB heap) under SOAK_REQUESTS (default 20,000)
# mixed requests (plain, streamed, abandoned streams, n=3, stop strings, bad input, chat) from
# SOAK_CONCURRENCY clients; heap after full GC, RSS, threads, KV usage and held requests every
# SOAK_INTERVAL requests go to bench-out/soak.json.
set -euo pipefail
# shellcheck source=hack/worker-app.sh
source "$(dirname "$0")/worker-app.sh"
port="${SOAK_PORT:-18080}"
java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xms512m -Xmx512m \
  -Dquarkus.http.port="$port" -Dquarkus.http.host=127.0.0.1 \
  -jar worker/target/quarkus-app/quarkus-run.jar --config deploy/samples/tiny-cpu.yaml \
  >bench-out/soak-worker.log 2>&1 &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null && break
  sleep 1
done
java -cp "worker/target/classes:worker/target/quarkus-app/lib/main/*" \
  dev.cairn.worker.bench.SoakBench "http://127.0.0.1:$port" tiny-shakespeare "$worker" \
  "${SOAK_REQUESTS:-20000}" "${SOAK_CONCURRENCY:-16}" "${SOAK_INTERVAL:-2000}" bench-out/soak.json
