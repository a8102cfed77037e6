package dev.cairn.worker.engine;

import dev.cairn.worker.engine.metrics.EngineMetrics;
import dev.cairn.worker.tokenizer.Tokenizer;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * The {@link Engine} on a dedicated step-loop thread (vLLM v1's engine core loop): callers' submits
 * and aborts become commands the loop applies between steps, so all engine state is touched by one
 * thread only. The loop parks while there is nothing to do. The executor and tokenizer stay owned
 * by the caller: {@link #close()} does not close them.
 */
public final class LlmEngine implements Engine {

  private static final Logger LOG = Logger.getLogger(LlmEngine.class);
  private static final long CLOSE_JOIN_MILLIS = 30_000;

  private final EngineCore core;
  private final int vocabSize;
  private final int maxInFlight;
  private final Thread loop;
  private final ConcurrentLinkedQueue<Consumer<EngineCore>> commands =
      new ConcurrentLinkedQueue<>();
  // Requests accepted and not yet finished, for duplicate checks and drain.
  private final Set<String> live = ConcurrentHashMap.newKeySet();
  private final Object submitLock = new Object();
  private final Object idleMonitor = new Object();
  private volatile boolean accepting = true;
  private volatile boolean stopped;
  private volatile int numRunning;
  private volatile int numWaiting;

  /** An engine without metrics. */
  public LlmEngine(EngineConfig config, ModelExecutor executor, Tokenizer tokenizer) {
    this(config, executor, tokenizer, EngineMetrics.NOOP);
  }

  /**
   * Starts the step loop.
   *
   * @param metrics where the vLLM-compatible metrics go ({@link EngineMetrics#NOOP} for none)
   */
  public LlmEngine(
      EngineConfig config, ModelExecutor executor, Tokenizer tokenizer, EngineMetrics metrics) {
    this(config, executor, tokenizer, metrics, System::nanoTime);
  }

  LlmEngine(
      EngineConfig config,
      ModelExecutor executor,
      Tokenizer tokenizer,
      EngineMetrics metrics,
      LongSupplier clock) {
    this.core =
        new EngineCore(
            Objects.requireNonNull(config, "config"),
            Objects.requireNonNull(executor, "executor"),
            Objects.requireNonNull(tokenizer, "tokenizer"),
            Objects.requireNonNull(metrics, "metrics"),
            clock);
    this.vocabSize = executor.vocabSize();
    this.maxInFlight = config.maxInFlight();
    this.loop = Thread.ofPlatform().name("cairn-engine").daemon(true).unstarted(this::run);
    loop.start();
  }

  @Override
  public RequestHandle submit(GenerationRequest request, Consumer<RequestOutput> listener) {
    validate(request);
    Objects.requireNonNull(listener, "listener");
    String id = request.requestId();
    synchronized (submitLock) {
      if (!accepting) {
        throw new IllegalStateException("engine is not accepting requests (draining or closed)");
      }
      // Bounded in-flight set: the queue never grows past maxWaitingRequests beyond a full batch.
      if (live.size() >= maxInFlight) {
        throw new EngineOverloadedException(live.size());
      }
      if (!live.add(id)) {
        throw new IllegalArgumentException("requestId " + id + " is already in use");
      }
      Consumer<RequestOutput> wrapped =
          out -> {
            if (out.finished()) {
              live.remove(id);
            }
            listener.accept(out);
          };
      numWaiting++;
      enqueue(c -> c.add(request, wrapped));
    }
    return new Handle(id);
  }

  private void validate(GenerationRequest request) {
    Objects.requireNonNull(request, "request");
    if (request.requestId() == null || request.requestId().isEmpty()) {
      throw new IllegalArgumentException("requestId must not be empty");
    }
    int[] prompt = request.promptTokens();
    if (prompt == null || prompt.length == 0) {
      throw new IllegalArgumentException("promptTokens must not be empty");
    }
    for (int t : prompt) {
      if (t < 0 || t >= vocabSize) {
        throw new IllegalArgumentException(
            "promptTokens: token id " + t + " outside the vocabulary [0, " + vocabSize + ")");
      }
    }
    SamplingParams p = Objects.requireNonNull(request.params(), "params");
    if (p.maxTokens() < 1) {
      throw new IllegalArgumentException("max_tokens must be >= 1, got " + p.maxTokens());
    }
    for (int t : p.logitBias().keySet()) {
      if (t < 0 || t >= vocabSize) {
        throw new IllegalArgumentException(
            "logit_bias: token id " + t + " outside the vocabulary [0, " + vocabSize + ")");
      }
    }
    long total = (long) prompt.length + p.maxTokens();
    if (total > maxModelLen()) {
      throw new IllegalArgumentException(
          "prompt ("
              + prompt.length
              + " tokens) plus max_tokens ("
              + p.maxTokens()
              + ") exceeds the model's maximum context length of "
              + maxModelLen());
    }
  }

  @Override
  public void abort(String requestId) {
    enqueue(c -> c.abort(requestId));
  }

  @Override
  public boolean isRunning() {
    return accepting && !stopped && loop.isAlive();
  }

  @Override
  public int numRunning() {
    return numRunning;
  }

  @Override
  public int numWaiting() {
    return numWaiting;
  }

  @Override
  public int maxModelLen() {
    return core.maxModelLen();
  }

  @Override
  public void drain(long timeoutMillis) {
    synchronized (submitLock) {
      accepting = false;
    }
    awaitIdle(timeoutMillis);
    if (!live.isEmpty()) {
      LOG.infof("Drain timed out; aborting %d requests", live.size());
      enqueue(EngineCore::abortAll);
      awaitIdle(CLOSE_JOIN_MILLIS);
    }
  }

  @Override
  public void close() {
    synchronized (submitLock) {
      accepting = false;
    }
    enqueue(EngineCore::abortAll);
    stopped = true;
    LockSupport.unpark(loop);
    try {
      loop.join(CLOSE_JOIN_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Blocks until no request is in flight or {@code timeoutMillis} passed. */
  private void awaitIdle(long timeoutMillis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    synchronized (idleMonitor) {
      while (!live.isEmpty() && loop.isAlive()) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          return;
        }
        try {
          idleMonitor.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private void enqueue(Consumer<EngineCore> command) {
    commands.add(command);
    LockSupport.unpark(loop);
  }

  private void run() {
    String failure = null;
    try {
      while (!stopped) {
        applyCommands();
        if (!core.hasWork()) {
          publish();
          core.recordIdle();
          if (commands.isEmpty() && !stopped) {
            LockSupport.park(this);
          }
          continue;
        }
        core.step();
        publish();
      }
    } catch (Throwable t) {
      LOG.error("Engine step loop failed; failing its requests", t);
      failure = "engine failed: " + t;
    } finally {
      accepting = false;
      applyCommands();
      if (failure != null) {
        core.failAll(failure);
      }
      core.abortAll();
      core.recordIdle();
      publish();
    }
  }

  private void applyCommands() {
    Consumer<EngineCore> command;
    while ((command = commands.poll()) != null) {
      command.accept(core);
    }
  }

  private void publish() {
    numRunning = core.numRunning();
    numWaiting = core.numWaiting() + countPendingSubmits();
    if (live.isEmpty()) {
      synchronized (idleMonitor) {
        idleMonitor.notifyAll();
      }
    }
  }

  private int countPendingSubmits() {
    return Math.max(0, live.size() - core.numRunning() - core.numWaiting());
  }

  /** Used by tests: the engine core, only safe to inspect once the loop is idle or stopped. */
  EngineCore core() {
    return core;
  }

  private final class Handle implements RequestHandle {
    private final String id;

    Handle(String id) {
      this.id = id;
    }

    @Override
    public String requestId() {
      return id;
    }

    @Override
    public void abort() {
      LlmEngine.this.abort(id);
    }
  }
}
