package dev.cairn.operator;

import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** The requests the mock API server received, drained so a test can look at one window. */
final class RequestLog {
  private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");

  private RequestLog() {}

  /** Everything received since the last drain. */
  static List<RecordedRequest> drain(KubernetesMockServer server) throws InterruptedException {
    List<RecordedRequest> out = new ArrayList<>();
    RecordedRequest r;
    while ((r = server.takeRequest(50, TimeUnit.MILLISECONDS)) != null) {
      out.add(r);
    }
    return out;
  }

  /** The requests that touched a namespace (its path names it). */
  static List<RecordedRequest> inNamespace(List<RecordedRequest> requests, String namespace) {
    return requests.stream()
        .filter(r -> r.getPath() != null && r.getPath().contains("/namespaces/" + namespace + "/"))
        .toList();
  }

  static List<RecordedRequest> writes(List<RecordedRequest> requests) {
    return requests.stream().filter(r -> WRITES.contains(r.getMethod())).toList();
  }

  static String describe(List<RecordedRequest> requests) {
    return String.join(
        "\n", requests.stream().map(r -> r.getMethod() + " " + r.getPath()).toList());
  }
}
