package dev.cairn.operator.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** Greedy {@code /v1/completions} bodies and their text, whole or streamed, for the routing ITs. */
public final class Completions {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Completions() {}

  /** A greedy completion request of {@code model} for {@code prompt}. */
  public static String request(String model, String prompt, int maxTokens, boolean stream) {
    return """
        {"model":"%s","prompt":"%s","max_tokens":%d,"temperature":0,"stream":%s}"""
        .formatted(model, prompt, maxTokens, stream);
  }

  /** The text of a completion response. */
  public static String text(String completion) throws IOException {
    return JSON.readTree(completion).path("choices").path(0).path("text").asText();
  }

  /** The text of a streamed completion, checked to end with {@code [DONE]}. */
  public static String streamedText(String sse) throws IOException {
    StringBuilder text = new StringBuilder();
    for (String line : sse.split("\n")) {
      if (line.startsWith("data: {")) {
        JsonNode chunk = JSON.readTree(line.substring("data: ".length()));
        text.append(chunk.path("choices").path(0).path("text").asText());
      }
    }
    assertThat(sse).contains("data: [DONE]");
    return text.toString();
  }
}
