package dev.cairn.worker.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.util.Optional;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/**
 * Kernel launches through the FFM API straight into the driver's {@code cuLaunchKernel}, with the
 * arguments packed into one reused native block. JCuda's own launch builds a tree of native pointer
 * records for every call: on an H200 that cost 10.5 µs of host time per launch, longer than most
 * decode kernels run, so a decode step was bound by the host (GpuBench's launch probe). Handles and
 * device addresses are read from JCuda's objects, so both paths share one driver context; where the
 * symbol or JCuda's internals are not reachable, {@link #available()} is empty and {@link
 * CudaKernels} keeps JCuda's path.
 */
final class DirectLaunch {

  /** Most arguments any Cairn kernel takes (paged attention: 15). */
  static final int MAX_ARGS = 24;

  private static final Optional<Bindings> BINDINGS = Bindings.find();

  private final MemorySegment args;
  private final MemorySegment params;

  private DirectLaunch(Arena arena) {
    args = arena.allocate(8L * MAX_ARGS, 8);
    params = arena.allocate(8L * MAX_ARGS, 8);
    for (int i = 0; i < MAX_ARGS; i++) {
      params.setAtIndex(ValueLayout.JAVA_LONG, i, args.address() + 8L * i);
    }
  }

  /** A launcher with its own argument block, or empty where the direct path is not available. */
  static Optional<DirectLaunch> available(Arena arena) {
    return BINDINGS.map(b -> new DirectLaunch(arena));
  }

  /**
   * Whether every argument can be packed: device pointers ({@link CUdeviceptr}), {@link Integer},
   * {@link Long} or {@link Float}. Anything else takes JCuda's path.
   */
  static boolean packable(Object[] arguments) {
    if (arguments.length > MAX_ARGS) {
      return false;
    }
    for (Object a : arguments) {
      if (!(a instanceof CUdeviceptr
          || a instanceof Integer
          || a instanceof Long
          || a instanceof Float)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Launches {@code function} on the calling thread's current context and default stream; returns
   * the driver's result code. The driver copies the argument values at launch, so the block is free
   * for the next launch at once; callers serialise launches on one launcher.
   */
  int launch(
      NativePointerObject function,
      int gridX,
      int gridY,
      int blockX,
      int sharedBytes,
      Object[] arguments) {
    Bindings b = BINDINGS.orElseThrow();
    for (int i = 0; i < arguments.length; i++) {
      long offset = 8L * i;
      switch (arguments[i]) {
        case CUdeviceptr p -> args.set(ValueLayout.JAVA_LONG, offset, b.address(p));
        case Integer v -> args.set(ValueLayout.JAVA_INT, offset, v);
        case Long v -> args.set(ValueLayout.JAVA_LONG, offset, v);
        case Float v -> args.set(ValueLayout.JAVA_FLOAT, offset, v);
        default -> throw new IllegalArgumentException("not packable: " + arguments[i]);
      }
    }
    try {
      return (int)
          b.launch.invokeExact(
              MemorySegment.ofAddress(b.handle(function)),
              gridX,
              gridY,
              1,
              blockX,
              1,
              1,
              sharedBytes,
              MemorySegment.NULL,
              params,
              MemorySegment.NULL);
    } catch (Throwable t) {
      throw new CudaFailure("cuLaunchKernel through the FFM API failed: " + t, t);
    }
  }

  /** The driver symbol and JCuda's accessors for native handles and pointer offsets. */
  private record Bindings(
      MethodHandle launch, MethodHandle nativePointer, MethodHandle byteOffset) {

    static Optional<Bindings> find() {
      try {
        SymbolLookup cuda = SymbolLookup.libraryLookup("libcuda.so.1", Arena.global());
        MemorySegment symbol = cuda.find("cuLaunchKernel").orElseThrow();
        ValueLayout.OfInt u32 = ValueLayout.JAVA_INT;
        MethodHandle launch =
            Linker.nativeLinker()
                .downcallHandle(
                    symbol,
                    FunctionDescriptor.of(
                        u32,
                        ValueLayout.ADDRESS,
                        u32,
                        u32,
                        u32,
                        u32,
                        u32,
                        u32,
                        u32,
                        ValueLayout.ADDRESS,
                        ValueLayout.ADDRESS,
                        ValueLayout.ADDRESS));
        return Optional.of(
            new Bindings(
                launch,
                accessor(NativePointerObject.class, "getNativePointer"),
                accessor(Pointer.class, "getByteOffset")));
      } catch (RuntimeException | LinkageError | ReflectiveOperationException e) {
        return Optional.empty();
      }
    }

    private static MethodHandle accessor(Class<?> type, String name)
        throws ReflectiveOperationException {
      Method m = type.getDeclaredMethod(name);
      m.setAccessible(true);
      return MethodHandles.lookup().unreflect(m);
    }

    long handle(NativePointerObject o) {
      try {
        return (long) nativePointer.invoke(o);
      } catch (Throwable t) {
        throw new CudaFailure("cannot read a native handle: " + t, t);
      }
    }

    long address(Pointer p) {
      try {
        return (long) nativePointer.invoke(p) + (long) byteOffset.invoke(p);
      } catch (Throwable t) {
        throw new CudaFailure("cannot read a device address: " + t, t);
      }
    }
  }
}
