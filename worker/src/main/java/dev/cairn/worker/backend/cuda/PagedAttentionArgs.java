package dev.cairn.worker.backend.cuda;

import jcuda.driver.CUdeviceptr;

/**
 * Arguments of one paged-attention launch (see {@code attention.cu}).
 *
 * @param out [T, outStride] F32 attention output
 * @param q [T, qStride] F32 queries, head h at columns [h·headDim, (h+1)·headDim)
 * @param kCache [numBlocks, blockSize, kvHeads, headDim] keys of one layer
 * @param vCache same layout, values
 * @param cacheType F32 or BF16
 * @param blockTables [numSeqs, maxBlocksPerSeq] int block ids
 * @param tokenSeq [T] int: row of blockTables for each token
 * @param tokenPos [T] int: absolute position of each token (attends to [0, pos])
 * @param scale 1/sqrt(headDim) usually
 * @param tokens T
 * @param heads query heads
 * @param kvHeads key/value heads (GQA: heads is a multiple)
 * @param headDim head size, at most 256
 * @param blockSize tokens per KV block
 * @param maxBlocksPerSeq row length of blockTables
 * @param qStride row stride of q in floats
 * @param outStride row stride of out in floats
 */
public record PagedAttentionArgs(
    CUdeviceptr out,
    CUdeviceptr q,
    CUdeviceptr kCache,
    CUdeviceptr vCache,
    DeviceType cacheType,
    CUdeviceptr blockTables,
    CUdeviceptr tokenSeq,
    CUdeviceptr tokenPos,
    float scale,
    int tokens,
    int heads,
    int kvHeads,
    int headDim,
    int blockSize,
    int maxBlocksPerSeq,
    int qStride,
    int outStride) {}
