package dev.cairn.operator.monitoring;

import dev.cairn.api.v1alpha1.LLMDeployment;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Watches for the Prometheus Operator CRDs. JOSDK's own CRD-present check gives up after a few
 * tries (stack.md trap 13), so the operator watches the two CRDs by name and re-reconciles every
 * LLMDeployment when one appears or goes: ServiceMonitors and PrometheusRules then show up without
 * an operator restart. Monitoring dependents read {@link #installed} in their activation
 * conditions.
 */
public final class MonitoringCrds {
  /** The ServiceMonitor CRD's name. */
  public static final String SERVICE_MONITORS = "servicemonitors.monitoring.coreos.com";

  /** The PrometheusRule CRD's name. */
  public static final String PROMETHEUS_RULES = "prometheusrules.monitoring.coreos.com";

  /** Both monitoring CRDs. */
  public static final Set<String> NAMES = Set.of(SERVICE_MONITORS, PROMETHEUS_RULES);

  static final String EVENT_SOURCE = "monitoring-crds";

  private MonitoringCrds() {}

  /** The informer on the monitoring CRDs by name; each change re-reconciles every resource. */
  public static InformerEventSource<CustomResourceDefinition, LLMDeployment> eventSource(
      EventSourceContext<LLMDeployment> context) {
    var config =
        InformerEventSourceConfiguration.from(CustomResourceDefinition.class, LLMDeployment.class)
            .withName(EVENT_SOURCE)
            .withWatchAllNamespaces()
            .withGenericFilter(crd -> NAMES.contains(crd.getMetadata().getName()))
            // A CRD concerns every LLMDeployment.
            .withSecondaryToPrimaryMapper(
                crd ->
                    context
                        .getPrimaryCache()
                        .list()
                        .map(ResourceID::fromResource)
                        .collect(Collectors.toSet()))
            .withPrimaryToSecondaryMapper(
                primary -> NAMES.stream().map(ResourceID::new).collect(Collectors.toSet()))
            .build();
    return new InformerEventSource<>(config, context);
  }

  /**
   * The names of the monitoring CRDs installed in the cluster right now. A CRD the informer's cache
   * lacks is looked up directly: a watch that silently stalled would otherwise keep ServiceMonitors
   * away until the next resync (seen on the test API server), and the lookup costs API calls only
   * while a CRD is missing.
   */
  public static Set<String> installed(Context<LLMDeployment> context) {
    Set<String> installed =
        context
            .getSecondaryResourcesAsStream(CustomResourceDefinition.class)
            .map(crd -> crd.getMetadata().getName())
            .filter(NAMES::contains)
            .collect(Collectors.toCollection(HashSet::new));
    for (String name : NAMES) {
      if (!installed.contains(name)
          && context
                  .getClient()
                  .apiextensions()
                  .v1()
                  .customResourceDefinitions()
                  .withName(name)
                  .get()
              != null) {
        installed.add(name);
      }
    }
    return installed;
  }

  /** Whether a switched-on monitoring object waits for a CRD that is not installed. */
  public static boolean waitingForCrd(MonitoringSwitches switches, Set<String> installed) {
    return (switches.serviceMonitor() && !installed.contains(SERVICE_MONITORS))
        || (switches.alerts() && !installed.contains(PROMETHEUS_RULES));
  }
}
