package dev.cairn.worker.bench;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The overload bench's command line: three paths, then {@code --name=value} options with defaults.
 *
 * @param seconds how long the overload lasts
 * @param factor the overload rate as a multiple of the measured capacity
 * @param streams closed-loop streams of the capacity run
 * @param capacityRequests requests each capacity stream sends back to back
 * @param outputTokens tokens every request generates
 * @param quantization the worker's {@code engine.quantization}: none, q8_0 or q4_0
 * @param maxNumSeqs the worker's {@code engine.maxNumSeqs} (its queue holds twice as many)
 * @param port the worker's HTTP port on 127.0.0.1
 * @param heap the worker's fixed heap ({@code -Xms}/{@code -Xmx})
 */
record OverloadSettings(
    @JsonSerialize(using = ToStringSerializer.class) Path out,
    @JsonSerialize(using = ToStringSerializer.class) Path png,
    @JsonSerialize(using = ToStringSerializer.class) Path modelDir,
    double seconds,
    double factor,
    int streams,
    int capacityRequests,
    int outputTokens,
    String quantization,
    int maxNumSeqs,
    int port,
    String heap) {

  static final String USAGE =
      "OverloadBench OUT.json OUT.png BENCH_MODEL_DIR [--seconds=120] [--factor=10] [--streams=16]"
          + " [--capacity-requests=2] [--output-tokens=16] [--quantization=none]"
          + " [--max-num-seqs=16] [--port=18091] [--heap=1g]";

  private static final Set<String> QUANTIZATIONS = Set.of("none", "q8_0", "q4_0");

  /**
   * Parses the command line.
   *
   * @throws IllegalArgumentException naming the option that is unknown, missing its value or out of
   *     range
   */
  static OverloadSettings parse(String[] args) {
    if (args.length < 3) {
      throw new IllegalArgumentException("need OUT.json, OUT.png and BENCH_MODEL_DIR");
    }
    Map<String, String> options = new HashMap<>();
    for (int i = 3; i < args.length; i++) {
      String a = args[i];
      int eq = a.indexOf('=');
      if (!a.startsWith("--") || eq < 0) {
        throw new IllegalArgumentException("option " + a + ": expected --name=value");
      }
      options.put(a.substring(2, eq), a.substring(eq + 1));
    }
    OverloadSettings s =
        new OverloadSettings(
            Path.of(args[0]),
            Path.of(args[1]),
            Path.of(args[2]),
            positive(options, "seconds", 120),
            positive(options, "factor", 10),
            (int) whole(options, "streams", 16),
            (int) whole(options, "capacity-requests", 2),
            (int) whole(options, "output-tokens", 16),
            options.getOrDefault("quantization", "none"),
            (int) whole(options, "max-num-seqs", 16),
            (int) whole(options, "port", 18091),
            options.getOrDefault("heap", "1g"));
    options
        .keySet()
        .removeAll(
            Set.of(
                "seconds",
                "factor",
                "streams",
                "capacity-requests",
                "output-tokens",
                "quantization",
                "max-num-seqs",
                "port",
                "heap"));
    if (!options.isEmpty()) {
      throw new IllegalArgumentException("unknown option --" + options.keySet().iterator().next());
    }
    if (!QUANTIZATIONS.contains(s.quantization())) {
      throw new IllegalArgumentException(
          "--quantization=" + s.quantization() + ": expected one of none, q8_0, q4_0");
    }
    if (s.outputTokens() > 400) {
      throw new IllegalArgumentException(
          "--output-tokens="
              + s.outputTokens()
              + ": at most 400 (the worker's maxModelLen is 512)");
    }
    if (!s.heap().matches("[0-9]+[kmgKMG]?")) {
      throw new IllegalArgumentException("--heap=" + s.heap() + ": expected a size such as 1g");
    }
    return s;
  }

  private static double positive(Map<String, String> options, String name, double fallback) {
    String v = options.get(name);
    if (v == null) {
      return fallback;
    }
    double d;
    try {
      d = Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + "=" + v + ": not a number");
    }
    if (!(d > 0) || Double.isInfinite(d)) {
      throw new IllegalArgumentException("--" + name + "=" + v + ": must be positive");
    }
    return d;
  }

  private static double whole(Map<String, String> options, String name, int fallback) {
    double d = positive(options, name, fallback);
    if (d != Math.rint(d) || d > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "--" + name + "=" + options.get(name) + ": must be a whole number");
    }
    return d;
  }
}
