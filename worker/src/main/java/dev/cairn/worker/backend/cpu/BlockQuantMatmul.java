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
