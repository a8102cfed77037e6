package dev.cairn.worker.source;

/** A model could not be fetched; the message says why and what to change. Not retried. */
public final class ModelDownloadException extends RuntimeException {

  /** Creates the exception with its explanation. */
  public ModelDownloadException(String message) {
    super(message);
  }

  /** Creates the exception with its explanation and the last underlying failure. */
  public ModelDownloadException(String message, Throwable cause) {
    super(message, cause);
  }
}
