package dev.cairn.worker.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.worker.backend.cpu.CpuBackend;
import dev.cairn.worker.engine.SequenceChunk;
import dev.cairn.worker.executor.PagedKvCache;
import dev.cairn.worker.executor.TransformerExecutor;
import dev.cairn.worker.loading.HostWeights;
import dev.cairn.worker.model.ModelConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Single-stream CPU throughput on a Qwen2.5-0.5B-shaped BF16 model, per weight format (BF16 as
 * stored, Q8_0 and Q4_0 quantized at load): memory bandwidth and FMA rate, prefill and decode
 * tokens/s, decode as a fraction of the bandwidth roofline (weight bytes per token: Q8_0 reads
 * 34/32 bytes per weight, Q4_0 18/32) and prefill as a fraction of the FMA rate, measured in one
 * run (the machine is shared, so probes and rates must see the same load: each format's timed run
 * is bracketed by bandwidth and FMA probes, whose means are that format's denominators). A second,
 * longer prefill (512 tokens unless given) shows the rate where attention is a larger share. Each
 * prefill figure is the median of {@link #TIMED_PREFILLS} prefills after {@link #WARM_PREFILLS}
 * warm-up ones. Usage: {@code ComputeBench OUT.json [MODEL_DIR] [PREFILL_TOKENS] [DECODE_TOKENS]
 * [FORMATS] [LONG_PREFILL_TOKENS]}, FORMATS e.g. {@code none,q8_0,q4_0}; given more than one, each
 * format runs in a JVM of its own ({@link ForkedJvm}).
 */
public final class ComputeBench {

  /**
   * Prompts (each followed by a few decoded tokens) run before anything is timed. Prompt attention
   * is called 24 times a prefill and its loops reach C2 only after several prefills: with the two
   * warm-up prefills this bench ran until run Y, attention took 21–35 ms of a timed 128-token
   * prefill, against 7–8 ms after eight or more (one process, timers around every backend call).
   */
  static final int WARM_PREFILLS = 10;

  /** Prefills timed at each length; the median is the figure, every run beside it in the JSON. */
  static final int TIMED_PREFILLS = 5;

  private ComputeBench() {}

  /** Runs the benchmark and writes the JSON report. */
  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println(
          "usage: ComputeBench OUT.json [MODEL_DIR] [PREFILL_TOKENS] [DECODE_TOKENS] [FORMATS]"
              + " [LONG_PREFILL_TOKENS]");
      System.exit(2);
    }
    Path out = Path.of(args[0]);
    Path modelDir = Path.of(args.length > 1 ? args[1] : "bench-out/models/qwen2.5-0.5b-shape-bf16");
    int prefill = args.length > 2 ? Integer.parseInt(args[2]) : 128;
    int decode = args.length > 3 ? Integer.parseInt(args[3]) : 32;
    List<String> formats = List.of((args.length > 4 ? args[4] : "none,q8_0,q4_0").split(","));
    // A prompt of a few hundred tokens as well: attention's share grows with the prompt's length.
    int longPrefill = args.length > 5 ? Integer.parseInt(args[5]) : 512;
    BenchModelGenerator.ensure(modelDir);
    int threads = Runtime.getRuntime().availableProcessors();
    ObjectNode r = new ObjectMapper().createObjectNode();
    r.put("model", modelDir.toString()).put("threads", threads);
    ObjectNode byFormat = r.putObject("formats");
    for (String format : formats) {
      String name = format.equals("none") ? "bf16" : format;
      if (formats.size() == 1) {
        byFormat.set(name, measure(modelDir, format, threads, prefill, decode, longPrefill));
      } else {
        // Each format in a JVM of its own, as a worker serves it (ForkedJvm says why).
        List<String> one =
            List.of(
                modelDir.toString(),
                Integer.toString(prefill),
                Integer.toString(decode),
                format,
                Integer.toString(longPrefill));
        byFormat.set(name, ForkedJvm.run(ComputeBench.class, one).get("formats").get(name));
      }
    }
    r.put(
        "load_average",
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    if (out.getParent() != null) {
      Files.createDirectories(out.getParent());
    }
    Files.writeString(out, r.toPrettyString());
    System.out.println(r.toPrettyString());
  }

  /** One weight format: its rates and their ratios to the roofline and the FMA rate. */
  private static ObjectNode measure(
      Path modelDir, String format, int threads, int prefill, int decode, int longPrefill)
      throws InterruptedException {
    int blocks = 2 * ((Math.max(prefill, longPrefill) + decode) / PagedKvCache.BLOCK_SIZE + 2);
    try (TransformerExecutor ex =
        HostWeights.load(modelDir, "auto", format)
            .executorOn(new CpuBackend(threads, true), blocks)) {
      int half = blocks / 2;
      // JIT warm-up on the first half of the pool, at the timed prompt length: kernels differ by
      // token count (a 16-token prefill after a 32-token warm-up timed Q8_0 tiles still cold).
      for (int i = 0; i < WARM_PREFILLS; i++) {
        run(ex, 0, prefill, 8);
      }
      for (int i = 0; i < 2; i++) {
        run(ex, 0, longPrefill, 0);
      }
      // Other processes share the cores: bracket the timed run with bandwidth and FMA probes, use
      // the means (the FMA probe moved 177 to 222 GFMA/s between runs minutes apart).
      double before = BandwidthProbe.measure(1L << 30, threads, 3);
      double fmaBefore = FmaProbe.measure(threads, 3);
      double eightBefore = FmaProbe.measureEightChains(threads, 3);
      double[] prefillRuns = prefillRates(ex, half, prefill);
      double decodeRate = run(ex, half, prefill, decode)[1];
      double[] longRuns = prefillRates(ex, half, longPrefill);
      double prefillRate = median(prefillRuns);
      double longRate = median(longRuns);
      double fmaAfter = FmaProbe.measure(threads, 3);
      double eightAfter = FmaProbe.measureEightChains(threads, 3);
      double after = BandwidthProbe.measure(1L << 30, threads, 3);
      double bandwidth = (before + after) / 2;
      double fma = (fmaBefore + fmaAfter) / 2;
      double fmaEight = (eightBefore + eightAfter) / 2;
      double bytesPerToken = ex.weightBytesPerStep();
      double roofline = bandwidth / bytesPerToken;
      // What a prefill computes: every layer for every token, the head for the last one only.
      double prefillFmas = prefillFmas(ex.config(), prefill);
      ObjectNode r = new ObjectMapper().createObjectNode();
      r.put("bandwidth_gb_s", bandwidth / 1e9);
      r.put("bandwidth_before_gb_s", before / 1e9).put("bandwidth_after_gb_s", after / 1e9);
      r.put("fma_per_s", fma).put("fma_per_s_eight_chains", fmaEight);
      r.put("fma_before_per_s", fmaBefore).put("fma_after_per_s", fmaAfter);
      r.put("weight_bytes_per_token", (long) bytesPerToken);
      r.put("prefill_tokens", prefill).put("prefill_tokens_per_s", prefillRate);
      putAll(r.putArray("prefill_tokens_per_s_runs"), prefillRuns);
      r.put("prefill_fmas", (long) prefillFmas);
      r.put("prefill_fraction_of_fma_rate", fraction(prefillRate, prefill, prefillFmas, fma));
      // Under the probes and the count before 2026-12 (eight FMA chains; the head's multiply-adds
      // counted for every prompt token, which a prefill computes for the last one only).
      r.put(
          "prefill_fraction_of_eight_chain_fma_rate",
          fraction(prefillRate, prefill, prefillFmas, fmaEight));
      r.put(
          "prefill_fraction_as_counted_before",
          prefillRate * (layerFmasPerToken(ex.config()) + headFmas(ex.config())) / fmaEight);
      double longFmas = prefillFmas(ex.config(), longPrefill);
      r.put("long_prefill_tokens", longPrefill).put("long_prefill_tokens_per_s", longRate);
      putAll(r.putArray("long_prefill_tokens_per_s_runs"), longRuns);
      r.put("long_prefill_fmas", (long) longFmas);
      r.put("long_prefill_fraction_of_fma_rate", fraction(longRate, longPrefill, longFmas, fma));
      r.put(
          "long_prefill_fraction_of_eight_chain_fma_rate",
          fraction(longRate, longPrefill, longFmas, fmaEight));
      r.put("decode_tokens", decode).put("decode_tokens_per_s", decodeRate);
      r.put("decode_roofline_tokens_per_s", roofline);
      r.put("decode_fraction_of_roofline", decodeRate / roofline);
      System.out.printf(
          "%s: decode %.1f tok/s (%.2f of roofline), prefill %.1f tok/s, %d-token prefill %.1f"
              + " tok/s%n",
          format, decodeRate, decodeRate / roofline, prefillRate, longPrefill, longRate);
      return r;
    }
  }

  /** The middle value (the mean of the middle two for an even count). */
  static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  private static void putAll(ArrayNode into, double[] values) {
    for (double v : values) {
      into.add(v);
    }
  }

  /**
   * A prefill's multiply-adds per second ({@code tokensPerS} of {@code fmas} per {@code tokens})
   * over {@code fmaRate}.
   */
  private static double fraction(double tokensPerS, int tokens, double fmas, double fmaRate) {
    return tokensPerS / tokens * fmas / fmaRate;
  }

  /**
   * Multiply-adds of a {@code tokens}-token prefill: every layer's projections and causal attention
   * (scores and weighted values over positions 0..t for token t) for each token, and the output
   * head for the last token, whose logits are the only ones a prompt needs.
   */
  static double prefillFmas(ModelConfig c, int tokens) {
    double attention =
        2.0 * c.numLayers() * c.numHeads() * c.headDim() * ((double) tokens * (tokens + 1) / 2);
    return (double) tokens * layerFmasPerToken(c) + attention + headFmas(c);
  }

  /** One token's projections through every layer: one multiply-add per matrix weight. */
  static long layerFmasPerToken(ModelConfig c) {
    long h = c.hiddenSize();
    long perLayer =
        h * (c.qDim() + 2L * c.kvDim()) + (long) c.qDim() * h + 3 * h * c.intermediateSize();
    return c.numLayers() * perLayer;
  }

  /** The output head for one token. */
  static long headFmas(ModelConfig c) {
    return (long) c.vocabSize() * c.hiddenSize();
  }

  /** {@link #TIMED_PREFILLS} prefills of {@code tokens} tokens: their rates, in the order run. */
  private static double[] prefillRates(TransformerExecutor ex, int firstBlock, int tokens) {
    double[] rates = new double[TIMED_PREFILLS];
    for (int i = 0; i < rates.length; i++) {
      rates[i] = run(ex, firstBlock, tokens, 0)[0];
    }
    return rates;
  }

  /** Prefills {@code prefill} random tokens, then decodes {@code decode}: returns both rates. */
  private static double[] run(TransformerExecutor ex, int firstBlock, int prefill, int decode) {
    int[] table = new int[ex.numKvBlocks() / 2];
    for (int i = 0; i < table.length; i++) {
      table[i] = firstBlock + i;
    }
    Random random = new Random(7);
    int[] prompt = random.ints(prefill, 0, ex.vocabSize()).toArray();
    long t0 = System.nanoTime();
    float[] logits = ex.execute(List.of(new SequenceChunk(prompt, 0, table, true)))[0];
    long t1 = System.nanoTime();
    for (int i = 0; i < decode; i++) {
      int next = argmax(logits);
      logits =
          ex.execute(List.of(new SequenceChunk(new int[] {next}, prefill + i, table, true)))[0];
    }
    long t2 = System.nanoTime();
    return new double[] {prefill / ((t1 - t0) / 1e9), decode / ((t2 - t1) / 1e9)};
  }

  private static int argmax(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }
}
