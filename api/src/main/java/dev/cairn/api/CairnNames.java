package dev.cairn.api;

/** Names shared by the operator and the worker: API group, labels, env, ports, paths. */
public final class CairnNames {
  private CairnNames() {}

  public static final String GROUP = "llm.cairn.dev";
  public static final String VERSION = "v1alpha1";
  public static final String API_VERSION = GROUP + "/" + VERSION;
  public static final String KIND = "LLMDeployment";
  public static final String PLURAL = "llmdeployments";
  public static final String SHORT_NAME = "llmd";
  public static final String CRD_NAME = PLURAL + "." + GROUP;

  /** Field manager for server-side apply. */
  public static final String FIELD_MANAGER = "cairn-operator";

  // Labels on everything the operator creates.
  public static final String LABEL_NAME = "app.kubernetes.io/name";
  public static final String LABEL_INSTANCE = "app.kubernetes.io/instance";
  public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String LABEL_COMPONENT = "app.kubernetes.io/component";
  public static final String LABEL_MODEL = GROUP + "/model";
  public static final String WORKER_APP_NAME = "cairn-worker";
  public static final String MANAGED_BY = "cairn-operator";

  // The operator → worker contract (design.md).
  public static final String ENV_CONFIG = "CAIRN_CONFIG";
  public static final String ENV_HF_TOKEN = "HF_TOKEN";
  public static final String ENV_HF_ENDPOINT = "HF_ENDPOINT";
  public static final String ENV_API_KEY = "CAIRN_API_KEY";
  public static final String ENV_MODEL_CACHE = "CAIRN_MODEL_CACHE";
  public static final String ENV_WORKER_IMAGE = "CAIRN_WORKER_IMAGE";
  public static final String MODEL_CACHE_PATH = "/var/cache/cairn";
  public static final String PVC_MOUNT_ROOT = "/mnt/models";
  public static final String TMP_PATH = "/tmp";

  public static final String PORT_NAME = "http";
  public static final int PORT = 8000;
  public static final String PATH_METRICS = "/metrics";
  public static final String PATH_LIVE = "/health/live";
  public static final String PATH_READY = "/health/ready";
  public static final String PATH_STARTED = "/health/started";

  /** GPU resource name of the NVIDIA device plugin. */
  public static final String GPU_RESOURCE = "nvidia.com/gpu";

  /** Node label set by GPU feature discovery. */
  public static final String GPU_PRODUCT_LABEL = "nvidia.com/gpu.product";

  /** Accelerator type meaning "no GPU". */
  public static final String ACCELERATOR_CPU = "cpu";
}
