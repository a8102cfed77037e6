package dev.cairn.worker.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads the worker every {@code intervalMillis} on a thread of its own (heap as it is, no GC
 * forced; RSS; KV usage; running, waiting and ongoing requests) until stopped.
 */
final class WorkerSampler implements AutoCloseable {
  private final WorkerProbe probe;
  private final long originNanos;
  private final long intervalMillis;
  private final List<OverloadReport.Sample> samples = new ArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;

  WorkerSampler(WorkerProbe probe, long originNanos, long intervalMillis) {
    this.probe = probe;
    this.originNanos = originNanos;
    this.intervalMillis = intervalMillis;
    this.thread = Thread.ofPlatform().daemon().name("worker-sampler").start(this::loop);
  }

  /** One reading now, labelled with its time from the origin. */
  static OverloadReport.Sample read(WorkerProbe probe, long originNanos) throws Exception {
    Map<String, Double> m = probe.metrics();
    return new OverloadReport.Sample(
        (System.nanoTime() - originNanos) / 1e9,
        (long) m.getOrDefault(WorkerProbe.HEAP, -1.0).doubleValue(),
        probe.rssBytes(),
        m.getOrDefault("vllm:kv_cache_usage_perc", -1.0),
        m.getOrDefault("vllm:num_requests_running", -1.0).intValue(),
        m.getOrDefault("vllm:num_requests_waiting", -1.0).intValue(),
        m.getOrDefault("cairn_ongoing_requests", -1.0).intValue());
  }

  private void loop() {
    while (running) {
      try {
        OverloadReport.Sample s = read(probe, originNanos);
        synchronized (samples) {
          samples.add(s);
        }
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        // A reading that times out under load is skipped; the next one may get through.
      }
      try {
        Thread.sleep(intervalMillis);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** The readings so far. */
  List<OverloadReport.Sample> samples() {
    synchronized (samples) {
      return List.copyOf(samples);
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join();
  }
}
