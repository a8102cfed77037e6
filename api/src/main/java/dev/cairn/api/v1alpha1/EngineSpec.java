package dev.cairn.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.kubernetes.api.model.Quantity;

/** Inference engine settings (vLLM's engine arguments in camelCase). */
@JsonClassDescription("Inference engine settings, named after vLLM's engine arguments.")
public class EngineSpec {
  @Min(1)
  @Default("64")
  @JsonPropertyDescription("Most sequences running in one engine step (continuous batching).")
  private Integer maxNumSeqs = 64;

  @Min(1)
  @Default("2048")
  @JsonPropertyDescription("Most tokens in one engine step; long prompts are prefilled in chunks.")
  private Integer maxNumBatchedTokens = 2048;

  @Min(0)
  @Default("0")
  @JsonPropertyDescription(
      "Longest prompt plus completion in tokens; 0 takes the model's own context length.")
  private Integer maxModelLen = 0;

  @JsonPropertyDescription(
      "KV-cache pool per replica (e.g. 1Gi); unset = automatic (GPU: gpuMemoryUtilization of free"
          + " memory; CPU: 1Gi).")
  private Quantity kvCacheMemory;

  @JsonPropertyDescription(
      "KV-cache element type: float32 (unset) or bfloat16, which rounds keys and values to 8"
          + " significant bits and fits twice the tokens in the same kvCacheMemory (vLLM's"
          + " kv_cache_dtype).")
  private KvCacheDtype kvCacheDtype;

  @Default("0.9")
  @JsonPropertyDescription(
      "Share of free GPU memory for the KV cache when kvCacheMemory is unset, in (0, 1].")
  private Double gpuMemoryUtilization = 0.9;

  @Default("auto")
  @JsonPropertyDescription(
      "Weight dtype: auto keeps the checkpoint's; bfloat16, float16 or float32 convert.")
  private Dtype dtype = Dtype.AUTO;

  @Default("none")
  @JsonPropertyDescription(
      "Weight quantization made at load time: none, q8_0 (8-bit) or q4_0 (4-bit) blocks of 32"
          + " weights with one F16 scale (GGUF layout); applies to the projections and lm_head.")
  private Quantization quantization = Quantization.NONE;

  @Default("auto")
  @JsonPropertyDescription(
      "Compute backend: auto (cuda when a GPU is visible, else cpu), cpu, cuda.")
  private BackendKind backend = BackendKind.AUTO;

  @Default("true")
  @JsonPropertyDescription(
      "Share KV-cache blocks between requests with a common prefix (e.g. a system prompt).")
  private Boolean enablePrefixCaching = true;

  @Min(0)
  @JsonPropertyDescription(
      "Requests queued beyond the maxNumSeqs running; more get 503 with Retry-After. Unset = 2 x"
          + " maxNumSeqs.")
  private Integer maxWaitingRequests;

  @Min(0)
  @Default("600")
  @JsonPropertyDescription(
      "Seconds a request may take from arrival to its last token before it is aborted (HTTP 504);"
          + " 0 = no deadline.")
  private Integer requestTimeoutSeconds = 600;

  @Default("true")
  @JsonPropertyDescription(
      "Run synthetic prompts through the model before the worker reports ready, so a new"
          + " replica's first requests find its kernels compiled; adds seconds to start-up.")
  private Boolean warmup = true;

  public Boolean getWarmup() {
    return warmup;
  }

  public void setWarmup(Boolean warmup) {
    this.warmup = warmup;
  }

  public Integer getMaxWaitingRequests() {
    return maxWaitingRequests;
  }

  public void setMaxWaitingRequests(Integer maxWaitingRequests) {
    this.maxWaitingRequests = maxWaitingRequests;
  }

  public Integer getRequestTimeoutSeconds() {
    return requestTimeoutSeconds;
  }

  public void setRequestTimeoutSeconds(Integer requestTimeoutSeconds) {
    this.requestTimeoutSeconds = requestTimeoutSeconds;
  }

  public Integer getMaxNumSeqs() {
    return maxNumSeqs;
  }

  public void setMaxNumSeqs(Integer maxNumSeqs) {
    this.maxNumSeqs = maxNumSeqs;
  }

  public Integer getMaxNumBatchedTokens() {
    return maxNumBatchedTokens;
  }

  public void setMaxNumBatchedTokens(Integer maxNumBatchedTokens) {
    this.maxNumBatchedTokens = maxNumBatchedTokens;
  }

  public Integer getMaxModelLen() {
    return maxModelLen;
  }

  public void setMaxModelLen(Integer maxModelLen) {
    this.maxModelLen = maxModelLen;
  }

  public Quantity getKvCacheMemory() {
    return kvCacheMemory;
  }

  public void setKvCacheMemory(Quantity kvCacheMemory) {
    this.kvCacheMemory = kvCacheMemory;
  }

  public KvCacheDtype getKvCacheDtype() {
    return kvCacheDtype;
  }

  public void setKvCacheDtype(KvCacheDtype kvCacheDtype) {
    this.kvCacheDtype = kvCacheDtype;
  }

  public Double getGpuMemoryUtilization() {
    return gpuMemoryUtilization;
  }

  public void setGpuMemoryUtilization(Double gpuMemoryUtilization) {
    this.gpuMemoryUtilization = gpuMemoryUtilization;
  }

  public Dtype getDtype() {
    return dtype;
  }

  public void setDtype(Dtype dtype) {
    this.dtype = dtype;
  }

  public Quantization getQuantization() {
    return quantization;
  }

  public void setQuantization(Quantization quantization) {
    this.quantization = quantization;
  }

  public BackendKind getBackend() {
    return backend;
  }

  public void setBackend(BackendKind backend) {
    this.backend = backend;
  }

  public Boolean getEnablePrefixCaching() {
    return enablePrefixCaching;
  }

  public void setEnablePrefixCaching(Boolean enablePrefixCaching) {
    this.enablePrefixCaching = enablePrefixCaching;
  }
}
