package dev.cairn.worker.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.worker.backend.cuda.CudaContext;
import dev.cairn.worker.backend.cuda.CudaProbe;
import dev.cairn.worker.backend.cuda.DeviceBuffer;
import dev.cairn.worker.engine.SequenceChunk;
import dev.cairn.worker.executor.TransformerExecutor;
import dev.cairn.worker.loading.CudaPlacement;
import dev.cairn.worker.loading.HostWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * GPU throughput on the Qwen2.5-0.5B-shaped BF16 bench model: device copy bandwidth, prefill
 * tokens/s, single-stream decode tokens/s as a fraction of the bandwidth roofline, and aggregate
 * decode tokens/s at 1, 4, 16 and 64 concurrent streams. Usage: {@code GpuBench OUT.json
 * [MODEL_DIR]}. Writes the JSON and prints it; exits 0 with a note when no GPU is usable.
 */
public final class GpuBench {

  private static final int PREFILL = 256;
  private static final int DECODE = 32;
  private static final int[] STREAMS = {1, 4, 16, 64};

  private GpuBench() {}

  /** Runs the benchmark. */
  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "reports/gpu-bench.json");
    Path modelDir = Path.of(args.length > 1 ? args[1] : "bench-models/qwen2.5-0.5b-shape-bf16");
    CudaProbe.Result probe = CudaProbe.probe();
    System.out.println(probe.logLine());
    if (!probe.usable()) {
      return;
    }
    BenchModelGenerator.ensure(modelDir);
    int gpu = probe.devices().getFirst().ordinal();
    ObjectNode r = new ObjectMapper().createObjectNode();
    r.put("device", probe.devices().getFirst().name()).put("model", modelDir.toString());
    double bandwidth = copyBandwidth(gpu);
    r.put("copy_bandwidth_gb_s", bandwidth / 1e9);
    HostWeights weights = HostWeights.load(modelDir, "auto");
    try (TransformerExecutor ex =
        new CudaPlacement(List.of(gpu), CudaPlacement.DEFAULT_MEMORY_FRACTION)
            .place(weights, 2L << 30, weights.config().maxModelLen())) {
      int blocksPerSeq = (PREFILL + DECODE) / 16 + 1;
      decode(ex, 1, blocksPerSeq, 8); // warm-up: JIT of the PTX, first allocations
      long t0 = System.nanoTime();
      prefill(ex, 0, blocksPerSeq);
      double prefillSeconds = (System.nanoTime() - t0) / 1e9;
      r.put("prefill_tokens", PREFILL).put("prefill_tokens_per_s", PREFILL / prefillSeconds);
      double bytes = ex.weightBytesPerStep();
      r.put("weight_bytes_per_token", (long) bytes);
      ArrayNode rows = r.putArray("decode");
      for (int streams : STREAMS) {
        double tps = decode(ex, streams, blocksPerSeq, DECODE);
        ObjectNode row = rows.addObject().put("streams", streams).put("tokens_per_s", tps);
        if (streams == 1) {
          row.put("roofline_tokens_per_s", bandwidth / bytes);
          row.put("fraction_of_roofline", tps / (bandwidth / bytes));
        }
      }
    }
    if (out.getParent() != null) {
      Files.createDirectories(out.getParent());
    }
    Files.writeString(out, r.toPrettyString());
    System.out.println(r.toPrettyString());
  }

  /** Device-to-device copy of 1 GiB: reads and writes, so bytes moved = 2 GiB per copy. */
  private static double copyBandwidth(int gpu) {
    try (CudaContext ctx = CudaContext.open(gpu);
        DeviceBuffer a = ctx.allocate(1L << 30);
        DeviceBuffer b = ctx.allocate(1L << 30)) {
      a.copyTo(b, 0, 0, a.bytes());
      ctx.synchronize();
      long t0 = System.nanoTime();
      for (int i = 0; i < 5; i++) {
        a.copyTo(b, 0, 0, a.bytes());
      }
      ctx.synchronize();
      return 5 * 2.0 * a.bytes() / ((System.nanoTime() - t0) / 1e9);
    }
  }

  private static int[] table(int seq, int blocksPerSeq) {
    int[] t = new int[blocksPerSeq];
    for (int i = 0; i < t.length; i++) {
      t[i] = seq * blocksPerSeq + i;
    }
    return t;
  }

  private static void prefill(TransformerExecutor ex, int seq, int blocksPerSeq) {
    int[] prompt = new Random(seq).ints(PREFILL, 0, ex.vocabSize()).toArray();
    ex.execute(List.of(new SequenceChunk(prompt, 0, table(seq, blocksPerSeq), true)));
  }

  /** Prefills {@code streams} sequences, then times {@code steps} batched decode steps. */
  private static double decode(TransformerExecutor ex, int streams, int blocksPerSeq, int steps) {
    if ((long) streams * blocksPerSeq > ex.numKvBlocks()) {
      throw new IllegalStateException(streams + " streams need more KV blocks than the pool has");
    }
    for (int s = 0; s < streams; s++) {
      prefill(ex, s, blocksPerSeq);
    }
    long t0 = System.nanoTime();
    for (int step = 0; step < steps; step++) {
      List<SequenceChunk> batch = new ArrayList<>();
      for (int s = 0; s < streams; s++) {
        batch.add(
            new SequenceChunk(
                new int[] {(step * 31 + s) % ex.vocabSize()},
                PREFILL + step,
                table(s, blocksPerSeq),
                true));
      }
      ex.execute(batch);
    }
    return (double) streams * steps / ((System.nanoTime() - t0) / 1e9);
  }
}
