package dev.cairn.worker.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.worker.backend.cuda.CudaContext;
import dev.cairn.worker.backend.cuda.CudaKernels;
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
 * GPU throughput on BF16 bench models (Qwen2.5-0.5B- and Llama-3.2-1B-shaped by default): device
 * copy bandwidth, prefill tokens/s, single-stream decode tokens/s as a fraction of the bandwidth
 * roofline (weight bytes per token over the copy bandwidth measured in the same run), and aggregate
 * decode tokens/s at 1, 16, 64 and 256 concurrent streams. Usage: {@code GpuBench OUT.json
 * [MODEL_DIR...]}. Writes the JSON and prints it; exits 0 with a note when no GPU is usable.
 */
public final class GpuBench {

  private static final int PREFILL = 256;
  private static final int DECODE = 64;
  private static final int WARM_UP_STEPS = 64;
  private static final int[] STREAMS = {1, 16, 64, 256};
  private static final long KV_POOL_BYTES = 8L << 30;

  private GpuBench() {}

  /** Runs the benchmark. */
  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "reports/gpu-bench.json");
    List<Path> models = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      models.add(Path.of(args[i]));
    }
    if (models.isEmpty()) {
      models.add(Path.of("bench-models/qwen2.5-0.5b-shape-bf16"));
      models.add(Path.of("bench-models/llama3.2-1b-shape-bf16"));
    }
    CudaProbe.Result probe = CudaProbe.probe();
    System.out.println(probe.logLine());
    if (!probe.usable()) {
      return;
    }
    int gpu = probe.devices().getFirst().ordinal();
    ObjectNode r = new ObjectMapper().createObjectNode();
    r.put("device", probe.devices().getFirst().name());
    r.put(
        "driver_cuda_version",
        probe.driverVersion() / 1000 + "." + probe.driverVersion() % 1000 / 10);
    double bandwidth = copyBandwidth(gpu);
    r.put("copy_bandwidth_gb_s", bandwidth / 1e9);
    r.set("kernels", kernelProbes(gpu, bandwidth));
    ArrayNode results = r.putArray("models");
    for (Path modelDir : models) {
      long g0 = System.nanoTime();
      BenchModelGenerator.ensure(modelDir);
      System.out.printf("%s generated in %.1f s%n", modelDir, (System.nanoTime() - g0) / 1e9);
      results.add(model(gpu, modelDir, bandwidth));
      Files.createDirectories(out.toAbsolutePath().getParent());
      Files.writeString(out, r.toPrettyString()); // a partial report survives a later failure
    }
    System.out.println(r.toPrettyString());
  }

  private static ObjectNode model(int gpu, Path modelDir, double bandwidth) {
    ObjectNode r = new ObjectMapper().createObjectNode().put("model", modelDir.toString());
    HostWeights weights = HostWeights.load(modelDir, "auto");
    try (TransformerExecutor ex =
        new CudaPlacement(List.of(gpu), CudaPlacement.DEFAULT_MEMORY_FRACTION)
            .place(weights, KV_POOL_BYTES, weights.config().maxModelLen())) {
      int blocksPerSeq = (PREFILL + DECODE) / ex.blockSize() + 1;
      // Warm-up: the driver's JIT of the PTX, first allocations, and the JVM's own JIT of the
      // launch path (a step makes hundreds of launches; cold, each costs several times more).
      decode(ex, 1, blocksPerSeq, WARM_UP_STEPS);
      decode(ex, 16, blocksPerSeq, WARM_UP_STEPS);
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
        row.put("ms_per_step", 1000.0 * streams / tps);
        if (streams == 1) {
          row.put("roofline_tokens_per_s", bandwidth / bytes);
          row.put("fraction_of_roofline", tps / (bandwidth / bytes));
        }
        System.out.printf("%s: %d streams %.1f tokens/s%n", modelDir, streams, tps);
      }
    } catch (RuntimeException e) {
      // One model's failure (memory, a kernel) is a figure too; the next model still runs.
      r.put("error", e.toString());
      e.printStackTrace();
    }
    return r;
  }

  /**
   * What a decode step is made of, measured apart: the host's cost of one kernel launch (a
   * one-element add, launched back to back), and the single-token GEMV's bandwidth on the weight
   * shapes of the bench models, as a fraction of the copy bandwidth.
   */
  private static ObjectNode kernelProbes(int gpu, double bandwidth) {
    ObjectNode r = new ObjectMapper().createObjectNode();
    try (CudaContext ctx = CudaContext.open(gpu);
        CudaKernels kernels = CudaKernels.load(ctx);
        DeviceBuffer a = ctx.allocate(1L << 20);
        DeviceBuffer b = ctx.allocate(1L << 20)) {
      int launches = 20_000;
      for (int round = 0; round < 2; round++) { // the first round warms the JVM's JIT
        long t0 = System.nanoTime();
        for (int i = 0; i < launches; i++) {
          kernels.launch("add_f32", 1, 1, 32, 0, a.pointer(), b.pointer(), 1L);
        }
        ctx.synchronize();
        r.put("launch_us", (System.nanoTime() - t0) / 1e3 / launches);
      }
      ArrayNode gemv = r.putArray("gemv_bf16_one_token");
      int[][] shapes = {
        {896, 896},
        {4864, 896},
        {896, 4864},
        {151936, 896},
        {2048, 2048},
        {8192, 2048},
        {2048, 8192},
        {128256, 2048}
      };
      for (int[] shape : shapes) {
        int out = shape[0];
        int in = shape[1];
        long weightBytes = 2L * out * in;
        try (DeviceBuffer w = ctx.allocate(weightBytes);
            DeviceBuffer x = ctx.allocate(4L * in);
            DeviceBuffer y = ctx.allocate(4L * out)) {
          w.clear();
          x.clear();
          int reps = (int) Math.max(20, Math.min(2000, (20L << 30) / weightBytes));
          for (int round = 0; round < 2; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
              kernels.launch(
                  "matmul_gemv_bf16",
                  (out + 7) / 8,
                  1,
                  256,
                  0,
                  x.pointer(),
                  w.pointer(),
                  y.pointer(),
                  1,
                  in,
                  out);
            }
            ctx.synchronize();
            double us = (System.nanoTime() - t0) / 1e3 / reps;
            if (round == 1) {
              gemv.addObject()
                  .put("out", out)
                  .put("in", in)
                  .put("us", us)
                  .put("gb_s", weightBytes / us / 1e3)
                  .put("fraction_of_copy_bandwidth", weightBytes / (us / 1e6) / bandwidth);
            }
          }
        }
      }
    } catch (RuntimeException e) {
      r.put("error", e.toString());
      e.printStackTrace();
    }
    System.out.println("kernel probes: " + r.toPrettyString());
    return r;
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
