package dev.cairn.worker.backend.cpu;

import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.DeviceTensor;
import dev.cairn.worker.backend.HostTensor;
import dev.cairn.worker.backend.HugePageMemory;
import dev.cairn.worker.backend.QuantBlocks;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A Q8_0 or Q4_0 matrix {@code [rows, in]} with its blocks interleaved for {@link Q8PanelMatmul} /
 * {@link Q4PanelMatmul}: rows in panels of {@link #ROWS}, and for each block column of a panel the
 * 32 rows' F16 scales, then the rows' first code byte side by side (one byte a row), their second,
 * and so on: 32 code bytes a block for Q8_0 (one column each), 16 for Q4_0 (byte j packs columns j
 * and j + 16 as GGUF does). One load of a vector's lanes in bytes then holds as many rows' codes at
 * one column (two for Q4_0), so a kernel widens a weight once for every token of a tile and needs
 * no sums across lanes — the arrangement {@link PanelWeight} gives BF16, and the interleaving
 * llama.cpp's CPU "repack" buffers give Q8_0/Q4_0 on load. A panel holds exactly the bytes of its
 * 32 GGUF rows (32 × 34 or 32 × 18 per block column), so the matrix is reordered where it lies: a
 * quantized matrix is the loader's own copy, and a second copy would double what quantizing saves
 * (read-only memory, a mapped file, is copied instead).
 */
final class QuantPanelWeight implements DeviceTensor {

  /**
   * Rows per panel: two 16-lane float vectors of outputs (one tile's rows), or four 8-lane ones
   * (two tiles' rows on AVX2).
   */
  static final int ROWS = 32;

  /** Tokens from which a step of panels runs the slab kernel on 16-lane CPUs. */
  private static final int SLAB_TOKENS = 32;

  /** Tokens from which a step of Q4_0 panels runs the slab kernel on 8-lane CPUs. */
  private static final int Q4_SLAB_TOKENS_8_LANES = 16;

  /** Byte offset of the codes within a block column: after the 32 F16 scales. */
  static final long CODES = ROWS * 2L;

  private final DType dtype;
  private final int[] shape;
  private final MemorySegment panels;

  private QuantPanelWeight(HostTensor w, MemorySegment panels) {
    this.dtype = w.dtype();
    this.shape = w.shape().clone();
    this.panels = panels;
  }

  /**
   * Bytes of one block column of a panel in {@code format}: 32 F16 scales, then 32 × 32 (Q8_0) or
   * 32 × 16 (Q4_0) code bytes.
   */
  static long blockBytes(DType format) {
    return ROWS * format.byteSize(QuantBlocks.BLOCK);
  }

  /**
   * Whether {@code w} can be panelled here: a 2-D Q8_0 or Q4_0 matrix of whole panels, on a CPU
   * where panels of its format run ({@link #available}).
   */
  static boolean fits(HostTensor w) {
    return w.shape().length == 2 && w.dim(0) % ROWS == 0 && available(w.dtype());
  }

  /**
   * Whether panels of {@code format} run on this CPU: with 16-lane float vectors (AVX-512) a panel
   * is one tile of two row vectors; with 8 lanes (AVX2) two such tiles, the decode tiles running
   * all four row vectors at once.
   */
  static boolean available(DType format) {
    // the tiles are written for 8 and 16 lanes; 4-lane CPUs run the GGUF-row kernels
    return QuantLoads.available()
        && VectorSupport.F.length() >= 8
        && (format == DType.Q8_0 || format == DType.Q4_0);
  }

  /**
   * Steps of fewer tokens of a {@code format} matrix run the panel tiles ({@link Q8PanelMatmul},
   * {@link Q4PanelMatmul}); from this many, the slab kernel ({@link QuantSlabMatmul}), which widens
   * a weight once for every token of the step. On AVX-512 both formats cross over at 32 tokens. On
   * 8 lanes the slab runs tiles of four rows and eight accumulators; Q8_0's four-token panel tiles
   * still match it at 64 tokens and beat it at 128 (the 0.5B shape, {@code -XX:UseAVX=2}: 441–574
   * against 460–497 ms, 872–875 against 948–953), so Q8_0 never leaves them there. Q4_0's panel
   * tiles spend more operations widening their nibbles, and the slab wins from 16 tokens (142–144
   * against 150–160 ms; 24 tokens 195–212 against 229–290; 12 tokens it loses, 136–139 against
   * 113–115).
   */
  static int maxTileTokens(DType format) {
    if (VectorSupport.WIDE_TILES) {
      return SLAB_TOKENS;
    }
    return format == DType.Q8_0 ? Integer.MAX_VALUE : Q4_SLAB_TOKENS_8_LANES;
  }

  /**
   * Reorders {@code w}'s blocks into panels, in place when its memory is writable (it must not be
   * read as GGUF rows afterwards), panels spread over the pool's threads.
   */
  static QuantPanelWeight pack(HostTensor w, CpuThreadPool pool) {
    if (!fits(w)) {
      throw new IllegalArgumentException(
          "quantized panels hold 2-D Q8_0 or Q4_0 matrices of whole 32-row panels, not "
              + w.dtype()
              + " "
              + w.shapeString());
    }
    MemorySegment src = w.segment();
    MemorySegment dst = src.isReadOnly() ? HugePageMemory.allocate(src.byteSize()) : src;
    QuantPanelWeight p = new QuantPanelWeight(w, dst);
    pool.parallelFor(w.dim(0) / ROWS, 1, 1, (from, to) -> p.fill(src, from, to));
    return p;
  }

  /**
   * Panels {@code [from, to)}: each panel's 32 rows are copied out first, since the panel may
   * overwrite the very bytes it is made from.
   */
  private void fill(MemorySegment src, int from, int to) {
    int blocks = blocks();
    int blockBytes = (int) dtype.byteSize(QuantBlocks.BLOCK);
    long rowBytes = (long) blocks * blockBytes;
    long columnBytes = blockBytes(dtype);
    byte[] rows = new byte[Math.toIntExact(ROWS * rowBytes)];
    byte[] panel = new byte[rows.length];
    for (int p = from; p < to; p++) {
      long base = p * ROWS * rowBytes;
      MemorySegment.copy(src, ValueLayout.JAVA_BYTE, base, rows, 0, rows.length);
      for (int b = 0; b < blocks; b++) {
        int col = (int) (b * columnBytes);
        for (int r = 0; r < ROWS; r++) {
          int block = (int) (r * rowBytes + b * blockBytes);
          panel[col + 2 * r] = rows[block];
          panel[col + 2 * r + 1] = rows[block + 1];
          for (int c = 0; c < blockBytes - 2; c++) {
            panel[(int) (col + CODES) + c * ROWS + r] = rows[block + 2 + c];
          }
        }
      }
      MemorySegment.copy(panel, 0, panels, ValueLayout.JAVA_BYTE, base, panel.length);
    }
  }

  /** Byte offset of panel {@code p} in {@link #panels()}. */
  long panelOffset(int p) {
    return p * blocks() * blockBytes(dtype);
  }

  /** The interleaved blocks. */
  MemorySegment panels() {
    return panels;
  }

  /** Output rows. */
  int rows() {
    return shape[0];
  }

  /** Input columns. */
  int in() {
    return shape[1];
  }

  /** Block columns: {@code in / 32}. */
  int blocks() {
    return shape[1] / QuantBlocks.BLOCK;
  }

  @Override
  public DType dtype() {
    return dtype;
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  @Override
  public String toString() {
    return "QuantPanelWeight" + shapeString();
  }
}
