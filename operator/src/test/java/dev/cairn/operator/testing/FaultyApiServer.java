package dev.cairn.operator.testing;

import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesServerTestResource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.InetAddress;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Fabric8 mock API server (CRUD mode) with a {@link FaultInjectingProxy} in front: the
 * operator's client talks to the proxy, while {@code @KubernetesTestServer KubernetesServer}'s own
 * client talks to the mock directly, so a test's setup and checks are never disturbed. Inject the
 * proxy with {@link Proxy}.
 */
public class FaultyApiServer extends KubernetesServerTestResource {
  /** Marks the test field that receives the {@link FaultInjectingProxy}. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.FIELD)
  public @interface Proxy {}

  /** Fixed, so a failing run can be replayed with the same fault sequence. */
  private static final long SEED = 16;

  /**
   * The Fabric8 client reads this system property for its master URL (as the base class sets it).
   */
  private static final String MASTER = "kubernetes.master";

  private FaultInjectingProxy proxy;

  @Override
  protected KubernetesServer createServer() {
    return new KubernetesServer(false, true, InetAddress.getLoopbackAddress(), 0, List.of());
  }

  @Override
  public Map<String, String> start() {
    Map<String, String> config = new HashMap<>(super.start());
    URI mock = URI.create(config.get(MASTER));
    try {
      proxy = new FaultInjectingProxy(mock.getHost(), mock.getPort(), SEED);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    config.put(MASTER, proxy.url());
    System.setProperty(MASTER, proxy.url());
    return config;
  }

  @Override
  public void inject(TestInjector injector) {
    super.inject(injector);
    injector.injectIntoFields(
        proxy, new TestInjector.AnnotatedAndMatchesType(Proxy.class, FaultInjectingProxy.class));
  }

  @Override
  public void stop() {
    try {
      proxy.close();
    } catch (IOException e) {
      // the test is over
    }
    super.stop();
  }
}
