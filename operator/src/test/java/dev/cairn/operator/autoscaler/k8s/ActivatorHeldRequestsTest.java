package dev.cairn.operator.autoscaler.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.cairn.operator.autoscaler.DeploymentKey;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Held requests read from activator pods' /metrics over real HTTP on loopback addresses: one
 * deployment's series summed over the pods, other deployments ignored, an unreachable pod as 0.
 */
class ActivatorHeldRequestsTest {
  private static final DeploymentKey KEY = new DeploymentKey("team-a", "tiny");
  private final List<HttpServer> servers = new ArrayList<>();

  @AfterEach
  void stop() {
    servers.forEach(s -> s.stop(0));
  }

  @Test
  void sumsTheDeploymentsSeriesOverEveryActivatorPod() throws IOException {
    int port = serve("127.0.0.1", 0, metrics(3, 7));
    serve("127.0.0.2", port, metrics(2, 1));
    ActivatorHeldRequests held =
        new ActivatorHeldRequests(
            () -> List.of("127.0.0.1", "127.0.0.2"), port, Duration.ofSeconds(1));
    assertThat(held.held(KEY)).isEqualTo(5);
    assertThat(held.held(new DeploymentKey("team-b", "tiny"))).isEqualTo(8);
    assertThat(held.held(new DeploymentKey("team-a", "other"))).isZero();
  }

  @Test
  void anUnreachableOrFailingPodCountsAsHoldingNothing() throws IOException {
    int port = serve("127.0.0.1", 0, metrics(4, 0));
    HttpServer failing = HttpServer.create(new InetSocketAddress("127.0.0.2", port), 0);
    failing.createContext("/metrics", ex -> ex.sendResponseHeaders(500, -1));
    failing.start();
    servers.add(failing);
    ActivatorHeldRequests held =
        new ActivatorHeldRequests(
            () -> List.of("127.0.0.1", "127.0.0.2", "127.0.0.3"), port, Duration.ofSeconds(1));
    assertThat(held.held(KEY)).isEqualTo(4);
  }

  @Test
  void noActivatorPodsMeansNothingHeld() {
    ActivatorHeldRequests held = new ActivatorHeldRequests(List::of, 9090, Duration.ofSeconds(1));
    assertThat(held.held(KEY)).isZero();
  }

  private static String metrics(int teamA, int teamB) {
    return """
        # HELP cairn_activator_held_requests Requests held while the deployment has no ready replica
        # TYPE cairn_activator_held_requests gauge
        cairn_activator_held_requests{deployment="tiny",namespace="team-a",} %d.0
        cairn_activator_held_requests{deployment="tiny",namespace="team-b",} %d.0
        # TYPE cairn_activator_rejected_requests_total counter
        cairn_activator_rejected_requests_total{deployment="tiny",namespace="team-a",reason="timeout",} 9.0
        """
        .formatted(teamA, teamB);
  }

  private int serve(String host, int port, String body) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
    server.createContext(
        "/metrics",
        ex -> {
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, bytes.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
          }
        });
    server.start();
    servers.add(server);
    return server.getAddress().getPort();
  }
}
