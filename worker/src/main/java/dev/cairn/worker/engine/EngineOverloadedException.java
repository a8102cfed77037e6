package dev.cairn.worker.engine;

/**
 * The engine already holds its most requests in flight ({@code maxNumSeqs} running plus {@code
 * maxWaitingRequests} queued) and refuses a new one; the server answers 503 with Retry-After.
 */
public final class EngineOverloadedException extends RuntimeException {
  private final int inFlight;

  public EngineOverloadedException(int inFlight) {
    super(
        "The server is at capacity ("
            + inFlight
            + " requests running or queued); retry after a short wait");
    this.inFlight = inFlight;
  }

  /** Requests in flight when this one was refused. */
  public int inFlight() {
    return inFlight;
  }
}
