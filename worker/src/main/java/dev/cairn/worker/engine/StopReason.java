package dev.cairn.worker.engine;

/**
 * What ended a request that finished with {@link FinishReason#STOP} on something the client asked
 * for (vLLM's {@code stop_reason}): the matched stop string, or the stop token id. EOS has none.
 *
 * @param string the matched stop string, or null
 * @param tokenId the matched stop token id, or null
 */
public record StopReason(String string, Integer tokenId) {

  public static StopReason string(String stop) {
    return new StopReason(stop, null);
  }

  public static StopReason token(int id) {
    return new StopReason(null, id);
  }
}
