package dev.cairn.worker.structured.schema;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * Regexes (ECMA subset) for JSON numbers within bounds, so ranges are enforced by the automaton.
 * Integers: exact, by splitting [lo, hi] into digit-length bands and each band into prefix + digit
 * range + free digits. Decimals: sound but not complete — a fraction is allowed only after an
 * integer part whose whole unit interval lies inside the bounds ({@code n.ddd} is in [n, n+1)),
 * plus the bounds themselves when inclusive; no exponent. Every string produced is in range; some
 * in-range decimals (e.g. 0.7 within [0.5, 0.9]) are not producible.
 */
final class NumberRanges {

  private NumberRanges() {}

  /** Integers in [lo, hi]; null bounds are open. Empty string when the range is empty. */
  static String integers(BigInteger lo, BigInteger hi) {
    List<String> alts = new ArrayList<>();
    if (hi == null || hi.signum() >= 0) {
      alts.add(naturals(lo == null ? BigInteger.ZERO : lo.max(BigInteger.ZERO), hi));
    }
    if (lo == null || lo.signum() < 0) {
      BigInteger negHi = hi == null ? BigInteger.ONE.negate() : hi.min(BigInteger.ONE.negate());
      String mags = naturals(negHi.negate(), lo == null ? null : lo.negate());
      if (!mags.isEmpty()) {
        alts.add("-" + mags);
      }
    }
    alts.removeIf(String::isEmpty);
    return alts.isEmpty() ? "" : "(?:" + String.join("|", alts) + ")";
  }

  /** Decimals in the range (see the class comment); inclusive flags per bound. */
  static String decimals(BigDecimal lo, boolean loIncl, BigDecimal hi, boolean hiIncl) {
    List<String> alts = new ArrayList<>();
    BigInteger intLo = lo == null ? null : ceilStrict(lo, loIncl);
    BigInteger intHi = hi == null ? null : floorStrict(hi, hiIncl);
    alts.add(integers(intLo, intHi));
    // n.ddd, n >= 0: value in [n, n+1); needs n inside the lower bound and n+1 <= hi.
    BigInteger posLo = intLo == null ? BigInteger.ZERO : intLo.max(BigInteger.ZERO);
    BigInteger posHi =
        hi == null
            ? null
            : hi.setScale(0, RoundingMode.FLOOR).toBigInteger().subtract(BigInteger.ONE);
    if (posHi == null || posHi.compareTo(posLo) >= 0) {
      alts.add(naturals(posLo, posHi) + "\\.[0-9]+");
    }
    // -m.ddd, m >= 0: value in (-(m+1), -m]; needs -m inside the upper bound and -(m+1) >= lo.
    BigInteger negLo = intHi == null ? BigInteger.ZERO : intHi.negate().max(BigInteger.ZERO);
    BigInteger negHi =
        lo == null
            ? null
            : lo.negate().setScale(0, RoundingMode.FLOOR).toBigInteger().subtract(BigInteger.ONE);
    if (negHi == null || negHi.compareTo(negLo) >= 0) {
      alts.add("-" + naturals(negLo, negHi) + "\\.[0-9]+");
    }
    if (lo != null && loIncl && lo.stripTrailingZeros().scale() > 0) {
      alts.add(literal(lo));
    }
    if (hi != null && hiIncl && hi.stripTrailingZeros().scale() > 0) {
      alts.add(literal(hi));
    }
    alts.removeIf(a -> a.isEmpty() || a.startsWith("\\.") || a.startsWith("-\\."));
    return alts.isEmpty() ? "" : "(?:" + String.join("|", alts) + ")";
  }

  private static String literal(BigDecimal d) {
    return d.stripTrailingZeros().toPlainString().replace(".", "\\.");
  }

  private static BigInteger ceilStrict(BigDecimal lo, boolean inclusive) {
    BigInteger c = lo.setScale(0, RoundingMode.CEILING).toBigInteger();
    return !inclusive && new BigDecimal(c).compareTo(lo) == 0 ? c.add(BigInteger.ONE) : c;
  }

  private static BigInteger floorStrict(BigDecimal hi, boolean inclusive) {
    BigInteger f = hi.setScale(0, RoundingMode.FLOOR).toBigInteger();
    return !inclusive && new BigDecimal(f).compareTo(hi) == 0 ? f.subtract(BigInteger.ONE) : f;
  }

  /** Non-negative integers in [lo, hi] without leading zeros; hi null is open. */
  static String naturals(BigInteger lo, BigInteger hi) {
    if (hi != null && lo.compareTo(hi) > 0) {
      return "";
    }
    int loLen = lo.toString().length();
    int hiLen = hi == null ? loLen : hi.toString().length();
    List<String> alts = new ArrayList<>();
    for (int len = loLen; len <= hiLen; len++) {
      BigInteger bandLo = len == 1 ? BigInteger.ZERO : BigInteger.TEN.pow(len - 1);
      BigInteger bandHi = BigInteger.TEN.pow(len).subtract(BigInteger.ONE);
      BigInteger a = lo.max(bandLo);
      BigInteger b = hi == null ? bandHi : hi.min(bandHi);
      if (a.compareTo(b) <= 0) {
        alts.add(fixed(a.toString(), b.toString()));
      }
    }
    if (hi == null) {
      alts.add("[1-9][0-9]{" + loLen + ",}");
    }
    return alts.isEmpty() ? "" : "(?:" + String.join("|", alts) + ")";
  }

  /** Digit strings of equal length between lo and hi inclusive (leading zeros allowed). */
  private static String fixed(String lo, String hi) {
    if (lo.equals(hi)) {
      return lo;
    }
    int i = 0;
    while (lo.charAt(i) == hi.charAt(i)) {
      i++;
    }
    String prefix = lo.substring(0, i);
    char dl = lo.charAt(i);
    char dh = hi.charAt(i);
    String loRest = lo.substring(i + 1);
    String hiRest = hi.substring(i + 1);
    int r = loRest.length();
    String free = r == 0 ? "" : "[0-9]{" + r + "}";
    if (loRest.chars().allMatch(c -> c == '0') && hiRest.chars().allMatch(c -> c == '9')) {
      return prefix + "[" + dl + "-" + dh + "]" + free;
    }
    List<String> alts = new ArrayList<>();
    alts.add(dl + fixed(loRest, "9".repeat(r)));
    if (dh - dl >= 2) {
      alts.add("[" + (char) (dl + 1) + "-" + (char) (dh - 1) + "]" + free);
    }
    alts.add(dh + fixed("0".repeat(r), hiRest));
    return prefix + "(?:" + String.join("|", alts) + ")";
  }
}
