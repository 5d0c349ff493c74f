/* links.h — links between pages: rewriting, collecting and checking.
 *
 * Rewriting: a Markdown link to another page's source (`[x](other.md)`,
 * `[x](../dir/page.md#part)`, `[x](/guide/x.md)`) becomes the URL of that page, with the
 * base path, so links work whatever the page's own URL is and under any sub-path.
 *
 * Checking: after rendering, every href, src, srcset, action and poster in every page's
 * HTML is resolved like a browser would (against the page's URL and the base path) and
 * must name a file the build writes; a `#fragment` must name an id in the target page. A
 * broken reference is a warning (an error under --strict) at the Markdown source's
 * path:line:col when the link was written there, else at the page itself. External links
 * are not fetched.
 *
 * Pure string work on buffers; the page table comes from the site model.
 */
#ifndef HG_LINKS_H
#define HG_LINKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "site.h"
#include "util.h"

/* One reference found in a page's HTML. */
typedef struct hg_ref {
	const char *url; /* as it stands in the HTML, entities decoded */
	const char *written; /* as the writer wrote it (a Markdown link before rewriting), or NULL */
	unsigned line, col; /* in the source file, or 0 if unknown */
	const char *attr;   /* "href", "src", … */
	const uint32_t *repeats; /* for a reference kept once for many pages: how many more
	                          * pages had it (owned by whoever deduplicated it), or NULL */
} hg_ref;

/* What the checker needs from a rendered page; everything lives in the arena the caller
 * gave to hg_links_scan. */
typedef struct hg_page_refs {
	hg_ref *refs;
	size_t n_refs;
	const char **ids; /* every id="" in the page, sorted */
	size_t n_ids;
} hg_page_refs;

/* Scans HTML for references and ids. Returns false when the HTML ends inside a tag, a
 * comment or a script or style element (text after it would be read differently). */
bool hg_links_scan(const char *html, size_t len, hg_arena *a, hg_page_refs *out);
/* hg_links_scan of html, whose bytes [off, off + n) were scanned already, with inner as the
 * result (and true returned): only the text around them is read. Returns false (out not
 * set) when the text before them ends inside a tag, a comment or a script; then scan the
 * whole. */
bool hg_links_scan_around(const char *html, size_t len, size_t off, size_t n, const hg_page_refs *inner,
			  hg_arena *a, hg_page_refs *out);

typedef struct hg_linkmap hg_linkmap;

/* An index of the site's pages by source path and of every output file the build writes
 * (pages, static files, extra generated files). */
hg_linkmap *hg_linkmap_new(const hg_site *s, const char *const *extra_outputs, size_t n_extra);
void hg_linkmap_free(hg_linkmap *m);

/* Rewrites a link written in page from's Markdown. Appends the new URL (with the base
 * path) and returns true when url names another page's source file (`other.md`), or — when
 * it does not work as written — names one from the source file's folder in Jekyll's or
 * GitHub's way (`other.html`, `other`, `./folder` for its index or README); returns false
 * (out untouched) to keep url as written. */
bool hg_link_rewrite(const hg_linkmap *m, const hg_page *from, const char *url, hg_buf *out);

/* The page a Hugo ref is written in, with the map to look it up in (hg_link_ref's ud). */
typedef struct hg_link_from {
	const hg_linkmap *m;
	const hg_page *page;
} hg_link_from;

/* Hugo's ref and relref, as the shortcodes' callback (ud: an hg_link_from). path is a
 * source path, relative to the page's folder or, failing that, to the pages root (a leading
 * '/' means the root only), with or without its `.md`, or a section's folder (its _index.md
 * or index.md); a `#fragment` is kept. Appends the page's URL with the base path (absolute:
 * with the site's url first, when it has one) and returns true; false when no page matches. */
bool hg_link_ref(void *ud, const char *path, size_t len, bool absolute, hg_buf *out);

/* Checks the references of every page (refs[i] for s->pages[i]) and adds a warning for each
 * that does not resolve, at the place it was written. */
void hg_links_check(const hg_linkmap *m, const hg_site *s, const hg_page_refs *refs, hg_diags *d);
/* The same for some pages only (the preview server's one-page rebuilds): the pages at the
 * n_only indexes in only, and of their references only those written in the page itself
 * (with a line); the layout's were checked by the full build. only NULL: every page. */
void hg_links_check_pages(const hg_linkmap *m, const hg_site *s, const hg_page_refs *refs, const size_t *only,
			  size_t n_only, hg_diags *d);

/* Resolves url as a browser on page_url would, under base, to a site path without the
 * base ("/guide/x/"). Returns false for external URLs and for ones that leave the base. */
bool hg_link_resolve(const char *base, const char *page_url, const char *url, hg_buf *site_path,
		     const char **fragment, bool *outside_base);

#endif
