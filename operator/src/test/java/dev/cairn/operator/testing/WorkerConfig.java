package dev.cairn.operator.testing;

import dev.cairn.api.CairnNames;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;

/** The CAIRN_CONFIG the operator wrote into a worker pod template: what its workers start with. */
public final class WorkerConfig {
  private WorkerConfig() {}

  public static String of(Deployment deployment) {
    return of(deployment.getSpec().getTemplate());
  }

  public static String of(PodTemplateSpec template) {
    return template.getSpec().getContainers().get(0).getEnv().stream()
        .filter(e -> e.getName().equals(CairnNames.ENV_CONFIG))
        .map(EnvVar::getValue)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + CairnNames.ENV_CONFIG + " in " + template));
  }
}
