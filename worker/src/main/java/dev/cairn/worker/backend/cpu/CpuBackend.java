package dev.cairn.worker.backend.cpu;

import dev.cairn.worker.backend.AttentionBatch;
import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.DTypeConversion;
import dev.cairn.worker.backend.DeviceTensor;
import dev.cairn.worker.backend.HostBackendSupport;
import dev.cairn.worker.backend.HostTensor;
import dev.cairn.worker.backend.LoraBatch;
import dev.cairn.worker.backend.QuantBlocks;
import dev.cairn.worker.backend.cpu.TiledMatmul.Operands;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The CPU backend: JDK Vector API kernels (F32 compute, BF16 weights widened in registers) on a
 * dedicated thread pool, each matmul split into ranges of whole weight panels that the threads take
 * in turn. With {@code vector = false} (or a CPU with under 4 float lanes) every kernel takes its
 * scalar path.
 */
public final class CpuBackend extends HostBackendSupport {

  /** Below this many multiply-adds a matmul stays on the calling thread. */
  private static final long PARALLEL_MIN_WORK = 1 << 15;

  /**
   * Steps of at least this many tokens hand out matmul rows one panel at a time; smaller ones
   * (decode, a few streams) keep long chunks, whose streams through memory the prefetcher follows.
   */
  private static final int PANEL_CHUNK_TOKENS = 32;

  private final CpuThreadPool pool;
  private final boolean vector;
  private final CpuLora lora;

  /**
   * Addresses of the quantized copies reordered in place, so a second upload cannot reorder twice
   * (read-only matrices are copied, so they are never reordered).
   */
  private final Set<Long> repacked = ConcurrentHashMap.newKeySet();

  /** KV caches in {@link GroupedKv}'s order, with their head size; any other cache is in rows. */
  private final Map<DeviceTensor, Integer> groupedKv = new ConcurrentHashMap<>();

  /** With {@code threads} compute threads (0 = one per available core) and vector kernels on. */
  public CpuBackend(int threads, boolean vector) {
    int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    this.pool = new CpuThreadPool(n);
    this.vector = vector && VectorSupport.available();
    this.lora = new CpuLora(pool, this.vector, PARALLEL_MIN_WORK);
  }

  /** One thread per core, vector kernels on. */
  public CpuBackend() {
    this(0, true);
  }

  @Override
  public String name() {
    return vector ? "cpu" : "cpu-scalar";
  }

  /** Compute threads in use. */
  public int threads() {
    return pool.threads();
  }

  /**
   * Matrices in F32 stay where they are (the mapped file); with vector kernels on, BF16 matrices
   * are repacked once into {@link PanelWeight} panels for {@link Bf16PanelMatmul} (as many bytes
   * again, the mapped file then left to the page cache), and Q8_0/Q4_0 matrices of whole panels on
   * 16-lane CPUs into {@link QuantPanelWeight} panels in place (the loader's quantized copy becomes
   * the backend's: it must not be read as GGUF rows again); other quantized matrices stay in GGUF
   * rows. F16 matrices and every 1-D tensor (norms, biases) are widened to F32 once, so kernels
   * meet only those matrix types.
   */
  @Override
  public DeviceTensor upload(HostTensor w) {
    if (vector && w.dtype() == DType.BF16 && w.shape().length == 2) {
      return PanelWeight.pack(w, pool);
    }
    if (vector && QuantPanelWeight.fits(w)) {
      if (!w.segment().isReadOnly() && !repacked.add(w.segment().address())) {
        throw new IllegalStateException(
            w.dtype()
                + " matrix "
                + w.shapeString()
                + " was already uploaded: its blocks are panels now");
      }
      return QuantPanelWeight.pack(w, pool);
    }
    return plain(w);
  }

  /** An untied embedding table stays as loaded: only {@link #embed} reads it, row by row. */
  @Override
  public DeviceTensor uploadTable(HostTensor table) {
    return plain(table);
  }

  /**
   * A LoRA adapter's matrices stay as they are: {@link CpuLora} reads them row-major, and they are
   * small beside the base weights they sit next to.
   */
  @Override
  public DeviceTensor uploadBeside(HostTensor weight, DeviceTensor sibling) {
    return plain(weight);
  }

  /** {@code w} as loaded, but for F16 matrices and 1-D tensors, widened to F32. */
  private DeviceTensor plain(HostTensor w) {
    boolean oneDim = w.shape().length == 1;
    boolean keptMatrix = w.dtype() == DType.BF16 || w.dtype().isQuantized();
    if (w.dtype() == DType.F32 || (keptMatrix && !oneDim)) {
      return w;
    }
    return DTypeConversion.convert(w, DType.F32, Arena.ofAuto());
  }

  /** Token rows from the table as loaded (a tied table's panels serve only the output head). */
  @Override
  public void embed(DeviceTensor table, int[] ids, DeviceTensor out) {
    super.embed(table instanceof PanelWeight p ? p.source() : table, ids, out);
  }

  @Override
  public void rmsNorm(DeviceTensor x, DeviceTensor weight, float eps, int rows, DeviceTensor out) {
    HostTensor w = host(weight);
    int h = w.dim(0);
    boolean bf16 = w.dtype() == DType.BF16;
    MemorySegment xs = host(x).segment();
    MemorySegment os = host(out).segment();
    for (int t = 0; t < rows; t++) {
      CpuElementwise.rmsNormRow(xs, w.segment(), bf16, eps, (long) t * h, h, os, vector);
    }
  }

  @Override
  public void matmul(
      DeviceTensor x, DeviceTensor w, DeviceTensor bias, int rows, DeviceTensor out) {
    matmuls(x, new DeviceTensor[] {w}, new DeviceTensor[] {bias}, rows, new DeviceTensor[] {out});
  }

  /**
   * One pass over every projection's rows: one hand-off to the threads, the activations copied (or
   * transposed, for the quantized parts of a batched step) once per thread ({@link
   * LocalActivations}).
   */
  @Override
  public void matmuls(
      DeviceTensor x, DeviceTensor[] w, DeviceTensor[] bias, int rows, DeviceTensor[] out) {
    MemorySegment xs = host(x).segment();
    LocalActivations xT = null;
    LocalActivations xa = null;
    LocalActivations xi = null;
    List<Part> parts = new ArrayList<>(w.length);
    for (int i = 0; i < w.length; i++) {
      int in = w[i].dim(1);
      if (xT == null && tokenLanes(w[i], rows)) {
        xT = new LocalActivations(pool, () -> QuantSlabMatmul.transposeTokens(xs, rows, in));
      }
      if (xa == null && w[i] instanceof PanelWeight && Bf16PanelMatmul.takesHeapCopy(rows)) {
        xa = new LocalActivations(pool, () -> Bf16PanelMatmul.heapCopy(xs, rows, in));
      }
      if (xi == null && w[i] instanceof QuantPanelWeight && !tokenLanes(w[i], rows)) {
        boolean q8 = w[i].dtype() == DType.Q8_0;
        xi =
            new LocalActivations(
                pool,
                () ->
                    q8
                        ? TileActivations.copy(xs, rows, in, true)
                        : Q4PanelMatmul.activations(xs, rows, in));
      }
      parts.add(new Part(w[i].dim(0), task(x, w[i], bias[i], rows, out[i], xT, xa, xi)));
    }
    run(rows, w[0].dim(1), parts);
  }

  /** Whether {@code w} runs with the tokens in the vector lanes ({@link QuantSlabMatmul}). */
  private boolean tokenLanes(DeviceTensor w, int rows) {
    return vector
        && QuantLoads.available()
        && w.dtype().isQuantized()
        && rows
            >= (w instanceof QuantPanelWeight
                ? QuantPanelWeight.maxTileTokens(w.dtype())
                : QuantSlabMatmul.MIN_TOKENS);
  }

  /** A projection's output rows and the kernel that computes a range of them. */
  private record Part(int outDim, CpuThreadPool.RangeTask task) {}

  /**
   * Runs the parts as one range of their stacked output rows, in chunks of whole panels ({@link
   * PanelWeight#ROWS} rows). Each part's rows are a multiple of that in every model here, so chunks
   * rarely straddle two parts; when one does, each side runs with its own kernel.
   */
  private void run(int rows, int in, List<Part> parts) {
    int total = 0;
    int[] start = new int[parts.size() + 1];
    for (int i = 0; i < parts.size(); i++) {
      start[i] = total;
      total += parts.get(i).outDim();
    }
    start[parts.size()] = total;
    CpuThreadPool.RangeTask all =
        parts.size() == 1
            ? parts.get(0).task()
            : (r0, r1) -> {
              for (int i = 0; i < parts.size(); i++) {
                int from = Math.max(r0, start[i]);
                int to = Math.min(r1, start[i + 1]);
                if (from < to) {
                  parts.get(i).task().run(from - start[i], to - start[i]);
                }
              }
            };
    if ((long) rows * total * in < PARALLEL_MIN_WORK) {
      all.run(0, total);
    } else if (rows >= PANEL_CHUNK_TOKENS) {
      // A panel of a prefill is long work (32 rows × in × tokens multiply-adds): one per chunk, so
      // the threads finish together. Four chunks a thread left one thread idle for up to a chunk,
      // seven 4-panel chunks of a 896-row matrix one for a whole one (128-token 896 × 896 matmuls
      // 134–141 against 125–126 GFMA/s).
      pool.parallelFor(total, PanelWeight.ROWS, PanelWeight.ROWS, Integer.MAX_VALUE, all);
    } else {
      pool.parallelFor(total, PanelWeight.ROWS, PanelWeight.ROWS, all);
    }
  }

  /**
   * The kernel for rows of {@code out = x · wᵀ}; {@code xT}, for a quantized batched step, is x
   * with the tokens in the lanes ({@link QuantSlabMatmul#transposeTokens}).
   */
  private CpuThreadPool.RangeTask task(
      DeviceTensor x,
      DeviceTensor w,
      DeviceTensor bias,
      int rows,
      DeviceTensor out,
      LocalActivations xT,
      LocalActivations xa,
      LocalActivations xi) {
    MemorySegment xs = host(x).segment();
    MemorySegment os = host(out).segment();
    MemorySegment bs = bias == null ? null : host(bias).segment();
    if (w instanceof PanelWeight pw) {
      return (r0, r1) ->
          Bf16PanelMatmul.multiply(pw, xs, xa == null ? null : xa.get(), bs, rows, os, r0, r1);
    }
    if (w instanceof QuantPanelWeight qw) {
      if (!tokenLanes(qw, rows)) {
        return qw.dtype() == DType.Q8_0
            ? (r0, r1) -> Q8PanelMatmul.multiply(qw, xi.get(), bs, rows, os, r0, r1)
            : (r0, r1) -> Q4PanelMatmul.multiply(qw, xi.get(), bs, rows, os, r0, r1);
      }
      Operands ops =
          Operands.of(xs, xs, qw.panels(), bs, qw.in(), QuantBlocks.BLOCK, qw.rows(), os);
      return (r0, r1) -> QuantSlabMatmul.multiplyPanels(qw, ops, xT.get(), rows, r0, r1);
    }
    HostTensor ws = host(w);
    int outDim = ws.dim(0);
    int in = ws.dim(1);
    MemorySegment wseg = ws.segment();
    boolean bf16 = ws.dtype() == DType.BF16;
    if (ws.dtype().isQuantized()) {
      return quantized(xs, ws, bs, rows, os, xT);
    } else if (!vector) {
      return (r0, r1) -> ScalarMatmul.run(xs, wseg, bf16, bs, rows, in, outDim, os, r0, r1);
    } else if (bf16) {
      throw new IllegalArgumentException(
          "BF16 weight "
              + ws.shapeString()
              + " was not uploaded to this backend (upload packs it)");
    }
    Operands ops = Operands.of(xs, xs, wseg, bs, in, VectorSupport.F.length(), outDim, os);
    return (r0, r1) -> F32Matmul.TILES.multiply(ops, rows, r0, r1);
  }

  /** The Q8_0 / Q4_0 kernel: F32 activations, weights widened per block in registers. */
  private CpuThreadPool.RangeTask quantized(
      MemorySegment xs,
      HostTensor w,
      MemorySegment bs,
      int rows,
      MemorySegment os,
      LocalActivations xT) {
    int outDim = w.dim(0);
    int in = w.dim(1);
    DType format = w.dtype();
    MemorySegment wseg = w.segment();
    if (!vector || !QuantLoads.available()) {
      return (r0, r1) -> ScalarQuantMatmul.run(xs, wseg, format, bs, rows, in, outDim, os, r0, r1);
    }
    Operands ops = Operands.of(xs, xs, wseg, bs, in, QuantBlocks.BLOCK, outDim, os);
    if (xT != null) {
      return (r0, r1) -> QuantSlabMatmul.multiply(format, ops, xT.get(), rows, r0, r1);
    }
    TiledMatmul tiles = format == DType.Q8_0 ? Q8Matmul.TILES : Q4Matmul.TILES;
    return (r0, r1) -> tiles.multiply(ops, rows, r0, r1);
  }

  @Override
  public void rope(DeviceTensor x, int heads, int headDim, int[] positions, DeviceTensor cosSin) {
    MemorySegment xs = host(x).segment();
    MemorySegment cs = host(cosSin).segment();
    int half = headDim / 2;
    int width = heads * headDim;
    // A prefill's rows on both cores (rope was scalar and serial: 9.2 ms of a 512-token prefill,
    // 2.1–2.7 ms vectorised and split).
    pool.parallelFor(
        positions.length,
        (int) Math.max(1, PARALLEL_MIN_WORK / width),
        1,
        (t0, t1) -> {
          for (int t = t0; t < t1; t++) {
            long tableRow = (long) positions[t] * headDim;
            for (int hd = 0; hd < heads; hd++) {
              long base = ((long) t * heads + hd) * headDim;
              CpuElementwise.ropeHead(xs, base, cs, tableRow, half, vector);
            }
          }
        });
  }

  /**
   * F32 or BF16; in {@link GroupedKv}'s order where {@link GroupedAttention} will read it (vector
   * kernels on 16-lane CPUs, whole-vector heads) and the rows fill whole groups; in rows otherwise.
   */
  @Override
  public DeviceTensor allocateKvCache(int rows, int kvHeads, int headDim, DType dtype) {
    DeviceTensor cache = super.allocateKvCache(rows, kvHeads, headDim, dtype);
    if (GroupedAttention.applies(vector, headDim) && rows % GroupedKv.ROWS == 0) {
      groupedKv.put(cache, headDim);
    }
    return cache;
  }

  /** Whether a pool's caches are BF16 (both, or a clear error: a layer's pair is one dtype). */
  private static boolean bf16Caches(DeviceTensor kCache, DeviceTensor vCache) {
    DType k = host(kCache).dtype();
    DType v = host(vCache).dtype();
    if (k != v || (k != DType.F32 && k != DType.BF16)) {
      throw new IllegalArgumentException(
          "KV caches must both be F32 or both BF16, got " + k + " and " + v);
    }
    return k == DType.BF16;
  }

  @Override
  public void writeKv(
      DeviceTensor k, DeviceTensor v, DeviceTensor kCache, DeviceTensor vCache, int[] slots) {
    boolean bf16 = bf16Caches(kCache, vCache);
    Integer headDim = groupedKv.get(kCache);
    MemorySegment ks = host(k).segment();
    MemorySegment vs = host(v).segment();
    MemorySegment kc = host(kCache).segment();
    MemorySegment vc = host(vCache).segment();
    int kvDim = rowLength(kCache);
    if (headDim != null) {
      GroupedKv.write(ks, vs, kc, vc, slots, kvDim, headDim, bf16);
    } else if (bf16) {
      Bf16Kv.write(ks, vs, kc, vc, slots, kvDim);
    } else {
      long rowBytes = kvDim * 4L;
      for (int t = 0; t < slots.length; t++) {
        MemorySegment.copy(ks, t * rowBytes, kc, slots[t] * rowBytes, rowBytes);
        MemorySegment.copy(vs, t * rowBytes, vc, slots[t] * rowBytes, rowBytes);
      }
    }
  }

  @Override
  public void attention(
      DeviceTensor q,
      DeviceTensor kCache,
      DeviceTensor vCache,
      AttentionBatch b,
      DeviceTensor out) {
    int rows = b.totalRows();
    int[] rowChunk = new int[rows];
    for (int c = 0; c < b.chunks(); c++) {
      for (int i = 0; i < b.rowCount()[c]; i++) {
        rowChunk[b.rowStart()[c] + i] = c;
      }
    }
    MemorySegment qs = host(q).segment();
    MemorySegment ks = host(kCache).segment();
    MemorySegment vs = host(vCache).segment();
    MemorySegment os = host(out).segment();
    Integer grouped = groupedKv.get(kCache);
    if (grouped != null && grouped != b.headDim()) {
      throw new IllegalArgumentException(
          "KV cache laid out for head size " + grouped + ", attention asked for " + b.headDim());
    }
    boolean bf16 = bf16Caches(kCache, vCache);
    // A BF16 cache in rows (never the pool's where GroupedAttention applies) goes head by head.
    if (GroupedAttention.applies(vector, b.headDim()) && (grouped != null || !bf16)) {
      GroupedAttention.run(pool, qs, ks, vs, grouped != null, bf16, b, os);
      return;
    }
    int items = rows * b.numHeads();
    // Last items first: a prompt's later rows attend to more positions, and chunks taken
    // heaviest first leave the threads finishing together rather than one alone on the last rows.
    pool.parallelFor(
        items,
        2,
        1,
        (from, to) -> {
          for (int i = from; i < to; i++) {
            CpuAttention.run(qs, ks, vs, b, rowChunk, os, items - 1 - i, vector, bf16);
          }
        });
  }

  @Override
  public void swiglu(DeviceTensor gate, DeviceTensor up, int rows, DeviceTensor out) {
    int len = rowLength(gate);
    MemorySegment g = host(gate).segment();
    MemorySegment u = host(up).segment();
    MemorySegment o = host(out).segment();
    // an exp per element: a prefill's MLP width × its tokens is worth both cores
    pool.parallelFor(
        rows,
        (int) Math.max(1, PARALLEL_MIN_WORK / len),
        1,
        (r0, r1) -> CpuElementwise.swiglu(g, u, o, (long) r0 * len, (long) r1 * len, vector));
  }

  @Override
  public void loraDelta(DeviceTensor x, LoraBatch batch, DeviceTensor out) {
    lora.run(host(x), batch, host(out));
  }

  @Override
  public void addInPlace(DeviceTensor x, DeviceTensor y, int rows) {
    long n = (long) rows * rowLength(x);
    CpuElementwise.add(host(x).segment(), host(y).segment(), 0, n, vector);
  }

  @Override
  public void gatherRows(DeviceTensor x, int[] rowIds, DeviceTensor out) {
    long rowBytes = rowLength(x) * 4L;
    for (int r = 0; r < rowIds.length; r++) {
      MemorySegment.copy(
          host(x).segment(), rowIds[r] * rowBytes, host(out).segment(), r * rowBytes, rowBytes);
    }
  }

  @Override
  public void close() {
    pool.close();
    super.close();
  }
}
