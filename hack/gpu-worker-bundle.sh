#!/usr/bin/env bash
# Builds build/gpu-worker-bundle.tgz: Cairn's real worker process, ready to serve the tiny model with
# engine.backend cuda on the GPU test machine, which has no JDK, no Maven and no network and takes
# at most 64 MiB of files in all, the repository's working tree included (stack.md traps 15-16), so
# the archive must stay within 52 MiB:
#   jre/                a jlink runtime with the modules the worker loads (see MODULES)
#   quarkus-app/        the worker's fast-jar (worker/target/quarkus-app, with the build-time PTX),
#                       trimmed: see trim_jar and DROP
#   tiny-cuda.yaml      deploy/samples/tiny-cuda.yaml
#   run-gpu-worker.sh   starts the worker and checks it (hack/run-gpu-worker.sh)
# The bundle is checked on the CPU before it is packed (logs in build/gpu-worker-bundle-cpu-check).
# On the GPU machine, from the repository root (the worker reads models/tiny-shakespeare there):
#   tar xzf build/gpu-worker-bundle.tgz -C /tmp && /tmp/gpu-worker-bundle/run-gpu-worker.sh LOGDIR
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export PATH="$JAVA_HOME/bin:$PATH"
MVN="./mvnw -B -q --no-transfer-progress"
APP=worker/target/quarkus-app
OUT=build/gpu-worker-bundle
TGZ=build/gpu-worker-bundle.tgz
LIMIT=$((52 * 1024 * 1024))

has_ptx() {
  local jar
  jar=$(ls "$APP"/app/cairn-worker-*.jar 2>/dev/null | head -1)
  [[ -n "$jar" ]] && unzip -Z1 "$jar" cuda/matmul.ptx >/dev/null 2>&1
}

# A jar built with -Dcairn.cuda.skip=true (make soak, some test runs) carries no kernels, and the
# cuda backend would refuse to start: rebuild with nvcc then.
if [[ ! -f "$APP/quarkus-run.jar" ]] || ! has_ptx; then
  command -v nvcc >/dev/null || ls /usr/local/cuda*/bin/nvcc >/dev/null 2>&1 ||
    { echo "gpu-worker-bundle: nvcc not found; the worker would carry no PTX kernels" >&2; exit 1; }
  echo "gpu-worker-bundle: building the worker with its CUDA kernels"
  $MVN package -DskipTests -pl worker -am -Dcairn.cuda.skip=false
fi
has_ptx || { echo "gpu-worker-bundle: $APP carries no cuda/*.ptx" >&2; exit 1; }

rm -rf "$OUT" "$TGZ"
mkdir -p "$OUT"
cp -r "$APP" "$OUT/quarkus-app"
lib="$OUT/quarkus-app/lib/main"

# Jars no class is loaded from while the worker starts, loads the model and serves completions,
# streamed chat, metrics and health (checked with -Xlog:class+load on the CPU backend; the cuda
# classes reach only JCuda, Micrometer, jboss-logging and the Kubernetes core model): the other
# Kubernetes API groups and the client (the worker reads LLMDeploymentSpec, never the resource),
# Jinjava's optional helpers (archives, byte code, codecs, IP filters), DJL's model-zoo helpers,
# Vert.x code generators and Brotli (HTTP compression is off).
DROP=(
  'io.fabric8.kubernetes-model-[!c]*' 'io.fabric8.kubernetes-model-certificates-*'
  'io.fabric8.kubernetes-model-coordination-*' 'io.fabric8.kubernetes-client-api-*'
  'org.apache.commons.commons-compress-*' 'org.javassist.javassist-*' 'commons-io.commons-io-*'
  'commons-codec.commons-codec-*' 'commons-net.commons-net-*' 'com.google.code.gson.gson-*'
  'org.snakeyaml.snakeyaml-engine-*' 'io.vertx.vertx-codegen-*'
  'io.smallrye.reactive.vertx-mutiny-generator-*' 'com.aayushatharva.brotli4j.*'
)
# Each is replaced by a jar holding only a manifest rather than deleted: Quarkus' class loader
# indexes packages by jar, some packages (io.fabric8.kubernetes.api.model) span several jars, and
# a lookup fails on a missing file where it moves on past an empty jar.
empty=$(mktemp -d)
mkdir "$empty/META-INF"
printf 'Manifest-Version: 1.0\r\n\r\n' >"$empty/META-INF/MANIFEST.MF"
(cd "$empty" && zip -q -X -0 empty.jar META-INF/MANIFEST.MF)
for pattern in "${DROP[@]}"; do
  compgen -G "$lib/$pattern.jar" >/dev/null ||
    { echo "gpu-worker-bundle: no jar matches $pattern (update DROP)" >&2; exit 1; }
  for jar in "$lib"/$pattern.jar; do
    cp "$empty/empty.jar" "$jar"
  done
done
rm -rf "$empty"

# Rewrites one jar: removes the entries given (patterns as zip takes them), strips the symbol
# tables of its x86-64 native libraries, and stores every entry uncompressed. Stored jars make the
# archive about a quarter smaller, since gzip then sees all the classes as one stream.
trim_jar() {
  local jar="$1" dir
  shift
  (($# == 0)) || zip -q -d "$jar" "$@" >/dev/null
  dir=$(mktemp -d)
  unzip -q "$jar" -d "$dir"
  find "$dir" -name '*.so' -exec strip --strip-unneeded {} +
  rm "$jar"
  (cd "$dir" && { [[ -f META-INF/MANIFEST.MF ]] && echo META-INF/MANIFEST.MF
    find . -mindepth 1 ! -path ./META-INF/MANIFEST.MF | sed 's|^\./||' | LC_ALL=C sort; } |
    zip -q -0 -X "$OLDPWD/$jar" -@)
  rm -rf "$dir"
}

# Native libraries for other platforms (every one whose path lacks the linux x86-64 directory);
# JCuda's PTX compiler and NVRTC bindings (Cairn calls the driver API alone, with build-time PTX:
# trap 16).
foreign() {
  unzip -Z1 "$1" | grep -E '\.(so|dylib|dll|jnilib|a)$' | grep -v "/$2/" || true
}
tokenizers_jar=$(ls "$lib"/ai.djl.huggingface.tokenizers-*.jar)
jna_jar=$(ls "$lib"/net.java.dev.jna.jna-*.jar)
mapfile -t tokenizers < <(foreign "$tokenizers_jar" linux-x86_64)
mapfile -t jna < <(foreign "$jna_jar" linux-x86-64)
trim_jar "$tokenizers_jar" "${tokenizers[@]}"
trim_jar "$jna_jar" "${jna[@]}"
trim_jar "$(ls "$lib"/org.jcuda.jcuda-natives-*.jar)" 'lib/libJNvPTXCompiler*' 'lib/libJNvrtc*'
for jar in $(find "$OUT/quarkus-app" -name '*.jar' | sort); do
  case "$jar" in
    *ai.djl.huggingface.tokenizers-* | *net.java.dev.jna.jna-* | *org.jcuda.jcuda-natives-*) ;;
    *) trim_jar "$jar" ;;
  esac
done

echo "gpu-worker-bundle: jlink runtime"
# What jdeps finds over the worker's jars, less what only the benchmarks use (java.net.http),
# build-time code generators (java.compiler, jdk.compiler) and Javassist's agent support
# (java.instrument, jdk.attach, jdk.jdi), plus what only shows at run time: jdk.zipfs (Quarkus
# reads its config through the jar file system) and the incubating Vector API. java.desktop stays
# for java.beans: Jinjava's expression resolver links against it when the chat template loads.
MODULES=java.base,java.logging,java.management,jdk.management,java.naming,java.sql,java.xml
MODULES+=,java.desktop,jdk.unsupported,jdk.incubator.vector,jdk.zipfs
# AWT, fonts, images and sound: native code a headless server never loads.
AWT='**/libawt*.so,**/libfontmanager.so,**/libfreetype.so,**/liblcms.so,**/libmlib_image.so'
AWT+=',**/libsplashscreen.so,**/libjavajpeg.so,**/libjsound.so,**/libjawt.so'
# zip-0: an uncompressed module image gzips to less than a zip-9 one (33 against 41 MB here).
jlink --add-modules "$MODULES" --strip-debug --no-man-pages --no-header-files --compress=zip-0 \
  --exclude-files="$AWT" --output "$OUT/jre" 2>"$OUT/jlink.log" ||
  { cat "$OUT/jlink.log" >&2; exit 1; }
rm "$OUT/jlink.log"
strip --strip-unneeded "$OUT/jre/lib/server/libjvm.so"
echo "$MODULES" >"$OUT/jre-modules.txt"

cp deploy/samples/tiny-cuda.yaml "$OUT/"
cp hack/run-gpu-worker.sh "$OUT/"
chmod +x "$OUT/run-gpu-worker.sh"

# The trimmed app must still start and serve before it travels: the same checks on the CPU, the
# GPU-only ones skipped. Nothing is written inside the bundle (scratch files go to a temp dir).
echo "gpu-worker-bundle: checking the bundle on the CPU (deploy/samples/tiny-cpu.yaml)"
"$OUT/run-gpu-worker.sh" build/gpu-worker-bundle-cpu-check deploy/samples/tiny-cpu.yaml

tar cf - -C build gpu-worker-bundle | gzip -9 >"$TGZ"
size=$(stat -c %s "$TGZ")
echo "gpu-worker-bundle: $TGZ $(awk "BEGIN {printf \"%.1f\", $size / 1048576}") MiB ($size bytes;" \
  "on disk: jre $(du -sh "$OUT/jre" | cut -f1), quarkus-app $(du -sh "$OUT/quarkus-app" | cut -f1))"
if ((size > LIMIT)); then
  echo "gpu-worker-bundle: over the 52 MiB that leave room for the working tree" >&2
  exit 1
fi
