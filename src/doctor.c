/* doctor.c — the build in check mode, then a read of everything it could not reach. */
#include "doctor.h"

#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "compat.h"
#include "fs.h"
#include "markdown.h"
#include "shortcodes.h"

#include "banned.h"

/* Every file under dir (a layouts or includes folder): its Liquid tags and filters. */
static void scan_templates(const char *dir, int depth, hg_diags *d)
{
	hg_dirent *items;
	size_t n;
	if (depth > 16 || hg_fs_list(dir, &items, &n) != 0)
		return;
	for (size_t i = 0; i < n; i++) {
		if (items[i].name[0] == '.' || items[i].symlink)
			continue;
		char *path = hg_path_join(dir, items[i].name);
		if (items[i].kind == HG_ENTRY_DIR) {
			scan_templates(path, depth + 1, d);
		} else if (items[i].kind == HG_ENTRY_FILE) {
			size_t len;
			char *text = hg_fs_read(path, path, 4 * 1024 * 1024, &len, d);
			if (text)
				hg_compat_scan_liquid(text, len, path, 1, d);
			free(text);
		}
		free(path);
	}
	hg_fs_list_free(items, n);
}

/* Every ref resolves: the doctor asks only which shortcodes hubgen does not know. */
static bool any_ref(void *ud, const char *path, size_t len, bool absolute, hg_buf *out)
{
	(void)ud;
	(void)path;
	(void)len;
	(void)absolute;
	(void)out;
	return true;
}

/* Each page's shortcodes, Liquid and kramdown attribute lists, read from its source (the
 * build renders no page once a layout fails). */
static void scan_pages(const hg_site *s, hg_diags *d)
{
	hg_arena *a = hg_arena_new();
	hg_buf sink = HG_BUF_INIT;
	for (size_t i = 0; i < s->n_pages; i++) {
		const hg_page *p = s->pages[i];
		if (p->generated)
			continue;
		char *text = hg_page_text(s, p, d);
		if (!text)
			continue;
		const char *body = text + p->body_off;
		size_t len = p->text_len - p->body_off;
		if (hg_shortcodes_present(body, len)) {
			hg_sc_options so = {p->display, p->body_line, false, any_ref, NULL};
			hg_buf_reset(&sink);
			hg_shortcodes_expand(body, len, &so, &sink, d);
		}
		if (p->liquid)
			hg_compat_scan_liquid(body, len, p->display, p->body_line, d);
		if (p->markdown) {
			hg_md_options o = hg_md_default_options();
			o.first_line = p->body_line;
			hg_md_doc doc;
			hg_markdown_render(body, len, &o, a, &doc);
			for (size_t k = 0; k < doc.n_dropped_ials; k++) {
				hg_warn(d, p->display, doc.dropped_ials[k].line, doc.dropped_ials[k].col,
				        "kramdown attribute list '%s' is dropped", doc.dropped_ials[k].text);
				hg_diag_kind(d, "kramdown");
			}
			hg_arena_reset(a);
		}
		hg_page_text_free(p, text);
	}
	hg_buf_release(&sink);
	hg_arena_free(a);
}

hg_doctor_result hg_doctor_run(const hg_build_options *opt, hg_diags *d, hg_buf *out, size_t *others)
{
	hg_build_options o = *opt;
	o.check_only = true;
	o.strict = false;
	o.quiet = true;
	if (hg_build_run(&o, d, NULL, NULL, NULL) == HG_BUILD_CONFIG_ERROR)
		return HG_DOCTOR_CONFIG_ERROR;
	/* the model again, for what the build could not reach; its own messages are the build's */
	hg_diags *again = hg_diags_new();
	hg_site *s = hg_site_load(&o, again);
	hg_diags_free(again);
	if (s) {
		scan_pages(s, d);
		for (size_t i = 0; i < s->n_layout_dirs; i++)
			scan_templates(s->layout_dirs[i], 0, d);
		for (size_t i = 0; i < s->n_include_dirs; i++)
			scan_templates(s->include_dirs[i], 0, d);
		hg_site_free(s);
	}
	size_t found = hg_compat_report(d, out);
	size_t n_others = 0;
	for (size_t i = 0; i < hg_diags_len(d); i++)
		n_others += hg_compat_kind(hg_diags_get(d, i)) == NULL;
	if (others)
		*others = n_others;
	return found ? HG_DOCTOR_FOUND : HG_DOCTOR_CLEAN;
}
