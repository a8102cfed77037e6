package dev.cairn.operator.model;

import java.util.Optional;

/** What the operator needs to know of a model source: which claim a {@code pvc://} source names. */
public final class ModelSource {
  private static final String PVC = "pvc://";

  private ModelSource() {}

  /** The claim of {@code pvc://CLAIM/PATH}, or empty for every other scheme. */
  public static Optional<String> claim(String source) {
    if (source == null || !source.startsWith(PVC)) {
      return Optional.empty();
    }
    String rest = source.substring(PVC.length());
    int slash = rest.indexOf('/');
    String claim = slash < 0 ? rest : rest.substring(0, slash);
    return claim.isEmpty() ? Optional.empty() : Optional.of(claim);
  }
}
