package dev.cairn.operator.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;

/**
 * An HTTP/1.1 proxy on loopback in front of the mock API server that answers a seeded share of
 * writes with 409 or 500 and delays a share of calls, as a loaded or flaky API server would. Each
 * request gets its own upstream connection ({@code Connection: close}) so that every request passes
 * the fault decision; watches (upgrades and {@code watch=true}) are piped untouched, because a
 * broken watch only exercises Fabric8's reconnect backoff, not the operator.
 */
public final class FaultInjectingProxy implements AutoCloseable {
  private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");

  /** How many requests got each fault, so a test can show faults really happened. */
  public final AtomicInteger conflicts = new AtomicInteger();

  public final AtomicInteger serverErrors = new AtomicInteger();
  public final AtomicInteger delays = new AtomicInteger();
  public final AtomicInteger forwarded = new AtomicInteger();

  private final String upstreamHost;
  private final int upstreamPort;
  private final ServerSocket listener;
  private final Random random;
  private volatile Faults faults = Faults.NONE;
  private volatile BiPredicate<String, String> alwaysFail = (method, path) -> false;

  /**
   * Shares of requests to disturb.
   *
   * @param conflict share of writes answered 409 Conflict
   * @param error share of writes answered 500
   * @param delay share of non-watch requests held for {@code delayMillis} before forwarding
   */
  public record Faults(double conflict, double error, double delay, long delayMillis) {
    public static final Faults NONE = new Faults(0, 0, 0, 0);
  }

  public FaultInjectingProxy(String upstreamHost, int upstreamPort, long seed) throws IOException {
    this.upstreamHost = upstreamHost;
    this.upstreamPort = upstreamPort;
    this.random = new Random(seed);
    this.listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().name("fault-proxy-accept").start(this::acceptLoop);
  }

  public String url() {
    return "http://127.0.0.1:" + listener.getLocalPort() + "/";
  }

  public void setFaults(Faults faults) {
    this.faults = faults;
  }

  /**
   * Writes matching (method, path) are always answered 500 until reset with {@code (m, p) ->
   * false}.
   */
  public void alwaysFail(BiPredicate<String, String> writes) {
    this.alwaysFail = writes;
  }

  @Override
  public void close() throws IOException {
    listener.close();
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Thread.ofVirtual().name("fault-proxy-conn").start(() -> serve(client));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket client) {
    try (client;
        Socket upstream = new Socket(upstreamHost, upstreamPort)) {
      InputStream in = client.getInputStream();
      String head = readHead(in);
      if (head == null) {
        return;
      }
      String[] requestLine = head.substring(0, head.indexOf("\r\n")).split(" ");
      String method = requestLine[0];
      String path = requestLine[1];
      boolean stream =
          path.contains("watch=true") || head.toLowerCase(Locale.ROOT).contains("\r\nupgrade:");
      int fault = stream ? 0 : decide(method, path);
      if (fault != 0) {
        drainBody(in, head);
        answer(client.getOutputStream(), fault);
        return;
      }
      forwarded.incrementAndGet();
      OutputStream up = upstream.getOutputStream();
      up.write((stream ? head : oneShot(head)).getBytes(StandardCharsets.ISO_8859_1));
      up.flush();
      Thread toUpstream = Thread.ofVirtual().start(() -> pipe(in, up));
      pipe(upstream.getInputStream(), client.getOutputStream());
      toUpstream.interrupt();
    } catch (IOException e) {
      // A peer closed: the client sees a broken connection, which is one more fault it must
      // survive.
    }
  }

  /** Returns 0 to forward, or the status to answer with (after any delay). */
  private int decide(String method, String path) {
    Faults f = faults;
    double roll;
    double delayRoll;
    synchronized (random) {
      roll = random.nextDouble();
      delayRoll = random.nextDouble();
    }
    if (delayRoll < f.delay()) {
      delays.incrementAndGet();
      sleep(f.delayMillis());
    }
    boolean write = WRITES.contains(method);
    if (write && alwaysFail.test(method, path)) {
      serverErrors.incrementAndGet();
      return 500;
    }
    if (write && roll < f.conflict()) {
      conflicts.incrementAndGet();
      return 409;
    }
    if (write && roll < f.conflict() + f.error()) {
      serverErrors.incrementAndGet();
      return 500;
    }
    return 0;
  }

  private static void answer(OutputStream out, int code) throws IOException {
    String reason = code == 409 ? "Conflict" : "InternalError";
    String body =
        """
        {"kind":"Status","apiVersion":"v1","status":"Failure","reason":"%s","code":%d,\
        "message":"injected fault: %s"}"""
            .formatted(reason, code, reason);
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String head =
        "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
            .formatted(code, reason, bytes.length);
    out.write(head.getBytes(StandardCharsets.ISO_8859_1));
    out.write(bytes);
    out.flush();
  }

  /** The request head with keep-alive replaced by close, so the next request comes back here. */
  private static String oneShot(String head) {
    StringBuilder sb = new StringBuilder();
    for (String line : head.split("\r\n")) {
      if (!line.isEmpty() && !line.toLowerCase(Locale.ROOT).startsWith("connection:")) {
        sb.append(line).append("\r\n");
      }
    }
    return sb.append("Connection: close\r\n\r\n").toString();
  }

  /** Reads up to and including the blank line; null when the client closed first. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int matched = 0;
    int b;
    while (matched < 4 && (b = in.read()) >= 0) {
      buf.write(b);
      matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return matched == 4 ? buf.toString(StandardCharsets.ISO_8859_1) : null;
  }

  /** Reads the request body so the client is not reset while still sending it. */
  private static void drainBody(InputStream in, String head) throws IOException {
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        in.readNBytes(Integer.parseInt(line.substring(15).trim()));
      }
    }
  }

  private static void pipe(InputStream from, OutputStream to) {
    try {
      from.transferTo(to);
    } catch (IOException e) {
      // the other side closed
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
