// Paged attention over a block-table KV cache, with grouped-query attention (GQA).
//
// Cache layout, per layer: kCache/vCache [numBlocks, blockSize, kvHeads, headDim] in F32 or BF16
// (the _<kv> suffix). A token's slot is block * blockSize + offset.
//
// kv_write_<kv>(kCache, vCache, k, v, slots, kvDim, kStride, vStride):
//   k/v [T, stride] F32 (the first kvDim = kvHeads*headDim columns are used), slots [T] int;
//   writes row t into slot slots[t]. Launch block (256), grid (T).
//
// paged_attention_<kv>(out, q, kCache, vCache, blockTables, tokenSeq, tokenPos, scale, heads,
//                      kvHeads, headDim, blockSize, maxBlocksPerSeq, qStride, outStride):
//   q [T, qStride] F32 (head h at columns [h*headDim, (h+1)*headDim)), out [T, outStride] F32;
//   blockTables [numSeqs, maxBlocksPerSeq] int; tokenSeq [T] int: the row of blockTables of token
//   t's sequence; tokenPos [T] int: token t's absolute position. Token t attends to positions
//   [0, tokenPos[t]] of its sequence (causal), so one launch serves decode steps and prefill chunks
//   mixed in a batch; the chunk's own keys must have been written by kv_write first.
//   Softmax is computed online (running max and sum) over tiles of ATT_TILE keys, so any context
//   length runs in fixed shared memory. Query head h reads KV head h / (heads / kvHeads).
//   Launch block (256; blockDim >= headDim, headDim <= 256), grid (T, heads), dynamic shared
//   memory (headDim + 2 * ATT_TILE + blockDim) * 4 bytes.
#include "common.cuh"

#define ATT_TILE 64

template <typename KV>
__device__ __forceinline__ void kv_write_body(KV* kCache, KV* vCache, const float* k, const float* v,
                                              const int* slots, int kvDim, int kStride, int vStride) {
  const int t = blockIdx.x;
  const size_t slot = (size_t)slots[t];
  KV* kd = kCache + slot * kvDim;
  KV* vd = vCache + slot * kvDim;
  const float* ks = k + (size_t)t * kStride;
  const float* vs = v + (size_t)t * vStride;
  for (int i = threadIdx.x; i < kvDim; i += blockDim.x) {
    kd[i] = from_float<KV>(ks[i]);
    vd[i] = from_float<KV>(vs[i]);
  }
}

template <typename KV>
__device__ __forceinline__ void attention_body(float* out, const float* q, const KV* kCache, const KV* vCache,
                                               const int* blockTables, const int* tokenSeq, const int* tokenPos,
                                               float scale, int heads, int kvHeads, int headDim, int blockSize,
                                               int maxBlocksPerSeq, int qStride, int outStride) {
  extern __shared__ float smem[];
  float* qs = smem;                                 // [headDim] query, pre-scaled
  float* ps = qs + headDim;                         // [ATT_TILE] scores, then probabilities
  int* sl = reinterpret_cast<int*>(ps + ATT_TILE);  // [ATT_TILE] cache slots of the tile's keys
  float* part = ps + 2 * ATT_TILE;                  // [blockDim] per-group partial outputs
  const int t = blockIdx.x, h = blockIdx.y, tid = threadIdx.x;
  const int warp = tid >> 5, lane = tid & 31, warps = blockDim.x >> 5;
  // The value phase splits the tile's keys over G groups of headDim threads: one thread per output
  // dim walking all 64 keys was a chain of dependent loads, 120 µs per decode call on an H200.
  const int groups = blockDim.x / headDim, g = tid / headDim, d = tid % headDim;
  const int kvh = h / (heads / kvHeads);
  const size_t kvDim = (size_t)kvHeads * headDim;
  const int* table = blockTables + (size_t)tokenSeq[t] * maxBlocksPerSeq;
  const int context = tokenPos[t] + 1;

  for (int i = tid; i < headDim; i += blockDim.x) qs[i] = q[(size_t)t * qStride + (size_t)h * headDim + i] * scale;

  float m = -INFINITY, l = 0.f, acc = 0.f;  // running max, running sum, this thread's partial output
  for (int base = 0; base < context; base += ATT_TILE) {
    const int n = min(ATT_TILE, context - base);
    for (int j = tid; j < n; j += blockDim.x) {
      const int pos = base + j;
      sl[j] = table[pos / blockSize] * blockSize + pos % blockSize;
    }
    __syncthreads();  // slots (and, on the first tile, the query) are visible
    for (int j = warp; j < n; j += warps) {  // one warp per key: coalesced reads along headDim
      const KV* kr = kCache + (size_t)sl[j] * kvDim + (size_t)kvh * headDim;
      float s = 0.f;
      for (int i = lane; i < headDim; i += 32) s += qs[i] * to_float(kr[i]);
      s = warp_sum(s);
      if (lane == 0) ps[j] = s;
    }
    __syncthreads();
    // Every warp reduces the tile's scores itself (ATT_TILE = 64 = two per lane): no extra barrier.
    float tileMax = fmaxf(lane < n ? ps[lane] : -INFINITY, lane + 32 < n ? ps[lane + 32] : -INFINITY);
    tileMax = warp_max(tileMax);
    const float mNew = fmaxf(m, tileMax);
    const float correction = expf(m - mNew);  // 0 on the first tile (m = -inf)
    __syncthreads();  // every warp has read the raw scores
    for (int j = tid; j < n; j += blockDim.x) ps[j] = expf(ps[j] - mNew);
    __syncthreads();
    float tileSum = (lane < n ? ps[lane] : 0.f) + (lane + 32 < n ? ps[lane + 32] : 0.f);
    tileSum = warp_sum(tileSum);
    l = l * correction + tileSum;
    if (g < groups) {
      float a = acc * correction;
      const KV* vcol = vCache + (size_t)kvh * headDim + d;
#pragma unroll 4
      for (int j = g; j < n; j += groups) a += ps[j] * to_float(vcol[(size_t)sl[j] * kvDim]);
      acc = a;
    }
    m = mNew;
    __syncthreads();  // ps and sl are rewritten by the next tile
  }
  if (g < groups) part[g * headDim + d] = acc;
  __syncthreads();
  if (tid < headDim) {
    float sum = 0.f;
    for (int k = 0; k < groups; k++) sum += part[k * headDim + tid];
    out[(size_t)t * outStride + (size_t)h * headDim + tid] = sum / l;
  }
}

#define ATTENTION_ENTRIES(SUFFIX, KV)                                                                  \
  extern "C" __global__ void kv_write_##SUFFIX(KV* kCache, KV* vCache, const float* k, const float* v, \
                                               const int* slots, int kvDim, int kStride, int vStride) { \
    kv_write_body<KV>(kCache, vCache, k, v, slots, kvDim, kStride, vStride);                          \
  }                                                                                                    \
  extern "C" __global__ void __launch_bounds__(256) paged_attention_##SUFFIX(                          \
      float* out, const float* q, const KV* kCache, const KV* vCache, const int* blockTables,          \
      const int* tokenSeq, const int* tokenPos, float scale, int heads, int kvHeads, int headDim,      \
      int blockSize, int maxBlocksPerSeq, int qStride, int outStride) {                                \
    attention_body<KV>(out, q, kCache, vCache, blockTables, tokenSeq, tokenPos, scale, heads, kvHeads, \
                       headDim, blockSize, maxBlocksPerSeq, qStride, outStride);                       \
  }

ATTENTION_ENTRIES(f32, float)
ATTENTION_ENTRIES(bf16, __nv_bfloat16)
