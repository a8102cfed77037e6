package dev.cairn.worker.model;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Mistral: the Llama block without biases; a {@code sliding_window}, when set, bounds the served
 * context (full attention within it equals windowed attention).
 */
public final class MistralFamily extends ModelFamily {

  @Override
  public String architecture() {
    return "MistralForCausalLM";
  }

  @Override
  public boolean qkvBias(JsonNode config) {
    return false;
  }

  @Override
  public boolean slidingWindowByDefault() {
    return true;
  }
}
