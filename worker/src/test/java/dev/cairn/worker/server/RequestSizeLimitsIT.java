package dev.cairn.worker.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpServerOptions;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Oversized request lines and headers get OpenAI-shaped 414/431 answers up to the decoder's hard
 * caps (set as in application.properties); past them, Vert.x's own bodiless answer.
 */
class RequestSizeLimitsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server =
        new TestServer(
            Optional.empty(),
            true,
            new HttpServerOptions()
                .setMaxInitialLineLength(RequestSizeLimits.HARD_INITIAL_LINE_BYTES)
                .setMaxHeaderSize(RequestSizeLimits.HARD_HEADER_BYTES),
            null);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Test
  void aLongUriGetsAJson414() throws Exception {
    String answer = exchange("/v1/models?x=" + "a".repeat(RequestSizeLimits.MAX_URI_CHARS), "");
    assertThat(answer).startsWith("HTTP/1.1 414");
    assertThat(error(answer).get("message").asText()).contains("URI exceeds 4096");
  }

  @Test
  void largeHeadersGetAJson431() throws Exception {
    String answer =
        exchange("/v1/models", "X-Big: " + "b".repeat(RequestSizeLimits.MAX_HEADER_BYTES) + "\r\n");
    assertThat(answer).startsWith("HTTP/1.1 431");
    JsonNode error = error(answer);
    assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
    assertThat(error.get("code").asInt()).isEqualTo(431);
  }

  @Test
  void requestsWithinTheLimitsPass() throws Exception {
    String answer = exchange("/v1/models", "X-Ok: " + "c".repeat(1000) + "\r\n");
    assertThat(answer).startsWith("HTTP/1.1 200");
  }

  @Test
  void pastTheHardCapVertxAnswersWithoutABody() throws Exception {
    String answer =
        exchange(
            "/v1/models", "X-Huge: " + "d".repeat(RequestSizeLimits.HARD_HEADER_BYTES) + "\r\n");
    assertThat(answer).startsWith("HTTP/1.1 431");
    assertThat(answer).doesNotContain("{");
  }

  /** Sends a GET with extra header lines and reads the whole answer (the server closes). */
  private static String exchange(String uri, String extraHeaders) throws IOException {
    try (Socket s = new Socket("127.0.0.1", server.server.actualPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write(
              ("GET " + uri + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extraHeaders + "\r\n")
                  .getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().flush();
      byte[] buf = new byte[8192];
      StringBuilder answer = new StringBuilder();
      int n;
      while ((n = s.getInputStream().read(buf)) > 0) {
        answer.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        if (answer.toString().startsWith("HTTP/1.1 200") && answer.indexOf("}]}") > 0) {
          break; // a kept-alive success: the whole model list is in
        }
      }
      return answer.toString();
    } catch (java.net.SocketException reset) {
      return "";
    }
  }

  private static JsonNode error(String answer) throws IOException {
    return JSON.readTree(answer.substring(answer.indexOf('{'))).get("error");
  }
}
