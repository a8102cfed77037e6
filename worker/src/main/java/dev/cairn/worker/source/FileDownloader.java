package dev.cairn.worker.source;

import dev.cairn.worker.source.HubClient.Body;
import dev.cairn.worker.source.HubClient.FileMetadata;
import dev.cairn.worker.source.ModelSource.HuggingFace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Fetches one file into place: bytes go to {@code NAME.incomplete}, an interrupted transfer resumes
 * with a {@code Range} request, the result is checked against the hub's hash and only then renamed.
 */
final class FileDownloader {

  private static final String PARTIAL_SUFFIX = ".incomplete";

  private final HubClient client;
  private final Retry retry;

  FileDownloader(HubClient client, Retry retry) {
    this.client = client;
    this.retry = retry;
  }

  /** Downloads {@code file} of {@code source} at {@code meta.commit()} to {@code target}. */
  void download(
      HuggingFace source, String file, FileMetadata meta, Path target, Progress progress) {
    Path partial = target.resolveSibling(target.getFileName() + PARTIAL_SUFFIX);
    long[] counted = {0};
    retry.run(
        "downloading " + file + " of " + source,
        () -> {
          attempt(source, file, meta, partial, progress, counted);
          return null;
        });
    try {
      Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new ModelDownloadException("cannot move " + partial + " to " + target, e);
    }
  }

  /** Receives byte counts as they arrive (negative when a partial file is thrown away). */
  interface Progress {
    void add(long bytes);
  }

  private void attempt(
      HuggingFace source,
      String file,
      FileMetadata meta,
      Path partial,
      Progress progress,
      long[] counted)
      throws IOException {
    long have = Files.exists(partial) ? Files.size(partial) : 0;
    if (meta.size() >= 0 && have > meta.size()) {
      Files.delete(partial);
      have = 0;
    }
    progress.add(have - counted[0]);
    counted[0] = have;
    try (Body body = client.download(source, meta.commit(), file, have)) {
      if (body.status() == 200 && have > 0) {
        // The server ignored the Range: start over.
        progress.add(-have);
        counted[0] = 0;
        have = 0;
      }
      if (body.status() != 416) {
        StandardOpenOption mode =
            have > 0 ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
        try (OutputStream out =
            Files.newOutputStream(
                partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode)) {
          copy(body.stream(), out, progress, counted);
        }
      }
    }
    verify(partial, meta, progress, counted);
  }

  private static void copy(InputStream in, OutputStream out, Progress progress, long[] counted)
      throws IOException {
    byte[] buffer = new byte[1 << 16];
    for (int n; (n = in.read(buffer)) >= 0; ) {
      out.write(buffer, 0, n);
      counted[0] += n;
      progress.add(n);
    }
  }

  private static void verify(Path partial, FileMetadata meta, Progress progress, long[] counted)
      throws IOException {
    long size = Files.size(partial);
    if (meta.size() >= 0 && size < meta.size()) {
      // Keep the bytes: the next attempt resumes after them.
      throw new IOException(
          "transfer of "
              + partial.getFileName()
              + " ended after "
              + size
              + " of "
              + meta.size()
              + " bytes");
    }
    Optional<String> problem =
        meta.size() >= 0 && size != meta.size()
            ? Optional.of("size mismatch: expected " + meta.size() + " bytes, got " + size)
            : ContentHash.mismatch(partial, meta.etag());
    if (problem.isPresent()) {
      // A corrupt partial file must not be resumed: throw it away so the retry starts clean.
      Files.delete(partial);
      progress.add(-counted[0]);
      counted[0] = 0;
      throw new IOException(partial.getFileName() + ": " + problem.get());
    }
  }
}
