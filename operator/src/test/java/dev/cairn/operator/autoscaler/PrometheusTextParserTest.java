package dev.cairn.operator.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Edge cases of the exposition format that a real /metrics page can contain. */
class PrometheusTextParserTest {
  private static final String NAME = "cairn_ongoing_requests";

  @Test
  void readsLabelledSeriesAndSkipsCommentsAndOtherMetrics() {
    String text =
        """
        # HELP cairn_ongoing_requests Requests accepted and not finished.
        # TYPE cairn_ongoing_requests gauge
        cairn_ongoing_requests{model_name="qwen"} 3.0
        cairn_ongoing_requests_total{model_name="qwen"} 99
        cairn_ongoing_requestsx 77
        vllm:num_requests_running{model_name="qwen",engine="0"} 5

          cairn_ongoing_requests{model_name="other"} 2 1700000000000
        """;
    List<PrometheusTextParser.Series> series = PrometheusTextParser.parse(text, NAME);
    assertThat(series)
        .containsExactly(
            new PrometheusTextParser.Series(Map.of("model_name", "qwen"), 3.0),
            new PrometheusTextParser.Series(Map.of("model_name", "other"), 2.0));
  }

  @Test
  void escapedQuotesBracesAndCommasInsideLabelValues() {
    String text =
        "cairn_ongoing_requests{model_name=\"a \\\"quoted\\\" {x}, y\\\\z\\n\",engine=\"0\",} 4\r\n";
    List<PrometheusTextParser.Series> series = PrometheusTextParser.parse(text, NAME);
    assertThat(series).hasSize(1);
    assertThat(series.get(0).labels())
        .containsEntry("model_name", "a \"quoted\" {x}, y\\z\n")
        .containsEntry("engine", "0");
    assertThat(series.get(0).value()).isEqualTo(4.0);
  }

  @Test
  void seriesWithoutLabelsAndEmptyLabelSet() {
    assertThat(PrometheusTextParser.parse("cairn_ongoing_requests 1\n", NAME).get(0).value())
        .isEqualTo(1.0);
    assertThat(PrometheusTextParser.parse("cairn_ongoing_requests{} 2", NAME).get(0).value())
        .isEqualTo(2.0);
  }

  @ParameterizedTest
  @CsvSource({
    "1.5e3, 1500.0",
    "-2E-1, -0.2",
    "+7, 7.0",
    ".5, 0.5",
    "12, 12.0",
    "0, 0.0",
  })
  void numbersWithExponentsAndSigns(String token, double expected) {
    assertThat(PrometheusTextParser.parseValue(token)).isEqualTo(expected);
  }

  @Test
  void specialValues() {
    assertThat(PrometheusTextParser.parseValue("NaN")).isNaN();
    assertThat(PrometheusTextParser.parseValue("+Inf")).isInfinite().isPositive();
    assertThat(PrometheusTextParser.parseValue("-Inf")).isInfinite().isNegative();
  }

  @Test
  void malformedLinesOfTheMetricAreRejectedWithTheLineNumber() {
    assertThatThrownBy(() -> PrometheusTextParser.parse("# c\ncairn_ongoing_requests 1d\n", NAME))
        .isInstanceOf(PrometheusTextParser.MetricsFormatException.class)
        .hasMessage("line 2: not a number: 1d");
    assertThatThrownBy(
            () -> PrometheusTextParser.parse("cairn_ongoing_requests{model_name=\"x} 1", NAME))
        .hasMessageContaining("unterminated label value");
    assertThatThrownBy(() -> PrometheusTextParser.parse("cairn_ongoing_requests{a=b} 1", NAME))
        .hasMessageContaining("label a value is not quoted");
    assertThatThrownBy(() -> PrometheusTextParser.parse("cairn_ongoing_requests{} ", NAME))
        .hasMessageContaining("missing value");
  }

  @Test
  void malformedLinesOfOtherMetricsAreIgnored() {
    String text = "other_metric{broken 1d\ncairn_ongoing_requests 2\n";
    assertThat(PrometheusTextParser.parse(text, NAME)).hasSize(1);
  }

  @Test
  void absentMetricGivesNoSeries() {
    assertThat(PrometheusTextParser.parse("# EOF\n", NAME)).isEmpty();
    assertThat(PrometheusTextParser.parse("", NAME)).isEmpty();
  }
}
