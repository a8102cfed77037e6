package dev.cairn.worker.backend.cuda;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * Finds out once per process whether the CUDA backend can run here, and if not, why — in words fit
 * for a log line ("backend cpu: no CUDA driver (libcuda.so.1 not found)").
 *
 * <p>Without a driver JCuda throws {@link UnsatisfiedLinkError} on first use and {@link
 * NoClassDefFoundError} afterwards (stack.md trap 8), so every JCuda call here sits behind a {@code
 * LinkageError} catch and the answer is cached.
 */
public final class CudaProbe {

  /** Compute capability the kernels need: BF16 arithmetic and the PTX target are compute_80. */
  public static final int MIN_COMPUTE_MAJOR = 8;

  private static volatile Result cached;

  private CudaProbe() {}

  /**
   * One GPU the driver sees.
   *
   * @param ordinal the driver's device index
   * @param name the marketing name, e.g. "NVIDIA H100 80GB HBM3"
   * @param computeMajor compute capability, major part
   * @param computeMinor compute capability, minor part
   */
  public record Device(int ordinal, String name, int computeMajor, int computeMinor) {}

  /**
   * What the probe found.
   *
   * @param usable whether the CUDA backend can run (driver, PTX and at least one capable GPU)
   * @param reason why not, or a summary of what was found when usable
   * @param driverVersion the driver's CUDA version (1000·major + 10·minor), 0 when unknown
   * @param devices the devices able to run the kernels, in ordinal order
   */
  public record Result(boolean usable, String reason, int driverVersion, List<Device> devices) {

    /** The log line announcing the backend choice this result implies. */
    public String logLine() {
      return usable ? "backend cuda: " + reason : "backend cpu: " + reason;
    }
  }

  /** The cached probe result; the first call touches the driver. */
  public static Result probe() {
    Result r = cached;
    if (r == null) {
      synchronized (CudaProbe.class) {
        r = cached;
        if (r == null) {
          r = run();
          cached = r;
        }
      }
    }
    return r;
  }

  private static Result run() {
    Optional<int[]> isa = PtxResources.isaVersion();
    if (isa.isEmpty()) {
      return unusable(
          "no PTX kernels in the build (nvcc was not found when the worker was built)", 0);
    }
    int driverVersion;
    int count;
    try {
      int init = JCudaDriver.cuInit(0);
      if (init != CUresult.CUDA_SUCCESS) {
        return unusable("CUDA driver present but cuInit failed: " + Cuda.errorName(init), 0);
      }
      int[] out = new int[1];
      Cuda.check(JCudaDriver.cuDriverGetVersion(out), "cuDriverGetVersion");
      driverVersion = out[0];
      Cuda.check(JCudaDriver.cuDeviceGetCount(out), "cuDeviceGetCount");
      count = out[0];
    } catch (LinkageError e) {
      return unusable(linkageReason(e), 0);
    } catch (CudaFailure | jcuda.CudaException e) {
      return unusable("CUDA driver error: " + e.getMessage(), 0);
    }
    int required = PtxResources.requiredDriverVersion(isa.get()[0], isa.get()[1]);
    if (driverVersion < required) {
      return unusable(
          "CUDA driver "
              + PtxResources.formatVersion(driverVersion)
              + " is too old for the build-time PTX (ISA "
              + isa.get()[0]
              + "."
              + isa.get()[1]
              + " needs CUDA "
              + PtxResources.formatVersion(required)
              + " or newer)",
          driverVersion);
    }
    if (count == 0) {
      return unusable("no CUDA device visible to the driver", driverVersion);
    }
    return describeDevices(count, driverVersion);
  }

  private static Result describeDevices(int count, int driverVersion) {
    List<Device> capable = new ArrayList<>();
    List<String> rejected = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Device d = device(i);
      if (d.computeMajor() >= MIN_COMPUTE_MAJOR) {
        capable.add(d);
      } else {
        rejected.add(
            "GPU " + i + " (" + d.name() + ") is sm_" + d.computeMajor() + d.computeMinor());
      }
    }
    if (capable.isEmpty()) {
      return unusable(
          String.join(", ", rejected) + "; the kernels need compute capability 8.0 or newer",
          driverVersion);
    }
    StringBuilder summary = new StringBuilder();
    for (Device d : capable) {
      summary.append(summary.isEmpty() ? "" : ", ");
      summary.append("GPU ").append(d.ordinal()).append(" ").append(d.name());
      summary.append(" (sm_").append(d.computeMajor()).append(d.computeMinor()).append(")");
    }
    summary.append(", driver CUDA ").append(PtxResources.formatVersion(driverVersion));
    summary.append(", kernels from build-time PTX");
    return new Result(true, summary.toString(), driverVersion, List.copyOf(capable));
  }

  private static Device device(int ordinal) {
    CUdevice dev = new CUdevice();
    Cuda.check(JCudaDriver.cuDeviceGet(dev, ordinal), "cuDeviceGet(" + ordinal + ")");
    byte[] name = new byte[256];
    Cuda.check(JCudaDriver.cuDeviceGetName(name, name.length, dev), "cuDeviceGetName");
    int len = 0;
    while (len < name.length && name[len] != 0) {
      len++;
    }
    int[] major = new int[1];
    int[] minor = new int[1];
    Cuda.check(
        JCudaDriver.cuDeviceGetAttribute(
            major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev),
        "cuDeviceGetAttribute(compute capability major)");
    Cuda.check(
        JCudaDriver.cuDeviceGetAttribute(
            minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev),
        "cuDeviceGetAttribute(compute capability minor)");
    return new Device(
        ordinal, new String(name, 0, len, StandardCharsets.UTF_8), major[0], minor[0]);
  }

  /** Words for a failed native load: JCuda's own library, or the driver library it links to. */
  static String linkageReason(LinkageError e) {
    String msg = String.valueOf(e.getMessage());
    if (e instanceof NoClassDefFoundError) {
      return "JCuda driver bindings unavailable (an earlier native load failed: " + msg + ")";
    }
    if (msg.contains("libcuda")) {
      return "no CUDA driver (libcuda.so.1 not found)";
    }
    return "JCuda native library failed to load: " + msg;
  }

  private static Result unusable(String reason, int driverVersion) {
    return new Result(false, reason, driverVersion, List.of());
  }
}
