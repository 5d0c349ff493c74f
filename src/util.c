#include "util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "banned.h"

char hg_buf_empty[1];

static void oom(size_t n)
{
	fprintf(stderr, "hubgen: fatal: out of memory allocating %zu bytes\n", n);
	abort();
}

void *hg_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *hg_xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		oom(count * size);
	return p;
}

void *hg_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *hg_xstrndup(const char *s, size_t n)
{
	char *p = hg_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *hg_xstrdup(const char *s) { return hg_xstrndup(s, strlen(s)); }

char *hg_xvasprintf(const char *fmt, va_list ap)
{
	hg_buf b = HG_BUF_INIT;
	hg_buf_vaddf(&b, fmt, ap);
	if (!b.cap)
		return hg_xstrdup("");
	return b.ptr;
}

char *hg_xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = hg_xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void hg_grow(void **items, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return;
	size_t n = *cap ? *cap : 8;
	while (n < need)
		n *= 2;
	*items = hg_xrealloc(*items, n * elem);
	*cap = n;
}

/* ==== arena ====
 * A list of blocks; allocation bumps a pointer in the newest block. Requests larger than a
 * quarter block get a block of their own, so big strings do not waste the tail of a block. */

#define ARENA_BLOCK (64 * 1024)
#define ARENA_ALIGN 16

typedef struct block {
	struct block *next;
	size_t size, used;
	_Alignas(ARENA_ALIGN) unsigned char data[];
} block;

struct hg_arena {
	block *head;
	size_t total;
};

hg_arena *hg_arena_new(void) { return hg_xcalloc(1, sizeof(hg_arena)); }

void hg_arena_free(hg_arena *a)
{
	if (!a)
		return;
	for (block *b = a->head, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	free(a);
}

void hg_arena_reset(hg_arena *a)
{
	block *keep = NULL;
	for (block *b = a->head, *next; b; b = next) {
		next = b->next;
		if (!next && b->size == ARENA_BLOCK)
			keep = b; /* the oldest standard block */
		else
			free(b);
	}
	a->head = keep;
	if (keep) {
		keep->used = 0;
		keep->next = NULL;
	}
	a->total = 0;
}

void *hg_arena_alloc(hg_arena *a, size_t n)
{
	n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (!n)
		n = ARENA_ALIGN;
	a->total += n;
	block *b = a->head;
	if (b && b->size - b->used >= n) {
		void *p = b->data + b->used;
		b->used += n;
		return p;
	}
	if (n > ARENA_BLOCK / 4) {
		block *big = hg_xmalloc(sizeof(block) + n);
		big->size = big->used = n;
		/* keep the current block at the head: it still has room */
		if (b) {
			big->next = b->next;
			b->next = big;
		} else {
			big->next = NULL;
			a->head = big;
		}
		return big->data;
	}
	block *nb = hg_xmalloc(sizeof(block) + ARENA_BLOCK);
	nb->size = ARENA_BLOCK;
	nb->used = n;
	nb->next = b;
	a->head = nb;
	return nb->data;
}

void *hg_arena_zalloc(hg_arena *a, size_t n)
{
	void *p = hg_arena_alloc(a, n);
	memset(p, 0, n);
	return p;
}

char *hg_arena_strndup(hg_arena *a, const char *s, size_t n)
{
	char *p = hg_arena_alloc(a, n + 1);
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *hg_arena_strdup(hg_arena *a, const char *s) { return hg_arena_strndup(a, s, strlen(s)); }

char *hg_arena_printf(hg_arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char small[256];
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	char *p = hg_arena_alloc(a, (size_t)n + 1);
	if ((size_t)n < sizeof small)
		memcpy(p, small, (size_t)n + 1);
	else
		vsnprintf(p, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return p;
}

size_t hg_arena_used(const hg_arena *a) { return a->total; }

void hg_arena_adopt(hg_arena *into, hg_arena *from)
{
	if (!from)
		return;
	block *tail = from->head;
	while (tail && tail->next)
		tail = tail->next;
	if (tail) {
		/* behind into's newest block, which keeps taking allocations */
		if (into->head) {
			tail->next = into->head->next;
			into->head->next = from->head;
		} else {
			into->head = from->head;
		}
	}
	into->total += from->total;
	free(from);
}

const char *hg_find(const char *s, size_t n, const char *needle, size_t m)
{
	if (!m || m > n)
		return NULL;
	for (const char *p = s, *last = s + n - m; p <= last; p++) {
		p = memchr(p, needle[0], (size_t)(last - p) + 1);
		if (!p)
			return NULL;
		if (!memcmp(p, needle, m))
			return p;
	}
	return NULL;
}

uint64_t hg_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

/* ==== work on every core ==== */

typedef struct pfor {
	size_t n;
	atomic_size_t next;
	void (*fn)(void *ud, size_t i, int worker);
	void *ud;
} pfor;

typedef struct pfor_thread {
	pfor *job;
	int worker;
} pfor_thread;

static void *pfor_run(void *arg)
{
	pfor_thread *t = arg;
	for (size_t i; (i = atomic_fetch_add(&t->job->next, 1)) < t->job->n;)
		t->job->fn(t->job->ud, i, t->worker);
	return NULL;
}

int hg_default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

void hg_parallel_for(size_t n, int jobs, void (*fn)(void *ud, size_t i, int worker), void *ud)
{
	if (jobs <= 0)
		jobs = hg_default_jobs();
	if ((size_t)jobs > n)
		jobs = n ? (int)n : 1;
	pfor job = {.n = n, .fn = fn, .ud = ud};
	atomic_init(&job.next, 0);
	pfor_thread *ts = hg_xcalloc((size_t)jobs, sizeof *ts);
	pthread_t *th = hg_xcalloc((size_t)jobs, sizeof *th);
	bool *started = hg_xcalloc((size_t)jobs, sizeof *started);
	for (int w = 0; w < jobs; w++)
		ts[w] = (pfor_thread){&job, w};
	for (int w = 1; w < jobs; w++)
		started[w] = pthread_create(&th[w], NULL, pfor_run, &ts[w]) == 0;
	pfor_run(&ts[0]);
	for (int w = 1; w < jobs; w++)
		if (started[w])
			pthread_join(th[w], NULL);
	free(ts);
	free(th);
	free(started);
}

/* ==== buffer ==== */

void hg_buf_init(hg_buf *b)
{
	b->ptr = hg_buf_empty;
	b->len = b->cap = 0;
}

void hg_buf_release(hg_buf *b)
{
	if (b->cap)
		free(b->ptr);
	hg_buf_init(b);
}

char *hg_buf_detach(hg_buf *b, size_t *len)
{
	char *p = b->cap ? b->ptr : hg_xstrdup("");
	if (len)
		*len = b->len;
	hg_buf_init(b);
	return p;
}

void hg_buf_reset(hg_buf *b)
{
	b->len = 0;
	if (b->cap)
		b->ptr[0] = '\0';
}

void hg_buf_grow(hg_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	size_t n = b->cap ? b->cap : 64;
	while (n < need)
		n *= 2;
	if (b->cap) {
		b->ptr = hg_xrealloc(b->ptr, n);
	} else {
		b->ptr = hg_xmalloc(n);
		b->ptr[0] = '\0';
	}
	b->cap = n;
}

void hg_buf_add(hg_buf *b, const void *p, size_t n)
{
	if (!n)
		return;
	hg_buf_grow(b, n);
	memcpy(b->ptr + b->len, p, n);
	b->len += n;
	b->ptr[b->len] = '\0';
}

void hg_buf_adds(hg_buf *b, const char *s) { hg_buf_add(b, s, strlen(s)); }

void hg_buf_addc(hg_buf *b, char c)
{
	hg_buf_grow(b, 1);
	b->ptr[b->len++] = c;
	b->ptr[b->len] = '\0';
}

void hg_buf_vaddf(hg_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	hg_buf_grow(b, 64);
	int n = vsnprintf(b->ptr + b->len, b->cap - b->len, fmt, ap);
	if (n < 0) {
		va_end(ap2);
		return;
	}
	if ((size_t)n >= b->cap - b->len) {
		hg_buf_grow(b, (size_t)n);
		vsnprintf(b->ptr + b->len, b->cap - b->len, fmt, ap2);
	}
	va_end(ap2);
	b->len += (size_t)n;
}

void hg_buf_addf(hg_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	hg_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void hg_buf_truncate(hg_buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->ptr[len] = '\0';
	}
}

void hg_buf_add_html_escaped(hg_buf *b, const char *s, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		const char *rep;
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		hg_buf_add(b, s + start, i - start);
		hg_buf_adds(b, rep);
		start = i + 1;
	}
	hg_buf_add(b, s + start, n - start);
}

/* ==== slices and small string helpers ==== */

bool hg_slice_eq(hg_slice s, const char *lit) { return hg_mem_eq(s.ptr, s.len, lit); }

bool hg_mem_eq(const char *a, size_t alen, const char *b)
{
	size_t n = strlen(b);
	return alen == n && (n == 0 || memcmp(a, b, n) == 0);
}

bool hg_starts_with(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

bool hg_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

void hg_line_col(const char *src, size_t off, unsigned *line, unsigned *col)
{
	unsigned l = 1;
	size_t bol = 0;
	for (size_t i = 0; i < off; i++)
		if (src[i] == '\n') {
			l++;
			bol = i + 1;
		}
	*line = l;
	*col = (unsigned)(off - bol) + 1;
}
