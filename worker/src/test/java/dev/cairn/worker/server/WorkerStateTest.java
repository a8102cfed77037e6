package dev.cairn.worker.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.worker.server.fake.FakeEngine;
import dev.cairn.worker.server.fake.FakeModels;
import org.junit.jupiter.api.Test;

class WorkerStateTest {
  @Test
  void lifecycle() {
    WorkerState s = new WorkerState();
    s.update(1.7, "clamped");
    assertThat(s.progress()).isEqualTo(1.0);
    s.update(0.3, "downloading");
    assertThat(s.isStarted()).isFalse();
    assertThat(s.isReady()).isFalse();
    s.ready(FakeModels.served(new FakeEngine(8)));
    assertThat(s.isReady()).isTrue();
    assertThat(s.progress()).isEqualTo(1.0);
    s.update(0.1, "late progress is ignored");
    assertThat(s.progress()).isEqualTo(1.0);
    s.draining();
    assertThat(s.isReady()).isFalse();
    assertThat(s.isStarted()).isTrue();
    assertThat(s.phase()).isEqualTo(WorkerState.Phase.DRAINING);
  }

  @Test
  void failureIsFinal() {
    WorkerState s = new WorkerState();
    s.failed("no weights");
    s.ready(FakeModels.served(new FakeEngine(8)));
    s.draining();
    assertThat(s.phase()).isEqualTo(WorkerState.Phase.FAILED);
    assertThat(s.detail()).isEqualTo("failed: no weights");
  }
}
