package dev.cairn.worker.engine;

/** Why a request finished; the names are vLLM's {@code finished_reason} label values. */
public enum FinishReason {
  /** EOS, a stop token id or a stop string. */
  STOP,
  /** max_tokens or the model's context length reached. */
  LENGTH,
  /** The client went away or the request was cancelled. */
  ABORT,
  /** The engine failed while running the request. */
  ERROR;

  /** The label value and OpenAI {@code finish_reason}: {@code stop}, {@code length}, ... */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
