package dev.cairn.worker.source;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A local stand-in for the Hugging Face Hub (API, resolve URLs) and its CDN, on two loopback ports,
 * with injectable faults. LFS files (*.safetensors) redirect to the CDN, small files are served
 * directly, as the real hub does.
 */
final class FakeHub implements AutoCloseable {

  /** A misbehaviour for one request of a file's bytes. */
  enum Fault {
    /** Answer 500. */
    SERVER_ERROR,
    /** Send half the bytes, then drop the connection. */
    DROP_MIDWAY,
    /** Send half the bytes, then go silent for a long time. */
    STALL,
    /** Send the right number of bytes with one of them changed. */
    CORRUPT
  }

  /** One request either server saw. */
  record Request(String server, String method, String path, String range, String authorization) {}

  static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

  private final HttpServer hub;
  private final HttpServer cdn;
  private final Map<String, byte[]> files = new LinkedHashMap<>();
  private final Map<String, Deque<Fault>> faults = new ConcurrentHashMap<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final String repo;
  private volatile String requiredToken;
  private volatile long stallMillis = 3_000;

  FakeHub(String repo) throws IOException {
    this.repo = repo;
    InetAddress loopback = InetAddress.getLoopbackAddress();
    hub = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
    cdn = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
    hub.createContext("/", this::handleHub);
    cdn.createContext("/", this::handleCdn);
    hub.setExecutor(Executors.newCachedThreadPool());
    cdn.setExecutor(Executors.newCachedThreadPool());
    hub.start();
    cdn.start();
  }

  FakeHub file(String name, byte[] content) {
    files.put(name, content);
    return this;
  }

  FakeHub requireToken(String token) {
    this.requiredToken = token;
    return this;
  }

  FakeHub stallMillis(long millis) {
    this.stallMillis = millis;
    return this;
  }

  /** Queues faults for the next downloads of {@code file}'s bytes, in order. */
  FakeHub fail(String file, Fault... queued) {
    faults.computeIfAbsent(file, f -> new ArrayDeque<>()).addAll(List.of(queued));
    return this;
  }

  String endpoint() {
    return "http://127.0.0.1:" + hub.getAddress().getPort();
  }

  List<Request> requests() {
    return List.copyOf(requests);
  }

  List<Request> requests(String server, String method) {
    List<Request> out = new ArrayList<>();
    for (Request r : requests) {
      if (r.server().equals(server) && r.method().equals(method)) {
        out.add(r);
      }
    }
    return out;
  }

  static String sha256(byte[] content) {
    return hex("SHA-256", content, new byte[0]);
  }

  static String gitSha1(byte[] content) {
    return hex(
        "SHA-1", content, ("blob " + content.length + "\0").getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    hub.stop(0);
    cdn.stop(0);
  }

  private void handleHub(HttpExchange ex) throws IOException {
    record(ex, "hub");
    try (ex) {
      if (requiredToken != null
          && !("Bearer " + requiredToken)
              .equals(ex.getRequestHeaders().getFirst("Authorization"))) {
        respond(ex, 401, "{\"error\":\"Invalid credentials\"}");
        return;
      }
      String path = ex.getRequestURI().getPath();
      String api = "/api/models/" + repo + "/revision/";
      String resolve = "/" + repo + "/resolve/";
      if (path.startsWith(api)) {
        revision(ex);
      } else if (path.startsWith(resolve)) {
        String rest = path.substring(resolve.length());
        String file = rest.substring(rest.indexOf('/') + 1);
        resolve(ex, file);
      } else {
        respond(ex, 404, "{\"error\":\"Repository not found\"}");
      }
    }
  }

  private void revision(HttpExchange ex) throws IOException {
    List<Map<String, String>> siblings = new ArrayList<>();
    for (String name : files.keySet()) {
      siblings.add(Map.of("rfilename", name));
    }
    String json =
        new ObjectMapper().writeValueAsString(Map.of("sha", COMMIT, "siblings", siblings));
    respond(ex, 200, json);
  }

  private void resolve(HttpExchange ex, String file) throws IOException {
    byte[] content = files.get(file);
    if (content == null) {
      respond(ex, 404, "{\"error\":\"Entry not found\"}");
      return;
    }
    ex.getResponseHeaders().set("X-Repo-Commit", COMMIT);
    if (file.endsWith(".safetensors")) {
      String sha = sha256(content);
      ex.getResponseHeaders().set("X-Linked-Etag", "\"" + sha + "\"");
      ex.getResponseHeaders().set("X-Linked-Size", Long.toString(content.length));
      ex.getResponseHeaders()
          .set("Location", "http://127.0.0.1:" + cdn.getAddress().getPort() + "/blobs/" + file);
      ex.sendResponseHeaders(302, -1);
      return;
    }
    ex.getResponseHeaders().set("ETag", "\"" + gitSha1(content) + "\"");
    serveBytes(ex, file, content);
  }

  private void handleCdn(HttpExchange ex) throws IOException {
    record(ex, "cdn");
    try (ex) {
      String file = ex.getRequestURI().getPath().substring("/blobs/".length());
      byte[] content = files.get(file);
      if (content == null) {
        respond(ex, 404, "no such blob");
        return;
      }
      serveBytes(ex, file, content);
    }
  }

  private void serveBytes(HttpExchange ex, String file, byte[] content) throws IOException {
    String range = ex.getRequestHeaders().getFirst("Range");
    int from = range == null ? 0 : Integer.parseInt(range.replace("bytes=", "").replace("-", ""));
    int length = content.length - from;
    if ("HEAD".equals(ex.getRequestMethod())) {
      ex.getResponseHeaders().set("Content-Length", Integer.toString(content.length));
      ex.sendResponseHeaders(200, -1);
      return;
    }
    Deque<Fault> queue = faults.get(file);
    Fault fault = queue == null ? null : queue.poll();
    if (fault == Fault.SERVER_ERROR) {
      respond(ex, 500, "internal error");
      return;
    }
    if (from > 0) {
      ex.getResponseHeaders()
          .set(
              "Content-Range", "bytes " + from + "-" + (content.length - 1) + "/" + content.length);
    }
    ex.sendResponseHeaders(from > 0 ? 206 : 200, length);
    OutputStream out = ex.getResponseBody();
    if (fault == Fault.DROP_MIDWAY || fault == Fault.STALL) {
      out.write(content, from, length / 2);
      out.flush();
      if (fault == Fault.STALL) {
        sleep(stallMillis);
      }
      // Closing a fixed-length body early makes the server drop the connection.
      return;
    }
    byte[] body = java.util.Arrays.copyOfRange(content, from, content.length);
    if (fault == Fault.CORRUPT) {
      body[body.length / 2] ^= 0x5a;
    }
    out.write(body);
  }

  private void record(HttpExchange ex, String server) {
    requests.add(
        new Request(
            server,
            ex.getRequestMethod(),
            ex.getRequestURI().getPath(),
            ex.getRequestHeaders().getFirst("Range"),
            ex.getRequestHeaders().getFirst("Authorization")));
  }

  private static void respond(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    if ("HEAD".equals(ex.getRequestMethod())) {
      ex.sendResponseHeaders(status, -1);
      return;
    }
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String hex(String algorithm, byte[] content, byte[] prefix) {
    try {
      MessageDigest md = MessageDigest.getInstance(algorithm);
      md.update(prefix);
      return HexFormat.of().formatHex(md.digest(content));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
