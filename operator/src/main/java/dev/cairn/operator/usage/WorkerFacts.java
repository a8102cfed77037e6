package dev.cairn.operator.usage;

import dev.cairn.api.MetricNames;
import dev.cairn.operator.autoscaler.PrometheusTextParser;
import java.util.List;
import java.util.Optional;

/**
 * What one worker's {@code /metrics} says about what it serves: the labels of {@code
 * cairn_model_info} and how many structured-output requests it has counted since it started.
 */
public record WorkerFacts(
    String architecture,
    String dtype,
    String backend,
    String quantization,
    double structuredOutputRequests) {

  /**
   * Reads the facts from a worker's metrics text; empty when it exports no {@code cairn_model_info}
   * (still loading, or not a Cairn worker) or the text is malformed.
   */
  public static Optional<WorkerFacts> parse(String metricsText) {
    try {
      List<PrometheusTextParser.Series> info =
          PrometheusTextParser.parse(metricsText, MetricNames.MODEL_INFO);
      if (info.isEmpty()) {
        return Optional.empty();
      }
      var labels = info.get(0).labels();
      double structured = 0;
      for (PrometheusTextParser.Series s :
          PrometheusTextParser.parse(metricsText, MetricNames.STRUCTURED_OUTPUT_REQUESTS)) {
        if (Double.isFinite(s.value()) && s.value() > 0) {
          structured += s.value();
        }
      }
      return Optional.of(
          new WorkerFacts(
              labels.get("architecture"),
              labels.get("dtype"),
              labels.get("backend"),
              labels.get("quantization"),
              structured));
    } catch (PrometheusTextParser.MetricsFormatException e) {
      return Optional.empty();
    }
  }
}
