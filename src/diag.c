#include "diag.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

struct hg_diags {
	pthread_mutex_t lock;
	hg_diag *items;
	size_t len, cap;
	size_t seq;
};

/* Which entry hg_diag_note appends to: the last one this thread added. Several builds may
 * share a thread (the preview server), so the list it belongs to is remembered too. */
static _Thread_local const hg_diags *last_list;
static _Thread_local size_t last_index;

hg_diags *hg_diags_new(void)
{
	hg_diags *d = hg_xcalloc(1, sizeof *d);
	pthread_mutex_init(&d->lock, NULL);
	return d;
}

static void diag_release(hg_diag *g)
{
	free(g->path);
	free(g->msg);
	free(g->note);
}

void hg_diags_free(hg_diags *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->len; i++)
		diag_release(&d->items[i]);
	free(d->items);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

void hg_diag_add(hg_diags *d, hg_severity sev, const char *path, unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = hg_xvasprintf(fmt, ap);
	va_end(ap);
	hg_diag g = {sev, path ? hg_xstrdup(path) : NULL, line, col, msg, NULL, NULL, 0};
	pthread_mutex_lock(&d->lock);
	HG_GROW(d->items, d->cap, d->len + 1);
	g.seq = d->seq++;
	last_list = d;
	last_index = d->len;
	d->items[d->len++] = g;
	pthread_mutex_unlock(&d->lock);
}

void hg_diag_note(hg_diags *d, const char *fmt, ...)
{
	if (last_list != d)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *line = hg_xvasprintf(fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&d->lock);
	hg_diag *g = &d->items[last_index];
	if (g->note) {
		char *joined = hg_xasprintf("%s\n%s", g->note, line);
		free(g->note);
		free(line);
		g->note = joined;
	} else {
		g->note = line;
	}
	pthread_mutex_unlock(&d->lock);
}

void hg_diag_kind(hg_diags *d, const char *kind)
{
	if (last_list != d)
		return;
	pthread_mutex_lock(&d->lock);
	d->items[last_index].kind = kind;
	pthread_mutex_unlock(&d->lock);
}

size_t hg_diags_count(const hg_diags *d, hg_severity sev)
{
	size_t n = 0;
	for (size_t i = 0; i < d->len; i++)
		n += d->items[i].sev == sev;
	return n;
}

size_t hg_diags_len(const hg_diags *d) { return d->len; }

const hg_diag *hg_diags_get(const hg_diags *d, size_t i) { return i < d->len ? &d->items[i] : NULL; }

static int strcmp_null(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int diag_cmp(const void *pa, const void *pb)
{
	const hg_diag *a = pa, *b = pb;
	int c = strcmp_null(a->path, b->path);
	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static bool same(const hg_diag *a, const hg_diag *b)
{
	return a->sev == b->sev && a->line == b->line && a->col == b->col && !strcmp_null(a->path, b->path) &&
	       !strcmp(a->msg, b->msg);
}

void hg_diags_sort(hg_diags *d)
{
	if (d->len > 1)
		qsort(d->items, d->len, sizeof *d->items, diag_cmp);
	size_t w = 0;
	for (size_t r = 0; r < d->len; r++) {
		if (w && same(&d->items[w - 1], &d->items[r])) {
			diag_release(&d->items[r]);
			continue;
		}
		d->items[w++] = d->items[r];
	}
	d->len = w;
	last_list = NULL;
}

void hg_diags_promote(hg_diags *d)
{
	for (size_t i = 0; i < d->len; i++)
		d->items[i].sev = HG_ERROR;
}

void hg_diags_take(hg_diags *dst, hg_diags *src)
{
	pthread_mutex_lock(&dst->lock);
	for (size_t i = 0; i < src->len; i++) {
		HG_GROW(dst->items, dst->cap, dst->len + 1);
		src->items[i].seq = dst->seq++;
		dst->items[dst->len++] = src->items[i];
	}
	pthread_mutex_unlock(&dst->lock);
	src->len = 0;
	last_list = NULL;
}

/* GitHub Actions reads `::error file=F,line=L,col=C::message` from the log. Property values
 * escape % \r \n : and ,; the message escapes % \r \n. */
static void print_escaped(FILE *f, const char *s, bool property)
{
	for (; *s; s++) {
		switch (*s) {
		case '%': fputs("%25", f); break;
		case '\r': fputs("%0D", f); break;
		case '\n': fputs("%0A", f); break;
		case ':':
			if (property) {
				fputs("%3A", f);
				break;
			}
			fputc(*s, f);
			break;
		case ',':
			if (property) {
				fputs("%2C", f);
				break;
			}
			fputc(*s, f);
			break;
		default: fputc(*s, f);
		}
	}
}

/* Issue 8: paths and messages quote what a user wrote, and a file named "a\x1b[2Jb.md"
 * must not drive the terminal, nor one named "a\nb.md" forge a line of output. Control
 * characters are shown escaped: \n, \t, \x1b. */
static void print_visible(FILE *f, const char *s, size_t n)
{
	size_t i = 0, run = 0; /* s[run, i) is printable: written in one go (stderr is unbuffered) */
	for (; i < n && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != 0x7f)
			continue;
		fwrite(s + run, 1, i - run, f);
		if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else
			fprintf(f, "\\x%02x", c);
		run = i + 1;
	}
	fwrite(s + run, 1, i - run, f);
}

void hg_diags_print(const hg_diags *d, FILE *out, bool color, bool github)
{
	/* Into memory first, then out in one write: stderr is unbuffered, and a site with
	 * 40,000 warnings made 190,000 write calls (a fifth of a second at the end of a
	 * build). */
	char *text = NULL;
	size_t text_len = 0;
	FILE *f = d->len > 1 ? open_memstream(&text, &text_len) : NULL;
	if (!f)
		f = out;
	for (size_t i = 0; i < d->len; i++) {
		const hg_diag *g = &d->items[i];
		const char *word = g->sev == HG_ERROR ? "error" : "warning";
		if (g->path) {
			/* a message about a whole file points at its start, so every located
			 * message has the same path:line:col shape for editors and CI */
			print_visible(f, g->path, SIZE_MAX);
			fprintf(f, ":%u:%u: ", g->line ? g->line : 1, g->col ? g->col : 1);
		} else {
			fputs("hubgen: ", f);
		}
		if (color)
			fprintf(f, "\033[1;%sm%s:\033[0m ", g->sev == HG_ERROR ? "31" : "35", word);
		else
			fprintf(f, "%s: ", word);
		print_visible(f, g->msg, SIZE_MAX);
		fputc('\n', f);
		if (g->note) {
			const char *s = g->note;
			while (*s) {
				const char *nl = strchr(s, '\n');
				size_t n = nl ? (size_t)(nl - s) : strlen(s);
				fputs("  ", f);
				print_visible(f, s, n);
				fputc('\n', f);
				s += n + (nl != NULL);
			}
		}
		if (github) {
			fprintf(f, "::%s ", word);
			if (g->path) {
				fputs("file=", f);
				print_escaped(f, g->path, true);
				fprintf(f, ",line=%u,col=%u", g->line ? g->line : 1, g->col ? g->col : 1);
			}
			fputs("::", f);
			print_escaped(f, g->msg, false);
			fputc('\n', f);
		}
	}
	if (f != out) {
		fclose(f);
		fwrite(text, 1, text_len, out);
		free(text);
	}
}
