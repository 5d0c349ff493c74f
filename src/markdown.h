/* markdown.h — Markdown to HTML: cmark-gfm plus hubgen's post-processing on the tree.
 *
 * The only module that includes cmark-gfm. It parses with the table, strikethrough,
 * autolink, tasklist and footnotes extensions, then walks the tree before rendering:
 * every heading gets a GitHub-compatible id (lowercase, punctuation dropped, spaces to
 * '-', repeats suffixed -1, -2…) and a link to itself, links are handed to the host to
 * rewrite (`other.md` → the page's URL) and recorded with their source position for the
 * link checker, and emoji shortcodes (`:smile:`) become emoji.
 *
 * The HTML is NHS.UK frontend 10's where it has a component: tables are its responsive
 * table, GitHub alerts (`> [!NOTE]`…) its inset text or warning callout.
 *
 * kramdown's markers, as Jekyll sites (and just-the-docs) write them, are read too: a block
 * attribute list `{: .note }` (.important, .highlight, .new: inset text; .warning: warning
 * callout; `-title` forms take the first paragraph as the title) on its own line before or
 * directly after a block; `{: .no_toc }` after a heading; `{#id}` at the end of a heading;
 * `{:toc}` ending a list (`1. TOC` / `{:toc}`), which becomes the page's contents list of
 * h2 and h3; `markdown="1"` (or "block") on an HTML block, whose inside is read as Markdown;
 * `markdown="span"`, whose inside is read as inlines; a span attribute list after a link or
 * an image (`{:target="_blank"}`), which gives it attributes. Definition lists (`Term` then
 * `: definition`, kramdown's and goldmark's) become <dl>.
 * Other attribute lists are dropped and listed in hg_md_doc for `hubgen doctor`. Task lists get a
 * labelled checkbox per item, code blocks a tab stop. The exact markup of each is pinned
 * by tests/spec/markdown; it is the same for the same input, every time.
 *
 * Pure: it works on a buffer and never touches the disk. Safe to call from many threads at
 * once (each call has its own parser).
 */
#ifndef HG_MARKDOWN_H
#define HG_MARKDOWN_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

typedef struct hg_md_heading {
	int level;        /* 1..6 */
	const char *id;   /* the id attribute written */
	const char *text; /* plain text of the heading, as shown (emoji shortcodes replaced) */
	unsigned line;    /* in the file */
	bool no_toc;      /* kramdown's {: .no_toc }: left out of contents lists */
} hg_md_heading;

/* A kramdown attribute list hubgen does not act on (it only styles in the source's theme):
 * dropped from the HTML, kept here for `hubgen doctor`. */
typedef struct hg_md_ial {
	unsigned line, col; /* in the file */
	const char *text;   /* as written: "{: .text-delta }" */
} hg_md_ial;

typedef struct hg_md_link {
	const char *url; /* as written in the source (before rewriting) */
	unsigned line, col;
	bool image;
} hg_md_link;

typedef struct hg_md_options {
	bool unsafe;      /* raw HTML passes through (default true); else it is dropped */
	bool hardbreaks;  /* soft line breaks become <br> */
	bool smart;       /* smart quotes and dashes */
	unsigned first_line; /* line in the file of src[0], for link and heading positions */
	/* Rewrites a link or image destination; appends the new URL to out and returns true,
	 * or returns false to keep it as written. NULL: no rewriting. */
	bool (*rewrite_link)(void *ud, const char *url, bool image, hg_buf *out);
	void *ud;
} hg_md_options;

/* Defaults: unsafe on, the rest off. */
hg_md_options hg_md_default_options(void);

typedef struct hg_md_doc {
	char *html; /* NUL-terminated, in the arena */
	size_t html_len;
	hg_md_heading *headings; /* in document order, in the arena */
	size_t n_headings;
	hg_md_link *links; /* in document order, in the arena */
	size_t n_links;
	bool has_code; /* has a code block (the theme loads a highlighter only then) */
	hg_md_ial *dropped_ials; /* in document order, in the arena */
	size_t n_dropped_ials;
} hg_md_doc;

/* Renders src (len bytes) to HTML. Everything in doc lives in arena a. */
void hg_markdown_render(const char *src, size_t len, const hg_md_options *opt, hg_arena *a, hg_md_doc *doc);

/* Whether documents are parsed on several threads at once: true once cmark-gfm's global
 * character tables are pinned (markdown.c, "process-wide state"); false where that could
 * not be done, and parsing is serialised by a lock. */
bool hg_markdown_parallel(void);

/* The GitHub-style id for heading text: lowercase, punctuation dropped, spaces to '-'.
 * Appends to out (no duplicate suffix: the caller numbers repeats). */
void hg_heading_slug(const char *text, size_t len, hg_buf *out);

/* The first level-1 heading's plain text in Markdown src (ATX `# x` or setext `x\n===`,
 * outside fenced code), in the arena; NULL if there is none. Cheap: no full parse, so the
 * model can title every page before anything renders. */
const char *hg_markdown_first_h1(const char *src, size_t len, hg_arena *a);

#endif
