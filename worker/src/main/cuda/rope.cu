// Rotary position embedding, neox / half-rotation style (Hugging Face Llama, Mistral, Qwen2):
// for i < half = headDim/2, (x[i], x[i+half]) -> (x[i]·cos - x[i+half]·sin, x[i+half]·cos + x[i]·sin)
// with cos = cosSin[pos, i] and sin = cosSin[pos, half + i]. The table is precomputed on the host
// (rope scaling lives there).
//
// rope_neox_f32(x, positions, cosSin, heads, headDim, rowStride):
//   x [T, rowStride] F32 in place, head h at columns [h*headDim, (h+1)*headDim);
//   positions [T] int; cosSin [maxPositions, headDim] F32: cos in the first half, sin in the second.
//   Launch block (headDim/2), grid (T, heads).
#include "common.cuh"

extern "C" __global__ void __launch_bounds__(512)
    rope_neox_f32(float* x, const int* positions, const float* cosSin, int heads, int headDim,
                  int rowStride) {
  const int t = blockIdx.x, h = blockIdx.y, i = threadIdx.x;
  const int half = headDim >> 1;
  if (i >= half || h >= heads) return;
  const float* row = cosSin + (size_t)positions[t] * headDim;
  const float c = row[i];
  const float s = row[half + i];
  float* head = x + (size_t)t * rowStride + (size_t)h * headDim;
  const float a = head[i], b = head[i + half];
  head[i] = a * c - b * s;
  head[i + half] = b * c + a * s;
}
