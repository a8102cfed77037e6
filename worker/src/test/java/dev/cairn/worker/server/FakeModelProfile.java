package dev.cairn.worker.server;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Set;

/** The worker app with the fake model loader and the embedded default configuration. */
public class FakeModelProfile implements QuarkusTestProfile {
  @Override
  public Set<Class<?>> getEnabledAlternatives() {
    return Set.of(FakeModelLoader.class);
  }
}
