package dev.cairn.worker.server;

/** The OpenAI routes; the path is also the {@code endpoint} metric label. */
public enum Endpoint {
  MODELS("/v1/models"),
  COMPLETIONS("/v1/completions"),
  CHAT_COMPLETIONS("/v1/chat/completions");

  private final String path;

  Endpoint(String path) {
    this.path = path;
  }

  public String path() {
    return path;
  }
}
