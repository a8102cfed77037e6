#!/usr/bin/env bash
# Builds build/gpu-bundle.tgz: everything the GPU test machine needs to run the worker's GPU tests,
# since that machine has no JDK, no Maven and no network, and takes at most 64 MiB (stack.md trap 15):
#   jre/           a jlink runtime (modules found by jdeps, plus the incubator Vector API)
#   lib/           the worker's runtime and test jars, JCuda with its natives, the JUnit console
#   classes/       the worker classes, with the build-time PTX under classes/cuda/
#   test-classes/  the worker tests
#   models/        the tiny model and its reference outputs
#   run-gpu-tests.sh  runs the tests tagged gpu (and the GPU bench when the build has one)
# On the GPU machine: tar xzf gpu-bundle.tgz && gpu-bundle/run-gpu-tests.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export PATH="$JAVA_HOME/bin:$PATH"
MVN="./mvnw -B -q --no-transfer-progress"
OUT=build/gpu-bundle
LIMIT=$((64 * 1024 * 1024))

command -v nvcc >/dev/null || ls /usr/local/cuda*/bin/nvcc >/dev/null 2>&1 ||
  { echo "gpu-bundle: nvcc not found; the bundle would carry no PTX kernels" >&2; exit 1; }

rm -rf "$OUT" build/gpu-bundle.tgz
mkdir -p "$OUT/lib" "$OUT/models"

# Only what the GPU tests and the bench load (the whole test classpath, Quarkus and the OpenAI
# client included, is over 200 MiB); JUnit's own jars come with the console launcher. The copy runs
# in the same reactor as the compile: on a fresh machine the api module is in no local repository.
JARS=jcuda,jcuda-natives,jackson-databind,jackson-core,jackson-annotations,assertj-core,byte-buddy
JARS+=,micrometer-core,micrometer-commons,micrometer-observation,HdrHistogram,LatencyUtils,jboss-logging
echo "gpu-bundle: compiling the worker, its tests and kernels"
$MVN -pl worker -am test-compile dependency:copy-dependencies -DincludeScope=test \
  -DoutputDirectory="$PWD/$OUT/lib" -DincludeArtifactIds="$JARS,junit-jupiter-api" -Dmdep.prependGroupId=true
cp -r worker/target/classes "$OUT/classes"
cp -r api/target/classes/. "$OUT/classes/"
cp -r worker/target/test-classes "$OUT/test-classes"
ls "$OUT"/classes/cuda/*.ptx >/dev/null

# The console launcher matches the JUnit version the tests compiled against (from the Quarkus BOM).
JUNIT_API=$(ls "$OUT"/lib/org.junit.jupiter.junit-jupiter-api-*.jar 2>/dev/null | head -1)
JUNIT_VERSION=$(basename "${JUNIT_API:-none}" .jar | sed -n 's/^org.junit.jupiter.junit-jupiter-api-//p')
[[ -n "$JUNIT_VERSION" ]] || { echo "gpu-bundle: cannot tell the JUnit version" >&2; exit 1; }
rm -f "$OUT"/lib/org.junit.*.jar "$OUT"/lib/org.opentest4j.*.jar "$OUT"/lib/org.apiguardian.*.jar
# Cairn calls the driver API alone: the PTX-compiler and NVRTC natives (24 MiB) would only count
# against the 64 MiB the GPU machine takes.
zip -q -d "$OUT"/lib/org.jcuda.jcuda-natives-*.jar 'lib/libJNvPTXCompiler*' 'lib/libJNvrtc*'
$MVN -pl worker dependency:copy \
  -Dartifact="org.junit.platform:junit-platform-console-standalone:$JUNIT_VERSION" \
  -DoutputDirectory="$PWD/$OUT/lib"
cp -r models/tiny-shakespeare "$OUT/models/"

echo "gpu-bundle: jlink runtime"
# A fixed module list: jdeps over these jars also asks for java.desktop (java.beans, used by
# optional paths of Jackson and AssertJ) and jdk.jfr, which would push the bundle over 64 MiB.
MODULES=java.base,java.logging,jdk.incubator.vector,jdk.unsupported,java.management,jdk.management
MODULES+=,java.net.http,jdk.crypto.ec,java.sql,java.naming,java.xml
jlink --add-modules "$MODULES" --strip-debug --no-man-pages --no-header-files --compress=zip-9 \
  --output "$OUT/jre"
echo "$MODULES" > "$OUT/jre-modules.txt"

cat > "$OUT/run-gpu-tests.sh" <<'RUN'
#!/usr/bin/env bash
# Runs the worker's GPU tests (JUnit tag "gpu") with the bundled runtime, then GpuBench; reports
# land in reports/. CAIRN_GPU_RUN=tests or =bench runs one half. Arguments go to the JUnit
# launcher. Without a usable GPU every test reports as skipped, with the probe's reason.
set -uo pipefail
cd "$(dirname "$0")"
export TMPDIR="${TMPDIR:-/tmp}"
JAVA=(jre/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED
  -Djava.io.tmpdir="$TMPDIR" -Dcairn.repo.root="$PWD" -Xss4m -cp "classes:test-classes:lib/*")
mode="${CAIRN_GPU_RUN:-all}"
status=0
if [[ "$mode" != bench ]]; then
  "${JAVA[@]}" org.junit.platform.console.ConsoleLauncher execute \
    --select-package dev.cairn.worker --include-tag gpu --details=tree --disable-banner \
    --reports-dir reports "$@" || status=1
fi
if [[ "$mode" != tests && -f classes/dev/cairn/worker/bench/GpuBench.class ]]; then
  echo "== GPU bench"
  "${JAVA[@]}" dev.cairn.worker.bench.GpuBench reports/gpu-bench.json || status=1
fi
exit $status
RUN
chmod +x "$OUT/run-gpu-tests.sh"

tar czf build/gpu-bundle.tgz -C build gpu-bundle
size=$(stat -c %s build/gpu-bundle.tgz)
echo "gpu-bundle: build/gpu-bundle.tgz $((size / 1024 / 1024)) MiB ($size bytes), jre $(du -sh "$OUT/jre" | cut -f1), lib $(du -sh "$OUT/lib" | cut -f1)"
if (( size > LIMIT )); then
  echo "gpu-bundle: over the 64 MiB the GPU machine accepts" >&2
  exit 1
fi
