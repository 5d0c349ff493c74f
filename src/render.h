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

/* Renders every page of s (with nav, the site's navigation) and copies every static file
 * into out (NULL: render and check only). Returns false if any error was added to d. */
bool hg_render_site(hg_site *s, const hg_nav *nav, hg_output *out, hg_render_stats *stats, hg_diags *d);

/* The same in steps, for the preview server, which keeps the renderer (layouts and includes
 * parsed, the link maps, every page's references and search entry) between builds and
 * re-renders one page at a time:
 *   hg_renderer_open   reads the layouts and includes (errors to d);
 *   hg_renderer_run    is hg_render_site's work;
 *   hg_renderer_page   renders page `index` again, from its current text, into html, checks
 *                      the links written in it, and writes the site's new search index
 *                      into search_index (unless the site has none). HG_PAGE_FULL when the
 *                      change reaches other pages (its ids changed: links into it may have
 *                      broken or mended) or there was no complete run; HG_PAGE_ERROR after
 *                      errors in d. Either way the renderer keeps what it had.
 * s and nav must outlive the renderer; d is the one given to open (until run returns). */
typedef struct hg_renderer hg_renderer;
typedef enum hg_page_result { HG_PAGE_DONE, HG_PAGE_FULL, HG_PAGE_ERROR } hg_page_result;
hg_renderer *hg_renderer_open(hg_site *s, const hg_nav *nav, hg_diags *d);
bool hg_renderer_run(hg_renderer *h, hg_output *out, hg_render_stats *stats);
hg_page_result hg_renderer_page(hg_renderer *h, size_t index, hg_buf *html, hg_buf *search_index, hg_diags *d);
void hg_renderer_close(hg_renderer *h);

#endif
