#!/usr/bin/env bash
# Starts Cairn's worker from the GPU worker bundle (make gpu-worker-bundle) with the bundled Java
# runtime and checks it as a client would: the reference greedy completion, a streamed chat, 32
# concurrent completions, the GPU memory metrics and the backend it chose. Prints one PASS, FAIL or
# SKIP line per check and exits non-zero when any check fails.
#
#   run-gpu-worker.sh LOGDIR [CONFIG]
#
# CONFIG (or env CAIRN_WORKER_CONFIG) defaults to the bundle's tiny-cuda.yaml; a config whose
# engine.backend is not cuda (e.g. deploy/samples/tiny-cpu.yaml) skips the GPU-only checks.
# The config's file:models/tiny-shakespeare resolves against the directory the script is called
# from (the repository root: the model travels with the working tree), or against the bundle
# directory if a models/ directory is put there.
# LOGDIR receives worker.log, metrics.txt, checks.txt and device.txt. CAIRN_JAVA_OPTS adds JVM options.
set -uo pipefail
start_s=$SECONDS
bundle="$(cd "$(dirname "$0")" && pwd)"
logs="$(realpath -m "${1:?usage: run-gpu-worker.sh LOGDIR [CONFIG]}")"
config="${2:-${CAIRN_WORKER_CONFIG:-$bundle/tiny-cuda.yaml}}"
[[ -f "$config" ]] || { echo "FAIL config $config does not exist"; exit 2; }
config="$(realpath "$config")"
mkdir -p "$logs"
: >"$logs/checks.txt"
# Each result line goes to the terminal and to checks.txt.
say() { echo "$*" | tee -a "$logs/checks.txt"; }

# Where relative file: model sources resolve: the first of these that holds the tiny model.
root=""
for dir in "$PWD" "$bundle"; do
  if [[ -f "$dir/models/tiny-shakespeare/reference.json" ]]; then
    root="$dir"
    break
  fi
done
[[ -n "$root" ]] || { say "FAIL models/tiny-shakespeare is neither in $PWD nor in $bundle"; exit 2; }

# A backend of cuda in the config makes the GPU checks mandatory; otherwise they are skipped.
expect=cpu
grep -Eq '^[[:space:]]*backend:[[:space:]]*"?cuda"?[[:space:]]*(#.*)?$' "$config" && expect=cuda

{
  echo "config: $config (expected backend $expect)"
  echo "model root: $root"
  command -v nvidia-smi >/dev/null &&
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1
  "$bundle/jre/bin/java" -version 2>&1
  cat "$bundle/jre/release" 2>/dev/null
} >"$logs/device.txt"

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
work="$(mktemp -d)"
# Native libraries that unpack themselves (DJL's tokenizer, JCuda) go to the scratch directory.
# DJL runs offline: nothing can be fetched on the GPU machine, and offline DJL takes the cpu build
# of the tokenizer library the jar carries, where with a GPU visible it would look for a CUDA build
# to download.
export DJL_CACHE_DIR="$work/djl" ENGINE_CACHE_DIR="$work/djl" CAIRN_MODEL_CACHE="$work/models"
export PORT="$port"
unset CAIRN_CONFIG CAIRN_API_KEY
JAVA_OPTS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED
  -Djava.io.tmpdir="$work" -Dai.djl.offline=true -Dquarkus.http.host=127.0.0.1)
# Extra JVM options, split on spaces (e.g. CAIRN_JAVA_OPTS=-Xlog:class+load:file=classes.txt).
read -ra extra <<<"${CAIRN_JAVA_OPTS:-}"
JAVA_OPTS+=("${extra[@]}")
(cd "$root" && exec "$bundle/jre/bin/java" "${JAVA_OPTS[@]}" \
  -jar "$bundle/quarkus-app/quarkus-run.jar" --config "$config") >"$logs/worker.log" 2>&1 &
worker=$!
stop_worker() {
  if kill "$worker" 2>/dev/null; then
    for _ in $(seq 1 50); do
      kill -0 "$worker" 2>/dev/null || break
      sleep 0.2
    done
    kill -9 "$worker" 2>/dev/null
  fi
  rm -rf "$work"
}
trap stop_worker EXIT

say "worker pid $worker on port $port, config $config, logs in $logs"
# Ready, or failed (a model that cannot load leaves the process up with phase "failed"), or gone.
state="not ready within 60 s"
for _ in $(seq 1 240); do
  if ! kill -0 "$worker" 2>/dev/null; then
    state="exited"
    break
  fi
  body="$(curl -s "http://127.0.0.1:$port/health/ready" 2>/dev/null)"
  case "$body" in
    *'"status":"UP"'*) state=ready && break ;;
    *'"phase":"failed"'*) state="failed: $body" && break ;;
  esac
  sleep 0.25
done
if [[ "$state" != ready ]]; then
  say "FAIL worker $state (see $logs/worker.log):"
  grep -vE '^\s+at ' "$logs/worker.log" | tail -20 | tee -a "$logs/checks.txt"
  exit 1
fi
say "PASS worker ready after $((SECONDS - start_s)) s"

status=0
# The process serving is the bundle's runtime, not a system JDK.
exe="$(readlink "/proc/$worker/exe" 2>/dev/null || echo unknown)"
if [[ "$exe" == "$bundle/jre/bin/java" ]]; then
  say "PASS runtime is the bundled JRE ($exe)"
else
  say "FAIL runtime is $exe, not $bundle/jre/bin/java"
  status=1
fi

python3 - "$port" "$root/models/tiny-shakespeare/reference.json" "$expect" "$logs" <<'PY' | tee -a "$logs/checks.txt"
import concurrent.futures
import json
import sys
import time
import urllib.request

port, reference_file, expect, logs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
base = f"http://127.0.0.1:{port}"
failed = False


def report(ok, name, detail=""):
    global failed
    failed |= ok is False
    word = "SKIP" if ok is None else "PASS" if ok else "FAIL"
    print(f"{word} {name}" + (f": {detail}" if detail else ""), flush=True)


def post(path, body, timeout=60):
    req = urllib.request.Request(
        base + path, json.dumps(body).encode(), {"Content-Type": "application/json"})
    return urllib.request.urlopen(req, timeout=timeout)


def check(name, fn):
    try:
        fn()
    except Exception as e:  # one broken check must not hide the others
        report(False, name, f"{type(e).__name__}: {e}")


case = json.load(open(reference_file))["cases"][0]
model = json.load(urllib.request.urlopen(base + "/v1/models", timeout=10))["data"][0]["id"]
greedy = {"model": model, "prompt": case["prompt"], "max_tokens": len(case["greedy_ids"]),
          "temperature": 0, "ignore_eos": True}


def completion():
    t = time.monotonic()
    out = json.load(post("/v1/completions", greedy))
    text = out["choices"][0]["text"]
    report(text == case["greedy_text"], "(a) greedy completion equals reference.json case 0",
           f"{out['usage']['completion_tokens']} tokens in {time.monotonic() - t:.2f} s"
           if text == case["greedy_text"] else f"got {text!r}, want {case['greedy_text']!r}")


def chat_stream():
    body = {"model": model, "stream": True, "max_tokens": 16, "temperature": 0, "ignore_eos": True,
            "messages": [{"role": "user", "content": "Speak, Romeo."}]}
    chunks, text, done, finish = 0, "", False, None
    with post("/v1/chat/completions", body) as resp:
        ctype = resp.headers.get("Content-Type", "")
        for raw in resp:
            line = raw.decode().strip()
            if not line.startswith("data: "):
                continue
            data = line[len("data: "):]
            if data == "[DONE]":
                done = True
                continue
            choice = json.loads(data)["choices"]
            if choice:
                chunks += 1
                text += choice[0].get("delta", {}).get("content") or ""
                finish = choice[0].get("finish_reason") or finish
    ok = ctype.startswith("text/event-stream") and done and chunks >= 2 and finish == "length"
    report(ok, "(b) streamed chat completion",
           f"{chunks} SSE chunks, finish_reason {finish}, [DONE] {done}, {ctype!r}, text {text!r}")


def many():
    def one(i):
        out = json.load(post("/v1/completions", greedy, timeout=120))
        return out["choices"][0]["text"], out["usage"]["completion_tokens"]

    t = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(32) as pool:
        futures = [pool.submit(one, i) for i in range(32)]
        results, errors = [], []
        for f in futures:
            try:
                results.append(f.result())
            except Exception as e:
                errors.append(f"{type(e).__name__}: {e}")
    took = time.monotonic() - t
    tokens = sum(n for _, n in results)
    report(not errors and len(results) == 32, "(c) 32 concurrent completions succeed",
           f"{len(results)} answered, {tokens} tokens in {took:.2f} s"
           + (f"; errors: {errors[:3]}" if errors else ""))
    same = sum(text == case["greedy_text"] for text, _ in results)
    report(same == 32, "(c) every concurrent greedy completion equals the reference",
           f"{same}/32 equal")


def metrics():
    text = urllib.request.urlopen(base + "/metrics", timeout=10).read().decode()
    open(f"{logs}/metrics.txt", "w").write(text)
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    info = [n for n in samples if n.startswith("cairn_model_info{")]
    backend = f'backend="{expect}"'
    report(any(backend in n for n in info) and all(samples[n] == 1 for n in info),
           f"(d) cairn_model_info has {backend}", "; ".join(info) or "no cairn_model_info")
    gpu = {n: v for n, v in samples.items() if n.startswith("cairn_gpu_memory_")}
    if expect != "cuda":
        report(None, "(d) cairn_gpu_memory_* non-zero", f"backend {expect}; series: {len(gpu)}")
        return
    used = [v for n, v in gpu.items() if n.startswith("cairn_gpu_memory_used_bytes{")]
    total = [v for n, v in gpu.items() if n.startswith("cairn_gpu_memory_total_bytes{")]
    ok = used and total and all(v > 0 for v in used + total)
    report(bool(ok), "(d) cairn_gpu_memory_* non-zero",
           "; ".join(f"{n} {v:.0f}" for n, v in gpu.items()) or "no cairn_gpu_memory_ series")


check("(a) greedy completion", completion)
check("(b) streamed chat completion", chat_stream)
check("(c) concurrent completions", many)
check("(d) metrics", metrics)
sys.exit(1 if failed else 0)
PY
((PIPESTATUS[0] == 0)) || status=1

# (e) The backend line BackendChoice logs at startup.
line="$(grep -oE "backend (cpu|cuda): .*" "$logs/worker.log" | head -1)"
if [[ "$line" == "backend $expect:"* ]]; then
  say "PASS (e) worker log: $line"
else
  say "FAIL (e) worker log has no 'backend $expect:' line (found: ${line:-none})"
  status=1
fi
if grep -qE "ERROR|Exception" "$logs/worker.log"; then
  say "INFO the worker log has errors or exceptions:"
  grep -E "ERROR|Exception" "$logs/worker.log" | head -5 | tee -a "$logs/checks.txt"
fi
say "$( ((status == 0)) && echo PASS || echo FAIL ) all checks in $((SECONDS - start_s)) s"
exit $status
