package dev.cairn.worker.source;

import dev.cairn.api.CairnNames;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Where a model comes from: the parsed form of {@code spec.model.source}. */
public sealed interface ModelSource {

  /** The field this value comes from, named in every parse error. */
  String FIELD = "spec.model.source";

  /** The accepted forms, quoted in parse errors. */
  String FORMS = "hf://ORG/NAME[@REV], pvc://CLAIM/PATH or file:PATH";

  /** Where the operator mounts {@code pvc://} claims (one subdirectory per claim). */
  Path DEFAULT_PVC_MOUNT_ROOT = Path.of(CairnNames.PVC_MOUNT_ROOT);

  // The shapes of the CRD's ModelSpec.SOURCE_PATTERN, split into groups. Hub names start with a
  // letter or digit, so ".." cannot be a segment.
  Pattern HF =
      Pattern.compile(
          "hf://([A-Za-z0-9][-A-Za-z0-9_.]*)/([A-Za-z0-9][-A-Za-z0-9_.]*)(?:@([^\\s@]+))?");
  Pattern PVC = Pattern.compile("pvc://([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)/(\\S+)");

  /** A Hugging Face Hub repository at a revision (branch, tag or commit). */
  record HuggingFace(String repo, String revision) implements ModelSource {
    /** The {@code ORG--NAME} form used in cache directory names. */
    public String cacheName() {
      return "models--" + repo.replace("/", "--");
    }

    @Override
    public String toString() {
      return "hf://" + repo + "@" + revision;
    }
  }

  /** A path inside a PersistentVolumeClaim that the operator mounts read-only. */
  record Pvc(String claim, String path) implements ModelSource {
    /** The directory inside the pod: {@code <mountRoot>/CLAIM/PATH}. */
    public Path localPath(Path mountRoot) {
      Path claimRoot = mountRoot.resolve(claim);
      return claimRoot.resolve(path);
    }
  }

  /** A directory on the local filesystem. */
  record LocalFile(Path path) implements ModelSource {}

  /**
   * Parses a source string. Relative {@code file:} paths are resolved against {@code workingDir}.
   *
   * @throws IllegalArgumentException naming {@value #FIELD} and the accepted forms
   */
  static ModelSource parse(String value, Path workingDir) {
    return parse(value, workingDir, FIELD);
  }

  /** As {@link #parse(String, Path)}, naming {@code field} (e.g. a LoRA adapter's) in errors. */
  static ModelSource parse(String value, Path workingDir, String field) {
    if (value == null || value.isBlank()) {
      throw invalid(field, value, "it is empty");
    }
    String s = value.strip();
    if (s.startsWith("hf://")) {
      Matcher m = HF.matcher(s);
      if (!m.matches()) {
        throw invalid(field, value, "hf:// needs ORG/NAME with letters, digits, '-', '_' or '.'");
      }
      String rev = m.group(3) == null ? "main" : m.group(3);
      if (rev.contains("..") || rev.startsWith("/")) {
        throw invalid(field, value, "the revision after '@' is not valid");
      }
      return new HuggingFace(m.group(1) + "/" + m.group(2), rev);
    }
    if (s.startsWith("pvc://")) {
      Matcher m = PVC.matcher(s);
      if (!m.matches()) {
        throw invalid(field, value, "pvc:// needs a claim name (lowercase DNS label) then /PATH");
      }
      Path path = Path.of(m.group(2)).normalize();
      if (path.startsWith("..") || path.isAbsolute()) {
        throw invalid(field, value, "the path may not leave the claim ('..')");
      }
      return new Pvc(m.group(1), path.toString());
    }
    if (s.startsWith("file:")) {
      String path = s.substring("file:".length());
      if (path.startsWith("//")) {
        path = path.substring(2);
      }
      if (path.isEmpty()) {
        throw invalid(field, value, "file: needs a path");
      }
      return new LocalFile(workingDir.resolve(path).toAbsolutePath().normalize());
    }
    throw invalid(field, value, "unknown scheme");
  }

  private static IllegalArgumentException invalid(String field, String value, String why) {
    return new IllegalArgumentException(
        field + ": invalid value '" + value + "' (" + why + "); expected " + FORMS);
  }
}
