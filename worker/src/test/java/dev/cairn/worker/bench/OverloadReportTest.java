package dev.cairn.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OverloadReportTest {

  @Test
  void sortsRequestsIntoAcceptedRejectedAndFailed() {
    List<OverloadReport.Request> requests =
        List.of(
            new OverloadReport.Request(0.0, 200, 1.5, true),
            new OverloadReport.Request(0.1, 503, -1, false),
            new OverloadReport.Request(0.2, 503, -1, false),
            // headers came, the stream broke: neither served nor refused
            new OverloadReport.Request(0.3, 200, 2.0, false),
            new OverloadReport.Request(0.4, 0, -1, false),
            new OverloadReport.Request(0.5, 504, -1, false));

    OverloadReport.Outcomes o = OverloadReport.Outcomes.of(requests);

    assertThat(o.sent()).isEqualTo(6);
    assertThat(o.accepted()).isEqualTo(1);
    assertThat(o.rejected()).isEqualTo(2);
    assertThat(o.failed()).isEqualTo(3);
    assertThat(o.ttftP50Seconds()).isEqualTo(1.5);
  }

  @Test
  void ttftPercentilesAreOverTheAcceptedOnly() {
    List<OverloadReport.Request> requests = new ArrayList<>();
    for (int i = 1; i <= 100; i++) {
      requests.add(new OverloadReport.Request(i, 200, i, true));
    }
    // A refused request's answer is quick; counted, it would pull the percentiles down.
    for (int i = 0; i < 100; i++) {
      requests.add(new OverloadReport.Request(i, 503, 0.001, false));
    }

    OverloadReport.Outcomes o = OverloadReport.Outcomes.of(requests);

    assertThat(o.ttftP50Seconds()).isEqualTo(50);
    assertThat(o.ttftP99Seconds()).isEqualTo(99);
  }

  @Test
  void noAcceptedRequestGivesZeroPercentiles() {
    OverloadReport.Outcomes o =
        OverloadReport.Outcomes.of(List.of(new OverloadReport.Request(0, 503, -1, false)));

    assertThat(o.accepted()).isZero();
    assertThat(o.ttftP50Seconds()).isZero();
    assertThat(o.ttftP99Seconds()).isZero();
  }

  @Test
  void peakTakesEachFigureAtItsOwnMaximumAndSkipsNothing() {
    List<OverloadReport.Sample> samples =
        List.of(
            new OverloadReport.Sample(0, 100, 5_000, 0.1, 16, 32, 48),
            new OverloadReport.Sample(1, 300, 4_000, 0.9, 16, 10, 26),
            new OverloadReport.Sample(2, 200, 6_000, 0.0, 0, 0, 0));

    assertThat(OverloadReport.peak(samples)).isEqualTo(new OverloadReport.Memory(300, 6_000));
    assertThat(OverloadReport.peakKvUsage(samples)).isEqualTo(0.9);
    assertThat(OverloadReport.peak(List.of())).isEqualTo(new OverloadReport.Memory(-1, -1));
  }

  @Test
  void theOverloadRateIsTheFactorTimesCapacity() {
    assertThat(OverloadReport.overloadRate(0.37, 10)).isCloseTo(3.7, within(1e-9));
    assertThatThrownBy(() -> OverloadReport.overloadRate(0, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("capacity");
  }

  @Test
  void theScheduleIsEvenlySpacedFromZero() {
    double[] at = OverloadReport.schedule(4, 2.6);

    assertThat(at).containsExactly(0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.25);
  }
}
