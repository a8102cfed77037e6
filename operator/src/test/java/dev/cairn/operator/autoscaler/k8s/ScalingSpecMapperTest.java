package dev.cairn.operator.autoscaler.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.api.v1alpha1.AcceleratorSpec;
import dev.cairn.api.v1alpha1.AutoscalingSpec;
import dev.cairn.api.v1alpha1.LLMDeploymentSpec;
import dev.cairn.api.v1alpha1.ModelSpec;
import dev.cairn.api.v1alpha1.validation.SpecValidator;
import dev.cairn.api.v1alpha1.validation.Violation;
import dev.cairn.operator.autoscaler.ScalingSpec;
import dev.cairn.operator.autoscaler.Signal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ScalingSpecMapperTest {

  @Test
  void mapsTheSignalTargetsAndRefusesEngineSignalsWithEngineMetricsOff() {
    AutoscalingSpec a = new AutoscalingSpec();
    a.setTargetWaitingRequests(4.0);
    a.setTargetKvCacheUsage(0.8);
    a.setTargetTokensPerSecond(100.0);
    assertThat(ScalingSpecMapper.from(a, true).signalTargets())
        .isEqualTo(
            Map.of(
                Signal.WAITING_REQUESTS, 4.0,
                Signal.KV_CACHE_USAGE, 0.8,
                Signal.TOKENS_PER_SECOND, 100.0));
    assertThatThrownBy(() -> ScalingSpecMapper.from(a, false))
        .hasMessage(AutoscalingSpec.ENGINE_SIGNAL_NEEDS_METRICS);
    // Tokens/s reads the always-on service counter, so it stays allowed.
    a.setTargetWaitingRequests(null);
    a.setTargetKvCacheUsage(null);
    assertThat(ScalingSpecMapper.from(a, false).signalTargets())
        .containsOnlyKeys(Signal.TOKENS_PER_SECOND);
  }

  @Test
  void mapsEveryField() {
    AutoscalingSpec a = new AutoscalingSpec();
    a.setMinReplicas(1);
    a.setMaxReplicas(4);
    a.setInitialReplicas(2);
    a.setTargetOngoingRequests(3.5);
    a.setUpscaleDelaySeconds(2);
    a.setDownscaleDelaySeconds(4);
    a.setUpscalingFactor(0.5);
    a.setDownscalingFactor(0.25);
    a.setLookBackPeriodSeconds(7);
    a.setMetricsIntervalSeconds(1);

    assertThat(ScalingSpecMapper.from(a))
        .isEqualTo(new ScalingSpec(1, 4, 2, 3.5, 2, 4, 0.5, 0.25, 7, 1, Map.of()));
  }

  @Test
  void unsetFieldsTakeRayDefaults() {
    AutoscalingSpec a = new AutoscalingSpec();
    a.setMinReplicas(2);
    a.setTargetOngoingRequests(null);
    a.setUpscaleDelaySeconds(null);
    a.setMetricsIntervalSeconds(null);

    ScalingSpec s = ScalingSpecMapper.from(a);

    assertThat(s).isEqualTo(ScalingSpec.defaults(2, 2));
  }

  @Test
  void rejectsBoundsTheCelRulesWouldHaveCaughtNamingTheField() {
    AutoscalingSpec a = new AutoscalingSpec();
    a.setMinReplicas(3);
    a.setMaxReplicas(2);

    assertThatThrownBy(() -> ScalingSpecMapper.from(a))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("autoscaling.");
  }

  /**
   * The autoscaler skips a spec its mapper refuses without a word of its own, so every such spec
   * must be one the reconciler's SpecValidator reports, naming the same field.
   */
  @Test
  void everySpecTheMapperRefusesIsReportedByTheValidator() {
    Map<String, Consumer<LLMDeploymentSpec>> bad = new LinkedHashMap<>();
    bad.put("minReplicas", s -> s.getAutoscaling().setMinReplicas(-1));
    bad.put("maxReplicas", s -> s.getAutoscaling().setMaxReplicas(0));
    bad.put("initialReplicas", s -> s.getAutoscaling().setInitialReplicas(9));
    bad.put("targetOngoingRequests", s -> s.getAutoscaling().setTargetOngoingRequests(0.0));
    bad.put("upscaleDelaySeconds", s -> s.getAutoscaling().setUpscaleDelaySeconds(-1));
    bad.put("downscaleDelaySeconds", s -> s.getAutoscaling().setDownscaleDelaySeconds(-1));
    bad.put("upscalingFactor", s -> s.getAutoscaling().setUpscalingFactor(0.0));
    bad.put("downscalingFactor", s -> s.getAutoscaling().setDownscalingFactor(-1.0));
    bad.put("lookBackPeriodSeconds", s -> s.getAutoscaling().setLookBackPeriodSeconds(0));
    bad.put("metricsIntervalSeconds", s -> s.getAutoscaling().setMetricsIntervalSeconds(0));
    bad.put("targetWaitingRequests", s -> s.getAutoscaling().setTargetWaitingRequests(0.0));
    bad.put("targetKvCacheUsage", s -> s.getAutoscaling().setTargetKvCacheUsage(1.01));
    bad.put("targetTokensPerSecond", s -> s.getAutoscaling().setTargetTokensPerSecond(-1.0));
    bad.put(
        "",
        s -> {
          s.setLogEngineMetrics(false);
          s.getAutoscaling().setTargetWaitingRequests(2.0);
        });
    SpecValidator validator = SpecValidator.anyAccelerator();
    bad.forEach(
        (field, change) -> {
          LLMDeploymentSpec spec = autoscaledSpec();
          change.accept(spec);
          assertThatThrownBy(
                  () -> ScalingSpecMapper.from(spec.getAutoscaling(), spec.engineMetricsEnabled()))
              .as(field)
              .isInstanceOf(IllegalArgumentException.class);
          String named = field.isEmpty() ? "spec.autoscaling" : "spec.autoscaling." + field;
          assertThat(validator.validate(spec))
              .as(field)
              .extracting(Violation::field)
              .contains(named);
        });
  }

  private static LLMDeploymentSpec autoscaledSpec() {
    LLMDeploymentSpec spec = new LLMDeploymentSpec();
    ModelSpec model = new ModelSpec();
    model.setSource("hf://a/b");
    spec.setModel(model);
    spec.setAccelerator(new AcceleratorSpec("cpu", 0));
    AutoscalingSpec a = new AutoscalingSpec();
    a.setMaxReplicas(3);
    spec.setAutoscaling(a);
    return spec;
  }
}
