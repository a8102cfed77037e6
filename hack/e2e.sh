#!/usr/bin/env bash
# End to end on a throwaway Kind cluster (make e2e): build and load the images, install the CRD and
# the operator, deploy deploy/samples/tiny-cpu.yaml, wait for Ready, and send one chat completion
# through the Service. Needs docker, kind, kubectl and curl. KEEP_CLUSTER=1 keeps the cluster.
set -euo pipefail
cd "$(dirname "$0")/.."

CLUSTER="${CLUSTER:-cairn-e2e}"
TAG="${TAG:-0.1.0}"
NS="${NS:-cairn-e2e}"
LOCAL_PORT="${LOCAL_PORT:-18000}"
NAME=tiny-shakespeare

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "e2e: '$1' is not installed; $2" >&2; exit 2; }
}
need docker "Kind runs Kubernetes nodes as Docker containers."
if ! docker info >/dev/null 2>&1; then
  echo "e2e: cannot run: Kind needs a running Docker daemon and 'docker info' fails:" >&2
  docker info 2>&1 | tail -n 3 >&2 || true
  exit 2
fi
need kind "see https://kind.sigs.k8s.io/docs/user/quick-start/#installation"
need kubectl "see https://kubernetes.io/docs/tasks/tools/"
need curl "it sends the test request."

PF_PID=""
cleanup() {
  local rc=$?
  [[ -n "$PF_PID" ]] && kill "$PF_PID" 2>/dev/null || true
  if [[ $rc -ne 0 ]]; then
    echo "e2e: failed (exit $rc); diagnostics:" >&2
    kubectl get llmdeployments,deployments,pods,events -n "$NS" -o wide 2>/dev/null >&2 || true
    kubectl describe llmdeployment "$NAME" -n "$NS" 2>/dev/null >&2 || true
    kubectl logs -n cairn-system deploy/cairn-operator --tail=100 2>/dev/null >&2 || true
    kubectl logs -n "$NS" "deploy/$NAME" --tail=100 2>/dev/null >&2 || true
  fi
  if [[ "${KEEP_CLUSTER:-}" != "1" ]]; then
    kind delete cluster --name "$CLUSTER" >/dev/null 2>&1 || true
  fi
  exit $rc
}
trap cleanup EXIT

echo "==> Kind cluster $CLUSTER"
kind get clusters 2>/dev/null | grep -qx "$CLUSTER" || kind create cluster --name "$CLUSTER" --wait 120s
kubectl config use-context "kind-$CLUSTER" >/dev/null

echo "==> images (tag $TAG)"
./hack/images.sh "$TAG"
kind load docker-image "cairn-operator:$TAG" "cairn-activator:$TAG" "cairn-worker:$TAG" --name "$CLUSTER"

echo "==> CRD and operator"
kubectl apply -f crds/
kubectl wait --for=condition=Established crd/llmdeployments.llm.cairn.dev --timeout=60s
kubectl apply -k deploy/
kubectl -n cairn-system set env deploy/cairn-operator "CAIRN_WORKER_IMAGE=cairn-worker:$TAG"
kubectl -n cairn-system set image deploy/cairn-operator "operator=cairn-operator:$TAG"
kubectl -n cairn-system rollout status deploy/cairn-operator --timeout=180s
kubectl -n cairn-system set image deploy/cairn-activator "activator=cairn-activator:$TAG"
kubectl -n cairn-system rollout status deploy/cairn-activator --timeout=180s

echo "==> $NAME from deploy/samples/tiny-cpu.yaml (image pull policy Never: the image is loaded)"
kubectl create namespace "$NS" --dry-run=client -o yaml | kubectl apply -f -
# The sample ends inside spec, so an appended two-space-indented block lands in spec.worker.
{
  cat deploy/samples/tiny-cpu.yaml
  printf '  worker:\n    image: cairn-worker:%s\n    imagePullPolicy: Never\n' "$TAG"
} | kubectl apply -n "$NS" -f -
policy="$(kubectl get llmdeployment "$NAME" -n "$NS" -o jsonpath='{.spec.worker.imagePullPolicy}')"
[[ "$policy" == "Never" ]] || { echo "e2e: spec.worker.imagePullPolicy is '$policy', not Never" >&2; exit 1; }

echo "==> waiting for Ready"
kubectl wait --for=condition=Ready "llmdeployment/$NAME" -n "$NS" --timeout=600s
kubectl get llmdeployment "$NAME" -n "$NS"

echo "==> chat completion through the Service"
kubectl port-forward -n "$NS" "svc/$NAME" "$LOCAL_PORT:8000" >/dev/null 2>&1 &
PF_PID=$!
for _ in $(seq 1 30); do
  curl -sf "http://127.0.0.1:$LOCAL_PORT/v1/models" >/dev/null 2>&1 && break
  sleep 1
done
response="$(curl -sf "http://127.0.0.1:$LOCAL_PORT/v1/chat/completions" \
  -H 'Content-Type: application/json' \
  -d '{"model":"tiny-shakespeare","messages":[{"role":"user","content":"To be, or not to be"}],"max_tokens":16}')"
echo "$response"
if ! grep -q '"choices"' <<<"$response" || ! grep -q '"content"' <<<"$response"; then
  echo "e2e: the response has no choices/content" >&2
  exit 1
fi
echo "e2e: OK"
