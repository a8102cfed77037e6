package dev.cairn.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Element type of the KV cache: float32 keeps keys and values as computed; bfloat16 rounds them,
 * halving the memory a token takes in the pool.
 */
public enum KvCacheDtype {
  @JsonProperty("float32")
  FLOAT32,
  @JsonProperty("bfloat16")
  BFLOAT16
}
