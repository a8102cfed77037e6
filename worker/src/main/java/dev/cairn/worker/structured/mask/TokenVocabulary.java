package dev.cairn.worker.structured.mask;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The tokenizer's vocabulary as bytes, in a byte trie: what a token appends to the output.
 * Token-mask computation walks the trie once per step, so tokens sharing a prefix share the grammar
 * work. Special tokens have no bytes (they are never allowed by a grammar; EOS is handled by the
 * matcher).
 */
public final class TokenVocabulary {

  private final int size;
  private final byte[][] tokenBytes;
  private final int maxTokenBytes;
  // Trie: node 0 is the root. Children form a sibling list.
  private int[] firstChild;
  private int[] nextSibling;
  private byte[] label;
  private int[] firstToken; // token id ending at the node, or -1
  private final int[] nextSameBytes; // further tokens with identical bytes, or -1
  private int nodes;

  /**
   * @param tokenBytes per token id its bytes, or null for special tokens and unused ids
   */
  public static TokenVocabulary of(byte[][] tokenBytes) {
    return new TokenVocabulary(tokenBytes);
  }

  /** Reads a Hugging Face {@code tokenizer.json} (byte-level BPE or SentencePiece-style). */
  public static TokenVocabulary fromTokenizerJson(Path file) {
    try {
      JsonNode root = new ObjectMapper().readTree(file.toFile());
      return of(TokenizerJsonBytes.read(root, file.toString()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private TokenVocabulary(byte[][] tokenBytes) {
    this.size = tokenBytes.length;
    this.tokenBytes = tokenBytes.clone();
    int longest = 0;
    for (byte[] b : tokenBytes) {
      longest = b == null ? longest : Math.max(longest, b.length);
    }
    this.maxTokenBytes = longest;
    this.nextSameBytes = new int[size];
    Arrays.fill(nextSameBytes, -1);
    int capacity = 1024;
    firstChild = new int[capacity];
    nextSibling = new int[capacity];
    label = new byte[capacity];
    firstToken = new int[capacity];
    nodes = 1;
    firstChild[0] = -1;
    nextSibling[0] = -1;
    firstToken[0] = -1;
    for (int id = 0; id < size; id++) {
      if (tokenBytes[id] != null && tokenBytes[id].length > 0) {
        insert(id, tokenBytes[id]);
      }
    }
    renumberBreadthFirst();
  }

  /**
   * Renumbers the nodes breadth-first, so every node's children sit next to each other: mask walks
   * visit a node's children in a row, and contiguous arrays keep those visits in cache (the walks
   * are bound by this memory traffic on a 150k-token vocabulary).
   */
  private void renumberBreadthFirst() {
    int[] order = new int[nodes]; // new number -> old
    int[] renamed = new int[nodes]; // old number -> new
    int tail = 1;
    for (int head = 0; head < tail; head++) {
      for (int c = firstChild[order[head]]; c >= 0; c = nextSibling[c]) {
        renamed[c] = tail;
        order[tail++] = c;
      }
    }
    int[] child = new int[nodes];
    int[] sibling = new int[nodes];
    byte[] labels = new byte[nodes];
    int[] tokens = new int[nodes];
    for (int n = 0; n < nodes; n++) {
      int old = order[n];
      child[n] = firstChild[old] < 0 ? -1 : renamed[firstChild[old]];
      sibling[n] = nextSibling[old] < 0 ? -1 : renamed[nextSibling[old]];
      labels[n] = label[old];
      tokens[n] = firstToken[old];
    }
    firstChild = child;
    nextSibling = sibling;
    label = labels;
    firstToken = tokens;
  }

  private void insert(int id, byte[] bytes) {
    int node = 0;
    for (byte b : bytes) {
      int child = firstChild[node];
      while (child >= 0 && label[child] != b) {
        child = nextSibling[child];
      }
      if (child < 0) {
        child = newNode(b);
        nextSibling[child] = firstChild[node];
        firstChild[node] = child;
      }
      node = child;
    }
    nextSameBytes[id] = firstToken[node];
    firstToken[node] = id;
  }

  private int newNode(byte b) {
    if (nodes == label.length) {
      int n = nodes * 2;
      firstChild = Arrays.copyOf(firstChild, n);
      nextSibling = Arrays.copyOf(nextSibling, n);
      label = Arrays.copyOf(label, n);
      firstToken = Arrays.copyOf(firstToken, n);
    }
    firstChild[nodes] = -1;
    nextSibling[nodes] = -1;
    firstToken[nodes] = -1;
    label[nodes] = b;
    return nodes++;
  }

  /** The length in bytes of the longest token. */
  public int maxTokenBytes() {
    return maxTokenBytes;
  }

  /** Number of token ids (one more than the highest), the width a mask must cover. */
  public int size() {
    return size;
  }

  /** Trie nodes, for sizing. */
  public int nodeCount() {
    return nodes;
  }

  public int firstChild(int node) {
    return firstChild[node];
  }

  public int nextSibling(int node) {
    return nextSibling[node];
  }

  /** The byte on the edge into {@code node}. */
  public int label(int node) {
    return label[node] & 0xFF;
  }

  /** A token whose bytes end exactly at {@code node}, or -1. */
  public int firstToken(int node) {
    return firstToken[node];
  }

  /** Another token with the same bytes as {@code token}, or -1. */
  public int nextSameBytes(int token) {
    return nextSameBytes[token];
  }

  /** The bytes a token appends, or null for special tokens and ids out of range. */
  public byte[] bytes(int token) {
    return token < 0 || token >= size ? null : tokenBytes[token];
  }
}
