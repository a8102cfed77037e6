package dev.cairn.worker.backend.cuda;

import jcuda.driver.CUdeviceptr;

/**
 * Typed launches of the kernels in {@code src/main/cuda}, with the launch shapes their sources
 * document. Activations are F32 device arrays; weights are F32, BF16 or F16. Shapes are in the
 * comments, row-major.
 */
public final class CudaOps {

  /** Largest token count the decode mat-mul kernel serves in one pass (GEMV_MAX_T). */
  public static final int GEMV_MAX_TOKENS = 16;

  /** Token counts up to which the weight-streaming kernel runs in 16-token chunks. */
  static final int GEMV_CHUNKED_TOKENS = 128;

  /** Token counts up to which the plain-dtype GEMV gives each warp 4 rows (GEMV_FEW_T). */
  static final int GEMV_FEW_TOKENS = 4;

  /** Largest head size the attention kernel supports. */
  public static final int MAX_HEAD_DIM = 256;

  private static final int ATT_TILE = 64;
  private static final int THREADS = 256;

  private final CudaKernels k;

  /** Typed launches over the kernels loaded in one context. */
  public CudaOps(CudaKernels kernels) {
    this.k = kernels;
  }

  /** The loaded kernels. */
  public CudaKernels kernels() {
    return k;
  }

  /**
   * y[T,out] = x[T,in] · w[out,in]ᵀ: the weight-streaming kernel for T ≤ 16 (decode), in chunks of
   * 16 tokens up to {@value #GEMV_CHUNKED_TOKENS}, the tiled one above.
   */
  public void matmul(
      CUdeviceptr x, CUdeviceptr w, DeviceType wType, CUdeviceptr y, int tokens, int in, int out) {
    positive("tokens", tokens);
    positive("in", in);
    positive("out", out);
    if (tokens <= GEMV_MAX_TOKENS) {
      gemv(x, w, wType, y, tokens, in, out);
    } else if (tokens <= GEMV_CHUNKED_TOKENS) {
      // A batch of decode steps: the tiled kernel's grid of 64x64 tiles would leave most SMs idle
      // on the small projections (14 blocks for 896 outputs), so stream the weights once per 16
      // tokens instead; after the first pass they come from L2.
      for (int t0 = 0; t0 < tokens; t0 += GEMV_MAX_TOKENS) {
        int n = Math.min(GEMV_MAX_TOKENS, tokens - t0);
        gemv(x.withByteOffset(4L * t0 * in), w, wType, y.withByteOffset(4L * t0 * out), n, in, out);
      }
    } else {
      matmulTiled(x, w, wType, y, tokens, in, out);
    }
  }

  private void gemv(
      CUdeviceptr x, CUdeviceptr w, DeviceType wType, CUdeviceptr y, int tokens, int in, int out) {
    int rowsPerBlock = 8 * (tokens <= GEMV_FEW_TOKENS && !wType.quantized() ? 4 : 1);
    k.launch(
        "matmul_gemv_" + wType.suffix(),
        ceil(out, rowsPerBlock),
        1,
        THREADS,
        0,
        x,
        w,
        y,
        tokens,
        in,
        out);
  }

  /** Forces the tiled kernel (tests compare both paths on the same shapes). */
  public void matmulTiled(
      CUdeviceptr x, CUdeviceptr w, DeviceType wType, CUdeviceptr y, int tokens, int in, int out) {
    k.launch(
        "matmul_tiled_" + wType.suffix(),
        ceil(out, 64),
        ceil(tokens, 64),
        THREADS,
        0,
        x,
        w,
        y,
        tokens,
        in,
        out);
  }

  /** out[T,dim] = rmsnorm(x[T,dim]) · weight[dim] (F32 weight); out may alias x. */
  public void rmsNorm(
      CUdeviceptr out, CUdeviceptr x, CUdeviceptr weight, float eps, int tokens, int dim) {
    k.launch("rmsnorm_f32", tokens, 1, THREADS, 0, out, x, weight, eps, dim);
  }

  /**
   * Rotates heads of x[T, rowStride] in place by positions[T]; cosSin [maxPos, headDim] holds cos
   * in the first half of each row and sin in the second.
   */
  public void rope(
      CUdeviceptr x,
      CUdeviceptr positions,
      CUdeviceptr cosSin,
      int tokens,
      int heads,
      int headDim,
      int rowStride) {
    if (headDim % 2 != 0 || headDim / 2 > 512) {
      throw new IllegalArgumentException(
          "RoPE head size must be even and at most 1024: " + headDim);
    }
    k.launch(
        "rope_neox_f32",
        tokens,
        heads,
        headDim / 2,
        0,
        x,
        positions,
        cosSin,
        heads,
        headDim,
        rowStride);
  }

  /** out[n] = silu(gate[n]) · up[n]. */
  public void swiglu(CUdeviceptr out, CUdeviceptr gate, CUdeviceptr up, long n) {
    k.launch("swiglu_f32", grid(n), 1, THREADS, 0, out, gate, up, n);
  }

  /** x[n] += y[n]. */
  public void add(CUdeviceptr x, CUdeviceptr y, long n) {
    k.launch("add_f32", grid(n), 1, THREADS, 0, x, y, n);
  }

  /** y[rows, cols] += bias[cols]. */
  public void biasAdd(CUdeviceptr y, CUdeviceptr bias, int rows, int cols) {
    k.launch("bias_add_f32", grid((long) rows * cols), 1, THREADS, 0, y, bias, rows, cols);
  }

  /** out[R,dim] = in[rows[r], :]. */
  public void gatherRows(CUdeviceptr out, CUdeviceptr in, CUdeviceptr rows, int count, int dim) {
    k.launch("gather_rows_f32", grid((long) count * dim), 1, THREADS, 0, out, in, rows, count, dim);
  }

  /** out[T,dim] = table[ids[T], :] widened to F32. */
  public void embedding(
      CUdeviceptr out,
      CUdeviceptr table,
      DeviceType tableType,
      CUdeviceptr ids,
      int tokens,
      int dim,
      int vocab) {
    k.launch("embedding_" + tableType.suffix(), tokens, 1, THREADS, 0, out, table, ids, dim, vocab);
  }

  /** Writes k/v rows [T, stride] (first kvDim columns) into cache slots[T]. */
  public void kvWrite(
      CUdeviceptr kCache,
      CUdeviceptr vCache,
      DeviceType cacheType,
      CUdeviceptr kRows,
      CUdeviceptr vRows,
      CUdeviceptr slots,
      int tokens,
      int kvDim,
      int kStride,
      int vStride) {
    requireKvType(cacheType);
    k.launch(
        "kv_write_" + cacheType.suffix(),
        tokens,
        1,
        THREADS,
        0,
        kCache,
        vCache,
        kRows,
        vRows,
        slots,
        kvDim,
        kStride,
        vStride);
  }

  /** Causal paged attention; see {@code attention.cu} for the argument layout. */
  public void pagedAttention(PagedAttentionArgs a) {
    requireKvType(a.cacheType());
    if (a.headDim() > MAX_HEAD_DIM || a.heads() % a.kvHeads() != 0) {
      throw new IllegalArgumentException(
          "attention needs headDim <= 256 and heads a multiple of kvHeads: headDim "
              + a.headDim()
              + ", heads "
              + a.heads()
              + ", kvHeads "
              + a.kvHeads());
    }
    int block = 256;
    k.launch(
        "paged_attention_" + a.cacheType().suffix(),
        a.tokens(),
        a.heads(),
        block,
        (a.headDim() + 2 * ATT_TILE + block) * 4,
        a.out(),
        a.q(),
        a.kCache(),
        a.vCache(),
        a.blockTables(),
        a.tokenSeq(),
        a.tokenPos(),
        a.scale(),
        a.heads(),
        a.kvHeads(),
        a.headDim(),
        a.blockSize(),
        a.maxBlocksPerSeq(),
        a.qStride(),
        a.outStride());
  }

  /**
   * tmp[i, j] = x[rows[i], :] · a[j, :] for the {@code count} rows of one adapter: a {@code [r,
   * in]}, tmp {@code [count, r]}.
   */
  public void loraShrink(
      CUdeviceptr tmp,
      CUdeviceptr x,
      CUdeviceptr a,
      DeviceType aType,
      CUdeviceptr rows,
      int count,
      int in,
      int r) {
    positive("rows", count);
    positive("rank", r);
    k.launch(
        "lora_shrink_" + aType.suffix(),
        ceil(count * r, THREADS / 32),
        1,
        THREADS,
        0,
        tmp,
        x,
        a,
        rows,
        count,
        in,
        r);
  }

  /**
   * out[rows[i], c] += scale · Σ_j tmp[i, j] · bT[j, c]: bT {@code [r, outDim]} (lora_B
   * transposed), tmp {@code [count, r]}.
   */
  public void loraExpand(
      CUdeviceptr out,
      CUdeviceptr tmp,
      CUdeviceptr bT,
      DeviceType bType,
      CUdeviceptr rows,
      int count,
      int r,
      int outDim,
      float scale) {
    positive("rows", count);
    if (count > 65535) {
      throw new IllegalArgumentException("at most 65535 rows per adapter and step, got " + count);
    }
    k.launch(
        "lora_expand_" + bType.suffix(),
        ceil(outDim, THREADS),
        count,
        THREADS,
        0,
        out,
        tmp,
        bT,
        rows,
        count,
        r,
        outDim,
        scale);
  }

  /** logits[rows, vocab] *= invTemperature[rows]. */
  public void logitsScale(CUdeviceptr logits, CUdeviceptr invTemperature, int rows, int vocab) {
    k.launch("logits_scale_f32", rows, 1, THREADS, 0, logits, invTemperature, vocab);
  }

  /** index[rows] and max[rows] of each logits row (first maximum on ties). */
  public void argmax(CUdeviceptr logits, CUdeviceptr index, CUdeviceptr max, int rows, int vocab) {
    k.launch("argmax_f32", rows, 1, THREADS, 0, logits, index, max, vocab);
  }

  /** Each logits row replaced by its softmax. */
  public void softmax(CUdeviceptr logits, int rows, int vocab) {
    k.launch("softmax_f32", rows, 1, THREADS, 0, logits, vocab);
  }

  /** Converts n elements between F32 and BF16/F16 (one side must be F32). */
  public void convert(
      CUdeviceptr out, DeviceType outType, CUdeviceptr in, DeviceType inType, long n) {
    if ((outType == DeviceType.F32) == (inType == DeviceType.F32)) {
      throw new IllegalArgumentException(
          "conversion needs F32 on exactly one side: " + inType + " -> " + outType);
    }
    k.launch(inType.suffix() + "_to_" + outType.suffix(), grid(n), 1, THREADS, 0, out, in, n);
  }

  private static void requireKvType(DeviceType t) {
    if (t == DeviceType.F16) {
      throw new IllegalArgumentException("the KV cache is F32 or BF16, not F16");
    }
  }

  private static void positive(String what, int v) {
    if (v <= 0) {
      throw new IllegalArgumentException(what + " must be positive, got " + v);
    }
  }

  private static int grid(long n) {
    return (int) Math.max(1, Math.min((n + THREADS - 1) / THREADS, 65535));
  }

  private static int ceil(int a, int b) {
    return (a + b - 1) / b;
  }
}
