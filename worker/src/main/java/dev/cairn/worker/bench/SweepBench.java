package dev.cairn.worker.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.worker.backend.DType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntToDoubleFunction;

/**
 * Continuous-batching sweep: aggregate output tokens/s, TTFT and TPOT at 1, 4, 16 and 64 concurrent
 * streams on the Qwen2.5-0.5B-shaped BF16 bench model (as stored, and per quantization format) and
 * on the tiny model, with the machine's FMA rate and memory bandwidth measured in the same run, so
 * the batching gain can be set against its ceiling: aggregate/single ≤ min(streams, FMAs per second
 * × bytes per weight ÷ bytes per second). Each level runs {@code REPEATS} times (default 3) and
 * reports the run with the median decode rate, the others' rates beside it. Each level is also set
 * against {@link #serialBound}: the rate of a step whose weight reads and arithmetic add instead of
 * overlapping, as they do on a JVM, which has no prefetch instruction. Every model and format
 * sweeps in a JVM of its own ({@link SweepRuns}); the probes run in this one, between them. Usage:
 * {@code SweepBench OUT.json OUT.png BENCH_MODEL_DIR TINY_MODEL_DIR [STREAMS] [BENCH_OUTPUT_TOKENS]
 * [FORMATS] [REPEATS]}.
 */
public final class SweepBench {

  private SweepBench() {}

  /** Runs both sweeps and writes the JSON report and the plot. */
  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println(
          "usage: SweepBench OUT.json OUT.png BENCH_MODEL_DIR TINY_MODEL_DIR [STREAMS]"
              + " [BENCH_OUTPUT_TOKENS] [FORMATS] [REPEATS]");
      System.exit(2);
    }
    Path out = Path.of(args[0]);
    Path png = Path.of(args[1]);
    Path benchModel = Path.of(args[2]);
    Path tinyModel = Path.of(args[3]);
    List<Integer> streams = ConcurrencySweep.levels(args.length > 4 ? args[4] : "1,4,16,64");
    int benchOutput = args.length > 5 ? Integer.parseInt(args[5]) : 32;
    List<String> formats = List.of((args.length > 6 ? args[6] : "none,q8_0,q4_0").split(","));
    int repeats = args.length > 7 ? Integer.parseInt(args[7]) : 3;
    BenchModelGenerator.ensure(benchModel);
    int threads = Runtime.getRuntime().availableProcessors();

    Map<String, SweepRuns> runs = new LinkedHashMap<>();
    Map<String, Double> bytesPerWeight = new LinkedHashMap<>();
    runs.put("tiny-shakespeare", SweepRuns.forked(tinyModel, "none", streams, 32, 64, repeats));
    bytesPerWeight.put("tiny-shakespeare", 4.0);
    double fma = FmaProbe.measure(threads, 3);
    double fmaEight = FmaProbe.measureEightChains(threads, 3);
    // Bracketed and averaged, as ComputeBench does: this VM's bandwidth moved by a third between
    // probes minutes apart (the sweep's single probe read 30 and 33 GB/s in two full runs whose
    // ComputeBench probes read 33–48), so one sample before the sweeps set every ceiling alone.
    double before = BandwidthProbe.measure(1L << 30, threads, 3);
    for (String format : formats) {
      DType q = DType.fromQuantization(format);
      String name = "qwen2.5-0.5b-shape-" + (q == null ? "bf16" : format);
      runs.put(name, SweepRuns.forked(benchModel, format, streams, 32, benchOutput, repeats));
      bytesPerWeight.put(name, q == null ? 2.0 : q.bytesPerElement());
    }
    double after = BandwidthProbe.measure(1L << 30, threads, 3);
    double bandwidth = (before + after) / 2;
    Map<String, List<SweepResult>> sweeps = new LinkedHashMap<>();
    runs.forEach(
        (name, model) ->
            sweeps.put(name, model.levels().stream().map(SweepResult::median).toList()));

    ObjectMapper json = new ObjectMapper();
    ObjectNode report = json.createObjectNode();
    report.put("threads", threads);
    report.put("repeats", repeats);
    report.put("fma_per_s", fma).put("fma_per_s_eight_chains", fmaEight);
    report.put("bandwidth_bytes_per_s", bandwidth);
    report.put("bandwidth_before_bytes_per_s", before).put("bandwidth_after_bytes_per_s", after);
    report.put("bf16_batching_ceiling", ceiling(fma, bandwidth, 2.0));
    ObjectNode models = report.putObject("models");
    for (var e : sweeps.entrySet()) {
      double perWeight = bytesPerWeight.get(e.getKey());
      double ceiling = ceiling(fma, bandwidth, perWeight);
      double ceilingEight = ceiling(fmaEight, bandwidth, perWeight);
      SweepRuns model = runs.get(e.getKey());
      ObjectNode m =
          describe(
              json,
              e.getValue(),
              model.levels(),
              ceiling,
              ceilingEight,
              s -> serialBound(s, model.stepBytes(), perWeight, fma, bandwidth));
      m.put("batching_ceiling", ceiling);
      m.put("batching_ceiling_eight_chains", ceilingEight);
      models.set(e.getKey(), m);
    }
    if (out.getParent() != null) {
      Files.createDirectories(out.getParent());
    }
    Files.writeString(out, report.toPrettyString());
    SweepPlot.write(png, sweeps, ceiling(fma, bandwidth, 2.0));
    System.out.println(report.toPrettyString());
  }

  /**
   * How far batching can speed decode up: a step streams the weights once for every stream, so
   * until compute binds, aggregate/single ≤ FMA rate × bytes per weight ÷ bandwidth.
   */
  static double ceiling(double fma, double bandwidth, double bytesPerWeight) {
    return fma * bytesPerWeight / bandwidth;
  }

  /**
   * Decode tokens/s of {@code streams} streams if every step first reads the weights ({@code
   * stepBytes} at {@code bandwidth}) and then computes ({@code streams} multiply-adds a weight at
   * {@code fma}), the two adding instead of overlapping. On the CPU backend they add: Java has no
   * prefetch instruction, so a batched step reads each panel into the caches and then computes on
   * it (docs/cpu-engine-performance.md, "Reading panels ahead"). {@link #ceiling} assumes they
   * overlap.
   */
  static double serialBound(
      int streams, long stepBytes, double bytesPerWeight, double fma, double bandwidth) {
    double weights = stepBytes / bytesPerWeight;
    return streams / (stepBytes / bandwidth + streams * weights / fma);
  }

  /** One model's levels: each level's median run ({@code rs}), with every run's decode rate. */
  private static ObjectNode describe(
      ObjectMapper json,
      List<SweepResult> rs,
      List<List<SweepResult>> runs,
      double ceiling,
      double ceilingEight,
      IntToDoubleFunction serialBound) {
    ObjectNode node = json.createObjectNode();
    ArrayNode arr = node.putArray("levels");
    double single = rs.getFirst().outputTokensPerSecond();
    double singleDecode = rs.getFirst().decodeTokensPerSecond();
    for (int level = 0; level < rs.size(); level++) {
      SweepResult r = rs.get(level);
      ArrayNode runRates = json.createArrayNode();
      runs.get(level).forEach(run -> runRates.add(run.decodeTokensPerSecond()));
      double speedup = r.outputTokensPerSecond() / single;
      double decodeSpeedup = r.decodeTokensPerSecond() / singleDecode;
      double bound = Math.min(r.streams(), ceiling);
      double serial = serialBound.applyAsDouble(r.streams());
      arr.addObject()
          .put("streams", r.streams())
          .put("output_tokens_per_s", r.outputTokensPerSecond())
          .put("speedup_vs_1_stream", speedup)
          .put("ceiling", bound)
          .put("fraction_of_ceiling", speedup / bound)
          .put("decode_tokens_per_s", r.decodeTokensPerSecond())
          .put("decode_speedup_vs_1_stream", decodeSpeedup)
          .put("decode_fraction_of_ceiling", decodeSpeedup / bound)
          .put(
              "decode_fraction_of_eight_chain_ceiling",
              decodeSpeedup / Math.min(r.streams(), ceilingEight))
          .put("serial_bound_decode_tokens_per_s", serial)
          .put("decode_fraction_of_serial_bound", r.decodeTokensPerSecond() / serial)
          .put("ttft_p50_s", r.ttftP50())
          .put("ttft_p99_s", r.ttftP99())
          .put("tpot_p50_s", r.tpotP50())
          .put("tpot_p99_s", r.tpotP99())
          .set("decode_tokens_per_s_runs", runRates);
    }
    return node;
  }
}
