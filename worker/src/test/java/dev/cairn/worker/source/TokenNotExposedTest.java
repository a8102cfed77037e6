package dev.cairn.worker.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.worker.source.ModelSource.HuggingFace;
import dev.cairn.worker.testing.LogCapture;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Hugging Face token, right or wrong, never appears in load errors or logs. */
class TokenNotExposedTest {
  private static final String REPO = "cairn-test/gated";
  private static final String TOKEN = "hf_KNOWNsecretTOKEN0123456789";
  private static final String WRONG = "hf_WRONGsecretTOKEN9876543210";

  /** The JDK client's category that logs request headers; application.properties pins it. */
  static final String JDK_HTTP_LOGGER = "sun.net.www.protocol.http.HttpURLConnection";

  @TempDir Path cache;

  @Test
  void theJdkHeaderLoggerIsPinnedBelowDebug() throws IOException {
    try (var in = getClass().getResourceAsStream("/application.properties")) {
      Properties props = new Properties();
      props.load(in);
      assertThat(props.getProperty("quarkus.log.category.\"" + JDK_HTTP_LOGGER + "\".level"))
          .isEqualTo("INFO");
    }
  }

  @Test
  void aRejectedTokenIsNotEchoed() throws IOException {
    Logger jdkHttp = Logger.getLogger(JDK_HTTP_LOGGER);
    jdkHttp.setLevel(Level.INFO); // as application.properties pins it; everything else at ALL
    try (LogCapture logs = new LogCapture();
        FakeHub hub = new FakeHub(REPO)) {
      hub.file("config.json", "{}".getBytes()).requireToken(TOKEN);
      assertThatThrownBy(
              () ->
                  downloader(hub, WRONG)
                      .download(new HuggingFace(REPO, "main"), new LoadProgress()))
          .hasMessageContaining("HTTP 401")
          .satisfies(e -> assertThat(stackOf(e)).doesNotContain(WRONG).doesNotContain(TOKEN));
      assertThat(logs.text()).contains("401").doesNotContain(WRONG).doesNotContain(TOKEN);
    } finally {
      jdkHttp.setLevel(null);
    }
  }

  private HuggingFaceDownloader downloader(FakeHub hub, String token) {
    HubSettings settings =
        new HubSettings(
            URI.create(hub.endpoint()),
            Optional.of(token),
            cache,
            2,
            Duration.ofMillis(1),
            Duration.ofMillis(1),
            Duration.ofSeconds(5),
            Duration.ofSeconds(5));
    return new HuggingFaceDownloader(settings, d -> {}, System::nanoTime);
  }

  private static String stackOf(Throwable e) {
    var out = new java.io.StringWriter();
    e.printStackTrace(new java.io.PrintWriter(out));
    return out.toString();
  }
}
