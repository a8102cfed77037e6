package dev.cairn.operator.status;

/**
 * Why worker pods fail, as a Degraded reason and a message naming the pod and the cause.
 *
 * @param reason a {@code Conditions.Reason} constant
 * @param message what is wrong, for humans
 * @param severity lower is worse; picks the problem reported when several pods fail differently
 */
public record PodProblem(String reason, String message, int severity) {}
