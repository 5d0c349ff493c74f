/* util.h — memory, arenas, string buffers and slices: the ground every module stands on.
 *
 * Invariants:
 * - Out of memory is not an error a caller handles: hg_xmalloc and friends print one line
 *   and abort. No caller checks for NULL.
 * - An hg_arena hands out memory that lives until hg_arena_free. It is not thread-safe:
 *   one arena per build for the single-threaded phases, one arena per worker for the
 *   parallel phases (reading in site.c, rendering in render.c), adopted by the build's
 *   arena when what they hold must live on.
 * - An hg_buf is always NUL-terminated and its ptr is never NULL (an empty buffer points
 *   at a shared static ""), so buf.ptr can be passed to any C string function at any time.
 * - An hg_slice points into memory it does not own; the owner says how long it lives.
 */
#ifndef HG_UTIL_H
#define HG_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define HG_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define HG_PRINTF(f, a)
#endif

#define HG_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- allocation that never returns NULL ---- */
void *hg_xmalloc(size_t n);
void *hg_xcalloc(size_t count, size_t size);
void *hg_xrealloc(void *p, size_t n);
char *hg_xstrdup(const char *s);
char *hg_xstrndup(const char *s, size_t n);
/* Formatted string on the heap; caller frees. */
char *hg_xasprintf(const char *fmt, ...) HG_PRINTF(1, 2);
char *hg_xvasprintf(const char *fmt, va_list ap);

/* Grow *items (of *cap elements of size elem) so it holds at least need elements. */
void hg_grow(void **items, size_t *cap, size_t need, size_t elem);
#define HG_GROW(arr, cap, need) hg_grow((void **)&(arr), &(cap), (need), sizeof(*(arr)))

/* ---- arena ---- */
typedef struct hg_arena hg_arena;

hg_arena *hg_arena_new(void);
/* Frees every allocation at once; NULL is a no-op. */
void hg_arena_free(hg_arena *a);
/* Forgets every allocation but keeps the first block for reuse (per-page scratch). */
void hg_arena_reset(hg_arena *a);
/* Memory aligned for any type, uninitialised, valid until the arena is freed or reset. */
void *hg_arena_alloc(hg_arena *a, size_t n);
void *hg_arena_zalloc(hg_arena *a, size_t n);
char *hg_arena_strndup(hg_arena *a, const char *s, size_t n);
char *hg_arena_strdup(hg_arena *a, const char *s);
char *hg_arena_printf(hg_arena *a, const char *fmt, ...) HG_PRINTF(2, 3);
/* Bytes handed out so far (for the memory report in --verbose). */
size_t hg_arena_used(const hg_arena *a);
/* Moves everything `from` holds into `into` (it lives until `into` is freed) and frees
 * `from`: a worker's arena handed over to the structure its results went into. */
void hg_arena_adopt(hg_arena *into, hg_arena *from);

/* The first place needle (m > 0 bytes) stands in s[0..n), or NULL: memchr for its first
 * byte, then a compare. */
const char *hg_find(const char *s, size_t n, const char *needle, size_t m);

/* FNV-1a of n bytes: the hash of hubgen's open-addressing tables (URLs, include keys). */
uint64_t hg_hash(const char *s, size_t n);

/* ---- work on every core ----
 * fn(ud, i, worker) for every i in [0, n), on `jobs` threads, the calling one among them
 * (worker 0); the others get 1 .. jobs-1. Indexes are handed out in order from a shared
 * counter, so a slow item does not hold up a fixed share. Returns when all are done. A
 * thread that fails to start leaves its share to the others. jobs <= 0: one per core. */
void hg_parallel_for(size_t n, int jobs, void (*fn)(void *ud, size_t i, int worker), void *ud);
/* The number of threads hg_parallel_for uses for jobs <= 0 (one per core, 1..64). */
int hg_default_jobs(void);

/* ---- growable string buffer ---- */
typedef struct hg_buf {
	char *ptr; /* never NULL; always NUL-terminated */
	size_t len;
	size_t cap; /* 0 while ptr points at the shared empty string */
} hg_buf;

#define HG_BUF_INIT {hg_buf_empty, 0, 0}
extern char hg_buf_empty[1];

void hg_buf_init(hg_buf *b);
void hg_buf_release(hg_buf *b);
/* Hands the heap string to the caller (who frees it) and leaves b empty. */
char *hg_buf_detach(hg_buf *b, size_t *len);
void hg_buf_reset(hg_buf *b);
void hg_buf_grow(hg_buf *b, size_t extra);
void hg_buf_add(hg_buf *b, const void *p, size_t n);
void hg_buf_adds(hg_buf *b, const char *s);
void hg_buf_addc(hg_buf *b, char c);
void hg_buf_addf(hg_buf *b, const char *fmt, ...) HG_PRINTF(2, 3);
void hg_buf_vaddf(hg_buf *b, const char *fmt, va_list ap);
void hg_buf_truncate(hg_buf *b, size_t len);
/* Appends s with & < > " ' escaped for HTML text and attribute values. */
void hg_buf_add_html_escaped(hg_buf *b, const char *s, size_t n);

/* ---- slices ---- */
typedef struct hg_slice {
	const char *ptr;
	size_t len;
} hg_slice;

#define HG_SLICE(lit) ((hg_slice){(lit), sizeof(lit) - 1})
static inline hg_slice hg_slice_of(const char *s, size_t n) { return (hg_slice){s, n}; }
bool hg_slice_eq(hg_slice s, const char *lit);
bool hg_mem_eq(const char *a, size_t alen, const char *b);
bool hg_starts_with(const char *s, const char *prefix);
bool hg_ends_with(const char *s, const char *suffix);

/* ---- text positions ---- */
/* 1-based line and column (in bytes) of offset off in src. */
void hg_line_col(const char *src, size_t off, unsigned *line, unsigned *col);

#endif
