/*
 * Can a core overlap reading BF16 panels from memory with the eight-token tile's arithmetic?
 * The same loop as Bf16PanelMatmul.tile8 (32 rows × one column pair a step, 16 accumulators,
 * 16 broadcasts, widened by a shift and a mask), run twice a panel (16 tokens) over 4,000 panels
 * of 57 KB (229 MB on huge pages, so from memory) or 8 (in cache), one thread. Written for the
 * record's "Prefetch through a native call" (docs/cpu-engine-performance.md); not part of the build.
 *
 *   gcc -O2 -march=x86-64-v4 -o /tmp/prefetch_overlap hack/experiments/prefetch_overlap.c
 *   /tmp/prefetch_overlap PANELS MODE [DISTANCE_BYTES BURST_PAIRS]
 *
 * MODE 0: the tiles read their own weights; 1: each panel read ahead (one load a line, as
 * ReadAhead), then its tiles; 2: the next panel prefetched whole before this panel's tiles;
 * 3: prefetcht0 DISTANCE_BYTES ahead inside the first tile's loop, BURST_PAIRS column pairs'
 * lines at a time; 4: as 3 with a plain load of one byte a line instead of the prefetch (what
 * Java can do: the loads' sum is kept, so the compiler cannot drop them).
 */
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define IN 896
#define PANEL (32 * IN * 2)

static float X[16 * IN];
static float out[256];
static long distance;
static int burst = 1;
static volatile int sink;
static int loads;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

#define EVENS(q) _mm512_castsi512_ps(_mm512_slli_epi32(q, 16))
#define ODDS(q) _mm512_castsi512_ps(_mm512_and_si512(q, _mm512_set1_epi32((int)0xFFFF0000)))
#define TOKEN(i, e0, e1, col)                     \
  xv = _mm512_set1_ps(x[(i) * IN + k + (col)]);   \
  a[2 * (i)] = _mm512_fmadd_ps(e0, xv, a[2 * (i)]); \
  a[2 * (i) + 1] = _mm512_fmadd_ps(e1, xv, a[2 * (i) + 1]);
#define COLUMN(e0, e1, col)                                                         \
  TOKEN(0, e0, e1, col) TOKEN(1, e0, e1, col) TOKEN(2, e0, e1, col) TOKEN(3, e0, e1, col) \
  TOKEN(4, e0, e1, col) TOKEN(5, e0, e1, col) TOKEN(6, e0, e1, col) TOKEN(7, e0, e1, col)

__attribute__((noinline)) static void tile8(const char *p, const float *x, long ahead) {
  __m512 a[16], xv;
  int s = 0;
  for (int i = 0; i < 16; i++) a[i] = _mm512_setzero_ps();
  for (int j = 0; j < IN / 2; j++) {
    if (ahead && j % burst == 0) {
      for (int b = 0; b < 2 * burst; b++) {
        if (loads) {
          s += *(volatile const char *)(p + j * 128 + ahead + 64 * b);
        } else {
          _mm_prefetch(p + j * 128 + ahead + 64 * b, _MM_HINT_T0);
        }
      }
    }
    __m512i q0 = _mm512_load_si512(p + j * 128), q1 = _mm512_load_si512(p + j * 128 + 64);
    int k = 2 * j;
    __m512 e0 = EVENS(q0), e1 = EVENS(q1);
    COLUMN(e0, e1, 0)
    __m512 o0 = ODDS(q0), o1 = ODDS(q1);
    COLUMN(o0, o1, 1)
  }
  for (int i = 0; i < 16; i++) _mm512_storeu_ps(out + 16 * (i % 16), a[i]);
  sink = s;
}

static void touch(const char *p) {
  int s = 0;
  for (long o = 0; o < PANEL; o += 64) s += p[o];
  sink = s;
}

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  long panels = atol(argv[1]);
  int mode = atoi(argv[2]);
  if (argc > 4) {
    distance = atol(argv[3]);
    burst = atoi(argv[4]);
  }
  size_t bytes = panels * PANEL;
  char *raw = mmap(0, bytes + (4 << 20), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char *buf = (char *)(((long)raw + (2 << 20) - 1) & -(2L << 20));
  madvise(buf, bytes, MADV_HUGEPAGE);
  memset(buf, 1, bytes);
  for (int i = 0; i < 16 * IN; i++) X[i] = i * 1e-3f;
  loads = mode == 4;
  for (int round = 0; round < 5; round++) {
    double t0 = now();
    for (long i = 0; i < panels; i++) {
      const char *p = buf + i * PANEL;
      if (mode == 1) touch(p);
      if (mode == 2 && i + 1 < panels) {
        for (long o = 0; o < PANEL; o += 64) _mm_prefetch(p + PANEL + o, _MM_HINT_T0);
      }
      tile8(p, X, mode >= 3 ? distance : 0);
      tile8(p, X + 8 * IN, 0);
    }
    double t = now() - t0;
    printf("mode %d: %.1f GFMA/s, %.1f GB/s\n", mode, panels * (PANEL / 2.0) * 16 / t / 1e9,
           bytes / t / 1e9);
  }
  return 0;
}
