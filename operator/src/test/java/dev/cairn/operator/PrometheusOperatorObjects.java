package dev.cairn.operator;

import dev.cairn.operator.monitoring.model.PrometheusRuleBuilder;
import dev.cairn.operator.monitoring.model.ServiceMonitorBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import org.awaitility.Awaitility;

/**
 * The Prometheus Operator's CRDs (v0.93.0, from test resources) installed into the mock API server,
 * and the ServiceMonitors and PrometheusRules the operator makes, read back untyped.
 */
final class PrometheusOperatorObjects {
  static final String CRD_DIR = "crds/prometheus-operator/monitoring.coreos.com_";
  static final ResourceDefinitionContext SERVICE_MONITORS =
      context(ServiceMonitorBuilder.KIND, "servicemonitors");
  static final ResourceDefinitionContext PROMETHEUS_RULES =
      context(PrometheusRuleBuilder.KIND, "prometheusrules");

  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private final KubernetesClient client;

  PrometheusOperatorObjects(KubernetesClient client) {
    this.client = client;
  }

  void installCrds() {
    installCrd("servicemonitors");
    installCrd("prometheusrules");
  }

  /** Installs one CRD, replacing a schema-less stand-in another IT left. */
  void installCrd(String plural) {
    CustomResourceDefinition crd = JSON.unmarshal(resource(CRD_DIR + plural + ".yaml"));
    var existing =
        client
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName(crd.getMetadata().getName())
            .get();
    if (existing == null || existing.getSpec().getVersions().get(0).getSchema() == null) {
      if (existing != null) {
        client.resource(existing).delete();
      }
      client.resource(crd).create();
    }
  }

  Optional<GenericKubernetesResource> get(
      ResourceDefinitionContext type, String namespace, String name) {
    return Optional.ofNullable(
        client.genericKubernetesResources(type).inNamespace(namespace).withName(name).get());
  }

  GenericKubernetesResource await(ResourceDefinitionContext type, String namespace, String name) {
    Awaitility.await()
        .atMost(OperatorHarness.WAIT)
        .until(() -> get(type, namespace, name).isPresent());
    return get(type, namespace, name).orElseThrow();
  }

  static InputStream resource(String path) {
    InputStream in = PrometheusOperatorObjects.class.getClassLoader().getResourceAsStream(path);
    if (in == null) {
      throw new UncheckedIOException(new IOException(path + " is not on the test classpath"));
    }
    return in;
  }

  private static ResourceDefinitionContext context(String kind, String plural) {
    return new ResourceDefinitionContext.Builder()
        .withGroup("monitoring.coreos.com")
        .withVersion("v1")
        .withKind(kind)
        .withPlural(plural)
        .withNamespaced(true)
        .build();
  }
}
