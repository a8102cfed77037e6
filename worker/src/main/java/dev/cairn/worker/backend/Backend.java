package dev.cairn.worker.backend;

/**
 * The compute operations a transformer forward pass needs, over tensors that live on the backend's
 * device. Weights are uploaded once; activations and the KV cache are allocated once and reused
 * (every op takes an explicit row count {@code rows} so buffers sized for the largest step serve
 * smaller ones). Activations are F32; weights keep their stored dtype. Small host arrays (token
 * ids, positions, block tables) are passed per call and copied to the device by backends that need
 * it.
 */
public interface Backend extends AutoCloseable {

  /** Short name for logs, e.g. "cpu" or "reference". */
  String name();

  /**
   * Makes a weight available on the device (may keep a view of the mapped file on the host). A
   * quantized matrix is the loader's own copy and is handed over: a backend may reorder its bytes
   * in place (the CPU backend's quantized panels), so nothing reads it as GGUF blocks afterwards.
   */
  DeviceTensor upload(HostTensor weight);

  /**
   * Makes an embedding table available to {@link #embed} alone (an untied model's table: read by
   * rows, never multiplied). By default as {@link #upload}; a backend that repacks matrices for its
   * matmuls keeps this one as loaded.
   */
  default DeviceTensor uploadTable(HostTensor table) {
    return upload(table);
  }

  /**
   * Uploads {@code weight} where {@code sibling} (an uploaded weight) lives: with layers split
   * across GPUs, a LoRA pair goes to its layer's GPU. Single-device backends just upload.
   */
  default DeviceTensor uploadBeside(HostTensor weight, DeviceTensor sibling) {
    return upload(weight);
  }

  /**
   * Frees a weight from {@link #upload} before the backend closes (an evicted LoRA adapter's);
   * using it afterwards is an error. Host backends hold nothing of their own.
   */
  default void release(DeviceTensor weight) {}

  /** A zeroed F32 tensor, released when unreachable or when the backend closes. */
  DeviceTensor allocate(int... shape);

  /** Copies host floats into the start of {@code dst} (F32). */
  void write(DeviceTensor dst, float[] src);

  /** Copies {@code n} elements starting at element {@code offset} back to the host as floats. */
  float[] read(DeviceTensor src, long offset, int n);

  /** out[t,:] = table[ids[t],:]. table {@code [vocab, hidden]}, out {@code [>=T, hidden]}. */
  void embed(DeviceTensor table, int[] ids, DeviceTensor out);

  /**
   * out[t,:] = x[t,:] / rms(x[t,:]) * weight for {@code rows} rows. x, out {@code [>=rows, h]},
   * weight {@code [h]}; out may be x.
   */
  void rmsNorm(DeviceTensor x, DeviceTensor weight, float eps, int rows, DeviceTensor out);

  /**
   * out[t,o] = sum_i x[t,i] * w[o,i] (+ bias[o]) for {@code rows} rows. x {@code [>=rows, in]}, w
   * {@code [out, in]}, bias {@code [out]} or null, out {@code [>=rows, out]}.
   */
  void matmul(DeviceTensor x, DeviceTensor w, DeviceTensor bias, int rows, DeviceTensor out);

  /**
   * Several {@link #matmul}s of one input, {@code out[i] = x · w[i]ᵀ (+ bias[i])}, each output its
   * own tensor (a LoRA delta is added per projection afterwards): a layer's Q/K/V or gate/up
   * projections. A backend may run them as one pass (one hand-off to its threads, the input
   * prepared once); by default they run one after another.
   */
  default void matmuls(
      DeviceTensor x, DeviceTensor[] w, DeviceTensor[] bias, int rows, DeviceTensor[] out) {
    for (int i = 0; i < w.length; i++) {
      matmul(x, w[i], bias[i], rows, out[i]);
    }
  }

  /**
   * Rotates each head of x in place (rotate-half layout, as Hugging Face Llama/Qwen2). x {@code
   * [>=rows, heads * headDim]}; cosSin {@code [maxPos, headDim]}: cos in the first half, sin in the
   * second; positions {@code [rows]}.
   */
  void rope(DeviceTensor x, int heads, int headDim, int[] positions, DeviceTensor cosSin);

  /**
   * A KV cache of {@code rows} cache rows of {@code kvHeads × headDim} in {@code dtype} (F32, or
   * BF16: {@link #writeKv} rounds to it, {@link #attention} widens back): what those two write and
   * read, the only two that touch it, so a backend may order its elements its own way. By default
   * F32 only, one row after another, as {@link #allocate} lays out any tensor.
   */
  default DeviceTensor allocateKvCache(int rows, int kvHeads, int headDim, DType dtype) {
    if (dtype != DType.F32) {
      throw new IllegalArgumentException(name() + " keeps its KV cache in F32, not " + dtype);
    }
    return allocate(rows, kvHeads * headDim);
  }

  /**
   * Writes each row's key and value into the cache row {@code slots[t]}. k, v {@code [>=rows,
   * kvDim]}; caches {@code [numBlocks * blockSize, kvDim]}, from {@link #allocateKvCache}.
   */
  void writeKv(
      DeviceTensor k, DeviceTensor v, DeviceTensor kCache, DeviceTensor vCache, int[] slots);

  /**
   * Causal attention of every query row over its sequence's cached keys and values (which already
   * include the rows of this step), softmax scaled by 1/sqrt(headDim). q, out {@code [>=T, heads *
   * headDim]}; caches {@code [numBlocks * blockSize, kvHeads * headDim]}.
   */
  void attention(
      DeviceTensor q,
      DeviceTensor kCache,
      DeviceTensor vCache,
      AttentionBatch batch,
      DeviceTensor out);

  /** out[t,i] = silu(gate[t,i]) * up[t,i] for {@code rows} rows; out may be gate. */
  void swiglu(DeviceTensor gate, DeviceTensor up, int rows, DeviceTensor out);

  /**
   * Adds each row's LoRA delta to a projection's output: out[t,:] += scale_s · bT_s · (a_s ·
   * x[t,:]) for every row t with slot s = batch.rowSlot()[t] whose adapter adapts this projection
   * (shrink to rank r, then expand). Rows without an adapter are left as they are. x {@code
   * [>=rows, in]}, out {@code [>=rows, out]}, rows = batch.rows(); shapes of a/bT in {@link
   * LoraBatch}.
   */
  void loraDelta(DeviceTensor x, LoraBatch batch, DeviceTensor out);

  /** x[t,:] += y[t,:] for {@code rows} rows. */
  void addInPlace(DeviceTensor x, DeviceTensor y, int rows);

  /** out[r,:] = x[rowIds[r],:]: picks the rows that need logits. */
  void gatherRows(DeviceTensor x, int[] rowIds, DeviceTensor out);

  /** Frees device memory held by the backend. */
  @Override
  void close();
}
