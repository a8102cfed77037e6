package dev.cairn.worker.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a byte-level BPE {@code tokenizer.json} of {@link StructuredBench#VOCAB_SIZE} tokens for
 * the bench model (no real tokenizer can be downloaded here, and mask cost depends on the
 * vocabulary size): the regular tokens are {@link StructuredBench#generateVocabulary}'s, spelled
 * with GPT-2's byte-to-character map, and the last id is the special {@code <|endoftext|>}. Each
 * multi-byte token gets a merge of two shorter tokens that spell it, where some split has both
 * halves in the vocabulary, ranked shortest result first, so encoding reaches those tokens.
 */
final class BenchTokenizerGenerator {

  static final String EOS = "<|endoftext|>";

  private BenchTokenizerGenerator() {}

  /** The tokenizer's directory, generated unless a {@code tokenizer.json} is already there. */
  static Path ensure(Path dir) throws IOException {
    Path file = dir.resolve("tokenizer.json");
    if (Files.exists(file)) {
      return dir;
    }
    Files.createDirectories(dir);
    byte[][] tokens = StructuredBench.generateVocabulary(StructuredBench.VOCAB_SIZE - 1);
    String[] pieces = byteLevelPieces(tokens);
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ObjectNode eos = root.putArray("added_tokens").addObject();
    eos.put("id", pieces.length).put("content", EOS).put("single_word", false);
    eos.put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
    root.putNull("normalizer");
    root.set("pre_tokenizer", byteLevel(json));
    root.putNull("post_processor");
    root.set("decoder", byteLevel(json));
    ObjectNode model = root.putObject("model");
    model.put("type", "BPE").putNull("dropout");
    model.putNull("unk_token").putNull("continuing_subword_prefix").putNull("end_of_word_suffix");
    model.put("fuse_unk", false).put("byte_fallback", false);
    ObjectNode vocab = model.putObject("vocab");
    for (int id = 0; id < pieces.length; id++) {
      vocab.put(pieces[id], id);
    }
    ArrayNode merges = model.putArray("merges");
    merges(pieces).forEach(merges::add);
    Files.writeString(file, json.writeValueAsString(root));
    return dir;
  }

  private static ObjectNode byteLevel(ObjectMapper json) {
    ObjectNode n = json.createObjectNode();
    n.put("type", "ByteLevel").put("add_prefix_space", false);
    n.put("trim_offsets", true).put("use_regex", true);
    return n;
  }

  private static String[] byteLevelPieces(byte[][] tokens) {
    // GPT-2's map: printable Latin-1 bytes stand for themselves, the rest shift to U+0100 on.
    char[] byteToChar = new char[256];
    int shifted = 0;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
      byteToChar[b] = (char) (printable ? b : 256 + shifted++);
    }
    String[] pieces = new String[tokens.length];
    for (int id = 0; id < tokens.length; id++) {
      StringBuilder sb = new StringBuilder(tokens[id].length);
      for (byte b : tokens[id]) {
        sb.append(byteToChar[b & 0xFF]);
      }
      pieces[id] = sb.toString();
    }
    return pieces;
  }

  /** One "left right" merge per reachable multi-byte piece, shorter results ranked first. */
  private static List<String> merges(String[] pieces) {
    Map<String, Integer> ids = new HashMap<>();
    for (int id = 0; id < pieces.length; id++) {
      ids.put(pieces[id], id);
    }
    List<String> merged = new ArrayList<>();
    for (String piece : pieces) {
      if (piece.length() > 1) {
        merged.add(piece);
      }
    }
    merged.sort(Comparator.comparingInt(String::length).thenComparing(ids::get));
    List<String> out = new ArrayList<>();
    for (String piece : merged) {
      for (int split = piece.length() - 1; split > 0; split--) {
        String left = piece.substring(0, split);
        String right = piece.substring(split);
        if (ids.containsKey(left) && ids.containsKey(right)) {
          out.add(left + " " + right);
          break;
        }
      }
    }
    return out;
  }
}
