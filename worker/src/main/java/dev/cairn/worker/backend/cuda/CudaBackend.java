package dev.cairn.worker.backend.cuda;

import dev.cairn.worker.backend.AttentionBatch;
import dev.cairn.worker.backend.Backend;
import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.DeviceTensor;
import dev.cairn.worker.backend.HostTensor;
import dev.cairn.worker.backend.cuda.IntUploads.Purpose;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The GPU backend: Cairn's own kernels (build-time PTX, JIT-compiled by the driver) over the JCuda
 * driver API, one GPU. Weights are uploaded once (BF16/F16 kept, F32 kept or narrowed to BF16);
 * activations and the KV cache are F32 device tensors; the per-step int arrays travel in small
 * reused buffers. Kernel launches are asynchronous; {@link #read} synchronises.
 */
public final class CudaBackend implements Backend {

  private final CudaContext context;
  private final CudaKernels kernels;
  private final CudaOps ops;
  private final boolean narrowF32;
  private final WeightUploader uploader;
  private final IntUploads ints;
  private final Map<HostTensor, CudaTensor> uploaded = new IdentityHashMap<>();
  private final List<CudaTensor> owned = new ArrayList<>();
  private boolean closed;

  /**
   * Opens GPU {@code ordinal} and loads the kernels.
   *
   * @param narrowF32 keep F32 weight matrices as BF16 on the device (half the memory and traffic)
   * @throws CudaFailure when CUDA is not usable here (the message says why) or a kernel won't load
   */
  public CudaBackend(int ordinal, boolean narrowF32) {
    this.context = CudaContext.open(ordinal);
    try {
      this.kernels = CudaKernels.load(context);
    } catch (RuntimeException e) {
      context.close();
      throw e;
    }
    this.ops = new CudaOps(kernels);
    this.narrowF32 = narrowF32;
    this.uploader = new WeightUploader(context, ops);
    this.ints = new IntUploads(context);
  }

  @Override
  public String name() {
    return "cuda";
  }

  /** The GPU this backend computes on (for metrics and leak checks). */
  public CudaContext context() {
    return context;
  }

  @Override
  public synchronized DeviceTensor upload(HostTensor weight) {
    CudaTensor t = uploaded.get(weight); // tied embeddings: one copy on the device
    if (t == null) {
      t = uploader.upload(weight, WeightUploader.deviceType(weight, narrowF32));
      uploaded.put(weight, t);
      owned.add(t);
    }
    return t;
  }

  @Override
  public synchronized DeviceTensor allocate(int... shape) {
    long n = 1;
    for (int d : shape) {
      if (d <= 0) {
        throw new IllegalArgumentException(
            "tensor dimensions must be positive: " + java.util.Arrays.toString(shape));
      }
      n *= d;
    }
    DeviceBuffer b = context.allocate(n * 4);
    b.clear();
    CudaTensor t = new CudaTensor(DType.F32, shape, b);
    owned.add(t);
    return t;
  }

  @Override
  public void write(DeviceTensor dst, float[] src) {
    CudaTensor t = f32(dst, "write target");
    if (src.length > t.numel()) {
      throw new IllegalArgumentException(src.length + " floats do not fit in " + t);
    }
    t.buffer().upload(src);
  }

  @Override
  public float[] read(DeviceTensor src, long offset, int n) {
    CudaTensor t = cuda(src);
    if (offset < 0 || offset + n > t.numel()) {
      throw new IndexOutOfBoundsException(
          "elements [" + offset + ", " + (offset + n) + ") of " + t);
    }
    float[] out = new float[n];
    if (t.dtype() == DType.F32) {
      t.buffer().download(jcuda.Pointer.to(out), offset * 4, n * 4L);
      return out;
    }
    short[] bits = new short[n];
    t.buffer().download(jcuda.Pointer.to(bits), offset * 2, n * 2L);
    for (int i = 0; i < n; i++) {
      out[i] = t.dtype() == DType.BF16 ? DType.bf16ToFloat(bits[i]) : Float.float16ToFloat(bits[i]);
    }
    return out;
  }

  @Override
  public void embed(DeviceTensor table, int[] ids, DeviceTensor out) {
    CudaTensor tab = cuda(table);
    CudaTensor o = f32(out, "embedding output");
    int vocab = tab.rows();
    for (int id : ids) {
      if (id < 0 || id >= vocab) {
        throw new IllegalArgumentException(
            "token id " + id + " is outside the vocabulary [0, " + vocab + ")");
      }
    }
    requireRows(o, ids.length, "embedding output");
    ops.embedding(
        o.ptr(),
        tab.ptr(),
        deviceType(tab.dtype()),
        ints.upload(Purpose.IDS, ids),
        ids.length,
        tab.rowLength(),
        vocab);
  }

  @Override
  public void rmsNorm(DeviceTensor x, DeviceTensor weight, float eps, int rows, DeviceTensor out) {
    CudaTensor xt = f32(x, "rmsnorm input");
    requireRows(xt, rows, "rmsnorm input");
    ops.rmsNorm(
        f32(out, "rmsnorm output").ptr(),
        xt.ptr(),
        f32(weight, "rmsnorm weight").ptr(),
        eps,
        rows,
        xt.rowLength());
  }

  @Override
  public void matmul(
      DeviceTensor x, DeviceTensor w, DeviceTensor bias, int rows, DeviceTensor out) {
    CudaTensor xt = f32(x, "matmul input");
    CudaTensor wt = cuda(w);
    CudaTensor ot = f32(out, "matmul output");
    int outDim = wt.dim(0);
    int in = wt.rowLength();
    if (xt.rowLength() != in || ot.rowLength() != outDim) {
      throw new IllegalArgumentException(
          "matmul shapes disagree: x "
              + xt.shapeString()
              + ", w "
              + wt.shapeString()
              + ", out "
              + ot.shapeString());
    }
    requireRows(xt, rows, "matmul input");
    requireRows(ot, rows, "matmul output");
    ops.matmul(xt.ptr(), wt.ptr(), deviceType(wt.dtype()), ot.ptr(), rows, in, outDim);
    if (bias != null) {
      ops.biasAdd(ot.ptr(), f32(bias, "matmul bias").ptr(), rows, outDim);
    }
  }

  @Override
  public void rope(DeviceTensor x, int heads, int headDim, int[] positions, DeviceTensor cosSin) {
    CudaTensor xt = f32(x, "rope input");
    CudaTensor table = f32(cosSin, "rope table");
    int maxPos = table.rows();
    for (int p : positions) {
      if (p < 0 || p >= maxPos) {
        throw new IllegalArgumentException(
            "position " + p + " is outside the RoPE table [0, " + maxPos + ")");
      }
    }
    requireRows(xt, positions.length, "rope input");
    ops.rope(
        xt.ptr(),
        ints.upload(Purpose.POSITIONS, positions),
        table.ptr(),
        positions.length,
        heads,
        headDim,
        xt.rowLength());
  }

  @Override
  public void writeKv(
      DeviceTensor k, DeviceTensor v, DeviceTensor kCache, DeviceTensor vCache, int[] slots) {
    CudaTensor kc = f32(kCache, "key cache");
    CudaTensor kt = f32(k, "keys");
    CudaTensor vt = f32(v, "values");
    for (int s : slots) {
      if (s < 0 || s >= kc.rows()) {
        throw new IllegalArgumentException(
            "cache row " + s + " is outside the pool [0, " + kc.rows() + ")");
      }
    }
    ops.kvWrite(
        kc.ptr(),
        f32(vCache, "value cache").ptr(),
        DeviceType.F32,
        kt.ptr(),
        vt.ptr(),
        ints.upload(Purpose.SLOTS, slots),
        slots.length,
        kc.rowLength(),
        kt.rowLength(),
        vt.rowLength());
  }

  @Override
  public void attention(
      DeviceTensor q,
      DeviceTensor kCache,
      DeviceTensor vCache,
      AttentionBatch batch,
      DeviceTensor out) {
    CudaTensor qt = f32(q, "queries");
    CudaTensor ot = f32(out, "attention output");
    int tokens = batch.totalRows();
    AttentionLayout layout = AttentionLayout.of(batch);
    var base = ints.upload(Purpose.ATTENTION, layout.packed());
    ops.pagedAttention(
        new PagedAttentionArgs(
            ot.ptr(),
            qt.ptr(),
            f32(kCache, "key cache").ptr(),
            f32(vCache, "value cache").ptr(),
            DeviceType.F32,
            base,
            base.withByteOffset(layout.seqOffset() * 4L),
            base.withByteOffset(layout.posOffset() * 4L),
            (float) (1 / Math.sqrt(batch.headDim())),
            tokens,
            batch.numHeads(),
            batch.numKvHeads(),
            batch.headDim(),
            batch.blockSize(),
            layout.maxBlocks(),
            qt.rowLength(),
            ot.rowLength()));
  }

  @Override
  public void swiglu(DeviceTensor gate, DeviceTensor up, int rows, DeviceTensor out) {
    CudaTensor g = f32(gate, "gate");
    ops.swiglu(
        f32(out, "swiglu output").ptr(), g.ptr(), f32(up, "up").ptr(), (long) rows * g.rowLength());
  }

  @Override
  public void addInPlace(DeviceTensor x, DeviceTensor y, int rows) {
    CudaTensor xt = f32(x, "residual");
    ops.add(xt.ptr(), f32(y, "addend").ptr(), (long) rows * xt.rowLength());
  }

  @Override
  public void gatherRows(DeviceTensor x, int[] rowIds, DeviceTensor out) {
    CudaTensor xt = f32(x, "gather input");
    for (int r : rowIds) {
      if (r < 0 || r >= xt.rows()) {
        throw new IllegalArgumentException("row " + r + " is outside " + xt);
      }
    }
    ops.gatherRows(
        f32(out, "gather output").ptr(),
        xt.ptr(),
        ints.upload(Purpose.ROWS, rowIds),
        rowIds.length,
        xt.rowLength());
  }

  /** Frees every tensor, the kernels and the context. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      context.synchronize();
    } finally {
      owned.forEach(t -> t.buffer().close());
      owned.clear();
      uploaded.clear();
      ints.close();
      kernels.close();
      context.close();
    }
  }

  private static DeviceType deviceType(DType t) {
    return switch (t) {
      case F32 -> DeviceType.F32;
      case BF16 -> DeviceType.BF16;
      case F16 -> DeviceType.F16;
    };
  }

  private static CudaTensor cuda(DeviceTensor t) {
    if (t instanceof CudaTensor c) {
      return c;
    }
    throw new IllegalArgumentException("tensor " + t + " does not live on the GPU");
  }

  private static CudaTensor f32(DeviceTensor t, String what) {
    CudaTensor c = cuda(t);
    if (c.dtype() != DType.F32) {
      throw new IllegalArgumentException(what + " must be F32, got " + c);
    }
    return c;
  }

  private static void requireRows(CudaTensor t, int rows, String what) {
    if (rows > t.rows()) {
      throw new IllegalArgumentException(what + " " + t + " has fewer than " + rows + " rows");
    }
  }
}
