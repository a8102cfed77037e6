package dev.cairn.worker;

import java.util.Optional;

/**
 * The JVM options the worker cannot run without. The CPU kernels use the incubating Vector API,
 * which only {@code --add-modules jdk.incubator.vector} makes visible: without it the server would
 * start and then fail every model load with a missing class, answering 503 forever. Checked before
 * anything starts, so the process exits instead.
 */
final class JvmFlags {
  static final String VECTOR_MODULE = "jdk.incubator.vector";
  static final String ADD_VECTOR = "--add-modules " + VECTOR_MODULE;
  // Without it the JDK only warns on the mapped checkpoint's and JNI libraries' native access.
  static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";

  private JvmFlags() {}

  /** What is wrong with this JVM's options, or empty when the worker can run. */
  static Optional<String> problem() {
    return problem(
        ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent(),
        JvmFlags.class.getModule().isNativeAccessEnabled());
  }

  /** The refusal for a JVM with or without the Vector API and native access. */
  static Optional<String> problem(boolean vectorModule, boolean nativeAccess) {
    if (vectorModule) {
      return Optional.empty();
    }
    String missing = nativeAccess ? ADD_VECTOR : ADD_VECTOR + " " + NATIVE_ACCESS;
    return Optional.of(
        "the JVM lacks the Vector API the CPU kernels use; start it with "
            + missing
            + ", e.g. java "
            + ADD_VECTOR
            + " "
            + NATIVE_ACCESS
            + " -jar quarkus-run.jar --config FILE");
  }
}
