package dev.cairn.worker.source;

/** A model could not be fetched; the message says why and what to change. Not retried. */
public final class ModelDownloadException extends RuntimeException {

  private final boolean notFound;

  /** Creates the exception with its explanation. */
  public ModelDownloadException(String message) {
    this(message, null, false);
  }

  private ModelDownloadException(String message, Throwable cause, boolean notFound) {
    super(message, cause);
    this.notFound = notFound;
  }

  /** The hub has no such repository or revision (HTTP 404). */
  static ModelDownloadException notFound(String message) {
    return new ModelDownloadException(message, null, true);
  }

  /** Whether the hub answered that the repository or revision does not exist. */
  public boolean isNotFound() {
    return notFound;
  }

  /** Creates the exception with its explanation and the last underlying failure. */
  public ModelDownloadException(String message, Throwable cause) {
    this(message, cause, false);
  }
}
