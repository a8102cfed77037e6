package dev.cairn.worker.structured;

import dev.cairn.worker.structured.mask.TokenVocabulary;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Drives a matcher the way a sampler would: each step fills the mask and picks a random allowed
 * token (checking that the matcher accepts it). After a while it prefers tokens that close strings,
 * arrays and objects, so unbounded constraints still finish.
 */
final class RandomWalk {

  static final int EOS = 509;
  private static final int MAX_STEPS = 4000;

  private RandomWalk() {}

  static String run(CompiledConstraint c, TokenVocabulary vocab, Random random) {
    ConstraintMatcher m = c.newMatcher(vocab, EOS);
    long[] mask = new long[(vocab.size() + 63) / 64];
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int step = 0; step < MAX_STEPS; step++) {
      m.fillMask(mask);
      List<Integer> allowed = new ArrayList<>();
      for (int id = 0; id < vocab.size(); id++) {
        if ((mask[id >>> 6] & 1L << id) != 0) {
          allowed.add(id);
        }
      }
      if (allowed.isEmpty()) {
        throw new AssertionError("no token allowed after: " + out.toString(StandardCharsets.UTF_8));
      }
      for (int id = 0; id < vocab.size(); id++) {
        if (((mask[id >>> 6] & 1L << id) != 0) != m.allows(id)) {
          throw new AssertionError("mask bit of token " + id + " disagrees with allows()");
        }
      }
      if (allowed.contains(EOS) != m.canEnd()) {
        throw new AssertionError("EOS mask disagrees with canEnd()");
      }
      int token = pick(allowed, vocab, random, step);
      if (!m.accept(token)) {
        throw new AssertionError("mask allowed token " + token + " but accept() refused it");
      }
      if (token == EOS) {
        return out.toString(StandardCharsets.UTF_8);
      }
      out.writeBytes(vocab.bytes(token));
      if (m.isTerminated()) {
        return out.toString(StandardCharsets.UTF_8);
      }
    }
    throw new AssertionError(
        "no completion in " + MAX_STEPS + " steps: " + out.toString(StandardCharsets.UTF_8));
  }

  private static int pick(List<Integer> allowed, TokenVocabulary vocab, Random random, int step) {
    if (allowed.contains(EOS) && random.nextInt(3) == 0) {
      return EOS;
    }
    if (step > 60) {
      for (String closers : List.of("}]", "\"")) {
        List<Integer> closing =
            allowed.stream().filter(t -> t != EOS && contains(vocab.bytes(t), closers)).toList();
        if (!closing.isEmpty() && random.nextInt(4) != 0) {
          return closing.get(random.nextInt(closing.size()));
        }
      }
    }
    return allowed.get(random.nextInt(allowed.size()));
  }

  private static boolean contains(byte[] bytes, String chars) {
    for (byte b : bytes) {
      if (chars.indexOf(b) >= 0) {
        return true;
      }
    }
    return false;
  }
}
