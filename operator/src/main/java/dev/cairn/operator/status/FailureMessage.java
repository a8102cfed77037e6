package dev.cairn.operator.status;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A failed reconcile in one line for a condition and an Event: which child failed and what the API
 * server answered ({@code deployment: HTTP 500 InternalError: etcdserver: timeout}), not the
 * exception's multi-line text with a Java toString of the API's Status.
 */
public final class FailureMessage {
  private FailureMessage() {}

  /** The message for a reconcile that threw {@code e}. */
  public static String of(Throwable e) {
    for (Throwable t = e; t != null; t = next(t)) {
      if (t instanceof AggregatedOperatorException agg
          && !agg.getAggregatedExceptions().isEmpty()) {
        Map<String, Exception> byChild = new TreeMap<>(agg.getAggregatedExceptions());
        return byChild.entrySet().stream()
            .map(c -> c.getKey() + ": " + cause(c.getValue()))
            .collect(Collectors.joining("; "));
      }
    }
    return cause(e);
  }

  /** The API server's answer when there is one, else the innermost message. */
  private static String cause(Throwable e) {
    Throwable innermost = e;
    for (Throwable t = e; t != null; t = next(t)) {
      if (t instanceof KubernetesClientException k && k.getStatus() != null && k.getCode() > 0) {
        return "HTTP %d %s: %s"
            .formatted(k.getCode(), k.getStatus().getReason(), k.getStatus().getMessage());
      }
      innermost = t;
    }
    return innermost.getMessage() == null
        ? innermost.getClass().getSimpleName()
        : innermost.getMessage();
  }

  private static Throwable next(Throwable t) {
    return t.getCause() == t ? null : t.getCause();
  }
}
