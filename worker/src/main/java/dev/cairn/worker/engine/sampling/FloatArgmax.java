package dev.cairn.worker.engine.sampling;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The greedy token of a row of float logits: the first index of the largest value, exactly what the
 * loop {@code if (x[i] > x[best]) best = i} returns, found with vector compares. That scalar loop
 * carries a dependency through every element (about 66 µs a 151,936-logit row, one row a stream
 * every step); one vector pass, each lane keeping its first largest value and its index, has none.
 */
final class FloatArgmax {

  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Integer> I = F.withLanes(int.class);

  private FloatArgmax() {}

  /**
   * The first index of the largest of {@code x}, NaNs skipped as the scalar loop skips them
   * (nothing compares greater than NaN, so a NaN at index 0 wins); 0 for an empty row.
   */
  static int of(float[] x) {
    if (x.length == 0 || Float.isNaN(x[0])) {
      return 0;
    }
    int bound = F.loopBound(x.length);
    // Each lane keeps its first largest value and where it was: lanes start at x[0] and only take
    // a greater value, so they never hold NaN, and the row is read once.
    FloatVector lanes = FloatVector.broadcast(F, x[0]);
    IntVector at = IntVector.zero(I);
    IntVector index = IntVector.zero(I).addIndex(1);
    IntVector step = IntVector.broadcast(I, F.length());
    for (int i = 0; i < bound; i += F.length()) {
      FloatVector v = FloatVector.fromArray(F, x, i);
      VectorMask<Float> greater = v.compare(VectorOperators.GT, lanes);
      lanes = lanes.blend(v, greater);
      at = at.blend(index, greater.cast(I));
      index = index.add(step);
    }
    float max = lanes.reduceLanes(VectorOperators.MAX);
    // Equality, not identity: -0.0 == 0.0, so a signed zero the loop met first is still first.
    int best = at.reduceLanes(VectorOperators.MIN, lanes.compare(VectorOperators.EQ, max).cast(I));
    for (int i = bound; i < x.length; i++) {
      if (x[i] > max) {
        max = x[i];
        best = i;
      }
    }
    return best;
  }

  /**
   * The first index of the largest of {@code x} among the ids whose bit is set in {@code allowed}
   * ({@code allowed[id >>> 6] & 1L << id}): the greedy token under an output constraint, read off
   * the floats without the two 1.2 MB double copies that masking a row costs. A NaN is never
   * greater, so a NaN at the first allowed id wins, as in the unmasked loop.
   *
   * @throws IllegalStateException when no id of the row is allowed
   */
  static int ofAllowed(float[] x, long[] allowed) {
    int best = -1;
    int words = Math.min(allowed.length, (x.length + 63) >>> 6);
    for (int w = 0; w < words; w++) {
      for (long bits = allowed[w]; bits != 0; bits &= bits - 1) {
        int i = (w << 6) + Long.numberOfTrailingZeros(bits);
        if (i >= x.length) {
          break;
        }
        if (best < 0 || x[i] > x[best]) {
          best = i;
        }
      }
    }
    if (best < 0) {
      throw new IllegalStateException("the output constraint allows no token here");
    }
    return best;
  }
}
