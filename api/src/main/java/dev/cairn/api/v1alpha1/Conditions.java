package dev.cairn.api.v1alpha1;

/** Condition types and reasons of LLMDeployment status (CamelCase, as Kubernetes expects). */
public final class Conditions {
  private Conditions() {}

  public static final String READY = "Ready";
  public static final String PROGRESSING = "Progressing";
  public static final String DEGRADED = "Degraded";
  public static final String SCALING_ACTIVE = "ScalingActive";
  public static final String MONITORING_READY = "MonitoringReady";

  /** Reasons. */
  public static final class Reason {
    private Reason() {}

    public static final String INVALID_SPEC = "InvalidSpec";

    /** The operator could not write a child resource (API error, conflict, RBAC). */
    public static final String RECONCILE_FAILED = "ReconcileFailed";

    public static final String UNSCHEDULABLE = "Unschedulable";
    public static final String CRASH_LOOP = "CrashLoop";
    public static final String OOM_KILLED = "OOMKilled";
    public static final String IMAGE_PULL_FAILED = "ImagePullFailed";
    public static final String ALL_REPLICAS_READY = "AllReplicasReady";
    public static final String REPLICAS_NOT_READY = "ReplicasNotReady";
    public static final String ROLLING_OUT = "RollingOut";
    public static final String LOADING_MODEL = "LoadingModel";
    public static final String ROLLOUT_COMPLETE = "RolloutComplete";
    public static final String AS_EXPECTED = "AsExpected";
    public static final String AUTOSCALING_DISABLED = "AutoscalingDisabled";
    public static final String AUTOSCALING_ACTIVE = "AutoscalingActive";

    /** Zero replicas on purpose (minReplicas 0, idle): healthy, requests wait at the activator. */
    public static final String SCALED_TO_ZERO = "ScaledToZero";

    public static final String METRICS_UNAVAILABLE = "MetricsUnavailable";
    public static final String SERVICE_MONITOR_CRD_MISSING = "ServiceMonitorCRDMissing";
    public static final String PROMETHEUS_RULE_CRD_MISSING = "PrometheusRuleCRDMissing";
    public static final String MONITORING_CONFIGURED = "MonitoringConfigured";
    public static final String MONITORING_DISABLED = "MonitoringDisabled";
  }
}
