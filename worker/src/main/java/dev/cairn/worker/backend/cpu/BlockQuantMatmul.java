package dev.cairn.worker.backend.cpu;

import static dev.cairn.worker.backend.cpu.VectorSupport.F;

import dev.cairn.worker.backend.QuantBlocks;

/**
 * The layout the Q8_0 and Q4_0 tiles share: each weight row is a run of blocks of {@link
 * QuantBlocks#BLOCK} codes behind an F16 scale, against F32 activations read in vector-sized
 * chunks. It supplies the byte offsets a tile starts from; each dtype keeps its own decode loop and
 * loads, as {@link TiledMatmul} asks.
 */
abstract sealed class BlockQuantMatmul extends TiledMatmul permits Q4Matmul, Q8Matmul {

  static final int L = F.length();

  /** Bytes of a block's F16 scale, which its codes follow. */
  static final long SCALE_BYTES = 2;

  /** Bytes of one block's activations. */
  static final long X_BLOCK = QuantBlocks.BLOCK * (long) Float.BYTES;

  /** Bytes of one vector of activations. */
  static final long X_CHUNK = (long) L * Float.BYTES;

  BlockQuantMatmul() {}

  /**
   * Rows in the first of the two streams a one-token step walks side by side (the Q8_0 and Q4_0
   * {@code decode}): the range's first half, the middle row of an odd range with it. A core
   * streamed Q8_0 rows from memory 30–40% faster as two sequential streams than as one (the
   * prefetcher keeps both going), and a pair's independent chains and shared activation loads widen
   * blocks 22 → 31 GFMA/s in cache, where one row's chain of block sums is the limit. Each dtype
   * walks the pairs in its own loop: with one shared loop calling either dtype's pair, C2 sometimes
   * recompiled it for the second dtype without intrinsifying the vector operations (Q8_0 decode 4
   * tok/s instead of 50–67 after a Q4_0 run in the same JVM).
   */
  static int firstStream(int r0, int r1) {
    return (r1 - r0 + 1) / 2;
  }

  /** Blocks in a weight row. */
  static long blocks(Operands s) {
    return s.in() / QuantBlocks.BLOCK;
  }

  /** Bytes of one weight row of blocks of {@code blockBytes}. */
  static long rowBytes(Operands s, long blockBytes) {
    return blocks(s) * blockBytes;
  }

  /** Bytes of one token's activations. */
  static long xRowBytes(Operands s) {
    return (long) s.in() * Float.BYTES;
  }
}
