package dev.cairn.worker.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Points DJL's native-library extraction at a writable directory before the tokenizer library
 * loads.
 *
 * <p>DJL reads {@code DJL_CACHE_DIR} / {@code ENGINE_CACHE_DIR} first from the environment, then
 * from system properties, and otherwise extracts under {@code $HOME/.djl.ai}. Inside a pod the root
 * filesystem is read-only, so when neither is set and the home cache cannot be written we set the
 * system properties to a directory under {@code java.io.tmpdir} (an emptyDir there).
 */
final class DjlNativeCache {

  static final String CACHE_DIR = "DJL_CACHE_DIR";
  static final String ENGINE_CACHE_DIR = "ENGINE_CACHE_DIR";

  private static final Logger LOG = Logger.getLogger(DjlNativeCache.class);
  private static volatile boolean configured;

  private DjlNativeCache() {}

  /**
   * Sets the DJL cache system properties when needed; idempotent and cheap after the first call.
   */
  static void ensureConfigured() {
    if (configured) {
      return;
    }
    synchronized (DjlNativeCache.class) {
      if (configured) {
        return;
      }
      String explicit = firstNonBlank(System.getenv(CACHE_DIR), System.getProperty(CACHE_DIR));
      Path home = Path.of(System.getProperty("user.home", "/"), ".djl.ai");
      Path tmp = Path.of(System.getProperty("java.io.tmpdir"), "cairn-djl");
      chooseCacheDir(explicit, home, tmp)
          .ifPresent(
              dir -> {
                LOG.infof(
                    "DJL cache %s is not writable, extracting native libraries to %s", home, dir);
                System.setProperty(CACHE_DIR, dir.toString());
                if (firstNonBlank(
                        System.getenv(ENGINE_CACHE_DIR), System.getProperty(ENGINE_CACHE_DIR))
                    == null) {
                  System.setProperty(ENGINE_CACHE_DIR, dir.toString());
                }
              });
      configured = true;
    }
  }

  /**
   * The cache directory to force, or empty when DJL's own choice works: an explicit setting always
   * wins; otherwise the home cache is kept if it is (or can be made) writable.
   */
  static Optional<Path> chooseCacheDir(String explicit, Path homeCache, Path tmpCache) {
    if (explicit != null) {
      return Optional.empty();
    }
    if (isWritableDir(homeCache)) {
      return Optional.empty();
    }
    return Optional.of(tmpCache);
  }

  private static boolean isWritableDir(Path dir) {
    try {
      Files.createDirectories(dir);
      return Files.isWritable(dir);
    } catch (IOException | SecurityException e) {
      return false;
    }
  }

  private static String firstNonBlank(String a, String b) {
    if (a != null && !a.isBlank()) {
      return a;
    }
    return b != null && !b.isBlank() ? b : null;
  }
}
