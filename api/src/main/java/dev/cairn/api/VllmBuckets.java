package dev.cairn.api;

import java.util.List;

/**
 * Histogram bucket bounds vLLM uses, shared by the worker (which exports them) and the operator
 * (whose SLO rules can only count requests at a bound).
 */
public final class VllmBuckets {
  private VllmBuckets() {}

  /** Upper bounds of {@code vllm:time_to_first_token_seconds}, ascending. */
  public static final List<Double> TTFT_SECONDS =
      List.of(
          0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5,
          10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0);

  /** As an array, what histogram builders take. */
  public static double[] array(List<Double> bounds) {
    return bounds.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
