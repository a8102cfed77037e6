package dev.cairn.worker.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class PtxResourcesTest {

  private static final Path SOURCES = Path.of("src/main/cuda");
  private static final Pattern KERNEL =
      Pattern.compile("extern \"C\" __global__ void(?: __launch_bounds__\\(\\d+\\))?\\s+(\\w+)\\(");
  private static final Pattern MACRO_KERNEL = Pattern.compile("(\\w+)_##SUFFIX\\(");
  private static final Pattern MACRO_USE = Pattern.compile("(?m)^([A-Z_]+_ENTRIES)\\((\\w+),");
  private static final Pattern MACRO_DEFINE =
      Pattern.compile("(?m)^#define ([A-Z_]+_ENTRIES)\\(SUFFIX(?:[^\\n]*\\\\\\n)*[^\\n]*");

  /** Same lookup as the worker pom's antrun step: PATH, then /usr/local/cuda*\/bin. */
  private static boolean nvccAvailable() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "nvcc"))) {
        return true;
      }
    }
    try (Stream<Path> dirs = Files.list(Path.of("/usr/local"))) {
      return dirs.anyMatch(
          d ->
              d.getFileName().toString().startsWith("cuda")
                  && Files.isExecutable(d.resolve("bin/nvcc")));
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void everyModuleIsInTheBuildOutputWithEveryEntryWhenNvccIsPresent() {
    assumeTrue(nvccAvailable(), "nvcc not installed: the build packs no PTX");
    assertThat(PtxResources.present()).isTrue();
    for (Map.Entry<String, List<String>> m : PtxResources.ENTRIES.entrySet()) {
      String ptx = new String(PtxResources.load(m.getKey()), StandardCharsets.US_ASCII);
      assertThat(ptx).as("target of %s.ptx", m.getKey()).contains(".target sm_80");
      for (String entry : m.getValue()) {
        assertThat(ptx).as("%s.ptx", m.getKey()).contains(".entry " + entry + "(");
      }
    }
    assertThat(PtxResources.isaVersion()).isPresent();
  }

  @Test
  void theCatalogueMatchesTheKernelSources() throws IOException {
    Set<String> modules = new TreeSet<>();
    Set<String> kernels = new TreeSet<>();
    try (Stream<Path> files = Files.list(SOURCES)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".cu")).toList()) {
        modules.add(f.getFileName().toString().replace(".cu", ""));
        kernels.addAll(kernelNames(Files.readString(f)));
      }
    }
    Set<String> catalogued = new TreeSet<>();
    PtxResources.ENTRIES.values().forEach(catalogued::addAll);

    assertThat(PtxResources.ENTRIES.keySet()).containsExactlyInAnyOrderElementsOf(modules);
    assertThat(catalogued).isEqualTo(kernels);
  }

  /**
   * Plain {@code extern "C"} kernels plus those stamped out by an *_ENTRIES(suffix, type) macro.
   */
  private static List<String> kernelNames(String source) {
    List<String> names = new ArrayList<>();
    Matcher plain = KERNEL.matcher(source);
    while (plain.find()) {
      if (!plain.group(1).startsWith("__")) {
        names.add(plain.group(1));
      }
    }
    // Each *_ENTRIES macro stamps its own stems; a use adds those stems with its suffix.
    Map<String, List<String>> stems = new java.util.HashMap<>();
    Matcher define = MACRO_DEFINE.matcher(source);
    while (define.find()) {
      List<String> own = new ArrayList<>();
      Matcher stem = MACRO_KERNEL.matcher(define.group());
      while (stem.find()) {
        own.add(stem.group(1));
      }
      stems.put(define.group(1), own);
    }
    Matcher use = MACRO_USE.matcher(source);
    while (use.find()) {
      for (String s : stems.getOrDefault(use.group(1), List.of())) {
        names.add(s + "_" + use.group(2));
      }
    }
    return names;
  }

  @Test
  void ptxIsaVersionsMapToTheDriverThatCanJitThem() {
    assertThat(PtxResources.isaVersion(".version 9.0\n.target sm_80\n"))
        .get()
        .isEqualTo(new int[] {9, 0});
    assertThat(PtxResources.isaVersion("// no header")).isEmpty();
    assertThat(PtxResources.requiredDriverVersion(9, 0)).isEqualTo(13000);
    assertThat(PtxResources.requiredDriverVersion(8, 5)).isEqualTo(12050);
    assertThat(PtxResources.requiredDriverVersion(8, 7)).isEqualTo(12080);
    assertThat(PtxResources.requiredDriverVersion(6, 4)).isZero();
    assertThat(PtxResources.formatVersion(12080)).isEqualTo("12.8");
  }
}
