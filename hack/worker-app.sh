#!/usr/bin/env bash
# Sourced by the scripts that start the packaged worker as a process of its own (soak, overload,
# coldstart): Java 25 on the PATH, the worker packaged into worker/target/quarkus-app, and
# bench-out/models there for the generated bench model.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export PATH="$JAVA_HOME/bin:$PATH"
./mvnw -B -q -pl worker -am package -DskipTests -Dcairn.cuda.skip=true
mkdir -p bench-out/models
