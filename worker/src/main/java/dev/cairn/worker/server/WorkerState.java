package dev.cairn.worker.server;

import java.util.Optional;

/**
 * Where the worker is in its life: loading the model, serving, failed, or draining for shutdown.
 * Read by the health endpoints, the {@code /v1} routes and the load-progress gauge; thread-safe.
 */
public final class WorkerState implements LoadProgressListener {
  /** The worker's phases, in the order they happen. */
  public enum Phase {
    LOADING,
    READY,
    FAILED,
    DRAINING
  }

  private volatile Phase phase = Phase.LOADING;
  private volatile double progress;
  private volatile String detail = "starting";
  private volatile ServedModel model;
  private volatile String failure;

  @Override
  public void update(double ratio, String what) {
    if (phase == Phase.LOADING) {
      progress = Math.clamp(ratio, 0.0, 1.0);
      detail = what;
    }
  }

  /** The model is loaded and its engine runs: start serving. */
  public synchronized void ready(ServedModel served) {
    if (phase == Phase.LOADING) {
      model = served;
      progress = 1.0;
      detail = "loaded";
      phase = Phase.READY;
    }
  }

  /** Loading failed; the worker answers 503 with this reason until it is restarted. */
  public synchronized void failed(String reason) {
    if (phase == Phase.LOADING) {
      failure = reason;
      detail = "failed: " + reason;
      phase = Phase.FAILED;
    }
  }

  /** Shutdown began: readiness goes false and new {@code /v1} requests get 503. One-way. */
  public synchronized void draining() {
    if (phase != Phase.FAILED) {
      detail = "draining";
      phase = Phase.DRAINING;
    }
  }

  public Phase phase() {
    return phase;
  }

  /** Load progress in [0, 1]; 1 once loaded. */
  public double progress() {
    return progress;
  }

  /** Human-readable phase detail ("downloading config.json", "loaded", "failed: ..."). */
  public String detail() {
    return detail;
  }

  /** Why loading failed, or null. */
  public String failure() {
    return failure;
  }

  /** The model, once loaded (also while draining, so in-flight requests can finish). */
  public Optional<ServedModel> model() {
    return Optional.ofNullable(model);
  }

  /** Ready for new requests: loaded, engine running, not draining. */
  public boolean isReady() {
    ServedModel m = model;
    return phase == Phase.READY && m != null && m.engine().isRunning();
  }

  /** True once the model finished loading (also while draining). */
  public boolean isStarted() {
    return model != null;
  }
}
