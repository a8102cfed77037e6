package dev.cairn.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cairn.api.CairnNames;
import dev.cairn.api.testing.CrdCelRules;
import dev.cairn.api.testing.CrdSchemaValidator;
import dev.cairn.api.v1alpha1.validation.SpecValidator;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every sample in deploy/samples parses, passes the operator's rules and the CRD's schema. */
class SamplesTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final SpecValidator OPERATOR_RULES =
      new SpecValidator(Set.of("A10G", "L4", "A100-40GB", "A100-80GB", "H100", "H200"));
  private static CrdSchemaValidator schema;
  private static CrdCelRules rules;

  @BeforeAll
  static void loadSchema() {
    schema = CrdSchemaValidator.committedLlmDeployment();
    rules = new CrdCelRules(schema.schema(CairnNames.VERSION));
  }

  static List<Path> samples() throws IOException {
    try (Stream<Path> files = Files.list(CrdSchemaValidator.repoRoot().resolve("deploy/samples"))) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  @Test
  void theSamplesTheDocsNameExist() throws IOException {
    assertThat(samples().stream().map(p -> p.getFileName().toString()))
        .contains("qwen2.5-0.5b-a10g.yaml", "tiny-cpu.yaml", "engine-metrics-off.yaml");
  }

  @ParameterizedTest
  @MethodSource("samples")
  void parsesAndPassesTheOperatorsRules(Path sample) throws IOException {
    LLMDeployment llmd = Serialization.unmarshal(Files.readString(sample), LLMDeployment.class);
    assertThat(llmd.getApiVersion()).isEqualTo(CairnNames.API_VERSION);
    assertThat(llmd.getKind()).isEqualTo(CairnNames.KIND);
    assertThat(llmd.getMetadata().getName()).isNotBlank();
    assertThat(OPERATOR_RULES.validate(llmd.getSpec())).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("samples")
  void conformsToTheGeneratedCrdSchemaAndItsCelRules(Path sample) throws IOException {
    JsonNode doc = YAML.readTree(Files.readString(sample));
    assertThat(schema.validate(doc)).isEmpty();
    assertThat(rules.violations(doc)).isEmpty();
  }

  @Test
  void tinyCpuIsWhatTheWorkerAndE2eExpect() throws IOException {
    Path tiny = CrdSchemaValidator.repoRoot().resolve("deploy/samples/tiny-cpu.yaml");
    LLMDeployment llmd = Serialization.unmarshal(Files.readString(tiny), LLMDeployment.class);
    assertThat(llmd.getMetadata().getName()).isEqualTo("tiny-shakespeare");
    assertThat(llmd.effectiveModelId()).isEqualTo("tiny-shakespeare");
    assertThat(llmd.getSpec().getModel().getSource()).isEqualTo("file:models/tiny-shakespeare");
    assertThat(llmd.getSpec().getAccelerator().isCpu()).isTrue();
    assertThat(llmd.getSpec().getEngine().getKvCacheMemory().toString()).isEqualTo("64Mi");
  }

  @Test
  void theSchemaCheckRejectsWhatTheApiServerWould() throws IOException {
    JsonNode bad =
        YAML.readTree(
            """
            apiVersion: llm.cairn.dev/v1alpha1
            kind: LLMDeployment
            metadata: {name: bad}
            spec:
              model: {source: "s3://bucket/model"}
              accelerator: {type: A10G, count: -1}
              replicas: "two"
              engine: {dtype: float8, kvCacheMemory: 1Gi}
              autoscaling: {minReplicas: -1}
              colour: blue
            """);
    assertThat(schema.validate(bad))
        .anyMatch(e -> e.startsWith("spec.model.source:") && e.contains("does not match"))
        .anyMatch(e -> e.startsWith("spec.accelerator.count:") && e.contains("minimum"))
        .anyMatch(e -> e.startsWith("spec.replicas:") && e.contains("integer"))
        .anyMatch(e -> e.startsWith("spec.engine.dtype:") && e.contains("not one of"))
        .anyMatch(e -> e.startsWith("spec.autoscaling.minReplicas:") && e.contains("minimum"))
        .anyMatch(e -> e.startsWith("spec.colour:") && e.contains("unknown field"));
    JsonNode noAccelerator =
        YAML.readTree(
            """
            apiVersion: llm.cairn.dev/v1alpha1
            kind: LLMDeployment
            metadata: {name: bad}
            spec: {model: {source: 'hf://a/b'}}
            """);
    assertThat(schema.validate(noAccelerator)).contains("spec.accelerator: is required");
  }
}
