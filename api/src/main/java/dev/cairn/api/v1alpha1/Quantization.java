package dev.cairn.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Weight quantization made at load time: blocks of 32 weights with one F16 scale, laid out as
 * GGUF's Q8_0 (8-bit) and Q4_0 (4-bit) blocks.
 */
public enum Quantization {
  @JsonProperty("none")
  NONE,
  @JsonProperty("q8_0")
  Q8_0,
  @JsonProperty("q4_0")
  Q4_0
}
