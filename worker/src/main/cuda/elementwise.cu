// Element-wise and gather kernels of a transformer layer, all F32 activations.
//
// swiglu_f32(out, gate, up, n): out[i] = silu(gate[i]) * up[i]. out may alias gate or up.
// add_f32(x, y, n): x[i] += y[i] (residual add).
// bias_add_f32(y, bias, rows, cols): y[r, c] += bias[c], y [rows, cols].
// gather_rows_f32(out, in, rows, R, dim): out[r,:] = in[rows[r],:] (last positions for logits).
//   Launch for the four above: block (256), grid (min(ceil(n / 256), 65535)) with n = element
//   count; each kernel loops with a grid stride so any n is covered.
// embedding_<dtype>(out, table, ids, dim, vocab): out[t,:] = table[ids[t],:] widened to F32; an id
//   outside [0, vocab) yields a zero row (the host validates ids first). Launch block (256), grid (T).
#include "common.cuh"

#define GRID_STRIDE(i, n) \
  for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < (size_t)(n); i += (size_t)blockDim.x * gridDim.x)

extern "C" __global__ void swiglu_f32(float* out, const float* gate, const float* up, long long n) {
  GRID_STRIDE(i, n) {
    const float g = gate[i];
    out[i] = g / (1.f + expf(-g)) * up[i];
  }
}

extern "C" __global__ void add_f32(float* x, const float* y, long long n) {
  GRID_STRIDE(i, n) { x[i] += y[i]; }
}

extern "C" __global__ void bias_add_f32(float* y, const float* bias, int rows, int cols) {
  GRID_STRIDE(i, (long long)rows * cols) { y[i] += bias[i % cols]; }
}

extern "C" __global__ void gather_rows_f32(float* out, const float* in, const int* rows, int R, int dim) {
  GRID_STRIDE(i, (long long)R * dim) {
    const size_t r = i / dim, c = i % dim;
    out[i] = in[(size_t)rows[r] * dim + c];
  }
}

template <typename W>
__device__ __forceinline__ void embedding_body(float* out, const W* table, const int* ids, int dim, int vocab) {
  const int t = blockIdx.x;
  const int id = ids[t];
  float* dst = out + (size_t)t * dim;
  const bool valid = id >= 0 && id < vocab;
  const W* src = table + (size_t)(valid ? id : 0) * dim;
  for (int i = threadIdx.x; i < dim; i += blockDim.x) dst[i] = valid ? to_float(src[i]) : 0.f;
}

extern "C" __global__ void embedding_f32(float* out, const float* table, const int* ids, int dim, int vocab) {
  embedding_body(out, table, ids, dim, vocab);
}
extern "C" __global__ void embedding_bf16(float* out, const __nv_bfloat16* table, const int* ids, int dim, int vocab) {
  embedding_body(out, table, ids, dim, vocab);
}
extern "C" __global__ void embedding_f16(float* out, const __half* table, const int* ids, int dim, int vocab) {
  embedding_body(out, table, ids, dim, vocab);
}
