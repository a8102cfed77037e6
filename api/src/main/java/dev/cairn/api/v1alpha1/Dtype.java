package dev.cairn.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Compute dtype of the weights; auto keeps what the checkpoint stores. */
public enum Dtype {
  @JsonProperty("auto")
  AUTO,
  @JsonProperty("bfloat16")
  BFLOAT16,
  @JsonProperty("float16")
  FLOAT16,
  @JsonProperty("float32")
  FLOAT32
}
