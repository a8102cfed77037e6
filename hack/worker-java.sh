#!/usr/bin/env bash
# Sourced by the bench scripts: Java 25 on the PATH, the worker compiled in one reactor build (so a
# fresh clone, with nothing installed, resolves cairn-api: the classpath names api/target/classes),
# and WORKER_JAVA, the java command with the worker's classpath and the vector module; callers add
# their heap size and main class.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export PATH="$JAVA_HOME/bin:$PATH"
./mvnw -B -q -pl worker -am compile dependency:build-classpath -DskipTests \
  -Dmdep.outputFile=target/bench.classpath >/dev/null
WORKER_JAVA=(java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED
  -cp "worker/target/classes:$(cat worker/target/bench.classpath)")
