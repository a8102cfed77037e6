package dev.cairn.operator.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.autoscaler.MetricsScraper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The collection loop against the mock API server and a receiver on loopback, no workers. */
@EnableKubernetesMockClient(crud = true)
class UsageStatsTest {
  private static final String NS = "cairn-system";
  private static final Duration INTERVAL = Duration.ofMillis(700);
  private static final Duration GUARD = Duration.ofSeconds(30);

  KubernetesClient client;
  private final MetricsScraper scraper = new MetricsScraper(Duration.ofSeconds(1));
  private UsageReceiver receiver;

  @BeforeEach
  void setUp() throws IOException {
    Path crd = Path.of("..", "crds", "llmdeployments.llm.cairn.dev-v1.yml");
    try (InputStream in = new FileInputStream(crd.toFile())) {
      client.resource(Serialization.unmarshal(in, CustomResourceDefinition.class)).create();
    }
    receiver = UsageReceiver.start(0);
  }

  @AfterEach
  void tearDown() {
    receiver.close();
    scraper.close();
  }

  private UsageStats stats(boolean enabled, URI url) {
    Duration s = Duration.ofMillis(200);
    UsageSettings settings =
        new UsageSettings(enabled, INTERVAL, s, Optional.of(url), s, 2, s, s, s);
    return new UsageStats(
        settings,
        client,
        new UsageConfigMap(client, NS),
        new WorkerReadings(scraper, 18999),
        new UsageReportBuilder("0.1.0", new Random()),
        () -> true,
        Clock.systemUTC());
  }

  private ConfigMap configMap() {
    return client.configMaps().inNamespace(NS).withName(UsageConfigMap.NAME).get();
  }

  private void createDeployment() throws IOException {
    try (InputStream in = getClass().getResourceAsStream("/fixtures/cpu.yaml")) {
      LLMDeployment llmd = Serialization.unmarshal(in, LLMDeployment.class);
      llmd.getMetadata().setUid(null);
      client.resource(llmd).create();
    }
  }

  @Test
  void writesTheReportSendsTheSameAndKeepsTheClusterId() throws Exception {
    createDeployment();
    String clusterId;
    try (UsageStats stats = stats(true, receiver.uri())) {
      stats.start();
      await().atMost(GUARD).until(() -> receiver.count() >= 1);
      JsonNode report = new ObjectMapper().readTree(configMap().getData().get("report.json"));
      assertThat(report.get("llmDeployments").asInt()).isEqualTo(1);
      // The mock API server answers /version with major and minor only ("v0.0").
      assertThat(report.get("kubernetesVersion").asText()).matches("v\\d+\\.\\d+.*");
      assertThat(report.at("/deployments/0/fixedReplicas").asInt()).isEqualTo(1);
      assertThat(new ObjectMapper().readTree(receiver.bodies().get(0)).get("clusterId"))
          .isEqualTo(report.get("clusterId"));
      clusterId = report.get("clusterId").asText();
    }
    try (UsageStats again = stats(true, receiver.uri())) {
      int before = receiver.count();
      again.start();
      await().atMost(GUARD).until(() -> receiver.count() > before);
      JsonNode report = new ObjectMapper().readTree(receiver.bodies().getLast());
      assertThat(report.get("clusterId").asText()).isEqualTo(clusterId);
    }
  }

  @Test
  void optedOutRemovesTheConfigMapAndSendsNothing() throws Exception {
    createDeployment();
    client
        .configMaps()
        .inNamespace(NS)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName(UsageConfigMap.NAME)
                .withNamespace(NS)
                .endMetadata()
                .addToData("report.json", "{}")
                .build())
        .create();
    try (UsageStats stats = stats(false, receiver.uri())) {
      stats.start();
      assertThat(configMap()).isNull();
      Thread.sleep(INTERVAL.multipliedBy(4).toMillis());
      assertThat(receiver.count()).isZero();
      assertThat(configMap()).isNull();
    }
  }
}
