package dev.cairn.worker.model;

/**
 * A model directory that cannot be loaded; the message names the file, field or tensor at fault.
 */
public class ModelLoadException extends RuntimeException {

  /** With a message naming what is wrong. */
  public ModelLoadException(String message) {
    super(message);
  }

  /** With a message and the underlying cause. */
  public ModelLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
