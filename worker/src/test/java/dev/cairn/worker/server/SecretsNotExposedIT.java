package dev.cairn.worker.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.worker.testing.LogCapture;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The API key, and any key a client guesses, never shows in responses, {@code /metrics} or logs,
 * whatever the request: missing, wrong, right, malformed, refused.
 */
class SecretsNotExposedIT {
  private static final String KEY = "sk-cairn-KNOWN-secret-7f3a";
  private static final String GUESS = "sk-attacker-GUESS-91bc";

  @Test
  void keysAppearNowhere() throws Exception {
    List<String> seen = new ArrayList<>();
    try (LogCapture logs = new LogCapture();
        TestServer server = new TestServer(Optional.of(KEY), true)) {
      String good = "Bearer " + KEY;
      String bad = "Bearer " + GUESS;
      record(seen, server.get("/v1/models"));
      record(seen, server.get("/v1/models", "Authorization", bad));
      record(seen, server.get("/v1/models", "Authorization", good));
      record(
          seen,
          server.post(
              "/v1/completions", "{\"prompt\":\"hi\",\"max_tokens\":2}", "Authorization", good));
      record(seen, server.post("/v1/completions", "{\"prompt\":", "Authorization", good));
      record(
          seen,
          server.post(
              "/v1/completions",
              "{\"prompt\":\"" + GUESS + "\",\"max_tokens\":1,\"bogus\":1}",
              "Authorization",
              bad));
      server.engine.maxInFlight = 0;
      record(
          seen,
          server.post(
              "/v1/completions", "{\"prompt\":\"hi\",\"max_tokens\":2}", "Authorization", good));
      seen.add(server.registry.scrape());
      seen.add(logs.text());
    }
    assertThat(seen).hasSizeGreaterThan(7);
    for (String text : seen) {
      assertThat(text).doesNotContain(KEY).doesNotContain(GUESS);
    }
  }

  private static void record(List<String> seen, HttpResponse<String> r) {
    seen.add(r.statusCode() + " " + r.headers().map() + " " + r.body());
  }
}
