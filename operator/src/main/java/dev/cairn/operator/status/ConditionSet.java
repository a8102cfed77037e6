package dev.cairn.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Conditions in the metav1.Condition shape, kept honest: {@code lastTransitionTime} moves only when
 * a condition's status flips, and {@code observedGeneration} says which spec it describes.
 */
public final class ConditionSet {
  private final Map<String, Condition> previous = new LinkedHashMap<>();
  private final Map<String, Condition> current = new LinkedHashMap<>();
  private final long generation;
  private final String now;

  /**
   * @param previous the conditions of the status being replaced (kept for transition times and for
   *     condition types other components own)
   * @param generation the metadata.generation being reconciled
   * @param now the time a new transition is stamped with
   */
  public ConditionSet(List<Condition> previous, long generation, Instant now) {
    if (previous != null) {
      previous.forEach(c -> this.previous.put(c.getType(), c));
    }
    this.generation = generation;
    this.now = DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.SECONDS));
  }

  /** Sets one condition; its transition time is kept unless the status changed. */
  public ConditionSet set(String type, boolean status, String reason, String message) {
    String s = status ? "True" : "False";
    Condition old = previous.get(type);
    String since =
        old != null && s.equals(old.getStatus()) && old.getLastTransitionTime() != null
            ? old.getLastTransitionTime()
            : now;
    current.put(
        type,
        new ConditionBuilder()
            .withType(type)
            .withStatus(s)
            .withReason(reason)
            .withMessage(message)
            .withObservedGeneration(generation)
            .withLastTransitionTime(since)
            .build());
    return this;
  }

  /** Drops a condition of the previous status (one that no longer applies). */
  public ConditionSet remove(String type) {
    previous.remove(type);
    current.remove(type);
    return this;
  }

  /** The previous condition of a type, if there was one. */
  public Optional<Condition> previous(String type) {
    return Optional.ofNullable(previous.get(type));
  }

  /** True when the type is newly set to True, or stays True with another reason or message. */
  public boolean changedToOrWithin(String type, boolean status) {
    Condition now = current.get(type);
    if (now == null || !now.getStatus().equals(status ? "True" : "False")) {
      return false;
    }
    Condition old = previous.get(type);
    return old == null
        || !Objects.equals(old.getStatus(), now.getStatus())
        || !Objects.equals(old.getReason(), now.getReason())
        || !Objects.equals(old.getMessage(), now.getMessage());
  }

  /** True when the type flipped to the given status in this round (or appeared with it). */
  public boolean flippedTo(String type, boolean status) {
    Condition now = current.get(type);
    Condition old = previous.get(type);
    return now != null
        && now.getStatus().equals(status ? "True" : "False")
        && (old == null || !Objects.equals(old.getStatus(), now.getStatus()));
  }

  /** The condition set now, if set. */
  public Optional<Condition> get(String type) {
    return Optional.ofNullable(current.get(type));
  }

  /**
   * The merged list: conditions set in this round, then untouched ones of other owners (the
   * autoscaler's ScalingActive, monitoring's MonitoringReady), in a stable order.
   */
  public List<Condition> toList(List<String> order) {
    Map<String, Condition> merged = new LinkedHashMap<>();
    for (String type : order) {
      Condition c = current.containsKey(type) ? current.get(type) : previous.get(type);
      if (c != null) {
        merged.put(type, c);
      }
    }
    previous.forEach(merged::putIfAbsent);
    current.forEach(merged::putIfAbsent);
    return new ArrayList<>(merged.values());
  }
}
