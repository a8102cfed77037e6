package dev.cairn.worker.server;

/** Receives model-loading progress (downloading, reading weights, warming up). */
@FunctionalInterface
public interface LoadProgressListener {
  /**
   * @param ratio overall progress in [0, 1]
   * @param phase what is happening now, for humans ("downloading model.safetensors")
   */
  void update(double ratio, String phase);
}
