package dev.cairn.worker.structured.mask;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Each token's output bytes from a {@code tokenizer.json}: byte-level BPE vocabularies spell bytes
 * with GPT-2's printable byte-to-character map; SentencePiece-style ones use {@code ▁} for a space
 * and {@code <0xNN>} for raw bytes. Added tokens marked {@code special} get no bytes.
 */
final class TokenizerJsonBytes {

  private TokenizerJsonBytes() {}

  static byte[][] read(JsonNode root, String fileName) {
    JsonNode vocab = root.path("model").path("vocab");
    if (!vocab.isObject()) {
      throw new IllegalArgumentException(fileName + ": model.vocab is not a token -> id map");
    }
    boolean byteLevel = root.path("decoder").path("type").asText().equals("ByteLevel");
    Map<Integer, String> pieces = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      pieces.put(e.getValue().asInt(), e.getKey());
    }
    Map<Integer, Boolean> special = new HashMap<>();
    for (JsonNode added : root.path("added_tokens")) {
      pieces.put(added.get("id").asInt(), added.get("content").asText());
      special.put(added.get("id").asInt(), added.path("special").asBoolean(false));
    }
    int size = pieces.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
    byte[][] out = new byte[size][];
    Map<Integer, Integer> unicodeToByte = byteLevel ? gpt2UnicodeToByte() : Map.of();
    for (Map.Entry<Integer, String> e : pieces.entrySet()) {
      String piece = e.getValue();
      if (special.getOrDefault(e.getKey(), false)) {
        continue;
      }
      out[e.getKey()] =
          special.containsKey(e.getKey())
              ? piece.getBytes(StandardCharsets.UTF_8)
              : byteLevel ? byteLevelBytes(piece, unicodeToByte) : sentencePieceBytes(piece);
    }
    return out;
  }

  private static byte[] byteLevelBytes(String piece, Map<Integer, Integer> unicodeToByte) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    piece
        .codePoints()
        .forEach(
            cp -> {
              Integer b = unicodeToByte.get(cp);
              if (b == null) {
                throw new IllegalArgumentException("not a byte-level BPE piece: " + piece);
              }
              out.write(b);
            });
    return out.toByteArray();
  }

  private static byte[] sentencePieceBytes(String piece) {
    if (piece.length() == 6 && piece.startsWith("<0x") && piece.endsWith(">")) {
      return new byte[] {(byte) Integer.parseInt(piece.substring(3, 5), 16)};
    }
    return piece.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
  }

  /**
   * GPT-2's map: printable Latin-1 bytes stand for themselves, the rest shift to U+0100 onwards.
   */
  static Map<Integer, Integer> gpt2UnicodeToByte() {
    Map<Integer, Integer> map = new HashMap<>();
    int shifted = 0;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
      map.put(printable ? b : 256 + shifted++, b);
    }
    return map;
  }
}
