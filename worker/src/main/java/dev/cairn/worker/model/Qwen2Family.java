package dev.cairn.worker.model;

import com.fasterxml.jackson.databind.JsonNode;

/** Qwen2 / Qwen2.5: the Llama block with q/k/v biases; often tied embeddings. */
public final class Qwen2Family extends ModelFamily {

  @Override
  public String architecture() {
    return "Qwen2ForCausalLM";
  }

  @Override
  public boolean qkvBias(JsonNode config) {
    return true;
  }

  @Override
  public boolean slidingWindowByDefault() {
    return false;
  }
}
