package dev.cairn.worker.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one part of a benchmark in a fresh JVM with this one's flags and classpath, and reads back
 * the JSON it writes. A worker serves one model in one format, so each format is measured in a
 * process of its own: with the formats in one JVM, the kernels' call sites saw every format's
 * profile, and on 8-lane (AVX2) vectors Q4_0 decoded 38.2 tok/s after Q8_0 against 47.8 alone
 * (docs/cpu-engine-performance.md, run AB).
 */
final class ForkedJvm {

  private ForkedJvm() {}

  /**
   * Runs {@code mainClass} with a fresh JSON file's path followed by {@code args}, waits for it
   * (its output goes to this process's), and returns the JSON it wrote there.
   */
  static JsonNode run(Class<?> mainClass, List<String> args) throws IOException {
    Path out = Files.createTempFile("cairn-bench-", ".json");
    try {
      List<String> command = new ArrayList<>(command(mainClass));
      command.add(out.toString());
      command.addAll(args);
      ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
      // The JVM's input arguments already hold what JDK_JAVA_OPTIONS added: passed both ways, a
      // flag would be given twice.
      builder.environment().remove("JDK_JAVA_OPTIONS");
      Process process = builder.start();
      int code = waitFor(process);
      if (code != 0) {
        throw new IOException(mainClass.getSimpleName() + " " + args + " exited with " + code);
      }
      return new ObjectMapper().readTree(out.toFile());
    } finally {
      Files.deleteIfExists(out);
    }
  }

  /** The java command that started this JVM, its flags and classpath, and {@code mainClass}. */
  static List<String> command(Class<?> mainClass) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass.getName());
    return command;
  }

  private static int waitFor(Process process) throws IOException {
    try {
      return process.waitFor();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while a forked benchmark ran", e);
    }
  }
}
