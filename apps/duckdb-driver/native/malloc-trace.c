// LD_PRELOAD interposer that records DuckDB's allocation layer: its bundled jemalloc
// (duckdb_je_malloc/free/realloc/mallocx/sdallocx, called through libduckdb.so's PLT, so a
// preloaded definition wins) and glibc malloc (malloc/calloc/realloc/free/memalign family, which
// operator new reaches through libstdc++). Every call becomes one fixed 40-byte binary record
// (time, thread id, kind, pointers, size, alignment) in a per-thread buffer; full buffers are
// appended to $UNIMEM_MALLOC_TRACE with one O_APPEND write (atomic for a regular file), so
// threads never share a buffer and need no lock. Marker access() calls are recorded
// too, so this stream and perf's are cut at the same program points.
//
// Invariants: the interposer never calls the allocators it records except to forward the call;
// its buffers are static and touched once at load time (before the first marker), so it adds no
// mmap and no page fault inside a marked window; a call is recorded after it returned, with the
// time taken before it was made (the order of two calls on one thread is their program order).
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum {
  K_JE_MALLOC = 1, K_JE_FREE = 2, K_JE_REALLOC = 3,
  K_LIBC_MALLOC = 4, K_LIBC_FREE = 5, K_LIBC_REALLOC = 6,
  K_MARKER = 7,
};

struct record { uint64_t t; uint64_t a, b, c; uint32_t tid; uint32_t kind; };
_Static_assert(sizeof(struct record) == 40, "record is 40 bytes");

#define SLOTS 512
#define PER_SLOT 1024
struct slot { uint32_t n; uint32_t tid; struct record r[PER_SLOT]; };
static struct slot slots[SLOTS + 1]; // the last slot is shared overflow, written under a lock
static uint32_t next_slot;
static int out_fd = -1;
static pthread_mutex_t overflow_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t exit_key;
static __thread struct slot *mine;

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);

static void *(*je_malloc)(size_t);
static void (*je_free)(void *);
static void *(*je_realloc)(void *, size_t);
static void *(*je_mallocx)(size_t, int);
static void (*je_sdallocx)(void *, size_t, int);

static uint64_t now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void flush(struct slot *s) {
  if (s->n == 0) return;
  if (out_fd >= 0) {
    const char *p = (const char *)s->r;
    size_t left = s->n * sizeof(struct record);
    while (left > 0) {
      ssize_t w = write(out_fd, p, left);
      if (w <= 0) break;
      p += w;
      left -= (size_t)w;
    }
  }
  s->n = 0;
}

static void thread_exit(void *arg) { flush((struct slot *)arg); }

static void emit(uint32_t kind, uint64_t t, uint64_t a, uint64_t b, uint64_t c) {
  if (out_fd < 0) return;
  struct slot *s = mine;
  if (!s) {
    uint32_t i = __atomic_fetch_add(&next_slot, 1, __ATOMIC_RELAXED);
    s = i < SLOTS ? &slots[i] : &slots[SLOTS];
    s->tid = (uint32_t)syscall(SYS_gettid);
    mine = s;
    if (i < SLOTS) pthread_setspecific(exit_key, s);
  }
  int shared = s == &slots[SLOTS];
  if (shared) pthread_mutex_lock(&overflow_lock);
  struct record *r = &s->r[s->n++];
  r->t = t; r->a = a; r->b = b; r->c = c; r->kind = kind;
  r->tid = shared ? (uint32_t)syscall(SYS_gettid) : s->tid;
  if (s->n == PER_SLOT) flush(s);
  if (shared) pthread_mutex_unlock(&overflow_lock);
}

static int find_duckdb(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size;
  if (info->dlpi_name && strstr(info->dlpi_name, "libduckdb")) {
    *(void **)data = dlopen(info->dlpi_name, RTLD_NOLOAD | RTLD_LAZY);
    return 1;
  }
  return 0;
}

static void resolve_je(void) {
  void *lib = NULL;
  dl_iterate_phdr(find_duckdb, &lib);
  if (!lib) abort();
  je_malloc = dlsym(lib, "duckdb_je_malloc");
  je_free = dlsym(lib, "duckdb_je_free");
  je_realloc = dlsym(lib, "duckdb_je_realloc");
  je_mallocx = dlsym(lib, "duckdb_je_mallocx");
  je_sdallocx = dlsym(lib, "duckdb_je_sdallocx");
}

__attribute__((constructor)) static void start(void) {
  const char *path = getenv("UNIMEM_MALLOC_TRACE");
  memset(slots, 0, sizeof slots); // touch every buffer page now, outside the marked windows
  pthread_key_create(&exit_key, thread_exit);
  if (path && *path) out_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
}

__attribute__((destructor)) static void stop(void) {
  uint32_t used = next_slot < SLOTS ? next_slot : SLOTS;
  for (uint32_t i = 0; i < used; i++) flush(&slots[i]);
  flush(&slots[SLOTS]);
}

// jemalloc inside libduckdb.so
void *duckdb_je_malloc(size_t size) {
  if (!je_malloc) resolve_je();
  uint64_t t = now();
  void *p = je_malloc(size);
  emit(K_JE_MALLOC, t, (uint64_t)p, size, 0);
  return p;
}
void *duckdb_je_mallocx(size_t size, int flags) {
  if (!je_mallocx) resolve_je();
  uint64_t t = now();
  void *p = je_mallocx(size, flags);
  emit(K_JE_MALLOC, t, (uint64_t)p, size, (flags & 0x3f) ? (1ull << (flags & 0x3f)) : 0);
  return p;
}
void duckdb_je_free(void *p) {
  if (!je_free) resolve_je();
  uint64_t t = now();
  je_free(p);
  if (p) emit(K_JE_FREE, t, (uint64_t)p, 0, 0);
}
void duckdb_je_sdallocx(void *p, size_t size, int flags) {
  if (!je_sdallocx) resolve_je();
  uint64_t t = now();
  je_sdallocx(p, size, flags);
  emit(K_JE_FREE, t, (uint64_t)p, size, 0);
}
void *duckdb_je_realloc(void *p, size_t size) {
  if (!je_realloc) resolve_je();
  uint64_t t = now();
  void *q = je_realloc(p, size);
  emit(K_JE_REALLOC, t, (uint64_t)p, size, (uint64_t)q);
  return q;
}

// glibc malloc (operator new and delete reach these through libstdc++)
void *malloc(size_t size) {
  uint64_t t = now();
  void *p = __libc_malloc(size);
  emit(K_LIBC_MALLOC, t, (uint64_t)p, size, 0);
  return p;
}
void *calloc(size_t n, size_t size) {
  uint64_t t = now();
  void *p = __libc_calloc(n, size);
  emit(K_LIBC_MALLOC, t, (uint64_t)p, n * size, 0);
  return p;
}
void *realloc(void *p, size_t size) {
  uint64_t t = now();
  void *q = __libc_realloc(p, size);
  emit(K_LIBC_REALLOC, t, (uint64_t)p, size, (uint64_t)q);
  return q;
}
void free(void *p) {
  if (!p) return;
  uint64_t t = now();
  __libc_free(p);
  emit(K_LIBC_FREE, t, (uint64_t)p, 0, 0);
}
void *memalign(size_t align, size_t size) {
  uint64_t t = now();
  void *p = __libc_memalign(align, size);
  emit(K_LIBC_MALLOC, t, (uint64_t)p, size, align);
  return p;
}
void *aligned_alloc(size_t align, size_t size) { return memalign(align, size); }
int posix_memalign(void **out, size_t align, size_t size) {
  void *p = memalign(align, size);
  if (!p) return 12; // ENOMEM
  *out = p;
  return 0;
}
void *valloc(size_t size) { return memalign(4096, size); }
void *pvalloc(size_t size) { return memalign(4096, (size + 4095) & ~(size_t)4095); }

// Markers: the query process announces each phase boundary with a failing
// access("/__unimem_trace__/<index>-<label>"); libuv calls access() through the PLT (its close()
// is a raw syscall, so the perf-side close(2^30 + index) marker cannot be seen here).
int access(const char *path, int mode) {
  static const char prefix[] = "/__unimem_trace__/";
  if (strncmp(path, prefix, sizeof prefix - 1) == 0) {
    emit(K_MARKER, now(), strtoull(path + sizeof prefix - 1, NULL, 10), 0, 0);
  }
  return (int)syscall(SYS_access, path, mode);
}
