package dev.cairn.worker.model;

/**
 * The {@code rope_scaling} block of a config: {@code linear} divides positions by {@code factor};
 * {@code llama3} rescales low frequencies smoothly (Llama 3.1).
 *
 * @param type "linear" or "llama3"
 * @param factor context extension factor
 * @param lowFreqFactor llama3 only
 * @param highFreqFactor llama3 only
 * @param originalMaxPositions llama3 only: the pre-training context length
 */
public record RopeScaling(
    String type,
    double factor,
    double lowFreqFactor,
    double highFreqFactor,
    int originalMaxPositions) {

  /** Inverse frequencies {@code [headDim / 2]} for {@code theta}, with this scaling applied. */
  public static double[] inverseFrequencies(int headDim, double theta, RopeScaling scaling) {
    int half = headDim / 2;
    double[] inv = new double[half];
    for (int i = 0; i < half; i++) {
      inv[i] = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
      if (scaling != null) {
        inv[i] = scaling.scale(inv[i]);
      }
    }
    return inv;
  }

  private double scale(double freq) {
    if (type.equals("linear")) {
      return freq / factor;
    }
    double lowFreqWavelen = originalMaxPositions / lowFreqFactor;
    double highFreqWavelen = originalMaxPositions / highFreqFactor;
    double wavelen = 2 * Math.PI / freq;
    if (wavelen < highFreqWavelen) {
      return freq;
    }
    if (wavelen > lowFreqWavelen) {
      return freq / factor;
    }
    double smooth =
        (originalMaxPositions / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
    return (1 - smooth) * freq / factor + smooth * freq;
  }

  /**
   * The table {@code [maxPositions, headDim]}: cos in the first half of a row, sin in the second.
   */
  public static float[] cosSinTable(int maxPositions, int headDim, double theta, RopeScaling s) {
    double[] inv = inverseFrequencies(headDim, theta, s);
    int half = headDim / 2;
    float[] table = new float[maxPositions * headDim];
    for (int p = 0; p < maxPositions; p++) {
      for (int i = 0; i < half; i++) {
        // Float angles, as PyTorch computes them, so long positions round the same way.
        float angle = (float) p * (float) inv[i];
        table[p * headDim + i] = (float) Math.cos(angle);
        table[p * headDim + half + i] = (float) Math.sin(angle);
      }
    }
    return table;
  }
}
