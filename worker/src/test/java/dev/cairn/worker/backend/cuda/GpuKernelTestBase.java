package dev.cairn.worker.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.HostTensor;
import dev.cairn.worker.backend.reference.ReferenceBackend;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;

/**
 * Lifecycle and helpers of the kernel tests: one context and one kernel set per class, skipped
 * (reported as such) when {@link CudaProbe} finds no usable GPU; every test must return the device
 * memory it allocated. Expected values come from {@link ReferenceBackend}, the yardstick the CPU
 * kernels are held to as well.
 */
@Tag("gpu")
abstract class GpuKernelTestBase {

  static final ReferenceBackend REFERENCE = new ReferenceBackend();

  static CudaContext ctx;
  static CudaKernels kernels;
  static CudaOps ops;

  final Random random = new Random(42);
  private final List<DeviceBuffer> buffers = new ArrayList<>();
  private long liveBefore;

  // The assumption sits in @BeforeEach, not here: an aborted @BeforeAll reports zero tests, while
  // an aborted @BeforeEach reports every test (each parameter set) as skipped.
  @BeforeAll
  static void openDevice() {
    CudaProbe.Result probe = CudaProbe.probe();
    if (!probe.usable()) {
      return;
    }
    ctx = CudaContext.open(probe.devices().getFirst().ordinal());
    kernels = CudaKernels.load(ctx);
    ops = new CudaOps(kernels);
  }

  @AfterAll
  static void closeDevice() {
    if (kernels != null) {
      kernels.close();
      kernels = null;
    }
    if (ctx != null) {
      ctx.close();
      ctx = null;
    }
  }

  @BeforeEach
  void requireGpuAndRecordLiveBytes() {
    CudaProbe.Result probe = CudaProbe.probe();
    assumeTrue(probe.usable(), () -> "no usable GPU: " + probe.reason());
    liveBefore = ctx.liveBytes();
  }

  @AfterEach
  void freeAndCheckForLeaks() {
    if (ctx == null) {
      return;
    }
    buffers.forEach(DeviceBuffer::close);
    buffers.clear();
    assertThat(ctx.liveBytes()).as("device bytes still allocated").isEqualTo(liveBefore);
  }

  DeviceBuffer alloc(long bytes) {
    DeviceBuffer b = ctx.allocate(bytes);
    buffers.add(b);
    return b;
  }

  CUdeviceptr dev(float[] host) {
    DeviceBuffer b = alloc(Math.max(4L, host.length * 4L));
    b.upload(host);
    return b.pointer();
  }

  CUdeviceptr dev(int[] host) {
    DeviceBuffer b = alloc(Math.max(4L, host.length * 4L));
    b.upload(host);
    return b.pointer();
  }

  /** Uploads {@code values} in {@code type} (rounded from F32 for BF16/F16). */
  CUdeviceptr dev(float[] values, DeviceType type) {
    if (type == DeviceType.F32) {
      return dev(values);
    }
    short[] bits = new short[values.length];
    for (int i = 0; i < values.length; i++) {
      bits[i] =
          type == DeviceType.BF16 ? DType.floatToBf16(values[i]) : Float.floatToFloat16(values[i]);
    }
    DeviceBuffer b = alloc(Math.max(4L, bits.length * 2L));
    b.upload(bits);
    return b.pointer();
  }

  /** A device output buffer of {@code n} floats, and a way to read it back. */
  DeviceBuffer out(int n) {
    DeviceBuffer b = alloc(Math.max(4L, n * 4L));
    b.clear();
    return b;
  }

  float[] read(DeviceBuffer b, int n) {
    ctx.synchronize();
    float[] host = new float[n];
    b.download(host);
    return host;
  }

  float[] randoms(int n, float scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (random.nextGaussian() * scale);
    }
    return v;
  }

  /** The values the device sees after storing {@code v} in {@code type}. */
  static float[] rounded(float[] v, DeviceType type) {
    float[] r = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      r[i] =
          switch (type) {
            case F32 -> v[i];
            case BF16 -> DType.bf16ToFloat(DType.floatToBf16(v[i]));
            case F16 -> Float.float16ToFloat(Float.floatToFloat16(v[i]));
            case Q8_0, Q4_0 ->
                throw new IllegalArgumentException(type + " rounds per block: use QuantBlocks");
          };
    }
    return r;
  }

  /** An F32 host tensor of {@code values}, for the reference backend. */
  static HostTensor tensor(float[] values, int... shape) {
    return HostTensor.ofFloats(Arena.ofAuto(), values, shape);
  }

  /** A zeroed F32 host tensor, for the reference backend's outputs. */
  static HostTensor zeros(int... shape) {
    return HostTensor.allocateF32(Arena.ofAuto(), shape);
  }

  /** Every element of {@code t}. */
  static float[] values(HostTensor t) {
    return t.toFloats(0, Math.toIntExact(t.numel()));
  }

  /** Element-wise |got − want| ≤ rel·max(|want|, floor). */
  static void assertClose(float[] got, float[] want, double rel, double floor, String what) {
    assertThat(got).as(what + " length").hasSameSizeAs(want);
    for (int i = 0; i < want.length; i++) {
      double tol = rel * Math.max(Math.abs(want[i]), floor);
      assertThat((double) got[i])
          .as("%s[%d]", what, i)
          .isCloseTo(want[i], org.assertj.core.data.Offset.offset(tol));
    }
  }
}
