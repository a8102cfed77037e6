package dev.cairn.worker.backend.cuda;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-kernel time for benchmarks, where no profiler reaches (nsys does not run on the GPU test
 * machine): while a profile is open every launch waits for its kernel and adds the host-observed
 * time (launch overhead included) under its entry name. Serving never opens one; its only cost
 * there is one volatile read per launch.
 */
public final class KernelProfile {

  private static volatile Map<String, LongAdder[]> open;

  private KernelProfile() {}

  /** Starts collecting; launches synchronise from now on. */
  public static void start() {
    open = new ConcurrentHashMap<>();
  }

  /** Stops collecting; per entry name, {launches, nanoseconds}. */
  public static Map<String, long[]> stop() {
    Map<String, LongAdder[]> p = open;
    open = null;
    Map<String, long[]> out = new TreeMap<>();
    if (p != null) {
      p.forEach((k, v) -> out.put(k, new long[] {v[0].sum(), v[1].sum()}));
    }
    return out;
  }

  static boolean active() {
    return open != null;
  }

  static void record(String entry, long nanos) {
    Map<String, LongAdder[]> p = open;
    if (p != null) {
      LongAdder[] a =
          p.computeIfAbsent(entry, e -> new LongAdder[] {new LongAdder(), new LongAdder()});
      a[0].increment();
      a[1].add(nanos);
    }
  }
}
