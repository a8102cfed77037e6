package dev.cairn.operator.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.api.CairnNames;
import dev.cairn.operator.CairnOperatorConfig;
import io.fabric8.kubernetes.api.model.Pod;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.OptionalDouble;
import org.jboss.logging.Logger;

/**
 * GETs {@code http://<podIP>:8000/health/started} with a bounded timeout and reads the progress
 * ratio from its JSON body. The ratio is taken from the first numeric field whose name contains
 * "progress" (e.g. {@code {"status":"UP","progress":0.45}} or a nested health-check data object),
 * so the operator does not break when the worker nests its health output differently.
 */
@ApplicationScoped
@DefaultBean
public class HttpModelLoadProgress implements ModelLoadProgress {
  private static final Logger LOG = Logger.getLogger(HttpModelLoadProgress.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient client;
  private final Duration timeout;

  @Inject
  public HttpModelLoadProgress(CairnOperatorConfig config) {
    this.timeout = config.progressProbeTimeout();
    this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  @Override
  public OptionalDouble of(Pod pod) {
    String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
    if (ip == null || ip.isBlank()) {
      return OptionalDouble.empty();
    }
    String host = ip.contains(":") ? "[" + ip + "]" : ip;
    URI uri = URI.create("http://" + host + ":" + CairnNames.PORT + CairnNames.PATH_STARTED);
    try {
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      return parse(response.body());
    } catch (IOException e) {
      LOG.debugf("no load progress from %s: %s", uri, e.toString());
      return OptionalDouble.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OptionalDouble.empty();
    }
  }

  /** The progress ratio in a health JSON body; a percentage above 1 is scaled down. */
  static OptionalDouble parse(String body) {
    try {
      JsonNode found = find(JSON.readTree(body));
      if (found == null) {
        return OptionalDouble.empty();
      }
      double v = found.asDouble();
      if (v > 1.0 && v <= 100.0) {
        v /= 100.0;
      }
      return v >= 0 && v <= 1.0 ? OptionalDouble.of(v) : OptionalDouble.empty();
    } catch (IOException | RuntimeException e) {
      return OptionalDouble.empty();
    }
  }

  private static JsonNode find(JsonNode node) {
    if (node == null) {
      return null;
    }
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getKey().toLowerCase().contains("progress") && e.getValue().isNumber()) {
          return e.getValue();
        }
      }
    }
    if (node.isContainerNode()) {
      for (JsonNode child : node) {
        JsonNode f = find(child);
        if (f != null) {
          return f;
        }
      }
    }
    return null;
  }
}
