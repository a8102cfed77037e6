package dev.cairn.worker.backend.cpu;

import static dev.cairn.worker.backend.cpu.VectorSupport.F;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/**
 * Transposes 16 × 16 floats in registers: sixteen rows in, sixteen columns out, for {@link
 * QuantSlabMatmul}'s activations with the tokens in the lanes and {@link GroupedAttention}'s keys
 * with the positions in the lanes. Four butterfly stages each swap the off-diagonal blocks of every
 * pair of rows (8, 4, 2, then 1 lanes wide) with a two-vector lane select ({@code vpermi2ps}); a
 * scalar copy of the same block read the rows with a stride and took 6–9× as long (a 128 × 4,864
 * prefill's activations: 0.70 against 0.075 ms). On 8 lanes (AVX2) {@link #square} turns 8 × 8
 * squares in three stages, for the slab kernel's activations and outputs.
 */
final class TokenTranspose {

  /** Rows and lanes of one square: only 512-bit float vectors have sixteen lanes. */
  static final int N = 16;

  /** This machine's float lanes: {@link #square} turns squares of this many rows. */
  private static final int L = F.length();

  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

  // Per stage, the lane sources of a pair's first and second row: index < L from the first row.
  private static final FloatVector[] FIRST = new FloatVector[4];
  private static final FloatVector[] SECOND = new FloatVector[4];

  static {
    if (squares()) {
      int s = 0;
      for (int width = L / 2; width >= 1; width /= 2, s++) {
        float[] first = new float[L];
        float[] second = new float[L];
        for (int j = 0; j < L; j++) {
          boolean low = (j / width) % 2 == 0;
          first[j] = low ? j : L + j - width;
          second[j] = low ? j + width : L + j;
        }
        FIRST[s] = FloatVector.fromArray(F, first, 0);
        SECOND[s] = FloatVector.fromArray(F, second, 0);
      }
    }
  }

  private TokenTranspose() {}

  /** Whether this machine's preferred float vectors have {@link #N} lanes: {@link #gather} runs. */
  static boolean available() {
    return L == N;
  }

  /**
   * Whether {@link #square} runs here: squares of as many rows as the float vectors have lanes, 16
   * or 8 (AVX2), where the tiles' outputs and activations were turned element by element.
   */
  static boolean squares() {
    return L == N || L == N / 2;
  }

  /**
   * Reads L rows of L floats (L the lanes, 16 or 8) from byte {@code src} of {@code x} ({@code
   * rowBytes} apart) and writes them as L columns, one after another, from element {@code dst} of
   * {@code t}.
   */
  static void square(MemorySegment x, long src, long rowBytes, float[] t, int dst) {
    if (L == N) {
      transpose(x, null, null, 0, 0, src, rowBytes, t, dst);
    } else {
      transpose8(x, null, src, rowBytes, t, dst);
    }
  }

  /**
   * {@link #square} from a heap array: row i is {@code a[src + L·i ..]}, as a tile's outputs lie
   * one row of tokens after another.
   */
  static void square(float[] a, int src, float[] t, int dst) {
    if (L == N) {
      transpose(null, a, null, 0, 0, src, 0, t, dst);
    } else {
      transpose8(null, a, src, 0, t, dst);
    }
  }

  /**
   * {@link #square} for rows scattered in {@code x}: row i starts at float element {@code rows[from
   * + i] + col}, as the positions of a paged cache do.
   */
  static void gather(MemorySegment x, long[] rows, int from, long col, float[] t, int dst) {
    transpose(x, null, rows, from, col, 0, 0, t, dst);
  }

  // One body for all three: sixteen vectors handed to another method would be boxed (it is too
  // large to inline), so only where each row comes from differs.
  private static void transpose(
      MemorySegment x,
      float[] a,
      long[] rows,
      int from,
      long col,
      long src,
      long rowBytes,
      float[] t,
      int dst) {
    FloatVector a0 = row(x, a, rows, from, col, src, rowBytes, 0);
    FloatVector a1 = row(x, a, rows, from, col, src, rowBytes, 1);
    FloatVector a2 = row(x, a, rows, from, col, src, rowBytes, 2);
    FloatVector a3 = row(x, a, rows, from, col, src, rowBytes, 3);
    FloatVector a4 = row(x, a, rows, from, col, src, rowBytes, 4);
    FloatVector a5 = row(x, a, rows, from, col, src, rowBytes, 5);
    FloatVector a6 = row(x, a, rows, from, col, src, rowBytes, 6);
    FloatVector a7 = row(x, a, rows, from, col, src, rowBytes, 7);
    FloatVector a8 = row(x, a, rows, from, col, src, rowBytes, 8);
    FloatVector a9 = row(x, a, rows, from, col, src, rowBytes, 9);
    FloatVector a10 = row(x, a, rows, from, col, src, rowBytes, 10);
    FloatVector a11 = row(x, a, rows, from, col, src, rowBytes, 11);
    FloatVector a12 = row(x, a, rows, from, col, src, rowBytes, 12);
    FloatVector a13 = row(x, a, rows, from, col, src, rowBytes, 13);
    FloatVector a14 = row(x, a, rows, from, col, src, rowBytes, 14);
    FloatVector a15 = row(x, a, rows, from, col, src, rowBytes, 15);
    FloatVector f = FIRST[0];
    FloatVector s = SECOND[0];
    FloatVector p;
    // rows i and i + 8
    p = f.selectFrom(a0, a8);
    a8 = s.selectFrom(a0, a8);
    a0 = p;
    p = f.selectFrom(a1, a9);
    a9 = s.selectFrom(a1, a9);
    a1 = p;
    p = f.selectFrom(a2, a10);
    a10 = s.selectFrom(a2, a10);
    a2 = p;
    p = f.selectFrom(a3, a11);
    a11 = s.selectFrom(a3, a11);
    a3 = p;
    p = f.selectFrom(a4, a12);
    a12 = s.selectFrom(a4, a12);
    a4 = p;
    p = f.selectFrom(a5, a13);
    a13 = s.selectFrom(a5, a13);
    a5 = p;
    p = f.selectFrom(a6, a14);
    a14 = s.selectFrom(a6, a14);
    a6 = p;
    p = f.selectFrom(a7, a15);
    a15 = s.selectFrom(a7, a15);
    a7 = p;
    // rows i and i + 4
    f = FIRST[1];
    s = SECOND[1];
    p = f.selectFrom(a0, a4);
    a4 = s.selectFrom(a0, a4);
    a0 = p;
    p = f.selectFrom(a1, a5);
    a5 = s.selectFrom(a1, a5);
    a1 = p;
    p = f.selectFrom(a2, a6);
    a6 = s.selectFrom(a2, a6);
    a2 = p;
    p = f.selectFrom(a3, a7);
    a7 = s.selectFrom(a3, a7);
    a3 = p;
    p = f.selectFrom(a8, a12);
    a12 = s.selectFrom(a8, a12);
    a8 = p;
    p = f.selectFrom(a9, a13);
    a13 = s.selectFrom(a9, a13);
    a9 = p;
    p = f.selectFrom(a10, a14);
    a14 = s.selectFrom(a10, a14);
    a10 = p;
    p = f.selectFrom(a11, a15);
    a15 = s.selectFrom(a11, a15);
    a11 = p;
    // rows i and i + 2
    f = FIRST[2];
    s = SECOND[2];
    p = f.selectFrom(a0, a2);
    a2 = s.selectFrom(a0, a2);
    a0 = p;
    p = f.selectFrom(a1, a3);
    a3 = s.selectFrom(a1, a3);
    a1 = p;
    p = f.selectFrom(a4, a6);
    a6 = s.selectFrom(a4, a6);
    a4 = p;
    p = f.selectFrom(a5, a7);
    a7 = s.selectFrom(a5, a7);
    a5 = p;
    p = f.selectFrom(a8, a10);
    a10 = s.selectFrom(a8, a10);
    a8 = p;
    p = f.selectFrom(a9, a11);
    a11 = s.selectFrom(a9, a11);
    a9 = p;
    p = f.selectFrom(a12, a14);
    a14 = s.selectFrom(a12, a14);
    a12 = p;
    p = f.selectFrom(a13, a15);
    a15 = s.selectFrom(a13, a15);
    a13 = p;
    // rows i and i + 1
    f = FIRST[3];
    s = SECOND[3];
    p = f.selectFrom(a0, a1);
    a1 = s.selectFrom(a0, a1);
    a0 = p;
    p = f.selectFrom(a2, a3);
    a3 = s.selectFrom(a2, a3);
    a2 = p;
    p = f.selectFrom(a4, a5);
    a5 = s.selectFrom(a4, a5);
    a4 = p;
    p = f.selectFrom(a6, a7);
    a7 = s.selectFrom(a6, a7);
    a6 = p;
    p = f.selectFrom(a8, a9);
    a9 = s.selectFrom(a8, a9);
    a8 = p;
    p = f.selectFrom(a10, a11);
    a11 = s.selectFrom(a10, a11);
    a10 = p;
    p = f.selectFrom(a12, a13);
    a13 = s.selectFrom(a12, a13);
    a12 = p;
    p = f.selectFrom(a14, a15);
    a15 = s.selectFrom(a14, a15);
    a14 = p;
    int v = N;
    a0.intoArray(t, dst);
    a1.intoArray(t, dst + v);
    a2.intoArray(t, dst + 2 * v);
    a3.intoArray(t, dst + 3 * v);
    a4.intoArray(t, dst + 4 * v);
    a5.intoArray(t, dst + 5 * v);
    a6.intoArray(t, dst + 6 * v);
    a7.intoArray(t, dst + 7 * v);
    a8.intoArray(t, dst + 8 * v);
    a9.intoArray(t, dst + 9 * v);
    a10.intoArray(t, dst + 10 * v);
    a11.intoArray(t, dst + 11 * v);
    a12.intoArray(t, dst + 12 * v);
    a13.intoArray(t, dst + 13 * v);
    a14.intoArray(t, dst + 14 * v);
    a15.intoArray(t, dst + 15 * v);
  }

  /**
   * {@link #transpose} on 8 lanes: three butterfly stages (4, 2, then 1 lanes wide) over 8 rows,
   * from an array ({@code a}) or a segment.
   */
  private static void transpose8(
      MemorySegment x, float[] a, long src, long rowBytes, float[] t, int dst) {
    FloatVector a0 = row(x, a, null, 0, 0, src, rowBytes, 0);
    FloatVector a1 = row(x, a, null, 0, 0, src, rowBytes, 1);
    FloatVector a2 = row(x, a, null, 0, 0, src, rowBytes, 2);
    FloatVector a3 = row(x, a, null, 0, 0, src, rowBytes, 3);
    FloatVector a4 = row(x, a, null, 0, 0, src, rowBytes, 4);
    FloatVector a5 = row(x, a, null, 0, 0, src, rowBytes, 5);
    FloatVector a6 = row(x, a, null, 0, 0, src, rowBytes, 6);
    FloatVector a7 = row(x, a, null, 0, 0, src, rowBytes, 7);
    FloatVector f = FIRST[0];
    FloatVector s = SECOND[0];
    FloatVector p;
    // rows i and i + 4
    p = f.selectFrom(a0, a4);
    a4 = s.selectFrom(a0, a4);
    a0 = p;
    p = f.selectFrom(a1, a5);
    a5 = s.selectFrom(a1, a5);
    a1 = p;
    p = f.selectFrom(a2, a6);
    a6 = s.selectFrom(a2, a6);
    a2 = p;
    p = f.selectFrom(a3, a7);
    a7 = s.selectFrom(a3, a7);
    a3 = p;
    // rows i and i + 2
    f = FIRST[1];
    s = SECOND[1];
    p = f.selectFrom(a0, a2);
    a2 = s.selectFrom(a0, a2);
    a0 = p;
    p = f.selectFrom(a1, a3);
    a3 = s.selectFrom(a1, a3);
    a1 = p;
    p = f.selectFrom(a4, a6);
    a6 = s.selectFrom(a4, a6);
    a4 = p;
    p = f.selectFrom(a5, a7);
    a7 = s.selectFrom(a5, a7);
    a5 = p;
    // rows i and i + 1
    f = FIRST[2];
    s = SECOND[2];
    p = f.selectFrom(a0, a1);
    a1 = s.selectFrom(a0, a1);
    a0 = p;
    p = f.selectFrom(a2, a3);
    a3 = s.selectFrom(a2, a3);
    a2 = p;
    p = f.selectFrom(a4, a5);
    a5 = s.selectFrom(a4, a5);
    a4 = p;
    p = f.selectFrom(a6, a7);
    a7 = s.selectFrom(a6, a7);
    a6 = p;
    a0.intoArray(t, dst);
    a1.intoArray(t, dst + L);
    a2.intoArray(t, dst + 2 * L);
    a3.intoArray(t, dst + 3 * L);
    a4.intoArray(t, dst + 4 * L);
    a5.intoArray(t, dst + 5 * L);
    a6.intoArray(t, dst + 6 * L);
    a7.intoArray(t, dst + 7 * L);
  }

  /**
   * Row i: {@code a[src + L·i]}, {@code rows[from + i] + col} floats into {@code x}, or {@code src
   * + i · rowBytes} bytes.
   */
  private static FloatVector row(
      MemorySegment x, float[] a, long[] rows, int from, long col, long src, long rowBytes, int i) {
    if (a != null) {
      return FloatVector.fromArray(F, a, (int) src + i * L);
    }
    long offset = rows == null ? src + i * rowBytes : (rows[from + i] + col) * Float.BYTES;
    return FloatVector.fromMemorySegment(F, x, offset, LE);
  }
}
