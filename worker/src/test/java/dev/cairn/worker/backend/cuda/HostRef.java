package dev.cairn.worker.backend.cuda;

/** Plain-Java references of the kernels, computed in double where it matters. */
final class HostRef {

  private HostRef() {}

  static short toBf16(float f) {
    int bits = Float.floatToRawIntBits(f);
    if (Float.isNaN(f)) {
      return (short) 0x7fc0;
    }
    bits += 0x7fff + ((bits >>> 16) & 1); // round to nearest even
    return (short) (bits >>> 16);
  }

  static float fromBf16(short s) {
    return Float.intBitsToFloat((s & 0xffff) << 16);
  }

  /** The value the device sees after storing {@code v} in {@code type}. */
  static float round(float v, DeviceType type) {
    return switch (type) {
      case F32 -> v;
      case BF16 -> fromBf16(toBf16(v));
      case F16 -> Float.float16ToFloat(Float.floatToFloat16(v));
    };
  }

  static float[] round(float[] v, DeviceType type) {
    float[] r = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      r[i] = round(v[i], type);
    }
    return r;
  }

  /** y[T,out] = x[T,in] · w[out,in]ᵀ. */
  static float[] matmul(float[] x, float[] w, int tokens, int in, int out) {
    float[] y = new float[tokens * out];
    for (int t = 0; t < tokens; t++) {
      for (int o = 0; o < out; o++) {
        double s = 0;
        for (int k = 0; k < in; k++) {
          s += (double) x[t * in + k] * w[o * in + k];
        }
        y[t * out + o] = (float) s;
      }
    }
    return y;
  }

  /** Σ|x·w| per output: the scale matmul rounding error is relative to. */
  static float[] matmulMagnitude(float[] x, float[] w, int tokens, int in, int out) {
    float[] y = new float[tokens * out];
    for (int t = 0; t < tokens; t++) {
      for (int o = 0; o < out; o++) {
        double s = 0;
        for (int k = 0; k < in; k++) {
          s += Math.abs((double) x[t * in + k] * w[o * in + k]);
        }
        y[t * out + o] = (float) s;
      }
    }
    return y;
  }

  static float[] rmsNorm(float[] x, float[] w, float eps, int tokens, int dim) {
    float[] y = new float[x.length];
    for (int t = 0; t < tokens; t++) {
      double ss = 0;
      for (int i = 0; i < dim; i++) {
        ss += (double) x[t * dim + i] * x[t * dim + i];
      }
      double inv = 1.0 / Math.sqrt(ss / dim + eps);
      for (int i = 0; i < dim; i++) {
        y[t * dim + i] = (float) (x[t * dim + i] * inv * w[i]);
      }
    }
    return y;
  }

  /** Neox RoPE over x[T, stride] heads, in a copy. */
  static float[] rope(
      float[] x,
      int[] pos,
      float[] cos,
      float[] sin,
      int tokens,
      int heads,
      int headDim,
      int stride) {
    float[] y = x.clone();
    int half = headDim / 2;
    for (int t = 0; t < tokens; t++) {
      for (int h = 0; h < heads; h++) {
        int base = t * stride + h * headDim;
        for (int i = 0; i < half; i++) {
          float c = cos[pos[t] * half + i];
          float s = sin[pos[t] * half + i];
          float a = x[base + i];
          float b = x[base + i + half];
          y[base + i] = a * c - b * s;
          y[base + i + half] = b * c + a * s;
        }
      }
    }
    return y;
  }

  /** Causal attention of query t of one sequence over keys/values [0, pos] ([len, kvHeads·hd]). */
  static float[] attention(
      float[] q, float[] k, float[] v, int pos, int heads, int kvHeads, int headDim) {
    float[] out = new float[heads * headDim];
    int group = heads / kvHeads;
    double scale = 1.0 / Math.sqrt(headDim);
    for (int h = 0; h < heads; h++) {
      int kvh = h / group;
      double[] s = new double[pos + 1];
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j <= pos; j++) {
        double d = 0;
        for (int i = 0; i < headDim; i++) {
          d += (double) q[h * headDim + i] * k[j * kvHeads * headDim + kvh * headDim + i];
        }
        s[j] = d * scale;
        max = Math.max(max, s[j]);
      }
      double sum = 0;
      for (int j = 0; j <= pos; j++) {
        s[j] = Math.exp(s[j] - max);
        sum += s[j];
      }
      for (int i = 0; i < headDim; i++) {
        double a = 0;
        for (int j = 0; j <= pos; j++) {
          a += s[j] * v[j * kvHeads * headDim + kvh * headDim + i];
        }
        out[h * headDim + i] = (float) (a / sum);
      }
    }
    return out;
  }
}
