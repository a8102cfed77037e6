package dev.cairn.worker.server;

import dev.cairn.api.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The service-level metrics the API layer records, always on (design.md "Metrics"): requests by
 * endpoint and status, their duration, tokens in and out, requests in flight, load progress. The
 * autoscaler reads {@code cairn_ongoing_requests}.
 */
public final class ServiceMetrics {
  /** Buckets of {@code cairn_request_duration_seconds}: 5 ms up to 10 minutes of generation. */
  static final Duration[] DURATION_BUCKETS = {
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(20),
    Duration.ofSeconds(30),
    Duration.ofSeconds(60),
    Duration.ofSeconds(120),
    Duration.ofSeconds(300),
    Duration.ofSeconds(600)
  };

  /** Status recorded when the client went away before the answer was complete (nginx's). */
  public static final int CLIENT_CLOSED = 499;

  /** {@code reason} of a request refused because the engine's waiting queue is full. */
  public static final String REJECTED_QUEUE_FULL = "queue_full";

  /** {@code reason} of a request refused because the worker is loading, failed or draining. */
  public static final String REJECTED_NOT_READY = "not_ready";

  private final MeterRegistry registry;
  private final String modelName;
  private final LongSupplier nanoClock;
  // By model_name: the base model's id, or the LoRA adapter a request asked for.
  private final Map<String, AtomicInteger> ongoing = new ConcurrentHashMap<>();

  /**
   * @param modelName the {@code model_name} label
   * @param state the worker state whose load progress is exported
   * @param nanoClock monotonic time source (a fake in tests)
   */
  public ServiceMetrics(
      MeterRegistry registry, String modelName, WorkerState state, LongSupplier nanoClock) {
    this.registry = registry;
    this.modelName = modelName;
    this.nanoClock = nanoClock;
    String label = MetricNames.LABEL_MODEL_NAME;
    promptTokens(modelName);
    generationTokens(modelName);
    ongoing(modelName);
    Gauge.builder(MetricNames.MODEL_LOAD_PROGRESS, state, WorkerState::progress)
        .description("Model loading progress, 0 to 1")
        .tag(label, modelName)
        .register(registry);
    // Pre-registered so that rate() over shedding is 0, never absent, before the first refusal.
    rejectedCounter(REJECTED_QUEUE_FULL);
    rejectedCounter(REJECTED_NOT_READY);
    for (Endpoint e : Endpoint.values()) {
      timer(
          modelName, e); // every endpoint's series exists from the start, so rates are never absent
    }
  }

  private Counter promptTokens(String model) {
    return Counter.builder(MetricNames.PROMPT_TOKENS_TOTAL)
        .description("Prompt tokens of finished requests")
        .tag(MetricNames.LABEL_MODEL_NAME, model)
        .register(registry);
  }

  private Counter generationTokens(String model) {
    return Counter.builder(MetricNames.GENERATION_TOKENS_TOTAL)
        .description("Generated tokens of finished requests")
        .tag(MetricNames.LABEL_MODEL_NAME, model)
        .register(registry);
  }

  private AtomicInteger ongoing(String model) {
    return ongoing.computeIfAbsent(
        model,
        m -> {
          AtomicInteger n = new AtomicInteger();
          Gauge.builder(MetricNames.ONGOING_REQUESTS, n, AtomicInteger::get)
              .description("Requests accepted and not yet finished")
              .tag(MetricNames.LABEL_MODEL_NAME, m)
              .register(registry);
          return n;
        });
  }

  /** Starts timing a request to {@code endpoint}; generation requests count as ongoing. */
  public Tracker begin(Endpoint endpoint) {
    boolean counts = endpoint != Endpoint.MODELS;
    if (counts) {
      ongoing(modelName).incrementAndGet();
    }
    return new Tracker(endpoint, nanoClock.getAsLong(), counts);
  }

  /** Requests in flight now. */
  public int ongoing() {
    return ongoing.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  private Timer timer(String model, Endpoint endpoint) {
    return Timer.builder(MetricNames.REQUEST_DURATION)
        .description("Time from request arrival to the end of the response")
        .tags(MetricNames.LABEL_MODEL_NAME, model, "endpoint", endpoint.path())
        .serviceLevelObjectives(DURATION_BUCKETS)
        .register(registry);
  }

  private Counter rejectedCounter(String reason) {
    return Counter.builder(MetricNames.REQUESTS_REJECTED_TOTAL)
        .description("Requests refused without running, by reason (queue_full, not_ready)")
        .tags(MetricNames.LABEL_MODEL_NAME, modelName, "reason", reason)
        .register(registry);
  }

  /** One request being measured; {@link #finish} records it exactly once. */
  public final class Tracker {
    private final Endpoint endpoint;
    private final long startNanos;
    private final boolean counted;
    private boolean finished;
    private String model = modelName;

    private Tracker(Endpoint endpoint, long startNanos, boolean counted) {
      this.endpoint = endpoint;
      this.startNanos = startNanos;
      this.counted = counted;
    }

    /**
     * The request asked for {@code name} (a LoRA adapter): its series carry that model_name. Only
     * called for names that resolved, so clients cannot mint label values.
     */
    public synchronized void model(String name) {
      if (finished || name.equals(model)) {
        return;
      }
      if (counted) {
        ongoing(model).decrementAndGet();
        ongoing(name).incrementAndGet();
      }
      model = name;
    }

    /** Tokens of a request that ran (counted whether it completed or not). */
    public synchronized void tokens(int prompt, int generated) {
      promptTokens(model).increment(prompt);
      generationTokens(model).increment(generated);
    }

    /** Counts the request as refused for {@code reason}; its status is recorded by finish. */
    public void rejected(String reason) {
      rejectedCounter(reason).increment();
    }

    /** Records the outcome; later calls are ignored. */
    public synchronized void finish(int status) {
      if (finished) {
        return;
      }
      finished = true;
      if (counted) {
        ongoing(model).decrementAndGet();
      }
      Counter.builder(MetricNames.REQUESTS_TOTAL)
          .description("HTTP requests by endpoint and status (499 = client went away)")
          .tags(
              MetricNames.LABEL_MODEL_NAME,
              model,
              "endpoint",
              endpoint.path(),
              "status",
              Integer.toString(status))
          .register(registry)
          .increment();
      timer(model, endpoint).record(nanoClock.getAsLong() - startNanos, TimeUnit.NANOSECONDS);
    }
  }
}
