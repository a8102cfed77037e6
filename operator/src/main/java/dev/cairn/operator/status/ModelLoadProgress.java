package dev.cairn.operator.status;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.OptionalDouble;

/** Reads how far a worker pod has got loading its model; behind an interface so tests fake it. */
public interface ModelLoadProgress {

  /** The load progress of one pod in [0, 1], or empty when it cannot be read (no IP, timeout). */
  OptionalDouble of(Pod pod);
}
