package dev.cairn.worker.model;

import com.fasterxml.jackson.databind.JsonNode;

/** Llama 2/3/3.1/3.2: no q/k/v biases unless {@code attention_bias}; llama3 RoPE scaling. */
public final class LlamaFamily extends ModelFamily {

  @Override
  public String architecture() {
    return "LlamaForCausalLM";
  }

  @Override
  public boolean qkvBias(JsonNode config) {
    return config.path("attention_bias").asBoolean(false);
  }

  @Override
  public boolean slidingWindowByDefault() {
    return false;
  }
}
