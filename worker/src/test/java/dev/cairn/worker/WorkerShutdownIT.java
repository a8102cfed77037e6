package dev.cairn.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.worker.testing.WorkerProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What a scale-down does to a worker, on the packaged process: SIGTERM while a stream is being
 * generated. Readiness and new requests answer 503 at once (so the endpoints drop the pod), the
 * stream in flight still gets every token it asked for and its [DONE], then the process exits.
 */
class WorkerShutdownIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_TOKENS = 480;
  private static final int CHOICES = 4;

  /** The shutdown delay: readiness is false and the worker still answers (503) this long. */
  private static final Duration DELAY = Duration.ofSeconds(1);

  @Test
  void sigtermRefusesNewWorkAndFinishesTheStreamInFlight() throws Exception {
    try (WorkerProcess worker =
            WorkerProcess.builder()
                .configFile(WorkerProcess.repoRoot().resolve("deploy/samples/tiny-cpu.yaml"))
                // production's settings, with a shorter delay so the stream outlives it
                .systemProperty("quarkus.shutdown.delay", DELAY.toMillis() + "ms")
                .systemProperty("quarkus.shutdown.timeout", "60s")
                .start();
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      List<String> events = new CopyOnWriteArrayList<>();
      CountDownLatch firstToken = new CountDownLatch(1);
      Future<Integer> stream = threads.submit(() -> stream(worker, events, firstToken));
      assertThat(firstToken.await(60, TimeUnit.SECONDS)).as(worker.log()).isTrue();

      worker.terminate();
      long sigterm = System.nanoTime();
      // the signal is handled within milliseconds
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> worker.get("/health/ready").statusCode() == 503);
      HttpResponse<String> refused =
          worker.post(
              "/v1/completions",
              "{\"model\": \"tiny-shakespeare\", \"prompt\": \"ROMEO:\", \"max_tokens\": 4}");
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(JSON.readTree(refused.body()).at("/error/message").asText()).isNotBlank();

      assertThat(stream.get(60, TimeUnit.SECONDS)).isEqualTo(200);
      Duration streamAfterSigterm = Duration.ofNanos(System.nanoTime() - sigterm);
      // The stream ran past the delay, into the part of shutdown that must wait for it.
      assertThat(streamAfterSigterm).isGreaterThan(DELAY);
      assertThat(events.getLast()).isEqualTo("[DONE]");
      JsonNode usage = JSON.readTree(events.get(events.size() - 2)).path("usage");
      assertThat(usage.path("completion_tokens").asInt()).isEqualTo(CHOICES * MAX_TOKENS);
      assertThat(events).anySatisfy(e -> assertThat(e).contains("\"finish_reason\":\"length\""));

      OptionalInt exit = worker.awaitExit(Duration.ofSeconds(60));
      assertThat(exit).as(worker.log()).isPresent();
      assertThat(worker.log()).contains("draining");
    }
  }

  /** Streams a long completion, collecting the SSE data lines; returns the HTTP status. */
  private static int stream(WorkerProcess worker, List<String> events, CountDownLatch firstToken)
      throws Exception {
    String body =
        """
        {"model": "tiny-shakespeare", "prompt": "ROMEO:", "max_tokens": %d, "n": %d,
         "ignore_eos": true, "temperature": 0.8, "seed": 3,
         "stream": true, "stream_options": {"include_usage": true}}"""
            .formatted(MAX_TOKENS, CHOICES);
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(worker.url("/v1/completions")))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      HttpResponse<java.util.stream.Stream<String>> response =
          http.send(request, HttpResponse.BodyHandlers.ofLines());
      response
          .body()
          .filter(line -> line.startsWith("data: "))
          .forEach(
              line -> {
                events.add(line.substring("data: ".length()));
                firstToken.countDown();
              });
      return response.statusCode();
    }
  }
}
