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
    assertThat(p.prompts().get(0)).containsExactly('a', 'b', 'c', 'd');
    assertThat(p.maxTokens()).containsExactly(12);
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
  void overflowNamesTheLimitFieldTheClientSent() {
    ServedModel roomy = FakeModels.served(new FakeEngine(256));
    String m = "{\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],";
    for (String field : new String[] {"max_tokens", "max_completion_tokens"}) {
      OpenAiRequest r =
          RequestParser.parse(
              Endpoint.CHAT_COMPLETIONS, m + "\"" + field + "\":1000}", SamplingDefaults.none());
      assertThatThrownBy(() -> PromptPreparer.prepare(r, roomy))
          .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.param()).isEqualTo(field));
    }
  }

  @Test
  void eachPromptIsFittedToTheContextOnItsOwn() {
    PreparedRequest p =
        PromptPreparer.prepare(completion("{\"prompt\":[\"ab\",\"abcdef\"]}"), model);
    assertThat(p.maxTokens()).containsExactly(14, 10);
    assertThat(p.totalPromptTokens()).isEqualTo(8);
  }

  @Test
  void logitBiasIdsOutsideTheVocabularyAreRefused() {
    assertThatThrownBy(
            () ->
                PromptPreparer.prepare(
                    completion("{\"prompt\":\"a\",\"logit_bias\":{\"999\":1}}"), model))
        .isInstanceOfSatisfying(
            ApiException.class, e -> assertThat(e.param()).isEqualTo("logit_bias"))
        .hasMessageContaining("Token id 999 in logit_bias is out of vocabulary");
  }

  @Test
  void unknownModelAndVocabulary() {
    assertThatThrownBy(
            () -> AdapterJob.prepare(completion("{\"prompt\":\"a\",\"model\":\"other\"}"), model))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404))
        .hasMessage("The model `other` does not exist.");
    assertThatThrownBy(() -> PromptPreparer.prepare(completion("{\"prompt\":[999]}"), model))
        .hasMessageContaining("Token id 999 is out of vocabulary");
  }
}
