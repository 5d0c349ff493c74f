/* site.c — config → scan → load → model.
 *
 * Everything here runs before a single page renders, so every later stage can rely on a
 * complete, read-only model: all titles and URLs are known (the navigation and the link
 * rewriting need them), duplicate outputs and escaping permalinks are already errors.
 */
#include "site.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "frontmatter.h"
#include "fs.h"
#include "markdown.h"
#include "theme.h"
#include "url.h"
#include "yamlval.h"

#include "banned.h"

#define DEFAULT_MAX_FILE_SIZE (16u * 1024 * 1024)

/* ==== config ==== */

static const char *str_of(hg_arena *a, const hg_value *v)
{
	if (!v || v->kind == HG_NULL)
		return NULL;
	if (v->kind == HG_STRING)
		return v->as.s.ptr;
	hg_buf b = HG_BUF_INIT;
	hg_value_to_text(&b, v);
	const char *s = hg_arena_strndup(a, b.ptr, b.len);
	hg_buf_release(&b);
	return s;
}

/* Reads the first config file that exists; fills s->config. Returns false on a config error
 * (bad YAML, wrong types): the build cannot go on (exit code 2). */
static bool load_config(hg_site *s, hg_diags *d)
{
	hg_arena *a = s->arena;
	static const char *names[] = {"hub.yml", "hub.yaml", "_config.yml", "_config.yaml", "hugo.yaml",
				      "hugo.yml", "config.yaml", "config.yml"};
	hg_config *c = &s->config;
	c->unsafe_html = true;
	c->max_file_size = DEFAULT_MAX_FILE_SIZE;
	c->url = "";
	c->baseurl = "";
	c->raw = hg_value_map(a);

	const char *found = NULL;
	for (size_t i = 0; i < HG_ARRAY_LEN(names) && !found; i++) {
		char *p = hg_path_join(s->source, names[i]);
		if (hg_fs_is_file(p))
			found = hg_arena_strdup(a, p);
		free(p);
	}
	if (!found) {
		static const char *toml[] = {"hugo.toml", "config.toml"};
		for (size_t i = 0; i < HG_ARRAY_LEN(toml); i++) {
			char *p = hg_path_join(s->source, toml[i]);
			if (hg_fs_is_file(p)) {
				hg_warn(d, p, 0, 0, "Hugo's TOML config cannot be read; building with default settings");
				hg_diag_note(d, "hint: put the settings hubgen needs (title, baseurl) in hub.yml");
				free(p);
				break;
			}
			free(p);
		}
		return true;
	}
	c->path = found;
	size_t len;
	char *text = hg_fs_read(found, found, 1024 * 1024, &len, d);
	if (!text)
		return false;
	hg_value *root = hg_yaml_parse(a, text, len, found, 1, d);
	free(text);
	if (!root)
		return false;
	if (root->kind != HG_MAP) {
		hg_error(d, found, root->line, root->col, "the config must be a map of settings");
		return false;
	}
	c->raw = root;
	c->title = str_of(a, hg_map_get(root, "title"));
	c->description = str_of(a, hg_map_get(root, "description"));

	const char *url = str_of(a, hg_map_get(root, "url"));
	if (!url) /* Hugo's YAML config */
		url = str_of(a, hg_map_get(root, "baseURL"));
	if (url) {
		size_t n = strlen(url);
		/* a Hugo baseURL carries the path too: https://org.github.io/repo/ */
		const char *scheme = strstr(url, "://");
		const char *path = scheme ? strchr(scheme + 3, '/') : NULL;
		if (path && !hg_map_get(root, "baseurl") && !hg_map_get(root, "base_url")) {
			hg_buf b = HG_BUF_INIT;
			if (hg_base_url_normalize(path, &b))
				c->baseurl = hg_arena_strndup(a, b.ptr, b.len);
			hg_buf_release(&b);
			n = (size_t)(path - url);
		}
		while (n && url[n - 1] == '/')
			n--;
		c->url = hg_arena_strndup(a, url, n);
	}
	hg_value *bv = hg_map_get(root, "baseurl");
	if (!bv)
		bv = hg_map_get(root, "base_url");
	if (bv && bv->kind != HG_NULL) {
		hg_buf b = HG_BUF_INIT;
		const char *raw = str_of(a, bv);
		if (!hg_base_url_normalize(raw, &b)) {
			hg_error(d, found, bv->line, bv->col, "'baseurl' must be a path such as /hub, not '%s'", raw);
			hg_buf_release(&b);
			return false;
		}
		c->baseurl = hg_arena_strndup(a, b.ptr, b.len);
		hg_buf_release(&b);
	}
	c->permalink = str_of(a, hg_map_get(root, "permalink"));

	hg_value *md = hg_map_get(root, "markdown");
	if (md && md->kind == HG_MAP) {
		c->unsafe_html = hg_map_bool(md, "unsafe", hg_map_bool(md, "raw_html", true));
		c->hardbreaks = hg_map_bool(md, "hardbreaks", false);
		c->smart = hg_map_bool(md, "smart", false);
	}
	hg_value *mfs = hg_map_get(root, "max_file_size");
	if (mfs) {
		double mib;
		if (!hg_value_number(mfs, &mib) || mib <= 0) {
			hg_error(d, found, mfs->line, mfs->col, "'max_file_size' must be a number of MiB");
			return false;
		}
		c->max_file_size = (size_t)(mib * 1024 * 1024);
	}
	hg_value *ex = hg_map_get(root, "exclude");
	if (ex && ex->kind == HG_LIST) {
		c->exclude = hg_arena_alloc(a, ex->as.list.len * sizeof(char *));
		for (size_t i = 0; i < ex->as.list.len; i++) {
			const char *pat = str_of(a, ex->as.list.items[i]);
			if (!pat)
				continue;
			size_t n = strlen(pat);
			while (n > 1 && pat[n - 1] == '/')
				n--;
			while (pat[0] == '/' && n > 1) {
				pat++;
				n--;
			}
			c->exclude[c->n_exclude++] = hg_arena_strndup(a, pat, n);
		}
	} else if (ex && ex->kind != HG_NULL) {
		hg_error(d, found, ex->line, ex->col, "'exclude' must be a list of paths or patterns");
		return false;
	}
	hg_value *defs = hg_map_get(root, "defaults");
	if (defs && defs->kind == HG_LIST)
		c->defaults = defs;
	else if (defs && defs->kind != HG_NULL) {
		hg_error(d, found, defs->line, defs->col, "'defaults' must be a list of {scope, values}");
		return false;
	}
	return true;
}

/* ==== scan ==== */

typedef struct scan {
	hg_site *s;
	hg_diags *d;
	const char *real_source; /* canonical source, for the symlink check */
	const char *real_dest;
	/* candidates found by the walk */
	struct found {
		char *fs_path; /* real path to read */
		char *rel;     /* relative to the pages root (or the assets mount) */
		char *display;
		const char *out_prefix; /* for static mounts: "assets/" */
		bool page_root;         /* under the pages root (may be a page) */
	} *items;
	size_t n, cap;
} scan;

static bool excluded(const hg_config *c, const char *rel)
{
	const char *base = strrchr(rel, '/');
	base = base ? base + 1 : rel;
	for (size_t i = 0; i < c->n_exclude; i++) {
		const char *pat = c->exclude[i];
		size_t n = strlen(pat);
		if (fnmatch(pat, rel, 0) == 0 || fnmatch(pat, base, 0) == 0)
			return true;
		if (!strncmp(rel, pat, n) && rel[n] == '/')
			return true;
	}
	return false;
}

/* Entries Jekyll never reads as pages, whatever the config says. */
static bool jekyll_skips(const char *name, bool top)
{
	static const char *always[] = {"node_modules", "vendor", "Gemfile", "Gemfile.lock", "package.json",
				       "package-lock.json"};
	if (top)
		for (size_t i = 0; i < HG_ARRAY_LEN(always); i++)
			if (!strcmp(name, always[i]))
				return true;
	return false;
}

static void walk(scan *sc, const char *dir, const char *rel_dir, const char *display_dir, const char *out_prefix,
		 bool page_root, int depth)
{
	hg_site *s = sc->s;
	if (depth > 64) {
		hg_warn(sc->d, display_dir, 0, 0, "folders nested deeper than 64 levels are not read");
		return;
	}
	hg_dirent *items;
	size_t n;
	if (hg_fs_list(dir, &items, &n) != 0) {
		hg_error(sc->d, display_dir, 0, 0, "cannot read folder: %s", strerror(errno));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const char *name = items[i].name;
		char *fs_path = hg_path_join(dir, name);
		char *rel = *rel_dir ? hg_xasprintf("%s/%s", rel_dir, name) : hg_xstrdup(name);
		char *display = hg_path_join(display_dir, name);
		bool skip = false;

		if (name[0] == '.')
			skip = true;
		else if (page_root && s->style == HG_STYLE_JEKYLL) {
			bool special = !strcmp(name, "_posts") || !strcmp(name, "_drafts");
			if (name[0] == '_' && !special)
				skip = true;
			if (jekyll_skips(name, !*rel_dir))
				skip = true;
		}
		if (!skip && page_root && excluded(&s->config, rel))
			skip = true;
		if (!skip && items[i].kind == HG_ENTRY_DIR && sc->real_dest) {
			char *real = hg_fs_realpath(fs_path);
			if (real && !strcmp(real, sc->real_dest))
				skip = true; /* never read our own output */
			free(real);
		}
		if (!skip && items[i].symlink) {
			char *real = hg_fs_realpath(fs_path);
			if (!real || !hg_path_inside(real, sc->real_source)) {
				hg_warn(sc->d, display, 0, 0, "symbolic link leads outside the source folder; not followed");
				skip = true;
			}
			free(real);
		}
		if (!skip && items[i].kind == HG_ENTRY_DIR) {
			walk(sc, fs_path, rel, display, out_prefix, page_root, depth + 1);
		} else if (!skip && items[i].kind == HG_ENTRY_FILE) {
			HG_GROW(sc->items, sc->cap, sc->n + 1);
			sc->items[sc->n++] = (struct found){fs_path, rel, display, out_prefix, page_root};
			fs_path = rel = display = NULL;
		}
		free(fs_path);
		free(rel);
		free(display);
	}
	hg_fs_list_free(items, n);
}

/* ==== load and model ==== */

static bool has_ext(const char *name, const char *ext) { return hg_ends_with(name, ext); }

static bool is_markdown_name(const char *name)
{
	return has_ext(name, ".md") || has_ext(name, ".markdown") || has_ext(name, ".mdown") ||
	       has_ext(name, ".mkd");
}

static bool is_html_name(const char *name) { return has_ext(name, ".html") || has_ext(name, ".htm"); }

/* "2022-06-12-slug.md" → date and slug. */
static bool post_name(const char *base, hg_time *t, const char **slug)
{
	if (strlen(base) < 12 || base[10] != '-')
		return false;
	if (!hg_time_parse(base, 10, t))
		return false;
	*slug = base + 11;
	return true;
}

static bool in_posts_dir(const char *rel)
{
	return hg_starts_with(rel, "_posts/") || hg_starts_with(rel, "posts/") || strstr(rel, "/_posts/") ||
	       hg_starts_with(rel, "_drafts/");
}

/* Jekyll's front-matter defaults: every `scope` whose path contains the page (and whose
 * type matches) applies, the more specific path over the less specific, the page's own
 * front matter over all of them. */
static hg_value *apply_defaults(hg_site *s, hg_value *fm, const char *rel, bool is_post)
{
	const hg_value *defs = s->config.defaults;
	if (!defs)
		return fm;
	hg_arena *a = s->arena;
	const hg_value *hits[64];
	size_t plen[64], nh = 0;
	for (size_t i = 0; i < defs->as.list.len && nh < 64; i++) {
		const hg_value *def = defs->as.list.items[i];
		const hg_value *scope = hg_map_get(def, "scope");
		const hg_value *values = hg_map_get(def, "values");
		if (!values || values->kind != HG_MAP)
			continue;
		const char *path = hg_map_str(scope, "path", "");
		const char *type = hg_map_str(scope, "type", NULL);
		while (*path == '/')
			path++;
		size_t n = strlen(path);
		while (n && path[n - 1] == '/')
			n--;
		bool path_ok = n == 0 || (!strncmp(rel, path, n) && (rel[n] == '/' || rel[n] == '\0')) ||
			       (strchr(path, '*') && fnmatch(path, rel, 0) == 0);
		bool type_ok = !type || (is_post ? !strcmp(type, "posts") : !strcmp(type, "pages"));
		if (path_ok && type_ok) {
			hits[nh] = values;
			plen[nh++] = n;
		}
	}
	if (!nh)
		return fm;
	/* insertion sort by specificity, stable */
	for (size_t i = 1; i < nh; i++)
		for (size_t j = i; j > 0 && plen[j - 1] > plen[j]; j--) {
			size_t tl = plen[j];
			plen[j] = plen[j - 1];
			plen[j - 1] = tl;
			const hg_value *tv = hits[j];
			hits[j] = hits[j - 1];
			hits[j - 1] = tv;
		}
	hg_value *merged = hg_value_map(a);
	for (size_t i = 0; i < nh; i++)
		hg_map_merge(a, merged, hits[i]);
	hg_map_merge(a, merged, fm);
	return merged;
}

static bool value_order(const hg_value *v, double *out)
{
	if (!v || v->kind == HG_NULL)
		return false;
	return hg_value_number(v, out);
}

static hg_value *string_list(hg_arena *a, const hg_value *v)
{
	hg_value *list = hg_value_list(a);
	if (!v || v->kind == HG_NULL)
		return list;
	if (v->kind == HG_LIST) {
		for (size_t i = 0; i < v->as.list.len; i++) {
			const char *str = str_of(a, v->as.list.items[i]);
			if (str)
				hg_list_push(a, list, hg_value_cstr(a, str));
		}
		return list;
	}
	/* "open-source GitHub python": space-separated, as Jekyll reads categories */
	const char *str = str_of(a, v);
	while (str && *str) {
		while (*str == ' ' || *str == ',')
			str++;
		const char *start = str;
		while (*str && *str != ' ' && *str != ',')
			str++;
		if (str > start)
			hg_list_push(a, list, hg_value_string(a, start, (size_t)(str - start)));
	}
	return list;
}

/* Models one loaded page. Returns false if the page is left out (draft) without error. */
static bool model_page(hg_site *s, hg_page *p, hg_diags *d)
{
	hg_arena *a = s->arena;
	const char *base = strrchr(p->rel, '/');
	base = base ? base + 1 : p->rel;
	hg_value *fm = p->fm;

	if (!s->opt.drafts && (hg_map_bool(fm, "draft", false) || !hg_map_bool(fm, "published", true) ||
			       hg_starts_with(p->rel, "_drafts/")))
		return false;

	p->markdown = is_markdown_name(base);
	p->liquid = hg_map_bool(fm, "render_with_liquid", true);
	p->is_section = !strncmp(base, "_index.", 7) || !strncmp(base, "index.", 6);
	p->is_home = p->is_section && !strchr(p->rel, '/');

	/* date: from the file name of a post, else front matter */
	const char *slug = NULL;
	hg_time t;
	bool dated_name = post_name(base, &t, &slug);
	hg_value *dv = hg_map_get(fm, "date");
	if (dv && dv->kind == HG_TIME) {
		p->date = dv->as.t;
		p->has_date = true;
	} else if (dv && dv->kind == HG_STRING && hg_time_parse(dv->as.s.ptr, dv->as.s.len, &t)) {
		p->date = t;
		p->has_date = true;
	} else if (dated_name) {
		p->date = t;
		p->has_date = true;
	}
	if (dv && !p->has_date && dv->kind != HG_NULL)
		hg_warn(d, p->display, dv->line, dv->col, "'date' is not a date hubgen can read; use 2022-06-12 or "
			"2022-06-12 12:00:00");
	p->is_post = in_posts_dir(p->rel) && (dated_name || p->has_date) && !p->is_section;

	/* title */
	const char *title = str_of(a, hg_map_get(fm, "title"));
	if (!title && p->markdown)
		title = hg_markdown_first_h1(p->text + p->body_off, p->text_len - p->body_off, a);
	if (!title) {
		hg_buf b = HG_BUF_INIT;
		if (p->is_home)
			hg_buf_adds(&b, "Home");
		else if (p->is_section) {
			/* the folder's name */
			const char *end = strrchr(p->rel, '/');
			const char *start = end;
			while (start > p->rel && start[-1] != '/')
				start--;
			char *folder = hg_xstrndup(start, (size_t)(end - start));
			hg_title_from_name(folder, &b);
			free(folder);
		} else {
			hg_title_from_name(slug && p->is_post ? slug : base, &b);
		}
		title = hg_arena_strndup(a, b.ptr, b.len);
		hg_buf_release(&b);
	}
	p->title = title;

	/* URL */
	hg_buf url = HG_BUF_INIT;
	hg_value *perma = hg_map_get(fm, "permalink");
	const char *pattern = perma ? str_of(a, perma) : NULL;
	if (!pattern && p->is_post)
		pattern = s->config.permalink;
	if (p->is_post || (pattern && strchr(pattern, ':'))) {
		hg_civil c = hg_time_civil(p->date);
		hg_buf title_slug = HG_BUF_INIT, cats = HG_BUF_INIT;
		const char *stem = slug ? slug : base;
		const char *dot = strrchr(stem, '.');
		hg_buf_add(&title_slug, stem, dot ? (size_t)(dot - stem) : strlen(stem));
		hg_value *cl = string_list(a, hg_map_get(fm, "categories"));
		for (size_t i = 0; i < cl->as.list.len; i++) {
			if (cats.len)
				hg_buf_addc(&cats, '/');
			hg_slugify(cl->as.list.items[i]->as.s.ptr, cl->as.list.items[i]->as.s.len, &cats);
		}
		hg_url_parts parts = {c.year, c.month, c.day, title_slug.ptr, hg_map_str(fm, "slug", NULL), cats.ptr,
				      ".html"};
		hg_url_expand(pattern, &parts, &url);
		hg_buf_release(&title_slug);
		hg_buf_release(&cats);
	} else if (pattern) {
		hg_buf_adds(&url, pattern);
	} else {
		hg_url_from_path(p->rel, &url);
	}
	hg_buf nurl = HG_BUF_INIT;
	if (!hg_url_normalize(url.ptr, &nurl)) {
		unsigned line = perma ? perma->line : 0, col = perma ? perma->col : 0;
		hg_error(d, p->display, line, col, "permalink '%s' would write outside the output folder", url.ptr);
		hg_buf_release(&url);
		hg_buf_release(&nurl);
		return false;
	}
	p->url = hg_arena_strndup(a, nurl.ptr, nurl.len);
	hg_buf out = HG_BUF_INIT;
	hg_url_output_path(p->url, &out);
	p->out_path = hg_arena_strndup(a, out.ptr, out.len);
	hg_buf_release(&out);
	hg_buf_release(&url);
	hg_buf_release(&nurl);

	/* layout */
	hg_value *lv = hg_map_get(fm, "layout");
	if (lv) {
		p->layout_given = true;
		const char *name = str_of(a, lv);
		p->layout = name && strcmp(name, "none") && strcmp(name, "null") && *name ? name : NULL;
		if (!p->layout)
			p->layout_given = true;
	}

	/* order: nav_order (just-the-docs) or weight (Hugo); weight 0 means none, as Hugo */
	hg_value *ov = hg_map_get(fm, "nav_order");
	double ord;
	if (ov && value_order(ov, &ord)) {
		p->has_order = true;
		p->order = ord;
	} else if (ov && ov->kind != HG_NULL) {
		hg_warn(d, p->display, ov->line, ov->col, "'nav_order' must be a number; the page is ordered by title");
	}
	hg_value *wv = hg_map_get(fm, "weight");
	if (!p->has_order && wv && value_order(wv, &ord)) {
		if (ord != 0) {
			p->has_order = true;
			p->order = ord;
		}
	} else if (!p->has_order && wv && wv->kind != HG_NULL) {
		hg_warn(d, p->display, wv->line, wv->col, "'weight' must be a number; the page is ordered by title");
	}

	/* the `page` object */
	hg_value *pv = hg_value_map(a);
	hg_map_merge(a, pv, fm);
	hg_map_set(a, pv, "title", hg_value_cstr(a, p->title));
	hg_map_set(a, pv, "url", hg_value_cstr(a, p->url));
	hg_map_set(a, pv, "path", hg_value_cstr(a, p->rel));
	hg_map_set(a, pv, "name", hg_value_cstr(a, base));
	{
		const char *slash = strrchr(p->url, '/');
		hg_map_set(a, pv, "dir", hg_value_string(a, p->url, slash ? (size_t)(slash - p->url) + 1 : 1));
	}
	if (p->has_date)
		hg_map_set(a, pv, "date", hg_value_time(a, p->date));
	hg_map_set(a, pv, "categories", string_list(a, hg_map_get(fm, "categories")));
	hg_map_set(a, pv, "tags", string_list(a, hg_map_get(fm, "tags")));
	if (p->is_post) {
		hg_map_set(a, pv, "collection", hg_value_cstr(a, "posts"));
		hg_map_set(a, pv, "id", hg_value_cstr(a, p->url));
		if (slug) {
			const char *dot = strrchr(slug, '.');
			hg_map_set(a, pv, "slug", hg_value_string(a, slug, dot ? (size_t)(dot - slug) : strlen(slug)));
		}
	}
	p->data = pv;
	return true;
}

/* Reads and splits one page; returns NULL (after reporting) when it cannot be used. */
static hg_page *load_page(hg_site *s, struct found *f, hg_diags *d)
{
	size_t len;
	char *text = hg_fs_read(f->fs_path, f->display, s->config.max_file_size, &len, d);
	if (!text)
		return NULL;
	hg_buf fixed = HG_BUF_INIT;
	if (!hg_utf8_check(text, len, f->display, &fixed, d)) {
		free(text);
		hg_buf_release(&fixed);
		return NULL;
	}
	if (fixed.len) {
		free(text);
		text = hg_buf_detach(&fixed, &len);
	}
	hg_buf_release(&fixed);

	hg_fm_split sp;
	if (!hg_frontmatter_split(text, len, f->display, &sp, d)) {
		free(text);
		return NULL;
	}
	bool html = is_html_name(f->rel);
	if (html && sp.kind == HG_FM_NONE) {
		free(text);
		return NULL; /* an HTML file without front matter is a static file */
	}
	if (sp.kind == HG_FM_TOML) {
		hg_error(d, f->display, 1, 1, "TOML front matter ('+++') is not supported");
		hg_diag_note(d, "hint: write the front matter as YAML between '---' lines");
		free(text);
		return NULL;
	}
	hg_value *fm = NULL;
	if (sp.kind == HG_FM_YAML) {
		fm = hg_yaml_parse(s->arena, text + sp.fm_off, sp.fm_len, f->display, sp.fm_line, d);
		if (!fm) {
			free(text);
			return NULL;
		}
		if (fm->kind == HG_NULL)
			fm = hg_value_map(s->arena);
		if (fm->kind != HG_MAP) {
			hg_error(d, f->display, fm->line ? fm->line : sp.fm_line, fm->col,
				 "front matter must be a map of keys and values");
			free(text);
			return NULL;
		}
	} else {
		fm = hg_value_map(s->arena);
	}
	hg_page *p = hg_arena_zalloc(s->arena, sizeof *p);
	p->rel = hg_arena_strdup(s->arena, f->rel);
	p->display = hg_arena_strdup(s->arena, f->display);
	p->src_path = hg_arena_strdup(s->arena, f->fs_path);
	p->text = text;
	p->text_len = len;
	p->body_off = sp.kind == HG_FM_NONE ? 0 : sp.body_off;
	p->body_line = sp.kind == HG_FM_NONE ? 1 : sp.body_line;
	p->fm = apply_defaults(s, fm, f->rel, in_posts_dir(f->rel));
	return p;
}

static int page_cmp(const void *a, const void *b)
{
	const hg_page *x = *(hg_page *const *)a, *y = *(hg_page *const *)b;
	int c = strcmp(x->out_path, y->out_path);
	return c ? c : strcmp(x->display, y->display);
}

static int post_cmp(const void *a, const void *b)
{
	const hg_page *x = *(hg_page *const *)a, *y = *(hg_page *const *)b;
	if (x->date.secs != y->date.secs)
		return x->date.secs > y->date.secs ? -1 : 1; /* newest first */
	return strcmp(x->rel, y->rel);
}

static int static_cmp(const void *a, const void *b)
{
	return strcmp(((const hg_static *)a)->out_path, ((const hg_static *)b)->out_path);
}

static int rel_cmp(const void *a, const void *b)
{
	const hg_page *x = *(hg_page *const *)a, *y = *(hg_page *const *)b;
	return strcmp(x->rel, y->rel);
}

/* ==== generated pages ====
 * Pages the build adds of its own: the 404 page and the search page (each only when the
 * site has none), and a redirect page for every `redirect_from` (Jekyll) and `aliases`
 * (Hugo) entry. They go through the same model, render and link check as written pages. */

static hg_page *new_generated(hg_site *s, const char *rel, const char *body, hg_value *fm)
{
	hg_page *p = hg_arena_zalloc(s->arena, sizeof *p);
	p->rel = hg_arena_strdup(s->arena, rel);
	p->display = hg_arena_printf(s->arena, "(generated) %s", rel);
	p->text = hg_xstrdup(body);
	p->text_len = strlen(body);
	p->body_line = 1;
	p->fm = fm;
	p->generated = true;
	return p;
}

static void fm_set(hg_site *s, hg_value *fm, const char *key, const char *val)
{
	hg_map_set(s->arena, fm, key, hg_value_cstr(s->arena, val));
}

static bool url_taken(hg_page **pages, size_t np, const char *url)
{
	for (size_t i = 0; i < np; i++)
		if (!strcmp(pages[i]->url, url))
			return true;
	return false;
}

static void push_page(hg_site *s, hg_page ***pages, size_t *np, size_t *cap, hg_page *p, hg_diags *d)
{
	if (!model_page(s, p, d)) {
		free(p->text);
		p->text = NULL;
		return;
	}
	HG_GROW(*pages, *cap, *np + 1);
	(*pages)[(*np)++] = p;
}

static void add_redirects(hg_site *s, hg_page ***pages, size_t *np, size_t *cap, hg_diags *d)
{
	hg_arena *a = s->arena;
	size_t n = *np;
	for (size_t i = 0; i < n; i++) {
		hg_page *target = (*pages)[i];
		const char *keys[] = {"redirect_from", "aliases"};
		for (int k = 0; k < 2; k++) {
			hg_value *v = hg_map_get(target->fm, keys[k]);
			if (!v || v->kind == HG_NULL)
				continue;
			hg_value *list = v;
			if (v->kind == HG_STRING) {
				list = hg_value_list(a);
				hg_list_push(a, list, v);
			}
			if (list->kind != HG_LIST) {
				hg_warn(d, target->display, v->line, v->col, "'%s' must be a path or a list of paths", keys[k]);
				continue;
			}
			for (size_t j = 0; j < list->as.list.len; j++) {
				hg_value *from = list->as.list.items[j];
				if (from->kind != HG_STRING || !from->as.s.len)
					continue;
				hg_buf to = HG_BUF_INIT, body = HG_BUF_INIT;
				hg_url_with_base(s->config.baseurl, target->url, &to);
				hg_buf_adds(&body, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
						   "<title>Redirecting to ");
				hg_buf_add_html_escaped(&body, target->title, strlen(target->title));
				hg_buf_adds(&body, "</title>\n<meta name=\"robots\" content=\"noindex\">\n<link rel=\"canonical\" "
						   "href=\"");
				if (*s->config.url)
					hg_buf_add_html_escaped(&body, s->config.url, strlen(s->config.url));
				hg_buf_add_html_escaped(&body, to.ptr, to.len);
				hg_buf_adds(&body, "\">\n<meta http-equiv=\"refresh\" content=\"0; url=");
				hg_buf_add_html_escaped(&body, to.ptr, to.len);
				hg_buf_adds(&body, "\">\n</head>\n<body>\n<p>This page has moved to <a href=\"");
				hg_buf_add_html_escaped(&body, to.ptr, to.len);
				hg_buf_adds(&body, "\">");
				hg_buf_add_html_escaped(&body, target->title, strlen(target->title));
				hg_buf_adds(&body, "</a>.</p>\n</body>\n</html>\n");

				hg_value *fm = hg_value_map(a);
				/* a path written without a file name is a folder, as Jekyll's plugin reads it */
				const char *path = from->as.s.ptr;
				const char *last = strrchr(path, '/');
				bool has_ext = strchr(last ? last : path, '.') != NULL;
				hg_value *perma = hg_value_cstr(a, hg_arena_printf(a, "%s%s", path,
						  has_ext || hg_ends_with(path, "/") ? "" : "/"));
				perma->line = from->line;
				perma->col = from->col;
				hg_map_set(a, fm, "permalink", perma);
				hg_map_set(a, fm, "layout", &hg_null_value);
				hg_map_set(a, fm, "sitemap", &hg_false_value);
				hg_map_set(a, fm, "search_exclude", &hg_true_value);
				hg_map_set(a, fm, "nav_exclude", &hg_true_value);
				hg_map_set(a, fm, "render_with_liquid", &hg_false_value);
				fm_set(s, fm, "redirect_to", to.ptr);
				char *rel = hg_xasprintf("(redirect)%s", path);
				hg_page *p = new_generated(s, rel, body.ptr, fm);
				free(rel);
				p->display = target->display; /* a clash is reported at the page that asked */
				p->redirect = true;
				push_page(s, pages, np, cap, p, d);
				hg_buf_release(&to);
				hg_buf_release(&body);
			}
		}
	}
}

/* The search page comes with the theme: a site in the theme's shell gets it (its header's
 * search box submits to it); a site with a `default` layout of its own has its own look and
 * gets it only when its config says `search: true`. */
static bool wants_search(const hg_site *s)
{
	const hg_value *v = hg_map_get(s->config.raw, "search");
	if (v && v->kind == HG_BOOL)
		return v->as.b;
	/* the theme's own default layout, as this repository holds it, is not a look of its own */
	size_t n;
	const hg_theme_file *files = hg_theme_files(&n);
	const hg_theme_file *theme_default = NULL;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(files[i].path, "templates/layouts/default.html"))
			theme_default = &files[i];
	for (size_t i = 0; i < s->n_layout_dirs; i++) {
		char *html = hg_path_join(s->layout_dirs[i], "default.html");
		char *md = hg_path_join(s->layout_dirs[i], "default.md");
		bool own = hg_fs_is_file(md);
		if (hg_fs_is_file(html)) {
			hg_diags *quiet = hg_diags_new();
			size_t len;
			char *text = hg_fs_read(html, html, 0, &len, quiet);
			own = !text || !theme_default || len != theme_default->len ||
			      memcmp(text, theme_default->data, len) != 0;
			free(text);
			hg_diags_free(quiet);
		}
		free(html);
		free(md);
		if (own)
			return false;
	}
	return true;
}

/* A page for each category and each tag of the posts, at /blog/categories/<slug>/ and
 * /blog/tags/<slug>/, listing its posts (the theme's blog layout does the listing). Two
 * names with one slug ("Open Source", "open-source") share the first one's page. */
static void add_taxonomy_pages(hg_site *s, hg_page ***pages, size_t *np, size_t *cap, hg_diags *d)
{
	hg_arena *a = s->arena;
	const char *keys[] = {"categories", "tags"};
	const char *single[] = {"category", "tag"};
	const char *titles[] = {"Posts in the category", "Posts tagged"};
	size_t n = *np;
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < n; i++) {
			hg_page *p = (*pages)[i];
			if (!p->is_post)
				continue;
			hg_value *list = hg_map_get(p->data, keys[k]);
			for (size_t j = 0; list && j < list->as.list.len; j++) {
				const hg_value *name = list->as.list.items[j];
				hg_buf slug = HG_BUF_INIT;
				hg_slugify(name->as.s.ptr, name->as.s.len, &slug);
				char *url = hg_xasprintf("/blog/%s/%s/", keys[k], slug.ptr);
				if (slug.len && !url_taken(*pages, *np, url)) {
					hg_value *fm = hg_value_map(a);
					fm_set(s, fm, "title", hg_arena_printf(a, "%s \u2018%s\u2019", titles[k], name->as.s.ptr));
					fm_set(s, fm, "layout", "blog");
					fm_set(s, fm, "permalink", url);
					fm_set(s, fm, single[k], name->as.s.ptr);
					hg_map_set(a, fm, "nav_exclude", &hg_true_value);
					hg_map_set(a, fm, "search_exclude", &hg_true_value);
					hg_map_set(a, fm, "render_with_liquid", &hg_false_value);
					char *rel = hg_xasprintf("(%s)/%s.html", keys[k], slug.ptr);
					push_page(s, pages, np, cap, new_generated(s, rel, "", fm), d);
					free(rel);
				}
				free(url);
				hg_buf_release(&slug);
			}
		}
	}
}

static void add_generated_pages(hg_site *s, hg_page ***pages, size_t *np, size_t *cap, hg_diags *d)
{
	add_redirects(s, pages, np, cap, d);
	if (wants_search(s))
		add_taxonomy_pages(s, pages, np, cap, d);
	if (!url_taken(*pages, *np, "/404.html")) {
		hg_value *fm = hg_value_map(s->arena);
		fm_set(s, fm, "title", "Page not found");
		fm_set(s, fm, "layout", "404");
		fm_set(s, fm, "permalink", "/404.html");
		hg_map_set(s->arena, fm, "sitemap", &hg_false_value);
		hg_map_set(s->arena, fm, "search_exclude", &hg_true_value);
		hg_map_set(s->arena, fm, "nav_exclude", &hg_true_value);
		push_page(s, pages, np, cap, new_generated(s, "404.html", "", fm), d);
	}
	if (!url_taken(*pages, *np, "/search/") && wants_search(s)) {
		hg_value *fm = hg_value_map(s->arena);
		fm_set(s, fm, "title", "Search");
		fm_set(s, fm, "layout", "search");
		fm_set(s, fm, "permalink", "/search/");
		hg_map_set(s->arena, fm, "sitemap", &hg_false_value);
		hg_map_set(s->arena, fm, "search_exclude", &hg_true_value);
		hg_map_set(s->arena, fm, "nav_exclude", &hg_true_value);
		push_page(s, pages, np, cap, new_generated(s, "search.html", "", fm), d);
	}
}

/* ==== data files ==== */

static void load_data_dir(hg_site *s, const char *dir, const char *display, hg_value *into, int depth,
			  hg_diags *d)
{
	hg_dirent *items;
	size_t n;
	if (depth > 16 || hg_fs_list(dir, &items, &n) != 0)
		return;
	for (size_t i = 0; i < n; i++) {
		const char *name = items[i].name;
		if (name[0] == '.' || items[i].symlink)
			continue;
		char *path = hg_path_join(dir, name);
		char *disp = hg_path_join(display, name);
		const char *dot = strrchr(name, '.');
		if (items[i].kind == HG_ENTRY_DIR) {
			hg_value *sub = hg_value_map(s->arena);
			hg_map_set(s->arena, into, name, sub);
			load_data_dir(s, path, disp, sub, depth + 1, d);
		} else if (dot && (!strcmp(dot, ".yml") || !strcmp(dot, ".yaml") || !strcmp(dot, ".json"))) {
			size_t len;
			char *text = hg_fs_read(path, disp, s->config.max_file_size, &len, d);
			if (text && hg_utf8_check(text, len, disp, NULL, d)) {
				hg_value *v = hg_yaml_parse(s->arena, text, len, disp, 1, d);
				if (v)
					hg_map_setn(s->arena, into, name, (size_t)(dot - name), v);
			}
			free(text);
		}
		free(path);
		free(disp);
	}
	hg_fs_list_free(items, n);
}

/* ==== the site object ==== */

static void build_site_value(hg_site *s, hg_value *data)
{
	hg_arena *a = s->arena;
	hg_value *sv = hg_value_map(a);
	hg_map_merge(a, sv, s->config.raw);
	hg_map_set(a, sv, "title", hg_value_cstr(a, s->config.title ? s->config.title : ""));
	hg_map_set(a, sv, "description", hg_value_cstr(a, s->config.description ? s->config.description : ""));
	hg_map_set(a, sv, "url", hg_value_cstr(a, s->config.url));
	hg_map_set(a, sv, "baseurl", hg_value_cstr(a, s->config.baseurl));
	hg_map_set(a, sv, "time", hg_value_time(a, s->now));
	hg_map_set(a, sv, "data", data);

	/* site.pages in source order, as Jekyll; posts newest first */
	hg_page **by_rel = hg_xmalloc((s->n_pages + 1) * sizeof *by_rel);
	memcpy(by_rel, s->pages, s->n_pages * sizeof *by_rel);
	qsort(by_rel, s->n_pages, sizeof *by_rel, rel_cmp);
	hg_value *pages = hg_value_list(a), *html_pages = hg_value_list(a);
	for (size_t i = 0; i < s->n_pages; i++) {
		if (by_rel[i]->is_post || by_rel[i]->generated)
			continue; /* hubgen's own pages (404, search, redirects) are not the site's */
		hg_list_push(a, pages, by_rel[i]->data);
		if (hg_ends_with(by_rel[i]->out_path, ".html"))
			hg_list_push(a, html_pages, by_rel[i]->data);
	}
	free(by_rel);
	hg_map_set(a, sv, "pages", pages);
	hg_map_set(a, sv, "html_pages", html_pages);

	hg_value *posts = hg_value_list(a);
	hg_value *cats = hg_value_map(a), *tags = hg_value_map(a);
	for (size_t i = 0; i < s->n_posts; i++) {
		hg_value *pv = s->posts[i]->data;
		hg_list_push(a, posts, pv);
		const char *keys[] = {"categories", "tags"};
		hg_value *into[] = {cats, tags};
		for (int k = 0; k < 2; k++) {
			hg_value *l = hg_map_get(pv, keys[k]);
			for (size_t j = 0; l && j < l->as.list.len; j++) {
				hg_value *name = l->as.list.items[j];
				hg_value *bucket = hg_map_getn(into[k], name->as.s.ptr, name->as.s.len);
				if (!bucket) {
					bucket = hg_value_list(a);
					hg_map_setn(a, into[k], name->as.s.ptr, name->as.s.len, bucket);
				}
				hg_list_push(a, bucket, pv);
			}
		}
	}
	hg_map_set(a, sv, "posts", posts);
	hg_map_set(a, sv, "categories", cats);
	hg_map_set(a, sv, "tags", tags);

	hg_value *files = hg_value_list(a);
	for (size_t i = 0; i < s->n_statics; i++) {
		hg_value *f = hg_value_map(a);
		hg_map_set(a, f, "path", hg_value_cstr(a, hg_arena_printf(a, "/%s", s->statics[i].out_path)));
		hg_list_push(a, files, f);
	}
	hg_map_set(a, sv, "static_files", files);
	s->site_value = sv;
}

static hg_time build_time(void)
{
	hg_time t = {0};
	t.has_time = true;
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	if (sde && *sde) {
		char *end;
		long long v = strtoll(sde, &end, 10);
		if (!*end) {
			t.secs = v;
			return t;
		}
	}
	t.secs = (int64_t)time(NULL);
	return t;
}

/* ==== load ==== */

hg_site *hg_site_load(const hg_build_options *opt, hg_diags *d)
{
	hg_site *s = hg_xcalloc(1, sizeof *s);
	s->arena = hg_arena_new();
	hg_arena *a = s->arena;
	s->opt = *opt;
	s->source = hg_arena_strdup(a, opt->source && *opt->source ? opt->source : ".");
	s->now = build_time();

	if (!hg_fs_is_dir(s->source)) {
		hg_error(d, NULL, 0, 0, "source folder '%s' does not exist", s->source);
		hg_site_free(s);
		return NULL;
	}
	char *hub = hg_path_join(s->source, "hub.yml");
	char *content = hg_path_join(s->source, "content");
	if (hg_fs_is_file(hub))
		s->style = HG_STYLE_HUB;
	else if (hg_fs_is_dir(content))
		s->style = HG_STYLE_HUGO;
	else
		s->style = HG_STYLE_JEKYLL;
	free(hub);
	free(content);

	if (!load_config(s, d)) {
		hg_site_free(s);
		return NULL;
	}
	if (opt->base_url) {
		hg_buf b = HG_BUF_INIT;
		if (!hg_base_url_normalize(opt->base_url, &b)) {
			hg_error(d, NULL, 0, 0, "--base-url must be a path such as /hub/, not '%s'", opt->base_url);
			hg_buf_release(&b);
			hg_site_free(s);
			return NULL;
		}
		s->config.baseurl = hg_arena_strndup(a, b.ptr, b.len);
		hg_buf_release(&b);
	}

	char *dest = opt->destination && *opt->destination ? hg_xstrdup(opt->destination)
							    : hg_path_join(s->source, "_site");
	s->dest = hg_arena_strdup(a, dest);
	free(dest);

	/* where things are, by convention */
	const char *pages_root, *layouts[2], *includes[2], *data_dir;
	const char *static_mounts[2][2] = {{NULL, NULL}, {NULL, NULL}}; /* folder, output prefix */
	size_t nl = 0, ni = 0;
	switch (s->style) {
	case HG_STYLE_HUB:
		pages_root = "content";
		layouts[nl++] = "templates/layouts";
		includes[ni++] = "templates/includes";
		data_dir = "data";
		static_mounts[0][0] = "assets";
		static_mounts[0][1] = "assets";
		break;
	case HG_STYLE_HUGO:
		pages_root = "content";
		layouts[nl++] = "templates/layouts";
		includes[ni++] = "templates/includes";
		data_dir = "data";
		static_mounts[0][0] = "static"; /* Hugo copies static/ to the site root */
		static_mounts[0][1] = "";
		static_mounts[1][0] = "assets";
		static_mounts[1][1] = "assets";
		break;
	default:
		pages_root = ".";
		layouts[nl++] = "_layouts";
		includes[ni++] = "_includes";
		data_dir = "_data";
		break;
	}
	{
		char *pr = hg_path_join(s->source, pages_root);
		s->pages_root = hg_arena_strdup(a, pr);
		free(pr);
	}
	s->layout_dirs = hg_arena_alloc(a, sizeof(char *) * nl);
	for (size_t i = 0; i < nl; i++) {
		char *p = hg_path_join(s->source, layouts[i]);
		s->layout_dirs[s->n_layout_dirs++] = hg_arena_strdup(a, p);
		free(p);
	}
	s->include_dirs = hg_arena_alloc(a, sizeof(char *) * ni);
	for (size_t i = 0; i < ni; i++) {
		char *p = hg_path_join(s->source, includes[i]);
		s->include_dirs[s->n_include_dirs++] = hg_arena_strdup(a, p);
		free(p);
	}

	/* scan */
	scan sc = {.s = s, .d = d};
	char *real_source = hg_fs_realpath(s->source);
	char *real_dest = hg_fs_realpath(s->dest);
	sc.real_source = real_source;
	sc.real_dest = real_dest;
	if (real_dest && real_source && hg_path_inside(real_source, real_dest)) {
		hg_error(d, NULL, 0, 0, "the destination '%s' holds the source folder; choose another", s->dest);
		free(real_source);
		free(real_dest);
		hg_site_free(s);
		return NULL;
	}
	{
		char *root = hg_path_join(s->source, pages_root);
		if (hg_fs_is_dir(root))
			walk(&sc, root, "", root, "", true, 0);
		free(root);
	}
	for (int m = 0; m < 2 && static_mounts[m][0]; m++) {
		char *dir = hg_path_join(s->source, static_mounts[m][0]);
		if (hg_fs_is_dir(dir))
			walk(&sc, dir, "", dir, static_mounts[m][1], false, 0);
		free(dir);
	}

	/* load and model */
	hg_page **pages = NULL;
	size_t np = 0, pcap = 0;
	hg_static *statics = NULL;
	size_t ns = 0, scap = 0;
	for (size_t i = 0; i < sc.n; i++) {
		struct found *f = &sc.items[i];
		const char *name = strrchr(f->rel, '/');
		name = name ? name + 1 : f->rel;
		bool candidate = f->page_root && (is_markdown_name(name) || is_html_name(name));
		hg_page *p = NULL;
		if (candidate) {
			size_t before = hg_diags_count(d, HG_ERROR);
			p = load_page(s, f, d);
			if (!p && hg_diags_count(d, HG_ERROR) > before)
				goto next; /* reported: not copied either */
		}
		if (p) {
			if (model_page(s, p, d)) {
				HG_GROW(pages, pcap, np + 1);
				pages[np++] = p;
			} else {
				free(p->text);
				p->text = NULL;
			}
		} else if (!(f->page_root && is_markdown_name(name))) {
			HG_GROW(statics, scap, ns + 1);
			statics[ns++] = (hg_static){hg_arena_strdup(a, f->fs_path),
						    hg_arena_printf(a, "%s%s%s", f->out_prefix, *f->out_prefix ? "/" : "",
								    f->rel),
						    hg_arena_strdup(a, f->display)};
		}
	next:
		free(f->fs_path);
		free(f->rel);
		free(f->display);
	}
	free(sc.items);
	free(real_source);
	free(real_dest);

	add_generated_pages(s, &pages, &np, &pcap, d);
	qsort(pages, np, sizeof *pages, page_cmp);
	if (ns > 1)
		qsort(statics, ns, sizeof *statics, static_cmp);
	s->pages = hg_arena_alloc(a, (np + 1) * sizeof *pages);
	if (np)
		memcpy(s->pages, pages, np * sizeof *pages);
	s->n_pages = np;
	free(pages);
	s->statics = hg_arena_alloc(a, (ns + 1) * sizeof *statics);
	if (ns)
		memcpy(s->statics, statics, ns * sizeof *statics);
	s->n_statics = ns;
	free(statics);

	/* two sources, one output: an error naming both */
	for (size_t i = 1; i < s->n_pages; i++)
		if (!strcmp(s->pages[i - 1]->out_path, s->pages[i]->out_path))
			hg_error(d, s->pages[i]->display, 0, 0, "'%s' is also written by %s", s->pages[i]->out_path,
				 s->pages[i - 1]->display);
	for (size_t i = 0, j = 0; i < s->n_statics && j < s->n_pages;) {
		int c = strcmp(s->statics[i].out_path, s->pages[j]->out_path);
		if (c == 0)
			hg_error(d, s->statics[i].display, 0, 0, "'%s' is also written by %s", s->statics[i].out_path,
				 s->pages[j]->display);
		if (c <= 0)
			i++;
		else
			j++;
	}

	/* posts, newest first */
	s->posts = hg_arena_alloc(a, (s->n_pages + 1) * sizeof(hg_page *));
	for (size_t i = 0; i < s->n_pages; i++)
		if (s->pages[i]->is_post)
			s->posts[s->n_posts++] = s->pages[i];
	qsort(s->posts, s->n_posts, sizeof(hg_page *), post_cmp);

	hg_value *data = hg_value_map(a);
	{
		char *dd = hg_path_join(s->source, data_dir);
		if (hg_fs_is_dir(dd))
			load_data_dir(s, dd, dd, data, 0, d);
		free(dd);
	}
	build_site_value(s, data);
	/* every title, URL and order is known: the texts go until each page renders */
	for (size_t i = 0; i < s->n_pages; i++)
		if (s->pages[i]->src_path) {
			free(s->pages[i]->text);
			s->pages[i]->text = NULL;
		}
	return s;
}

char *hg_page_text(const hg_site *s, const hg_page *p, hg_diags *d)
{
	if (p->text)
		return p->text;
	size_t len;
	char *text = hg_fs_read(p->src_path, p->display, s->config.max_file_size, &len, d);
	if (!text)
		return NULL;
	/* repaired as at load time; its warning was given then */
	hg_diags *quiet = hg_diags_new();
	hg_buf fixed = HG_BUF_INIT;
	hg_utf8_check(text, len, p->display, &fixed, quiet);
	hg_diags_free(quiet);
	if (fixed.len) {
		free(text);
		text = hg_buf_detach(&fixed, &len);
	}
	hg_buf_release(&fixed);
	if (len != p->text_len) {
		hg_error(d, p->display, 0, 0, "the file changed while the site was being built");
		hg_diag_note(d, "hint: build again");
		free(text);
		return NULL;
	}
	return text;
}

void hg_page_text_free(const hg_page *p, char *text)
{
	if (text != p->text)
		free(text);
}

void hg_site_free(hg_site *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_pages; i++)
		free(s->pages[i]->text);
	hg_arena_free(s->arena);
	free(s);
}

hg_page *hg_site_find_page(const hg_site *s, const char *rel)
{
	for (size_t i = 0; i < s->n_pages; i++)
		if (!strcmp(s->pages[i]->rel, rel))
			return s->pages[i];
	return NULL;
}
