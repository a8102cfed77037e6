package dev.cairn.api.v1alpha1.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.v1alpha1.AcceleratorSpec;
import dev.cairn.api.v1alpha1.AlertsSpec;
import dev.cairn.api.v1alpha1.AutoscalingSpec;
import dev.cairn.api.v1alpha1.BackendKind;
import dev.cairn.api.v1alpha1.LLMDeploymentSpec;
import dev.cairn.api.v1alpha1.ModelSpec;
import dev.cairn.api.v1alpha1.ScaleFromZeroSpec;
import dev.cairn.api.v1alpha1.SecretKeyRef;
import dev.cairn.api.v1alpha1.WorkerSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Every rule of {@link SpecValidator}, each with the field it names and its message. */
class SpecValidatorTest {
  private final SpecValidator validator = new SpecValidator(Set.of("A10G", "L4"));

  private static LLMDeploymentSpec valid() {
    LLMDeploymentSpec spec = new LLMDeploymentSpec();
    ModelSpec model = new ModelSpec();
    model.setSource("hf://Qwen/Qwen2.5-0.5B-Instruct");
    spec.setModel(model);
    spec.setAccelerator(new AcceleratorSpec("A10G", 1));
    return spec;
  }

  private List<Violation> violations(Consumer<LLMDeploymentSpec> change) {
    LLMDeploymentSpec spec = valid();
    change.accept(spec);
    return validator.validate(spec);
  }

  private void assertOnly(Consumer<LLMDeploymentSpec> change, String field, String message) {
    assertThat(violations(change)).containsExactly(new Violation(field, message));
  }

  @Test
  void aValidSpecHasNoViolations() {
    assertThat(validator.validate(valid())).isEmpty();
  }

  @Test
  void everySourceSchemeIsAccepted() {
    for (String source :
        List.of(
            "hf://Qwen/Qwen2.5-0.5B-Instruct@main",
            "pvc://models-claim/qwen/0.5b",
            "file:models/tiny-shakespeare",
            "file:/opt/models/x")) {
      assertThat(violations(s -> s.getModel().setSource(source))).as(source).isEmpty();
    }
  }

  @Test
  void specAndModelAndAcceleratorAreRequired() {
    assertThat(validator.validate(null)).containsExactly(new Violation("spec", "is required"));
    assertOnly(s -> s.setModel(null), "spec.model", "is required");
    assertOnly(
        s -> s.setAccelerator(null), "spec.accelerator", "is required (type: cpu for no GPU)");
  }

  @Test
  void modelRules() {
    assertOnly(
        s -> s.getModel().setId("has space"),
        "spec.model.id",
        "must be 1-256 characters without spaces");
    assertOnly(
        s -> s.getModel().setSource(" "),
        "spec.model.source",
        "is required: hf://ORG/NAME[@REV], pvc://CLAIM/PATH or file:PATH");
    assertOnly(
        s -> s.getModel().setSource("s3://bucket/model"),
        "spec.model.source",
        "\"s3://bucket/model\" is not hf://ORG/NAME[@REV], pvc://CLAIM/PATH or file:PATH");
    assertThat(violations(s -> s.getModel().setCredentialsSecretRef(new SecretKeyRef("", null))))
        .containsExactly(
            new Violation("spec.model.credentialsSecretRef.name", "is required"),
            new Violation("spec.model.credentialsSecretRef.key", "is required"));
  }

  @Test
  void acceleratorRules() {
    assertOnly(s -> s.getAccelerator().setType(""), "spec.accelerator.type", "is required");
    assertOnly(
        s -> s.getAccelerator().setType("TPU"),
        "spec.accelerator.type",
        "unknown type \"TPU\"; known: cpu, A10G, L4");
    assertOnly(
        s -> s.getAccelerator().setCount(-1),
        "spec.accelerator.count",
        "must be at least 0, got -1");
    assertOnly(
        s -> s.getAccelerator().setCount(0),
        "spec.accelerator.count",
        "must be at least 1 unless accelerator.type is cpu");
    assertThat(violations(s -> s.setAccelerator(new AcceleratorSpec("cpu", 0)))).isEmpty();
    assertThat(violations(s -> s.setAccelerator(new AcceleratorSpec("cpu", 1)))).isEmpty();
    assertOnly(
        s -> s.setAccelerator(new AcceleratorSpec("cpu", 2)),
        "spec.accelerator.count",
        "must be 0 or 1 when accelerator.type is cpu (a cpu replica gets no GPUs), got 2");
    assertThat(SpecValidator.anyAccelerator().validate(withAccelerator("TPU"))).isEmpty();
  }

  @Test
  void aCudaBackendNeedsAGpuAccelerator() {
    assertOnly(
        s -> {
          s.setAccelerator(new AcceleratorSpec("CPU", 0));
          s.getEngine().setBackend(BackendKind.CUDA);
        },
        "spec.engine.backend",
        "engine.backend cuda needs a GPU but accelerator.type is cpu: set engine.backend to cpu or"
            + " auto, or accelerator.type to a GPU type");
    for (BackendKind fits : List.of(BackendKind.AUTO, BackendKind.CPU)) {
      assertThat(
              violations(
                  s -> {
                    s.setAccelerator(new AcceleratorSpec("cpu", 0));
                    s.getEngine().setBackend(fits);
                  }))
          .as(fits.name())
          .isEmpty();
    }
    // A GPU replica may still run the cpu backend (e.g. to compare against it).
    assertThat(violations(s -> s.getEngine().setBackend(BackendKind.CPU))).isEmpty();
    assertThat(violations(s -> s.getEngine().setBackend(BackendKind.CUDA))).isEmpty();
  }

  private static LLMDeploymentSpec withAccelerator(String type) {
    LLMDeploymentSpec spec = valid();
    spec.getAccelerator().setType(type);
    return spec;
  }

  @Test
  void replicasMustNotBeNegative() {
    assertOnly(s -> s.setReplicas(-1), "spec.replicas", "must be at least 0, got -1");
  }

  @Test
  void autoscalingBounds() {
    assertOnly(
        s -> s.setAutoscaling(autoscaling(-1, 1, null)),
        "spec.autoscaling.minReplicas",
        "must be at least 0, got -1");
    assertOnly(
        s -> s.setAutoscaling(autoscaling(0, 0, null)),
        "spec.autoscaling.maxReplicas",
        "must be at least 1, got 0");
    assertOnly(
        s -> s.setAutoscaling(autoscaling(3, 2, null)),
        "spec.autoscaling.maxReplicas",
        "must be at least minReplicas (3), got 2");
    assertOnly(
        s -> s.setAutoscaling(autoscaling(1, 2, 5)),
        "spec.autoscaling.initialReplicas",
        "must lie within [1, 2], got 5");
    assertOnly(
        s -> s.setAutoscaling(autoscaling(2, null, 1)),
        "spec.autoscaling.initialReplicas",
        "must lie within [2, 2], got 1");
  }

  @Test
  void scaleToZeroIsValidAndDefaultsMaxToOne() {
    LLMDeploymentSpec spec = valid();
    AutoscalingSpec a = autoscaling(0, null, 0);
    spec.setAutoscaling(a);
    assertThat(validator.validate(spec, "m")).isEmpty();
    assertThat(a.effectiveMaxReplicas()).isEqualTo(1);
    assertThat(a.scalesToZero()).isTrue();
  }

  @Test
  void scaleFromZeroBounds() {
    assertOnly(
        s -> s.setAutoscaling(tuned(a -> a.setScaleFromZero(scaleFromZero(0, 300)))),
        "spec.autoscaling.scaleFromZero.queueSize",
        "must be at least 1, got 0");
    assertOnly(
        s -> s.setAutoscaling(tuned(a -> a.setScaleFromZero(scaleFromZero(100, 0)))),
        "spec.autoscaling.scaleFromZero.timeoutSeconds",
        "must be at least 1, got 0");
  }

  private static ScaleFromZeroSpec scaleFromZero(int queueSize, int timeoutSeconds) {
    ScaleFromZeroSpec z = new ScaleFromZeroSpec();
    z.setQueueSize(queueSize);
    z.setTimeoutSeconds(timeoutSeconds);
    return z;
  }

  @Test
  void autoscalingTuning() {
    assertOnly(
        s -> s.setAutoscaling(tuned(a -> a.setTargetOngoingRequests(0.0))),
        "spec.autoscaling.targetOngoingRequests",
        "must be greater than 0, got 0.0");
    assertOnly(
        s -> s.setAutoscaling(tuned(a -> a.setUpscalingFactor(-1.0))),
        "spec.autoscaling.upscalingFactor",
        "must be greater than 0, got -1.0");
    assertOnly(
        s -> s.setAutoscaling(tuned(a -> a.setDownscalingFactor(0.0))),
        "spec.autoscaling.downscalingFactor",
        "must be greater than 0, got 0.0");
    assertOnly(
        s -> s.setAutoscaling(tuned(a -> a.setUpscaleDelaySeconds(-1))),
        "spec.autoscaling.upscaleDelaySeconds",
        "must be at least 0, got -1");
    assertOnly(
        s -> s.setAutoscaling(tuned(a -> a.setDownscaleDelaySeconds(-5))),
        "spec.autoscaling.downscaleDelaySeconds",
        "must be at least 0, got -5");
    assertOnly(
        s -> s.setAutoscaling(tuned(a -> a.setLookBackPeriodSeconds(0))),
        "spec.autoscaling.lookBackPeriodSeconds",
        "must be at least 1, got 0");
    assertOnly(
        s -> s.setAutoscaling(tuned(a -> a.setMetricsIntervalSeconds(0))),
        "spec.autoscaling.metricsIntervalSeconds",
        "must be at least 1, got 0");
  }

  @Test
  void llmSignalTargets() {
    assertOnly(
        s -> s.setAutoscaling(tuned(a -> a.setTargetWaitingRequests(0.0))),
        "spec.autoscaling.targetWaitingRequests",
        "must be greater than 0, got 0.0");
    assertOnly(
        s -> s.setAutoscaling(tuned(a -> a.setTargetKvCacheUsage(1.5))),
        "spec.autoscaling.targetKvCacheUsage",
        "must lie in (0, 1], got 1.5");
    assertOnly(
        s -> s.setAutoscaling(tuned(a -> a.setTargetKvCacheUsage(0.0))),
        "spec.autoscaling.targetKvCacheUsage",
        "must lie in (0, 1], got 0.0");
    assertOnly(
        s -> s.setAutoscaling(tuned(a -> a.setTargetTokensPerSecond(-2.0))),
        "spec.autoscaling.targetTokensPerSecond",
        "must be greater than 0, got -2.0");
  }

  @Test
  void engineSignalsNeedEngineMetrics() {
    assertOnly(
        s -> {
          s.setLogEngineMetrics(false);
          s.setAutoscaling(tuned(a -> a.setTargetKvCacheUsage(0.8)));
        },
        "spec.autoscaling",
        AutoscalingSpec.ENGINE_SIGNAL_NEEDS_METRICS);
    assertThat(
            violations(
                s -> {
                  s.setLogEngineMetrics(false);
                  s.setAutoscaling(tuned(a -> a.setTargetTokensPerSecond(50.0)));
                }))
        .as("tokens/s reads service metrics, which stay on")
        .isEmpty();
  }

  @Test
  void sloObjectives() {
    assertOnly(
        s -> s.getMonitoring().getAlerts().getSlo().setAvailability(1.0),
        "spec.monitoring.alerts.slo.availability",
        "must lie in (0, 1), got 1.0");
    assertOnly(
        s -> s.getMonitoring().getAlerts().getSlo().setTtftSeconds(0.0),
        "spec.monitoring.alerts.slo.ttftSeconds",
        "must be greater than 0, got 0.0");
    assertOnly(
        s -> s.getMonitoring().getAlerts().getSlo().setTtftTarget(0.0),
        "spec.monitoring.alerts.slo.ttftTarget",
        "must lie in (0, 1), got 0.0");
  }

  @Test
  void engineRules() {
    assertOnly(
        s -> s.getEngine().setMaxNumSeqs(0), "spec.engine.maxNumSeqs", "must be at least 1, got 0");
    assertOnly(
        s -> s.getEngine().setMaxNumBatchedTokens(0),
        "spec.engine.maxNumBatchedTokens",
        "must be at least 1, got 0");
    assertOnly(
        s -> s.getEngine().setMaxModelLen(-1),
        "spec.engine.maxModelLen",
        "must be at least 0, got -1");
    assertOnly(
        s -> s.getEngine().setKvCacheMemory(new Quantity("0")),
        "spec.engine.kvCacheMemory",
        "must be a positive size such as 1Gi");
    assertOnly(
        s -> s.getEngine().setKvCacheMemory(new Quantity("lots")),
        "spec.engine.kvCacheMemory",
        "\"lots\" is not a size such as 512Mi or 1Gi");
    assertOnly(
        s -> s.getEngine().setGpuMemoryUtilization(1.5),
        "spec.engine.gpuMemoryUtilization",
        "must lie in (0, 1], got 1.5");
    assertThat(violations(s -> s.getEngine().setKvCacheMemory(new Quantity("64Mi")))).isEmpty();
  }

  @Test
  void monitoringRules() {
    assertOnly(
        s -> s.getMonitoring().getServiceMonitor().setInterval("15 seconds"),
        "spec.monitoring.serviceMonitor.interval",
        "\"15 seconds\" is not a duration such as 15s or 1m");
    AlertsSpec a = new AlertsSpec();
    a.setErrorRate(1.5);
    a.setKvCacheUsage(-0.1);
    a.setTtftP90Seconds(-1.0);
    a.setWaitingRequests(-1);
    a.setForSeconds(-1);
    assertThat(violations(s -> s.getMonitoring().setAlerts(a)))
        .containsExactly(
            new Violation("spec.monitoring.alerts.errorRate", "must lie in [0, 1], got 1.5"),
            new Violation("spec.monitoring.alerts.kvCacheUsage", "must lie in [0, 1], got -0.1"),
            new Violation("spec.monitoring.alerts.ttftP90Seconds", "must be at least 0"),
            new Violation("spec.monitoring.alerts.waitingRequests", "must be at least 0, got -1"),
            new Violation("spec.monitoring.alerts.forSeconds", "must be at least 0, got -1"));
  }

  @Test
  void apiKeyAndWorkerRules() {
    assertOnly(
        s -> s.setApiKeySecretRef(new SecretKeyRef("llm-key", " ")),
        "spec.apiKeySecretRef.key",
        "is required");
    WorkerSpec w = new WorkerSpec();
    w.setTerminationGracePeriodSeconds(0L);
    assertOnly(
        s -> s.setWorker(w), "spec.worker.terminationGracePeriodSeconds", "must be at least 1");
  }

  @Test
  void describeJoinsEveryViolationWithItsField() {
    List<Violation> v =
        violations(
            s -> {
              s.setReplicas(-1);
              s.getModel().setSource("nope");
            });
    assertThat(SpecValidator.describe(v))
        .isEqualTo(
            "spec.model.source: \"nope\" is not hf://ORG/NAME[@REV], pvc://CLAIM/PATH or file:PATH;"
                + " spec.replicas: must be at least 0, got -1");
  }

  private static AutoscalingSpec autoscaling(int min, Integer max, Integer initial) {
    AutoscalingSpec a = new AutoscalingSpec();
    a.setMinReplicas(min);
    a.setMaxReplicas(max);
    a.setInitialReplicas(initial);
    return a;
  }

  private static AutoscalingSpec tuned(Consumer<AutoscalingSpec> change) {
    AutoscalingSpec a = autoscaling(1, 2, null);
    change.accept(a);
    return a;
  }
}
