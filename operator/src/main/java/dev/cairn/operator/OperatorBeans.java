package dev.cairn.operator;

import dev.cairn.api.v1alpha1.validation.SpecValidator;
import dev.cairn.operator.model.WorkerDeploymentModel;
import dev.cairn.operator.model.WorkerSettings;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.arc.DefaultBean;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/** Turns configuration into the plain objects the reconciler and the pure models use. */
public class OperatorBeans {
  /** The Lease the operator replicas compete for. */
  public static final String LEASE_NAME = "cairn-operator-lease";

  @Produces
  @Singleton
  WorkerSettings workerSettings(CairnOperatorConfig config) {
    var accelerators =
        config.accelerators().isEmpty()
            ? WorkerSettings.DEFAULT_ACCELERATORS
            : config.accelerators();
    return new WorkerSettings(
        config.workerImage(),
        accelerators,
        config.terminationGracePeriodSeconds(),
        config.preStopSleepSeconds());
  }

  @Produces
  @Singleton
  WorkerDeploymentModel deploymentModel(WorkerSettings settings) {
    return new WorkerDeploymentModel(settings);
  }

  @Produces
  @Singleton
  SpecValidator specValidator(WorkerSettings settings) {
    return new SpecValidator(settings.acceleratorTypes());
  }

  /**
   * Leader election (active in the prod profile): replicas of the operator compete for this Lease
   * in their own namespace, and only the holder reconciles.
   */
  @Produces
  @Singleton
  @Unremovable
  LeaderElectionConfiguration leaderElection() {
    return new LeaderElectionConfiguration(LEASE_NAME);
  }

  /** Condition timestamps read this clock, so tests can pin time. */
  @Produces
  @Singleton
  @DefaultBean
  Clock clock() {
    return Clock.systemUTC();
  }
}
