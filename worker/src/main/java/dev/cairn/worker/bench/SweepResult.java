package dev.cairn.worker.bench;

/**
 * One concurrency level of the sweep.
 *
 * @param streams concurrent requests
 * @param outputTokensPerSecond generated tokens of all requests over the wall time
 * @param ttftP50 time to first token, median, seconds
 * @param ttftP99 time to first token, 99th percentile, seconds
 * @param tpotP50 time per output token after the first, median, seconds
 * @param tpotP99 time per output token after the first, 99th percentile, seconds
 * @param decodeTokensPerSecond the streams' decode rates added up (each stream's tokens after its
 *     first over the time they took): the rate while the streams decode together, without the
 *     prefills that the wall-time figure also pays for
 */
record SweepResult(
    int streams,
    double outputTokensPerSecond,
    double ttftP50,
    double ttftP99,
    double tpotP50,
    double tpotP99,
    double decodeTokensPerSecond) {

  /**
   * Of repeated runs of one level, the run whose decode rate is the median (the lower middle of an
   * even count): one VM stall in a half-second single-stream run moved every batching ratio of a
   * sweep (a 1-stream Q8_0 decode read 10.5 tok/s where the runs around it read 50–60).
   */
  static SweepResult median(java.util.List<SweepResult> runs) {
    if (runs.isEmpty()) {
      throw new IllegalArgumentException("no runs");
    }
    java.util.List<SweepResult> sorted =
        runs.stream()
            .sorted(java.util.Comparator.comparingDouble(SweepResult::decodeTokensPerSecond))
            .toList();
    return sorted.get((sorted.size() - 1) / 2);
  }
}
