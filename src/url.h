/* url.h — how a page's source path becomes its URL and its output file.
 *
 * The rules, in one place (the README repeats them):
 * - pretty URLs from the path: `guide/open-source.md` → `/guide/open-source/`, written as
 *   `guide/open-source/index.html`; `index.md` and `_index.md` stand for their folder;
 *   `.html` pages keep their name (`404.html` → `/404.html`).
 * - `permalink: /a/b/` → `a/b/index.html`; `/a.html` → `a.html`; `/a` → `a.html` (as
 *   Jekyll); `name.html` without a leading slash is from the site root, as Jekyll does.
 * - posts: `/blog/YYYY/MM/DD/slug/` unless a permalink pattern says otherwise; patterns use
 *   Jekyll's placeholders :year :month :day :title :slug :categories :i_month :i_day
 *   :short_year :output_ext and the styles pretty, date, ordinal, none.
 * - A URL whose `..` segments would climb above the site root is refused: nothing is ever
 *   written outside the destination.
 *
 * Pure string functions; results go to the caller's buffer.
 */
#ifndef HG_URL_H
#define HG_URL_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* The pretty URL for a page at rel (relative to the pages root, '/'-separated). */
void hg_url_from_path(const char *rel, hg_buf *out);

/* Normalises a permalink (adds the leading slash, resolves "." and "..", folds "//").
 * Returns false, leaving out unspecified, if ".." would climb above the root or the
 * permalink holds a NUL, a backslash or a control character. */
bool hg_url_normalize(const char *permalink, hg_buf *out);

/* The output file, relative to the destination (no leading slash), for a normalised URL. */
void hg_url_output_path(const char *url, hg_buf *out);

typedef struct hg_url_parts {
	int year, month, day;
	const char *title;      /* slug from the file name */
	const char *slug;       /* front matter `slug`, else title */
	const char *categories; /* "a/b", already slugged and joined */
	const char *output_ext; /* ".html" */
} hg_url_parts;

/* Expands a permalink pattern (or a style name) for a post. */
void hg_url_expand(const char *pattern, const hg_url_parts *p, hg_buf *out);

/* Jekyll's slugify (default mode): lowercase ASCII, runs of anything that is not a letter
 * or digit become one '-', no '-' at either end. Non-ASCII bytes are kept. */
void hg_slugify(const char *s, size_t n, hg_buf *out);

/* A readable title from a file or folder name: "open-source_guide.md" → "Open source guide". */
void hg_title_from_name(const char *name, hg_buf *out);

/* Joins a base path ("" or "/hub") and a site URL ("/guide/"), for links in output. */
void hg_url_with_base(const char *base, const char *url, hg_buf *out);

/* Normalises a --base-url / baseurl value: "" or "/x/y" (leading slash, no trailing one).
 * Returns false if it is a full URL or has characters that do not belong in a path. */
bool hg_base_url_normalize(const char *in, hg_buf *out);

#endif
