package dev.cairn.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.NotFoundException;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import dev.cairn.api.MetricNames;
import dev.cairn.worker.testing.WorkerProcess;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LoRA adapters through packaged workers: deploy/samples/tiny-lora.yaml as shipped ("model":
 * "shouty" answers in capitals; the runtime API is off), and a worker with an API key, a dynamic
 * loading path and runtime updates, driven by the official OpenAI client.
 */
class WorkerLoraIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "s3cret";
  private static final String[] AUTH = {"Authorization", "Bearer " + KEY};

  @TempDir static Path dynamic;
  private static WorkerProcess sample;
  private static WorkerProcess runtime;
  private static OpenAIClient client;
  private static JsonNode cases;

  @BeforeAll
  static void start() throws Exception {
    Path root = WorkerProcess.repoRoot();
    Path shouty = root.resolve("models/tiny-shakespeare-lora/shouty");
    Path dyn = Files.createDirectories(dynamic.resolve("dyn-shouty"));
    for (String f : List.of("adapter_config.json", "adapter_model.safetensors")) {
      Files.copy(shouty.resolve(f), dyn.resolve(f));
    }
    String spec =
        """
        {"model": {"id": "tiny-shakespeare", "source": "file:models/tiny-shakespeare"},
         "accelerator": {"type": "cpu", "count": 0}, "replicas": 1,
         "engine": {"maxNumSeqs": 16, "maxNumBatchedTokens": 512, "kvCacheMemory": "64Mi"},
         "lora": {"adapters": [{"name": "shouty", "source": "file:models/tiny-shakespeare-lora/shouty"}],
                  "dynamicLoadingPath": "file:%s", "maxLoadedAdapters": 3, "maxLorasPerBatch": 2,
                  "maxLoraRank": 8, "runtimeUpdates": true}}
        """
            .formatted(dynamic);
    List<WorkerProcess> workers =
        WorkerProcess.startAll(
            List.of(
                WorkerProcess.builder().configFile(root.resolve("deploy/samples/tiny-lora.yaml")),
                WorkerProcess.builder()
                    .host("127.0.0.4")
                    .configJson(spec)
                    .env("CAIRN_API_KEY", KEY)));
    sample = workers.get(0);
    runtime = workers.get(1);
    client =
        OpenAIOkHttpClient.builder()
            .baseUrl(runtime.url("/v1"))
            .apiKey(KEY)
            .maxRetries(0)
            .timeout(Duration.ofSeconds(120))
            .build();
    cases =
        JSON.readTree(Files.readString(root.resolve("models/tiny-shakespeare-lora/reference.json")))
            .get("cases");
  }

  @AfterAll
  static void stop() {
    for (WorkerProcess w : new WorkerProcess[] {sample, runtime}) {
      if (w != null) {
        w.close();
      }
    }
  }

  @Test
  void theSampleAnswersShoutyInCapitalsAndListsBothAdapters() throws Exception {
    JsonNode c = cases.get(3);
    assertThat(c.get("adapter").asText()).isEqualTo("shouty");
    HttpResponse<String> r =
        sample.post(
            "/v1/completions",
            JSON.writeValueAsString(
                Map.of(
                    "model",
                    "shouty",
                    "prompt",
                    c.get("prompt").asText(),
                    "max_tokens",
                    32,
                    "temperature",
                    0)));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    String text = JSON.readTree(r.body()).at("/choices/0/text").asText();
    assertThat(text).isEqualTo(c.get("greedy_text").asText());
    assertThat(text).isEqualTo(text.toUpperCase()).containsPattern("[A-Z]{4}");

    JsonNode models = JSON.readTree(sample.get("/v1/models").body()).get("data");
    assertThat(models.findValuesAsText("id"))
        .containsExactly("tiny-shakespeare", "shouty", "plain");
    assertThat(models.get(1).get("parent").asText()).isEqualTo("tiny-shakespeare");
    assertThat(models.get(0).get("parent").isNull()).isTrue();

    HttpResponse<String> off =
        sample.post(
            "/v1/load_lora_adapter", "{\"lora_name\":\"x\",\"lora_path\":\"file:models/x\"}");
    assertThat(off.statusCode()).isEqualTo(404);
    assertThat(off.body()).contains("spec.lora.runtimeUpdates");
  }

  @Test
  void theOpenAiClientReachesAnAdapterByBothNamingConventions() {
    JsonNode c = cases.get(3);
    for (String model : List.of("shouty", "tiny-shakespeare:shouty")) {
      Completion done = client.completions().create(params(model, c).build());
      assertThat(done.choices().get(0).text()).as(model).isEqualTo(c.get("greedy_text").asText());
      assertThat(done.model()).isEqualTo("shouty");
    }
    assertThat(
            runtime
                .scrape()
                .value(
                    MetricNames.REQUESTS_TOTAL,
                    Map.of("model_name", "shouty", "endpoint", "/v1/completions", "status", "200")))
        .isGreaterThanOrEqualTo(2.0);
    assertThat(runtime.scrape().families("vllm:")).contains(MetricNames.VLLM_LORA_REQUESTS_INFO);
  }

  @Test
  void anUnknownAdapterIsAnOpenAiNotFound() {
    assertThatThrownBy(() -> client.completions().create(params("nope", cases.get(3)).build()))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("nope");
  }

  @Test
  void aDynamicAdapterLoadsOnFirstRequestAndIsListedAfterwards() throws Exception {
    JsonNode c = cases.get(3);
    Completion done = client.completions().create(params("dyn-shouty", c).build());
    assertThat(done.choices().get(0).text()).isEqualTo(c.get("greedy_text").asText());
    assertThat(
            JSON.readTree(runtime.get("/v1/models/dyn-shouty", AUTH).body()).get("parent").asText())
        .isEqualTo("tiny-shakespeare");
  }

  @Test
  void runtimeLoadAndUnloadFollowVllmBehindTheApiKey() throws Exception {
    String body =
        "{\"lora_name\":\"rt-plain\",\"lora_path\":\"file:models/tiny-shakespeare-lora/plain\"}";
    assertThat(runtime.post("/v1/load_lora_adapter", body).statusCode()).isEqualTo(401);
    HttpResponse<String> loaded = runtime.post("/v1/load_lora_adapter", body, AUTH);
    assertThat(loaded.statusCode()).as(loaded.body()).isEqualTo(200);
    assertThat(loaded.body()).isEqualTo("Success: LoRA adapter 'rt-plain' added successfully.");
    assertThat(runtime.post("/v1/load_lora_adapter", body, AUTH).statusCode()).isEqualTo(400);

    JsonNode c = cases.get(6);
    assertThat(c.get("adapter").asText()).isEqualTo("plain");
    Completion done = client.completions().create(params("rt-plain", c).build());
    assertThat(done.choices().get(0).text()).isEqualTo(c.get("greedy_text").asText());

    HttpResponse<String> unloaded =
        runtime.post("/v1/unload_lora_adapter", "{\"lora_name\":\"rt-plain\"}", AUTH);
    assertThat(unloaded.statusCode()).as(unloaded.body()).isEqualTo(200);
    assertThat(
            runtime
                .post("/v1/unload_lora_adapter", "{\"lora_name\":\"rt-plain\"}", AUTH)
                .statusCode())
        .isEqualTo(404);
    assertThat(
            runtime
                .post("/v1/unload_lora_adapter", "{\"lora_name\":\"shouty\"}", AUTH)
                .statusCode())
        .isEqualTo(400);
    assertThat(
            runtime
                .post("/v1/load_lora_adapter", "{\"lora_name\":\"a\",\"lora_int_id\":1}", AUTH)
                .body())
        .contains("lora_int_id");
    assertThatThrownBy(() -> client.completions().create(params("rt-plain", c).build()))
        .isInstanceOf(NotFoundException.class);
  }

  private static CompletionCreateParams.Builder params(String model, JsonNode c) {
    return CompletionCreateParams.builder()
        .model(model)
        .prompt(c.get("prompt").asText())
        .maxTokens(32)
        .temperature(0.0);
  }

  /**
   * A declared adapter that cannot load keeps the worker from starting: the process stays up to say
   * why (the kubelet restarts it on the failed liveness probe), every probe answers 503 with the
   * field at fault, and no request is served.
   */
  @Test
  void aBrokenDeclaredAdapterKeepsTheWorkerFromStarting() throws Exception {
    Path broken = Files.createDirectories(dynamic.resolve("broken"));
    Files.copy(
        WorkerProcess.repoRoot().resolve("models/tiny-shakespeare-lora/plain/adapter_config.json"),
        broken.resolve("adapter_config.json"));
    String spec =
        """
        {"model": {"id": "tiny-shakespeare", "source": "file:models/tiny-shakespeare"},
         "accelerator": {"type": "cpu", "count": 0},
         "engine": {"kvCacheMemory": "16Mi"},
         "lora": {"maxLoraRank": 8, "adapters": [
           {"name": "shouty", "source": "file:models/tiny-shakespeare-lora/shouty"},
           {"name": "broken", "source": "file:%s"}]}}
        """
            .formatted(broken);
    try (WorkerProcess w = WorkerProcess.builder().host("127.0.0.5").configJson(spec).launch()) {
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(
              () -> JSON.readTree(w.get("/health/started").body()).path("phase").asText(),
              "failed"::equals);
      HttpResponse<String> started = w.get("/health/started");
      assertThat(started.statusCode()).isEqualTo(503);
      JsonNode body = JSON.readTree(started.body());
      assertThat(body.path("status").asText()).isEqualTo("DOWN");
      assertThat(body.path("detail").asText())
          .startsWith("failed: spec.lora.adapters[1] (broken): ")
          .contains("adapter_model.safetensors");
      assertThat(w.get("/health/live").statusCode()).isEqualTo(503);
      assertThat(w.get("/health/ready").statusCode()).isEqualTo(503);
      assertThat(w.get("/v1/models").statusCode()).isEqualTo(503);
      assertThat(w.isAlive()).isTrue();
      assertThat(w.log()).contains("spec.lora.adapters[1] (broken)");
    }
  }
}
