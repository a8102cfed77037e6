package dev.cairn.worker.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;

/**
 * The two loads of the overload bench, each request a {@link StreamedCompletion} on a virtual
 * thread: a closed loop that measures capacity (N streams, each sending its next request when the
 * last one ends) and an open loop that sends at a fixed rate whatever the answers.
 */
final class OverloadLoad {
  /** What the closed loop measured: its requests, and completed requests per second. */
  record Capacity(int streams, int requests, double seconds, double requestsPerSecond) {}

  private final StreamedCompletion completion;

  OverloadLoad(StreamedCompletion completion) {
    this.completion = completion;
  }

  /**
   * {@code streams} clients, each sending {@code requestsEach} requests back to back; capacity is
   * the completed requests over the wall time until the last one ended.
   *
   * @throws IllegalStateException when a request is not served: capacity would be meaningless
   */
  Capacity closedLoop(int streams, int requestsEach) {
    List<OverloadReport.Request> done = Collections.synchronizedList(new ArrayList<>());
    long start = System.nanoTime();
    try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int s = 0; s < streams; s++) {
        clients.execute(
            () -> {
              for (int r = 0; r < requestsEach; r++) {
                done.add(completion.send(start));
              }
            });
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long served = done.stream().filter(OverloadReport.Request::accepted).count();
    if (served != done.size()) {
      throw new IllegalStateException(
          (done.size() - served)
              + " of "
              + done.size()
              + " requests of the capacity run were not served: "
              + done.stream().filter(r -> !r.accepted()).findFirst().orElseThrow());
    }
    return new Capacity(streams, done.size(), seconds, done.size() / seconds);
  }

  /**
   * Sends at the times of {@code schedule} (seconds from now), each on its own thread, and returns
   * every request's outcome once all have ended. The clock origin is when the first is due.
   */
  List<OverloadReport.Request> openLoop(double[] schedule, long originNanos) {
    List<OverloadReport.Request> done = Collections.synchronizedList(new ArrayList<>());
    try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      for (double at : schedule) {
        long due = originNanos + (long) (at * 1e9);
        for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
          LockSupport.parkNanos(wait);
        }
        clients.execute(() -> done.add(completion.send(originNanos)));
      }
    }
    return new ArrayList<>(done);
  }
}
