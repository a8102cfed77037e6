package dev.cairn.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Which compute backend the worker uses; auto picks cuda when a GPU is visible. */
public enum BackendKind {
  @JsonProperty("auto")
  AUTO,
  @JsonProperty("cpu")
  CPU,
  @JsonProperty("cuda")
  CUDA
}
