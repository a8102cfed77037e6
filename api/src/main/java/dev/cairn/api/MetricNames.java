package dev.cairn.api;

import java.util.List;

/**
 * Metric names are API: dashboards, alerts, the autoscaler and users' own rules depend on them.
 * Engine metrics keep vLLM's exact names; service-level and operator metrics are Cairn's.
 */
public final class MetricNames {
  private MetricNames() {}

  public static final String LABEL_MODEL_NAME = "model_name";
  public static final String LABEL_ENGINE = "engine";
  public static final String LABEL_FINISHED_REASON = "finished_reason";
  public static final String LABEL_NAMESPACE = "namespace";
  public static final String LABEL_DEPLOYMENT = "deployment";
  public static final String LABEL_TYPE = "type";
  public static final String LABEL_ENDPOINT = "endpoint";

  /** Where the endpoint label lands when the Prometheus Operator's own endpoint label wins. */
  public static final String LABEL_EXPORTED_ENDPOINT = "exported_endpoint";

  // Recording rules of the SLO alerts (the operator's PrometheusRule), labelled {namespace,
  // deployment}; the rate window completes the name, e.g. ..._ratio_rate5m.
  public static final String SLO_AVAILABILITY_ERRORS =
      "namespace_deployment:cairn_slo_availability_errors:ratio_rate";
  public static final String SLO_TTFT_SLOW = "namespace_deployment:cairn_slo_ttft_slow:ratio_rate";

  // Service level, always on (the API layer records them).
  public static final String REQUESTS_TOTAL = "cairn_requests_total";
  public static final String REQUEST_DURATION = "cairn_request_duration_seconds";
  public static final String PROMPT_TOKENS_TOTAL = "cairn_prompt_tokens_total";
  public static final String GENERATION_TOKENS_TOTAL = "cairn_generation_tokens_total";
  public static final String ONGOING_REQUESTS = "cairn_ongoing_requests";

  /**
   * Tokens by the name of the API key that sent them, for cost reporting: labels model_name,
   * api_key_name and kind ({@link #KIND_PROMPT} or {@link #KIND_GENERATED}). Only when API keys are
   * configured; the key itself is never a label.
   */
  public static final String TOKENS_TOTAL = "cairn_tokens_total";

  public static final String LABEL_API_KEY_NAME = "api_key_name";
  public static final String LABEL_KIND = "kind";
  public static final String KIND_PROMPT = "prompt";
  public static final String KIND_GENERATED = "generated";

  /** Requests refused before they ran (labels model_name and reason: queue_full, not_ready). */
  public static final String REQUESTS_REJECTED_TOTAL = "cairn_requests_rejected_total";

  public static final String MODEL_LOAD_PROGRESS = "cairn_model_load_progress_ratio";
  public static final String MODEL_INFO = "cairn_model_info";
  public static final String GPU_MEMORY_USED = "cairn_gpu_memory_used_bytes";
  public static final String GPU_MEMORY_TOTAL = "cairn_gpu_memory_total_bytes";

  // Structured output (constrained decoding), labelled {model_name, type}.
  public static final String STRUCTURED_OUTPUT_REQUESTS = "cairn_structured_output_requests_total";
  public static final String STRUCTURED_OUTPUT_COMPILE = "cairn_structured_output_compile_seconds";
  public static final String STRUCTURED_OUTPUT_MASK = "cairn_structured_output_mask_seconds";

  /** The {@code type} values pre-created at 0 on {@link #STRUCTURED_OUTPUT_REQUESTS}. */
  public static final List<String> STRUCTURED_OUTPUT_TYPES =
      List.of("json_object", "json_schema", "regex", "choice", "tool_call");

  // Engine, vLLM-compatible, only while logEngineMetrics is true.
  public static final String VLLM_RUNNING = "vllm:num_requests_running";
  public static final String VLLM_WAITING = "vllm:num_requests_waiting";
  public static final String VLLM_KV_USAGE = "vllm:kv_cache_usage_perc";
  public static final String VLLM_PROMPT_TOKENS = "vllm:prompt_tokens_total";
  public static final String VLLM_GENERATION_TOKENS = "vllm:generation_tokens_total";
  public static final String VLLM_REQUEST_SUCCESS = "vllm:request_success_total";
  public static final String VLLM_PREEMPTIONS = "vllm:num_preemptions_total";
  public static final String VLLM_PREFIX_QUERIES = "vllm:prefix_cache_queries_total";
  public static final String VLLM_PREFIX_HITS = "vllm:prefix_cache_hits_total";
  public static final String VLLM_TTFT = "vllm:time_to_first_token_seconds";
  public static final String VLLM_ITL = "vllm:inter_token_latency_seconds";
  public static final String VLLM_TPOT = "vllm:request_time_per_output_token_seconds";
  public static final String VLLM_E2E = "vllm:e2e_request_latency_seconds";
  public static final String VLLM_QUEUE = "vllm:request_queue_time_seconds";
  public static final String VLLM_PREFILL = "vllm:request_prefill_time_seconds";
  public static final String VLLM_DECODE = "vllm:request_decode_time_seconds";
  public static final String VLLM_PROMPT_LEN = "vllm:request_prompt_tokens";
  public static final String VLLM_GENERATION_LEN = "vllm:request_generation_tokens";
  public static final String VLLM_ITERATION_TOKENS = "vllm:iteration_tokens_total";
  public static final String VLLM_MAX_GENERATION_LEN = "vllm:request_max_num_generation_tokens";
  public static final String VLLM_PARAMS_N = "vllm:request_params_n";
  public static final String VLLM_PARAMS_MAX_TOKENS = "vllm:request_params_max_tokens";
  public static final String VLLM_INFERENCE = "vllm:request_inference_time_seconds";
  public static final String VLLM_CACHE_CONFIG_INFO = "vllm:cache_config_info";

  // vLLM's deprecated aliases, still queried by older dashboards (Ray Serve LLM's among them).
  public static final String VLLM_GPU_CACHE_USAGE = "vllm:gpu_cache_usage_perc";
  public static final String VLLM_GPU_PREFIX_QUERIES = "vllm:gpu_prefix_cache_queries_total";
  public static final String VLLM_GPU_PREFIX_HITS = "vllm:gpu_prefix_cache_hits_total";
  public static final String VLLM_TIME_PER_OUTPUT_TOKEN = "vllm:time_per_output_token_seconds";

  // vllm:cache_config_info's labels (vLLM's CacheConfig field names).
  public static final String LABEL_CACHE_BLOCK_SIZE = "block_size";
  public static final String LABEL_CACHE_DTYPE = "cache_dtype";
  public static final String LABEL_CACHE_PREFIX_CACHING = "enable_prefix_caching";
  public static final String LABEL_CACHE_NUM_GPU_BLOCKS = "num_gpu_blocks";

  /** Gauge = time of the last update; only with spec.lora. */
  public static final String VLLM_LORA_REQUESTS_INFO = "vllm:lora_requests_info";

  public static final String LABEL_MAX_LORA = "max_lora";
  public static final String LABEL_RUNNING_LORA_ADAPTERS = "running_lora_adapters";
  public static final String LABEL_WAITING_LORA_ADAPTERS = "waiting_lora_adapters";

  /** The finish reasons pre-created at 0 on {@link #VLLM_REQUEST_SUCCESS}. */
  public static final List<String> FINISHED_REASONS = List.of("stop", "length", "abort", "error");

  // Operator, labelled {namespace, deployment}.
  public static final String AUTOSCALER_DESIRED = "cairn_autoscaler_desired_replicas";
  public static final String AUTOSCALER_READY = "cairn_autoscaler_ready_replicas";
  public static final String AUTOSCALER_LOAD = "cairn_autoscaler_load";

  // Activator, labelled {namespace, deployment}.
  /** Gauge: requests the activator holds for a deployment with no ready replica. */
  public static final String ACTIVATOR_HELD_REQUESTS = "cairn_activator_held_requests";

  /** Histogram: held request's arrival to its first forwarded response byte. */
  public static final String ACTIVATOR_COLD_START = "cairn_activator_cold_start_seconds";

  /** Counter: held requests refused, by reason (queue_full, timeout). */
  public static final String ACTIVATOR_REJECTED = "cairn_activator_rejected_requests_total";

  public static final String LABEL_REASON = "reason";
}
