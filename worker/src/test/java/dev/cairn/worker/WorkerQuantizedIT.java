package dev.cairn.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import dev.cairn.api.MetricNames;
import dev.cairn.worker.testing.MetricsText;
import dev.cairn.worker.testing.ReferenceCompletions;
import dev.cairn.worker.testing.WorkerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A packaged worker serving the tiny model with {@code engine.quantization: q8_0} on the CPU
 * backend (on AVX-512 its matrices become Q8_0 panels), and the {@code shouty} LoRA adapter on top
 * of the quantized base, driven by the official OpenAI client: what serves is in the start-up log
 * and {@code cairn_model_info}, and greedy completions through the 8-bit weights, with and without
 * the adapter, equal the F32 PyTorch references word for word.
 */
class WorkerQuantizedIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static WorkerProcess worker;
  private static OpenAIClient client;
  private static JsonNode baseCases;
  private static JsonNode loraCases;

  @BeforeAll
  static void start() throws Exception {
    Path root = WorkerProcess.repoRoot();
    String spec =
        """
        {"model": {"id": "tiny-shakespeare", "source": "file:models/tiny-shakespeare"},
         "accelerator": {"type": "cpu", "count": 0}, "replicas": 1,
         "engine": {"maxNumSeqs": 8, "maxNumBatchedTokens": 512, "kvCacheMemory": "64Mi",
                    "quantization": "q8_0"},
         "lora": {"adapters": [{"name": "shouty",
                                "source": "file:models/tiny-shakespeare-lora/shouty"}],
                  "maxLoraRank": 8}}
        """;
    worker = WorkerProcess.builder().host("127.0.0.5").configJson(spec).start();
    client =
        OpenAIOkHttpClient.builder()
            .baseUrl(worker.url("/v1"))
            .apiKey("unused")
            .maxRetries(0)
            .timeout(Duration.ofSeconds(120))
            .build();
    baseCases =
        JSON.readTree(Files.readString(root.resolve("models/tiny-shakespeare/reference.json")))
            .get("cases");
    loraCases =
        JSON.readTree(Files.readString(root.resolve("models/tiny-shakespeare-lora/reference.json")))
            .get("cases");
  }

  @AfterAll
  static void stop() {
    if (worker != null) {
      worker.close();
    }
  }

  @Test
  void theLogAndModelInfoSayQ8IsServing() {
    assertThat(worker.log()).contains("quantization q8_0");
    MetricsText m = worker.scrape();
    assertThat(
            m.value(
                MetricNames.MODEL_INFO,
                Map.of(
                    "architecture", "Qwen2ForCausalLM",
                    "dtype", "float32",
                    "backend", "cpu",
                    "quantization", "q8_0")))
        .isEqualTo(1.0);
  }

  /**
   * Greedy 32-token completions of every F32 reference prompt through the quantized weights equal
   * the F32 model's reference continuations (the KL and perplexity bounds are {@code
   * QuantizedAccuracyTest}'s; here the whole serving path runs on the quantized kernels).
   */
  @Test
  void greedyCompletionsEqualTheF32References() {
    assertThat(ReferenceCompletions.assertGreedyF32Cases(client, "tiny-shakespeare", baseCases))
        .isEqualTo(2);
  }

  @Test
  void anAdapterOnTheQuantizedBaseAnswersAsItsF32Reference() {
    JsonNode c = loraCases.get(3);
    assertThat(c.get("adapter").asText()).isEqualTo("shouty");
    Completion done =
        client
            .completions()
            .create(
                CompletionCreateParams.builder()
                    .model("shouty")
                    .prompt(c.get("prompt").asText())
                    .maxTokens(32)
                    .temperature(0.0)
                    .build());
    String text = done.choices().get(0).text();
    assertThat(text).isEqualTo(text.toUpperCase()).containsPattern("[A-Z]{4}");
    assertThat(text).isEqualTo(c.get("greedy_text").asText());
    assertThat(done.model()).isEqualTo("shouty");
  }
}
