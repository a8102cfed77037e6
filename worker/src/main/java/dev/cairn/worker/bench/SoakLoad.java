package dev.cairn.worker.bench;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The soak's request mix, one kind per request number modulo 10: plain completions (4 in 10), a
 * streamed chat, a stream the client abandons after its first event, n = 3, stop strings, a
 * malformed body (expects 400) and a whole chat answer. Outcomes are counted by kind and status.
 */
final class SoakLoad {
  private static final Duration TIMEOUT = Duration.ofSeconds(120);

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final URI completions;
  private final URI chat;
  private final String model;
  private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();

  SoakLoad(URI base, String model) {
    this.completions = base.resolve("/v1/completions");
    this.chat = base.resolve("/v1/chat/completions");
    this.model = model;
  }

  /** Sends request number {@code i} and records its outcome; never throws. */
  void send(int i) {
    String kind = "error";
    try {
      kind =
          switch (i % 10) {
            case 4 -> post(chat, chatBody(i, true, 16), "chat_stream");
            case 5 -> abandon(i);
            case 6 -> post(completions, completion(i, 6, ",\"n\":3"), "n3");
            case 7 -> post(completions, completion(i, 24, ",\"stop\":[\"e\",\"th\"]"), "stop");
            case 8 -> post(completions, "{\"model\":\"" + model + "\",\"prompt\":", "bad_input");
            case 9 -> post(chat, chatBody(i, false, 12), "chat");
            default -> post(completions, completion(i, 8, ""), "completion");
          };
    } catch (Exception e) {
      record(kind, e.getClass().getSimpleName());
    }
  }

  /** Outcome counts, e.g. {@code completion 200 -> 4000}. */
  Map<String, Long> outcomes() {
    Map<String, Long> out = new TreeMap<>();
    outcomes.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  private String post(URI uri, String body, String kind) throws Exception {
    HttpResponse<String> r = http.send(request(uri, body), HttpResponse.BodyHandlers.ofString());
    record(kind, Integer.toString(r.statusCode()));
    return kind;
  }

  /** Opens a stream, reads the first event and hangs up: the worker must abort and free it. */
  private String abandon(int i) throws Exception {
    HttpResponse<InputStream> r =
        http.send(
            request(completions, completion(i, 64, ",\"stream\":true")),
            HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = r.body()) {
      BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      String line;
      while ((line = lines.readLine()) != null && !line.startsWith("data: ")) {
        // until the first event
      }
    }
    record("abandoned_stream", Integer.toString(r.statusCode()));
    return "abandoned_stream";
  }

  private HttpRequest request(URI uri, String body) {
    return HttpRequest.newBuilder(uri)
        .timeout(TIMEOUT)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private String completion(int i, int maxTokens, String extra) {
    return "{\"model\":\""
        + model
        + "\",\"prompt\":\"Soak request "
        + i
        + ": to be or not\",\"max_tokens\":"
        + maxTokens
        + ",\"seed\":"
        + i
        + extra
        + "}";
  }

  private String chatBody(int i, boolean stream, int maxTokens) {
    return "{\"model\":\""
        + model
        + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Speak, soak "
        + i
        + "\"}],\"max_tokens\":"
        + maxTokens
        + ",\"stream\":"
        + stream
        + "}";
  }

  private void record(String kind, String status) {
    outcomes.computeIfAbsent(kind + " " + status, k -> new LongAdder()).increment();
  }
}
