package dev.cairn.operator.monitoring.model;

import dev.cairn.api.MetricNames;
import dev.cairn.api.VllmBuckets;
import dev.cairn.api.v1alpha1.SloSpec;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Multi-window, multi-burn-rate SLO alerts (Google SRE workbook, "Alerting on SLOs", alert 6) for
 * availability and time to first token: a bad-event ratio recorded per rate window, a page when the
 * budget burns 14.4x over 1h and 5m or 6x over 6h and 30m, a ticket at 3x over 1d and 2h or 1x over
 * 3d and 6h. The short window makes an alert stop soon after the burn does.
 */
final class SloRules {
  /** A pair of windows that must both burn faster than {@code factor} times the budget. */
  record Burn(String longWindow, String shortWindow, String factor) {}

  /** Page: 2% of a 30-day budget in an hour, or 5% in six hours. */
  static final List<Burn> PAGE = List.of(new Burn("1h", "5m", "14.4"), new Burn("6h", "30m", "6"));

  /** Ticket: 10% of a 30-day budget spent in a day, or in three days. */
  static final List<Burn> TICKET = List.of(new Burn("1d", "2h", "3"), new Burn("3d", "6h", "1"));

  /** Every window an alert reads, so one recording rule each. */
  static final List<String> WINDOWS = List.of("5m", "30m", "1h", "2h", "6h", "1d", "3d");

  private static final String BY = "namespace, deployment";
  private static final String WHERE = "{{ $labels.namespace }}/{{ $labels.deployment }}";

  /** Completion requests: every endpoint but the model list, under either endpoint label. */
  private static final String COMPLETIONS =
      MetricNames.LABEL_ENDPOINT
          + "!=\"/v1/models\", "
          + MetricNames.LABEL_EXPORTED_ENDPOINT
          + "!=\"/v1/models\"";

  private SloRules() {}

  /**
   * One objective: its name in alert names and in summaries, its target in words, its recorded
   * ratio, the share of bad events its budget allows, and the phrase that says which were bad.
   */
  record Objective(
      String id, String name, String title, String record, BigDecimal budget, String badEvents) {}

  /** Availability: a completion request answered 5xx is bad. */
  static Objective availability(SloSpec slo) {
    BigDecimal target = BigDecimal.valueOf(slo.getAvailability());
    return new Objective(
        "Availability",
        "Availability",
        percent(target) + " of completion requests without a 5xx",
        MetricNames.SLO_AVAILABILITY_ERRORS,
        BigDecimal.ONE.subtract(target),
        "completion requests to " + WHERE + " answered 5xx");
  }

  /** TTFT: a request whose first token came later than the threshold's bucket bound is bad. */
  static Objective ttft(SloSpec slo) {
    BigDecimal target = BigDecimal.valueOf(slo.getTtftTarget());
    String bound = CairnAlerts.num(ttftBound(slo.getTtftSeconds()));
    return new Objective(
        "Ttft",
        "TTFT",
        percent(target) + " of requests with a first token within " + bound + "s",
        MetricNames.SLO_TTFT_SLOW,
        BigDecimal.ONE.subtract(target),
        "requests to " + WHERE + " with a first token later than " + bound + "s");
  }

  /**
   * The smallest TTFT bucket bound at or above {@code seconds}: a histogram counts requests only at
   * its bounds, so 2 s is measured as 2.5 s (the SLO is met a little more easily, never less). Past
   * the largest bound, the largest.
   */
  static double ttftBound(double seconds) {
    List<Double> bounds = VllmBuckets.TTFT_SECONDS;
    return bounds.stream().filter(b -> b >= seconds).findFirst().orElse(bounds.getLast());
  }

  /** The availability objective's bad-event ratio over each window. */
  static List<RecordingRule> availabilityRecordings(String sel) {
    String scoped = sel.replace("}", ", " + COMPLETIONS + "}");
    String errors = scoped.replace("}", ", status=~\"5..\"}");
    return WINDOWS.stream()
        .map(
            w ->
                new RecordingRule(
                    MetricNames.SLO_AVAILABILITY_ERRORS + w,
                    sumRate(MetricNames.REQUESTS_TOTAL, errors, w)
                        + "\n/\n"
                        + sumRate(MetricNames.REQUESTS_TOTAL, scoped, w)))
        .toList();
  }

  /** The TTFT objective's slow share over each window: 1 - (fast requests / all requests). */
  static List<RecordingRule> ttftRecordings(String sel, double seconds) {
    String fast = sel.replace("}", ", le=~\"" + leValues(ttftBound(seconds)) + "\"}");
    return WINDOWS.stream()
        .map(
            w ->
                new RecordingRule(
                    MetricNames.SLO_TTFT_SLOW + w,
                    "1 - (\n"
                        + sumRate(MetricNames.VLLM_TTFT + "_bucket", fast, w)
                        + "\n/\n"
                        + sumRate(MetricNames.VLLM_TTFT + "_count", sel, w)
                        + "\n)"))
        .toList();
  }

  /** The page and the ticket for one objective. */
  static List<AlertRule> alerts(Objective o, String sel) {
    return List.of(
        alert(o, sel, "Fast", PAGE, "critical"), alert(o, sel, "Slow", TICKET, "warning"));
  }

  private static AlertRule alert(
      Objective o, String sel, String pace, List<Burn> burns, String severity) {
    List<String> clauses = new ArrayList<>();
    List<String> words = new ArrayList<>();
    for (Burn b : burns) {
      String threshold = num(o.budget().multiply(new BigDecimal(b.factor())));
      clauses.add(
          "(\n  "
              + above(o.record() + b.longWindow() + sel, threshold)
              + "\nand\n  "
              + above(o.record() + b.shortWindow() + sel, threshold)
              + "\n)");
      words.add(
          String.format(
              Locale.ROOT,
              "over %s and %s more than %s (%sx the %s budget)",
              b.longWindow(),
              b.shortWindow(),
              percent(new BigDecimal(threshold)),
              b.factor(),
              percent(o.budget())));
    }
    return new AlertRule(
        "Cairn" + o.id() + "BudgetBurn" + pace,
        String.join("\nor\n", clauses),
        0,
        severity,
        o.name() + " error budget of " + WHERE + " burning " + pace.toLowerCase(Locale.ROOT),
        "Share of "
            + o.badEvents()
            + ": "
            + String.join(", or ", words)
            + ". Objective: "
            + o.title()
            + ".");
  }

  private static String above(String series, String threshold) {
    return series + " > " + threshold;
  }

  private static String sumRate(String metric, String sel, String window) {
    return "sum by (" + BY + ") (rate(" + metric + sel + "[" + window + "]))";
  }

  /**
   * The bound as exporters write it: Java clients "2.5" and "1.0", Prometheus 3 normalises to "1";
   * a regex takes either, its dots escaped.
   */
  static String leValues(double bound) {
    String java = Double.toString(bound);
    String plain = CairnAlerts.num(bound);
    String either = java.equals(plain) ? java : plain + "|" + java;
    return either.replace(".", "\\\\.");
  }

  private static String num(BigDecimal value) {
    return value.stripTrailingZeros().toPlainString();
  }

  private static String percent(BigDecimal ratio) {
    return num(ratio.movePointRight(2)) + "%";
  }
}
