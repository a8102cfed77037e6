package dev.cairn.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import dev.cairn.api.MetricNames;
import dev.cairn.worker.testing.MetricsText;
import dev.cairn.worker.testing.ReferenceCompletions;
import dev.cairn.worker.testing.TestModels;
import dev.cairn.worker.testing.WorkerProcess;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A packaged worker serving the tiny model with {@code engine.kvCacheDtype: bfloat16}, driven by
 * the official OpenAI client: the same {@code kvCacheMemory} holds twice the blocks of an F32 pool
 * (the start-up log and {@code vllm:cache_config_info} say so), and greedy completions decoded from
 * the rounded cache equal the PyTorch references word for word.
 */
class WorkerBf16KvCacheIT {

  private static WorkerProcess worker;
  private static OpenAIClient client;
  private static JsonNode cases;

  @BeforeAll
  static void start() {
    String spec =
        """
        {"model": {"id": "tiny-shakespeare", "source": "file:models/tiny-shakespeare"},
         "accelerator": {"type": "cpu", "count": 0}, "replicas": 1,
         "engine": {"maxNumSeqs": 8, "maxNumBatchedTokens": 512, "kvCacheMemory": "64Mi",
                    "kvCacheDtype": "bfloat16"}}
        """;
    worker = WorkerProcess.builder().host("127.0.0.7").configJson(spec).start();
    client =
        OpenAIOkHttpClient.builder()
            .baseUrl(worker.url("/v1"))
            .apiKey("unused")
            .maxRetries(0)
            .timeout(Duration.ofSeconds(120))
            .build();
    cases = TestModels.reference().get("cases");
  }

  @AfterAll
  static void stop() {
    if (worker != null) {
      worker.close();
    }
  }

  /**
   * 64 MiB at 4 layers × keys and values × 16 tokens × 64 elements × 2 bytes a block: 4,096 blocks,
   * where F32 (4 bytes) gives 2,048.
   */
  @Test
  void theSameMemoryHoldsTwiceTheBlocks() {
    assertThat(worker.log()).contains("KV pool 4096 blocks (65536 tokens) of bfloat16");
    MetricsText m = worker.scrape();
    assertThat(
            m.value(
                MetricNames.VLLM_CACHE_CONFIG_INFO,
                Map.of(
                    MetricNames.LABEL_CACHE_DTYPE, "bfloat16",
                    MetricNames.LABEL_CACHE_NUM_GPU_BLOCKS, "4096")))
        .isEqualTo(1.0);
  }

  /** Every prompt's 32 tokens are decoded step by step from keys and values rounded to BF16. */
  @Test
  void greedyCompletionsEqualTheReferences() {
    assertThat(ReferenceCompletions.assertGreedyF32Cases(client, "tiny-shakespeare", cases))
        .isEqualTo(2);
  }
}
