package dev.cairn.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cairn.api.v1alpha1.LLMDeployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * How long the operator takes to bring 1,000 LLMDeployments to a reconciled status on the mock API
 * server, and how many API requests that costs. A measurement, not a test of speed: it asserts only
 * that every resource got reconciled. Excluded from the normal build; run it with {@code ./mvnw -pl
 * operator -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=ReconcileBenchIT -Dcairn.it.excludedGroups=gpu}. Writes
 * target/bench/operator-reconcile.json.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@Tag("bench")
class ReconcileBenchIT {
  private static final Logger LOG = Logger.getLogger(ReconcileBenchIT.class);
  private static final int COUNT = Integer.getInteger("cairn.bench.count", 1000);

  @KubernetesTestServer KubernetesServer server;
  @Inject KubernetesClient client;

  private long reconciled(String namespace) {
    return client.resources(LLMDeployment.class).inNamespace(namespace).list().getItems().stream()
        .filter(l -> l.getStatus() != null && l.getStatus().getObservedGeneration() != null)
        .count();
  }

  @Test
  void reconcileManyResources() throws Exception {
    OperatorHarness h = new OperatorHarness(client, "bench");
    RequestLog.drain(server.getKubernetesMockServer());
    long start = System.nanoTime();
    for (int i = 0; i < COUNT; i++) {
      h.create("m-" + i, OperatorHarness.cpuSpec("file:models/tiny-shakespeare"));
    }
    long created = System.nanoTime();
    await()
        .atMost(Duration.ofMinutes(15))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> reconciled(h.namespace) == COUNT);
    long done = System.nanoTime();
    int requests = RequestLog.drain(server.getKubernetesMockServer()).size();
    assertThat(client.apps().deployments().inNamespace(h.namespace).list().getItems())
        .hasSize(COUNT);

    double total = (done - start) / 1e9;
    double afterCreate = (done - created) / 1e9;
    String json =
        String.format(
            "{\"resources\": %d, \"seconds_total\": %.2f, \"seconds_after_last_create\": %.2f,"
                + " \"resources_per_second\": %.1f, \"api_requests\": %d}%n",
            COUNT, total, afterCreate, COUNT / total, requests);
    LOG.info("reconcile bench: " + json.strip());
    Path out = Path.of("target/bench/operator-reconcile.json");
    Files.createDirectories(out.getParent());
    Files.writeString(out, json);
  }
}
