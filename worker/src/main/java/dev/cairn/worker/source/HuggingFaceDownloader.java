package dev.cairn.worker.source;

import dev.cairn.worker.source.HubClient.FileMetadata;
import dev.cairn.worker.source.HubClient.RevisionInfo;
import dev.cairn.worker.source.ModelSource.HuggingFace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Downloads a hub repository's model files into the cache, in a Hugging Face-like layout: {@code
 * models--ORG--NAME/snapshots/<commit>/} with {@code refs/<revision>} naming the commit. A snapshot
 * that is already complete is used without downloading anything.
 */
public final class HuggingFaceDownloader {

  private static final Logger LOG = Logger.getLogger(HuggingFaceDownloader.class);
  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
  private static final String COMPLETE_DIR = ".cairn-complete";

  private final HubSettings settings;
  private final HubClient client;
  private final Retry retry;
  private final FileDownloader files;
  private final LongSupplier nanoClock;

  /** A downloader that waits with {@link Thread#sleep} between retries. */
  public HuggingFaceDownloader(HubSettings settings) {
    this(settings, d -> Thread.sleep(d.toMillis()), System::nanoTime);
  }

  HuggingFaceDownloader(HubSettings settings, Retry.Sleeper sleeper, LongSupplier nanoClock) {
    this.settings = settings;
    this.client = new HubClient(settings);
    this.retry = new Retry(settings, sleeper);
    this.files = new FileDownloader(client, retry);
    this.nanoClock = nanoClock;
  }

  /**
   * Returns the local snapshot directory of {@code source}, downloading what is missing.
   *
   * @throws ModelDownloadException with an explanation when the model cannot be fetched
   */
  public Path download(HuggingFace source, LoadProgress progress) {
    return download(source, progress, RepoKind.MODEL);
  }

  /**
   * As {@link #download(HuggingFace, LoadProgress)}, fetching and checking the files of {@code
   * kind}.
   */
  public Path download(HuggingFace source, LoadProgress progress, RepoKind kind) {
    Path repoDir = settings.cacheDir().resolve(source.cacheName());
    if (COMMIT.matcher(source.revision()).matches() && isComplete(repoDir, source.revision())) {
      return done(source, snapshot(repoDir, source.revision()), progress);
    }
    RevisionInfo info;
    try {
      info = retry.run("listing files of " + source, () -> client.revision(source));
    } catch (ModelDownloadException e) {
      // The hub may be unreachable while a finished snapshot of this revision is cached.
      Optional<String> cached = cachedCommit(repoDir, source.revision());
      if (cached.isPresent() && e.getCause() instanceof IOException) {
        LOG.warnf("%s; using the cached snapshot %s", e.getMessage(), cached.get());
        return done(source, snapshot(repoDir, cached.get()), progress);
      }
      throw e;
    }
    Path snapshot = snapshot(repoDir, info.commit());
    if (!isComplete(repoDir, info.commit())) {
      fetch(source, info, snapshot, progress, kind);
      kind.check(snapshot);
      mark(repoDir.resolve(COMPLETE_DIR).resolve(info.commit()));
    }
    writeRef(repoDir, source.revision(), info.commit());
    return done(source, snapshot, progress);
  }

  private void fetch(
      HuggingFace source, RevisionInfo info, Path snapshot, LoadProgress progress, RepoKind kind) {
    String commit = info.commit();
    List<String> wanted = kind.select(info.files());
    if (wanted.stream().noneMatch(f -> f.endsWith(".safetensors") || f.endsWith(".index.json"))) {
      throw new ModelDownloadException(
          source
              + " has no safetensors weights (the worker reads only *.safetensors); files: "
              + info.files());
    }
    Map<String, FileMetadata> meta = new LinkedHashMap<>();
    for (String file : wanted) {
      meta.put(file, metadata(source, commit, file));
    }
    createDirectories(snapshot);
    ProgressLog log = new ProgressLog(source.toString(), progress, nanoClock);
    FileDownloader.Progress sink =
        bytes -> {
          progress.addBytes(bytes);
          log.update();
        };
    String index = ModelDirectory.WEIGHTS_INDEX;
    boolean sharded = meta.containsKey(index);
    if (sharded) {
      // Shards are known only from the index: fetch it first, then size the whole download.
      fetchOne(source, index, meta.get(index), snapshot, sink);
      for (String shard : ModelDirectory.shardNames(snapshot.resolve(index))) {
        meta.put(shard, metadata(source, commit, shard));
      }
    }
    progress.setTotalBytes(meta.values().stream().mapToLong(m -> Math.max(0, m.size())).sum());
    for (Map.Entry<String, FileMetadata> e : meta.entrySet()) {
      if (!(sharded && e.getKey().equals(index))) {
        fetchOne(source, e.getKey(), e.getValue(), snapshot, sink);
      }
    }
    log.update();
  }

  private void fetchOne(
      HuggingFace source,
      String file,
      FileMetadata meta,
      Path snapshot,
      FileDownloader.Progress sink) {
    Path target = snapshot.resolve(file).normalize();
    if (!target.startsWith(snapshot)) {
      throw new ModelDownloadException(source + " lists a file outside its snapshot: " + file);
    }
    if (Files.isRegularFile(target)) {
      // Finished by an earlier, interrupted run: it was verified before the rename.
      sink.add(Math.max(0, meta.size()));
      return;
    }
    createDirectories(target.getParent());
    files.download(source, file, meta, target, sink);
  }

  private FileMetadata metadata(HuggingFace source, String commit, String file) {
    FileMetadata m =
        retry.run(
            "reading metadata of " + file + " of " + source,
            () -> client.metadata(source, commit, file));
    if (!ContentHash.isVerifiable(m.etag())) {
      LOG.warnf(
          "%s of %s has no usable hash (ETag '%s'): it is checked by size only",
          file, source, m.etag());
    }
    // Always fetch by the listed commit, even if a header disagrees, so all files match.
    return new FileMetadata(commit, m.etag(), m.size());
  }

  private Path done(HuggingFace source, Path snapshot, LoadProgress progress) {
    progress.markComplete();
    LOG.infof("%s is available at %s", source, snapshot);
    return snapshot;
  }

  private static Path snapshot(Path repoDir, String commit) {
    return repoDir.resolve("snapshots").resolve(commit);
  }

  private static boolean isComplete(Path repoDir, String commit) {
    return Files.exists(repoDir.resolve(COMPLETE_DIR).resolve(commit))
        && Files.isDirectory(snapshot(repoDir, commit));
  }

  private static Optional<String> cachedCommit(Path repoDir, String revision) {
    Path ref = repoDir.resolve("refs").resolve(revision);
    try {
      if (Files.isRegularFile(ref)) {
        String commit = Files.readString(ref, StandardCharsets.UTF_8).strip();
        if (isComplete(repoDir, commit)) {
          return Optional.of(commit);
        }
      }
    } catch (IOException e) {
      LOG.debugf("cannot read %s: %s", ref, e.getMessage());
    }
    return Optional.empty();
  }

  private static void writeRef(Path repoDir, String revision, String commit) {
    Path ref = repoDir.resolve("refs").resolve(revision).normalize();
    if (!ref.startsWith(repoDir.resolve("refs"))) {
      return;
    }
    try {
      createDirectories(ref.getParent());
      Files.writeString(ref, commit, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ModelDownloadException("cannot write " + ref, e);
    }
  }

  private static void mark(Path marker) {
    createDirectories(marker.getParent());
    try {
      Files.writeString(marker, "");
    } catch (IOException e) {
      throw new ModelDownloadException("cannot write " + marker, e);
    }
  }

  private static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new ModelDownloadException(
          "cannot create " + dir + " (is " + HubSettings.ENV_CACHE + " writable?)", e);
    }
  }
}
