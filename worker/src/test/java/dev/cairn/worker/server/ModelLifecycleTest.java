package dev.cairn.worker.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.worker.config.ConfigLoader;
import dev.cairn.worker.config.WorkerConfig;
import dev.cairn.worker.server.fake.FakeEngine;
import dev.cairn.worker.server.fake.FakeModels;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ModelLifecycleTest {
  private final WorkerConfig config = new ConfigLoader(Map.of()).load(Optional.empty());

  @Test
  void successfulLoadServesAndStopDrainsTheEngine() {
    WorkerState state = new WorkerState();
    FakeEngine engine = new FakeEngine(32);
    ModelLifecycle.load(
        (c, progress) -> {
          progress.update(0.5, "half");
          assertThat(state.progress()).isEqualTo(0.5);
          return FakeModels.served(c.modelId(), engine);
        },
        config,
        state);
    assertThat(state.isReady()).isTrue();
    assertThat(state.model().orElseThrow().id()).isEqualTo("tiny-shakespeare");
    ModelLifecycle.stop(state, 10);
    assertThat(state.phase()).isEqualTo(WorkerState.Phase.DRAINING);
    assertThat(engine.isRunning()).isFalse();
  }

  @Test
  void failingLoaderMarksTheStateFailed() {
    WorkerState state = new WorkerState();
    ModelLifecycle.load(
        (c, progress) -> {
          throw new java.io.IOException("config.json not found in models/x");
        },
        config,
        state);
    assertThat(state.phase()).isEqualTo(WorkerState.Phase.FAILED);
    assertThat(state.failure()).isEqualTo("config.json not found in models/x");
    ModelLifecycle.stop(state, 10);
    assertThat(state.phase()).isEqualTo(WorkerState.Phase.FAILED);
  }
}
