package dev.cairn.worker.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a running worker from outside, as an operator would: its {@code /metrics}, its resident
 * memory from {@code /proc/PID/status}, and a full GC through {@code jcmd} before a heap reading
 * that should show only live objects. Shared by the soak and overload benches.
 */
final class WorkerProbe {
  /** Heap in use, summed over the heap pools (the JVM binder's {@code area="heap"} series). */
  static final String HEAP = "jvm_memory_used_bytes{area=\"heap\"}";

  private static final Pattern SERIES =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? ([0-9.eE+-]+|NaN)$");

  private final URI base;
  private final long pid;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  WorkerProbe(URI base, long pid) {
    this.base = base;
    this.pid = pid;
  }

  /**
   * Series of {@code /metrics} by name, labels dropped except {@code area="heap"} and the ones
   * named in {@code keep}; values under one key are summed, so the heap is the sum of its pools.
   */
  Map<String, Double> metrics(String... keep) throws IOException, InterruptedException {
    String text =
        http.send(
                HttpRequest.newBuilder(base.resolve("/metrics"))
                    .timeout(Duration.ofSeconds(30))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    return parse(text, keep);
  }

  /** The parsing behind {@link #metrics}, for tests. */
  static Map<String, Double> parse(String text, String... keep) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      Matcher s = SERIES.matcher(line);
      if (!s.matches() || s.group(3).equals("NaN")) {
        continue;
      }
      String labels = s.group(2) == null ? "" : s.group(2);
      String key = s.group(1);
      if (labels.contains("area=\"heap\"")) {
        key += "{area=\"heap\"}";
      }
      for (String label : keep) {
        if (labels.contains(label)) {
          key += "{" + label + "}";
        }
      }
      out.merge(key, Double.parseDouble(s.group(3)), Double::sum);
    }
    return out;
  }

  /** Resident set size of the worker process, from {@code /proc/PID/status}; -1 if not found. */
  long rssBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return -1;
  }

  /** A full GC in the worker ({@code jcmd PID GC.run}), so the next heap reading is live data. */
  void fullGc() throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p =
        new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.run")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("jcmd " + pid + " GC.run failed");
    }
  }
}
