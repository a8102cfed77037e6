package dev.cairn.operator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRule;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRuleBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectRulesReviewStatusBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.zjsonpatch.JsonDiff;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;

/**
 * The Fabric8 mock API server (CRUD mode) on 127.0.0.1, made fit for the packaged operator, which
 * runs as production does: server-side apply and leader election. Two additions, nothing else:
 *
 * <ul>
 *   <li>A server-side apply (a PATCH of {@code application/apply-patch+yaml}) creates the object
 *       when it is missing; when it exists, the applied object is merged in as an RFC 7386 merge
 *       patch (lists such as an EndpointSlice's endpoints replaced whole) and written as the JSON
 *       patch between the two, nothing at all when they are equal. That is what an apply by the
 *       only field manager amounts to for the objects and fields the operator writes; fields it
 *       stops applying are not removed, and no managedFields are kept. A resourceVersion in the
 *       applied object is checked, as by a real API server.
 *   <li>A SelfSubjectRulesReview, which Java Operator SDK posts before leader election, answers
 *       with the rules deploy/rbac.yaml grants the operator in its own namespace (its Lease Role),
 *       so a missing right would fail here as in a cluster.
 * </ul>
 */
public final class MockApiServer implements AutoCloseable {
  private static final String APPLY = "application/apply-patch+yaml";
  private static final String JSON_PATCH = "application/json-patch+json";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LEASE_ROLE = "cairn-operator-leader-election";

  // The mock server logs every request at INFO: thousands of lines over a test. Held here so the
  // level is not lost with a collected logger.
  private static final java.util.logging.Logger REQUEST_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  private final KubernetesMockServer server;
  private final KubernetesClient client;

  private MockApiServer(KubernetesMockServer server) {
    this.server = server;
    this.client = server.createClient();
  }

  /** Starts a server with an empty store. */
  public static MockApiServer start() {
    REQUEST_LOG.setLevel(java.util.logging.Level.WARNING);
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), new Dispatcher(), false);
    try {
      server.init(InetAddress.getByName("127.0.0.1"), 0);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
    return new MockApiServer(server);
  }

  /** The base URL a client (or the operator's {@code kubernetes.master}) connects to. */
  public String url() {
    return "http://127.0.0.1:" + server.getPort();
  }

  /** A client of this server, closed with it. */
  public KubernetesClient client() {
    return client;
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }

  /** CRUD plus server-side apply and the operator's rules review. */
  private static final class Dispatcher extends KubernetesCrudDispatcher {
    @Override
    public MockResponse handleCreate(RecordedRequest request) {
      if (request.getPath().endsWith("/selfsubjectrulesreviews")) {
        return rulesReview(request);
      }
      return super.handleCreate(request);
    }

    @Override
    public MockResponse handlePatch(RecordedRequest request) {
      String type = request.getHeader("Content-Type");
      if (type == null || !type.startsWith(APPLY)) {
        return super.handlePatch(request);
      }
      String path = request.getPath();
      int query = path.indexOf('?');
      String resource = query < 0 ? path : path.substring(0, query);
      boolean status = resource.endsWith("/status");
      // Apply sends YAML or JSON; the CRUD store takes JSON.
      JsonNode applied =
          JSON.valueToTree(Serialization.unmarshal(request.getUtf8Body(), Object.class));
      MockResponse found =
          handleGet(status ? resource.substring(0, resource.lastIndexOf('/')) : resource);
      if (found.code() == 404 && !status) {
        String collection = resource.substring(0, resource.lastIndexOf('/'));
        return super.handleCreate(
            with(request, HttpMethod.POST, collection, "application/json", applied.toString()));
      }
      if (found.code() != 200) {
        return found;
      }
      String currentJson = found.getBody().readUtf8();
      JsonNode current = read(currentJson);
      JsonNode version = applied.at("/metadata/resourceVersion");
      if (!version.isMissingNode() && !version.equals(current.at("/metadata/resourceVersion"))) {
        return new MockResponse()
            .setResponseCode(409)
            .setBody(
                "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                    + "\"reason\":\"Conflict\",\"code\":409,\"message\":\"the object has been"
                    + " modified; please apply your changes to the latest version and try again\"}");
      }
      JsonNode merged = current.deepCopy();
      if (status) {
        ((ObjectNode) merged).set("status", merge(merged.get("status"), applied.get("status")));
      } else {
        merged = merge(merged, applied);
      }
      JsonNode patch = JsonDiff.asJson(current, merged);
      if (patch.isEmpty()) {
        // A real API server writes nothing for an apply that changes nothing: no new
        // resourceVersion, no watch event.
        return new MockResponse().setResponseCode(200).setBody(currentJson);
      }
      return super.handlePatch(
          with(request, HttpMethod.PATCH, resource, JSON_PATCH, patch.toString()));
    }

    /** RFC 7386: objects merge field by field, null removes, anything else (lists too) replaces. */
    private static JsonNode merge(JsonNode target, JsonNode patch) {
      if (patch == null) {
        return target;
      }
      if (!patch.isObject() || target == null || !target.isObject()) {
        return patch.deepCopy();
      }
      ObjectNode out = ((ObjectNode) target).deepCopy();
      patch
          .properties()
          .forEach(
              f -> {
                if (f.getValue().isNull()) {
                  out.remove(f.getKey());
                } else {
                  out.set(f.getKey(), merge(out.get(f.getKey()), f.getValue()));
                }
              });
      return out;
    }

    private static JsonNode read(String json) {
      try {
        return JSON.readTree(json);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private static RecordedRequest with(
        RecordedRequest original, HttpMethod method, String path, String type, String body) {
      return new RecordedRequest(
          original.getHttpVersion(),
          method,
          path,
          Headers.builder().add("Content-Type", type).build(),
          new Buffer(body.getBytes(StandardCharsets.UTF_8)));
    }

    private static MockResponse rulesReview(RecordedRequest request) {
      SelfSubjectRulesReview review =
          Serialization.unmarshal(request.getUtf8Body(), SelfSubjectRulesReview.class);
      List<ResourceRule> rules =
          DeployManifests.load("rbac.yaml").stream()
              .filter(o -> o instanceof Role && LEASE_ROLE.equals(o.getMetadata().getName()))
              .flatMap(o -> ((Role) o).getRules().stream())
              .map(Dispatcher::rule)
              .toList();
      review.setStatus(
          new SubjectRulesReviewStatusBuilder()
              .withResourceRules(rules)
              .withIncomplete(false)
              .build());
      return new MockResponse().setResponseCode(201).setBody(Serialization.asJson(review));
    }

    private static ResourceRule rule(PolicyRule r) {
      return new ResourceRuleBuilder()
          .withApiGroups(r.getApiGroups())
          .withResources(r.getResources())
          .withVerbs(r.getVerbs())
          .withResourceNames(r.getResourceNames())
          .build();
    }
  }
}
