/* build.h — one whole build, as a library call: config → … → write → check.
 *
 * `hubgen build`, `hubgen check` and the preview server all run this, so what the server
 * shows is what a build writes. It never prints: diagnostics go to d, figures to the
 * summary, and phase lines to the progress callback when one is given.
 */
#ifndef HG_BUILD_H
#define HG_BUILD_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "site.h"

typedef enum hg_build_result {
	HG_BUILD_OK = 0,
	HG_BUILD_CONTENT_ERROR = 1, /* a page, layout, include or link: nothing was written */
	HG_BUILD_CONFIG_ERROR = 2,  /* the source or the config cannot be used */
} hg_build_result;

typedef struct hg_build_summary {
	size_t pages, files;          /* rendered pages; static, theme and generated files */
	size_t written, unchanged;    /* files written, and files left as they were */
	double ms;                    /* wall time of the whole build */
	const char *dest;             /* where it went (valid until the next build) */
} hg_build_summary;

/* Called at the start of each phase with a short name and a count ("rendering", 10000). */
typedef void (*hg_progress_fn)(void *ud, const char *phase, size_t count);

/* Runs a build. With opt->check_only set nothing is written. --strict's promotion of
 * warnings to errors happens here. */
hg_build_result hg_build_run(const hg_build_options *opt, hg_diags *d, hg_build_summary *summary,
			     hg_progress_fn progress, void *progress_ud);

/* ---- the preview server's builds ----
 * hg_build_keep is hg_build_run that, when the build succeeds, keeps the site, its
 * navigation and its renderer in *session (opt->keep_texts should be set, so the texts
 * are those the build used). hg_build_update then takes a change to some source files
 * (paths relative to the source folder): when every one is the body of an ordinary page
 * (not the home page, a post or a collection's document; front matter byte for byte the
 * same; no title taken from a heading changed; its ids the same, so no other page's links
 * change), it renders those pages again and calls emit for each file that changed (the
 * pages, and search-index.json) with bytes identical to what a whole build would write.
 * HG_UPDATE_FULL: the change reaches further (the caller builds everything, in a new
 * session); HG_UPDATE_ERROR: errors in d, the session is as it was. */
typedef struct hg_session hg_session;
typedef enum hg_update_result { HG_UPDATE_DONE, HG_UPDATE_FULL, HG_UPDATE_ERROR } hg_update_result;
typedef void (*hg_emit_fn)(void *ud, const char *path, const char *data, size_t len);
hg_build_result hg_build_keep(const hg_build_options *opt, hg_diags *d, hg_build_summary *summary,
			      hg_session **session);
hg_update_result hg_build_update(hg_session *session, const char *const *paths, size_t n, hg_diags *d,
				 hg_emit_fn emit, void *ud);
void hg_session_free(hg_session *session);

#endif
