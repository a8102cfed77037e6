#!/usr/bin/env bash
# On the GPU machine, from the repository root with build/gpu-bundle.tgz beside it (make gpu-bundle,
# then carry build/gpu-bundle.tgz): records the device, runs the GPU tests, then GpuBench, each under
# its own time limit so one overrun still leaves the other's figures. Logs and reports go to $1.
set -uo pipefail
out="$(realpath -m "${1:-gpu-reports}")"
mkdir -p "$out"
work="$(mktemp -d)"
tar xzf build/gpu-bundle.tgz -C "$work"
bundle="$work/gpu-bundle"
{
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem --format=csv
  nvidia-smi | sed -n 1,4p
  command -v nvcc >/dev/null && nvcc --version | tail -2
} >"$out/device.txt" 2>&1
cat "$out/device.txt"
status=0
echo "== GPU tests (limit ${CAIRN_TEST_LIMIT:-240} s)"
CAIRN_GPU_RUN=tests timeout "${CAIRN_TEST_LIMIT:-240}" "$bundle/run-gpu-tests.sh" \
  --disable-ansi-colors --details=tree >"$out/tests.log" 2>&1 || status=1
grep -E "✘|Exception|expected|Expecting|tests (successful|failed|aborted)|timed out" "$out/tests.log" |
  head -60
cp "$bundle"/reports/*.xml "$out/" 2>/dev/null
echo "== GPU bench (limit ${CAIRN_BENCH_LIMIT:-300} s)"
(cd "$bundle" && CAIRN_GPU_RUN=bench timeout "${CAIRN_BENCH_LIMIT:-300}" ./run-gpu-tests.sh) \
  >"$out/bench.log" 2>&1 || status=1
grep -vE "^\s+at " "$out/bench.log" | tail -40
cp "$bundle"/reports/gpu-bench.json "$out/" 2>/dev/null
exit $status
