package dev.cairn.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SweepBenchTest {

  // A 1 GB BF16 step (500 M weights) on a machine reading 40 GB/s and multiplying-adding 200 G/s.
  private static final long BYTES = 1_000_000_000L;
  private static final double FMA = 200e9;
  private static final double BANDWIDTH = 40e9;

  @Test
  void theOverlappedCeilingIsTheFmaRateOverTheBytesRate() {
    // 200 G multiply-adds against 20 G weights read a second: ten streams before compute binds
    assertThat(SweepBench.ceiling(FMA, BANDWIDTH, 2.0)).isCloseTo(10.0, within(1e-12));
  }

  @Test
  void aSerialStepPaysTheReadsAndThenTheArithmetic() {
    // one stream: 25 ms of reads + 2.5 ms of arithmetic a token
    assertThat(SweepBench.serialBound(1, BYTES, 2.0, FMA, BANDWIDTH))
        .isCloseTo(1 / 0.0275, within(1e-9));
    // 16 streams: 25 ms + 40 ms a step of 16 tokens, where overlapped they would take 40 ms
    assertThat(SweepBench.serialBound(16, BYTES, 2.0, FMA, BANDWIDTH))
        .isCloseTo(16 / 0.065, within(1e-9));
    // Q8_0 reads 34/32 bytes a weight: fewer bytes for the same weights and arithmetic
    long q8Bytes = 500_000_000L * 34 / 32;
    assertThat(SweepBench.serialBound(16, q8Bytes, 34.0 / 32, FMA, BANDWIDTH))
        .isCloseTo(16 / (0.0132812 + 0.04), within(1e-3));
  }

  @Test
  void theSerialBoundStaysBelowTheOverlappedRateAndApproachesItWhenOneSideVanishes() {
    for (int streams : new int[] {1, 4, 16, 64}) {
      double overlapped = streams / Math.max(BYTES / BANDWIDTH, streams * (BYTES / 2.0) / FMA);
      assertThat(SweepBench.serialBound(streams, BYTES, 2.0, FMA, BANDWIDTH))
          .isLessThan(overlapped);
    }
    // arithmetic almost free: the bandwidth roofline
    assertThat(SweepBench.serialBound(1, BYTES, 2.0, 1e30, BANDWIDTH))
        .isCloseTo(BANDWIDTH / BYTES, within(1e-9));
  }
}
