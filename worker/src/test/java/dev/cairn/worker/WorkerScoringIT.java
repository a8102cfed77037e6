package dev.cairn.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
import dev.cairn.worker.testing.ReferenceLogprobs;
import dev.cairn.worker.testing.TestModels;
import dev.cairn.worker.testing.WorkerProcess;
import dev.cairn.worker.tokenizer.HfTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tiny model served by a packaged worker, driven by the official OpenAI Java client the way
 * lm-evaluation-harness scores log-likelihoods (a batch of prompts, echo, logprobs, max_tokens 1,
 * temperature 0), and logit_bias changing what greedy decoding picks.
 */
class WorkerScoringIT {
  private static final String MODEL = "tiny-shakespeare";

  private static WorkerProcess worker;
  private static OpenAIClient client;
  private static HfTokenizer tokenizer;
  private static Path modelDir;
  private static JsonNode reference;

  @BeforeAll
  static void start() throws Exception {
    worker =
        WorkerProcess.builder()
            .configFile(WorkerProcess.repoRoot().resolve("deploy/samples/tiny-cpu.yaml"))
            .start();
    client =
        OpenAIOkHttpClient.builder()
            .baseUrl(worker.url("/v1"))
            .apiKey("none")
            .maxRetries(0)
            .timeout(Duration.ofSeconds(120))
            .build();
    modelDir = TestModels.tinyShakespeare();
    tokenizer = HfTokenizer.load(modelDir);
    reference =
        new ObjectMapper()
            .readTree(Files.readString(modelDir.resolve("reference.json")))
            .path("cases")
            .get(0);
  }

  @AfterAll
  static void stop() {
    if (worker != null) {
      worker.close();
    }
    if (tokenizer != null) {
      tokenizer.close();
    }
  }

  @Test
  void lmEvalHarnessStyleScoringReturnsPromptLogprobsEqualToPerPrefixRuns() {
    List<String> prompts =
        List.of("ROMEO:\nBut soft, what light", "JULIET:\nO Romeo, Romeo! wherefore art thou");
    Completion c =
        client
            .completions()
            .create(
                CompletionCreateParams.builder()
                    .model(MODEL)
                    .promptOfArrayOfStrings(prompts)
                    .echo(true)
                    .logprobs(1L)
                    .maxTokens(1L)
                    .temperature(0.0)
                    .seed(1234L)
                    .build());
    assertThat(c.choices()).hasSize(2);
    for (int i = 0; i < prompts.size(); i++) {
      CompletionChoice choice = c.choices().get(i);
      assertThat(choice.index()).isEqualTo(i);
      assertThat(choice.text()).startsWith(prompts.get(i));
      int[] ids = tokenizer.encode(prompts.get(i));
      double[] expected = ReferenceLogprobs.promptLogprobs(modelDir, ids);
      CompletionChoice.Logprobs lp = choice.logprobs().orElseThrow();
      List<Double> got = lp.tokenLogprobs().orElseThrow();
      assertThat(got).hasSize(ids.length + 1);
      assertThat(got.get(0)).isNull();
      for (int p = 1; p < ids.length; p++) {
        assertThat(got.get(p))
            .as("prompt %d position %d", i, p)
            .isCloseTo(expected[p], within(1e-4));
      }
      assertThat(lp.tokens().orElseThrow()).hasSize(ids.length + 1);
      assertThat(lp.textOffset().orElseThrow().get(0)).isZero();
      assertThat(lp.topLogprobs().orElseThrow()).hasSize(ids.length + 1);
    }
  }

  @Test
  void logitBiasForcesAndBansTokens() {
    int[] greedy = ints(reference.path("greedy_ids"));
    int forced = greedy[5];
    Completion pushed = create(Map.of(Integer.toString(forced), 100));
    List<String> tokens = pushed.choices().get(0).logprobs().orElseThrow().tokens().orElseThrow();
    String forcedText = tokenizer.decode(new int[] {forced}, false);
    assertThat(tokens).hasSize(4).containsOnly(forcedText);
    Completion banned = create(Map.of(Integer.toString(greedy[0]), -100));
    Completion plain = create(Map.of());
    String first = tokenizer.decode(new int[] {greedy[0]}, false);
    assertThat(plain.choices().get(0).logprobs().orElseThrow().tokens().orElseThrow().get(0))
        .isEqualTo(first);
    assertThat(banned.choices().get(0).logprobs().orElseThrow().tokens().orElseThrow().get(0))
        .isNotEqualTo(first);
  }

  private static Completion create(Map<String, Integer> bias) {
    CompletionCreateParams.LogitBias.Builder logitBias = CompletionCreateParams.LogitBias.builder();
    bias.forEach((id, v) -> logitBias.putAdditionalProperty(id, JsonValue.from(v)));
    return client
        .completions()
        .create(
            CompletionCreateParams.builder()
                .model(MODEL)
                .prompt(reference.path("prompt").asText())
                .maxTokens(4L)
                .temperature(0.0)
                .logprobs(0L)
                .logitBias(logitBias.build())
                .putAdditionalBodyProperty("ignore_eos", JsonValue.from(true))
                .build());
  }

  private static int[] ints(JsonNode arr) {
    int[] out = new int[arr.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = arr.get(i).asInt();
    }
    return out;
  }
}
