package dev.cairn.operator.usage;

import dev.cairn.api.CairnNames;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.autoscaler.MetricsScraper;
import dev.cairn.operator.autoscaler.ScrapeTarget;
import dev.cairn.operator.autoscaler.k8s.AutoscalerCycles;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads what the ready workers of each LLMDeployment say about themselves ({@link WorkerFacts})
 * with the autoscaler's scraper, and folds it into {@link KnownFacts}. A deployment with no ready
 * worker keeps what was read before.
 */
public final class WorkerReadings {
  private final MetricsScraper scraper;
  private final int workerPort;

  public WorkerReadings(MetricsScraper scraper, int workerPort) {
    this.scraper = scraper;
    this.workerPort = workerPort;
  }

  /**
   * Scrapes the ready pods among {@code pods} that belong to one of {@code deployments}; true when
   * what is known changed.
   */
  public boolean read(List<LLMDeployment> deployments, List<Pod> pods, KnownFacts facts) {
    Map<String, String> uidByInstance = new HashMap<>();
    for (LLMDeployment llmd : deployments) {
      uidByInstance.put(
          llmd.getMetadata().getNamespace() + "/" + llmd.getMetadata().getName(),
          llmd.getMetadata().getUid());
    }
    List<ScrapeTarget> targets = new ArrayList<>();
    List<String> uids = new ArrayList<>();
    for (Pod pod : pods) {
      String uid = uidByInstance.get(instanceOf(pod));
      if (uid != null && AutoscalerCycles.isReady(pod) && pod.getStatus().getPodIP() != null) {
        targets.add(
            new ScrapeTarget(pod.getMetadata().getName(), pod.getStatus().getPodIP(), workerPort));
        uids.add(uid);
      }
    }
    List<Optional<String>> texts = scraper.texts(targets);
    boolean changed = false;
    for (int i = 0; i < texts.size(); i++) {
      Optional<WorkerFacts> read = texts.get(i).flatMap(WorkerFacts::parse);
      if (read.isPresent()) {
        changed |= facts.observe(uids.get(i), read.get());
      }
    }
    return changed;
  }

  private static String instanceOf(Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    String instance = labels == null ? null : labels.get(CairnNames.LABEL_INSTANCE);
    return instance == null ? null : pod.getMetadata().getNamespace() + "/" + instance;
  }
}
