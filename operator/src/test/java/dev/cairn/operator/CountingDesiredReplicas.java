package dev.cairn.operator;

import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.autoscaler.k8s.AutoscalerDesiredReplicas;
import dev.cairn.operator.replicas.DesiredReplicas;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The operator's replica rule (the autoscaler's), counting how often each resource asked for it:
 * every reconcile of a valid spec does, so tests can tell that one particular resource was
 * reconciled.
 */
@ApplicationScoped
@Alternative
@Priority(1)
public class CountingDesiredReplicas implements DesiredReplicas {
  @Inject AutoscalerDesiredReplicas rule;

  private static final Map<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();

  @Override
  public int of(LLMDeployment llmd) {
    CALLS
        .computeIfAbsent(
            key(llmd.getMetadata().getNamespace(), llmd.getMetadata().getName()),
            k -> new AtomicInteger())
        .incrementAndGet();
    return rule.of(llmd);
  }

  static int calls(String namespace, String name) {
    AtomicInteger n = CALLS.get(key(namespace, name));
    return n == null ? 0 : n.get();
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }
}
