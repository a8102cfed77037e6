package dev.cairn.worker.engine.metrics;

import dev.cairn.api.MetricNames;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The KV cache settings {@code vllm:cache_config_info} publishes as labels, written as vLLM's
 * Python {@code str()} writes them ({@code True}/{@code False}, integers without a fraction).
 *
 * @param blockSize tokens per KV block
 * @param numGpuBlocks blocks in the KV pool (on whatever device holds it, as vLLM's name says)
 * @param enablePrefixCaching whether full prompt blocks are shared between requests
 * @param cacheDtype the KV element type, vLLM's {@code cache_dtype} spelling ({@code auto} = the
 *     model's dtype)
 */
public record CacheConfigInfo(
    int blockSize, int numGpuBlocks, boolean enablePrefixCaching, String cacheDtype) {

  /** The label set, in vLLM's key spelling. */
  Map<String, String> labels() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(MetricNames.LABEL_CACHE_BLOCK_SIZE, Integer.toString(blockSize));
    labels.put(MetricNames.LABEL_CACHE_DTYPE, cacheDtype);
    labels.put(MetricNames.LABEL_CACHE_PREFIX_CACHING, enablePrefixCaching ? "True" : "False");
    labels.put(MetricNames.LABEL_CACHE_NUM_GPU_BLOCKS, Integer.toString(numGpuBlocks));
    return labels;
  }
}
