package dev.cairn.worker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.worker.server.fake.FakeEngine;
import dev.cairn.worker.server.fake.FakeModels;
import org.junit.jupiter.api.Test;

class PromptPreparerTest {
  private final ServedModel model = FakeModels.served(new FakeEngine(16));

  private static OpenAiRequest completion(String json) {
    return RequestParser.parse(Endpoint.COMPLETIONS, json, SamplingDefaults.none());
  }

  @Test
  void maxTokensDefaultsToTheRestOfTheContext() {
    PreparedRequest p = PromptPreparer.prepare(completion("{\"prompt\":\"abcd\"}"), model);
    assertThat(p.promptTokens()).containsExactly('a', 'b', 'c', 'd');
    assertThat(p.maxTokens()).isEqualTo(12);
  }

  @Test
  void modelDefaultIsClampedToTheContext() {
    OpenAiRequest r = completion("{\"prompt\":\"abcd\"}");
    assertThat(PromptPreparer.maxTokens(r, 4, 16, 100)).isEqualTo(12);
    assertThat(PromptPreparer.maxTokens(r, 4, 16, 5)).isEqualTo(5);
  }

  @Test
  void contextOverflowNamesTheLimit() {
    assertThatThrownBy(
            () ->
                PromptPreparer.prepare(
                    completion("{\"prompt\":\"abcd\",\"max_tokens\":13}"), model))
        .hasMessage(
            "This model's maximum context length is 16 tokens; your request has 17 tokens (4 in the"
                + " prompt, 13 in the completion). Please reduce the length of the prompt or the"
                + " completion.");
    assertThatThrownBy(
            () ->
                PromptPreparer.prepare(
                    completion("{\"prompt\":\"" + "x".repeat(16) + "\"}"), model))
        .hasMessageStartingWith(
            "This model's maximum context length is 16 tokens; your request has 16 input tokens");
  }

  @Test
  void unknownModelAndVocabulary() {
    assertThatThrownBy(
            () ->
                PromptPreparer.prepare(completion("{\"prompt\":\"a\",\"model\":\"other\"}"), model))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404))
        .hasMessage("The model `other` does not exist.");
    assertThatThrownBy(() -> PromptPreparer.prepare(completion("{\"prompt\":[999]}"), model))
        .hasMessageContaining("Token id 999 is out of vocabulary");
  }
}
