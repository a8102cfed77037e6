package dev.cairn.worker.source;

/** A {@code file:} or {@code pvc://} source names a directory that does not exist. */
public final class MissingSourceException extends IllegalArgumentException {

  MissingSourceException(String message) {
    super(message);
  }
}
