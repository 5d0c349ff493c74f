/* frontmatter.h — splits a page into front matter and body, and checks its text.
 *
 * Front matter is `---` YAML at byte 0, after an optional UTF-8 byte-order mark; CRLF line
 * ends are accepted; the closing `---` (or `...`) may be the last line with no newline; a
 * file that is only front matter is a page with an empty body. `+++` TOML front matter (Hugo's)
 * is split the same way; the caller reads it with toml.h.
 *
 * Pure: works on a buffer.
 */
#ifndef HG_FRONTMATTER_H
#define HG_FRONTMATTER_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "util.h"

typedef enum hg_fm_kind {
	HG_FM_NONE, /* no front matter: the whole file is body */
	HG_FM_YAML,
	HG_FM_TOML, /* `+++`: Hugo's TOML (see toml.h) */
} hg_fm_kind;

typedef struct hg_fm_split {
	hg_fm_kind kind;
	size_t fm_off, fm_len; /* the YAML text between the fences */
	unsigned fm_line;      /* line of fm_off in the file (2 for a normal file) */
	size_t body_off;       /* where the body starts */
	unsigned body_line;    /* line of body_off in the file */
} hg_fm_split;

/* Splits src. Returns false after adding a located error to d when the opening fence is
 * never closed. */
bool hg_frontmatter_split(const char *src, size_t len, const char *path, hg_fm_split *out, hg_diags *d);

/* Checks that src is valid UTF-8 with no NUL bytes. Returns true if so. Otherwise, with
 * repair NULL, adds a located error for the first bad byte and returns false; with repair
 * set, appends the text with each bad sequence (and NUL) replaced by U+FFFD to repair, adds
 * a located warning for the first and returns true. */
bool hg_utf8_check(const char *src, size_t len, const char *path, hg_buf *repair, hg_diags *d);

#endif
