package dev.cairn.worker.loading;

import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.HostTensor;
import dev.cairn.worker.backend.QuantBlocks;
import dev.cairn.worker.model.LayerWeights;
import dev.cairn.worker.model.ModelLoadException;
import dev.cairn.worker.model.ModelWeights;
import java.lang.foreign.Arena;
import java.util.function.Function;

/**
 * Quantizes a model's matrices into {@link QuantBlocks} at load time: the seven projections of
 * every layer and the LM head, which together are nearly all the bytes a decode step reads. The
 * embedding table keeps its dtype: a step reads one row of it per token, and a tied head gets its
 * own quantized copy rather than degrading the embedding. Norms and biases stay as they are.
 */
final class WeightQuantizer {

  private WeightQuantizer() {}

  /** {@code w} with its matrices in {@code format}, the copies owned by {@code arena}. */
  static ModelWeights<HostTensor> apply(ModelWeights<HostTensor> w, DType format, Arena arena) {
    if (!format.isQuantized()) {
      throw new IllegalArgumentException(format + " is not a quantized format");
    }
    Function<HostTensor, HostTensor> q =
        t -> {
          try {
            return QuantBlocks.quantize(t, format, arena);
          } catch (IllegalArgumentException e) {
            throw new ModelLoadException("spec.engine.quantization: " + e.getMessage());
          }
        };
    return new ModelWeights<>(
        w.embed(),
        w.layers().stream().map(l -> projections(l, q)).toList(),
        w.norm(),
        q.apply(w.lmHead()));
  }

  private static LayerWeights<HostTensor> projections(
      LayerWeights<HostTensor> l, Function<HostTensor, HostTensor> q) {
    return new LayerWeights<>(
        l.inputNorm(),
        q.apply(l.q()),
        l.qBias(),
        q.apply(l.k()),
        l.kBias(),
        q.apply(l.v()),
        l.vBias(),
        q.apply(l.o()),
        l.postNorm(),
        q.apply(l.gate()),
        q.apply(l.up()),
        q.apply(l.down()));
  }
}
