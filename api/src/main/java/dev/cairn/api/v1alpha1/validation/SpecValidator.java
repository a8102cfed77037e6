package dev.cairn.api.v1alpha1.validation;

import dev.cairn.api.v1alpha1.AcceleratorSpec;
import dev.cairn.api.v1alpha1.AlertsSpec;
import dev.cairn.api.v1alpha1.AutoscalingSpec;
import dev.cairn.api.v1alpha1.BackendKind;
import dev.cairn.api.v1alpha1.EngineSpec;
import dev.cairn.api.v1alpha1.LLMDeploymentSpec;
import dev.cairn.api.v1alpha1.ModelSpec;
import dev.cairn.api.v1alpha1.MonitoringSpec;
import dev.cairn.api.v1alpha1.SecretKeyRef;
import dev.cairn.api.v1alpha1.ServiceMonitorSpec;
import dev.cairn.api.v1alpha1.SloSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The CRD's schema and CEL rules, checked in Java: not every API server runs CEL, and the worker
 * validates the same document when it is started from a YAML file. Never throws on bad input.
 */
public final class SpecValidator {
  private static final Pattern SOURCE = Pattern.compile(ModelSpec.SOURCE_PATTERN);
  private static final Pattern MODEL_ID = Pattern.compile(ModelSpec.ID_PATTERN);
  private static final Pattern DURATION = Pattern.compile(ServiceMonitorSpec.DURATION_PATTERN);

  private final Set<String> knownAcceleratorTypes;

  /**
   * @param knownAcceleratorTypes accelerator types the operator maps to nodes; empty = accept any
   */
  public SpecValidator(Set<String> knownAcceleratorTypes) {
    this.knownAcceleratorTypes = Set.copyOf(knownAcceleratorTypes);
  }

  /** A validator that accepts any accelerator type (the worker's view). */
  public static SpecValidator anyAccelerator() {
    return new SpecValidator(Set.of());
  }

  /** Every violation in the spec; empty when it is valid. */
  public List<Violation> validate(LLMDeploymentSpec spec) {
    return validate(spec, null);
  }

  /**
   * Every violation in the spec; empty when it is valid.
   *
   * @param resourceName metadata.name, the model id when spec.model.id is unset (null: unknown)
   */
  public List<Violation> validate(LLMDeploymentSpec spec, String resourceName) {
    List<Violation> out = new ArrayList<>();
    if (spec == null) {
      out.add(new Violation("spec", "is required"));
      return out;
    }
    model(spec.getModel(), out);
    accelerator(spec.getAccelerator(), out);
    if (spec.getReplicas() != null && spec.getReplicas() < 0) {
      out.add(new Violation("spec.replicas", "must be at least 0, got " + spec.getReplicas()));
    }
    if (spec.getAutoscaling() != null) {
      autoscaling(spec.getAutoscaling(), out);
      signalsNeedEngineMetrics(spec, out);
    }
    if (spec.getEngine() != null) {
      engine(spec.getEngine(), out);
      backendFitsAccelerator(spec, out);
    }
    if (spec.getMonitoring() != null) {
      monitoring(spec.getMonitoring(), out);
    }
    secretRef("spec.apiKeySecretRef", spec.getApiKeySecretRef(), out);
    if (spec.getLora() != null) {
      LoraValidator.validate(spec.getLora(), modelId(spec, resourceName), out);
    }
    if (spec.getWorker() != null
        && spec.getWorker().getTerminationGracePeriodSeconds() != null
        && spec.getWorker().getTerminationGracePeriodSeconds() < 1) {
      out.add(new Violation("spec.worker.terminationGracePeriodSeconds", "must be at least 1"));
    }
    return out;
  }

  /** One line joining every violation, for a condition message or a startup error. */
  public static String describe(List<Violation> violations) {
    return violations.stream().map(Violation::toString).collect(Collectors.joining("; "));
  }

  private static String modelId(LLMDeploymentSpec spec, String resourceName) {
    String id = spec.getModel() == null ? null : spec.getModel().getId();
    return id == null || id.isBlank() ? resourceName : id;
  }

  private static void model(ModelSpec model, List<Violation> out) {
    if (model == null) {
      out.add(new Violation("spec.model", "is required"));
      return;
    }
    if (model.getId() != null && !MODEL_ID.matcher(model.getId()).matches()) {
      out.add(new Violation("spec.model.id", "must be 1-256 characters without spaces"));
    }
    if (model.getSource() == null || model.getSource().isBlank()) {
      out.add(
          new Violation(
              "spec.model.source",
              "is required: hf://ORG/NAME[@REV], pvc://CLAIM/PATH or file:PATH"));
    } else if (!SOURCE.matcher(model.getSource()).matches()) {
      out.add(
          new Violation(
              "spec.model.source",
              "\""
                  + model.getSource()
                  + "\" is not hf://ORG/NAME[@REV], pvc://CLAIM/PATH or file:PATH"));
    }
    secretRef("spec.model.credentialsSecretRef", model.getCredentialsSecretRef(), out);
  }

  private void accelerator(AcceleratorSpec acc, List<Violation> out) {
    if (acc == null) {
      out.add(new Violation("spec.accelerator", "is required (type: cpu for no GPU)"));
      return;
    }
    String type = acc.getType();
    if (type == null || type.isBlank()) {
      out.add(new Violation("spec.accelerator.type", "is required"));
    } else if (!acc.isCpu()
        && !knownAcceleratorTypes.isEmpty()
        && !knownAcceleratorTypes.contains(type)) {
      out.add(
          new Violation(
              "spec.accelerator.type",
              "unknown type \""
                  + type
                  + "\"; known: cpu, "
                  + String.join(", ", knownAcceleratorTypes.stream().sorted().toList())));
    }
    int count = acc.getCount() == null ? 1 : acc.getCount();
    if (count < 0) {
      out.add(new Violation("spec.accelerator.count", "must be at least 0, got " + count));
    } else if (count < 1 && !acc.isCpu()) {
      out.add(
          new Violation(
              "spec.accelerator.count", "must be at least 1 unless accelerator.type is cpu"));
    } else if (count > 1 && acc.isCpu()) {
      out.add(
          new Violation(
              "spec.accelerator.count",
              "must be 0 or 1 when accelerator.type is cpu (a cpu replica gets no GPUs), got "
                  + count));
    }
  }

  /** A cuda backend on a cpu replica finds no GPU and can only crash-loop. */
  private static void backendFitsAccelerator(LLMDeploymentSpec spec, List<Violation> out) {
    AcceleratorSpec acc = spec.getAccelerator();
    if (acc != null && acc.isCpu() && spec.getEngine().getBackend() == BackendKind.CUDA) {
      out.add(new Violation("spec.engine.backend", LLMDeploymentSpec.CUDA_ON_CPU));
    }
  }

  private static void autoscaling(AutoscalingSpec a, List<Violation> out) {
    String p = "spec.autoscaling.";
    int min = a.effectiveMinReplicas();
    if (min < 0) {
      out.add(new Violation(p + "minReplicas", "must be at least 0, got " + min));
    }
    if (a.getMaxReplicas() != null && a.getMaxReplicas() < 1) {
      out.add(new Violation(p + "maxReplicas", "must be at least 1, got " + a.getMaxReplicas()));
    }
    if (a.getMaxReplicas() != null && a.getMaxReplicas() < min) {
      out.add(
          new Violation(
              p + "maxReplicas",
              "must be at least minReplicas (" + min + "), got " + a.getMaxReplicas()));
    }
    if (a.getInitialReplicas() != null) {
      int init = a.getInitialReplicas();
      if (init < min || init > a.effectiveMaxReplicas()) {
        out.add(
            new Violation(
                p + "initialReplicas",
                "must lie within [" + min + ", " + a.effectiveMaxReplicas() + "], got " + init));
      }
    }
    positive(p + "targetOngoingRequests", a.getTargetOngoingRequests(), out);
    positive(p + "targetWaitingRequests", a.getTargetWaitingRequests(), out);
    if (a.getTargetKvCacheUsage() != null) {
      double kv = a.getTargetKvCacheUsage();
      if (!(kv > 0 && kv <= 1)) {
        out.add(new Violation(p + "targetKvCacheUsage", "must lie in (0, 1], got " + kv));
      }
    }
    positive(p + "targetTokensPerSecond", a.getTargetTokensPerSecond(), out);
    positive(p + "upscalingFactor", a.getUpscalingFactor(), out);
    positive(p + "downscalingFactor", a.getDownscalingFactor(), out);
    atLeast(p + "upscaleDelaySeconds", a.getUpscaleDelaySeconds(), 0, out);
    atLeast(p + "downscaleDelaySeconds", a.getDownscaleDelaySeconds(), 0, out);
    atLeast(p + "lookBackPeriodSeconds", a.getLookBackPeriodSeconds(), 1, out);
    atLeast(p + "metricsIntervalSeconds", a.getMetricsIntervalSeconds(), 1, out);
    if (a.getScaleFromZero() != null) {
      atLeast(p + "scaleFromZero.queueSize", a.getScaleFromZero().getQueueSize(), 1, out);
      atLeast(p + "scaleFromZero.timeoutSeconds", a.getScaleFromZero().getTimeoutSeconds(), 1, out);
    }
  }

  /** Queue and KV-cache targets read engine metrics, which logEngineMetrics false turns off. */
  private static void signalsNeedEngineMetrics(LLMDeploymentSpec spec, List<Violation> out) {
    if (!spec.engineMetricsEnabled() && spec.getAutoscaling().usesEngineSignals()) {
      out.add(new Violation("spec.autoscaling", AutoscalingSpec.ENGINE_SIGNAL_NEEDS_METRICS));
    }
  }

  private static void engine(EngineSpec e, List<Violation> out) {
    String p = "spec.engine.";
    atLeast(p + "maxNumSeqs", e.getMaxNumSeqs(), 1, out);
    atLeast(p + "maxNumBatchedTokens", e.getMaxNumBatchedTokens(), 1, out);
    atLeast(p + "maxModelLen", e.getMaxModelLen(), 0, out);
    if (e.getKvCacheMemory() != null) {
      try {
        BigDecimal bytes = Quantity.getAmountInBytes(e.getKvCacheMemory());
        if (bytes.signum() <= 0) {
          out.add(new Violation(p + "kvCacheMemory", "must be a positive size such as 1Gi"));
        }
      } catch (RuntimeException ex) {
        out.add(
            new Violation(
                p + "kvCacheMemory",
                "\"" + e.getKvCacheMemory() + "\" is not a size such as 512Mi or 1Gi"));
      }
    }
    Double util = e.getGpuMemoryUtilization();
    if (util != null && (util <= 0 || util > 1)) {
      out.add(new Violation(p + "gpuMemoryUtilization", "must lie in (0, 1], got " + util));
    }
  }

  private static void monitoring(MonitoringSpec m, List<Violation> out) {
    ServiceMonitorSpec sm = m.getServiceMonitor();
    if (sm != null && sm.getInterval() != null && !DURATION.matcher(sm.getInterval()).matches()) {
      out.add(
          new Violation(
              "spec.monitoring.serviceMonitor.interval",
              "\"" + sm.getInterval() + "\" is not a duration such as 15s or 1m"));
    }
    AlertsSpec al = m.getAlerts();
    if (al != null) {
      String p = "spec.monitoring.alerts.";
      fraction(p + "errorRate", al.getErrorRate(), out);
      fraction(p + "kvCacheUsage", al.getKvCacheUsage(), out);
      if (al.getTtftP90Seconds() != null && al.getTtftP90Seconds() < 0) {
        out.add(new Violation(p + "ttftP90Seconds", "must be at least 0"));
      }
      atLeast(p + "waitingRequests", al.getWaitingRequests(), 0, out);
      atLeast(p + "forSeconds", al.getForSeconds(), 0, out);
      if (al.getSlo() != null) {
        slo(al.getSlo(), out);
      }
    }
  }

  private static void slo(SloSpec slo, List<Violation> out) {
    String p = "spec.monitoring.alerts.slo.";
    openFraction(p + "availability", slo.getAvailability(), out);
    positive(p + "ttftSeconds", slo.getTtftSeconds(), out);
    openFraction(p + "ttftTarget", slo.getTtftTarget(), out);
  }

  /** An objective of 0 or 1 leaves no error budget to burn, or all of it. */
  private static void openFraction(String field, Double v, List<Violation> out) {
    if (v != null && !(v > 0 && v < 1)) {
      out.add(new Violation(field, "must lie in (0, 1), got " + v));
    }
  }

  private static void secretRef(String field, SecretKeyRef ref, List<Violation> out) {
    if (ref == null) {
      return;
    }
    if (ref.getName() == null || ref.getName().isBlank()) {
      out.add(new Violation(field + ".name", "is required"));
    }
    if (ref.getKey() == null || ref.getKey().isBlank()) {
      out.add(new Violation(field + ".key", "is required"));
    }
  }

  private static void positive(String field, Double v, List<Violation> out) {
    if (v != null && !(v > 0)) {
      out.add(new Violation(field, "must be greater than 0, got " + v));
    }
  }

  private static void fraction(String field, Double v, List<Violation> out) {
    if (v != null && (v < 0 || v > 1)) {
      out.add(new Violation(field, "must lie in [0, 1], got " + v));
    }
  }

  private static void atLeast(String field, Integer v, int min, List<Violation> out) {
    if (v != null && v < min) {
      out.add(new Violation(field, "must be at least " + min + ", got " + v));
    }
  }
}
