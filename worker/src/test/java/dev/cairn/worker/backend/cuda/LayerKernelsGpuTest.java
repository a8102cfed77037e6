package dev.cairn.worker.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.worker.backend.HostTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LayerKernelsGpuTest extends GpuKernelTestBase {

  @Test
  void rmsNormMatchesTheReference() {
    int tokens = 5, dim = 300;
    float[] x = randoms(tokens * dim, 2f);
    float[] w = randoms(dim, 1f);
    DeviceBuffer y = out(tokens * dim);

    ops.rmsNorm(y.pointer(), dev(x), dev(w), 1e-6f, tokens, dim);

    HostTensor want = zeros(tokens, dim);
    REFERENCE.rmsNorm(tensor(x, tokens, dim), tensor(w, dim), 1e-6f, tokens, want);
    assertClose(read(y, tokens * dim), values(want), 1e-4, 1e-3, "rmsnorm");
  }

  @Test
  void ropeRotatesEachHeadByItsPosition() {
    int tokens = 4, heads = 3, headDim = 16, stride = heads * headDim + 8, maxPos = 64;
    int half = headDim / 2;
    float[] cosSin = new float[maxPos * headDim];
    for (int p = 0; p < maxPos; p++) {
      for (int i = 0; i < half; i++) {
        double angle = p * Math.pow(10000, -2.0 * i / headDim);
        cosSin[p * headDim + i] = (float) Math.cos(angle);
        cosSin[p * headDim + half + i] = (float) Math.sin(angle);
      }
    }
    int[] pos = {0, 7, 33, 63};
    float[] x = randoms(tokens * stride, 1f);
    DeviceBuffer xd = alloc(x.length * 4L);
    xd.upload(x);

    ops.rope(xd.pointer(), dev(pos), dev(cosSin), tokens, heads, headDim, stride);

    // The reference rotates packed rows [T, heads·headDim]; the padding past them stays as it was.
    int width = heads * headDim;
    HostTensor packed = zeros(tokens, width);
    for (int t = 0; t < tokens; t++) {
      for (int i = 0; i < width; i++) {
        packed.setFloat((long) t * width + i, x[t * stride + i]);
      }
    }
    REFERENCE.rope(packed, heads, headDim, pos, tensor(cosSin, maxPos, headDim));
    float[] want = x.clone();
    for (int t = 0; t < tokens; t++) {
      System.arraycopy(values(packed), t * width, want, t * stride, width);
    }
    assertClose(read(xd, x.length), want, 1e-5, 1e-3, "rope");
  }

  @Test
  void swigluAddBiasAndGatherMatchTheReference() {
    int rows = 3, cols = 70, n = rows * cols;
    float[] gate = randoms(n, 2f);
    float[] up = randoms(n, 1f);
    float[] bias = randoms(cols, 1f);
    DeviceBuffer act = out(n);
    ops.swiglu(act.pointer(), dev(gate), dev(up), n);
    ops.add(act.pointer(), dev(up), n);
    ops.biasAdd(act.pointer(), dev(bias), rows, cols);
    DeviceBuffer gathered = out(2 * cols);
    ops.gatherRows(gathered.pointer(), act.pointer(), dev(new int[] {2, 0}), 2, cols);

    float[] want = new float[n];
    for (int i = 0; i < n; i++) {
      double silu = gate[i] / (1 + Math.exp(-gate[i]));
      want[i] = (float) (silu * up[i] + up[i] + bias[i % cols]);
    }
    assertClose(read(act, n), want, 1e-5, 1e-3, "swiglu + add + bias");
    float[] rows20 = new float[2 * cols];
    System.arraycopy(want, 2 * cols, rows20, 0, cols);
    System.arraycopy(want, 0, rows20, cols, cols);
    assertClose(read(gathered, 2 * cols), rows20, 1e-5, 1e-3, "gather");
  }

  @ParameterizedTest
  @EnumSource(
      value = DeviceType.class,
      names = {"F32", "BF16", "F16"}) // the block types are matmul weights only
  void embeddingGathersRowsAndZeroesBadIds(DeviceType type) {
    int vocab = 20, dim = 48;
    float[] table = rounded(randoms(vocab * dim, 1f), type);
    int[] ids = {3, 19, 0, 3, 25};
    DeviceBuffer y = out(ids.length * dim);

    ops.embedding(y.pointer(), dev(table, type), type, dev(ids), ids.length, dim, vocab);

    float[] want = new float[ids.length * dim];
    for (int t = 0; t < ids.length - 1; t++) {
      System.arraycopy(table, ids[t] * dim, want, t * dim, dim);
    }
    assertThat(read(y, want.length)).containsExactly(want);
  }

  @ParameterizedTest
  @EnumSource(
      value = DeviceType.class,
      names = {"BF16", "F16"})
  void conversionsRoundToNearestEvenAndWidenExactly(DeviceType type) {
    int n = 1000;
    float[] x = randoms(n, 3f);
    DeviceBuffer narrow = alloc(n * 2L);
    DeviceBuffer wide = out(n);

    ops.convert(narrow.pointer(), type, dev(x), DeviceType.F32, n);
    ops.convert(wide.pointer(), DeviceType.F32, narrow.pointer(), type, n);

    assertThat(read(wide, n)).containsExactly(rounded(x, type));
  }

  @Test
  void samplingHelpersScaleFindTheMaximumAndNormalise() {
    int rows = 3, vocab = 1000;
    float[] logits = randoms(rows * vocab, 3f);
    logits[vocab + 417] = 50f; // row 1's maximum
    logits[2 * vocab + 5] = 40f; // row 2: a tie, the first index wins
    logits[2 * vocab + 900] = 40f;
    float[] inv = {1f, 0.5f, 2f};
    var ld = dev(logits);
    DeviceBuffer index = out(rows);
    DeviceBuffer max = out(rows);

    ops.logitsScale(ld, dev(inv), rows, vocab);
    ops.argmax(ld, index.pointer(), max.pointer(), rows, vocab);
    ctx.synchronize();
    int[] idx = new int[rows];
    index.download(idx);

    int first = 0;
    for (int i = 1; i < vocab; i++) {
      first = logits[i] > logits[first] ? i : first;
    }
    assertThat(idx).containsExactly(first, 417, 5);
    assertThat(read(max, rows)).containsExactly(logits[first], 25f, 80f);

    DeviceBuffer probs = out(rows * vocab);
    probs.upload(logits);
    ops.softmax(probs.pointer(), rows, vocab);
    float[] p = read(probs, rows * vocab);
    for (int r = 0; r < rows; r++) {
      double sum = 0;
      for (int i = 0; i < vocab; i++) {
        sum += p[r * vocab + i];
      }
      assertThat(sum)
          .as("row %d sums to 1", r)
          .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
    }
  }
}
