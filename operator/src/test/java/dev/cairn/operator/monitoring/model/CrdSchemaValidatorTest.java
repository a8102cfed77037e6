package dev.cairn.operator.monitoring.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.api.testing.CrdSchemaValidator;
import org.junit.jupiter.api.Test;

/** The schema checks the builder tests rely on must catch what the API server would refuse. */
class CrdSchemaValidatorTest {
  private static final CrdSchemaValidator CRD =
      CrdSchemaValidator.fromClasspath(
          "crds/prometheus-operator/monitoring.coreos.com_servicemonitors.yaml");

  private static ObjectNode valid() {
    return (ObjectNode)
        MonitoringFixtures.tree(
            ServiceMonitorBuilder.build(MonitoringFixtures.load(MonitoringFixtures.AUTOSCALED)));
  }

  @Test
  void acceptsTheBuiltObject() {
    assertThat(CRD.validate(valid())).isEmpty();
  }

  @Test
  void rejectsUnknownFields() {
    ObjectNode sm = valid();
    ((ObjectNode) sm.at("/spec/endpoints/0")).put("scrapeEvery", "15s");
    assertThat(CRD.validate(sm)).containsExactly("spec.endpoints[0].scrapeEvery: unknown field");
  }

  @Test
  void rejectsValuesOutsideAnEnum() {
    ObjectNode sm = valid();
    ((ObjectNode) sm.at("/spec/endpoints/0/relabelings/0")).put("action", "rename");
    assertThat(CRD.validate(sm)).singleElement().asString().contains("is not one of");
  }

  @Test
  void rejectsMissingRequiredFieldsAndWrongTypes() {
    ObjectNode sm = valid();
    ((ObjectNode) sm.path("spec")).remove("selector");
    ((ArrayNode) sm.at("/spec/endpoints/0/relabelings/0/sourceLabels")).add(7);
    assertThat(CRD.validate(sm))
        .containsExactlyInAnyOrder(
            "spec.selector: is required",
            "spec.endpoints[0].relabelings[0].sourceLabels[1]: must be a string, is 7");
  }

  @Test
  void rejectsWrongKindAndInvalidLabels() {
    ObjectNode sm = valid();
    sm.put("kind", "PodMonitor");
    ((ObjectNode) sm.at("/metadata/labels")).put("release", "not a label value");
    assertThat(CRD.validate(sm)).hasSize(2);
  }
}
