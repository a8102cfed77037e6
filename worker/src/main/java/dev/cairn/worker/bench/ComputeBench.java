package dev.cairn.worker.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.worker.backend.cpu.CpuBackend;
import dev.cairn.worker.engine.SequenceChunk;
import dev.cairn.worker.executor.PagedKvCache;
import dev.cairn.worker.executor.TransformerExecutor;
import dev.cairn.worker.loading.HostWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Single-stream CPU throughput on a Qwen2.5-0.5B-shaped BF16 model: memory bandwidth, prefill and
 * decode tokens/s, and decode as a fraction of the bandwidth roofline, measured in one run (the
 * machine is shared, so bandwidth and decode must see the same load). Usage: {@code ComputeBench
 * OUT.json [MODEL_DIR] [PREFILL_TOKENS] [DECODE_TOKENS]}.
 */
public final class ComputeBench {

  private ComputeBench() {}

  /** Runs the benchmark and writes the JSON report. */
  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println(
          "usage: ComputeBench OUT.json [MODEL_DIR] [PREFILL_TOKENS] [DECODE_TOKENS]");
      System.exit(2);
    }
    Path out = Path.of(args[0]);
    Path modelDir = Path.of(args.length > 1 ? args[1] : "bench-out/models/qwen2.5-0.5b-shape-bf16");
    int prefill = args.length > 2 ? Integer.parseInt(args[2]) : 128;
    int decode = args.length > 3 ? Integer.parseInt(args[3]) : 32;
    BenchModelGenerator.ensure(modelDir);
    int threads = Runtime.getRuntime().availableProcessors();
    int blocks = 2 * ((prefill + decode) / PagedKvCache.BLOCK_SIZE + 2);
    try (TransformerExecutor ex =
        HostWeights.load(modelDir, "auto").executorOn(new CpuBackend(threads, true), blocks)) {
      int half = blocks / 2;
      run(ex, 0, 32, 8); // JIT warm-up on the second half of the pool
      // Other processes share the cores: bracket the timed run with bandwidth probes, use the mean.
      double before = BandwidthProbe.measure(1L << 30, threads, 3);
      double[] rates = run(ex, half, prefill, decode);
      double after = BandwidthProbe.measure(1L << 30, threads, 3);
      double bandwidth = (before + after) / 2;
      double bytesPerToken = ex.weightBytesPerStep();
      double roofline = bandwidth / bytesPerToken;
      ObjectNode r = new ObjectMapper().createObjectNode();
      r.put("model", modelDir.toString()).put("threads", threads).put("weights", "bf16");
      r.put("bandwidth_gb_s", bandwidth / 1e9);
      r.put("bandwidth_before_gb_s", before / 1e9).put("bandwidth_after_gb_s", after / 1e9);
      r.put(
          "load_average",
          java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      r.put("weight_bytes_per_token", (long) bytesPerToken);
      r.put("prefill_tokens", prefill).put("prefill_tokens_per_s", rates[0]);
      r.put("decode_tokens", decode).put("decode_tokens_per_s", rates[1]);
      r.put("decode_roofline_tokens_per_s", roofline);
      r.put("decode_fraction_of_roofline", rates[1] / roofline);
      if (out.getParent() != null) {
        Files.createDirectories(out.getParent());
      }
      Files.writeString(out, r.toPrettyString());
      System.out.println(r.toPrettyString());
    }
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
