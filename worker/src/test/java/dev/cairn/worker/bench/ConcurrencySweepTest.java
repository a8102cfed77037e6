package dev.cairn.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.worker.backend.cpu.CpuBackend;
import dev.cairn.worker.engine.EngineConfig;
import dev.cairn.worker.engine.LlmEngine;
import dev.cairn.worker.executor.TransformerExecutor;
import dev.cairn.worker.loading.HostWeights;
import dev.cairn.worker.testing.TestModels;
import dev.cairn.worker.tokenizer.HfTokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sweep's bookkeeping on the tiny model: counts, percentiles and the plot, not speed. */
class ConcurrencySweepTest {

  /**
   * A level's reported run is the one with the median decode rate, whatever order the runs came in:
   * a stalled run (the low one) or a lucky one never sets the ratios alone.
   */
  @Test
  void repeatedLevelsReportTheMedianRun() {
    SweepResult stalled = new SweepResult(1, 9, 1, 1, 1, 1, 10.5);
    SweepResult a = new SweepResult(1, 50, 1, 1, 1, 1, 55);
    SweepResult b = new SweepResult(1, 52, 1, 1, 1, 1, 61);
    assertThat(SweepResult.median(List.of(b, stalled, a))).isSameAs(a);
    assertThat(SweepResult.median(List.of(stalled, b))).isSameAs(stalled);
    assertThat(SweepResult.median(List.of(b))).isSameAs(b);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> SweepResult.median(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void sweepCountsEveryTokenAndDrawsThePlot(@TempDir Path tmp) throws Exception {
    Path dir = TestModels.tinyShakespeare();
    try (TransformerExecutor ex = HostWeights.load(dir, "auto").executorOn(new CpuBackend(), 64);
        HfTokenizer tokenizer = HfTokenizer.load(dir)) {
      EngineConfig config = new EngineConfig(8, 512, 512, 64, ex.blockSize(), false, Set.of());
      try (LlmEngine engine = new LlmEngine(config, ex, tokenizer)) {
        ConcurrencySweep sweep = new ConcurrencySweep(engine, ex.vocabSize(), 8, 12);
        SweepResult one = sweep.run(1);
        SweepResult four = sweep.run(4);
        for (SweepResult r : List.of(one, four)) {
          assertThat(r.outputTokensPerSecond()).isPositive();
          assertThat(r.ttftP50()).isPositive().isLessThanOrEqualTo(r.ttftP99());
          assertThat(r.tpotP50()).isPositive().isLessThanOrEqualTo(r.tpotP99());
          // every stream decodes at least as fast as the slowest (p99 of four is the slowest)
          assertThat(r.decodeTokensPerSecond())
              .isGreaterThanOrEqualTo(r.streams() / r.tpotP99() * (1 - 1e-9));
        }
        assertThat(one.decodeTokensPerSecond())
            .isCloseTo(1 / one.tpotP50(), org.assertj.core.data.Percentage.withPercentage(1e-6));
        assertThat(four.streams()).isEqualTo(4);
        Path png = tmp.resolve("sweep.png");
        SweepPlot.write(png, Map.of("tiny", List.of(one, four)), 3.0);
        assertThat(ImageIO.read(png.toFile()).getWidth()).isPositive();
      }
    }
  }

  @Test
  void percentilesPickTheNearestRank() {
    double[] v = {5, 1, 4, 2, 3};
    assertThat(ConcurrencySweep.percentile(v, 0.5)).isEqualTo(3);
    assertThat(ConcurrencySweep.percentile(v, 0.99)).isEqualTo(5);
    assertThat(ConcurrencySweep.percentile(v, 0.0)).isEqualTo(1);
    assertThat(ConcurrencySweep.levels("1, 4,16")).containsExactly(1, 4, 16);
  }
}
