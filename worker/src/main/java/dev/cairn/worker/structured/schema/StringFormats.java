package dev.cairn.worker.structured.schema;

import java.util.Map;

/**
 * Regexes for the supported string {@code format}s. Each is a sound subset of the format:
 * everything it matches is valid (e.g. dates never name February 29 or a 31st in a 30-day month,
 * times have no leap second), so validators accept every output; e-mail domains end in a well-known
 * top-level domain because validators check it against the IANA list.
 */
final class StringFormats {

  private StringFormats() {}

  private static final String DATE =
      "[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
          + "|02-(?:0[1-9]|1[0-9]|2[0-8]))";
  private static final String TIME =
      "(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,9})?(?:Z|[+-](?:0[0-9]|1[0-7]):[0-5][0-9])";
  private static final String LABEL = "[a-z0-9](?:[a-z0-9-]{0,20}[a-z0-9])?";

  static final Map<String, String> PATTERNS =
      Map.of(
          "date",
          DATE,
          "date-time",
          DATE + "T" + TIME,
          "time",
          TIME,
          "uuid",
          "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
          "email",
          "[A-Za-z0-9_+-]{1,20}(?:\\.[A-Za-z0-9_+-]{1,20}){0,2}@"
              + LABEL
              + "(?:\\."
              + LABEL
              + ")?\\.(?:com|org|net|edu|io|dev)");
}
