package dev.cairn.worker.config;

/** The worker's configuration cannot be read or is invalid; the message names the file or field. */
public class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
