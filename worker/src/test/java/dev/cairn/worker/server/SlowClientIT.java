package dev.cairn.worker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpServerOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Slowloris: stalled and trickling clients lose their connections while normal traffic goes on, and
 * a generation that keeps its client waiting longer than the idle timeout still completes. Timeouts
 * are scaled down (idle 1 s, body 2 s) from production's 30 s and 60 s.
 */
class SlowClientIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int STALLED = 10;

  private TestServer server;

  @BeforeEach
  void start() throws Exception {
    server =
        new TestServer(
            Optional.empty(),
            true,
            new HttpServerOptions().setIdleTimeout(1).setIdleTimeoutUnit(TimeUnit.SECONDS),
            Duration.ofSeconds(2));
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  @Test
  void stalledClientsAreDisconnectedWhileOthersAreServed() throws Exception {
    List<Socket> stalled = new ArrayList<>();
    for (int i = 0; i < STALLED; i++) {
      stalled.add(open("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
      stalled.add(
          open(
              "POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"prompt\":"));
    }
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> ok =
          server.post("/v1/completions", "{\"prompt\":\"hi\",\"max_tokens\":3}");
      assertThat(ok.statusCode()).isEqualTo(200);
    }
    for (Socket s : stalled) {
      assertThat(readToClose(s, Duration.ofSeconds(15))).as("stalled socket closed").isTrue();
      s.close();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> server.metrics.ongoing() == 0);
  }

  @Test
  void aBodyTricklingInPastTheDeadlineGets408() throws Exception {
    String head =
        "POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n";
    try (Socket s = open(head)) {
      OutputStream out = s.getOutputStream();
      s.setSoTimeout(300);
      InputStream in = s.getInputStream();
      StringBuilder answer = new StringBuilder();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      // One byte every 300 ms: never idle for the 1 s idle timeout, too slow for the 2 s budget.
      while (System.nanoTime() < deadline) {
        try {
          out.write(' ');
          out.flush();
        } catch (SocketException closed) {
          break;
        }
        int n = readSome(in, answer);
        if (n < 0) {
          break;
        }
      }
      String response = answer.toString();
      assertThat(response).startsWith("HTTP/1.1 408");
      JsonNode error = JSON.readTree(response.substring(response.indexOf('{'))).get("error");
      assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
      assertThat(error.get("message").asText()).contains("did not arrive within 2 s");
    }
  }

  @Test
  void aGenerationLongerThanTheIdleTimeoutCompletes() throws Exception {
    // 20 tokens at 100 ms: 2 s with no byte on the connection, twice the idle timeout.
    HttpResponse<String> r =
        server.post("/v1/completions", "{\"prompt\":\"SLOW\",\"max_tokens\":20}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(r.body()).at("/choices/0/text").asText()).hasSize(20);
    HttpResponse<String> again =
        server.post("/v1/completions", "{\"prompt\":\"hi\",\"max_tokens\":3}");
    assertThat(again.statusCode()).isEqualTo(200);
  }

  private Socket open(String partialRequest) throws IOException {
    Socket s = new Socket("127.0.0.1", server.server.actualPort());
    s.getOutputStream().write(partialRequest.getBytes(StandardCharsets.UTF_8));
    s.getOutputStream().flush();
    return s;
  }

  /** Reads until the server closes the socket (true) or {@code within} passes (false). */
  private static boolean readToClose(Socket s, Duration within) throws IOException {
    s.setSoTimeout((int) within.toMillis());
    try {
      while (s.getInputStream().read() >= 0) {
        // an error answer may come first; the close is what counts
      }
      return true;
    } catch (SocketException reset) {
      return true;
    } catch (java.net.SocketTimeoutException stillOpen) {
      return false;
    }
  }

  /** Appends what arrives within the socket timeout; -1 once the server closed. */
  private static int readSome(InputStream in, StringBuilder into) throws IOException {
    byte[] buf = new byte[4096];
    try {
      int n = in.read(buf);
      if (n > 0) {
        into.append(new String(buf, 0, n, StandardCharsets.UTF_8));
      }
      return n;
    } catch (java.net.SocketTimeoutException nothingYet) {
      return 0;
    } catch (SocketException reset) {
      return -1;
    }
  }
}
