package dev.cairn.worker.backend.cpu;

import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.DeviceTensor;
import dev.cairn.worker.backend.HostTensor;
import dev.cairn.worker.backend.HugePageMemory;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A BF16 matrix {@code [rows, in]} repacked for {@link Bf16PanelMatmul}: rows in panels of {@link
 * #ROWS}, each panel stored column pair by column pair, the panel's rows side by side, so that one
 * vector load holds {@code F.length()} rows' weights at two adjacent columns. The last panel is
 * padded with zero rows and an odd last column with a zero. The source tensor is kept for row
 * lookups (a tied embedding table); its pages are not read again by the matmuls.
 */
final class PanelWeight implements DeviceTensor {

  /** Rows per panel: two float vectors of outputs. */
  static final int ROWS = 2 * VectorSupport.F.length();

  private static final ValueLayout.OfInt PAIR =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final HostTensor source;
  private final MemorySegment panels;
  private final int pairs;

  private PanelWeight(HostTensor source, MemorySegment panels, int pairs) {
    this.source = source;
    this.panels = panels;
    this.pairs = pairs;
  }

  /** Repacks a 2-D BF16 tensor, panels spread over the pool's threads. */
  static PanelWeight pack(HostTensor w, CpuThreadPool pool) {
    if (w.dtype() != DType.BF16 || w.shape().length != 2) {
      throw new IllegalArgumentException(
          "panels hold 2-D BF16 matrices, not " + w.dtype() + " " + w.shapeString());
    }
    int rows = w.dim(0);
    int in = w.dim(1);
    int pairs = (in + 1) / 2;
    int count = (rows + ROWS - 1) / ROWS;
    long bytes = Math.multiplyExact((long) count * pairs, (long) ROWS * Integer.BYTES);
    MemorySegment panels = HugePageMemory.allocate(bytes);
    PanelWeight p = new PanelWeight(w, panels, pairs);
    pool.parallelFor(count, 1, 1, (from, to) -> p.fill(from, to));
    return p;
  }

  /**
   * Packs panels {@code [from, to)}, writing each panel in order (a row's source line serves the
   * next 16 column pairs from cache); rows past the matrix stay zero, as allocated.
   */
  private void fill(int from, int to) {
    MemorySegment src = source.segment();
    int rows = rows();
    int in = in();
    int whole = in / 2;
    long rowBytes = (long) in * 2;
    for (int p = from; p < to; p++) {
      long dst = panelOffset(p);
      int first = p * ROWS;
      int n = Math.min(rows, first + ROWS) - first;
      long gap = (long) (ROWS - n) * Integer.BYTES;
      for (int j = 0; j < whole; j++) {
        long src0 = first * rowBytes + j * 4L;
        for (int i = 0; i < n; i++, dst += Integer.BYTES) {
          panels.set(PAIR, dst, src.get(PAIR, src0 + i * rowBytes));
        }
        dst += gap;
      }
      if (in % 2 == 1) {
        long src0 = first * rowBytes + (in - 1) * 2L;
        for (int i = 0; i < n; i++, dst += Integer.BYTES) {
          panels.set(PAIR, dst, src.get(VectorSupport.LE16, src0 + i * rowBytes) & 0xFFFF);
        }
      }
    }
  }

  /** Byte offset of panel {@code p} in {@link #panels()}. */
  long panelOffset(int p) {
    return (long) p * panelBytes();
  }

  /** Bytes of one panel. */
  long panelBytes() {
    return (long) pairs * ROWS * Integer.BYTES;
  }

  /** The packed weights. */
  MemorySegment panels() {
    return panels;
  }

  /** The matrix as loaded, row-major. */
  HostTensor source() {
    return source;
  }

  /** Output rows. */
  int rows() {
    return source.dim(0);
  }

  /** Input columns. */
  int in() {
    return source.dim(1);
  }

  @Override
  public DType dtype() {
    return source.dtype();
  }

  @Override
  public int[] shape() {
    return source.shape();
  }

  @Override
  public String toString() {
    return "PanelWeight" + shapeString();
  }
}
