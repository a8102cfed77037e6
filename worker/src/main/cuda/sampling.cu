// Logits post-processing for sampling, one block per row of logits [rows, vocab] F32.
//
// logits_scale_f32(logits, invTemperature, vocab): logits[r,:] *= invTemperature[r] (1/T per request;
//   greedy rows pass 1). Launch block (256), grid (rows).
// argmax_f32(logits, outIndex, outMax, vocab): outIndex[r] = the first index of the row's maximum,
//   outMax[r] = that maximum. Launch block (256), grid (rows).
// softmax_f32(logits, vocab): the row replaced by softmax(row), max-subtracted. Launch block (256),
//   grid (rows).
#include "common.cuh"

extern "C" __global__ void logits_scale_f32(float* logits, const float* invTemperature, int vocab) {
  float* row = logits + (size_t)blockIdx.x * vocab;
  const float s = invTemperature[blockIdx.x];
  for (int i = threadIdx.x; i < vocab; i += blockDim.x) row[i] *= s;
}

extern "C" __global__ void __launch_bounds__(1024)
    argmax_f32(const float* logits, int* outIndex, float* outMax, int vocab) {
  __shared__ float bestV[32];
  __shared__ int bestI[32];
  const float* row = logits + (size_t)blockIdx.x * vocab;
  float v = -INFINITY;
  int idx = 0x7fffffff;
  for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
    const float x = row[i];
    if (x > v) {  // strided ascending scan: the first maximum of this thread's slice wins
      v = x;
      idx = i;
    }
  }
  // Ties resolve to the smaller index, as a sequential first-max scan would.
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) {
    const float ov = __shfl_xor_sync(0xffffffffu, v, o);
    const int oi = __shfl_xor_sync(0xffffffffu, idx, o);
    if (ov > v || (ov == v && oi < idx)) {
      v = ov;
      idx = oi;
    }
  }
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = (blockDim.x + 31) >> 5;
  if (lane == 0) {
    bestV[warp] = v;
    bestI[warp] = idx;
  }
  __syncthreads();
  if (threadIdx.x == 0) {
    for (int w = 1; w < warps; w++) {
      if (bestV[w] > v || (bestV[w] == v && bestI[w] < idx)) {
        v = bestV[w];
        idx = bestI[w];
      }
    }
    // A row of NaN/-inf only: report index 0 rather than an out-of-range sentinel.
    outIndex[blockIdx.x] = idx == 0x7fffffff ? 0 : idx;
    outMax[blockIdx.x] = v;
  }
}

extern "C" __global__ void __launch_bounds__(1024) softmax_f32(float* logits, int vocab) {
  float* row = logits + (size_t)blockIdx.x * vocab;
  float m = -INFINITY;
  for (int i = threadIdx.x; i < vocab; i += blockDim.x) m = fmaxf(m, row[i]);
  m = block_max(m);
  float s = 0.f;
  for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
    const float e = expf(row[i] - m);
    row[i] = e;
    s += e;
  }
  const float inv = 1.f / block_sum(s);
  for (int i = threadIdx.x; i < vocab; i += blockDim.x) row[i] *= inv;
}
