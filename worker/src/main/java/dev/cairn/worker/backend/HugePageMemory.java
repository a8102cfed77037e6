package dev.cairn.worker.backend;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Large zeroed native buffers (repacked and quantized weights) mapped anonymously and advised to
 * use transparent huge pages. A plain allocation faults its pages in one 4 KB page at a time and
 * zeroes them on one thread: measured on a 2-vCPU VM, 272 MB took 0.7 s to allocate before any byte
 * was written, which would add tens of seconds to loading a 7B model. Freed with the arena given,
 * or when unreachable; where {@code mmap} is unavailable (not Linux), the arena allocates instead.
 */
public final class HugePageMemory {

  private static final long HUGE_PAGE = 2L << 20;
  private static final int PROT_READ_WRITE = 0x1 | 0x2;
  private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
  private static final int MADV_HUGEPAGE = 14;

  private static final Optional<Calls> CALLS = Calls.find();

  private HugePageMemory() {}

  /** A zeroed buffer of {@code bytes}, 64-byte aligned at least, freed when unreachable. */
  public static MemorySegment allocate(long bytes) {
    return allocate(bytes, Arena.ofAuto());
  }

  /** A zeroed buffer of {@code bytes}, 64-byte aligned at least, freed when {@code arena} is. */
  public static MemorySegment allocate(long bytes, Arena arena) {
    if (bytes < HUGE_PAGE || CALLS.isEmpty()) {
      return arena.allocate(bytes, 64);
    }
    Calls c = CALLS.get();
    // One huge page more than asked, so the buffer can start on a huge-page boundary.
    long length = bytes + HUGE_PAGE;
    MemorySegment base;
    try {
      base =
          (MemorySegment)
              c.mmap.invokeExact(
                  MemorySegment.NULL, length, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0L);
    } catch (Throwable e) {
      return arena.allocate(bytes, 64);
    }
    if (base.address() == -1L) {
      return arena.allocate(bytes, 64);
    }
    long start = (base.address() + HUGE_PAGE - 1) & -HUGE_PAGE;
    try {
      // Advice only: without it (THP off) the buffer is still correct, just faulted per page.
      int ignored =
          (int) c.madvise.invokeExact(MemorySegment.ofAddress(start), bytes, MADV_HUGEPAGE);
    } catch (Throwable e) {
      // Unadvised memory is still usable.
    }
    long baseAddress = base.address();
    return MemorySegment.ofAddress(start)
        .reinterpret(bytes, arena, s -> c.unmap(baseAddress, length));
  }

  /** The libc calls, found once. */
  private record Calls(MethodHandle mmap, MethodHandle madvise, MethodHandle munmap) {

    static Optional<Calls> find() {
      if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
        return Optional.empty();
      }
      try {
        Linker linker = Linker.nativeLinker();
        SymbolLookup libc = linker.defaultLookup();
        return Optional.of(
            new Calls(
                linker.downcallHandle(
                    libc.find("mmap").orElseThrow(),
                    FunctionDescriptor.of(
                        ValueLayout.ADDRESS,
                        ValueLayout.ADDRESS,
                        ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_LONG)),
                linker.downcallHandle(
                    libc.find("madvise").orElseThrow(),
                    FunctionDescriptor.of(
                        ValueLayout.JAVA_INT,
                        ValueLayout.ADDRESS,
                        ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_INT)),
                linker.downcallHandle(
                    libc.find("munmap").orElseThrow(),
                    FunctionDescriptor.of(
                        ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG))));
      } catch (RuntimeException | LinkageError e) {
        return Optional.empty();
      }
    }

    void unmap(long address, long length) {
      try {
        int ignored = (int) munmap.invokeExact(MemorySegment.ofAddress(address), length);
      } catch (Throwable e) {
        // Nothing to do: the mapping leaks until exit, which only costs address space.
      }
    }
  }
}
