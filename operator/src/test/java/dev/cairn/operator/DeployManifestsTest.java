package dev.cairn.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.operator.testing.DeployManifests;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The install manifests grant what the operator uses, nothing wildcarded, and run it hardened. */
class DeployManifestsTest {
  private static boolean grants(ClusterRole role, String group, String resource, String verb) {
    for (PolicyRule r : role.getRules()) {
      if (r.getApiGroups().contains(group)
          && r.getResources().contains(resource)
          && r.getVerbs().contains(verb)) {
        return true;
      }
    }
    return false;
  }

  @Test
  void clusterRoleCoversEveryCallAndHasNoWildcard() {
    ClusterRole role =
        DeployManifests.load("rbac.yaml").stream()
            .filter(ClusterRole.class::isInstance)
            .map(ClusterRole.class::cast)
            .findFirst()
            .orElseThrow();
    for (PolicyRule r : role.getRules()) {
      assertThat(r.getVerbs()).doesNotContain("*");
      assertThat(r.getResources()).doesNotContain("*");
      assertThat(r.getApiGroups()).doesNotContain("*");
    }
    for (String verb : List.of("get", "list", "watch", "patch")) {
      assertThat(grants(role, "llm.cairn.dev", "llmdeployments", verb)).as(verb).isTrue();
    }
    assertThat(grants(role, "llm.cairn.dev", "llmdeployments/status", "patch")).isTrue();
    for (String verb : List.of("get", "list", "watch", "create", "update", "patch", "delete")) {
      assertThat(grants(role, "apps", "deployments", verb)).as(verb).isTrue();
      assertThat(grants(role, "", "services", verb)).as(verb).isTrue();
    }
    assertThat(grants(role, "", "pods", "watch")).isTrue();
    assertThat(grants(role, "", "pods", "create")).isFalse();
    assertThat(grants(role, "", "events", "create")).isTrue();
    assertThat(grants(role, "apiextensions.k8s.io", "customresourcedefinitions", "watch")).isTrue();
    assertThat(grants(role, "apiextensions.k8s.io", "customresourcedefinitions", "create"))
        .isFalse();
    // The operator hands secrets to pods by reference (secretKeyRef) and cannot read them, so no
    // status, Event, log or metric of its can carry a token or an API key.
    assertThat(role.getRules()).noneMatch(r -> r.getResources().contains("secrets"));
  }

  @Test
  void operatorPodIsRestricted() {
    Deployment d =
        DeployManifests.load("operator.yaml").stream()
            .filter(Deployment.class::isInstance)
            .map(Deployment.class::cast)
            .findFirst()
            .orElseThrow();
    var pod = d.getSpec().getTemplate().getSpec();
    var c = pod.getContainers().get(0);
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
    assertThat(c.getEnv()).anyMatch(e -> e.getName().equals("CAIRN_WORKER_IMAGE"));
  }
}
