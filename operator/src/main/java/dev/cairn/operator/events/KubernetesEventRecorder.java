package dev.cairn.operator.events;

import dev.cairn.api.CairnNames;
import dev.cairn.api.v1alpha1.LLMDeployment;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/** Writes core/v1 Events, the kind {@code kubectl describe} and {@code kubectl events} show. */
@ApplicationScoped
@DefaultBean
public class KubernetesEventRecorder implements EventRecorder {
  private static final Logger LOG = Logger.getLogger(KubernetesEventRecorder.class);
  private static final int MAX_MESSAGE = 1024;

  private final KubernetesClient client;
  private final Clock clock;
  private final AtomicLong sequence = new AtomicLong();

  @Inject
  public KubernetesEventRecorder(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  @Override
  public void record(LLMDeployment llmd, String type, String reason, String message) {
    try {
      client
          .v1()
          .events()
          .inNamespace(llmd.getMetadata().getNamespace())
          .resource(event(llmd, type, reason, message))
          .create();
    } catch (RuntimeException e) {
      LOG.warnf(
          "could not record event %s on %s/%s: %s",
          reason, llmd.getMetadata().getNamespace(), llmd.getMetadata().getName(), e.getMessage());
    }
  }

  Event event(LLMDeployment llmd, String type, String reason, String message) {
    var now = clock.instant();
    String stamp = DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.SECONDS));
    // Event names must be unique; kubectl's convention is <object>.<hex timestamp>.
    String name =
        llmd.getMetadata().getName()
            + "."
            + Long.toHexString(now.toEpochMilli() * 1000 + sequence.incrementAndGet() % 1000);
    String text = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) : message;
    return new EventBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(llmd.getMetadata().getNamespace())
        .endMetadata()
        .withNewInvolvedObject()
        .withApiVersion(CairnNames.API_VERSION)
        .withKind(CairnNames.KIND)
        .withName(llmd.getMetadata().getName())
        .withNamespace(llmd.getMetadata().getNamespace())
        .withUid(llmd.getMetadata().getUid())
        .withResourceVersion(llmd.getMetadata().getResourceVersion())
        .endInvolvedObject()
        .withType(type)
        .withReason(reason)
        .withMessage(text)
        .withCount(1)
        .withFirstTimestamp(stamp)
        .withLastTimestamp(stamp)
        .withReportingComponent(CairnNames.MANAGED_BY)
        .withReportingInstance(System.getenv().getOrDefault("HOSTNAME", CairnNames.MANAGED_BY))
        .withNewSource()
        .withComponent(CairnNames.MANAGED_BY)
        .endSource()
        .build();
  }
}
