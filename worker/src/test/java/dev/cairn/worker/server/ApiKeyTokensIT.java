package dev.cairn.worker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.errors.UnauthorizedException;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.completions.CompletionUsage;
import dev.cairn.api.MetricNames;
import dev.cairn.worker.server.fake.FakeModels;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code cairn_tokens_total}: token counts land under the name of the key that sent them. */
class ApiKeyTokensIT {
  @Test
  void tokensCountUnderTheNameOfTheKeyThatSentThem() throws Exception {
    try (TestServer s = new TestServer(Optional.of("# cost centres\nalice:ka\nbob:kb\n"), true)) {
      assertThat(tokens(s, "alice", MetricNames.KIND_PROMPT)).isZero();
      assertThat(tokens(s, "bob", MetricNames.KIND_GENERATED)).isZero();

      CompletionUsage alice = complete(s, "ka", "hello there", 3);
      CompletionUsage bob = complete(s, "kb", "a longer prompt for bob to send", 5);
      assertThat(bob.promptTokens()).isNotEqualTo(alice.promptTokens());

      assertThat(tokens(s, "alice", MetricNames.KIND_PROMPT)).isEqualTo(alice.promptTokens());
      assertThat(tokens(s, "alice", MetricNames.KIND_GENERATED))
          .isEqualTo(alice.completionTokens());
      assertThat(tokens(s, "bob", MetricNames.KIND_PROMPT)).isEqualTo(bob.promptTokens());
      assertThat(tokens(s, "bob", MetricNames.KIND_GENERATED)).isEqualTo(bob.completionTokens());
      assertThat(s.registry.scrape()).doesNotContain("\"ka\"").doesNotContain("\"kb\"");
    }
  }

  @Test
  void unknownKeyIsRefusedAndCountsNothing() throws Exception {
    try (TestServer s = new TestServer(Optional.of("alice:ka\nbob:kb"), true)) {
      assertThatThrownBy(() -> complete(s, "kc", "hello", 2))
          .isInstanceOf(UnauthorizedException.class)
          .hasMessageContaining("Invalid API key");
      assertThat(tokens(s, "alice", MetricNames.KIND_PROMPT)).isZero();
      assertThat(tokens(s, "bob", MetricNames.KIND_PROMPT)).isZero();
      assertThat(s.registry.scrape()).doesNotContain("api_key_name=\"kc\"");
    }
  }

  @Test
  void withoutKeysThereIsNoPerKeySeries() throws Exception {
    try (TestServer s = new TestServer(Optional.empty(), true)) {
      complete(s, "anything", "hello", 2);
      assertThat(s.registry.scrape())
          .contains(MetricNames.PROMPT_TOKENS_TOTAL)
          .doesNotContain(MetricNames.TOKENS_TOTAL);
    }
  }

  private static CompletionUsage complete(TestServer s, String key, String prompt, int maxTokens) {
    Completion c =
        OpenAiServerIT.client(s, key)
            .completions()
            .create(
                CompletionCreateParams.builder()
                    .model(FakeModels.MODEL_ID)
                    .prompt(prompt)
                    .maxTokens(maxTokens)
                    .build());
    return c.usage().orElseThrow();
  }

  /** The worker's {@code cairn_tokens_total} for one key name and kind; fails when absent. */
  private static long tokens(TestServer s, String keyName, String kind) {
    String series =
        "%s{api_key_name=\"%s\",kind=\"%s\",model_name=\"%s\",} "
            .formatted(MetricNames.TOKENS_TOTAL, keyName, kind, FakeModels.MODEL_ID);
    return s.registry
        .scrape()
        .lines()
        .filter(l -> l.startsWith(series))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(series.length())))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no series " + series));
  }
}
