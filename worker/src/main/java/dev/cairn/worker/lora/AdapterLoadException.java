package dev.cairn.worker.lora;

/**
 * An adapter that cannot be served, with a message naming the file and field at fault. The reason
 * tells a request handler which status to answer (404, 400 or 503).
 */
public class AdapterLoadException extends RuntimeException {

  /** Why loading failed. */
  public enum Reason {
    /** No such adapter: not declared, and absent from the dynamic loading path (or none set). */
    NOT_FOUND,
    /** The adapter exists but is broken or does not fit the base model. */
    INVALID,
    /** It could not be fetched now (hub unreachable), or no room is free to load it. */
    UNAVAILABLE
  }

  private final Reason reason;

  public AdapterLoadException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public AdapterLoadException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  /** Why loading failed. */
  public Reason reason() {
    return reason;
  }

  static AdapterLoadException invalid(String message) {
    return new AdapterLoadException(Reason.INVALID, message);
  }
}
