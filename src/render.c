#include "render.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontmatter.h"
#include "fs.h"
#include "generate.h"
#include "links.h"
#include "liquid.h"
#include "markdown.h"
#include "shortcodes.h"
#include "theme.h"
#include "url.h"
#include "yamlval.h"

#include "banned.h"

/* The layout a page gets when the site has none at all: a plain, valid HTML5 document. */
static const char builtin_layout[] =
	"<!DOCTYPE html>\n"
	"<html lang=\"en\">\n"
	"<head>\n"
	"<meta charset=\"utf-8\">\n"
	"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	"<title>{{ page.title | escape }}{% if site.title != \"\" %} - {{ site.title | escape }}{% endif %}</title>\n"
	"</head>\n"
	"<body>\n"
	"<main>\n"
	"{{ content }}\n"
	"</main>\n"
	"</body>\n"
	"</html>\n";

typedef struct layout {
	const char *name;    /* "default", "docs/wide" */
	const char *display; /* file, for messages */
	hg_value *fm;        /* its front matter (the `layout` object) */
	const hg_template *tpl;
	const char *parent_name;
	unsigned parent_line, parent_col;
	struct layout *parent;
} layout;

typedef struct include {
	const char *name; /* "note.html", "nav/side.html" */
	const hg_template *tpl;
} include;

typedef struct renderer {
	hg_site *site;
	const hg_nav *nav;
	hg_diags *d;
	hg_output *out;
	layout *layouts;
	size_t n_layouts, cap_layouts;
	const char **unreadable; /* names of the site's layouts that failed to parse */
	size_t n_unreadable, cap_unreadable;
	include *includes;
	size_t n_includes, cap_includes;
	hg_page **by_rel; /* pages sorted by source path, for link lookups */
	hg_liquid_host host;
	hg_liquid_limits limits;
	hg_md_options md;
	atomic_size_t next;
	size_t n_tasks;
	size_t *order; /* pages in the order they are rendered: the user's, then hubgen's own */
	const hg_theme_file **theme_assets; /* embedded assets this site gets, after its statics */
	size_t n_theme_assets;
	hg_linkmap *links;
	hg_linkmap *check;        /* every output the build writes, for the checker (after a run) */
	hg_arena *kept;           /* the workers' keep arenas, once they are done */
	hg_page_refs *refs;       /* per page, for the link checker */
	hg_search_entry *search;  /* per page, for the search index */
	char **records;           /* per page, its search-index record (hg_renderer_page) */
	atomic_bool used_relative; /* some page used include_relative: a page's text may show
	                            * in another page (hg_renderer_page) */
	struct include_cache {    /* {% include_cached %} outputs, shared by the workers */
		pthread_mutex_t lock;
		hg_arena *arena;
		struct cached {
			const char *key, *text; /* key NULL: empty slot */
			size_t klen, len;
			uint64_t hash;
		} *slots;
		size_t cap, len;
	} cache;
} renderer;

/* ==== layouts and includes, read once ==== */

/* Reads one template file (optionally with front matter) and parses it. */
static bool load_template(renderer *r, const char *text, size_t len, const char *display, hg_value **fm_out,
			  const hg_template **tpl_out)
{
	hg_site *s = r->site;
	hg_fm_split sp;
	if (!hg_utf8_check(text, len, display, NULL, r->d) || !hg_frontmatter_split(text, len, display, &sp, r->d))
		return false;
	hg_value *fm = NULL;
	size_t body = 0;
	unsigned line = 1;
	if (sp.kind == HG_FM_YAML) {
		fm = hg_yaml_parse(s->arena, text + sp.fm_off, sp.fm_len, display, sp.fm_line, r->d);
		if (!fm)
			return false;
		body = sp.body_off;
		line = sp.body_line;
	}
	if (!fm || fm->kind != HG_MAP)
		fm = hg_value_map(s->arena);
	/* the template keeps pointers into its text: copy it into the arena */
	const char *copy = hg_arena_strndup(s->arena, text + body, len - body);
	hg_template *t = hg_liquid_parse(s->arena, copy, len - body, display, line, r->d);
	if (!t)
		return false;
	*fm_out = fm;
	*tpl_out = t;
	return true;
}

static bool is_template_file(const char *name)
{
	return hg_ends_with(name, ".html") || hg_ends_with(name, ".htm") || hg_ends_with(name, ".xml") ||
	       hg_ends_with(name, ".md") || hg_ends_with(name, ".liquid") || hg_ends_with(name, ".txt") ||
	       hg_ends_with(name, ".json") || hg_ends_with(name, ".svg");
}

typedef struct tfile {
	char *rel;     /* relative to the folder */
	char *display;
	char *text;
	size_t len;
} tfile;

static void collect(const char *dir, const char *rel_dir, const char *real_source, tfile **files, size_t *n,
		    size_t *cap, int depth, hg_diags *d)
{
	hg_dirent *items;
	size_t count;
	if (depth > 16 || hg_fs_list(dir, &items, &count) != 0)
		return;
	for (size_t i = 0; i < count; i++) {
		if (items[i].name[0] == '.')
			continue;
		char *path = hg_path_join(dir, items[i].name);
		char *rel = *rel_dir ? hg_xasprintf("%s/%s", rel_dir, items[i].name) : hg_xstrdup(items[i].name);
		/* issue 8: a link out of the source (_includes/x.html -> /etc/passwd) would let
		 * {% include %} publish any file; a link to a folder above it would loop */
		const char *why = items[i].symlink ? hg_fs_link_refusal(path, dir, real_source) : NULL;
		if (why) {
			hg_warn(d, path, 0, 0, "%s", why);
			free(rel);
		} else if (items[i].kind == HG_ENTRY_DIR) {
			collect(path, rel, real_source, files, n, cap, depth + 1, d);
			free(rel);
		} else if (items[i].kind == HG_ENTRY_FILE && is_template_file(items[i].name)) {
			size_t len;
			char *text = hg_fs_read(path, path, 4 * 1024 * 1024, &len, d);
			if (text) {
				HG_GROW(*files, *cap, *n + 1);
				(*files)[(*n)++] = (tfile){rel, hg_xstrdup(path), text, len};
			} else {
				free(rel);
			}
		} else {
			free(rel);
		}
		free(path);
	}
	hg_fs_list_free(items, count);
}

static layout *find_layout(renderer *r, const char *name)
{
	for (size_t i = 0; i < r->n_layouts; i++)
		if (!strcmp(r->layouts[i].name, name))
			return &r->layouts[i];
	return NULL;
}

static int include_cmp(const void *a, const void *b)
{
	return strcmp(((const include *)a)->name, ((const include *)b)->name);
}

/* Site files first, then the embedded theme: a site overrides the theme path by path. */
static void load_folder_set(renderer *r, const char **dirs, size_t n_dirs, const char *theme_prefix, bool layouts)
{
	hg_site *s = r->site;
	tfile *files = NULL;
	size_t n = 0, cap = 0;
	char *real_source = hg_fs_realpath(s->source), *real;
	for (size_t i = 0; i < n_dirs; i++) {
		/* issue 8: a template folder that is itself a link out of the source (or out of
		 * the mount it belongs to) is not read */
		if ((real = hg_fs_realpath(dirs[i])) && (!real_source || !hg_site_template_folder_ok(s, real)))
			hg_warn(r->d, dirs[i], 0, 0, "folder leads outside the source folder (a symbolic link); not read");
		else
			collect(dirs[i], "", real_source, &files, &n, &cap, 0, r->d);
		free(real);
	}
	free(real_source);
	size_t n_site = n;
	size_t n_theme;
	const hg_theme_file *theme = hg_theme_files(&n_theme);
	size_t plen = strlen(theme_prefix);
	for (size_t i = 0; i < n_theme; i++) {
		if (strncmp(theme[i].path, theme_prefix, plen) != 0)
			continue;
		HG_GROW(files, cap, n + 1);
		files[n++] = (tfile){hg_xstrdup(theme[i].path + plen), hg_xasprintf("(theme)/%s", theme[i].path),
				     hg_xstrndup((const char *)theme[i].data, theme[i].len), theme[i].len};
	}
	for (size_t i = 0; i < n; i++) {
		tfile *f = &files[i];
		char *name = f->rel;
		if (layouts) {
			char *dot = strrchr(name, '.');
			if (dot)
				*dot = '\0';
		}
		bool shadowed = false;
		if (i >= n_site) {
			for (size_t k = 0; k < n_site && !shadowed; k++)
				shadowed = !strcmp(files[k].rel, name);
		} else if (n_dirs > 1) {
			/* a mount's include of the same name as the site's (or an earlier mount's) */
			for (size_t k = 0; k < i && !shadowed; k++)
				shadowed = !strcmp(files[k].rel, name);
		}
		if (!shadowed) {
			if (layouts && find_layout(r, name))
				shadowed = true; /* default.html and default.md: the first wins */
		}
		hg_value *fm;
		const hg_template *tpl;
		if (!shadowed && !load_template(r, f->text, f->len, f->display, &fm, &tpl)) {
			if (layouts) {
				HG_GROW(r->unreadable, r->cap_unreadable, r->n_unreadable + 1);
				r->unreadable[r->n_unreadable++] = hg_arena_strdup(s->arena, name);
			}
		} else if (!shadowed) {
			if (layouts) {
				HG_GROW(r->layouts, r->cap_layouts, r->n_layouts + 1);
				layout *l = &r->layouts[r->n_layouts++];
				memset(l, 0, sizeof *l);
				l->name = hg_arena_strdup(s->arena, name);
				l->display = hg_arena_strdup(s->arena, f->display);
				l->fm = fm;
				l->tpl = tpl;
				hg_value *pv = hg_map_get(fm, "layout");
				if (pv && pv->kind == HG_STRING && pv->as.s.len && strcmp(pv->as.s.ptr, "none")) {
					l->parent_name = pv->as.s.ptr;
					l->parent_line = pv->line;
					l->parent_col = pv->col;
				}
			} else {
				HG_GROW(r->includes, r->cap_includes, r->n_includes + 1);
				r->includes[r->n_includes++] = (include){hg_arena_strdup(s->arena, name), tpl};
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		free(files[i].rel);
		free(files[i].display);
		free(files[i].text);
	}
	free(files);
}

/* Whether the site has a layout of that name that failed to parse (its error is reported:
 * "unknown layout" everywhere it is named would only bury it). */
static bool layout_unreadable(const renderer *r, const char *name)
{
	for (size_t i = 0; i < r->n_unreadable; i++)
		if (!strcmp(r->unreadable[i], name))
			return true;
	return false;
}

/* A layout the site names but does not have, in a site built for a Jekyll theme
 * (theme: or remote_theme:), most likely comes from that theme, which hubgen does not use:
 * Jekyll itself only warns when a layout is missing. So it is a warning, and the page (or
 * layout) goes on without it. Returns false when the site names no theme: then a missing
 * layout is a mistake, and an error. */
static bool missing_theme_layout(renderer *r, const char *path, unsigned line, unsigned col, const char *name)
{
	const char *theme = r->site->config.theme;
	if (!theme || hg_starts_with(path, "(theme)/") || layout_unreadable(r, name))
		return false;
	hg_warn(r->d, path, line, col, "layout '%s' is not in the site; theme '%s' may have it, but hubgen does not use it",
		name, theme);
	hg_diag_kind(r->d, "theme");
	hg_diag_note(r->d, "hint: a page then gets the layout it would get without one (page, else default); "
			   "a layout goes on without its parent");
	return true;
}

static void load_theme(renderer *r)
{
	load_folder_set(r, r->site->layout_dirs, r->site->n_layout_dirs, "templates/layouts/", true);
	load_folder_set(r, r->site->include_dirs, r->site->n_include_dirs, "templates/includes/", false);
	if (r->n_includes > 1)
		qsort(r->includes, r->n_includes, sizeof *r->includes, include_cmp);
	/* the built-in plain layout, under a name no file can take */
	hg_template *t = hg_liquid_parse(r->site->arena, builtin_layout, sizeof builtin_layout - 1, "(built-in layout)",
					 1, r->d);
	if (t) {
		HG_GROW(r->layouts, r->cap_layouts, r->n_layouts + 1);
		r->layouts[r->n_layouts++] =
			(layout){" plain", "(built-in layout)", hg_value_map(r->site->arena), t, NULL, 0, 0, NULL};
	}
	/* link each layout to its parent; a missing parent or a cycle is an error */
	for (size_t i = 0; i < r->n_layouts; i++) {
		layout *l = &r->layouts[i];
		if (!l->parent_name)
			continue;
		l->parent = find_layout(r, l->parent_name);
		if (!l->parent && !layout_unreadable(r, l->parent_name) &&
		    !missing_theme_layout(r, l->display, l->parent_line, l->parent_col, l->parent_name))
			hg_error(r->d, l->display, l->parent_line, l->parent_col, "unknown layout '%s'", l->parent_name);
	}
	for (size_t i = 0; i < r->n_layouts; i++) {
		size_t steps = 0;
		for (layout *l = &r->layouts[i]; l; l = l->parent) {
			if (++steps > r->n_layouts) {
				hg_error(r->d, r->layouts[i].display, r->layouts[i].parent_line, r->layouts[i].parent_col,
					 "layout '%s' names itself through its chain of layouts", r->layouts[i].name);
				r->layouts[i].parent = NULL;
				break;
			}
		}
	}
}

/* The layout a page renders in, or NULL for none. An unknown name is an error. */
static layout *page_layout(renderer *r, const hg_page *p, bool *bad)
{
	*bad = false;
	if (p->layout_given) {
		if (!p->layout)
			return NULL;
		layout *l = find_layout(r, p->layout);
		if (l)
			return l;
		hg_value *lv = hg_map_get(p->fm, "layout");
		if (layout_unreadable(r, p->layout)) {
			*bad = true;
			return NULL;
		}
		if (p->mounted) {
			/* a mount's layouts are not read: its pages take the site's */
			hg_warn(r->d, p->display, lv ? lv->line : 0, lv ? lv->col : 0,
				"layout '%s' is not in the site; a mounted folder's pages use the site's layouts",
				p->layout);
			hg_diag_note(r->d, "hint: the page gets the layout it would get without one (page, else default)");
		} else if (!missing_theme_layout(r, p->display, lv ? lv->line : 0, lv ? lv->col : 0, p->layout)) {
			hg_error(r->d, p->display, lv ? lv->line : 0, lv ? lv->col : 0, "unknown layout '%s'", p->layout);
			*bad = true;
			return NULL;
		}
	}
	/* No layout named: the layout for the page's kind (post, home, section), else page,
	 * else default — first among the site's own layouts, then the theme's — so a site with
	 * its own layouts keeps its look, and a folder of bare Markdown gets the whole theme. */
	const char *kind = p->is_post ? "post" : !strcmp(p->url, "/") ? "home" : p->is_section ? "section" : NULL;
	const char *chain[] = {kind, "page", "default"};
	for (int theme = 0; theme < 2; theme++)
		for (size_t k = 0; k < HG_ARRAY_LEN(chain); k++) {
			if (!chain[k])
				continue;
			layout *l = find_layout(r, chain[k]);
			if (l && hg_starts_with(l->display, "(theme)/") == (theme == 1))
				return l;
		}
	return find_layout(r, " plain");
}

/* ==== Liquid host callbacks ==== */

static const hg_template *host_find_include(void *ud, const char *name, size_t len)
{
	renderer *r = ud;
	size_t lo = 0, hi = r->n_includes;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const char *k = r->includes[mid].name;
		int c = strncmp(k, name, len);
		if (c == 0 && k[len] != '\0')
			c = 1;
		if (c == 0)
			return r->includes[mid].tpl;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void host_markdownify(void *ud, const char *src, size_t len, hg_buf *out)
{
	renderer *r = ud;
	hg_arena *a = hg_arena_new();
	hg_md_doc doc;
	hg_md_options o = r->md;
	o.rewrite_link = NULL;
	hg_markdown_render(src, len, &o, a, &doc);
	hg_buf_add(out, doc.html, doc.html_len);
	hg_arena_free(a);
}

static int by_rel_cmp(const void *a, const void *b)
{
	return strcmp((*(hg_page *const *)a)->rel, (*(hg_page *const *)b)->rel);
}

static hg_page *page_by_rel(const renderer *r, const char *rel, size_t len)
{
	size_t lo = 0, hi = r->site->n_pages;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const char *k = r->by_rel[mid]->rel;
		int c = strncmp(k, rel, len);
		if (c == 0 && k[len] != '\0')
			c = 1;
		if (c == 0)
			return r->by_rel[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static bool host_link(void *ud, const char *path, size_t len, hg_buf *out)
{
	renderer *r = ud;
	while (len && *path == '/') {
		path++;
		len--;
	}
	hg_page *p = page_by_rel(r, path, len);
	if (!p)
		return false;
	hg_url_with_base(r->site->config.baseurl, p->url, out);
	return true;
}

static bool host_post_url(void *ud, const char *name, size_t len, hg_buf *out)
{
	renderer *r = ud;
	for (size_t i = 0; i < r->site->n_posts; i++) {
		const hg_page *p = r->site->posts[i];
		const char *base = strrchr(p->rel, '/');
		base = base ? base + 1 : p->rel;
		if (!strncmp(base, name, len) && (base[len] == '.' || base[len] == '\0')) {
			hg_url_with_base(r->site->config.baseurl, p->url, out);
			return true;
		}
	}
	return false;
}

/* Jekyll's include_relative: a file beside the page being rendered (in its source folder,
 * or a folder below it), read and parsed on each use into the render's scratch arena; not
 * outside the site's folder or the page's mount. A missing file gives NULL and no message
 * (the tag says "not found" at its place); an unreadable or unparsable one, its error. */
static const hg_template *host_find_relative(void *ud, const char *page_path, const char *name, size_t len,
					     hg_arena *scratch, hg_diags *d)
{
	renderer *r = ud;
	atomic_store(&r->used_relative, true);
	const hg_page *p = page_by_rel(r, page_path, strlen(page_path));
	if (!p || !p->src_path)
		return NULL;
	const char *slash = strrchr(p->src_path, '/');
	const char *dslash = strrchr(p->display, '/');
	char *path = hg_xasprintf("%.*s%.*s", slash ? (int)(slash - p->src_path + 1) : 0, p->src_path, (int)len, name);
	char *display =
	    hg_xasprintf("%.*s%.*s", dslash ? (int)(dslash - p->display + 1) : 0, p->display, (int)len, name);
	const hg_template *t = NULL;
	char *real = hg_fs_realpath(path);
	size_t n;
	char *text = NULL;
	if (real && hg_fs_is_file(path) && hg_site_template_folder_ok(r->site, real) &&
	    (text = hg_fs_read(path, display, r->site->config.max_file_size, &n, d)) &&
	    hg_utf8_check(text, n, display, NULL, d)) {
		/* the template keeps pointers into its text */
		const char *copy = hg_arena_strndup(scratch, text, n);
		t = hg_liquid_parse(scratch, copy, n, hg_arena_strdup(scratch, display), 1, d);
	}
	free(text);
	free(real);
	free(path);
	free(display);
	return t;
}

/* ==== include_cached ====
 * One table for the whole build, under a lock: a page asks it once or twice (the header's
 * navigation), so the lock is never busy, and one table means each output is rendered
 * once rather than once per worker. */
static struct cached *cache_slot(struct include_cache *c, const char *key, size_t klen, uint64_t h)
{
	size_t mask = c->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct cached *e = &c->slots[i];
		if (!e->key || (e->hash == h && e->klen == klen && !memcmp(e->key, key, klen)))
			return e;
	}
}

static void cache_grow(struct include_cache *c)
{
	struct cached *old = c->slots;
	size_t old_cap = c->cap;
	c->cap = old_cap ? old_cap * 2 : 64;
	c->slots = hg_xcalloc(c->cap, sizeof *c->slots);
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].key)
			*cache_slot(c, old[i].key, old[i].klen, old[i].hash) = old[i];
	free(old);
}

static bool host_cache_get(void *ud, const char *key, size_t klen, hg_buf *out)
{
	struct include_cache *c = &((renderer *)ud)->cache;
	uint64_t h = hg_hash(key, klen);
	pthread_mutex_lock(&c->lock);
	struct cached *e = c->cap ? cache_slot(c, key, klen, h) : NULL;
	bool hit = e && e->key;
	if (hit)
		hg_buf_add(out, e->text, e->len); /* under the lock: the table may grow */
	pthread_mutex_unlock(&c->lock);
	return hit;
}

static void host_cache_put(void *ud, const char *key, size_t klen, const char *text, size_t len)
{
	struct include_cache *c = &((renderer *)ud)->cache;
	uint64_t h = hg_hash(key, klen);
	pthread_mutex_lock(&c->lock);
	if ((c->len + 1) * 2 > c->cap)
		cache_grow(c);
	struct cached *e = cache_slot(c, key, klen, h);
	if (!e->key) { /* two workers may render the same key at once: the first one stays */
		*e = (struct cached){hg_arena_strndup(c->arena, key, klen), hg_arena_strndup(c->arena, text, len),
				     klen, len, h};
		c->len++;
	}
	pthread_mutex_unlock(&c->lock);
}

/* ==== one page ==== */

/* The layout's references (navigation, stylesheets, scripts) stand on every page: each
 * worker keeps one copy of each root-relative one with no place in a source file, and counts
 * the pages that repeated it. This keeps memory flat in the number of pages. */
typedef struct seen_set {
	struct seen {
		const char *url; /* NULL: empty */
		uint64_t hash;
		uint32_t repeats;
		uint32_t *cell; /* the kept reference's counter, filled in when rendering is done */
	} *slots;
	size_t cap, len;
} seen_set;

typedef struct worker {
	renderer *r;
	seen_set seen;
	hg_arena *scratch;
	hg_arena *keep; /* what outlives the page: its references, for the link checker */
	hg_buf a, b;
	hg_buf *capture; /* the page's HTML goes here instead of to the output (hg_renderer_page) */
	size_t pages, statics;
} worker;

static hg_value *globals(hg_arena *a, const hg_page *p, const hg_site *s, hg_value *hub, const char *content,
			 size_t len, const hg_value *layout_fm)
{
	hg_value *g = hg_value_map(a);
	hg_map_set(a, g, "page", p->data);
	hg_map_set(a, g, "site", s->site_value);
	hg_map_set(a, g, "hub", hub);
	if (content)
		hg_map_set(a, g, "content", hg_value_string_borrow(a, content, len));
	if (layout_fm)
		hg_map_set(a, g, "layout", (hg_value *)layout_fm);
	if (p->paginator)
		hg_map_set(a, g, "paginator", p->paginator);
	return g;
}

/* The contents list: level-2 headings, only when there are at least two. */
static hg_value *toc_value(hg_arena *a, const hg_md_doc *doc)
{
	size_t n = 0;
	for (size_t i = 0; i < doc->n_headings; i++)
		n += doc->headings[i].level == 2 && !doc->headings[i].no_toc;
	if (n < 2)
		return &hg_null_value;
	hg_value *list = hg_value_list(a);
	for (size_t i = 0; i < doc->n_headings; i++) {
		if (doc->headings[i].level != 2 || doc->headings[i].no_toc)
			continue;
		hg_value *h = hg_value_map(a);
		hg_map_set(a, h, "id", hg_value_cstr(a, doc->headings[i].id));
		hg_map_set(a, h, "text", hg_value_cstr(a, doc->headings[i].text));
		hg_list_push(a, list, h);
	}
	return list;
}

typedef struct page_ctx {
	const renderer *r;
	const hg_page *p;
} page_ctx;

static bool rewrite_link(void *ud, const char *url, bool image, hg_buf *out)
{
	page_ctx *c = ud;
	(void)image;
	return hg_link_rewrite(c->r->links, c->p, url, out);
}

/* The first needle (n > 0 bytes) in text[from, to), scanning no more bytes than
 * *budget holds (what it scans is taken from it); NULL when none is found within. memchr
 * reads only as far as it must, where strstr measures the whole rest of the text first
 * (always, under ASan), which made a page of many links quadratic. */
static const char *find_within(const char *text, size_t len, size_t from, size_t to, const char *needle, size_t n,
			       size_t *budget)
{
	if (to > len)
		to = len;
	if (from >= to)
		return NULL;
	if (to - from > *budget)
		to = from + *budget;
	const char *p = text + from, *stop = text + to, *hit = NULL;
	while (p < stop && (p = memchr(p, needle[0], (size_t)(stop - p)))) {
		if ((size_t)(text + len - p) >= n && !memcmp(p, needle, n)) {
			hit = p;
			break;
		}
		p++;
	}
	size_t scanned = (size_t)((hit ? hit : stop) - (text + from));
	*budget -= scanned < *budget ? scanned : *budget;
	return hit;
}

/* Gives each reference found in the page's HTML the place it was written. Only references
 * that stand in the page's content (content_refs, scanned before the layouts) can have one:
 * a Markdown link's own position, else where its text first appears in the source file.
 * The rest came from a layout or an include and have none (the checker reports those once
 * for all the pages they appear on). */
static void locate_refs(const hg_page *p, const char *text, const hg_md_doc *doc, const hg_page_refs *content_refs,
			hg_page_refs *refs, const renderer *r, hg_arena *a, hg_arena *scratch)
{
	size_t nc = content_refs->n_refs;
	if (!nc)
		return;
	/* each Markdown link's URL as it stands in the HTML, worked out once */
	size_t nl = doc ? doc->n_links : 0;
	const char **final = hg_arena_alloc(scratch, (nl + 1) * sizeof *final);
	hg_buf b = HG_BUF_INIT;
	for (size_t j = 0; j < nl; j++) {
		hg_buf_reset(&b);
		if (!hg_link_rewrite(r->links, p, doc->links[j].url, &b))
			hg_buf_adds(&b, doc->links[j].url);
		final[j] = hg_arena_strndup(scratch, b.ptr, b.len);
	}
	hg_buf_release(&b);
	bool *used = hg_arena_zalloc(scratch, nc);
	bool *md_used = hg_arena_zalloc(scratch, nl + 1);
	/* Issue 8: references come in the order they were written, so each search starts at
	 * the first entry not yet used (c0, j0) and the text search after the last hit (from,
	 * whose line and column are counted on from the previous hit); searching the text
	 * before it is the fallback. All text searches share a budget of bytes. A page of a
	 * million links took hours (quadratic); it is now linear. */
	size_t c0 = 0, j0 = 0, from = 0, text_len = strlen(text);
	size_t budget = 16 * text_len + (1u << 20);
	unsigned from_line = 1, from_col = 1;
	for (size_t k = 0; k < refs->n_refs; k++) {
		hg_ref *ref = &refs->refs[k];
		size_t c = c0;
		while (c < nc && (used[c] || strcmp(content_refs->refs[c].url, ref->url) != 0))
			c++;
		if (c == nc)
			continue; /* from a layout */
		used[c] = true;
		while (c0 < nc && used[c0])
			c0++;
		bool found = false;
		for (size_t j = j0; j < nl && !found; j++) {
			if (md_used[j] || strcmp(final[j], ref->url) != 0)
				continue;
			md_used[j] = true;
			ref->line = doc->links[j].line;
			ref->col = doc->links[j].col;
			ref->written = hg_arena_strdup(a, doc->links[j].url);
			found = true;
		}
		while (j0 < nl && md_used[j0])
			j0++;
		if (!found && *ref->url) {
			size_t n = strlen(ref->url);
			const char *hit = find_within(text, text_len, from, text_len, ref->url, n, &budget);
			if (hit) {
				for (const char *q = text + from; q < hit; q++) {
					from_col = *q == '\n' ? 1 : from_col + 1;
					from_line += *q == '\n';
				}
				from = (size_t)(hit - text);
				ref->line = from_line;
				ref->col = from_col;
			} else if ((hit = find_within(text, text_len, 0, from + n - 1, ref->url, n, &budget))) {
				size_t off = (size_t)(hit - text);
				budget -= off < budget ? off : budget; /* hg_line_col reads as far */
				hg_line_col(text, off, &ref->line, &ref->col);
			}
		}
	}
}

static struct seen *seen_slot(seen_set *set, const char *url, uint64_t h)
{
	size_t mask = set->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask)
		if (!set->slots[i].url || (set->slots[i].hash == h && !strcmp(set->slots[i].url, url)))
			return &set->slots[i];
}

static void seen_grow(seen_set *set)
{
	struct seen *old = set->slots;
	size_t old_cap = set->cap;
	set->cap = old_cap ? old_cap * 2 : 256;
	set->slots = hg_xcalloc(set->cap, sizeof *set->slots);
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].url)
			*seen_slot(set, old[i].url, old[i].hash) = old[i];
	free(old);
}

/* Drops the references the checker never needs (external ones) and the repeats of the
 * layout's root-relative ones. Each kept layout reference points at a counter cell in the
 * worker's keep arena, filled from the seen set once rendering is done (seen_flush). */
static void thin_refs(worker *w, hg_page_refs *refs)
{
	size_t kept = 0;
	for (size_t k = 0; k < refs->n_refs; k++) {
		hg_ref *r = &refs->refs[k];
		const char *u = r->url;
		bool external = u[0] == '/' ? u[1] == '/' : strchr(u, ':') && strcspn(u, ":/?#") < strcspn(u, "/?#");
		if (external)
			continue;
		if (!r->line && u[0] == '/') {
			if ((w->seen.len + 1) * 2 > w->seen.cap)
				seen_grow(&w->seen);
			uint64_t h = hg_hash(u, strlen(u));
			struct seen *slot = seen_slot(&w->seen, u, h);
			if (slot->url) {
				slot->repeats++;
				continue;
			}
			slot->url = hg_arena_strdup(w->keep, u); /* outlives the page's scratch */
			slot->hash = h;
			slot->repeats = 0;
			slot->cell = hg_arena_zalloc(w->keep, sizeof *slot->cell);
			r->repeats = slot->cell;
			w->seen.len++;
		}
		refs->refs[kept++] = *r;
	}
	refs->n_refs = kept;
}

/* Copies what the checker needs of a page's references out of the page's scratch arena. */
static void keep_refs(hg_arena *keep, const hg_page_refs *from, hg_page_refs *to)
{
	to->n_refs = from->n_refs;
	to->refs = hg_arena_alloc(keep, (from->n_refs + 1) * sizeof *to->refs);
	for (size_t k = 0; k < from->n_refs; k++) {
		hg_ref r = from->refs[k];
		r.url = hg_arena_strdup(keep, r.url);
		if (r.written)
			r.written = hg_arena_strdup(keep, r.written);
		to->refs[k] = r;
	}
	to->n_ids = from->n_ids;
	to->ids = hg_arena_alloc(keep, (from->n_ids + 1) * sizeof *to->ids);
	for (size_t k = 0; k < from->n_ids; k++)
		to->ids[k] = hg_arena_strdup(keep, from->ids[k]);
}

static void seen_flush(seen_set *set)
{
	for (size_t i = 0; i < set->cap; i++)
		if (set->slots[i].url)
			*set->slots[i].cell = set->slots[i].repeats;
	free(set->slots);
	*set = (seen_set){0};
}

static void render_text(worker *w, size_t index, const char *text);

/* Where the page's content (n bytes, at least 64) stands whole in its HTML, or NULL (a
 * layout that filters or leaves out `content`). The search runs memchr on a byte of the
 * content's opening that markup seldom has (an upper-case letter, else a digit; '<' would
 * stop at every tag before it), then compares 8 bytes, then all of it. */
static const char *find_copy(const char *html, size_t len, const char *content, size_t n)
{
	size_t k = 0;
	for (size_t j = 0; j < 64; j++)
		if (content[j] >= 'A' && content[j] <= 'Z') {
			k = j;
			break;
		} else if (!k && content[j] >= '0' && content[j] <= '9') {
			k = j;
		}
	uint64_t head;
	memcpy(&head, content, sizeof head);
	const char *from = html + k, *end = html + len;
	while (from < end && (from = memchr(from, content[k], (size_t)(end - from)))) {
		const char *p = from - k;
		uint64_t w;
		if ((size_t)(end - p) >= n) {
			memcpy(&w, p, sizeof w);
			if (w == head && !memcmp(p, content, n))
				return p;
		}
		from++;
	}
	return NULL;
}

static void render_page(worker *w, size_t index)
{
	hg_page *p = w->r->site->pages[index];
	renderer *r = w->r;
	hg_buf_reset(&w->a);
	hg_buf_reset(&w->b);

	bool bad_layout;
	page_layout(r, p, &bad_layout);
	if (bad_layout)
		return;

	char *text = hg_page_text(r->site, p, r->d);
	if (!text)
		return;
	render_text(w, index, text);
	hg_page_text_free(p, text);
}

/* The page's render, given its text. */
static void render_text(worker *w, size_t index, const char *text)
{
	hg_page *p = w->r->site->pages[index];
	renderer *r = w->r;
	hg_site *s = r->site;
	hg_arena *a = w->scratch;
	hg_buf *cur = &w->a, *next = &w->b;
	bool bad_layout;
	layout *l = page_layout(r, p, &bad_layout);
	const char *body = text + p->body_off;
	size_t body_len = p->text_len - p->body_off;

	hg_value *hub = r->nav ? hg_nav_page_hub(r->nav, s, index, a) : hg_value_map(a);

	/* 0. Hugo shortcodes, before Liquid reads their braces */
	if (hg_shortcodes_present(body, body_len)) {
		hg_link_from from = {r->links, p};
		hg_sc_options so = {p->display, p->body_line, p->liquid, hg_link_ref, &from};
		hg_buf sc = HG_BUF_INIT;
		hg_shortcodes_expand(body, body_len, &so, &sc, r->d);
		body = hg_arena_strndup(a, sc.ptr, sc.len);
		body_len = sc.len;
		hg_buf_release(&sc);
	}

	/* 1. Liquid over the content */
	if (p->liquid && !hg_liquid_is_plain(body, body_len)) {
		hg_template *t = hg_liquid_parse(a, body, body_len, p->display, p->body_line, r->d);
		if (!t)
			return;
		hg_value *g = globals(a, p, s, hub, NULL, 0, NULL);
		if (!hg_liquid_render(t, g, &r->host, &r->limits, a, cur, r->d))
			return;
	} else {
		hg_buf_add(cur, body, body_len);
	}

	/* 2. Markdown */
	hg_md_doc doc;
	bool have_doc = false;
	page_ctx pc = {r, p};
	if (p->markdown) {
		hg_md_options o = r->md;
		o.first_line = p->body_line;
		o.rewrite_link = rewrite_link;
		o.ud = &pc;
		have_doc = true;
		hg_markdown_render(cur->ptr, cur->len, &o, a, &doc);
		hg_buf_reset(cur);
		hg_buf_add(cur, doc.html, doc.html_len);
		hg_map_set(a, hub, "toc", toc_value(a, &doc));
		hg_map_set(a, hub, "has_code", hg_value_bool(doc.has_code));
		hg_buf hs = HG_BUF_INIT;
		for (size_t k = 0; k < doc.n_headings; k++) {
			if (doc.headings[k].level < 2 || doc.headings[k].level > 3)
				continue;
			if (hs.len)
				hg_buf_adds(&hs, " \u00b7 ");
			hg_buf_adds(&hs, doc.headings[k].text);
		}
		r->search[index].headings = hg_arena_strndup(w->keep, hs.ptr, hs.len);
		hg_buf_release(&hs);
	}
	r->search[index].excerpt = hg_html_excerpt(cur->ptr, cur->len, 40, w->keep);
	hg_page_refs content_refs;
	bool content_clean = hg_links_scan(cur->ptr, cur->len, a, &content_refs);
	/* a copy, to find it in the page once the layouts are done (their buffers take turns) */
	const char *content = content_clean ? hg_arena_strndup(a, cur->ptr, cur->len) : NULL;
	size_t content_len = cur->len;

	/* 3. the layout chain */
	for (; l; l = l->parent) {
		hg_buf_reset(next);
		hg_value *g = globals(a, p, s, hub, cur->ptr, cur->len, l->fm);
		if (!hg_liquid_render(l->tpl, g, &r->host, &r->limits, a, next, r->d))
			return;
		hg_buf *t = cur;
		cur = next;
		next = t;
	}

	/* the references, for the link checker once every page is rendered */
	hg_page_refs scanned;
	const char *at = content && content_len >= 64 ? find_copy(cur->ptr, cur->len, content, content_len) : NULL;
	if (!at || !hg_links_scan_around(cur->ptr, cur->len, (size_t)(at - cur->ptr), content_len, &content_refs,
					 a, &scanned))
		hg_links_scan(cur->ptr, cur->len, a, &scanned);
	locate_refs(p, text, have_doc ? &doc : NULL, &content_refs, &scanned, r, a, a);
	thin_refs(w, &scanned);
	keep_refs(w->keep, &scanned, &r->refs[index]);

	if (w->capture)
		hg_buf_add(w->capture, cur->ptr, cur->len);
	else if (r->out)
		hg_output_write(r->out, p->out_path, cur->ptr, cur->len, r->d);
	w->pages++;
}

static void *work(void *arg)
{
	worker *w = arg;
	renderer *r = w->r;
	hg_site *s = r->site;
	for (;;) {
		size_t i = atomic_fetch_add(&r->next, 1);
		if (i >= r->n_tasks)
			break;
		if (i < s->n_pages) {
			render_page(w, r->order[i]);
			hg_arena_reset(w->scratch);
		} else {
			const hg_static *st = &s->statics[i - s->n_pages];
			if (r->out)
				hg_output_copy(r->out, st->out_path, st->src, st->display, r->d);
			w->statics++;
		}
	}
	return NULL;
}

static int static_find(const hg_site *s, const char *out_path)
{
	size_t lo = 0, hi = s->n_statics;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(s->statics[mid].out_path, out_path);
		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* The theme's assets (NHS.UK CSS, JS, icons, highlight.js, minisearch) go into every site
 * whose pages use any of them — the hub itself, a folder of bare Markdown in the theme, a
 * site that overrides only some layouts — each unless the site has its own file at that
 * path. They go as a set, since they refer to each other (the CSS to its icons, hub.js to
 * the NHS.UK bundle). A site with a look of its own, whose pages link none of them, gets
 * none. Decided after rendering, from the references the pages actually make. */
static void pick_theme_assets(renderer *r)
{
	hg_site *s = r->site;
	size_t n;
	const hg_theme_file *files = hg_theme_files(&n);
	r->theme_assets = hg_xcalloc(n + 1, sizeof *r->theme_assets);
	size_t cand = 0;
	for (size_t i = 0; i < n; i++) {
		if (!hg_starts_with(files[i].path, "assets/") || static_find(s, files[i].path))
			continue;
		r->theme_assets[cand++] = &files[i];
	}
	bool used = false;
	hg_buf sp = HG_BUF_INIT;
	for (size_t i = 0; i < s->n_pages && !used; i++) {
		const hg_page_refs *refs = &r->refs[i];
		for (size_t k = 0; k < refs->n_refs && !used; k++) {
			const char *frag;
			bool outside;
			hg_buf_reset(&sp);
			if (!hg_link_resolve(s->config.baseurl, s->pages[i]->url, refs->refs[k].url, &sp, &frag, &outside))
				continue;
			for (size_t c = 0; c < cand && !used; c++)
				used = !strcmp(sp.ptr + 1, r->theme_assets[c]->path);
		}
	}
	hg_buf_release(&sp);
	r->n_theme_assets = used ? cand : 0;
}

struct hg_renderer {
	renderer r;
};

hg_renderer *hg_renderer_open(hg_site *s, const hg_nav *nav, hg_diags *d)
{
	hg_renderer *h = hg_xcalloc(1, sizeof *h);
	renderer *r = &h->r;
	*r = (renderer){.site = s, .nav = nav, .d = d};
	r->limits = hg_liquid_default_limits();
	r->md = hg_md_default_options();
	r->md.unsafe = s->config.unsafe_html;
	r->md.hardbreaks = s->config.hardbreaks;
	r->md.smart = s->config.smart;
	r->host = (hg_liquid_host){
		.ud = r,
		.find_include = host_find_include,
		.markdownify = host_markdownify,
		.link = host_link,
		.post_url = host_post_url,
		.find_relative = host_find_relative,
		.cache_get = host_cache_get,
		.cache_put = host_cache_put,
		.baseurl = s->config.baseurl,
		.url = s->config.url,
		.now = s->now,
		.strict_variables = s->opt.strict,
		.strict_filters = true,
	};
	pthread_mutex_init(&r->cache.lock, NULL);
	r->cache.arena = hg_arena_new();
	r->kept = hg_arena_new();
	r->by_rel = hg_xmalloc((s->n_pages + 1) * sizeof *r->by_rel);
	memcpy(r->by_rel, s->pages, s->n_pages * sizeof *r->by_rel);
	qsort(r->by_rel, s->n_pages, sizeof *r->by_rel, by_rel_cmp);

	load_theme(r);
	/* pages only, for rewriting `.md` links while rendering; the checker's map, with every
	 * file the build writes, is made once the theme's assets are known */
	r->links = hg_linkmap_new(s, NULL, 0);
	r->refs = hg_xcalloc(s->n_pages + 1, sizeof *r->refs);
	r->search = hg_xcalloc(s->n_pages + 1, sizeof *r->search);
	/* A layout's link is kept, for the checker, on the first page each worker renders with
	 * it, and reported there: that should be a page the user wrote, not the 404 page or a
	 * redirect hubgen made (which sort first). So those render last. */
	r->order = hg_xmalloc((s->n_pages + 1) * sizeof *r->order);
	size_t n_order = 0;
	for (int generated = 0; generated < 2; generated++)
		for (size_t i = 0; i < s->n_pages; i++)
			if (s->pages[i]->generated == (generated == 1))
				r->order[n_order++] = i;
	return h;
}

bool hg_renderer_run(hg_renderer *h, hg_output *out, hg_render_stats *stats)
{
	renderer *rr = &h->r;
	hg_site *s = rr->site;
	const hg_nav *nav = rr->nav;
	hg_diags *d = rr->d;
	size_t errors_before = hg_diags_count(d, HG_ERROR);
	rr->out = out;
	if (hg_diags_count(d, HG_ERROR) == errors_before) {
		rr->n_tasks = s->n_pages + s->n_statics;
		atomic_store(&rr->next, 0);
		if (out) {
			/* every output folder, made once before the threads write into them */
			const char **paths = hg_xmalloc((rr->n_tasks + 1) * sizeof *paths);
			for (size_t i = 0; i < s->n_pages; i++)
				paths[i] = s->pages[i]->out_path;
			for (size_t i = 0; i < s->n_statics; i++)
				paths[s->n_pages + i] = s->statics[i].out_path;
			hg_output_prepare(out, paths, rr->n_tasks);
			free(paths);
		}
		int jobs = s->opt.jobs > 0 ? s->opt.jobs : hg_default_jobs();
		if ((size_t)jobs > rr->n_tasks)
			jobs = rr->n_tasks ? (int)rr->n_tasks : 1;
		worker *ws = hg_xcalloc((size_t)jobs, sizeof *ws);
		pthread_t *th = hg_xcalloc((size_t)jobs, sizeof *th);
		bool *started = hg_xcalloc((size_t)jobs, sizeof *started);
		for (int i = 0; i < jobs; i++) {
			ws[i].r = rr;
			ws[i].scratch = hg_arena_new();
			ws[i].keep = hg_arena_new();
			hg_buf_init(&ws[i].a);
			hg_buf_init(&ws[i].b);
		}
		/* the calling thread is worker 0 */
		for (int i = 1; i < jobs; i++)
			started[i] = pthread_create(&th[i], NULL, work, &ws[i]) == 0;
		work(&ws[0]); /* a thread that failed to start leaves its share to the others */
		for (int i = 1; i < jobs; i++)
			if (started[i])
				pthread_join(th[i], NULL);
		for (int i = 0; i < jobs; i++)
			seen_flush(&ws[i].seen);
		if (hg_diags_count(d, HG_ERROR) == errors_before) {
			pick_theme_assets(rr);
			const char **extra = hg_xcalloc(rr->n_theme_assets + HG_MAX_GENERATED + 1, sizeof *extra);
			for (size_t i = 0; i < rr->n_theme_assets; i++) {
				extra[i] = rr->theme_assets[i]->path;
				if (out)
					hg_output_write(out, rr->theme_assets[i]->path, (const char *)rr->theme_assets[i]->data,
							rr->theme_assets[i]->len, d);
			}
			size_t n_gen = hg_generated_paths(s, extra + rr->n_theme_assets);
			rr->check = hg_linkmap_new(s, extra, rr->n_theme_assets + n_gen);
			free(extra);
			hg_links_check(rr->check, s, rr->refs, d);
			hg_generate_files(s, nav, rr->search, out, d);
			ws[0].statics += rr->n_theme_assets;
		}
		hg_render_stats st = {0};
		for (int i = 0; i < jobs; i++) {
			st.pages += ws[i].pages;
			st.statics += ws[i].statics;
			hg_arena_free(ws[i].scratch);
			hg_arena_adopt(rr->kept, ws[i].keep); /* the references, for hg_renderer_page */
			hg_buf_release(&ws[i].a);
			hg_buf_release(&ws[i].b);
		}
		if (stats)
			*stats = st;
		free(ws);
		free(th);
		free(started);
	}
	rr->out = NULL;
	return hg_diags_count(d, HG_ERROR) == errors_before;
}

/* The search index after page `index` changed: every page's record is kept (made on the
 * first call), only this page's is made again, and the file is their concatenation, as
 * hg_generate_search_index writes it. (Remaking all of it took ~20 ms at 10,000 pages.) */
static void search_index_again(renderer *r, size_t index, hg_buf *out)
{
	hg_site *s = r->site;
	hg_buf b = HG_BUF_INIT;
	if (!r->records) {
		r->records = hg_xcalloc(s->n_pages + 1, sizeof *r->records);
		for (size_t i = 0; i < s->n_pages; i++) {
			hg_buf_reset(&b);
			if (hg_search_record(s, r->nav, r->search, i, &b))
				r->records[i] = hg_xstrndup(b.ptr, b.len);
		}
	}
	hg_buf_reset(&b);
	free(r->records[index]);
	r->records[index] = hg_search_record(s, r->nav, r->search, index, &b) ? hg_xstrndup(b.ptr, b.len) : NULL;
	hg_buf_release(&b);
	hg_buf_adds(out, "{\"pages\":[");
	bool first = true;
	for (size_t i = 0; i < s->n_pages; i++) {
		if (!r->records[i])
			continue;
		if (!first)
			hg_buf_addc(out, ',');
		hg_buf_adds(out, r->records[i]);
		first = false;
	}
	hg_buf_adds(out, "\n]}\n");
}

static bool same_ids(const hg_page_refs *a, const hg_page_refs *b)
{
	if (a->n_ids != b->n_ids)
		return false;
	for (size_t k = 0; k < a->n_ids; k++)
		if (strcmp(a->ids[k], b->ids[k]) != 0)
			return false;
	return true;
}

hg_page_result hg_renderer_page(hg_renderer *h, size_t index, hg_buf *html, hg_buf *search_index, hg_diags *d)
{
	renderer *r = &h->r;
	hg_site *s = r->site;
	if (!r->check || index >= s->n_pages)
		return HG_PAGE_FULL; /* no complete run to start from */
	if (atomic_load(&r->used_relative))
		return HG_PAGE_FULL; /* the file may be included into other pages */
	size_t errors_before = hg_diags_count(d, HG_ERROR);
	hg_diags *saved = r->d;
	r->d = d;
	hg_page_refs old = r->refs[index];
	hg_search_entry old_search = r->search[index];
	worker w = {.r = r, .scratch = hg_arena_new(), .keep = hg_arena_new(), .capture = html};
	hg_buf_init(&w.a);
	hg_buf_init(&w.b);
	render_page(&w, index);
	seen_flush(&w.seen);
	hg_arena_free(w.scratch);
	hg_buf_release(&w.a);
	hg_buf_release(&w.b);
	hg_arena_adopt(r->kept, w.keep);
	hg_page_result res = HG_PAGE_DONE;
	if (hg_diags_count(d, HG_ERROR) != errors_before) {
		res = HG_PAGE_ERROR;
	} else if (!same_ids(&old, &r->refs[index])) {
		/* links into this page from others may have broken or mended */
		res = HG_PAGE_FULL;
	} else {
		hg_links_check_pages(r->check, s, r->refs, &index, 1, d);
		if (search_index && hg_generates(s, "search-index.json"))
			search_index_again(r, index, search_index);
	}
	if (res != HG_PAGE_DONE) { /* as it was: the next run starts from the last good one */
		r->refs[index] = old;
		r->search[index] = old_search;
	}
	r->d = saved;
	return res;
}

void hg_renderer_close(hg_renderer *h)
{
	if (!h)
		return;
	renderer *r = &h->r;
	free(r->by_rel);
	free(r->order);
	free(r->layouts);
	free(r->unreadable);
	free(r->includes);
	free(r->theme_assets);
	hg_linkmap_free(r->links);
	hg_linkmap_free(r->check);
	free(r->refs);
	free(r->search);
	for (size_t i = 0; r->records && i < r->site->n_pages; i++)
		free(r->records[i]);
	free(r->records);
	free(r->cache.slots);
	hg_arena_free(r->cache.arena);
	hg_arena_free(r->kept);
	pthread_mutex_destroy(&r->cache.lock);
	free(h);
}

bool hg_render_site(hg_site *s, const hg_nav *nav, hg_output *out, hg_render_stats *stats, hg_diags *d)
{
	size_t errors_before = hg_diags_count(d, HG_ERROR);
	hg_renderer *h = hg_renderer_open(s, nav, d);
	if (hg_diags_count(d, HG_ERROR) == errors_before)
		hg_renderer_run(h, out, stats);
	hg_renderer_close(h);
	return hg_diags_count(d, HG_ERROR) == errors_before;
}
