package dev.cairn.worker.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;

/** {@link Tokenizer} backed by the Hugging Face {@code tokenizers} library through DJL. */
public final class HfTokenizer implements Tokenizer {

  /** File name of the tokenizer inside a model directory. */
  public static final String FILE = "tokenizer.json";

  // The post-processor decides about BOS/EOS (addSpecialTokens=true runs it); truncation and
  // padding are off because the engine checks lengths itself and must see every token.
  private static final Map<String, String> OPTIONS =
      Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false");

  private final HuggingFaceTokenizer djl;
  private final TokenizerVocabulary vocabulary;

  private HfTokenizer(HuggingFaceTokenizer djl, TokenizerVocabulary vocabulary) {
    this.djl = djl;
    this.vocabulary = vocabulary;
  }

  /** Loads {@code tokenizer.json} from a model directory. */
  public static HfTokenizer load(Path modelDir) {
    return loadFile(modelDir.resolve(FILE));
  }

  /** Loads a {@code tokenizer.json} file. */
  public static HfTokenizer loadFile(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("tokenizer file not found: " + file, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read tokenizer file " + file, e);
    }
    TokenizerVocabulary vocabulary;
    try {
      JsonNode root = new ObjectMapper().readTree(bytes);
      vocabulary = TokenizerVocabulary.of(root, file.toString());
    } catch (IOException e) {
      throw new IllegalArgumentException(file + " is not valid JSON: " + e.getMessage(), e);
    }
    DjlNativeCache.ensureConfigured();
    try {
      HuggingFaceTokenizer djl =
          HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(bytes), OPTIONS);
      return new HfTokenizer(djl, vocabulary);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "cannot load tokenizer " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public int[] encode(String text) {
    return encode(text, true);
  }

  /**
   * Encodes with or without the post-processor's special tokens. A rendered chat prompt already
   * holds its BOS (e.g. Llama 3's {@code <|begin_of_text|>}), so Hugging Face tokenizes it with
   * {@code add_special_tokens=False}; pass false for the same result.
   */
  public int[] encode(String text, boolean addSpecialTokens) {
    Encoding encoding = djl.encode(text, addSpecialTokens, false);
    long[] ids = encoding.getIds();
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = Math.toIntExact(ids[i]);
    }
    return out;
  }

  @Override
  public String decode(int[] ids, boolean skipSpecialTokens) {
    long[] wide = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      wide[i] = ids[i];
    }
    return djl.decode(wide, skipSpecialTokens);
  }

  @Override
  public int vocabSize() {
    return vocabulary.size();
  }

  @Override
  public OptionalInt tokenId(String token) {
    return vocabulary.id(token);
  }

  @Override
  public void close() {
    djl.close();
  }
}
