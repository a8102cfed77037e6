// Weight mat-mul for a batch of tokens: Y[T,out] = X[T,in] · W[out,in]ᵀ, X and Y in F32, W in
// F32/BF16/F16 or GGUF Q8_0/Q4_0 blocks (Hugging Face Linear layout), F32 accumulation.
//
// matmul_gemv_<dtype>(x, w, y, T, in, out): the decode kernel. Each warp owns 4 output rows when
//   T <= 4, else one, and streams them once for all T tokens (T <= GEMV_MAX_T = 16), so a decode
//   step of a batch costs one pass over the weights. Launch: block (256), grid (ceil(out / 32))
//   when T <= 4, else (ceil(out / 8)); no dynamic shared memory. Uses 16-byte loads when in is a
//   multiple of 16 bytes worth of W and both pointers are 16-byte aligned, scalar loads otherwise.
// matmul_tiled_<dtype>(x, w, y, T, in, out): the prefill kernel, 64x64 output tiles, K-steps of 16,
//   each thread computing a 4x4 block. Launch: block (256), grid (ceil(out / 64), ceil(T / 64)).
// matmul_gemv_q8_0 / _q4_0 and matmul_tiled_q8_0 / _q4_0: the same two kernels (same launches) for
//   GGUF Q8_0 / Q4_0 weights: each row of W is in/32 blocks of an F16 scale d then 32 int8 codes
//   (weight = d*q) or 16 bytes whose low nibbles are weights 0-15 and high nibbles 16-31 (weight =
//   d*(q-8)). The GEMV gives each lane whole blocks and applies d once per block.
#include "common.cuh"

#define GEMV_MAX_T 16
#define GEMV_WARPS 8

// One warp computes R output rows for up to MT tokens. Each lane keeps R * U independent 16-byte
// weight loads in flight (U chunks of each row) and reuses every x chunk across the R rows: one
// row per warp with one load at a time left a decode GEMV at 0.30-0.37 of the H200's copy
// bandwidth (GpuBench), latency-bound rather than bandwidth-bound.
template <typename W, int R, int U, int MT>
__device__ __forceinline__ void gemv_rows(const float* __restrict__ x, const W* __restrict__ w,
                                          float* __restrict__ y, int T, int in, int out) {
  constexpr int VEC = 16 / sizeof(W);
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  const int o0 = (blockIdx.x * GEMV_WARPS + warp) * R;
  if (o0 >= out) return;
  float acc[R][MT];
#pragma unroll
  for (int r = 0; r < R; r++)
#pragma unroll
    for (int t = 0; t < MT; t++) acc[r][t] = 0.f;
  const bool vectorized = (in % VEC) == 0 && (in % 4) == 0 &&
                          (((uintptr_t)w | (uintptr_t)x) & 15) == 0;
  if (vectorized) {
    const int chunks = in / VEC;
    const uint4* rows4[R];
#pragma unroll
    for (int r = 0; r < R; r++) {
      const int o = min(o0 + r, out - 1);  // a tail warp re-reads the last row; its sums are dropped
      rows4[r] = reinterpret_cast<const uint4*>(w + (size_t)o * in);
    }
    for (int c0 = lane; c0 < chunks; c0 += 32 * U) {
      uint4 raw[R][U];
#pragma unroll
      for (int u = 0; u < U; u++) {
        const int c = c0 + 32 * u;
#pragma unroll
        for (int r = 0; r < R; r++) raw[r][u] = c < chunks ? __ldg(rows4[r] + c) : make_uint4(0, 0, 0, 0);
      }
#pragma unroll
      for (int u = 0; u < U; u++) {
        const int c = c0 + 32 * u;
        if (c >= chunks) break;
        const int k0 = c * VEC;
#pragma unroll
        for (int t = 0; t < MT; t++) {
          if (t < T) {
            float xf[VEC];
            const float4* xr = reinterpret_cast<const float4*>(x + (size_t)t * in + k0);
#pragma unroll
            for (int i = 0; i < VEC / 4; i++) {
              const float4 xv = xr[i];
              xf[4 * i] = xv.x;
              xf[4 * i + 1] = xv.y;
              xf[4 * i + 2] = xv.z;
              xf[4 * i + 3] = xv.w;
            }
#pragma unroll
            for (int r = 0; r < R; r++) {
              const W* wv = reinterpret_cast<const W*>(&raw[r][u]);
              float s = 0.f;
#pragma unroll
              for (int i = 0; i < VEC; i++) s += to_float(wv[i]) * xf[i];
              acc[r][t] += s;
            }
          }
        }
      }
    }
  } else {
#pragma unroll
    for (int r = 0; r < R; r++) {
      const int o = min(o0 + r, out - 1);
      const W* row = w + (size_t)o * in;
      for (int k = lane; k < in; k += 32) {
        const float wf = to_float(row[k]);
#pragma unroll
        for (int t = 0; t < MT; t++) {
          if (t < T) acc[r][t] += wf * x[(size_t)t * in + k];
        }
      }
    }
  }
#pragma unroll
  for (int r = 0; r < R; r++) {
#pragma unroll
    for (int t = 0; t < MT; t++) {
      if (t < T) {
        const float s = warp_sum(acc[r][t]);
        if (lane == 0 && o0 + r < out) y[(size_t)t * out + o0 + r] = s;
      }
    }
  }
}

// The launch's rows per warp follow T (GEMV_FEW_T or fewer tokens: GEMV_FEW_ROWS rows per warp),
// and CudaOps sizes the grid by the same rule: ceil(out / (GEMV_WARPS * rows per warp)).
#define GEMV_FEW_T 4
#define GEMV_FEW_ROWS 4

template <typename W>
__device__ __forceinline__ void gemv_body(const float* __restrict__ x, const W* __restrict__ w,
                                          float* __restrict__ y, int T, int in, int out) {
  if (T <= GEMV_FEW_T) {
    gemv_rows<W, GEMV_FEW_ROWS, 2, GEMV_FEW_T>(x, w, y, T, in, out);
  } else {
    gemv_rows<W, 1, 2, GEMV_MAX_T>(x, w, y, T, in, out);
  }
}

// GGUF blocks; 2-byte alignment, so the scale loads as one ushort.
struct q8_0_block {
  unsigned short d;
  signed char qs[32];
};
struct q4_0_block {
  unsigned short d;
  unsigned char qs[16];
};

__device__ __forceinline__ float block_scale(unsigned short d) {
  return __half2float(__ushort_as_half(d));
}

// The 32 codes of a block, as the integers its scale multiplies.
__device__ __forceinline__ void block_codes(const q8_0_block& b, float* q) {
#pragma unroll
  for (int j = 0; j < 32; j++) q[j] = (float)b.qs[j];
}
__device__ __forceinline__ void block_codes(const q4_0_block& b, float* q) {
#pragma unroll
  for (int j = 0; j < 16; j++) {
    const int p = b.qs[j];
    q[j] = (float)((p & 15) - 8);
    q[j + 16] = (float)((p >> 4) - 8);
  }
}

template <typename B>
__device__ __forceinline__ void gemv_quant_body(const float* __restrict__ x,
                                                const B* __restrict__ w, float* __restrict__ y,
                                                int T, int in, int out) {
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  const int o = blockIdx.x * GEMV_WARPS + warp;
  if (o >= out) return;
  float acc[GEMV_MAX_T];
#pragma unroll
  for (int t = 0; t < GEMV_MAX_T; t++) acc[t] = 0.f;
  const int blocks = in / 32;
  const B* row = w + (size_t)o * blocks;
  for (int b = lane; b < blocks; b += 32) {
    const B blk = row[b];
    const float d = block_scale(blk.d);
    float q[32];
    block_codes(blk, q);
#pragma unroll
    for (int t = 0; t < GEMV_MAX_T; t++) {
      if (t < T) {
        const float* xr = x + (size_t)t * in + b * 32;
        float s = 0.f;
#pragma unroll
        for (int j = 0; j < 32; j++) s += q[j] * xr[j];
        acc[t] += d * s;
      }
    }
  }
#pragma unroll
  for (int t = 0; t < GEMV_MAX_T; t++) {
    if (t < T) {
      const float s = warp_sum(acc[t]);
      if (lane == 0) y[(size_t)t * out + o] = s;
    }
  }
}

// Weight (n, k) of W as F32: plain dtypes widen, block types dequantize.
template <typename W>
__device__ __forceinline__ float weight_at(const W* w, int n, int in, int k) {
  return to_float(w[(size_t)n * in + k]);
}
__device__ __forceinline__ float weight_at(const q8_0_block* w, int n, int in, int k) {
  const q8_0_block& b = w[(size_t)n * (in / 32) + k / 32];
  return block_scale(b.d) * (float)b.qs[k % 32];
}
__device__ __forceinline__ float weight_at(const q4_0_block* w, int n, int in, int k) {
  const q4_0_block& b = w[(size_t)n * (in / 32) + k / 32];
  const int j = k % 32;
  const int p = b.qs[j % 16];
  return block_scale(b.d) * (float)((j < 16 ? (p & 15) : (p >> 4)) - 8);
}

#define TILE_M 64
#define TILE_N 64
#define TILE_K 16

template <typename W>
__device__ __forceinline__ void tiled_body(const float* __restrict__ x, const W* __restrict__ w,
                                           float* __restrict__ y, int T, int in, int out) {
  // xs[k][m]: X tile transposed; ws[k][n]: W tile transposed, both F32.
  __shared__ float xs[TILE_K][TILE_M + 4];
  __shared__ float ws[TILE_K][TILE_N + 4];
  const int tid = threadIdx.x;
  const int tx = tid % 16, ty = tid / 16;
  const int m0 = blockIdx.y * TILE_M, n0 = blockIdx.x * TILE_N;
  float acc[4][4];
#pragma unroll
  for (int i = 0; i < 4; i++)
#pragma unroll
    for (int j = 0; j < 4; j++) acc[i][j] = 0.f;

  for (int k0 = 0; k0 < in; k0 += TILE_K) {
#pragma unroll
    for (int i = 0; i < 4; i++) {
      const int idx = tid + i * 256;  // 0..1023 over a 64x16 tile
      const int r = idx / TILE_K, c = idx % TILE_K;
      const int gk = k0 + c;
      const int gm = m0 + r, gn = n0 + r;
      xs[c][r] = (gm < T && gk < in) ? x[(size_t)gm * in + gk] : 0.f;
      ws[c][r] = (gn < out && gk < in) ? weight_at(w, gn, in, gk) : 0.f;
    }
    __syncthreads();
#pragma unroll
    for (int k = 0; k < TILE_K; k++) {
      float a[4], b[4];
#pragma unroll
      for (int i = 0; i < 4; i++) a[i] = xs[k][ty * 4 + i];
#pragma unroll
      for (int j = 0; j < 4; j++) b[j] = ws[k][tx * 4 + j];
#pragma unroll
      for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 4; j++) acc[i][j] += a[i] * b[j];
    }
    __syncthreads();
  }
#pragma unroll
  for (int i = 0; i < 4; i++) {
    const int gm = m0 + ty * 4 + i;
    if (gm >= T) continue;
#pragma unroll
    for (int j = 0; j < 4; j++) {
      const int gn = n0 + tx * 4 + j;
      if (gn < out) y[(size_t)gm * out + gn] = acc[i][j];
    }
  }
}

#define MATMUL_ENTRIES(SUFFIX, WT)                                                               \
  extern "C" __global__ void __launch_bounds__(256)                                              \
      matmul_gemv_##SUFFIX(const float* x, const WT* w, float* y, int T, int in, int out) {     \
    gemv_body<WT>(x, w, y, T, in, out);                                                         \
  }                                                                                              \
  extern "C" __global__ void __launch_bounds__(256)                                              \
      matmul_tiled_##SUFFIX(const float* x, const WT* w, float* y, int T, int in, int out) {    \
    tiled_body<WT>(x, w, y, T, in, out);                                                        \
  }

MATMUL_ENTRIES(f32, float)
MATMUL_ENTRIES(bf16, __nv_bfloat16)
MATMUL_ENTRIES(f16, __half)

#define QUANT_MATMUL_ENTRIES(SUFFIX, BT)                                                         \
  extern "C" __global__ void __launch_bounds__(256)                                              \
      matmul_gemv_##SUFFIX(const float* x, const BT* w, float* y, int T, int in, int out) {     \
    gemv_quant_body<BT>(x, w, y, T, in, out);                                                   \
  }                                                                                              \
  extern "C" __global__ void __launch_bounds__(256)                                              \
      matmul_tiled_##SUFFIX(const float* x, const BT* w, float* y, int T, int in, int out) {    \
    tiled_body<BT>(x, w, y, T, in, out);                                                        \
  }

QUANT_MATMUL_ENTRIES(q8_0, q8_0_block)
QUANT_MATMUL_ENTRIES(q4_0, q4_0_block)
