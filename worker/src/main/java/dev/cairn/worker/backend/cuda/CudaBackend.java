package dev.cairn.worker.backend.cuda;

import static dev.cairn.worker.backend.cuda.CudaArgs.cuda;
import static dev.cairn.worker.backend.cuda.CudaArgs.f32;
import static dev.cairn.worker.backend.cuda.CudaArgs.kvCache;
import static dev.cairn.worker.backend.cuda.CudaArgs.requireRows;

import dev.cairn.worker.backend.AttentionBatch;
import dev.cairn.worker.backend.Backend;
import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.DeviceTensor;
import dev.cairn.worker.backend.HostTensor;
import dev.cairn.worker.backend.LoraBatch;
import dev.cairn.worker.backend.cuda.IntUploads.Purpose;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import jcuda.Pointer;

/**
 * The GPU backend: Cairn's own kernels (build-time PTX, JIT-compiled by the driver) over the JCuda
 * driver API, on one GPU or with the layers split across several. Weights are uploaded once
 * (BF16/F16 kept, F32 kept or narrowed to BF16) and placed in upload order — embedding, layers,
 * head — filling each GPU with its share of {@code expectedWeightBytes}, so consecutive layers
 * share a GPU. Each operation runs on the GPU of its weight (or of its freshest input) and the
 * activations follow it (see {@link CudaTensor}). Launches are asynchronous; {@link #read}
 * synchronises.
 */
public final class CudaBackend implements Backend {

  private final GpuDevice[] devices;
  private final boolean narrowF32;
  private final long weightShare;
  private final Map<HostTensor, CudaTensor> uploaded = new IdentityHashMap<>();
  private final List<CudaTensor> owned = new ArrayList<>();
  private final CudaLora lora;
  private long placedBytes;
  private int current;
  private boolean closed;

  /** One GPU, {@code ordinal}; see {@link #CudaBackend(List, boolean, long)}. */
  public CudaBackend(int ordinal, boolean narrowF32) {
    this(List.of(ordinal), narrowF32, 0);
  }

  /**
   * Opens the GPUs {@code ordinals} and loads the kernels on each.
   *
   * @param narrowF32 keep F32 weight matrices as BF16 on the device (half the memory and traffic)
   * @param expectedWeightBytes device bytes of all weights, to split them evenly; 0 with one GPU
   * @throws CudaFailure when CUDA is not usable here (the message says why) or a kernel won't load
   */
  public CudaBackend(List<Integer> ordinals, boolean narrowF32, long expectedWeightBytes) {
    if (ordinals.isEmpty() || ordinals.size() > 63) {
      throw new IllegalArgumentException("between 1 and 63 GPUs, got " + ordinals);
    }
    this.devices = new GpuDevice[ordinals.size()];
    try {
      for (int i = 0; i < devices.length; i++) {
        devices[i] = GpuDevice.open(i, ordinals.get(i));
      }
    } catch (RuntimeException e) {
      closeDevices();
      throw e;
    }
    this.narrowF32 = narrowF32;
    this.lora = new CudaLora(devices.length);
    this.weightShare =
        expectedWeightBytes <= 0 ? Long.MAX_VALUE : expectedWeightBytes / devices.length + 1;
  }

  @Override
  public String name() {
    return "cuda";
  }

  /**
   * The dtype {@code weight} is kept in on the device: vectors widen to F32, F32 matrices narrow to
   * BF16 when {@code narrowF32}, everything else keeps its dtype (to size a model before loading).
   */
  public static DType deviceType(HostTensor weight, boolean narrowF32) {
    return WeightUploader.deviceType(weight, narrowF32);
  }

  /** The GPUs in use, in layer order (for metrics). */
  public List<CudaContext> contexts() {
    return Arrays.stream(devices).map(d -> d.context).toList();
  }

  /** The first GPU's context. */
  public CudaContext context() {
    return devices[0].context;
  }

  /** Device bytes this backend holds on all its GPUs (leak checks). */
  public long liveBytes() {
    long n = 0;
    for (GpuDevice d : devices) {
      n += d.context.liveBytes();
    }
    return n;
  }

  @Override
  public synchronized DeviceTensor upload(HostTensor weight) {
    CudaTensor t = uploaded.get(weight); // tied embeddings: one copy on the device
    if (t == null) {
      int index = (int) Math.min(devices.length - 1, placedBytes / weightShare);
      t = uploadTo(index, weight);
      placedBytes += t.dtype().byteSize(t.numel());
    }
    return t;
  }

  /** On the GPU of {@code sibling}'s layer; outside the even split of the base weights. */
  @Override
  public synchronized DeviceTensor uploadBeside(HostTensor weight, DeviceTensor sibling) {
    CudaTensor t = uploaded.get(weight);
    return t != null ? t : uploadTo(cuda(sibling).homeDevice(), weight);
  }

  private CudaTensor uploadTo(int index, HostTensor weight) {
    DType type = WeightUploader.deviceType(weight, narrowF32);
    DeviceBuffer b = devices[index].uploader.upload(weight, type);
    CudaTensor t = CudaTensor.weight(type, weight.shape(), devices.length, index, b);
    uploaded.put(weight, t);
    owned.add(t);
    return t;
  }

  @Override
  public DeviceTensor allocate(int... shape) {
    return allocate(DType.F32, shape);
  }

  /** F32 or BF16 (kv_write and paged_attention have both), one row after another. */
  @Override
  public DeviceTensor allocateKvCache(int rows, int kvHeads, int headDim, DType dtype) {
    if (dtype != DType.F32 && dtype != DType.BF16) {
      throw new IllegalArgumentException("a KV cache is F32 or BF16, not " + dtype);
    }
    return allocate(dtype, rows, kvHeads * headDim);
  }

  private synchronized CudaTensor allocate(DType dtype, int... shape) {
    for (int d : shape) {
      if (d <= 0) {
        throw new IllegalArgumentException(
            "tensor dimensions must be positive: " + Arrays.toString(shape));
      }
    }
    CudaTensor t = CudaTensor.activation(dtype, shape, devices.length);
    owned.add(t);
    if (devices.length == 1) {
      t.inOut(devices[0]); // one GPU: allocate now, so a pool that does not fit fails at load
    }
    return t;
  }

  @Override
  public void write(DeviceTensor dst, float[] src) {
    CudaTensor t = f32(dst, "write target");
    if (src.length > t.numel()) {
      throw new IllegalArgumentException(src.length + " floats do not fit in " + t);
    }
    GpuDevice d = on(t);
    t.inOut(d);
    t.current().upload(src);
  }

  @Override
  public float[] read(DeviceTensor src, long offset, int n) {
    CudaTensor t = cuda(src);
    if (offset < 0 || offset + n > t.numel()) {
      throw new IndexOutOfBoundsException(
          "elements [" + offset + ", " + (offset + n) + ") of " + t);
    }
    float[] out = new float[n];
    DeviceBuffer b = t.current();
    if (b == null) {
      return out; // never written: zeros
    }
    if (t.dtype() == DType.F32) {
      b.download(Pointer.to(out), offset * 4, n * 4L);
      return out;
    }
    short[] bits = new short[n];
    b.download(Pointer.to(bits), offset * 2, n * 2L);
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
    GpuDevice d = on(tab);
    d.ops.embedding(
        o.inOut(d),
        tab.in(d),
        CudaArgs.deviceType(tab.dtype()),
        d.ints.upload(Purpose.IDS, ids),
        ids.length,
        tab.rowLength(),
        vocab);
  }

  @Override
  public void rmsNorm(DeviceTensor x, DeviceTensor weight, float eps, int rows, DeviceTensor out) {
    CudaTensor xt = f32(x, "rmsnorm input");
    CudaTensor wt = f32(weight, "rmsnorm weight");
    CudaTensor ot = f32(out, "rmsnorm output");
    requireRows(xt, rows, "rmsnorm input");
    GpuDevice d = on(wt);
    var xp = xt.in(d);
    d.ops.rmsNorm(ot.inOut(d), xp, wt.in(d), eps, rows, xt.rowLength());
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
    GpuDevice d = on(wt);
    var xp = xt.in(d);
    var op = ot.inOut(d);
    d.ops.matmul(xp, wt.in(d), CudaArgs.deviceType(wt.dtype()), op, rows, in, outDim);
    if (bias != null) {
      d.ops.biasAdd(op, f32(bias, "matmul bias").in(d), rows, outDim);
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
    GpuDevice d = on(xt);
    d.ops.rope(
        xt.inOut(d),
        d.ints.upload(Purpose.POSITIONS, positions),
        table.in(d),
        positions.length,
        heads,
        headDim,
        xt.rowLength());
  }

  @Override
  public void writeKv(
      DeviceTensor k, DeviceTensor v, DeviceTensor kCache, DeviceTensor vCache, int[] slots) {
    CudaTensor kc = kvCache(kCache, "key cache");
    CudaTensor vc = kvCache(vCache, "value cache");
    DeviceType cacheType = CudaArgs.kvType(kc, vc);
    CudaTensor kt = f32(k, "keys");
    CudaTensor vt = f32(v, "values");
    for (int s : slots) {
      if (s < 0 || s >= kc.rows()) {
        throw new IllegalArgumentException(
            "cache row " + s + " is outside the pool [0, " + kc.rows() + ")");
      }
    }
    GpuDevice d = on(kt);
    d.ops.kvWrite(
        kc.inOut(d),
        vc.inOut(d),
        cacheType,
        kt.in(d),
        vt.in(d),
        d.ints.upload(Purpose.SLOTS, slots),
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
    GpuDevice d = on(qt);
    AttentionLayout layout = AttentionLayout.of(batch);
    var base = d.ints.upload(Purpose.ATTENTION, layout.packed());
    var qp = qt.in(d);
    CudaTensor kc = kvCache(kCache, "key cache");
    CudaTensor vc = kvCache(vCache, "value cache");
    DeviceType cacheType = CudaArgs.kvType(kc, vc);
    var kp = kc.in(d);
    var vp = vc.in(d);
    d.ops.pagedAttention(
        new PagedAttentionArgs(
            ot.inOut(d),
            qp,
            kp,
            vp,
            cacheType,
            base,
            base.withByteOffset(layout.seqOffset() * 4L),
            base.withByteOffset(layout.posOffset() * 4L),
            (float) (1 / Math.sqrt(batch.headDim())),
            batch.totalRows(),
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
    CudaTensor u = f32(up, "up");
    GpuDevice d = on(g);
    var gp = g.in(d);
    var upp = u.in(d);
    d.ops.swiglu(f32(out, "swiglu output").inOut(d), gp, upp, (long) rows * g.rowLength());
  }

  /** Runs on the GPU of the first adapter with rows; every adapter's weights must live there. */
  @Override
  public void loraDelta(DeviceTensor x, LoraBatch batch, DeviceTensor out) {
    int[][] rows = batch.rowsBySlot();
    for (int s = 0; s < rows.length; s++) {
      if (rows[s].length > 0) {
        lora.run(on(cuda(batch.a()[s])), f32(x, "lora input"), batch, f32(out, "lora output"));
        return;
      }
    }
  }

  /** Frees an uploaded weight before close (an evicted LoRA adapter's). */
  @Override
  public synchronized void release(DeviceTensor weight) {
    CudaTensor t = cuda(weight);
    if (owned.remove(t)) {
      uploaded.values().remove(t);
      t.free();
    }
  }

  @Override
  public void addInPlace(DeviceTensor x, DeviceTensor y, int rows) {
    CudaTensor xt = f32(x, "residual");
    CudaTensor yt = f32(y, "addend");
    GpuDevice d = on(yt); // the fresh sub-block output decides; the residual follows it
    var yp = yt.in(d);
    d.ops.add(xt.inOut(d), yp, (long) rows * xt.rowLength());
  }

  @Override
  public void gatherRows(DeviceTensor x, int[] rowIds, DeviceTensor out) {
    CudaTensor xt = f32(x, "gather input");
    for (int r : rowIds) {
      if (r < 0 || r >= xt.rows()) {
        throw new IllegalArgumentException("row " + r + " is outside " + xt);
      }
    }
    GpuDevice d = on(xt);
    var xp = xt.in(d);
    d.ops.gatherRows(
        f32(out, "gather output").inOut(d),
        xp,
        d.ints.upload(Purpose.ROWS, rowIds),
        rowIds.length,
        xt.rowLength());
  }

  /** Frees every tensor, the kernels and the contexts. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      for (GpuDevice d : devices) {
        d.context.synchronize();
      }
    } finally {
      lora.close();
      owned.forEach(CudaTensor::free);
      owned.clear();
      uploaded.clear();
      closeDevices();
    }
  }

  private void closeDevices() {
    for (GpuDevice d : devices) {
      if (d != null) {
        d.close();
      }
    }
  }

  /**
   * The GPU an operation on {@code t} runs on: where t's contents are, the last one if anywhere.
   */
  private GpuDevice on(CudaTensor t) {
    int home = t.home(current);
    current = home < 0 ? current : home;
    return devices[current];
  }
}
