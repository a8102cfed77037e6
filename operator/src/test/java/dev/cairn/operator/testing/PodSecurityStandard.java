package dev.cairn.operator.testing;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The Kubernetes Pod Security Standards' "restricted" profile (which includes "baseline"), checked
 * on a pod spec the way the PodSecurity admission controller checks it: each listed control, for
 * every container, init container included. Returns the violations, empty when the pod passes.
 */
public final class PodSecurityStandard {
  /** Volume types "restricted" allows. */
  private static final Set<String> ALLOWED_VOLUMES =
      Set.of(
          "configMap",
          "csi",
          "downwardAPI",
          "emptyDir",
          "ephemeral",
          "persistentVolumeClaim",
          "projected",
          "secret");

  private PodSecurityStandard() {}

  /** Every "restricted" control the pod breaks, one message per container and control. */
  public static List<String> restrictedViolations(PodSpec pod) {
    List<String> v = new ArrayList<>();
    if (Boolean.TRUE.equals(pod.getHostNetwork())
        || Boolean.TRUE.equals(pod.getHostPID())
        || Boolean.TRUE.equals(pod.getHostIPC())) {
      v.add("host namespaces: hostNetwork, hostPID and hostIPC must be unset or false");
    }
    for (Volume volume : pod.getVolumes() == null ? List.<Volume>of() : pod.getVolumes()) {
      String type = volumeType(volume);
      if (!ALLOWED_VOLUMES.contains(type)) {
        v.add("volume " + volume.getName() + ": type " + type + " is not allowed");
      }
    }
    PodSecurityContext podContext =
        pod.getSecurityContext() == null ? new PodSecurityContext() : pod.getSecurityContext();
    if (Long.valueOf(0).equals(podContext.getRunAsUser())) {
      v.add("pod runAsUser must not be 0");
    }
    if (podContext.getSysctls() != null && !podContext.getSysctls().isEmpty()) {
      v.add("pod sysctls: only the safe set is allowed; Cairn sets none");
    }
    for (Container c : allContainers(pod)) {
      containerViolations(c, podContext, v);
    }
    return v;
  }

  private static void containerViolations(Container c, PodSecurityContext pod, List<String> v) {
    String name = "container " + c.getName() + ": ";
    SecurityContext sc =
        c.getSecurityContext() == null ? new SecurityContext() : c.getSecurityContext();
    if (Boolean.TRUE.equals(sc.getPrivileged())) {
      v.add(name + "privileged");
    }
    if (!Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
      v.add(name + "allowPrivilegeEscalation must be false");
    }
    Boolean nonRoot = sc.getRunAsNonRoot() != null ? sc.getRunAsNonRoot() : pod.getRunAsNonRoot();
    if (!Boolean.TRUE.equals(nonRoot)) {
      v.add(name + "runAsNonRoot must be true (container or pod)");
    }
    if (Long.valueOf(0).equals(sc.getRunAsUser())) {
      v.add(name + "runAsUser must not be 0");
    }
    SeccompProfile seccomp =
        sc.getSeccompProfile() != null ? sc.getSeccompProfile() : pod.getSeccompProfile();
    if (seccomp == null || !Set.of("RuntimeDefault", "Localhost").contains(seccomp.getType())) {
      v.add(name + "seccompProfile must be RuntimeDefault or Localhost (container or pod)");
    }
    Capabilities caps = sc.getCapabilities();
    if (caps == null || caps.getDrop() == null || !caps.getDrop().contains("ALL")) {
      v.add(name + "capabilities must drop ALL");
    }
    if (caps != null && caps.getAdd() != null) {
      caps.getAdd().stream()
          .filter(a -> !a.equals("NET_BIND_SERVICE"))
          .forEach(a -> v.add(name + "capability " + a + " must not be added"));
    }
    for (ContainerPort port : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
      if (port.getHostPort() != null && port.getHostPort() != 0) {
        v.add(name + "hostPort " + port.getHostPort());
      }
    }
    if (sc.getProcMount() != null && !sc.getProcMount().equals("Default")) {
      v.add(name + "procMount must be Default");
    }
  }

  private static List<Container> allContainers(PodSpec pod) {
    return Stream.concat(
            pod.getInitContainers() == null ? Stream.empty() : pod.getInitContainers().stream(),
            pod.getContainers().stream())
        .toList();
  }

  /** The volume's source field name, as the standard lists them. */
  private static String volumeType(Volume v) {
    if (v.getConfigMap() != null) return "configMap";
    if (v.getCsi() != null) return "csi";
    if (v.getDownwardAPI() != null) return "downwardAPI";
    if (v.getEmptyDir() != null) return "emptyDir";
    if (v.getEphemeral() != null) return "ephemeral";
    if (v.getPersistentVolumeClaim() != null) return "persistentVolumeClaim";
    if (v.getProjected() != null) return "projected";
    if (v.getSecret() != null) return "secret";
    if (v.getHostPath() != null) return "hostPath";
    return "other";
  }
}
