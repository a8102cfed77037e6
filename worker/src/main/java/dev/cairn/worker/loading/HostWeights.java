package dev.cairn.worker.loading;

import dev.cairn.worker.backend.Backend;
import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.DTypeConversion;
import dev.cairn.worker.backend.HostTensor;
import dev.cairn.worker.executor.TransformerExecutor;
import dev.cairn.worker.model.ModelConfig;
import dev.cairn.worker.model.ModelFamily;
import dev.cairn.worker.model.ModelWeights;
import dev.cairn.worker.model.safetensors.SafetensorsWeights;
import java.lang.foreign.Arena;
import java.nio.file.Path;

/**
 * A model's weights in host memory, ready for a backend: the safetensors files mapped, every tensor
 * bound to its family's name and shape, then prepared ({@link #prepare}). Closing releases the
 * mapping and any converted copies; an executor built by {@link #executorOn} owns them instead.
 */
public final class HostWeights implements AutoCloseable {

  private final ModelConfig config;
  private final ModelWeights<HostTensor> tensors;
  private final DType converted;
  private final DType quantization;
  private final SafetensorsWeights files;
  private final Arena copies;

  private HostWeights(
      ModelConfig config,
      ModelWeights<HostTensor> tensors,
      DType converted,
      DType quantization,
      SafetensorsWeights files,
      Arena copies) {
    this.config = config;
    this.tensors = tensors;
    this.converted = converted;
    this.quantization = quantization;
    this.files = files;
    this.copies = copies;
  }

  /**
   * Maps {@code dir}'s safetensors and binds them to {@code config}'s family.
   *
   * @param dtype "auto" keeps each weight's stored dtype (mapped, not copied); "float32",
   *     "bfloat16" or "float16" converts every weight into that dtype (a copy off the heap)
   * @param quantization "none", or "q8_0" / "q4_0": the matrices quantized from the (converted)
   *     weights (see {@link WeightQuantizer})
   */
  public static HostWeights load(Path dir, ModelConfig config, String dtype, String quantization) {
    DType target = "auto".equalsIgnoreCase(dtype) ? null : DType.fromUserName(dtype);
    DType quant = DType.fromQuantization(quantization);
    SafetensorsWeights files = SafetensorsWeights.open(dir);
    Arena copies = Arena.ofShared();
    try {
      ModelWeights<HostTensor> bound =
          ModelFamily.forArchitecture(config.architecture()).bind(files, config);
      return new HostWeights(
          config, prepare(bound, target, quant, copies), target, quant, files, copies);
    } catch (RuntimeException e) {
      copies.close();
      files.close();
      throw e;
    }
  }

  /** As {@link #load(Path, ModelConfig, String, String)}, reading {@code dir/config.json} first. */
  public static HostWeights load(Path dir, String dtype, String quantization) {
    return load(dir, ModelConfig.load(dir), dtype, quantization);
  }

  /** Unquantized weights in {@code dtype}, reading {@code dir/config.json} first. */
  public static HostWeights load(Path dir, String dtype) {
    return load(dir, dtype, "none");
  }

  /**
   * The one step between the checkpoint's tensors and the backend: every transformation of host
   * weights (a dtype conversion, then quantization; later adapters merged in) maps them here, its
   * copies owned by {@code copies}. {@code target} and {@code quant} may each be null (none).
   */
  static ModelWeights<HostTensor> prepare(
      ModelWeights<HostTensor> bound, DType target, DType quant, Arena copies) {
    ModelWeights<HostTensor> typed =
        target == null
            ? bound
            : bound.map(t -> t.dtype() == target ? t : convert(t, target, copies));
    return quant == null ? typed : WeightQuantizer.apply(typed, quant, copies);
  }

  /** A copy of {@code t} in {@code target} dtype, in native memory owned by {@code arena}. */
  static HostTensor convert(HostTensor t, DType target, Arena arena) {
    return DTypeConversion.convert(t, target, arena);
  }

  /**
   * The forward pass over these weights on {@code backend}, with a pool of {@code numKvBlocks}
   * blocks. The executor owns the weights from here on: closing it closes them. When this throws,
   * the caller still owns them.
   */
  public TransformerExecutor executorOn(Backend backend, int numKvBlocks) {
    return executorOn(backend, numKvBlocks, DType.F32);
  }

  /** {@link #executorOn(Backend, int)} with a pool of {@code kvDtype} (F32 or BF16) blocks. */
  public TransformerExecutor executorOn(Backend backend, int numKvBlocks, DType kvDtype) {
    return new TransformerExecutor(backend, config, tensors, numKvBlocks, kvDtype, this);
  }

  /** The configuration the weights are bound to. */
  public ModelConfig config() {
    return config;
  }

  /** The tensors, named by role; a tied head is the embedding itself. */
  public ModelWeights<HostTensor> tensors() {
    return tensors;
  }

  /** The dtype every weight was converted to, or null when they keep their stored dtype. */
  public DType convertedTo() {
    return converted;
  }

  /** The block format of the matrices (Q8_0, Q4_0), or null when they are not quantized. */
  public DType quantization() {
    return quantization;
  }

  @Override
  public void close() {
    copies.close();
    files.close();
  }
}
