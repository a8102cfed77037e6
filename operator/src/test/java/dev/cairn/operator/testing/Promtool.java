package dev.cairn.operator.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs promtool (from Debian's prometheus package) and returns its exit code and output. */
public final class Promtool {
  /** The result of one promtool run. */
  public record Result(int exitCode, String output) {}

  private Promtool() {}

  /** e.g. {@code run("check", "rules", file)}. */
  public static Result run(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Executables.require("promtool", "PROMTOOL_BIN").toString());
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("promtool " + String.join(" ", args) + " hung");
      }
      return new Result(p.exitValue(), out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running promtool", e);
    }
  }

  public static Result run(String verb, String sub, Path file) {
    return run(verb, sub, file.toString());
  }
}
