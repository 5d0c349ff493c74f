#include "build.h"

#include <stdlib.h>
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

struct hg_session {
	hg_site *site;
	hg_nav *nav;
	hg_renderer *renderer;
	char *pages_prefix; /* the pages' folder relative to the source: "content/" or "" */
};

void hg_session_free(hg_session *se)
{
	if (!se)
		return;
	hg_renderer_close(se->renderer);
	hg_nav_free(se->nav);
	hg_site_free(se->site);
	free(se->pages_prefix);
	free(se);
}

static hg_build_result build(const hg_build_options *opt, hg_diags *d, hg_build_summary *summary,
			     hg_progress_fn progress, void *progress_ud, hg_session **keep);

hg_build_result hg_build_run(const hg_build_options *opt, hg_diags *d, hg_build_summary *summary,
			     hg_progress_fn progress, void *progress_ud)
{
	return build(opt, d, summary, progress, progress_ud, NULL);
}

hg_build_result hg_build_keep(const hg_build_options *opt, hg_diags *d, hg_build_summary *summary,
			      hg_session **session)
{
	*session = NULL;
	return build(opt, d, summary, NULL, NULL, session);
}

/* The page a changed source file is, when it can be rebuilt alone; NULL otherwise. */
static hg_page *page_of(const hg_session *se, const char *path)
{
	size_t n = strlen(se->pages_prefix);
	if (strncmp(path, se->pages_prefix, n) != 0)
		return NULL;
	hg_page *p = hg_site_find_page(se->site, path + n);
	if (!p || p->generated || p->is_post || p->collection || p->mounted || p->redirect)
		return NULL;
	return p;
}

static size_t page_index(const hg_site *s, const hg_page *p)
{
	for (size_t i = 0; i < s->n_pages; i++)
		if (s->pages[i] == p)
			return i;
	return s->n_pages;
}

hg_update_result hg_build_update(hg_session *se, const char *const *paths, size_t n, hg_diags *d, hg_emit_fn emit,
				 void *ud)
{
	if (!se || !n)
		return HG_UPDATE_FULL;
	hg_page **pages = hg_xcalloc(n, sizeof *pages);
	hg_update_result res = HG_UPDATE_DONE;
	for (size_t i = 0; i < n && res == HG_UPDATE_DONE; i++)
		if (!(pages[i] = page_of(se, paths[i])))
			res = HG_UPDATE_FULL;
	/* read them all first: a page whose front matter changed makes it a full build, and
	 * then none of them may have taken its new text (the site stays as it was) */
	for (size_t i = 0; i < n && res == HG_UPDATE_DONE; i++) {
		hg_reload r = hg_site_reload_page(se->site, pages[i], d);
		res = r == HG_RELOAD_BODY ? HG_UPDATE_DONE : r == HG_RELOAD_MORE ? HG_UPDATE_FULL : HG_UPDATE_ERROR;
	}
	hg_buf html = HG_BUF_INIT, search = HG_BUF_INIT;
	for (size_t i = 0; i < n && res == HG_UPDATE_DONE; i++) {
		size_t index = page_index(se->site, pages[i]);
		hg_buf_reset(&html);
		hg_buf_reset(&search);
		hg_page_result pr = hg_renderer_page(se->renderer, index, &html, &search, d);
		if (pr == HG_PAGE_DONE)
			emit(ud, pages[i]->out_path, html.ptr, html.len);
		res = pr == HG_PAGE_DONE ? HG_UPDATE_DONE : pr == HG_PAGE_FULL ? HG_UPDATE_FULL : HG_UPDATE_ERROR;
	}
	if (res == HG_UPDATE_DONE && se->site->opt.strict && hg_diags_count(d, HG_WARNING)) {
		hg_diags_promote(d);
		res = HG_UPDATE_ERROR;
	}
	if (res == HG_UPDATE_DONE && search.len)
		emit(ud, "search-index.json", search.ptr, search.len);
	hg_buf_release(&html);
	hg_buf_release(&search);
	free(pages);
	return res;
}

static hg_build_result build(const hg_build_options *opt, hg_diags *d, hg_build_summary *summary,
			     hg_progress_fn progress, void *progress_ud, hg_session **keep)
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
	hg_renderer *renderer = NULL;
	if (ok) {
		size_t errors = hg_diags_count(d, HG_ERROR);
		renderer = hg_renderer_open(s, nav, d);
		ok = hg_diags_count(d, HG_ERROR) == errors && hg_renderer_run(renderer, out, &rs);
	}
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
	if (ok && keep) {
		hg_session *se = hg_xcalloc(1, sizeof *se);
		*se = (hg_session){s, nav, renderer, NULL};
		/* where hg_site_load found the pages (site.c, "where things are") */
		se->pages_prefix = hg_xstrdup(s->style == HG_STYLE_JEKYLL ? "" : "content/");
		*keep = se;
		return HG_BUILD_OK;
	}
	hg_renderer_close(renderer);
	hg_nav_free(nav);
	hg_site_free(s);
	return ok ? HG_BUILD_OK : HG_BUILD_CONTENT_ERROR;
}
