package dev.cairn.operator.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged operator as a child process, pointed at an API server by URL, so a test can kill it
 * and start a fresh one whose memory holds nothing of the first. It runs the mockapi build ({@code
 * operator/target/mock-api/quarkus-run.jar}, made in {@code pre-integration-test}): the production
 * app, built in the profile {@code mockapi}, whose only differences are the ones the Fabric8 mock
 * server needs: no server-side apply, no leader election (see operator/pom.xml).
 */
public final class OperatorProcess implements AutoCloseable {
  /** The system property (set by Failsafe) naming the repository root. */
  private static final String REPO_ROOT_PROPERTY = "cairn.repo.root";

  private final Process process;
  private final Path log;
  private final String identity;

  private OperatorProcess(Process process, Path log, String identity) {
    this.process = process;
    this.log = log;
    this.identity = identity;
  }

  /**
   * Starts an operator talking to {@code apiServer}.
   *
   * @param identity the pod name it runs as ({@code HOSTNAME}: Events name it as their reporting
   *     instance)
   * @param settings extra configuration, as {@code -Dkey=value}
   */
  public static OperatorProcess start(
      String apiServer, String identity, Map<String, String> settings) {
    Path root = Path.of(System.getProperty(REPO_ROOT_PROPERTY, ".."));
    Path jar = root.resolve("operator/target/mock-api/quarkus-run.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar + " is missing: it is built in pre-integration-test (mvn verify)");
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx384m");
    cmd.add("-Dquarkus.kubernetes-client.api-server-url=" + apiServer);
    cmd.add("-Dquarkus.kubernetes-client.trust-certs=true");
    cmd.add("-Dquarkus.kubernetes-client.namespace=cairn-system");
    cmd.add("-Dquarkus.http.host=127.0.0.1");
    cmd.add("-Dquarkus.http.port=" + freePort());
    cmd.add("-Dquarkus.log.console.json.enabled=false");
    settings.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    cmd.add("-jar");
    cmd.add(jar.toString());
    try {
      // Under target/, where it outlives the test for a look after a failure.
      Path logs = Files.createDirectories(root.resolve("operator/target/operator-processes"));
      Path logFile = logs.resolve(identity + "-" + System.currentTimeMillis() + ".log");
      ProcessBuilder pb =
          new ProcessBuilder(cmd)
              .directory(root.toFile())
              .redirectErrorStream(true)
              .redirectOutput(logFile.toFile());
      // Nothing of the test machine's cluster access may leak in: the URL above is the API.
      pb.environment().remove("KUBECONFIG");
      pb.environment().put("HOSTNAME", identity);
      pb.environment().put("POD_NAMESPACE", "cairn-system");
      return new OperatorProcess(pb.start(), logFile, identity);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the operator", e);
    }
  }

  /** The pod name it runs as. */
  public String identity() {
    return identity;
  }

  /** Where its output goes. */
  public Path log() {
    return log;
  }

  /** Whether the process is still running (an operator that cannot start exits). */
  public boolean alive() {
    return process.isAlive();
  }

  /**
   * SIGKILL, as when a node dies or the container is OOM-killed: no shutdown hook runs, nothing in
   * memory survives. Waits until the process is gone.
   */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Its output so far, for a failing test's message. */
  public String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    kill();
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
