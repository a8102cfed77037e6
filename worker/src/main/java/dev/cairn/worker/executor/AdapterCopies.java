package dev.cairn.worker.executor;

import dev.cairn.worker.backend.Backend;
import dev.cairn.worker.backend.DeviceTensor;
import dev.cairn.worker.lora.LoraPair;
import dev.cairn.worker.lora.LoraTarget;
import dev.cairn.worker.lora.LoraWeights;
import dev.cairn.worker.model.LayerWeights;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The LoRA adapters' weights on the backend: uploaded on an adapter's first step (once per load,
 * each pair beside its layer's base weight) and released when the registry frees the adapter. Keyed
 * by the {@link LoraWeights} instance, which is unique to one load. Guarded by the executor.
 */
final class AdapterCopies {

  private final Backend backend;
  private final List<LayerWeights<DeviceTensor>> layers;
  // [layer][target] -> {a, bT}, null where the adapter leaves the projection alone
  private final Map<LoraWeights, DeviceTensor[][][]> copies = new IdentityHashMap<>();

  AdapterCopies(Backend backend, List<LayerWeights<DeviceTensor>> layers) {
    this.backend = backend;
    this.layers = layers;
  }

  /** The adapter's device copies, {@code [layer][target] = {a, bT}}, uploading them once. */
  DeviceTensor[][][] of(LoraWeights w) {
    return copies.computeIfAbsent(w, this::upload);
  }

  /** Frees the adapter's device copies (a no-op when it never ran). */
  void release(LoraWeights w) {
    DeviceTensor[][][] c = copies.remove(w);
    if (c == null) {
      return;
    }
    for (DeviceTensor[][] layer : c) {
      for (DeviceTensor[] pair : layer) {
        if (pair != null) {
          backend.release(pair[0]);
          backend.release(pair[1]);
        }
      }
    }
  }

  /** Adapters with device copies now. */
  int size() {
    return copies.size();
  }

  private DeviceTensor[][][] upload(LoraWeights w) {
    if (w.numLayers() != layers.size()) {
      throw new IllegalArgumentException(
          "adapter " + w.name() + " has " + w.numLayers() + " layers, the model " + layers.size());
    }
    LoraTarget[] targets = LoraTarget.values();
    DeviceTensor[][][] out = new DeviceTensor[layers.size()][targets.length][];
    for (int l = 0; l < layers.size(); l++) {
      for (LoraTarget t : targets) {
        LoraPair p = w.pair(l, t);
        if (p != null) {
          DeviceTensor base = baseWeight(layers.get(l), t);
          out[l][t.ordinal()] =
              new DeviceTensor[] {
                backend.uploadBeside(p.a(), base), backend.uploadBeside(p.bT(), base)
              };
        }
      }
    }
    return out;
  }

  private static DeviceTensor baseWeight(LayerWeights<DeviceTensor> l, LoraTarget t) {
    return switch (t) {
      case Q -> l.q();
      case K -> l.k();
      case V -> l.v();
      case O -> l.o();
      case GATE -> l.gate();
      case UP -> l.up();
      case DOWN -> l.down();
    };
  }
}
