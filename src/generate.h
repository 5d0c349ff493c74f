/* generate.h — the site-wide files a build writes besides its pages.
 *
 *   sitemap.xml                every page but the 404 page, redirects and `sitemap: false`
 *   robots.txt                 pointing to the sitemap
 *   feed.xml                   an Atom feed of the posts (when there are posts)
 *   search-index.json          what the search page searches (title, URL, section,
 *                              headings, the opening words); `search_exclude: true` and
 *                              `bookSearchExclude: true` keep a page out
 *   .nojekyll                  so GitHub Pages serves the files as they are
 *   staticwebapp.config.json   Azure Static Web Apps: the 404 page and trailing slashes
 *
 * A file the site provides itself (a page or a static file at that path) wins. Absolute
 * addresses (the sitemap, the feed) use the config's `url`; without one they are paths.
 */
#ifndef HG_GENERATE_H
#define HG_GENERATE_H

#include <stddef.h>

#include "diag.h"
#include "nav.h"
#include "output.h"
#include "util.h"
#include "site.h"

/* What the render stage keeps of each page for the search index. */
typedef struct hg_search_entry {
	const char *headings; /* level-2 and -3 heading texts, joined */
	const char *excerpt;  /* the opening words of the page's text */
} hg_search_entry;

#define HG_MAX_GENERATED 8

/* The output paths this build generates (for the link checker); returns their count. */
size_t hg_generated_paths(const hg_site *s, const char *paths[HG_MAX_GENERATED]);

/* Writes them (search[i] for s->pages[i]). out NULL: nothing is written. */
void hg_generate_files(const hg_site *s, const hg_nav *nav, const hg_search_entry *search, hg_output *out,
		       hg_diags *d);

/* Whether the site gets the generated file name ("search-index.json"). */
bool hg_generates(const hg_site *s, const char *name);

/* search-index.json's text, appended to out: "{"pages":[" then the pages' records, each
 * made by hg_search_record and separated by commas, then "\n]}\n". */
void hg_generate_search_index(const hg_site *s, const hg_nav *nav, const hg_search_entry *search, hg_buf *out);
/* Page i's record ("\n{...}"), appended to out; false (out untouched) when the page is not
 * in the index. The preview server keeps the records and remakes only an edited page's. */
bool hg_search_record(const hg_site *s, const hg_nav *nav, const hg_search_entry *search, size_t i, hg_buf *out);

/* The opening words of HTML's text (tags dropped, entities kept, whitespace folded), at most
 * max_words, in arena a. Also used for a page's summary. */
const char *hg_html_excerpt(const char *html, size_t len, size_t max_words, hg_arena *a);

#endif
