package dev.cairn.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cairn.api.CairnNames;
import dev.cairn.api.testing.CrdCelRules;
import dev.cairn.api.testing.CrdSchemaValidator;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * The committed CRD's CEL rules, evaluated as the API server would (defaults applied first): the
 * combinations that can only fail at run time are refused at admission, each with a message naming
 * the fields involved.
 */
class CrdCelRulesTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final CrdCelRules RULES =
      new CrdCelRules(CrdSchemaValidator.committedLlmDeployment().schema(CairnNames.VERSION));

  private static JsonNode llmd(String spec) throws IOException {
    return YAML.readTree(
        """
        apiVersion: llm.cairn.dev/v1alpha1
        kind: LLMDeployment
        metadata: {name: x}
        spec:
        %s"""
            .formatted(spec.indent(2)));
  }

  @Test
  void aCudaBackendOnACpuAcceleratorIsRefused() throws IOException {
    JsonNode doc =
        llmd(
            """
            model: {source: "hf://a/b"}
            accelerator: {type: cpu, count: 0}
            engine: {backend: cuda}""");
    assertThat(RULES.violations(doc)).containsExactly("spec: " + LLMDeploymentSpec.CUDA_ON_CPU);
    assertThat(LLMDeploymentSpec.CUDA_ON_CPU).contains("engine.backend", "accelerator.type");
  }

  @Test
  void cpuWithAutoOrCpuBackendAndGpuWithAnyBackendAreAccepted() throws IOException {
    for (String spec :
        new String[] {
          "accelerator: {type: cpu, count: 0}\nengine: {backend: cpu}",
          "accelerator: {type: CPU, count: 0}",
          "accelerator: {type: cpu}\nengine: {kvCacheMemory: 64Mi}",
          "accelerator: {type: A10G}\nengine: {backend: cuda}",
          "accelerator: {type: L4, count: 2}\nengine: {backend: cpu}",
        }) {
      assertThat(RULES.violations(llmd("model: {source: \"hf://a/b\"}\n" + spec)))
          .as(spec)
          .isEmpty();
    }
  }

  @Test
  void aCpuAcceleratorTakesNoMoreThanOneAsItsCount() throws IOException {
    assertThat(
            RULES.violations(
                llmd("model: {source: \"hf://a/b\"}\naccelerator: {type: cpu, count: 2}")))
        .containsExactly(
            "spec.accelerator: accelerator.count must be 0 or 1 when accelerator.type is cpu: a"
                + " cpu replica gets no GPUs");
  }

  @Test
  void aGpuAcceleratorNeedsAtLeastOne() throws IOException {
    assertThat(
            RULES.violations(
                llmd("model: {source: \"hf://a/b\"}\naccelerator: {type: A10G, count: 0}")))
        .containsExactly(
            "spec.accelerator: accelerator.count must be at least 1 unless accelerator.type is"
                + " cpu");
  }

  @Test
  void theAutoscalingBoundsAreEvaluatedToo() throws IOException {
    assertThat(
            RULES.violations(
                llmd(
                    """
                    model: {source: "hf://a/b"}
                    accelerator: {type: A10G}
                    autoscaling: {minReplicas: 3, maxReplicas: 2}""")))
        .contains(
            "spec.autoscaling: autoscaling.minReplicas must not exceed autoscaling.maxReplicas");
  }

  @Test
  void scaleToZeroPassesTheCelRulesWithMaxReplicasUnset() throws IOException {
    assertThat(
            RULES.violations(
                llmd(
                    """
                    model: {source: "hf://a/b"}
                    accelerator: {type: A10G}
                    autoscaling: {minReplicas: 0, initialReplicas: 1}""")))
        .isEmpty();
  }

  @Test
  void sloObjectivesMustLeaveABudget() throws IOException {
    String spec =
        """
        model: {source: "hf://a/b"}
        accelerator: {type: A10G}
        monitoring:
          alerts:
            slo: {availability: %s, ttftSeconds: %s, ttftTarget: %s}""";
    assertThat(RULES.violations(llmd(spec.formatted("0.995", "2", "0.95")))).isEmpty();
    assertThat(RULES.violations(llmd(spec.formatted("1.0", "0", "0.95"))))
        .containsExactlyInAnyOrder(
            "spec.monitoring.alerts.slo: slo.availability must lie in (0, 1)",
            "spec.monitoring.alerts.slo: slo.ttftSeconds must be greater than 0");
  }
}
