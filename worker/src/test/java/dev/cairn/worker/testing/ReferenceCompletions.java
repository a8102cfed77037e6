package dev.cairn.worker.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;

/**
 * Greedy completions of the tiny model's F32 reference prompts through a running worker, compared
 * with reference.json's PyTorch continuations word for word: what a variant of the served model
 * (quantized weights, a BF16 KV cache) must still say.
 */
public final class ReferenceCompletions {

  private ReferenceCompletions() {}

  /**
   * Sends each F32 case of {@code cases} (reference.json's {@code cases}) to {@code client} as a
   * 32-token greedy completion of {@code model} and asserts its text and token count; returns how
   * many cases it sent.
   */
  public static int assertGreedyF32Cases(OpenAIClient client, String model, JsonNode cases) {
    int compared = 0;
    for (JsonNode c : cases) {
      if (!c.get("weights").asText().equals("f32")) {
        continue; // the BF16 checkpoint's own references
      }
      compared++;
      Completion done =
          client
              .completions()
              .create(
                  CompletionCreateParams.builder()
                      .model(model)
                      .prompt(c.get("prompt").asText())
                      .maxTokens(32)
                      .temperature(0.0)
                      .build());
      assertThat(done.choices().get(0).text())
          .as(c.get("prompt").asText())
          .isEqualTo(c.get("greedy_text").asText());
      assertThat(done.usage().orElseThrow().completionTokens()).isEqualTo(32);
    }
    return compared;
  }
}
