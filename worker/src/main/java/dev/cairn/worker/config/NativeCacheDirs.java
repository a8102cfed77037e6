package dev.cairn.worker.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * Points DJL's native-library extraction at a writable temporary directory. DJL unpacks its
 * tokenizer library under {@code $HOME/.djl.ai} by default, which fails on the pod's read-only root
 * filesystem (stack.md trap 14); {@code /tmp} is an emptyDir there. Must run before any DJL class
 * loads its native library.
 */
public final class NativeCacheDirs {
  static final String DJL_CACHE_DIR = "DJL_CACHE_DIR";
  static final String ENGINE_CACHE_DIR = "ENGINE_CACHE_DIR";

  private NativeCacheDirs() {}

  /** Sets the DJL cache system properties unless the environment or the command line set them. */
  public static void configure(Map<String, String> env, Properties props) {
    Path tmp = Path.of(props.getProperty("java.io.tmpdir", "/tmp"));
    for (String key : new String[] {DJL_CACHE_DIR, ENGINE_CACHE_DIR}) {
      if (isBlank(env.get(key)) && isBlank(props.getProperty(key))) {
        props.setProperty(key, tmp.resolve("cairn-djl").toString());
      }
    }
  }

  /** {@link #configure(Map, Properties)} on this process. */
  public static void configure() {
    configure(System.getenv(), System.getProperties());
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }
}
