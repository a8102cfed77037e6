# Cairn — build, test and run. `make help` lists the targets.
SHELL := /bin/bash
JAVA_HOME ?= /usr/lib/jvm/temurin-25-jdk-amd64
export JAVA_HOME
export PATH := $(JAVA_HOME)/bin:$(PATH)
MVN ?= ./mvnw -B --no-transfer-progress
VERSION ?= 0.1.0-SNAPSHOT
IMAGE_TAG ?= $(subst -SNAPSHOT,,$(VERSION))
JVM_OPTS ?= --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED
CONFIG ?= deploy/samples/tiny-cpu.yaml
WORKER_APP := worker/target/quarkus-app/quarkus-run.jar
# What the worker jar is built from: `make run` rebuilds it when any of these is newer.
WORKER_INPUTS := pom.xml api/pom.xml worker/pom.xml \
	$(shell find api/src/main worker/src/main -type f 2>/dev/null)

.DEFAULT_GOAL := help
.PHONY: help build test run crds deploy undeploy e2e images bench kernel-bench soak overload coldstart gpu-bundle gpu-worker-bundle fmt clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## compile and package every module (formatting applied), no tests
	$(MVN) package -DskipTests

test: ## run every test (unit *Test and integration *IT; GPU tests report as skipped)
	$(MVN) verify

$(WORKER_APP): $(WORKER_INPUTS)
	$(MVN) package -DskipTests -pl worker -am
	@touch $@

run: $(WORKER_APP) ## serve deploy/samples/tiny-cpu.yaml on http://localhost:8000 (CONFIG=... for another)
	java $(JVM_OPTS) -jar $(WORKER_APP) --config $(CONFIG)

crds: ## regenerate crds/ from the api module (the build fails when they drift)
	$(MVN) package -DskipTests -pl operator -am -Dcairn.crd.update=true

deploy: ## install the CRD and the operator into the current kubectl context
	kubectl apply -f crds/
	kubectl apply -k deploy/

undeploy: ## remove the operator and the CRD (LLMDeployments go with it)
	-kubectl delete -k deploy/ --ignore-not-found
	-kubectl delete -f crds/ --ignore-not-found

e2e: ## end-to-end on a Kind cluster (needs Docker; not run in CI)
	./hack/e2e.sh

images: ## build cairn-operator, cairn-activator and cairn-worker container images (needs Docker)
	./hack/images.sh $(IMAGE_TAG)

bench: build ## run the benchmarks; JSON and PNG under bench-out/
	./hack/bench.sh

kernel-bench: ## the CPU kernels alone: ARGS="matrix 4864 896 16 2 bf16", "step 16 2 q8_0", "attention 1024 1 2 [bf16]" or "prefill 128 2 bf16"
	./hack/kernel-bench.sh

soak: ## 20,000 mixed requests against one worker; heap, RSS and threads to bench-out/soak.json
	./hack/soak.sh

overload: ## 10x capacity open-loop on one worker (0.5B shape); OVERLOAD_SECONDS=20 for a smoke run
	./hack/overload.sh

coldstart: ## a fresh worker's ready time and first requests, warm-up off and on (0.5B shape, LoRA); bench-out/coldstart.json
	./hack/coldstart.sh

gpu-bundle: ## one archive for the GPU test machine (jlink runtime, jars, test classes, JUnit launcher)
	./hack/gpu-bundle.sh

gpu-worker-bundle: $(WORKER_APP) ## the worker for the GPU test machine: runtime, app, cuda sample and checks in one archive
	./hack/gpu-worker-bundle.sh

fmt: ## apply the formatter to every module
	$(MVN) spotless:apply

clean: ## remove build outputs
	$(MVN) clean
	rm -rf bench-out
