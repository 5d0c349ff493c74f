/* diag.h — diagnostics: errors and warnings as values with a place.
 *
 * Library code never prints. It adds an hg_diag to an hg_diags list; main.c sorts the list
 * (so the output is the same whatever thread found what first), prints each as
 *   content/guide.md:12:3: error: unknown layout 'wide'
 *     hint: …
 * and chooses the exit code. Messages are lowercase, without a full stop, with the subject
 * in quotes. The list is safe to add to from several threads at once.
 */
#ifndef HG_DIAG_H
#define HG_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util.h"

typedef enum hg_severity {
	HG_WARNING,
	HG_ERROR,
} hg_severity;

typedef struct hg_diag {
	hg_severity sev;
	char *path;       /* as the user knows it (relative to the cwd when possible) */
	unsigned line, col; /* 1-based; 0 when the message is about the whole file */
	char *msg;
	char *note;       /* extra lines (hint, include chain), or NULL */
	const char *kind; /* what `hubgen doctor` files it under ("shortcode"…), static; or NULL */
	size_t seq;       /* order of arrival, to keep the sort stable */
} hg_diag;

typedef struct hg_diags hg_diags;

hg_diags *hg_diags_new(void);
void hg_diags_free(hg_diags *d);

/* Adds one diagnostic; path may be NULL for a message about the whole build. */
void hg_diag_add(hg_diags *d, hg_severity sev, const char *path, unsigned line, unsigned col, const char *fmt, ...)
	HG_PRINTF(6, 7);
/* Attaches a note line ("hint: …", "included from …") to the last diagnostic added by this
 * thread. Call it right after hg_diag_add from the same thread. */
void hg_diag_note(hg_diags *d, const char *fmt, ...) HG_PRINTF(2, 3);
/* Files the last diagnostic added by this thread under kind (a static string such as
 * "shortcode"), for `hubgen doctor`'s report. Call it right after hg_diag_add. */
void hg_diag_kind(hg_diags *d, const char *kind);
/* Shorthands. */
#define hg_error(d, path, line, col, ...) hg_diag_add((d), HG_ERROR, (path), (line), (col), __VA_ARGS__)
#define hg_warn(d, path, line, col, ...) hg_diag_add((d), HG_WARNING, (path), (line), (col), __VA_ARGS__)

size_t hg_diags_count(const hg_diags *d, hg_severity sev);
size_t hg_diags_len(const hg_diags *d);
/* The i-th diagnostic in the current order; valid until the list changes. */
const hg_diag *hg_diags_get(const hg_diags *d, size_t i);
/* Orders by path, line, column, then arrival; drops exact repeats. */
void hg_diags_sort(hg_diags *d);
/* Turns every warning into an error (--strict). */
void hg_diags_promote(hg_diags *d);
/* Moves every diagnostic of src to the end of dst. */
void hg_diags_take(hg_diags *dst, hg_diags *src);

/* Prints every diagnostic; with github set, also as a GitHub Actions annotation line. */
void hg_diags_print(const hg_diags *d, FILE *f, bool color, bool github);

#endif
