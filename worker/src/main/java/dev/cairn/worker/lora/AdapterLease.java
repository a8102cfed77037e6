package dev.cairn.worker.lora;

/**
 * A request's hold on a loaded adapter: while any lease is open the adapter is not evicted or
 * freed. Close it when the request finishes (closing twice is harmless).
 */
public interface AdapterLease extends AutoCloseable {

  /** The adapter's name. */
  String name();

  /**
   * A number unique to this load of the adapter (a reload gets a new one): a key for prefix-cache
   * entries and device copies.
   */
  long id();

  /** The adapter's weights. */
  LoraWeights weights();

  @Override
  void close();
}
