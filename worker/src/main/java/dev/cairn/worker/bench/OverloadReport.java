package dev.cairn.worker.bench;

import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The overload bench's arithmetic, apart from any I/O: requests sorted into accepted, rejected and
 * failed, the time to first token of the accepted ones, and the worker's memory before, at its peak
 * and after.
 */
final class OverloadReport {
  private OverloadReport() {}

  /**
   * What one request of the open-loop load got.
   *
   * @param sentAtSeconds when it was sent, from the start of the overload
   * @param status the HTTP status, or 0 when no response came (connection error, client timeout)
   * @param ttftSeconds send to the first streamed token; negative when none arrived
   * @param completed whether the stream ended with {@code [DONE]}
   */
  record Request(double sentAtSeconds, int status, double ttftSeconds, boolean completed) {
    boolean accepted() {
      return status == 200 && completed;
    }

    boolean rejected() {
      return status == 503;
    }
  }

  /**
   * The requests of one run by outcome; TTFT percentiles over the accepted ones (0 when none).
   *
   * @param failed neither served to the end nor refused with 503: other statuses, broken streams,
   *     no response
   */
  record Outcomes(
      int sent,
      int accepted,
      int rejected,
      int failed,
      double ttftP50Seconds,
      double ttftP99Seconds) {

    static Outcomes of(List<Request> requests) {
      List<Request> accepted = requests.stream().filter(Request::accepted).toList();
      int rejected = (int) requests.stream().filter(Request::rejected).count();
      double[] ttft =
          accepted.stream().mapToDouble(Request::ttftSeconds).filter(t -> t >= 0).toArray();
      return new Outcomes(
          requests.size(),
          accepted.size(),
          rejected,
          requests.size() - accepted.size() - rejected,
          ttft.length == 0 ? 0 : ConcurrencySweep.percentile(ttft, 0.5),
          ttft.length == 0 ? 0 : ConcurrencySweep.percentile(ttft, 0.99));
    }
  }

  /**
   * One reading of the worker.
   *
   * @param atSeconds from the start of the overload (negative before it)
   * @param heapBytes heap in use (no GC forced), -1 if unknown
   * @param rssBytes resident set size, -1 if unknown
   * @param kvCacheUsage {@code vllm:kv_cache_usage_perc}, in [0, 1]
   */
  record Sample(
      double atSeconds,
      long heapBytes,
      long rssBytes,
      double kvCacheUsage,
      int running,
      int waiting,
      int ongoing) {}

  /** Heap and resident memory at one moment (or the largest of a window). */
  record Memory(long heapBytes, long rssBytes) {}

  /** The largest heap and the largest RSS over {@code samples} (each at its own moment). */
  static Memory peak(List<Sample> samples) {
    return new Memory(
        (long) max(samples, Sample::heapBytes), (long) max(samples, Sample::rssBytes));
  }

  /** The highest KV cache usage over {@code samples}. */
  static double peakKvUsage(List<Sample> samples) {
    return max(samples, Sample::kvCacheUsage);
  }

  private static double max(List<Sample> samples, ToDoubleFunction<Sample> value) {
    return samples.stream().mapToDouble(value).max().orElse(-1);
  }

  /** Requests per second to send: {@code factor} times the measured capacity, at least 0.1/s. */
  static double overloadRate(double capacityPerSecond, double factor) {
    if (!(capacityPerSecond > 0) || !(factor > 0)) {
      throw new IllegalArgumentException(
          "capacity and factor must be positive, got " + capacityPerSecond + " and " + factor);
    }
    return Math.max(0.1, capacityPerSecond * factor);
  }

  /**
   * Send times of an open-loop load: evenly spaced at {@code rate} per second over {@code seconds},
   * the first at 0. Open loop: a slow answer never delays the next request, as with real clients.
   */
  static double[] schedule(double rate, double seconds) {
    int n = (int) Math.floor(rate * seconds);
    double[] at = new double[n];
    Arrays.setAll(at, i -> i / rate);
    return at;
  }
}
