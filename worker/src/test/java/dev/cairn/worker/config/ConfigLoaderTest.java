package dev.cairn.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.api.v1alpha1.BackendKind;
import dev.cairn.api.v1alpha1.KvCacheDtype;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  @Test
  void embeddedDefaultIsTheTinyCpuSample() throws Exception {
    WorkerConfig c = new ConfigLoader(Map.of()).load(Optional.empty());
    assertThat(c.modelId()).isEqualTo("tiny-shakespeare");
    assertThat(c.modelSource()).isEqualTo("file:models/tiny-shakespeare");
    assertThat(c.spec().getAccelerator().isCpu()).isTrue();
    assertThat(c.origin()).contains("embedded default");
    // The bundled copy is the repository's sample, byte for byte.
    Path sample =
        Path.of(System.getProperty("cairn.repo.root", ".."), "deploy/samples/tiny-cpu.yaml");
    try (var in =
        ConfigLoader.class.getClassLoader().getResourceAsStream(ConfigLoader.DEFAULT_RESOURCE)) {
      assertThat(new String(in.readAllBytes())).isEqualTo(Files.readString(sample));
    }
  }

  @Test
  void theLoraSampleDeclaresBothSharedAdapters() {
    Path sample =
        Path.of(System.getProperty("cairn.repo.root", ".."), "deploy/samples/tiny-lora.yaml");
    WorkerConfig c = new ConfigLoader(Map.of()).load(Optional.of(sample));
    assertThat(c.spec().getLora().declared())
        .extracting(a -> a.getName() + "=" + a.getSource())
        .containsExactly(
            "shouty=file:models/tiny-shakespeare-lora/shouty",
            "plain=file:models/tiny-shakespeare-lora/plain");
    assertThat(c.spec().getLora().effectiveMaxLoadedAdapters()).isEqualTo(16);
  }

  @Test
  void theCudaSampleAsksForTheCudaBackendOnOneGpuWithASmallKvCache() {
    Path sample =
        Path.of(System.getProperty("cairn.repo.root", ".."), "deploy/samples/tiny-cuda.yaml");
    WorkerConfig c = new ConfigLoader(Map.of()).load(Optional.of(sample));
    assertThat(c.modelId()).isEqualTo("tiny-shakespeare");
    assertThat(c.modelSource()).isEqualTo("file:models/tiny-shakespeare");
    assertThat(c.spec().getEngine().getBackend()).isEqualTo(BackendKind.CUDA);
    assertThat(c.spec().getAccelerator().isCpu()).isFalse();
    assertThat(c.spec().getAccelerator().getCount()).isEqualTo(1);
    assertThat(c.spec().getEngine().getKvCacheMemory().toString()).isEqualTo("64Mi");
  }

  @Test
  void anAdapterNamedAsTheModelIsRefusedByField() throws Exception {
    Path f = dir.resolve("lora.yaml");
    Files.writeString(
        f,
        """
        model: {id: tiny, source: "file:models/tiny-shakespeare"}
        accelerator: {type: cpu, count: 0}
        lora:
          adapters: [{name: tiny, source: "file:x"}]
        """);
    assertThatThrownBy(() -> new ConfigLoader(Map.of()).load(Optional.of(f)))
        .hasMessageContaining("spec.lora.adapters[0].name: \"tiny\" is the base model's id");
  }

  @Test
  void envJsonSpecWithSecretsAndCache() {
    Map<String, String> env =
        Map.of(
            "CAIRN_CONFIG",
            "{\"model\":{\"id\":\"qwen\",\"source\":\"hf://Qwen/Qwen2.5-0.5B-Instruct\"},"
                + "\"accelerator\":{\"type\":\"L4\",\"count\":1},\"engine\":{\"maxNumSeqs\":8}}",
            "CAIRN_API_KEY",
            "k",
            "HF_TOKEN",
            "t",
            "CAIRN_MODEL_CACHE",
            "/var/cache/cairn");
    WorkerConfig c = new ConfigLoader(env).load(Optional.empty());
    assertThat(c.modelId()).isEqualTo("qwen");
    assertThat(c.spec().getEngine().getMaxNumSeqs()).isEqualTo(8);
    assertThat(c.spec().getEngine().getMaxNumBatchedTokens()).isEqualTo(2048);
    assertThat(c.apiKeys().entries()).containsExactly(new ApiKeys.Entry("default", "k"));
    assertThat(c.hfToken()).contains("t");
    assertThat(c.modelCache()).isEqualTo(Path.of("/var/cache/cairn"));
    assertThat(c.origin()).isEqualTo("env CAIRN_CONFIG");
  }

  @Test
  void namedKeysFromEnvAndADuplicateStopsTheStartWithoutPrintingIt() {
    String spec = "{\"model\":{\"source\":\"file:/m/x\"},\"accelerator\":{\"type\":\"cpu\"}}";
    WorkerConfig c =
        new ConfigLoader(Map.of("CAIRN_CONFIG", spec, "CAIRN_API_KEY", "a:k1\nb:k2\n"))
            .load(Optional.empty());
    assertThat(c.apiKeys().names()).containsExactly("a", "b");
    assertThatThrownBy(
            () ->
                new ConfigLoader(Map.of("CAIRN_CONFIG", spec, "CAIRN_API_KEY", "a:dup-k\nb:dup-k"))
                    .load(Optional.empty()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("env CAIRN_API_KEY line 2: the key is the same as the one on line 1")
        .message()
        .doesNotContain("dup-k");
  }

  @Test
  void fileWinsOverEnv() throws Exception {
    Path f = dir.resolve("d.yaml");
    Files.writeString(
        f,
        """
        apiVersion: llm.cairn.dev/v1alpha1
        kind: LLMDeployment
        metadata: {name: from-name}
        spec:
          model: {source: "file:/models/x"}
          accelerator: {type: cpu}
        """);
    WorkerConfig c = new ConfigLoader(Map.of("CAIRN_CONFIG", "{\"broken\":")).load(Optional.of(f));
    assertThat(c.modelId()).isEqualTo("from-name");
    assertThat(c.apiKeys().isEmpty()).isTrue();
  }

  @Test
  void theKvCacheDtypeIsReadUnsetOrBfloat16() {
    ConfigLoader l = new ConfigLoader(Map.of());
    String base = "{\"model\":{\"source\":\"file:x\"},\"accelerator\":{\"type\":\"cpu\"}";
    assertThat(l.parse(base + "}", "o").spec().getEngine().getKvCacheDtype()).isNull();
    assertThat(
            l.parse(base + ",\"engine\":{\"kvCacheDtype\":\"bfloat16\"}}", "o")
                .spec()
                .getEngine()
                .getKvCacheDtype())
        .isEqualTo(KvCacheDtype.BFLOAT16);
  }

  @Test
  void modelIdFallsBackToTheSource() {
    ConfigLoader l = new ConfigLoader(Map.of());
    String base = "{\"accelerator\":{\"type\":\"cpu\"},\"model\":{\"source\":\"";
    assertThat(l.parse(base + "hf://Org/Name@main\"}}", "t").modelId()).isEqualTo("Org/Name");
    assertThat(l.parse(base + "pvc://claim/dir/m/\"}}", "t").modelId()).isEqualTo("m");
  }

  @Test
  void invalidConfigsNameTheFieldAndOrigin() throws Exception {
    ConfigLoader l = new ConfigLoader(Map.of());
    assertThatThrownBy(
            () ->
                l.parse(
                    "{\"model\":{\"source\":\"s3://x\"},\"accelerator\":{\"type\":\"cpu\"}}",
                    "env CAIRN_CONFIG"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "env CAIRN_CONFIG: invalid spec: spec.model.source: \"s3://x\" is not");
    assertThatThrownBy(() -> l.parse("{\"model\":{\"source\":\"file:x\"}}", "o"))
        .hasMessageContaining("spec.accelerator: is required");
    assertThatThrownBy(
            () ->
                l.parse(
                    "{\"model\":{\"source\":\"file:x\",\"sauce\":1},\"accelerator\":{\"type\":\"cpu\"}}",
                    "o"))
        .hasMessageContaining("o: spec.model.sauce: unknown field");
    assertThatThrownBy(
            () ->
                l.parse(
                    "{\"model\":{\"source\":\"file:x\"},\"accelerator\":{\"type\":\"cpu\"},\"engine\":{\"maxNumSeqs\":\"many\"}}",
                    "o"))
        .hasMessageContaining("o: spec.engine.maxNumSeqs:");
    assertThatThrownBy(
            () ->
                l.parse(
                    "{\"model\":{\"source\":\"file:x\"},\"accelerator\":{\"type\":\"cpu\"},\"engine\":{\"maxNumSeqs\":0}}",
                    "o"))
        .hasMessageContaining("spec.engine.maxNumSeqs: must be at least 1, got 0");
    assertThatThrownBy(
            () ->
                l.parse(
                    "{\"model\":{\"source\":\"file:x\"},\"accelerator\":{\"type\":\"cpu\"},\"engine\":{\"kvCacheDtype\":\"fp8\"}}",
                    "o"))
        .hasMessageContaining("o: spec.engine.kvCacheDtype:")
        .hasMessageContaining("fp8")
        .hasMessageContaining("[float32, bfloat16]");
    assertThatThrownBy(() -> l.parse("kind: Deployment\nspec: {}\n", "f.yaml"))
        .hasMessageContaining("f.yaml: kind is \"Deployment\", expected LLMDeployment");
    assertThatThrownBy(() -> l.parse("model: [unclosed", "f.yaml"))
        .hasMessageContaining("f.yaml: not valid YAML/JSON");
    assertThatThrownBy(() -> l.parse("- a\n", "f.yaml"))
        .hasMessageContaining("expected an LLMDeployment or its spec");
    assertThatThrownBy(() -> l.fromFile(dir.resolve("missing.yaml")))
        .hasMessageContaining("missing.yaml does not exist");
  }
}
