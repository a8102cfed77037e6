package dev.cairn.worker.source;

import java.io.IOException;

/** A hub response with a status worth retrying (5xx, 408, 429). */
final class HubStatusException extends IOException {

  private final int status;

  HubStatusException(int status, String url) {
    super("HTTP " + status + " from " + url);
    this.status = status;
  }

  int status() {
    return status;
  }
}
