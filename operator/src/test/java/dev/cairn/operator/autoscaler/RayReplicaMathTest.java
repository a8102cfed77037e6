package dev.cairn.operator.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Ray Serve's replica arithmetic, every expected value worked out by hand in the comments. */
class RayReplicaMathTest {

  @ParameterizedTest(name = "[{index}] {8}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          # current| load | target| up  | down| min| max| expected| why
          1        | 10   | 2     | 1.0 | 1.0 | 1  | 10 | 5       | desired 5; ceil(1 + 1*(5-1)) = 5
          2        | 5    | 2     | 1.0 | 1.0 | 1  | 10 | 3       | desired 2.5; ceil(2.5) = 3
          3        | 6    | 2     | 1.0 | 1.0 | 1  | 10 | 3       | desired 3 exactly: no change
          3        | 6.2  | 2     | 1.0 | 1.0 | 1  | 10 | 4       | desired 3.1; ceil(3.1) = 4: any excess adds one
          3        | 28.8 | 2     | 1.0 | 1.0 | 1  | 5  | 5       | desired 14.4 -> 15, clamped to max 5
          4        | 3    | 2     | 1.0 | 1.0 | 1  | 10 | 2       | desired 1.5; ceil(4 - 2.5) = 2
          5        | 0    | 2     | 1.0 | 1.0 | 1  | 10 | 1       | desired 0; ceil(0) = 0, clamped to min 1
          2        | 12   | 2     | 0.5 | 1.0 | 1  | 10 | 4       | up 0.5: desired 6; ceil(2 + 0.5*4) = 4
          2        | 9    | 2     | 0.5 | 1.0 | 1  | 10 | 4       | up 0.5: desired 4.5; ceil(2 + 0.5*2.5) = ceil(3.25) = 4
          2        | 6    | 2     | 2.0 | 1.0 | 1  | 10 | 4       | up 2.0: desired 3; ceil(2 + 2*1) = 4
          2        | 6    | 2     | 2.0 | 1.0 | 1  | 3  | 3       | up 2.0 overshoots to 4, clamped to max 3
          8        | 4    | 2     | 1.0 | 0.5 | 1  | 10 | 5       | down 0.5: desired 2; ceil(8 + 0.5*(-6)) = 5
          3        | 5    | 2     | 1.0 | 0.5 | 1  | 10 | 3       | down 0.5: desired 2.5, ceil(2.5) = 3 = current: not a shrink
          3        | 2    | 2     | 1.0 | 0.1 | 1  | 10 | 2       | down 0.1: ceil(3 - 0.2) = 3 stuck, ceil(1) < 3: minus one
          8        | 8    | 2     | 1.0 | 2.0 | 1  | 10 | 1       | down 2.0: desired 4; ceil(8 + 2*(-4)) = 0, clamped to min 1
          8        | 8    | 2     | 1.0 | 2.0 | 2  | 10 | 2       | same with min 2
          3        | 100  | 2     | 1.0 | 1.0 | 3  | 3  | 3       | min == max pins the count
          3        | 0    | 2     | 1.0 | 1.0 | 3  | 3  | 3       | min == max pins the count
          1        | 1.2  | 0.5   | 1.0 | 1.0 | 1  | 10 | 3       | target 0.5: desired 2.4; ceil(2.4) = 3
          """)
  void proposalMatchesRay(
      int current,
      double load,
      double target,
      double up,
      double down,
      int min,
      int max,
      int expected,
      String why) {
    ScalingSpec spec = new ScalingSpec(min, max, min, target, 0, 0, up, down, 30, 10, Map.of());
    assertThat(RayReplicaMath.proposal(current, load, spec)).as(why).isEqualTo(expected);
  }
}
