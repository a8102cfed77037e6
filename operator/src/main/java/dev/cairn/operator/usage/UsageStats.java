package dev.cairn.operator.usage;

import dev.cairn.api.CairnNames;
import dev.cairn.api.v1alpha1.LLMDeployment;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.VersionInfo;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Collects usage statistics on a thread of its own: every interval, and once after a burst of
 * LLMDeployment changes, it reads the ready workers, writes the report to the ConfigMap and hands
 * it to the sender (which never makes this thread wait). Nothing here runs on a reconcile or
 * autoscaler thread.
 */
public final class UsageStats implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(UsageStats.class);

  private final UsageSettings settings;
  private final KubernetesClient client;
  private final UsageConfigMap configMap;
  private final WorkerReadings readings;
  private final UsageReportBuilder builder;
  private final UsageSender sender;
  private final BooleanSupplier leader;
  private final Clock clock;
  private final AtomicBoolean refreshQueued = new AtomicBoolean();
  private ScheduledExecutorService thread;
  private SharedIndexInformer<LLMDeployment> deployments;
  private KnownFacts facts;
  private String clusterId;

  /**
   * @param leader true on the replica that holds the leader Lease (only it writes and sends)
   */
  public UsageStats(
      UsageSettings settings,
      KubernetesClient client,
      UsageConfigMap configMap,
      WorkerReadings readings,
      UsageReportBuilder builder,
      BooleanSupplier leader,
      Clock clock) {
    this.settings = settings;
    this.client = client;
    this.configMap = configMap;
    this.readings = readings;
    this.builder = builder;
    this.sender =
        settings.enabled() && settings.url().isPresent()
            ? new UsageSender(
                settings.url().get(),
                settings.sendTimeout(),
                settings.sendAttempts(),
                settings.retryBackoff())
            : null;
    this.leader = leader;
    this.clock = clock;
  }

  /** Opted out: removes the ConfigMap. Otherwise starts watching and refreshing. */
  public void start() {
    LOG.info(settings.startLine(configMap.where()));
    if (!settings.enabled()) {
      removeConfigMap();
      return;
    }
    try {
      deployments =
          client.resources(LLMDeployment.class).inAnyNamespace().inform(new OnChange(), 0);
    } catch (KubernetesClientException e) {
      // Usage statistics never stop the operator: without its watch there is nothing to report.
      LOG.warnf("usage statistics not started, LLMDeployments cannot be watched: %s", e);
      return;
    }
    thread =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("cairn-usage-stats").factory());
    long every = settings.interval().toMillis();
    thread.scheduleWithFixedDelay(this::refresh, every, every, TimeUnit.MILLISECONDS);
    long read = settings.workerReadInterval().toMillis();
    thread.scheduleWithFixedDelay(this::readWorkers, read, read, TimeUnit.MILLISECONDS);
    changed();
  }

  /** Gathers changes: one refresh a debounce after the first change of a burst. */
  void changed() {
    if (thread != null && refreshQueued.compareAndSet(false, true)) {
      thread.schedule(
          () -> {
            refreshQueued.set(false);
            refresh();
          },
          settings.debounce().toMillis(),
          TimeUnit.MILLISECONDS);
    }
  }

  /** Reads the ready workers between reports; what changed is written a debounce later. */
  void readWorkers() {
    if (!leader.getAsBoolean() || facts == null) {
      return;
    }
    try {
      if (readings.read(deployments.getStore().list(), workerPods(), facts)) {
        changed();
      }
    } catch (RuntimeException e) {
      LOG.debugf("usage statistics: workers not read, retried next time: %s", e.getMessage());
    }
  }

  /** One collection: read workers, write the ConfigMap, offer the report to the sender. */
  void refresh() {
    if (!leader.getAsBoolean()) {
      return;
    }
    try {
      if (facts == null) {
        facts = new KnownFacts(configMap.workers());
        clusterId = configMap.clusterId();
      }
      List<LLMDeployment> all = deployments.getStore().list();
      readings.read(all, workerPods(), facts);
      Set<String> uids =
          all.stream().map(l -> l.getMetadata().getUid()).collect(Collectors.toSet());
      facts.retain(uids);
      UsageReport report =
          builder.build(clusterId, kubernetesVersion(), clock.instant(), all, facts);
      String json = UsageConfigMap.toJson(report);
      configMap.write(json, facts.snapshot());
      if (sender != null) {
        sender.offer(json);
      }
    } catch (RuntimeException e) {
      // A scheduled task that throws is never run again: log and try at the next interval.
      LOG.warnf("usage statistics not refreshed, retried next interval: %s", e.getMessage());
    }
  }

  private List<Pod> workerPods() {
    return client
        .pods()
        .inAnyNamespace()
        .withLabel(CairnNames.LABEL_MANAGED_BY, CairnNames.MANAGED_BY)
        .list()
        .getItems();
  }

  private String kubernetesVersion() {
    try {
      VersionInfo version = client.getKubernetesVersion();
      if (version.getGitVersion() != null) {
        return version.getGitVersion();
      }
      // Some API servers (and the Fabric8 mock) answer major and minor only.
      return version.getMajor() == null
          ? null
          : "v" + version.getMajor() + "." + version.getMinor();
    } catch (RuntimeException e) {
      LOG.debugf("API server version not read: %s", e);
      return null;
    }
  }

  private void removeConfigMap() {
    try {
      if (configMap.delete()) {
        LOG.infof("usage statistics off: removed ConfigMap %s", configMap.where());
      }
    } catch (KubernetesClientException e) {
      LOG.warnf("usage statistics off, but ConfigMap %s not removed: %s", configMap.where(), e);
    }
  }

  @Override
  public void close() {
    if (thread != null) {
      thread.shutdownNow();
    }
    if (deployments != null) {
      deployments.stop();
    }
    if (sender != null) {
      sender.close();
    }
  }

  /** A created or deleted LLMDeployment, or a spec change (new generation), refreshes. */
  private final class OnChange implements ResourceEventHandler<LLMDeployment> {
    @Override
    public void onAdd(LLMDeployment obj) {
      changed();
    }

    @Override
    public void onUpdate(LLMDeployment before, LLMDeployment after) {
      Long was = before.getMetadata().getGeneration();
      if (was == null || !was.equals(after.getMetadata().getGeneration())) {
        changed();
      }
    }

    @Override
    public void onDelete(LLMDeployment obj, boolean deletedFinalStateUnknown) {
      changed();
    }
  }
}
