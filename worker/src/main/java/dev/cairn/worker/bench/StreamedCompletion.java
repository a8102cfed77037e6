package dev.cairn.worker.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.stream.Stream;

/**
 * One streamed {@code /v1/completions} request as a client sees it: its status, when the first
 * token arrived and whether the stream ended with {@code [DONE]}. Greedy and {@code ignore_eos}, so
 * every accepted request generates exactly {@code maxTokens} tokens.
 */
final class StreamedCompletion {
  private final HttpClient http;
  private final URI endpoint;
  private final String body;
  private final Duration timeout;

  StreamedCompletion(
      HttpClient http, URI base, String model, String prompt, int maxTokens, Duration timeout) {
    this.http = http;
    this.endpoint = base.resolve("/v1/completions");
    this.body =
        """
        {"model": %s, "prompt": %s, "max_tokens": %d, "stream": true, "ignore_eos": true,
         "temperature": 0}"""
            .formatted(quote(model), quote(prompt), maxTokens);
    this.timeout = timeout;
  }

  /** Sends it and reads the answer to the end; {@code sentAt} is the caller's clock origin. */
  OverloadReport.Request send(long originNanos) {
    long sent = System.nanoTime();
    double sentAt = (sent - originNanos) / 1e9;
    HttpRequest request =
        HttpRequest.newBuilder(endpoint)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    try {
      HttpResponse<Stream<String>> response =
          http.send(request, HttpResponse.BodyHandlers.ofLines());
      double ttft = -1;
      boolean done = false;
      try (Stream<String> lines = response.body()) {
        Iterator<String> it = lines.iterator();
        while (it.hasNext()) {
          String line = it.next();
          if (ttft < 0 && line.startsWith("data: {")) {
            ttft = (System.nanoTime() - sent) / 1e9;
          } else if (line.equals("data: [DONE]")) {
            done = true;
          }
        }
      } catch (UncheckedIOException e) {
        // The stream broke after the headers: the request counts as failed, not completed.
      }
      return new OverloadReport.Request(sentAt, response.statusCode(), ttft, done);
    } catch (IOException e) {
      return new OverloadReport.Request(sentAt, 0, -1, false);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new OverloadReport.Request(sentAt, 0, -1, false);
    }
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
