package dev.cairn.worker.source;

import dev.cairn.worker.source.ModelSource.HuggingFace;
import dev.cairn.worker.source.ModelSource.LocalFile;
import dev.cairn.worker.source.ModelSource.Pvc;
import java.nio.file.Path;

/** Turns a model source into a checked local model directory, downloading {@code hf://} models. */
public final class ModelResolver {

  private final HubSettings hub;
  private final Path pvcMountRoot;

  /** A resolver with the given hub settings and claim mount root. */
  public ModelResolver(HubSettings hub, Path pvcMountRoot) {
    this.hub = hub;
    this.pvcMountRoot = pvcMountRoot;
  }

  /** The pod's resolver: settings from the environment, claims under {@code /mnt/models}. */
  public static ModelResolver fromEnvironment() {
    return new ModelResolver(
        HubSettings.fromEnv(System.getenv()), ModelSource.DEFAULT_PVC_MOUNT_ROOT);
  }

  /**
   * Resolves a source; {@code progress} follows the download and is complete on return.
   *
   * @throws IllegalArgumentException when the directory lacks files (the message lists them)
   * @throws ModelDownloadException when a download fails
   */
  public ModelDirectory resolve(ModelSource source, LoadProgress progress) {
    Path dir =
        switch (source) {
          case HuggingFace hf -> new HuggingFaceDownloader(hub).download(hf, progress);
          case Pvc pvc -> pvc.localPath(pvcMountRoot);
          case LocalFile file -> file.path();
        };
    ModelDirectory checked = ModelDirectory.check(dir);
    progress.markComplete();
    return checked;
  }

  /**
   * The local directory of a LoRA adapter source, downloading {@code hf://} adapters (with the
   * model's hub token) into the same cache; {@code field} names the source in parse errors.
   *
   * @throws IllegalArgumentException for a malformed source or a directory lacking adapter files
   * @throws ModelDownloadException when a download fails ({@link
   *     ModelDownloadException#isNotFound()} when the hub has no such repository)
   */
  public Path resolveAdapter(String source, String field) {
    ModelSource parsed = ModelSource.parse(source, Path.of("").toAbsolutePath(), field);
    Path dir =
        switch (parsed) {
          case HuggingFace hf ->
              new HuggingFaceDownloader(hub)
                  .download(hf, new LoadProgress(), RepoKind.LORA_ADAPTER);
          case Pvc pvc -> pvc.localPath(pvcMountRoot);
          case LocalFile file -> file.path();
        };
    RepoKind.LORA_ADAPTER.check(dir);
    return dir;
  }

  /** Parses {@code spec.model.source} (relative {@code file:} paths against the working dir). */
  public ModelDirectory resolve(String source, LoadProgress progress) {
    return resolve(ModelSource.parse(source, Path.of("").toAbsolutePath()), progress);
  }
}
