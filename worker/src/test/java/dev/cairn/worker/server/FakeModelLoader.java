package dev.cairn.worker.server;

import dev.cairn.worker.config.WorkerConfig;
import dev.cairn.worker.server.fake.FakeEngine;
import dev.cairn.worker.server.fake.FakeModels;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

/** Serves the configured model id from the fake engine; enabled by {@link FakeModelProfile}. */
@Alternative
@ApplicationScoped
public class FakeModelLoader implements ModelLoader {
  volatile FakeEngine engine;

  @Override
  public ServedModel load(WorkerConfig config, LoadProgressListener progress) {
    progress.update(0.5, "reading fake weights");
    engine = new FakeEngine(FakeModels.MAX_MODEL_LEN);
    return FakeModels.served(config.modelId(), engine);
  }
}
