package dev.cairn.worker.backend.reference;

import dev.cairn.worker.backend.AttentionBatch;
import dev.cairn.worker.backend.DeviceTensor;
import dev.cairn.worker.backend.HostBackendSupport;
import dev.cairn.worker.backend.HostTensor;
import dev.cairn.worker.backend.LoraBatch;

/**
 * Plain scalar Java, one loop per formula, accumulated in double where it matters: the yardstick
 * every faster backend is tested against. Slow by design.
 */
public final class ReferenceBackend extends HostBackendSupport {

  @Override
  public String name() {
    return "reference";
  }

  @Override
  public void rmsNorm(DeviceTensor x, DeviceTensor weight, float eps, int rows, DeviceTensor out) {
    HostTensor xs = host(x);
    HostTensor w = host(weight);
    HostTensor o = host(out);
    int h = w.dim(0);
    for (int t = 0; t < rows; t++) {
      double ss = 0;
      for (int i = 0; i < h; i++) {
        double v = xs.getFloat((long) t * h + i);
        ss += v * v;
      }
      float inv = (float) (1.0 / Math.sqrt(ss / h + eps));
      for (int i = 0; i < h; i++) {
        long idx = (long) t * h + i;
        o.setFloat(idx, xs.getFloat(idx) * inv * w.getFloat(i));
      }
    }
  }

  @Override
  public void matmul(
      DeviceTensor x, DeviceTensor w, DeviceTensor bias, int rows, DeviceTensor out) {
    HostTensor xs = host(x);
    HostTensor ws = host(w);
    HostTensor o = host(out);
    int outDim = ws.dim(0);
    int in = ws.dim(1);
    for (int t = 0; t < rows; t++) {
      for (int r = 0; r < outDim; r++) {
        double acc = bias == null ? 0 : host(bias).getFloat(r);
        for (int i = 0; i < in; i++) {
          acc += (double) xs.getFloat((long) t * in + i) * ws.getFloat((long) r * in + i);
        }
        o.setFloat((long) t * outDim + r, (float) acc);
      }
    }
  }

  @Override
  public void rope(DeviceTensor x, int heads, int headDim, int[] positions, DeviceTensor cosSin) {
    HostTensor xs = host(x);
    HostTensor cs = host(cosSin);
    int half = headDim / 2;
    for (int t = 0; t < positions.length; t++) {
      long tableRow = (long) positions[t] * headDim;
      for (int hd = 0; hd < heads; hd++) {
        long base = (long) t * heads * headDim + (long) hd * headDim;
        for (int i = 0; i < half; i++) {
          float cos = cs.getFloat(tableRow + i);
          float sin = cs.getFloat(tableRow + half + i);
          float a = xs.getFloat(base + i);
          float b = xs.getFloat(base + half + i);
          xs.setFloat(base + i, a * cos - b * sin);
          xs.setFloat(base + half + i, b * cos + a * sin);
        }
      }
    }
  }

  @Override
  public void writeKv(
      DeviceTensor k, DeviceTensor v, DeviceTensor kCache, DeviceTensor vCache, int[] slots) {
    HostTensor ks = host(k);
    HostTensor vs = host(v);
    int kvDim = rowLength(kCache);
    for (int t = 0; t < slots.length; t++) {
      for (int i = 0; i < kvDim; i++) {
        host(kCache).setFloat((long) slots[t] * kvDim + i, ks.getFloat((long) t * kvDim + i));
        host(vCache).setFloat((long) slots[t] * kvDim + i, vs.getFloat((long) t * kvDim + i));
      }
    }
  }

  @Override
  public void attention(
      DeviceTensor q,
      DeviceTensor kCache,
      DeviceTensor vCache,
      AttentionBatch b,
      DeviceTensor out) {
    HostTensor qs = host(q);
    HostTensor kc = host(kCache);
    HostTensor vc = host(vCache);
    HostTensor o = host(out);
    int hd = b.headDim();
    int qDim = b.numHeads() * hd;
    int kvDim = b.numKvHeads() * hd;
    int group = b.numHeads() / b.numKvHeads();
    double scale = 1.0 / Math.sqrt(hd);
    for (int c = 0; c < b.chunks(); c++) {
      for (int i = 0; i < b.rowCount()[c]; i++) {
        long row = b.rowStart()[c] + i;
        int last = b.startPosition()[c] + i;
        for (int h = 0; h < b.numHeads(); h++) {
          long kvOff = (long) (h / group) * hd;
          double[] scores = new double[last + 1];
          double max = Double.NEGATIVE_INFINITY;
          for (int p = 0; p <= last; p++) {
            long kRow = (long) b.cacheRow(c, p) * kvDim + kvOff;
            double dot = 0;
            for (int d = 0; d < hd; d++) {
              dot += (double) qs.getFloat(row * qDim + (long) h * hd + d) * kc.getFloat(kRow + d);
            }
            scores[p] = dot * scale;
            max = Math.max(max, scores[p]);
          }
          double sum = 0;
          for (int p = 0; p <= last; p++) {
            scores[p] = Math.exp(scores[p] - max);
            sum += scores[p];
          }
          for (int d = 0; d < hd; d++) {
            double acc = 0;
            for (int p = 0; p <= last; p++) {
              acc += scores[p] * vc.getFloat((long) b.cacheRow(c, p) * kvDim + kvOff + d);
            }
            o.setFloat(row * qDim + (long) h * hd + d, (float) (acc / sum));
          }
        }
      }
    }
  }

  @Override
  public void swiglu(DeviceTensor gate, DeviceTensor up, int rows, DeviceTensor out) {
    HostTensor g = host(gate);
    HostTensor u = host(up);
    HostTensor o = host(out);
    long n = (long) rows * rowLength(gate);
    for (long i = 0; i < n; i++) {
      double a = g.getFloat(i);
      o.setFloat(i, (float) (a / (1 + Math.exp(-a)) * u.getFloat(i)));
    }
  }

  @Override
  public void loraDelta(DeviceTensor x, LoraBatch batch, DeviceTensor out) {
    HostTensor xs = host(x);
    HostTensor o = host(out);
    for (int t = 0; t < batch.rows(); t++) {
      int s = batch.rowSlot()[t];
      if (s < 0 || batch.a()[s] == null) {
        continue;
      }
      HostTensor a = host(batch.a()[s]);
      HostTensor bT = host(batch.bT()[s]);
      int r = a.dim(0);
      int in = a.dim(1);
      int outDim = bT.dim(1);
      double[] shrunk = new double[r];
      for (int j = 0; j < r; j++) {
        for (int i = 0; i < in; i++) {
          shrunk[j] += (double) xs.getFloat((long) t * in + i) * a.getFloat((long) j * in + i);
        }
      }
      for (int c = 0; c < outDim; c++) {
        double acc = 0;
        for (int j = 0; j < r; j++) {
          acc += shrunk[j] * bT.getFloat((long) j * outDim + c);
        }
        long idx = (long) t * outDim + c;
        o.setFloat(idx, (float) (o.getFloat(idx) + batch.scale()[s] * acc));
      }
    }
  }

  @Override
  public void addInPlace(DeviceTensor x, DeviceTensor y, int rows) {
    HostTensor xs = host(x);
    HostTensor ys = host(y);
    long n = (long) rows * rowLength(x);
    for (long i = 0; i < n; i++) {
      xs.setFloat(i, xs.getFloat(i) + ys.getFloat(i));
    }
  }

  @Override
  public void gatherRows(DeviceTensor x, int[] rowIds, DeviceTensor out) {
    HostTensor xs = host(x);
    HostTensor o = host(out);
    int h = rowLength(x);
    for (int r = 0; r < rowIds.length; r++) {
      for (int i = 0; i < h; i++) {
        o.setFloat((long) r * h + i, xs.getFloat((long) rowIds[r] * h + i));
      }
    }
  }
}
