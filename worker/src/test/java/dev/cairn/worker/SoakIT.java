package dev.cairn.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.worker.bench.SoakBench;
import dev.cairn.worker.bench.SoakBench.Sample;
import dev.cairn.worker.testing.WorkerProcess;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A short soak (the full one is {@code make soak}): after 1,000 mixed requests the worker holds no
 * KV block, no request state and no more threads than after the first stretch, and every request
 * got the answer its kind expects.
 */
class SoakIT {
  private static final int REQUESTS = 1_000;

  @Test
  void nothingGrowsThatShouldNot() throws Exception {
    try (WorkerProcess worker =
        WorkerProcess.builder()
            .configFile(WorkerProcess.repoRoot().resolve("deploy/samples/tiny-cpu.yaml"))
            .start()) {
      SoakBench.Report report =
          new SoakBench(worker.baseUri(), worker.pid()).run("tiny-shakespeare", REQUESTS, 8, 250);

      List<Sample> samples = report.samples();
      Sample first = samples.get(1);
      Sample last = samples.getLast();
      for (Sample s : samples) {
        assertThat(s.kvCacheUsage()).as("KV blocks held at %d", s.requestsDone()).isZero();
        assertThat(s.running() + s.waiting() + s.ongoing())
            .as("requests still held at %d", s.requestsDone())
            .isZero();
      }
      // Thread pools are sized by the first stretch; a slack of 4 covers the JDK's own helpers.
      assertThat(last.liveThreads()).isLessThanOrEqualTo(first.liveThreads() + 4);
      assertThat(report.outcomes())
          .containsEntry("completion 200", 400L)
          .containsEntry("chat_stream 200", 100L)
          .containsEntry("abandoned_stream 200", 100L)
          .containsEntry("n3 200", 100L)
          .containsEntry("stop 200", 100L)
          .containsEntry("bad_input 400", 100L)
          .containsEntry("chat 200", 100L)
          .hasSize(7);
    }
  }
}
