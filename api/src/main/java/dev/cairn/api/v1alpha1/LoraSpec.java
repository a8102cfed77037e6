package dev.cairn.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** LoRA adapters served on top of the base model (vLLM's --lora-modules, Ray's lora_config). */
@JsonClassDescription(
    "LoRA adapters served on top of the base model; part of the worker configuration, so a change"
        + " rolls the worker pods.")
@ValidationRule(
    value =
        "!has(self.adapters) || self.adapters.all(a, self.adapters.exists_one(b, b.name =="
            + " a.name))",
    message = "lora.adapters names must be unique")
@ValidationRule(
    value = "!has(self.adapters) || size(self.adapters) <= self.maxLoadedAdapters",
    message = "lora.maxLoadedAdapters must be at least the number of lora.adapters")
@ValidationRule(
    value = "self.maxLorasPerBatch <= self.maxLoadedAdapters",
    message = "lora.maxLorasPerBatch must not exceed lora.maxLoadedAdapters")
public class LoraSpec {
  /**
   * {@code hf://ORG}, {@code pvc://CLAIM/DIR} or {@code file:DIR}; the adapter name is appended.
   */
  public static final String LOADING_PATH_PATTERN =
      "^(hf://[A-Za-z0-9][-A-Za-z0-9_.]*"
          + "|pvc://[a-z0-9]([-a-z0-9]*[a-z0-9])?/[^\\s]+"
          + "|file:[^\\s]+)$";

  /** Most adapters a spec may declare. */
  public static final int MAX_DECLARED = 128;

  /** Largest rank a worker accepts (vLLM's largest supported max_lora_rank). */
  public static final int RANK_LIMIT = 512;

  /** Most adapters a worker keeps loaded at once. */
  public static final int LOADED_LIMIT = 1024;

  @Size(max = MAX_DECLARED)
  @JsonPropertyDescription(
      "Adapters every worker loads at start; a broken one stops the worker with a message naming"
          + " the file and field.")
  private List<LoraAdapterSpec> adapters = new ArrayList<>();

  @Pattern(LOADING_PATH_PATTERN)
  @JsonPropertyDescription(
      "Where adapters that are not declared are found on first use: hf://ORG, pvc://CLAIM/DIR or"
          + " file:DIR, to which \"/<name>\" is appended (Ray: dynamic_lora_loading_path).")
  private String dynamicLoadingPath;

  @Min(1)
  @Max(LOADED_LIMIT)
  @Default("16")
  @JsonPropertyDescription(
      "Adapters kept loaded per worker; beyond it the least recently used idle dynamic adapter is"
          + " unloaded (declared ones stay). Ray: max_num_adapters_per_replica.")
  private Integer maxLoadedAdapters = 16;

  @Min(1)
  @Max(LOADED_LIMIT)
  @Default("4")
  @JsonPropertyDescription(
      "Most distinct adapters in one engine step; requests for others wait (vLLM: max_loras).")
  private Integer maxLorasPerBatch = 4;

  @Min(1)
  @Max(RANK_LIMIT)
  @Default("16")
  @JsonPropertyDescription(
      "Largest adapter rank r accepted; a higher one is refused (vLLM: max_lora_rank).")
  private Integer maxLoraRank = 16;

  @Default("false")
  @JsonPropertyDescription(
      "Enables POST /v1/load_lora_adapter and /v1/unload_lora_adapter (vLLM's runtime LoRA"
          + " updating); off by default.")
  private Boolean runtimeUpdates = false;

  public List<LoraAdapterSpec> getAdapters() {
    return adapters;
  }

  public void setAdapters(List<LoraAdapterSpec> adapters) {
    this.adapters = adapters;
  }

  public String getDynamicLoadingPath() {
    return dynamicLoadingPath;
  }

  public void setDynamicLoadingPath(String dynamicLoadingPath) {
    this.dynamicLoadingPath = dynamicLoadingPath;
  }

  public Integer getMaxLoadedAdapters() {
    return maxLoadedAdapters;
  }

  public void setMaxLoadedAdapters(Integer maxLoadedAdapters) {
    this.maxLoadedAdapters = maxLoadedAdapters;
  }

  public Integer getMaxLorasPerBatch() {
    return maxLorasPerBatch;
  }

  public void setMaxLorasPerBatch(Integer maxLorasPerBatch) {
    this.maxLorasPerBatch = maxLorasPerBatch;
  }

  public Integer getMaxLoraRank() {
    return maxLoraRank;
  }

  public void setMaxLoraRank(Integer maxLoraRank) {
    this.maxLoraRank = maxLoraRank;
  }

  public Boolean getRuntimeUpdates() {
    return runtimeUpdates;
  }

  public void setRuntimeUpdates(Boolean runtimeUpdates) {
    this.runtimeUpdates = runtimeUpdates;
  }

  /** The declared adapters; empty when none. */
  public List<LoraAdapterSpec> declared() {
    return adapters == null ? List.of() : adapters;
  }

  /** maxLoadedAdapters, or its default 16. */
  public int effectiveMaxLoadedAdapters() {
    return maxLoadedAdapters == null ? 16 : maxLoadedAdapters;
  }

  /** maxLorasPerBatch, or its default 4. */
  public int effectiveMaxLorasPerBatch() {
    return maxLorasPerBatch == null ? 4 : maxLorasPerBatch;
  }

  /** maxLoraRank, or its default 16. */
  public int effectiveMaxLoraRank() {
    return maxLoraRank == null ? 16 : maxLoraRank;
  }

  /** True only when runtimeUpdates is explicitly true. */
  public boolean runtimeUpdatesEnabled() {
    return Boolean.TRUE.equals(runtimeUpdates);
  }
}
