package dev.cairn.operator.usage;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * What the operator last read from a deployment's workers, per LLMDeployment uid: kept while no
 * worker is ready (scaled down), and {@code jsonModeUsed} never goes back to false, so a worker
 * restart (its counter back at 0) does not forget it. Persisted beside the report, never in it.
 */
public final class KnownFacts {

  /**
   * One deployment's last-read facts.
   *
   * @param jsonModeUsed true once any worker counted a structured-output request
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Entry(
      String architecture,
      String dtype,
      String backend,
      String quantization,
      boolean jsonModeUsed) {

    /** Nothing read yet. */
    public static final Entry UNKNOWN = new Entry(null, null, null, null, false);
  }

  private final Map<String, Entry> byUid;

  /** Starts from {@code persisted} (the ConfigMap's state), or empty. */
  public KnownFacts(Map<String, Entry> persisted) {
    this.byUid = new HashMap<>(persisted);
  }

  /** Folds one worker's reading into the deployment's entry; true when the entry changed. */
  public synchronized boolean observe(String uid, WorkerFacts facts) {
    Entry before = byUid.getOrDefault(uid, Entry.UNKNOWN);
    Entry after =
        new Entry(
            facts.architecture(),
            facts.dtype(),
            facts.backend(),
            facts.quantization(),
            before.jsonModeUsed() || facts.structuredOutputRequests() > 0);
    byUid.put(uid, after);
    return !after.equals(before);
  }

  /** The deployment's entry, {@link Entry#UNKNOWN} when nothing was ever read. */
  public synchronized Entry of(String uid) {
    return byUid.getOrDefault(uid, Entry.UNKNOWN);
  }

  /** Forgets deployments that no longer exist. */
  public synchronized void retain(Set<String> uids) {
    byUid.keySet().retainAll(uids);
  }

  /** A copy to persist. */
  public synchronized Map<String, Entry> snapshot() {
    return Map.copyOf(byUid);
  }
}
