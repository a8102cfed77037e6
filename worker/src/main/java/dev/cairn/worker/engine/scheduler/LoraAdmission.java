package dev.cairn.worker.engine.scheduler;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Keeps a step's distinct LoRA adapters within {@code maxLorasPerBatch}: a waiting request whose
 * adapter would be one too many is skipped, and later requests (base or an adapter already running)
 * may overtake it. So that it cannot starve, overtaking stops once it has been passed {@code
 * maxOvertakes} times: admissions then wait until running requests finish and free a place for its
 * adapter.
 */
final class LoraAdmission {

  private final int maxLorasPerBatch;
  private final int maxOvertakes;
  private final Set<Long> running = new HashSet<>();
  private EngineRequest blocked; // the oldest request held back by the limit
  private int overtakes;

  LoraAdmission(int maxLorasPerBatch, int maxOvertakes) {
    if (maxLorasPerBatch <= 0) {
      throw new IllegalArgumentException("maxLorasPerBatch must be > 0, got " + maxLorasPerBatch);
    }
    this.maxLorasPerBatch = maxLorasPerBatch;
    this.maxOvertakes = maxOvertakes;
  }

  /** Starts planning admissions: the adapters of the requests already running. */
  void begin(List<EngineRequest> runningRequests) {
    running.clear();
    for (EngineRequest r : runningRequests) {
      add(r);
    }
  }

  /** Whether {@code req}'s adapter fits the step. */
  boolean fits(EngineRequest req) {
    long key = req.request().adapterKey();
    return key == 0 || running.contains(key) || running.size() < maxLorasPerBatch;
  }

  /** Notes that {@code req} was held back; true while later requests may still overtake it. */
  boolean holdBack(EngineRequest req) {
    if (blocked == null || blocked.isFinished()) {
      blocked = req;
      overtakes = 0;
    }
    return blocked != req || overtakes < maxOvertakes;
  }

  /** Records an admission (which may overtake the held-back request). */
  void admitted(EngineRequest req) {
    if (req == blocked) {
      blocked = null;
    } else if (blocked != null) {
      overtakes++;
    }
    add(req);
  }

  private void add(EngineRequest r) {
    long key = r.request().adapterKey();
    if (key != 0) {
      running.add(key);
    }
  }
}
