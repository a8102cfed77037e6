package dev.cairn.api;

/** How the operator names what it creates for an LLMDeployment: these names are API. */
public final class ResourceNames {
  private ResourceNames() {}

  public static String deployment(String name) {
    return name;
  }

  public static String service(String name) {
    return name;
  }

  public static String serviceMonitor(String name) {
    return name;
  }

  public static String prometheusRule(String name) {
    return name;
  }

  /** The dashboard ConfigMap in the LLMDeployment's own namespace. */
  public static String dashboardConfigMap(String name) {
    return name + "-dashboard";
  }

  /** The dashboard ConfigMap in a shared Grafana namespace (names from many namespaces meet). */
  public static String sharedDashboardConfigMap(String namespace, String name) {
    return namespace + "-" + name + "-dashboard";
  }

  /** In-cluster URL clients use. */
  public static String endpoint(String name, String namespace) {
    return "http://" + service(name) + "." + namespace + ".svc:" + CairnNames.PORT + "/v1";
  }
}
