/* liquid.h — a Jekyll-compatible Liquid engine: parse once, render many.
 *
 * Templates (layouts, includes, page content) are parsed once into an immutable
 * hg_template; rendering never mutates it, so many threads render the same template at
 * once. Variables come from a map of globals (page, site, layout, content, paginator…)
 * that the renderer also only reads; `assign`, `capture`, `increment` and loop variables
 * live in the render's own scope on the scratch arena.
 *
 * Behaviour follows Jekyll (Liquid 4 + Jekyll's filters and tags): undefined variables
 * render empty (reported as warnings when the host asks for strict variables), filters
 * unknown to us are located errors, and every error carries path:line:col — inside an
 * include, with the chain of includes that led there as a note.
 *
 * Limits (hg_liquid_limits) stop runaway templates: include depth, loop iterations and
 * output size. Passing one is a located error, never a hang.
 */
#ifndef HG_LIQUID_H
#define HG_LIQUID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "util.h"
#include "value.h"

typedef struct hg_template hg_template;

/* What the engine asks of the program that embeds it. Every callback may be NULL; then the
 * tag or filter that needs it is an error ("'markdownify' is not available here"). Callbacks
 * are called from render threads and must be thread-safe. */
typedef struct hg_liquid_host {
	void *ud;
	/* A parsed include by its name as written ("note.html", "nav/side.html"); NULL when
	 * there is none. Names that leave the include folders ("../x") are refused before this
	 * is called. */
	const hg_template *(*find_include)(void *ud, const char *name, size_t len);
	/* markdownify: appends the HTML for Markdown src. */
	void (*markdownify)(void *ud, const char *src, size_t len, hg_buf *out);
	/* {% link path %}: appends the URL of the page whose source is path; false if none. */
	bool (*link)(void *ud, const char *path, size_t len, hg_buf *out);
	/* {% post_url name %}: appends the URL of post name (2022-06-12-slug); false if none. */
	bool (*post_url)(void *ud, const char *name, size_t len, hg_buf *out);
	/* {% include_relative name %}: the file name (no "..", checked before this is called)
	 * in the folder of the page being rendered, page_path (page.path), parsed into scratch;
	 * NULL after adding an error to d (no such file, unreadable, a parse error). */
	const hg_template *(*find_relative)(void *ud, const char *page_path, const char *name, size_t len,
					    hg_arena *scratch, hg_diags *d);
	/* {% include_cached %}: appends the output an include gave before for the same key (its
	 * name and parameters, klen bytes); false if none yet. cache_put stores one. Without
	 * them include_cached is include. */
	bool (*cache_get)(void *ud, const char *key, size_t klen, hg_buf *out);
	void (*cache_put)(void *ud, const char *key, size_t klen, const char *text, size_t len);
	const char *baseurl; /* for relative_url: "" or "/hub" (no trailing slash) */
	const char *url;     /* for absolute_url: "https://example.org" or "" */
	hg_time now;         /* "now" and "today" in the date filter (SOURCE_DATE_EPOCH) */
	bool strict_variables; /* warn on every undefined variable */
	bool strict_filters;   /* unknown filter: error (true) or warning and pass-through */
} hg_liquid_host;

typedef struct hg_liquid_limits {
	unsigned max_include_depth; /* default 32 */
	uint64_t max_iterations;    /* loop iterations per render, default 1,000,000 */
	size_t max_output;          /* bytes per render, default 64 MiB */
} hg_liquid_limits;

/* The defaults above. */
hg_liquid_limits hg_liquid_default_limits(void);

/* Parses src (len bytes, not necessarily NUL-terminated). path names the file in
 * messages and first_line is the line of src[0] in that file (page bodies start after the
 * front matter), so locations match what the user sees in their editor.
 * Returns the template, allocated in arena a (which must outlive it), or NULL after adding
 * located errors to d: unclosed tags, unknown tags, bad syntax. path is copied. */
hg_template *hg_liquid_parse(hg_arena *a, const char *src, size_t len, const char *path, unsigned first_line,
			     hg_diags *d);

/* Whether the engine has a tag (as `if`, `include`; not `else`, `endif`) or a filter of
 * that name, so that `hubgen doctor` can list the ones a site uses that it has not. */
bool hg_liquid_knows_tag(const char *name, size_t len);
bool hg_liquid_knows_filter(const char *name, size_t len);

/* True if src has no Liquid markup at all ("{{" or "{%"), so a caller may skip parsing. */
bool hg_liquid_is_plain(const char *src, size_t len);

/* Renders t with globals (a map; may be NULL) and appends to out. scratch holds the
 * render's temporary values and may be reset once the call returns. Returns false after
 * adding located errors to d; out then holds what was rendered before the error. */
bool hg_liquid_render(const hg_template *t, const hg_value *globals, const hg_liquid_host *host,
		      const hg_liquid_limits *limits, hg_arena *scratch, hg_buf *out, hg_diags *d);

/* The path a template was parsed with. */
const char *hg_template_path(const hg_template *t);

#endif
