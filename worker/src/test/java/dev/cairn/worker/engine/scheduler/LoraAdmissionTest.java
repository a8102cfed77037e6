package dev.cairn.worker.engine.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.worker.engine.FinishReason;
import dev.cairn.worker.engine.GenerationRequest;
import dev.cairn.worker.engine.RequestGroup;
import dev.cairn.worker.engine.SamplingParams;
import dev.cairn.worker.engine.kv.KvBlockManager;
import dev.cairn.worker.lora.AdapterLease;
import dev.cairn.worker.lora.LoraWeights;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The scheduler keeps each step within maxLorasPerBatch without starving a held-back request. */
class LoraAdmissionTest {

  private final KvBlockManager kv = new KvBlockManager(64, 4, false);

  @Test
  void aSecondAdapterWaitsWhileBaseAndTheRunningAdapterAreAdmitted() {
    Scheduler s = new Scheduler(8, 100, kv, 1, Integer.MAX_VALUE);
    EngineRequest a = request("a", 1);
    EngineRequest b = request("b", 2);
    EngineRequest base = request("base", 0);
    EngineRequest a2 = request("a2", 1);
    List.of(a, b, base, a2).forEach(s::add);

    assertThat(ids(s.schedule())).containsExactly("a", "base", "a2");
    assertThat(s.waiting()).containsExactly(b);

    for (EngineRequest r : List.of(a, base, a2)) {
      s.finish(r, FinishReason.STOP);
    }
    assertThat(ids(s.schedule())).containsExactly("b");
    s.finish(b, FinishReason.STOP);
  }

  @Test
  void aHeldBackRequestIsOvertakenAtMostMaxNumSeqsTimes() {
    Scheduler s = new Scheduler(2, 100, kv, 1, Integer.MAX_VALUE);
    EngineRequest a = request("a", 1);
    EngineRequest b = request("b", 2);
    s.add(a);
    s.add(b);
    assertThat(ids(s.schedule())).containsExactly("a");
    // Base requests keep arriving; b lets two of them pass, then admissions wait for it.
    for (int i = 0; i < 4; i++) {
      s.add(request("base" + i, 0));
    }
    assertThat(ids(s.schedule())).containsExactly("a", "base0");
    s.finish(s.find("base0"), FinishReason.STOP);
    assertThat(ids(s.schedule())).containsExactly("a", "base1");
    s.finish(s.find("base1"), FinishReason.STOP);
    assertThat(ids(s.schedule())).containsExactly("a");
    s.finish(a, FinishReason.STOP);
    assertThat(ids(s.schedule())).startsWith("b");
    for (EngineRequest r : s.running()) {
      s.finish(r, FinishReason.ABORT);
    }
    for (EngineRequest r : s.waiting()) {
      s.finish(r, FinishReason.ABORT);
    }
    assertThat(kv.numHeldBlocks()).isZero();
  }

  private static List<String> ids(SchedulerOutput out) {
    return out.chunks().stream().map(c -> c.request().id()).toList();
  }

  private static EngineRequest request(String id, long adapter) {
    AdapterLease lease = adapter == 0 ? null : new FixedLease(adapter);
    return new EngineRequest(
        new GenerationRequest(
            id, new int[] {1, 2, 3}, SamplingParams.greedy(100), 0L, lease, RequestGroup.single()));
  }

  /** A lease with only an identity: the scheduler never reads weights. */
  private record FixedLease(long id) implements AdapterLease {
    @Override
    public String name() {
      return "adapter-" + id;
    }

    @Override
    public LoraWeights weights() {
      throw new UnsupportedOperationException("not needed by the scheduler");
    }

    @Override
    public void close() {}
  }
}
