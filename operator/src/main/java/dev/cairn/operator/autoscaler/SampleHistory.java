package dev.cairn.operator.autoscaler;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Per-replica time series of ongoing requests and the other signals, trimmed to the look-back
 * window.
 *
 * <p>Not thread-safe: the autoscaler evaluates one deployment at a time.
 */
public final class SampleHistory {
  /** A replica whose newest sample is older than this many scrape intervals counts as stale. */
  static final int STALE_AFTER_INTERVALS = 2;

  private final Map<String, Deque<MetricSample>> byPod = new HashMap<>();

  /**
   * Appends a sample; one older than the pod's newest is dropped, since series only move forward.
   */
  public void record(MetricSample sample) {
    Deque<MetricSample> series = byPod.computeIfAbsent(sample.podName(), k -> new ArrayDeque<>());
    MetricSample newest = series.peekLast();
    if (newest == null || !sample.time().isBefore(newest.time())) {
      series.addLast(sample);
    }
  }

  /** Forgets replicas that are gone or no longer ready, so they neither add load nor look stale. */
  public void retainPods(Collection<String> podNames) {
    byPod.keySet().retainAll(Set.copyOf(podNames));
  }

  /** Drops samples that have left the window ending at {@code now}. */
  public void trim(Instant now, Duration lookBack) {
    Instant windowStart = now.minus(lookBack);
    for (Deque<MetricSample> series : byPod.values()) {
      while (!series.isEmpty() && !inWindow(series.peekFirst().time(), windowStart, now)) {
        series.removeFirst();
      }
    }
    byPod.values().removeIf(Deque::isEmpty);
  }

  /**
   * Average ongoing requests of one replica over the window ending at {@code now}, or NaN when the
   * replica has no sample in it.
   */
  public double average(String podName, Instant now, Duration lookBack) {
    Instant windowStart = now.minus(lookBack);
    double sum = 0;
    int count = 0;
    for (MetricSample s : byPod.getOrDefault(podName, new ArrayDeque<>())) {
      if (inWindow(s.time(), windowStart, now)) {
        sum += s.ongoingRequests();
        count++;
      }
    }
    return count == 0 ? Double.NaN : sum / count;
  }

  /**
   * Load over the ready replicas: each fresh replica contributes its window average; a stale or
   * never-scraped one contributes nothing and is listed, never counted as idle.
   */
  public LoadSnapshot snapshot(Collection<String> readyPods, Instant now, ScalingSpec spec) {
    Duration lookBack = Duration.ofSeconds(spec.lookBackPeriodSeconds());
    Duration staleAfter =
        Duration.ofSeconds((long) STALE_AFTER_INTERVALS * spec.metricsIntervalSeconds());
    double load = 0;
    Set<String> unobserved = new LinkedHashSet<>();
    for (String pod : readyPods) {
      double avg = average(pod, now, lookBack);
      if (Double.isNaN(avg) || isStale(pod, now, staleAfter)) {
        unobserved.add(pod);
      } else {
        load += avg;
      }
    }
    Map<Signal, Double> signalLoads = new EnumMap<>(Signal.class);
    for (Signal signal : spec.signalTargets().keySet()) {
      double sum = 0;
      for (String pod : readyPods) {
        double v = signalValue(pod, signal, now, lookBack);
        if (Double.isNaN(v) || unobserved.contains(pod)) {
          unobserved.add(pod);
        } else {
          sum += v;
        }
      }
      signalLoads.put(signal, sum);
    }
    return new LoadSnapshot(load, readyPods.size(), List.copyOf(unobserved), signalLoads);
  }

  /**
   * One replica's {@code signal} over the window ending at {@code now}: its average, or for a
   * counter its increase per second (a drop is a restart, counted from zero). NaN without enough
   * samples: one for a level, two a second apart or more for a rate.
   */
  public double signalValue(String podName, Signal signal, Instant now, Duration lookBack) {
    Instant windowStart = now.minus(lookBack);
    List<MetricSample> points = new ArrayList<>();
    for (MetricSample s : byPod.getOrDefault(podName, new ArrayDeque<>())) {
      if (inWindow(s.time(), windowStart, now) && s.signals().containsKey(signal)) {
        points.add(s);
      }
    }
    if (points.isEmpty()) {
      return Double.NaN;
    }
    return signal.counter() ? rate(points, signal) : mean(points, signal);
  }

  private static double mean(List<MetricSample> points, Signal signal) {
    return points.stream().mapToDouble(p -> p.signals().get(signal)).average().orElse(Double.NaN);
  }

  private static double rate(List<MetricSample> points, Signal signal) {
    double seconds =
        Duration.between(points.getFirst().time(), points.getLast().time()).toMillis() / 1000.0;
    if (seconds < 1) {
      return Double.NaN;
    }
    double increase = 0;
    for (int i = 1; i < points.size(); i++) {
      double prev = points.get(i - 1).signals().get(signal);
      double cur = points.get(i).signals().get(signal);
      increase += cur >= prev ? cur - prev : cur;
    }
    return increase / seconds;
  }

  /** Number of samples held for a replica (for tests and diagnostics). */
  public int size(String podName) {
    Deque<MetricSample> series = byPod.get(podName);
    return series == null ? 0 : series.size();
  }

  private boolean isStale(String pod, Instant now, Duration staleAfter) {
    Deque<MetricSample> series = byPod.get(pod);
    MetricSample newest = series == null ? null : series.peekLast();
    return newest == null || Duration.between(newest.time(), now).compareTo(staleAfter) > 0;
  }

  // The window is (now - lookBack, now]: a sample exactly lookBack old has left it.
  private static boolean inWindow(Instant t, Instant windowStart, Instant now) {
    return t.isAfter(windowStart) && !t.isAfter(now);
  }
}
