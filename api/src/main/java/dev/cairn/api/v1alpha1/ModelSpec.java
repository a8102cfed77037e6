package dev.cairn.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** Which model to serve and where its weights come from. */
@JsonClassDescription("Which model to serve and where its weights come from.")
public class ModelSpec {
  /** hf://ORG/NAME[@REV] | pvc://CLAIM/PATH | file:PATH. */
  public static final String SOURCE_PATTERN =
      "^(hf://[A-Za-z0-9][-A-Za-z0-9_.]*/[A-Za-z0-9][-A-Za-z0-9_.]*(@[^\\s@]+)?"
          + "|pvc://[a-z0-9]([-a-z0-9]*[a-z0-9])?/[^\\s]+"
          + "|file:[^\\s]+)$";

  public static final String ID_PATTERN = "^[^\\s]{1,256}$";

  @Pattern(ID_PATTERN)
  @JsonPropertyDescription(
      "Model name clients send as \"model\" in OpenAI requests; defaults to metadata.name.")
  private String id;

  @Required
  @Pattern(SOURCE_PATTERN)
  @JsonPropertyDescription(
      "Where the weights come from: hf://ORG/NAME[@REV] (Hugging Face hub), pvc://CLAIM/PATH"
          + " (a PersistentVolumeClaim, mounted read-only) or file:PATH (inside the worker image).")
  private String source;

  @JsonPropertyDescription("Secret key holding a Hugging Face token, for gated or private models.")
  private SecretKeyRef credentialsSecretRef;

  public String getId() {
    return id;
  }

  public void setId(String id) {
    this.id = id;
  }

  public String getSource() {
    return source;
  }

  public void setSource(String source) {
    this.source = source;
  }

  public SecretKeyRef getCredentialsSecretRef() {
    return credentialsSecretRef;
  }

  public void setCredentialsSecretRef(SecretKeyRef credentialsSecretRef) {
    this.credentialsSecretRef = credentialsSecretRef;
  }
}
