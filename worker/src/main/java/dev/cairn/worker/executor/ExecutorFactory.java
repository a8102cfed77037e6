package dev.cairn.worker.executor;

import dev.cairn.worker.backend.Backend;
import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.HostTensor;
import dev.cairn.worker.model.ModelConfig;
import dev.cairn.worker.model.ModelFamily;
import dev.cairn.worker.model.ModelWeights;
import dev.cairn.worker.model.safetensors.SafetensorsWeights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Loads a Hugging Face model directory (config.json + safetensors) into a {@link
 * TransformerExecutor}.
 */
public final class ExecutorFactory {

  private ExecutorFactory() {}

  /**
   * Loads {@code dir} onto {@code backend}.
   *
   * @param dtype "auto" keeps each weight's stored dtype (mapped, not copied); "float32",
   *     "bfloat16" or "float16" converts every weight into that dtype (a copy off the heap)
   * @param numKvBlocks KV pool size in blocks of {@link PagedKvCache#BLOCK_SIZE} tokens
   */
  public static TransformerExecutor load(Path dir, Backend backend, String dtype, int numKvBlocks) {
    ModelConfig config = ModelConfig.load(dir);
    DType target = "auto".equalsIgnoreCase(dtype) ? null : DType.fromUserName(dtype);
    SafetensorsWeights files = SafetensorsWeights.open(dir);
    Arena converted = Arena.ofShared();
    try {
      ModelWeights<HostTensor> w =
          ModelFamily.forArchitecture(config.architecture()).bind(files, config);
      if (target != null) {
        w = w.map(t -> t.dtype() == target ? t : convert(t, target, converted));
      }
      AutoCloseable release =
          () -> {
            converted.close();
            files.close();
          };
      return new TransformerExecutor(backend, config, w, numKvBlocks, release);
    } catch (RuntimeException e) {
      converted.close();
      files.close();
      throw e;
    }
  }

  /** A copy of {@code t} in {@code target} dtype, in native memory owned by {@code arena}. */
  public static HostTensor convert(HostTensor t, DType target, Arena arena) {
    long n = t.numel();
    MemorySegment seg = arena.allocate(n * target.bytes(), 64);
    ValueLayout.OfFloat f32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    ValueLayout.OfShort i16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    for (long i = 0; i < n; i++) {
      float v = t.getFloat(i);
      switch (target) {
        case F32 -> seg.setAtIndex(f32, i, v);
        case BF16 -> seg.setAtIndex(i16, i, DType.floatToBf16(v));
        case F16 -> seg.setAtIndex(i16, i, Float.floatToFloat16(v));
      }
    }
    return new HostTensor(target, t.shape(), seg);
  }
}
