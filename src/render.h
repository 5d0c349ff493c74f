/* render.h — the render stage: every page through Liquid, Markdown and its layout chain.
 *
 * Per page, as Jekyll: Liquid over the content (unless render_with_liquid: false), then
 * Markdown (for .md pages), then the layout chain, each layout rendered with `content` set
 * to what came before, until a layout names no layout of its own.
 *
 * Layouts and includes are read and parsed once, before any page renders. Pages render on
 * a pool of threads (--jobs); each worker has its own scratch arena, reset after every page,
 * and the site model is only read. Output goes to an hg_output (or nowhere, for
 * `hubgen check`).
 */
#ifndef HG_RENDER_H
#define HG_RENDER_H

#include <stdbool.h>

#include "diag.h"
#include "nav.h"
#include "output.h"
#include "site.h"

typedef struct hg_render_stats {
	size_t pages, statics;
} hg_render_stats;

/* Renders every page of s (with nav, the site's navigation) and copies every static file into out (NULL: render and check
 * only). Returns false if any error was added to d. */
bool hg_render_site(hg_site *s, const hg_nav *nav, hg_output *out, hg_render_stats *stats, hg_diags *d);

#endif
