package dev.cairn.operator.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.v1alpha1.KvCacheDtype;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.testing.GoldenFiles;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UsageReportBuilderTest {
  private static final Instant AT = Instant.parse("2026-12-04T12:00:00.123Z");
  private static final String CLUSTER = "7a4cf0d5-5b4e-4f0e-9d55-8e3e0f0c2b11";

  private static LLMDeployment fixture(String name) {
    try (InputStream in =
        UsageReportBuilderTest.class.getResourceAsStream("/fixtures/" + name + ".yaml")) {
      return Serialization.unmarshal(
          new String(in.readAllBytes(), StandardCharsets.UTF_8), LLMDeployment.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final List<LLMDeployment> ALL =
      List.of(fixture("cpu"), fixture("a10g"), fixture("lora"));

  /** cpu's worker was read (JSON mode used), a10g's once with a plain counter; lora's never. */
  private static KnownFacts facts() {
    KnownFacts facts = new KnownFacts(Map.of());
    facts.observe(
        ALL.get(0).getMetadata().getUid(),
        new WorkerFacts("LlamaForCausalLM", "float32", "cpu", "none", 3));
    facts.observe(
        ALL.get(1).getMetadata().getUid(),
        new WorkerFacts("Qwen2ForCausalLM", "bfloat16", "cuda", "none", 0));
    return facts;
  }

  private static UsageReport build(long seed) {
    return new UsageReportBuilder("0.1.0", new Random(seed))
        .build(CLUSTER, "v1.31.2", AT, ALL, facts());
  }

  @Test
  void reportMatchesTheDocumentedSchema() {
    GoldenFiles.assertMatches("usage/report.json", UsageConfigMap.toJson(build(7)) + "\n");
  }

  @Test
  void namesNamespacesSourcesAdaptersAndSecretsNeverAppear() {
    String json = UsageConfigMap.toJson(build(7));
    for (String secret :
        List.of(
            "qwen-0-5b",
            "qwen-0.5b",
            "Qwen/Qwen2.5",
            "hf-token",
            "llm-key",
            "tiny-shakespeare",
            "demo",
            "\"llm\"",
            "llama-lora",
            "model-store",
            "sql",
            "hub-lora",
            "dynamic-loras",
            "0b1c2d3e")) {
      assertThat(json).as(secret).doesNotContain(secret);
    }
  }

  @Test
  void entriesComeInRandomOrderWithoutKeys() {
    Set<List<UsageReport.DeploymentUsage>> orders = new HashSet<>();
    for (long seed = 0; seed < 20; seed++) {
      UsageReport report = build(seed);
      assertThat(report.deployments()).hasSize(3);
      assertThat(Set.copyOf(report.deployments())).isEqualTo(Set.copyOf(build(0).deployments()));
      orders.add(report.deployments());
    }
    assertThat(orders).hasSizeGreaterThan(1);
  }

  @Test
  void fixedReplicasOnlyWithoutAutoscaling() {
    UsageReport.DeploymentUsage cpu =
        UsageReportBuilder.entry(ALL.get(0).getSpec(), KnownFacts.Entry.UNKNOWN);
    UsageReport.DeploymentUsage a10g =
        UsageReportBuilder.entry(ALL.get(1).getSpec(), KnownFacts.Entry.UNKNOWN);
    assertThat(cpu.fixedReplicas()).isEqualTo(1);
    assertThat(cpu.autoscaling().enabled()).isFalse();
    assertThat(cpu.gpusPerReplica()).isZero();
    assertThat(cpu.tensorParallelSize()).isEqualTo(1);
    assertThat(a10g.fixedReplicas()).isNull();
    assertThat(a10g.autoscaling()).isEqualTo(new UsageReport.Autoscaling(true, 1, 4, 2));
    assertThat(a10g.tensorParallelSize()).isEqualTo(2);
    assertThat(a10g.logEngineMetrics()).isFalse();
    assertThat(a10g.modelArchitecture()).isNull();
  }

  /** The KV pool's dtype as the spec spells it, float32 (the worker's default) where unset. */
  @Test
  void kvCacheDtypeIsTheSpecsOrFloat32() {
    LLMDeployment a10g = fixture("a10g");
    assertThat(UsageReportBuilder.entry(a10g.getSpec(), KnownFacts.Entry.UNKNOWN).kvCacheDtype())
        .isEqualTo("float32");
    a10g.getSpec().getEngine().setKvCacheDtype(KvCacheDtype.BFLOAT16);
    assertThat(UsageReportBuilder.entry(a10g.getSpec(), KnownFacts.Entry.UNKNOWN).kvCacheDtype())
        .isEqualTo("bfloat16");
    a10g.getSpec().setEngine(null);
    assertThat(UsageReportBuilder.entry(a10g.getSpec(), KnownFacts.Entry.UNKNOWN).kvCacheDtype())
        .isEqualTo("float32");
    assertThat(Serialization.asJson(KvCacheDtype.BFLOAT16)).isEqualTo("\"bfloat16\"");
  }
}
