package dev.cairn.operator.monitoring.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.worker.testing.PrometheusProcess;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every dashboard query parses and runs in a real Prometheus 2.42 (Debian's package). Whether the
 * queries return data is for the tests that scrape real workers.
 */
class DashboardQueriesIT {
  private static PrometheusProcess prometheus;

  @BeforeAll
  static void start() {
    prometheus = PrometheusProcess.start();
  }

  @AfterAll
  static void stop() {
    if (prometheus != null) {
      prometheus.close();
    }
  }

  @Test
  void llmDashboardQueriesRun() {
    assertAllRun(DashboardJsonTest.LLM);
  }

  @Test
  void operatorDashboardQueriesRun() {
    assertAllRun(DashboardJsonTest.OPERATOR);
  }

  @Test
  void anInvalidQueryIsReportedAsSuch() {
    // The check above is only worth something if Prometheus refuses bad PromQL through it.
    JsonNode r = prometheus.query("sum by (le (rate(cairn_requests_total[1m]))");
    assertThat(r.path("status").asText()).isEqualTo("error");
    assertThat(r.path("errorType").asText()).isEqualTo("bad_data");
  }

  private static void assertAllRun(String resource) {
    List<String> failures = new ArrayList<>();
    List<DashboardQueries.Query> queries =
        DashboardQueries.runnable(DashboardQueries.load(resource));
    for (DashboardQueries.Query q : queries) {
      JsonNode r = prometheus.query(q.expr());
      if (!"success".equals(r.path("status").asText())) {
        failures.add(q.source() + ": " + r.path("error").asText() + " -- " + q.expr());
      }
    }
    assertThat(queries).hasSizeGreaterThan(10);
    assertThat(failures).as(resource).isEmpty();
  }
}
