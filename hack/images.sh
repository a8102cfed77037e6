#!/usr/bin/env bash
# Builds the cairn-operator, cairn-activator and cairn-worker images: ./hack/images.sh [TAG] (make images).
set -euo pipefail
cd "$(dirname "$0")/.."

TAG="${1:-0.1.0}"
DOCKER="${DOCKER:-docker}"

if ! command -v "$DOCKER" >/dev/null 2>&1; then
  echo "images: '$DOCKER' is not installed; building container images needs Docker (or DOCKER=podman)." >&2
  exit 2
fi
if ! "$DOCKER" info >/dev/null 2>&1; then
  echo "images: cannot reach the container engine ('$DOCKER info' fails): $("$DOCKER" info 2>&1 | tail -n 1)" >&2
  exit 2
fi

export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export PATH="$JAVA_HOME/bin:$PATH"
if [[ "${SKIP_BUILD:-}" != "1" ]]; then
  ./mvnw -B --no-transfer-progress package -DskipTests -pl operator,activator,worker -am
fi

for f in operator/target/quarkus-app/quarkus-run.jar worker/target/quarkus-app/quarkus-run.jar \
         activator/target/cairn-activator-*.jar activator/target/lib/vertx-core-*.jar \
         models/tiny-shakespeare/config.json; do
  [[ -f "$f" ]] || { echo "images: $f is missing (did the build run?)" >&2; exit 1; }
done

"$DOCKER" build -f operator/Dockerfile -t "cairn-operator:${TAG}" .
"$DOCKER" build -f activator/Dockerfile -t "cairn-activator:${TAG}" .
"$DOCKER" build -f worker/Dockerfile -t "cairn-worker:${TAG}" .
echo "built cairn-operator:${TAG} cairn-activator:${TAG} cairn-worker:${TAG}"
