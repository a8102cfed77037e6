package dev.cairn.worker.lora;

import dev.cairn.worker.lora.AdapterLoadException.Reason;
import dev.cairn.worker.source.MissingSourceException;
import dev.cairn.worker.source.ModelDownloadException;
import dev.cairn.worker.source.ModelResolver;
import java.nio.file.Path;

/** Turns an adapter source into a local PEFT directory. */
@FunctionalInterface
public interface AdapterLocator {

  /**
   * The local directory of {@code source}.
   *
   * @param field the spec field the source comes from, named in errors
   * @throws AdapterLoadException NOT_FOUND when nothing is there, INVALID for a malformed source or
   *     an incomplete directory, UNAVAILABLE when a download fails
   */
  Path locate(String source, String field);

  /** Resolves through the worker's model resolver: hf:// downloads, pvc:// mounts, file: paths. */
  static AdapterLocator of(ModelResolver resolver) {
    return (source, field) -> {
      try {
        return resolver.resolveAdapter(source, field);
      } catch (MissingSourceException e) {
        throw new AdapterLoadException(Reason.NOT_FOUND, field + ": " + e.getMessage(), e);
      } catch (IllegalArgumentException e) {
        throw new AdapterLoadException(Reason.INVALID, e.getMessage(), e);
      } catch (ModelDownloadException e) {
        throw new AdapterLoadException(
            e.isNotFound() ? Reason.NOT_FOUND : Reason.UNAVAILABLE,
            field + ": " + e.getMessage(),
            e);
      }
    };
  }
}
