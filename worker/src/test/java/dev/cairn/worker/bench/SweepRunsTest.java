package dev.cairn.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class SweepRunsTest {

  @Test
  void runsReadBackAsWritten() throws IOException {
    SweepResult a = new SweepResult(1, 40.5, 0.12, 0.2, 0.024, 0.031, 41.25);
    SweepResult b = new SweepResult(1, 38.0, 0.13, 0.25, 0.026, 0.04, 39.5);
    SweepResult c = new SweepResult(16, 190.0, 0.9, 1.4, 0.08, 0.11, 201.0);
    SweepRuns runs = new SweepRuns(List.of(List.of(a, b), List.of(c)), 987_654_321_000L);
    ObjectMapper json = new ObjectMapper();

    SweepRuns back = SweepRuns.fromJson(json.readTree(json.writeValueAsString(runs.toJson(json))));

    assertThat(back).isEqualTo(runs);
  }
}
