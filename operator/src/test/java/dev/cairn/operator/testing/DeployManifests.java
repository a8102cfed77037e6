package dev.cairn.operator.testing;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The install manifests under deploy/, parsed as kubectl would read them. */
public final class DeployManifests {
  private static final Path DEPLOY =
      Path.of(System.getProperty("cairn.repo.root", "..")).resolve("deploy");

  private DeployManifests() {}

  /** Every object of {@code file} (relative to deploy/), multi-document files included. */
  @SuppressWarnings("unchecked")
  public static List<HasMetadata> load(String file) {
    Object parsed;
    try {
      parsed = Serialization.unmarshal(Files.readString(DEPLOY.resolve(file)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (parsed instanceof KubernetesList list) {
      return list.getItems();
    }
    return parsed instanceof List<?> l ? (List<HasMetadata>) l : List.of((HasMetadata) parsed);
  }

  /** The one object of {@code kind} in {@code file}. */
  public static HasMetadata one(String file, String kind) {
    return load(file).stream()
        .filter(o -> kind.equals(o.getKind()))
        .reduce(
            (a, b) -> {
              throw new IllegalArgumentException(file + " has more than one " + kind);
            })
        .orElseThrow(() -> new IllegalArgumentException(file + " has no " + kind));
  }

  /**
   * A pod of the one Deployment in {@code file}, named {@code name} in {@code namespace}, with the
   * template's labels and containers, as its ReplicaSet would create it (no status).
   */
  public static Pod podOf(String file, String name, String namespace) {
    Deployment d = (Deployment) one(file, "Deployment");
    return new PodBuilder()
        .withMetadata(d.getSpec().getTemplate().getMetadata())
        .editMetadata()
        .withName(name)
        .withNamespace(namespace)
        .endMetadata()
        .withSpec(d.getSpec().getTemplate().getSpec())
        .build();
  }
}
