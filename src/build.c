#include "build.h"

#include <string.h>
#include <time.h>

#include "nav.h"
#include "output.h"
#include "render.h"

#include "banned.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

hg_build_result hg_build_run(const hg_build_options *opt, hg_diags *d, hg_build_summary *summary,
			     hg_progress_fn progress, void *progress_ud)
{
	static char dest_copy[4096];
	double t0 = now_ms();
	hg_build_summary sum = {0};
	if (progress)
		progress(progress_ud, "reading", 0);
	hg_site *s = hg_site_load(opt, d);
	if (!s) {
		if (summary)
			*summary = sum;
		return HG_BUILD_CONFIG_ERROR;
	}
	snprintf(dest_copy, sizeof dest_copy, "%s", s->dest);
	sum.dest = dest_copy;

	/* Nothing touches the destination until every page has rendered without error: the
	 * output goes to a staging folder that is swapped in only at the end. */
	hg_output *out = NULL;
	bool ok = hg_diags_count(d, HG_ERROR) == 0;
	if (ok && !opt->check_only) {
		out = hg_output_begin(s->dest, d);
		ok = out != NULL;
	}
	if (progress)
		progress(progress_ud, "navigation", s->n_pages);
	hg_nav *nav = hg_nav_build(s, d);
	hg_render_stats rs = {0};
	if (progress)
		progress(progress_ud, "rendering", s->n_pages);
	if (ok)
		ok = hg_render_site(s, nav, out, &rs, d);
	hg_nav_free(nav);
	if (opt->strict && hg_diags_count(d, HG_WARNING)) {
		hg_diags_promote(d);
		ok = false;
	}
	hg_output_stats os = {0};
	if (ok && out) {
		if (progress)
			progress(progress_ud, "writing", rs.pages + rs.statics);
		ok = hg_output_commit(out, &os, d);
	} else {
		hg_output_abort(out);
	}
	sum.pages = rs.pages;
	sum.files = rs.statics;
	sum.written = os.written;
	sum.unchanged = os.unchanged;
	sum.ms = now_ms() - t0;
	if (summary)
		*summary = sum;
	hg_site_free(s);
	return ok ? HG_BUILD_OK : HG_BUILD_CONTENT_ERROR;
}
