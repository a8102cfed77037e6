// Dtype conversion on device (weights arrive as F32/BF16/F16; the KV cache may be BF16).
// f32_to_bf16 / f32_to_f16 round to nearest even; bf16_to_f32 / f16_to_f32 are exact.
// Launch: block (256), grid (min(ceil(n / 256), 65535)); grid-stride loop covers any n.
#include "common.cuh"

#define GRID_STRIDE(i, n) \
  for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < (size_t)(n); i += (size_t)blockDim.x * gridDim.x)

extern "C" __global__ void f32_to_bf16(__nv_bfloat16* out, const float* in, long long n) {
  GRID_STRIDE(i, n) { out[i] = __float2bfloat16_rn(in[i]); }
}
extern "C" __global__ void bf16_to_f32(float* out, const __nv_bfloat16* in, long long n) {
  GRID_STRIDE(i, n) { out[i] = __bfloat162float(in[i]); }
}
extern "C" __global__ void f32_to_f16(__half* out, const float* in, long long n) {
  GRID_STRIDE(i, n) { out[i] = __float2half_rn(in[i]); }
}
extern "C" __global__ void f16_to_f32(float* out, const __half* in, long long n) {
  GRID_STRIDE(i, n) { out[i] = __half2float(in[i]); }
}
