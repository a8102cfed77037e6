package dev.cairn.worker.structured;

/**
 * A schema, regex or choice list that cannot be compiled into a constraint: unsupported, invalid or
 * unsatisfiable. The server answers it with a 400 whose {@code param} names the request field, and
 * whose message carries {@link #keyword()} and {@link #path()}.
 */
public final class ConstraintException extends RuntimeException {

  private final String keyword;
  private final String path;

  /**
   * @param keyword the schema keyword or regex construct at fault (e.g. {@code
   *     "patternProperties"}, {@code "look-around"})
   * @param path where it sits: a JSON pointer into the schema ({@code "/properties/a"}), or {@code
   *     "offset N"} in a regex
   */
  public ConstraintException(String keyword, String path, String message) {
    super(message + " (" + keyword + " at " + (path.isEmpty() ? "/" : path) + ")");
    this.keyword = keyword;
    this.path = path;
  }

  /** The keyword or construct at fault. */
  public String keyword() {
    return keyword;
  }

  /** A JSON pointer into the schema ("" is the root), or "offset N" into a regex. */
  public String path() {
    return path;
  }
}
