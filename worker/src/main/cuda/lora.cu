// LoRA deltas for a batch of rows that use different adapters, one adapter (slot) per launch pair,
// so each adapter's A and B stream once per step (punica / S-LoRA's shrink-then-expand split).
// x, tmp and out are F32; A and B^T are F32, BF16 or F16 (the adapter checkpoint's dtype, kept by
// LoraWeights; widened as read). rows[] holds the row indices (into x and out) of the slot's R rows.
//
// lora_shrink_<dtype>(tmp, x, a, rows, R, in, r): tmp[i, j] = x[rows[i], :] . a[j, :], a [r, in],
//   tmp [R, r]. One warp per (i, j). Launch: block (256), grid (ceil(R * r / 8)).
// lora_expand_<dtype>(out, tmp, bT, rows, R, r, outDim, scale):
//   out[rows[i], c] += scale * sum_j tmp[i, j] * bT[j, c], bT [r, outDim] (B transposed, so the
//   threads of a block read consecutive columns). Launch: block (256), grid (ceil(outDim / 256), R).
#include "common.cuh"

template <typename W>
__device__ __forceinline__ void shrink_body(float* __restrict__ tmp, const float* __restrict__ x,
                                            const W* __restrict__ a, const int* __restrict__ rows,
                                            int R, int in, int r) {
  const int item = blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
  const int lane = threadIdx.x & 31;
  if (item >= R * r) return;  // whole warps leave together, so warp_sum below stays converged
  const int i = item / r, j = item % r;
  const float* xr = x + (size_t)rows[i] * in;
  const W* ar = a + (size_t)j * in;
  float s = 0.f;
  for (int k = lane; k < in; k += 32) s += xr[k] * to_float(ar[k]);
  s = warp_sum(s);
  if (lane == 0) tmp[item] = s;
}

template <typename W>
__device__ __forceinline__ void expand_body(float* __restrict__ out, const float* __restrict__ tmp,
                                            const W* __restrict__ bT, const int* __restrict__ rows,
                                            int R, int r, int outDim, float scale) {
  const int c = blockIdx.x * blockDim.x + threadIdx.x;
  const int i = blockIdx.y;
  if (c >= outDim || i >= R) return;
  const float* t = tmp + (size_t)i * r;
  float acc = 0.f;
  for (int j = 0; j < r; j++) acc += t[j] * to_float(bT[(size_t)j * outDim + c]);
  out[(size_t)rows[i] * outDim + c] += scale * acc;
}

extern "C" __global__ void lora_shrink_f32(float* tmp, const float* x, const float* a, const int* rows,
                                           int R, int in, int r) {
  shrink_body(tmp, x, a, rows, R, in, r);
}
extern "C" __global__ void lora_expand_f32(float* out, const float* tmp, const float* bT, const int* rows,
                                           int R, int r, int outDim, float scale) {
  expand_body(out, tmp, bT, rows, R, r, outDim, scale);
}
extern "C" __global__ void lora_shrink_bf16(float* tmp, const float* x, const __nv_bfloat16* a, const int* rows,
                                           int R, int in, int r) {
  shrink_body(tmp, x, a, rows, R, in, r);
}
extern "C" __global__ void lora_expand_bf16(float* out, const float* tmp, const __nv_bfloat16* bT, const int* rows,
                                           int R, int r, int outDim, float scale) {
  expand_body(out, tmp, bT, rows, R, r, outDim, scale);
}
extern "C" __global__ void lora_shrink_f16(float* tmp, const float* x, const __half* a, const int* rows,
                                           int R, int in, int r) {
  shrink_body(tmp, x, a, rows, R, in, r);
}
extern "C" __global__ void lora_expand_f16(float* out, const float* tmp, const __half* bT, const int* rows,
                                           int R, int r, int outDim, float scale) {
  expand_body(out, tmp, bT, rows, R, r, outDim, scale);
}
