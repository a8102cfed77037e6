package dev.cairn.worker.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.cuda.CudaContext;
import dev.cairn.worker.backend.cuda.CudaKernels;
import dev.cairn.worker.backend.cuda.CudaOps;
import dev.cairn.worker.backend.cuda.CudaProbe;
import dev.cairn.worker.backend.cuda.DeviceBuffer;
import dev.cairn.worker.backend.cuda.DeviceType;
import dev.cairn.worker.backend.cuda.KernelProfile;
import dev.cairn.worker.engine.SequenceChunk;
import dev.cairn.worker.executor.TransformerExecutor;
import dev.cairn.worker.loading.CudaPlacement;
import dev.cairn.worker.loading.HostWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
            .place(weights, KV_POOL_BYTES, weights.config().maxModelLen(), DType.F32)) {
      int blocksPerSeq = (PREFILL + DECODE + WARM_UP_STEPS) / ex.blockSize() + 1;
      int maxStreams = STREAMS[STREAMS.length - 1];
      if ((long) maxStreams * blocksPerSeq > ex.numKvBlocks()) {
        throw new IllegalStateException(
            maxStreams + " streams need more KV blocks than the pool has");
      }
      prefill(ex, 0, 1, blocksPerSeq); // warm-up: the driver's JIT of the PTX, first allocations
      long t0 = System.nanoTime();
      prefill(ex, 0, 1, blocksPerSeq);
      double prefillSeconds = (System.nanoTime() - t0) / 1e9;
      r.put("prefill_tokens", PREFILL).put("prefill_tokens_per_s", PREFILL / prefillSeconds);
      // Every stream's prompt once, 8 sequences per step; each decode run below continues them.
      for (int s = 0; s < maxStreams; s += 8) {
        prefill(ex, s, Math.min(8, maxStreams - s), blocksPerSeq);
      }
      // Warm-up of the JVM's JIT on the launch path (a step makes hundreds of launches).
      decode(ex, 1, blocksPerSeq, WARM_UP_STEPS);
      decode(ex, 16, blocksPerSeq, WARM_UP_STEPS);
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
      ObjectNode profiles = r.putObject("step_profile_us");
      for (int streams : new int[] {1, 64}) {
        int steps = 4;
        KernelProfile.start();
        long p0 = System.nanoTime();
        decode(ex, streams, blocksPerSeq, steps);
        double stepUs = (System.nanoTime() - p0) / 1e3 / steps;
        Map<String, long[]> kernels = KernelProfile.stop();
        ObjectNode p = profiles.putObject(streams + "_streams");
        p.put("step_with_syncs", stepUs);
        double inKernels = 0;
        for (Map.Entry<String, long[]> e : kernels.entrySet()) {
          double us = e.getValue()[1] / 1e3 / steps;
          inKernels += us;
          p.put(e.getKey() + " x" + e.getValue()[0] / steps, us);
        }
        p.put("outside_kernels", stepUs - inKernels);
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
   * one-element add, launched back to back; Cairn's direct path and JCuda's), and the single-token
   * GEMV's bandwidth on the weight shapes of the bench models, as a fraction of the copy bandwidth.
   */
  private static ObjectNode kernelProbes(int gpu, double bandwidth) {
    ObjectNode r = new ObjectMapper().createObjectNode();
    try (CudaContext ctx = CudaContext.open(gpu);
        CudaKernels kernels = CudaKernels.load(ctx);
        DeviceBuffer a = ctx.allocate(1L << 20);
        DeviceBuffer b = ctx.allocate(1L << 20)) {
      int launches = 20_000;
      r.put("direct_launch", kernels.direct());
      r.put(
          "launch_us",
          secondsEach(
                  ctx,
                  launches,
                  () -> kernels.launch("add_f32", 1, 1, 32, 0, a.pointer(), b.pointer(), 1L))
              * 1e6);
      r.put(
          "launch_us_through_jcuda",
          secondsEach(
                  ctx,
                  launches,
                  () ->
                      kernels.launchThroughJcuda(
                          "add_f32", 1, 1, 32, 0, a.pointer(), b.pointer(), 1L))
              * 1e6);
      CudaOps ops = new CudaOps(kernels);
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
        long weightBytes = 2L * shape[0] * shape[1];
        int reps = (int) Math.max(20, Math.min(2000, (20L << 30) / weightBytes));
        double seconds = matmulSeconds(ctx, ops, 1, shape[0], shape[1], reps);
        gemv.addObject()
            .put("out", shape[0])
            .put("in", shape[1])
            .put("us", seconds * 1e6)
            .put("gb_s", weightBytes / seconds / 1e9)
            .put("fraction_of_copy_bandwidth", weightBytes / seconds / bandwidth);
      }
      ArrayNode batched = r.putArray("matmul_bf16_256_tokens");
      int tokens = 256;
      for (int[] shape : new int[][] {{4864, 896}, {8192, 2048}, {151936, 896}}) {
        double flop = 2.0 * tokens * shape[0] * shape[1];
        int reps = (int) Math.max(5, Math.min(200, 2e12 / flop));
        double seconds = matmulSeconds(ctx, ops, tokens, shape[0], shape[1], reps);
        batched
            .addObject()
            .put("out", shape[0])
            .put("in", shape[1])
            .put("tflop_s", flop / seconds / 1e12);
      }
    } catch (RuntimeException e) {
      r.put("error", e.toString());
      e.printStackTrace();
    }
    System.out.println("kernel probes: " + r.toPrettyString());
    return r;
  }

  /** Seconds per {@code reps}-th of a BF16 mat-mul y[T,out] = x[T,in] · w[out,in]ᵀ (zeros). */
  private static double matmulSeconds(
      CudaContext ctx, CudaOps ops, int tokens, int out, int in, int reps) {
    try (DeviceBuffer w = ctx.allocate(2L * out * in);
        DeviceBuffer x = ctx.allocate(4L * tokens * in);
        DeviceBuffer y = ctx.allocate(4L * tokens * out)) {
      w.clear();
      x.clear();
      return secondsEach(
          ctx,
          reps,
          () ->
              ops.matmul(x.pointer(), w.pointer(), DeviceType.BF16, y.pointer(), tokens, in, out));
    }
  }

  /**
   * Seconds per call of {@code launch}, {@code reps} back to back and one synchronisation, after an
   * unmeasured round that warms the JVM's JIT.
   */
  private static double secondsEach(CudaContext ctx, int reps, Runnable launch) {
    double seconds = 0;
    for (int round = 0; round < 2; round++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < reps; i++) {
        launch.run();
      }
      ctx.synchronize();
      seconds = (System.nanoTime() - t0) / 1e9 / reps;
    }
    return seconds;
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

  /** Prefills sequences {@code first} .. {@code first + count - 1} in one step. */
  private static void prefill(TransformerExecutor ex, int first, int count, int blocksPerSeq) {
    List<SequenceChunk> batch = new ArrayList<>();
    for (int seq = first; seq < first + count; seq++) {
      int[] prompt = new Random(seq).ints(PREFILL, 0, ex.vocabSize()).toArray();
      batch.add(new SequenceChunk(prompt, 0, table(seq, blocksPerSeq), true));
    }
    ex.execute(batch);
  }

  /**
   * Times {@code steps} batched decode steps of the first {@code streams} prefilled sequences; each
   * call continues from the same positions (the keys it writes are overwritten by the next call).
   */
  private static double decode(TransformerExecutor ex, int streams, int blocksPerSeq, int steps) {
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
