// RMSNorm over rows: out[t,:] = x[t,:] / sqrt(mean(x[t,:]²) + eps) * weight[:], all F32 (norm
// weights are tiny and uploaded as F32 whatever the model dtype).
//
// rmsnorm_f32(out, x, weight, eps, dim): launch block (256), grid (T); out may alias x.
#include "common.cuh"

extern "C" __global__ void __launch_bounds__(1024)
    rmsnorm_f32(float* out, const float* x, const float* weight, float eps, int dim) {
  const float* row = x + (size_t)blockIdx.x * dim;
  float* dst = out + (size_t)blockIdx.x * dim;
  float ss = 0.f;
  for (int i = threadIdx.x; i < dim; i += blockDim.x) {
    const float v = row[i];
    ss += v * v;
  }
  const float inv = rsqrtf(block_sum(ss) / (float)dim + eps);
  for (int i = threadIdx.x; i < dim; i += blockDim.x) dst[i] = row[i] * inv * weight[i];
}
