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

#include "compat.h"
#include "csv.h"
#include "frontmatter.h"
#include "gitdates.h"
#include "fs.h"
#include "markdown.h"
#include "theme.h"
#include "url.h"
#include "toml.h"
#include "yamlval.h"

#include "banned.h"

#define DEFAULT_MAX_FILE_SIZE (16u * 1024 * 1024)
#define DEFAULT_MAX_PAGES 1000000u /* issue 8: a limit on everything a user controls */

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

/* `collections:` as a map (label: {output, permalink}) or a list of labels, as Jekyll. The
 * `posts` entry only sets the posts' permalink. */
static bool load_collections(hg_site *s, hg_value *v, const char *path, hg_diags *d)
{
	if (!v || v->kind == HG_NULL)
		return true;
	if (v->kind != HG_MAP && v->kind != HG_LIST) {
		hg_error(d, path, v->line, v->col, "'collections' must be a map of labels or a list of labels");
		return false;
	}
	size_t n = v->kind == HG_MAP ? v->as.map.len : v->as.list.len;
	s->collections = hg_arena_zalloc(s->arena, (n + 1) * sizeof *s->collections);
	for (size_t i = 0; i < n; i++) {
		const hg_value *item = v->kind == HG_MAP ? v->as.map.entries[i].val : v->as.list.items[i];
		const char *label = v->kind == HG_MAP ? v->as.map.entries[i].key : str_of(s->arena, item);
		const hg_value *where = v->kind == HG_MAP && item && item->line ? item : v;
		bool ok = label && *label && label[0] != '.' && !strchr(label, '/') && !strchr(label, '\\');
		if (!ok) {
			hg_error(d, path, where->line, where->col, "a collection's label must be a folder name, not '%s'",
				 label ? label : "");
			return false;
		}
		const hg_value *opts = v->kind == HG_MAP && item && item->kind == HG_MAP ? item : NULL;
		const char *perma = str_of(s->arena, hg_map_get(opts, "permalink"));
		if (!strcmp(label, "posts")) {
			if (perma && !s->config.permalink)
				s->config.permalink = perma;
			continue;
		}
		hg_collection *c = &s->collections[s->n_collections++];
		c->label = hg_arena_strdup(s->arena, label);
		c->output = hg_map_bool(opts, "output", false);
		c->permalink = perma ? perma : "/:collection/:path/";
		c->docs = hg_value_list(s->arena);
		c->sort_by = str_of(s->arena, hg_map_get(opts, "sort_by"));
		const hg_value *order = hg_map_get(opts, "order");
		if (order && order->kind == HG_LIST)
			c->order = order;
		else if (order && order->kind != HG_NULL) {
			hg_error(d, path, order->line, order->col, "a collection's 'order' must be a list of file names");
			return false;
		}
	}
	return true;
}

/* `mounts: [{source: ../other/docs, target: experience}]`: each folder's pages go under
 * /target/. */
static bool load_mounts(hg_site *s, hg_value *v, const char *path, hg_diags *d)
{
	if (!v || v->kind == HG_NULL)
		return true;
	if (v->kind != HG_LIST) {
		hg_error(d, path, v->line, v->col, "'mounts' must be a list of {source, target}");
		return false;
	}
	hg_config *c = &s->config;
	c->mounts = hg_arena_zalloc(s->arena, (v->as.list.len + 1) * sizeof *c->mounts);
	for (size_t i = 0; i < v->as.list.len; i++) {
		const hg_value *m = v->as.list.items[i];
		const char *src = hg_map_str(m, "source", NULL), *target = hg_map_str(m, "target", NULL);
		hg_buf norm = HG_BUF_INIT, with_slash = HG_BUF_INIT;
		if (target)
			hg_buf_addf(&with_slash, "/%s", target);
		bool ok = m->kind == HG_MAP && src && *src && target && hg_url_normalize(with_slash.ptr, &norm) &&
			  norm.len > 1;
		if (!ok) {
			hg_error(d, path, m->line, m->col,
				 "a mount needs a 'source' folder and a 'target' path inside the site, such as "
				 "{source: ../other/docs, target: experience}");
			hg_buf_release(&norm);
			hg_buf_release(&with_slash);
			return false;
		}
		size_t b = 1, e = norm.len;
		while (e > b && norm.ptr[e - 1] == '/')
			e--;
		c->mounts[c->n_mounts++] = (struct hg_mount){.source = hg_arena_strdup(s->arena, src),
							      .target = hg_arena_strndup(s->arena, norm.ptr + b, e - b),
							      .line = m->line,
							      .col = m->col};
		hg_buf_release(&norm);
		hg_buf_release(&with_slash);
	}
	return true;
}

/* The collection whose folder (_label/, in collections_dir when the config names one) holds
 * rel, or NULL. */
static hg_collection *collection_of(const hg_site *s, const char *rel)
{
	const char *cd = s->config.collections_dir;
	if (cd && *cd) {
		size_t n = strlen(cd);
		if (strncmp(rel, cd, n) != 0 || rel[n] != '/')
			return NULL;
		rel += n + 1;
	}
	if (rel[0] != '_' || s->style != HG_STYLE_JEKYLL)
		return NULL;
	for (size_t i = 0; i < s->n_collections; i++) {
		size_t n = strlen(s->collections[i].label);
		if (!strncmp(rel + 1, s->collections[i].label, n) && (rel[n + 1] == '/' || rel[n + 1] == '\0'))
			return &s->collections[i];
	}
	return NULL;
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
	c->max_pages = DEFAULT_MAX_PAGES;
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
	bool toml = false;
	if (!found) { /* Hugo's TOML config, read when there is no YAML one */
		static const char *tomls[] = {"hugo.toml", "config.toml"};
		for (size_t i = 0; i < HG_ARRAY_LEN(tomls) && !found; i++) {
			char *p = hg_path_join(s->source, tomls[i]);
			if (hg_fs_is_file(p))
				found = hg_arena_strdup(a, p);
			free(p);
		}
		toml = found != NULL;
	}
	if (!found)
		return true;
	c->path = found;
	size_t len;
	char *text = hg_fs_read(found, found, 1024 * 1024, &len, d);
	if (!text)
		return false;
	hg_value *root = toml ? hg_toml_parse(a, text, len, found, 1, d) : hg_yaml_parse(a, text, len, found, 1, d);
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
	hg_value *theme = hg_map_get(root, "remote_theme");
	if (!theme)
		theme = hg_map_get(root, "theme");
	if (theme && theme->kind == HG_STRING && theme->as.s.len) {
		c->theme = theme->as.s.ptr;
		hg_warn(d, found, theme->line, theme->col, "theme '%s' is not used: hubgen builds with its own NHS.UK theme",
			theme->as.s.ptr);
		hg_diag_kind(d, "theme");
		hg_diag_note(d, "hint: the site's own layouts and includes still override the theme's, file by file; "
				"remove the key to silence this");
	}

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
	hg_value *mp = hg_map_get(root, "max_pages");
	if (mp) {
		if (mp->kind != HG_INT || mp->as.i < 1) {
			hg_error(d, found, mp->line, mp->col, "'max_pages' must be a whole number of pages, at least 1");
			return false;
		}
		c->max_pages = (size_t)mp->as.i;
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
	hg_value *cdir = hg_map_get(root, "collections_dir");
	if (cdir && cdir->kind != HG_NULL) {
		const char *v = str_of(a, cdir);
		hg_buf clean = HG_BUF_INIT, with_slash = HG_BUF_INIT;
		if (v)
			hg_buf_addf(&with_slash, "/%s", v);
		if (!v || !hg_url_normalize(with_slash.ptr, &clean)) {
			hg_error(d, found, cdir->line, cdir->col, "'collections_dir' must be a folder inside the site");
			hg_buf_release(&clean);
			hg_buf_release(&with_slash);
			return false;
		}
		size_t b = 1, e = clean.len;
		while (e > b && clean.ptr[e - 1] == '/')
			e--;
		c->collections_dir = hg_arena_strndup(a, clean.ptr + b, e - b);
		hg_buf_release(&clean);
		hg_buf_release(&with_slash);
	}
	if (!load_collections(s, hg_map_get(root, "collections"), found, d))
		return false;
	if (!load_mounts(s, hg_map_get(root, "mounts"), found, d))
		return false;
	hg_value *pg = hg_map_get(root, "paginate");
	if (pg && pg->kind != HG_NULL) {
		if (pg->kind != HG_INT || pg->as.i < 1 || pg->as.i > 100000) {
			hg_error(d, found, pg->line, pg->col, "'paginate' must be a number of posts per page, from 1");
			return false;
		}
		c->paginate = (unsigned)pg->as.i;
	}
	c->paginate_path = str_of(a, hg_map_get(root, "paginate_path"));
	if (!c->paginate_path || !strstr(c->paginate_path, ":num"))
		c->paginate_path = "/page:num/";
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
	/* issue 8: pages found so far (against config.max_pages; once over, the walk stops), and
	 * the targets of the symbolic links to folders followed so far (each is followed once:
	 * links to the same folder at every level would make the walk exponential) */
	size_t n_pages;
	bool too_many;
	hg_layout_style style; /* the convention of the folder being read (a mount has its own) */
	bool mount;            /* reading a mount */
	int mount_index;       /* which one, or -1 */
	char **linked;
	size_t n_linked, cap_linked;
	/* candidates found by the walk */
	struct found {
		char *fs_path; /* real path to read */
		char *rel;     /* relative to the pages root (or the assets mount) */
		char *display;
		const char *out_prefix; /* for static mounts: "assets/" */
		bool page_root;         /* under the pages root (may be a page) */
		bool mounted;           /* from a mount */
		bool jekyll;            /* in a folder read by Jekyll's convention */
		int mount_index;        /* the mount it is read from, or -1 */
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

static bool is_markdown_name(const char *name);
static bool is_html_name(const char *name);

/* issue 8: a top folder (content/, assets/, _data/…) that is a symbolic link out of the
 * source is not read, just as links inside the folders are not followed. */
static bool folder_in_source(const char *real_source, const char *dir, hg_diags *d)
{
	char *real = hg_fs_realpath(dir);
	bool ok = real && real_source && hg_path_inside(real, real_source);
	if (!ok)
		hg_warn(d, dir, 0, 0, "folder leads outside the source folder (a symbolic link); not read");
	free(real);
	return ok;
}

/* Whether the walk follows the symbolic link at fs_path (in dir): see hg_fs_link_refusal,
 * and a folder is followed once. Warns when not. */
static bool follow_link(scan *sc, const char *fs_path, const char *dir, const char *display, bool is_dir)
{
	const char *why = hg_fs_link_refusal(fs_path, dir, sc->real_source);
	char *real = why || !is_dir ? NULL : hg_fs_realpath(fs_path);
	for (size_t k = 0; real && k < sc->n_linked && !why; k++)
		if (!strcmp(sc->linked[k], real))
			why = "symbolic link to a folder already read through another link; not followed";
	if (why) {
		hg_warn(sc->d, display, 0, 0, "%s", why);
		free(real);
		return false;
	}
	if (real) {
		HG_GROW(sc->linked, sc->cap_linked, sc->n_linked + 1);
		sc->linked[sc->n_linked++] = real;
	}
	return true;
}

static void walk(scan *sc, const char *dir, const char *rel_dir, const char *display_dir, const char *out_prefix,
		 bool page_root, int depth)
{
	hg_site *s = sc->s;
	if (sc->too_many)
		return;
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
		else if (page_root && sc->style == HG_STYLE_JEKYLL) {
			bool special = !strcmp(name, "_posts") || !strcmp(name, "_drafts") ||
				       (!sc->mount && items[i].kind == HG_ENTRY_DIR && collection_of(s, rel));
			if (name[0] == '_' && !special)
				skip = true;
			if (jekyll_skips(name, depth == 0))
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
		if (!skip && items[i].symlink)
			skip = !follow_link(sc, fs_path, dir, display, items[i].kind == HG_ENTRY_DIR);
		if (!skip && !sc->too_many && items[i].kind == HG_ENTRY_FILE && page_root &&
		    (is_markdown_name(name) || is_html_name(name)) && ++sc->n_pages > s->config.max_pages) {
			hg_error(sc->d, display, 0, 0, "too many pages: more than the limit of %zu", s->config.max_pages);
			hg_diag_note(sc->d, "hint: raise 'max_pages' in the site's config, or leave folders out with 'exclude'");
			sc->too_many = true;
		}
		if (sc->too_many) {
			skip = true;
		} else if (!skip && items[i].kind == HG_ENTRY_DIR) {
			walk(sc, fs_path, rel, display, out_prefix, page_root, depth + 1);
		} else if (!skip && items[i].kind == HG_ENTRY_FILE) {
			HG_GROW(sc->items, sc->cap, sc->n + 1);
			sc->items[sc->n++] = (struct found){fs_path, rel, display, out_prefix, page_root, sc->mount,
							    sc->style == HG_STYLE_JEKYLL, sc->mount_index};
			fs_path = rel = display = NULL;
		}
		free(fs_path);
		free(rel);
		free(display);
	}
	hg_fs_list_free(items, n);
}

/* Which convention a folder follows. hub.yml makes it a hub. A Jekyll config (_config.yml)
 * without a Hugo one makes it Jekyll's even when it has a content/ folder: Jekyll sites often
 * keep their pages in one (nhsx/nhsx-internship-projects does), and reading it as Hugo's
 * would lose _layouts/ and _includes/. Otherwise a content/ folder is Hugo's. */
static hg_layout_style folder_style(const char *dir)
{
	static const char *const hub[] = {"hub.yml", "hub.yaml"};
	static const char *const jekyll[] = {"_config.yml", "_config.yaml"};
	static const char *const hugo[] = {"hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json",
					   "config.toml", "config.yaml", "config.yml", "config.json"};
	struct {
		const char *const *names;
		size_t n;
		bool found;
	} kinds[] = {{hub, HG_ARRAY_LEN(hub), false}, {jekyll, HG_ARRAY_LEN(jekyll), false}, {hugo, HG_ARRAY_LEN(hugo), false}};
	for (size_t k = 0; k < HG_ARRAY_LEN(kinds); k++)
		for (size_t i = 0; i < kinds[k].n && !kinds[k].found; i++) {
			char *p = hg_path_join(dir, kinds[k].names[i]);
			kinds[k].found = hg_fs_is_file(p);
			free(p);
		}
	if (kinds[0].found)
		return HG_STYLE_HUB;
	if (kinds[1].found && !kinds[2].found)
		return HG_STYLE_JEKYLL;
	char *content = hg_path_join(dir, "content");
	bool hugo_style = hg_fs_is_dir(content);
	free(content);
	return hugo_style ? HG_STYLE_HUGO : HG_STYLE_JEKYLL;
}

/* A mount: another folder of Markdown, read by its own convention (hub.yml or content/:
 * its content/ folder, with static/ or assets/ copied under the target; else Jekyll's, in
 * the folder itself), its files placed under the target as if they were there. Its own
 * config, layouts and data are not read: the site's theme renders its pages. */
/* A mount's own config, includes and data: its config's `defaults` apply to its pages
 * (before the site's), its include folder is searched after the site's (so its pages'
 * `{% include note.html %}` works, and the site's own note.html wins), and its data
 * fills in site.data under the names the site's own data does not use. Its layouts are
 * not read: the site's theme renders its pages. */
static void mount_extras(scan *sc, struct hg_mount *m, const char *dir, hg_layout_style style)
{
	hg_site *s = sc->s;
	static const char *const jekyll_cfg[] = {"_config.yml", "_config.yaml"};
	static const char *const hub_cfg[] = {"hub.yml", "hub.yaml"};
	static const char *const hugo_cfg[] = {"hugo.yaml", "hugo.yml", "config.yaml", "config.yml", "hugo.toml",
					       "config.toml"};
	const char *const *cfgs = style == HG_STYLE_JEKYLL ? jekyll_cfg : style == HG_STYLE_HUB ? hub_cfg : hugo_cfg;
	size_t n_cfg = style == HG_STYLE_HUGO ? HG_ARRAY_LEN(hugo_cfg) : 2;
	for (size_t i = 0; i < n_cfg; i++) {
		char *p = hg_path_join(dir, cfgs[i]);
		if (!hg_fs_is_file(p)) {
			free(p);
			continue;
		}
		size_t len;
		char *text = hg_fs_read(p, p, 1024 * 1024, &len, sc->d);
		const char *shown = hg_arena_strdup(s->arena, p);
		hg_value *root = !text ? NULL
				 : hg_ends_with(shown, ".toml") ? hg_toml_parse(s->arena, text, len, shown, 1, sc->d)
								  : hg_yaml_parse(s->arena, text, len, shown, 1, sc->d);
		free(text);
		free(p);
		const hg_value *defs = root && root->kind == HG_MAP ? hg_map_get(root, "defaults") : NULL;
		if (defs && defs->kind == HG_LIST)
			m->defaults = defs;
		break;
	}
	char *inc = hg_path_join(dir, style == HG_STYLE_JEKYLL ? "_includes" : "templates/includes");
	if (hg_fs_is_dir(inc)) {
		const char **dirs = hg_arena_alloc(s->arena, (s->n_include_dirs + 1) * sizeof *dirs);
		for (size_t i = 0; i < s->n_include_dirs; i++)
			dirs[i] = s->include_dirs[i];
		dirs[s->n_include_dirs++] = hg_arena_strdup(s->arena, inc);
		s->include_dirs = dirs;
	}
	free(inc);
	char *data = hg_path_join(dir, style == HG_STYLE_JEKYLL ? "_data" : "data");
	if (hg_fs_is_dir(data))
		m->data_dir = hg_arena_strdup(s->arena, data);
	free(data);
}

bool hg_site_template_folder_ok(const hg_site *s, const char *real)
{
	char *source = hg_fs_realpath(s->source);
	bool ok = source && hg_path_inside(real, source);
	free(source);
	for (size_t i = 0; i < s->config.n_mounts && !ok; i++)
		ok = s->config.mounts[i].real && hg_path_inside(real, s->config.mounts[i].real);
	return ok;
}

static void walk_mount(scan *sc, struct hg_mount *m)
{
	hg_site *s = sc->s;
	char *dir = hg_path_join(s->source, m->source);
	char *real = hg_fs_realpath(dir);
	if (!real || !hg_fs_is_dir(dir)) {
		hg_error(sc->d, s->config.path, m->line, m->col, "mounted folder '%s' does not exist", m->source);
		free(dir);
		free(real);
		return;
	}
	char *content = hg_path_join(dir, "content");
	hg_layout_style style = folder_style(dir);
	m->real = hg_arena_strdup(s->arena, real);
	mount_extras(sc, m, dir, style);
	sc->mount_index = (int)(m - s->config.mounts);
	const char *saved_source = sc->real_source;
	hg_layout_style saved_style = sc->style;
	sc->real_source = real;
	sc->style = style;
	sc->mount = true;
	walk(sc, style == HG_STYLE_JEKYLL ? dir : content, m->target, style == HG_STYLE_JEKYLL ? dir : content, "", true,
	     0);
	const char *statics = style == HG_STYLE_HUGO ? "static" : style == HG_STYLE_HUB ? "assets" : NULL;
	if (statics) {
		char *sd = hg_path_join(dir, statics);
		char *prefix = style == HG_STYLE_HUB ? hg_xasprintf("%s/assets", m->target) : hg_xstrdup(m->target);
		const char *kept = hg_arena_strdup(s->arena, prefix); /* found items keep it */
		if (hg_fs_is_dir(sd))
			walk(sc, sd, "", sd, kept, false, 0);
		free(prefix);
		free(sd);
	}
	sc->real_source = saved_source;
	sc->style = saved_style;
	sc->mount = false;
	sc->mount_index = -1;
	free(content);
	free(real);
	free(dir);
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
static hg_value *apply_defaults_of(hg_site *s, const hg_value *defs, hg_value *fm, const char *rel,
				   const char *kind)
{
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
		bool type_ok = !type || !strcmp(type, kind); /* posts, pages or a collection's label */
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

static hg_value *apply_defaults(hg_site *s, hg_value *fm, const char *rel, const char *kind)
{
	return apply_defaults_of(s, s->config.defaults, fm, rel, kind);
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

/* A collection's URL pattern with :collection, :path (the document's path in its folder,
 * without the extension) and :name (its file name, slugged) filled in; the rest (:title,
 * :output_ext, dates) is the posts' expansion. */
static const char *collection_pattern(const hg_site *s, hg_arena *a, const hg_page *p, const char *pattern)
{
	const char *label = p->collection->label;
	const char *cd = s->config.collections_dir;
	size_t skip = cd && *cd ? strlen(cd) + 1 : 0;
	const char *path = p->rel + skip + 1 + strlen(label) + 1;
	const char *dot = strrchr(path, '.');
	size_t path_len = dot && !strchr(dot, '/') ? (size_t)(dot - path) : strlen(path);
	const char *base = strrchr(path, '/');
	base = base && base < path + path_len ? base + 1 : path;
	hg_buf out = HG_BUF_INIT;
	for (const char *c = pattern; *c;) {
		if (hg_starts_with(c, ":collection")) {
			hg_buf_adds(&out, label);
			c += 11;
		} else if (hg_starts_with(c, ":path")) {
			hg_buf_add(&out, path, path_len);
			c += 5;
		} else if (hg_starts_with(c, ":name")) {
			hg_slugify(base, (size_t)(path + path_len - base), &out);
			c += 5;
		} else {
			hg_buf_addc(&out, *c++);
		}
	}
	const char *r = hg_arena_strndup(a, out.ptr, out.len);
	hg_buf_release(&out);
	return r;
}

/* ==== README as a folder's index ====
 * GitHub Pages runs jekyll-readme-index on every site, as GitHub shows a folder's README: in a
 * Jekyll folder, a README.md (any case) whose folder has no index page (index.md,
 * index.html…) is that folder's index, at the folder's URL. Documentation written to be read
 * on GitHub links folders (`[Security](./security)`) and relies on it. Not in _-folders
 * (posts, drafts, collections), and not in Hugo's content/, where README.md is a page. */

static bool readme_name(const char *name)
{
	static const char readme[] = "readme.";
	for (size_t i = 0; i < sizeof readme - 1; i++)
		if (!name[i] || (name[i] | 0x20) != readme[i])
			return false;
	return is_markdown_name(name);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* For each found item, whether it is a README that becomes its folder's index (heap, n+1). */
static bool *readme_indexes(const scan *sc)
{
	bool *r = hg_xcalloc(sc->n + 1, sizeof *r);
	size_t n_readme = 0, n_dirs = 0;
	for (size_t i = 0; i < sc->n; i++) {
		const char *slash = strrchr(sc->items[i].rel, '/');
		n_readme += readme_name(slash ? slash + 1 : sc->items[i].rel);
	}
	if (!n_readme)
		return r;
	/* the folders that have an index, sorted, as "dir/" ("" for the root) */
	char **dirs = hg_xmalloc((sc->n + 1) * sizeof *dirs);
	for (size_t i = 0; i < sc->n; i++) {
		const struct found *f = &sc->items[i];
		const char *slash = strrchr(f->rel, '/');
		const char *name = slash ? slash + 1 : f->rel;
		if (f->page_root && (hg_starts_with(name, "index.") || hg_starts_with(name, "_index.")))
			dirs[n_dirs++] = hg_xstrndup(f->rel, (size_t)(name - f->rel));
	}
	qsort(dirs, n_dirs, sizeof *dirs, cmp_str);
	for (size_t i = 0; i < sc->n; i++) {
		const struct found *f = &sc->items[i];
		const char *slash = strrchr(f->rel, '/');
		const char *name = slash ? slash + 1 : f->rel;
		if (!f->page_root || !f->jekyll || f->rel[0] == '_' || strstr(f->rel, "/_") || !readme_name(name))
			continue;
		char *dir = hg_xstrndup(f->rel, (size_t)(name - f->rel));
		r[i] = !bsearch(&dir, dirs, n_dirs, sizeof *dirs, cmp_str);
		free(dir);
	}
	for (size_t i = 0; i < n_dirs; i++)
		free(dirs[i]);
	free(dirs);
	return r;
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
	/* Hugo does not run any template language over content (only shortcodes), so a Hugo
	 * site's pages may hold `{{ .Title }}` or a workflow's `${{ secrets.X }}` as text:
	 * Liquid runs over them only if the front matter asks (render_with_liquid: true) */
	p->liquid = hg_map_bool(fm, "render_with_liquid", !(s->style == HG_STYLE_HUGO && !p->mounted));
	p->is_section = !strncmp(base, "_index.", 7) || !strncmp(base, "index.", 6) || p->readme_index;
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
	if (!pattern && p->collection)
		pattern = p->collection->permalink;
	if (p->collection && pattern)
		pattern = collection_pattern(s, a, p, pattern);
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
	} else if (p->readme_index) {
		hg_buf_addf(&url, "/%.*s", (int)(base - p->rel), p->rel); /* its folder's URL */
	} else {
		hg_url_from_path(p->rel, &url);
	}
	hg_buf nurl = HG_BUF_INIT;
	if (!hg_url_normalize(url.ptr, &nurl)) {
		unsigned line = perma ? perma->line : 0, col = perma ? perma->col : 0;
		/* issue 8: say which rule was broken, and by what: a file named "a\nb.md" was
		 * reported as a permalink writing outside the output folder */
		bool bad_char = false;
		for (const char *q = url.ptr; *q; q++)
			bad_char |= (unsigned char)*q < 0x20 || *q == 0x7f || *q == '\\';
		if (bad_char && !perma) {
			hg_error(d, p->display, 0, 0, "the file name holds a backslash or a control character, "
						      "which cannot be part of a URL");
			hg_diag_note(d, "hint: rename the file, or give the page a 'permalink'");
		} else if (bad_char) {
			hg_error(d, p->display, line, col, "permalink '%s' holds a backslash or a control character",
				 url.ptr);
		} else {
			hg_error(d, p->display, line, col, "permalink '%s' would write outside the output folder",
				 url.ptr);
		}
		hg_buf_release(&url);
		hg_buf_release(&nurl);
		return false;
	}
	p->url = hg_arena_strndup(a, nurl.ptr, nurl.len);
	p->source_links = p->jekyll && !pattern && !p->is_section && !p->is_post && !p->collection;
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
	if (!p->collection || !hg_map_get(fm, "name")) /* a document's own `name` stays */
		hg_map_set(a, pv, "name", hg_value_cstr(a, base));
	{
		const char *slash = strrchr(p->url, '/');
		hg_map_set(a, pv, "dir", hg_value_string(a, p->url, slash ? (size_t)(slash - p->url) + 1 : 1));
	}
	if (p->has_date)
		hg_map_set(a, pv, "date", hg_value_time(a, p->date));
	hg_map_set(a, pv, "categories", string_list(a, hg_map_get(fm, "categories")));
	hg_map_set(a, pv, "tags", string_list(a, hg_map_get(fm, "tags")));
	if (p->collection)
		hg_map_set(a, pv, "collection", hg_value_cstr(a, p->collection->label));
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

/* A document of a collection that is not written: its `content` is its Markdown as HTML
 * (without Liquid), so that a listing can show it. */
static void document_content(hg_site *s, hg_page *p)
{
	const char *body = p->text + p->body_off;
	size_t len = p->text_len - p->body_off;
	if (!p->markdown) {
		hg_map_set(s->arena, p->data, "content", hg_value_string(s->arena, body, len));
		return;
	}
	hg_md_options o = hg_md_default_options();
	o.unsafe = s->config.unsafe_html;
	o.first_line = p->body_line;
	hg_md_doc doc;
	hg_markdown_render(body, len, &o, s->arena, &doc);
	hg_map_set(s->arena, p->data, "content", hg_value_string_borrow(s->arena, doc.html, doc.html_len));
}

/* ==== reading pages, on every core ====
 * Issue 7: reading a page (the file, its UTF-8 check, the front matter split and the YAML)
 * is independent of every other page, and was a third of a build's time when done in
 * order. read_page runs in hg_parallel_for, each worker with its own arena (adopted by the
 * site's afterwards) and the thread-safe diagnostics; make_page and the model that follows
 * stay in order, single-threaded, as every later decision (URLs, clashes, collections)
 * depends on the order pages are seen in. Messages come out sorted, so the order the
 * workers report in does not show. */
#define LOAD_BATCH 512 /* pages read at once before they are modelled */

typedef enum read_state {
	READ_NOT_PAGE, /* not a page candidate, or HTML without front matter: a static file */
	READ_FAILED,   /* reported: neither a page nor a static file */
	READ_PAGE,
} read_state;

typedef struct page_read {
	read_state state;
	char *text; /* heap */
	size_t len;
	hg_fm_split sp;
	hg_value *fm; /* in the worker's arena */
	int64_t mtime;
} page_read;

typedef struct read_job {
	const hg_site *s;
	const struct found *items;
	page_read *out;
	hg_arena **arenas; /* one per worker */
	hg_diags *d;
} read_job;

static bool is_page_candidate(const struct found *f)
{
	const char *name = strrchr(f->rel, '/');
	name = name ? name + 1 : f->rel;
	return f->page_root && (is_markdown_name(name) || is_html_name(name));
}

/* Reads and splits one page (a worker's share of hg_site_load). */
static void read_page(void *ud, size_t i, int worker)
{
	read_job *job = ud;
	const struct found *f = &job->items[i];
	page_read *r = &job->out[i];
	hg_arena *a = job->arenas[worker];
	hg_diags *d = job->d;
	*r = (page_read){READ_NOT_PAGE, NULL, 0, {0}, NULL, 0};
	if (!is_page_candidate(f))
		return;
	r->state = READ_FAILED;
	size_t len;
	int64_t mtime = 0;
	char *text = hg_fs_read_mtime(f->fs_path, f->display, job->s->config.max_file_size, &len, &mtime, d);
	if (!text)
		return;
	hg_buf fixed = HG_BUF_INIT;
	if (!hg_utf8_check(text, len, f->display, &fixed, d)) {
		free(text);
		hg_buf_release(&fixed);
		return;
	}
	if (fixed.len) {
		free(text);
		text = hg_buf_detach(&fixed, &len);
	}
	hg_buf_release(&fixed);

	hg_fm_split sp;
	if (!hg_frontmatter_split(text, len, f->display, &sp, d)) {
		free(text);
		return;
	}
	if (is_html_name(f->rel) && sp.kind == HG_FM_NONE) {
		free(text);
		r->state = READ_NOT_PAGE; /* an HTML file without front matter is a static file */
		return;
	}
	hg_value *fm = NULL;
	if (sp.kind == HG_FM_YAML || sp.kind == HG_FM_TOML) {
		fm = sp.kind == HG_FM_TOML ? hg_toml_parse(a, text + sp.fm_off, sp.fm_len, f->display, sp.fm_line, d)
					   : hg_yaml_parse(a, text + sp.fm_off, sp.fm_len, f->display, sp.fm_line, d);
		if (!fm) {
			free(text);
			return;
		}
		if (fm->kind == HG_NULL)
			fm = hg_value_map(a);
		if (fm->kind != HG_MAP) {
			hg_error(d, f->display, fm->line ? fm->line : sp.fm_line, fm->col,
				 "front matter must be a map of keys and values");
			free(text);
			return;
		}
	} else {
		fm = hg_value_map(a);
	}
	*r = (page_read){READ_PAGE, text, len, sp, fm, mtime};
}

/* The page read_page read, with the config's defaults applied. */
static hg_page *make_page(hg_site *s, const struct found *f, page_read *r)
{
	hg_page *p = hg_arena_zalloc(s->arena, sizeof *p);
	p->rel = hg_arena_strdup(s->arena, f->rel);
	p->display = hg_arena_strdup(s->arena, f->display);
	p->src_path = hg_arena_strdup(s->arena, f->fs_path);
	p->text = r->text;
	p->text_len = r->len;
	p->src_mtime = r->mtime;
	r->text = NULL;
	p->body_off = r->sp.kind == HG_FM_NONE ? 0 : r->sp.body_off;
	p->body_line = r->sp.kind == HG_FM_NONE ? 1 : r->sp.body_line;
	p->mounted = f->mounted;
	p->collection = f->mounted ? NULL : collection_of(s, f->rel);
	hg_value *fm = r->fm;
	const char *kind = p->collection ? p->collection->label : in_posts_dir(f->rel) ? "posts" : "pages";
	if (f->mount_index >= 0) {
		/* the mount's own defaults, by its own paths, under the page's front matter */
		const struct hg_mount *m = &s->config.mounts[f->mount_index];
		size_t tl = strlen(m->target);
		const char *mrel = !strncmp(f->rel, m->target, tl) && f->rel[tl] == '/' ? f->rel + tl + 1 : f->rel;
		fm = apply_defaults_of(s, m->defaults, fm, mrel, kind);
	}
	p->fm = apply_defaults(s, fm, f->rel, kind);
	return p;
}


/* Issue 8: one output is a file and another lies inside it as if it were a folder
 * (permalink /x.html and /x.html/): the two writes raced, and one of the pages was silently
 * lost, which one depending on thread timing. An error naming both. Every output path is
 * looked up with "PATH/" in the sorted list of all of them (a binary search each). */
typedef struct out_entry {
	const char *path, *display;
} out_entry;

static int out_entry_cmp(const void *a, const void *b)
{
	return strcmp(((const out_entry *)a)->path, ((const out_entry *)b)->path);
}

static void check_folder_clashes(hg_site *s, hg_diags *d)
{
	size_t n = s->n_pages + s->n_statics;
	out_entry *all = hg_xmalloc((n + 1) * sizeof *all);
	for (size_t i = 0; i < s->n_pages; i++)
		all[i] = (out_entry){s->pages[i]->out_path, s->pages[i]->display};
	for (size_t i = 0; i < s->n_statics; i++)
		all[s->n_pages + i] = (out_entry){s->statics[i].out_path, s->statics[i].display};
	qsort(all, n, sizeof *all, out_entry_cmp);
	hg_buf key = HG_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		hg_buf_reset(&key);
		hg_buf_adds(&key, all[i].path);
		hg_buf_addc(&key, '/');
		size_t lo = i + 1, hi = n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (strcmp(all[mid].path, key.ptr) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < n && !strncmp(all[lo].path, key.ptr, key.len))
			hg_error(d, all[lo].display, 0, 0, "'%s' needs '%s' to be a folder, but %s writes it as a file",
				 all[lo].path, all[i].path, all[i].display);
	}
	hg_buf_release(&key);
	free(all);
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

/* jekyll-paginate: the page at paginate_path's folder ("/blog/" for /blog/page:num/) lists
 * the posts `paginate` at a time; pages 2, 3… are copies of it at paginate_path. Their
 * paginator objects are made once the posts are in order (fill_paginators). */
static void add_pagination(hg_site *s, hg_page ***pages, size_t *np, size_t *cap, hg_diags *d)
{
	hg_config *c = &s->config;
	if (!c->paginate)
		return;
	hg_arena *a = s->arena;
	const char *pp = c->paginate_path;
	const char *num = strstr(pp, ":num");
	hg_buf index = HG_BUF_INIT;
	hg_buf_add(&index, pp, (size_t)(num - pp));
	while (index.len && index.ptr[index.len - 1] != '/')
		hg_buf_truncate(&index, index.len - 1);
	hg_buf norm = HG_BUF_INIT;
	bool ok = hg_url_normalize(index.len ? index.ptr : "/", &norm);
	hg_page *home = NULL;
	size_t n_posts = 0;
	for (size_t i = 0; i < *np; i++) {
		hg_page *p = (*pages)[i];
		n_posts += p->is_post;
		if (ok && !home && !p->generated && !strcmp(p->url, norm.ptr))
			home = p;
	}
	if (!home) {
		hg_value *v = hg_map_get(c->raw, "paginate");
		hg_warn(d, c->path, v ? v->line : 0, v ? v->col : 0,
			"'paginate' has no page to paginate: no page has the URL '%s'", norm.ptr);
		hg_diag_note(d, "hint: add an index.html there, or set paginate_path to the blog's folder");
		hg_buf_release(&index);
		hg_buf_release(&norm);
		return;
	}
	size_t total = n_posts ? (n_posts + c->paginate - 1) / c->paginate : 1;
	home->pager = 1;
	for (size_t k = 2; k <= total && k <= 100000; k++) {
		hg_buf url = HG_BUF_INIT, nurl = HG_BUF_INIT, out = HG_BUF_INIT;
		hg_buf_add(&url, pp, (size_t)(num - pp));
		hg_buf_addf(&url, "%zu", k);
		hg_buf_adds(&url, num + 4);
		const char *last = strrchr(url.ptr, '/');
		if (!strchr(last ? last : url.ptr, '.') && url.ptr[url.len - 1] != '/')
			hg_buf_addc(&url, '/');
		if (!hg_url_normalize(url.ptr, &nurl) || url_taken(*pages, *np, nurl.ptr)) {
			hg_warn(d, c->path, 0, 0, "'paginate_path' gives page %zu the URL '%s', which is not free", k, url.ptr);
			hg_buf_release(&url);
			hg_buf_release(&nurl);
			hg_buf_release(&out);
			break;
		}
		hg_page *p = hg_arena_alloc(a, sizeof *p);
		*p = *home;
		p->text = home->text ? hg_xstrndup(home->text, home->text_len) : NULL;
		p->rel = hg_arena_printf(a, "(page %zu)/%s", k, home->rel);
		p->url = hg_arena_strndup(a, nurl.ptr, nurl.len);
		hg_url_output_path(p->url, &out);
		p->out_path = hg_arena_strndup(a, out.ptr, out.len);
		p->is_home = false;
		p->generated = true;
		p->pager = (unsigned)k;
		p->fm = hg_value_map(a);
		hg_map_merge(a, p->fm, home->fm);
		hg_map_set(a, p->fm, "nav_exclude", &hg_true_value);
		hg_map_set(a, p->fm, "search_exclude", &hg_true_value);
		hg_map_set(a, p->fm, "redirect_from", &hg_null_value); /* the index's own, once */
		hg_map_set(a, p->fm, "aliases", &hg_null_value);
		p->data = hg_value_map(a);
		hg_map_merge(a, p->data, home->data);
		hg_map_set(a, p->data, "url", hg_value_cstr(a, p->url));
		HG_GROW(*pages, *cap, *np + 1);
		(*pages)[(*np)++] = p;
		hg_buf_release(&url);
		hg_buf_release(&nurl);
		hg_buf_release(&out);
	}
	hg_buf_release(&index);
	hg_buf_release(&norm);
}

/* Jekyll's paginator for each page of the blog index, over the posts newest first. */
static void fill_paginators(hg_site *s)
{
	hg_arena *a = s->arena;
	unsigned per = s->config.paginate;
	if (!per)
		return;
	size_t total = s->n_posts ? (s->n_posts + per - 1) / per : 1;
	const char **paths = hg_arena_zalloc(a, (total + 2) * sizeof *paths);
	for (size_t i = 0; i < s->n_pages; i++)
		if (s->pages[i]->pager && s->pages[i]->pager <= total)
			paths[s->pages[i]->pager] = s->pages[i]->url;
	for (size_t i = 0; i < s->n_pages; i++) {
		hg_page *p = s->pages[i];
		if (!p->pager || p->pager > total)
			continue;
		size_t k = p->pager;
		hg_value *pv = hg_value_map(a), *posts = hg_value_list(a);
		for (size_t j = (k - 1) * per; j < s->n_posts && j < k * per; j++)
			hg_list_push(a, posts, s->posts[j]->data);
		hg_map_set(a, pv, "page", hg_value_int(a, (int64_t)k));
		hg_map_set(a, pv, "per_page", hg_value_int(a, per));
		hg_map_set(a, pv, "posts", posts);
		hg_map_set(a, pv, "total_posts", hg_value_int(a, (int64_t)s->n_posts));
		hg_map_set(a, pv, "total_pages", hg_value_int(a, (int64_t)total));
		bool prev = k > 1 && paths[k - 1], next = k < total && paths[k + 1];
		hg_map_set(a, pv, "previous_page", prev ? hg_value_int(a, (int64_t)k - 1) : &hg_null_value);
		hg_map_set(a, pv, "previous_page_path", prev ? hg_value_cstr(a, paths[k - 1]) : &hg_null_value);
		hg_map_set(a, pv, "next_page", next ? hg_value_int(a, (int64_t)k + 1) : &hg_null_value);
		hg_map_set(a, pv, "next_page_path", next ? hg_value_cstr(a, paths[k + 1]) : &hg_null_value);
		p->paginator = pv;
	}
}

static void add_generated_pages(hg_site *s, hg_page ***pages, size_t *np, size_t *cap, hg_diags *d)
{
	add_pagination(s, pages, np, cap, d);
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
		} else if (dot && (!strcmp(dot, ".csv") || !strcmp(dot, ".tsv"))) {
			size_t len;
			char *text = hg_fs_read(path, disp, s->config.max_file_size, &len, d);
			if (text && hg_utf8_check(text, len, disp, NULL, d)) {
				hg_value *v = hg_csv_parse(s->arena, text, len, dot[1] == 't' ? '\t' : ',', disp, d);
				if (v)
					hg_map_setn(s->arena, into, name, (size_t)(dot - name), v);
			}
			free(text);
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

/* Jekyll 4 orders a collection's documents by `order:` (file names as in the collection's
 * folder; the documents it does not list follow, in source order) or by `sort_by:` (a
 * front-matter key; documents without it follow, in source order). */
typedef struct doc_key {
	hg_value *doc;
	long rank;           /* order: the place in the list, or -1 */
	const hg_value *key; /* sort_by: the value, or NULL */
	size_t index;        /* source order, for ties */
} doc_key;

static int doc_key_cmp(const void *pa, const void *pb)
{
	const doc_key *a = pa, *b = pb;
	if ((a->rank < 0) != (b->rank < 0))
		return a->rank < 0 ? 1 : -1;
	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	if (!a->key != !b->key)
		return a->key ? -1 : 1;
	if (a->key && b->key) {
		bool ok;
		int c = hg_value_compare(a->key, b->key, &ok);
		if (!ok) /* a number and a string: numbers first */
			c = a->key->kind == HG_STRING ? 1 : b->key->kind == HG_STRING ? -1 : 0;
		if (c)
			return c;
	}
	return a->index < b->index ? -1 : a->index > b->index;
}

static void sort_collections(hg_site *s)
{
	for (size_t i = 0; i < s->n_collections; i++) {
		hg_collection *c = &s->collections[i];
		size_t n = c->docs->as.list.len;
		if (n < 2 || (!c->sort_by && !c->order))
			continue;
		doc_key *keys = hg_xcalloc(n, sizeof *keys);
		for (size_t k = 0; k < n; k++) {
			hg_value *doc = c->docs->as.list.items[k];
			keys[k] = (doc_key){doc, -1, NULL, k};
			const char *path = hg_map_str(doc, "path", "");
			for (size_t o = 0; c->order && o < c->order->as.list.len && keys[k].rank < 0; o++) {
				const hg_value *e = c->order->as.list.items[o];
				if (e->kind != HG_STRING)
					continue;
				size_t pl = strlen(path), el = e->as.s.len;
				if (pl > el && path[pl - el - 1] == '/' && !memcmp(path + pl - el, e->as.s.ptr, el))
					keys[k].rank = (long)o;
			}
			if (c->sort_by) {
				const hg_value *v = hg_map_get(doc, c->sort_by);
				keys[k].key = v && v->kind != HG_NULL ? v : NULL;
			}
		}
		qsort(keys, n, sizeof *keys, doc_key_cmp);
		for (size_t k = 0; k < n; k++)
			c->docs->as.list.items[k] = keys[k].doc;
		free(keys);
	}
}

/* GitHub Pages' jekyll-github-metadata gives every site `site.github`; layouts use its
 * repository_url ("View on GitHub"), hostname and owner_name. hubgen fills in what does not
 * need GitHub's API, from the config's `repository` ("owner/name" or a github.com address),
 * else the PAGES_REPO_NWO or GITHUB_REPOSITORY variable (GitHub Actions sets the latter), and
 * the commit from GITHUB_SHA; a config that sets `github` itself keeps it. */
static void github_metadata(hg_site *s, hg_value *sv)
{
	hg_arena *a = s->arena;
	const hg_value *own = hg_map_get(s->config.raw, "github");
	if (own && own->kind == HG_MAP)
		return; /* `github: [metadata]` (a list) only asks for the plugin: filled in */
	const char *repo = hg_map_str(s->config.raw, "repository", NULL);
	if (!repo || !*repo)
		repo = getenv("PAGES_REPO_NWO");
	if (!repo || !*repo)
		repo = getenv("GITHUB_REPOSITORY");
	if (!repo || !*repo)
		return;
	const char *host = strstr(repo, "github.com/");
	if (host)
		repo = host + 11;
	else if (strstr(repo, "://"))
		return; /* another forge: nothing to say */
	const char *slash = strchr(repo, '/');
	if (!slash || slash == repo || !slash[1])
		return;
	size_t ol = (size_t)(slash - repo), nl = strcspn(slash + 1, "/?#");
	if (nl > 4 && !memcmp(slash + 1 + nl - 4, ".git", 4))
		nl -= 4;
	const char *owner = hg_arena_strndup(a, repo, ol), *name = hg_arena_strndup(a, slash + 1, nl);
	bool user_page = hg_ends_with(name, ".github.io");
	hg_value *g = hg_value_map(a);
	hg_map_set(a, g, "hostname", hg_value_cstr(a, "github.com"));
	hg_map_set(a, g, "owner_name", hg_value_cstr(a, owner));
	hg_map_set(a, g, "repository_name", hg_value_cstr(a, name));
	hg_map_set(a, g, "repository_nwo", hg_value_cstr(a, hg_arena_printf(a, "%s/%s", owner, name)));
	hg_map_set(a, g, "project_title", hg_value_cstr(a, name));
	hg_map_set(a, g, "project_tagline", hg_value_cstr(a, s->config.description ? s->config.description : ""));
	const char *url = hg_arena_printf(a, "https://github.com/%s/%s", owner, name);
	hg_map_set(a, g, "repository_url", hg_value_cstr(a, url));
	hg_map_set(a, g, "issues_url", hg_value_cstr(a, hg_arena_printf(a, "%s/issues", url)));
	hg_map_set(a, g, "zip_url", hg_value_cstr(a, hg_arena_printf(a, "%s/zipball/%s", url,
								       hg_map_str(s->config.raw, "branch", "main"))));
	hg_map_set(a, g, "is_project_page", hg_value_bool(!user_page));
	hg_map_set(a, g, "is_user_page", hg_value_bool(user_page));
	hg_map_set(a, g, "url", hg_value_cstr(a, user_page ? hg_arena_printf(a, "https://%s", name)
							    : hg_arena_printf(a, "https://%s.github.io/%s", owner, name)));
	const char *sha = getenv("GITHUB_SHA");
	if (sha && *sha)
		hg_map_set(a, g, "build_revision", hg_value_cstr(a, sha));
	hg_map_set(a, sv, "github", g);
}

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
	github_metadata(s, sv);

	/* site.pages in source order, as Jekyll; posts newest first */
	hg_page **by_rel = hg_xmalloc((s->n_pages + 1) * sizeof *by_rel);
	memcpy(by_rel, s->pages, s->n_pages * sizeof *by_rel);
	qsort(by_rel, s->n_pages, sizeof *by_rel, rel_cmp);
	hg_value *pages = hg_value_list(a), *html_pages = hg_value_list(a);
	for (size_t i = 0; i < s->n_pages; i++) {
		if (by_rel[i]->is_post || by_rel[i]->generated || by_rel[i]->collection)
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

	/* site.collections, and each collection's documents as site.<label> */
	hg_value *cols = hg_value_list(a);
	for (size_t i = 0; i < s->n_collections; i++) {
		const hg_collection *c = &s->collections[i];
		hg_value *cv = hg_value_map(a);
		hg_map_set(a, cv, "label", hg_value_cstr(a, c->label));
		hg_map_set(a, cv, "docs", c->docs);
		hg_map_set(a, cv, "output", hg_value_bool(c->output));
		hg_map_set(a, cv, "permalink", hg_value_cstr(a, c->permalink));
		const char *cd = s->config.collections_dir;
		hg_map_set(a, cv, "relative_directory",
			   hg_value_cstr(a, cd && *cd ? hg_arena_printf(a, "%s/_%s", cd, c->label)
						     : hg_arena_printf(a, "_%s", c->label)));
		hg_list_push(a, cols, cv);
		static const char *const builtin[] = {"pages", "html_pages", "posts", "data", "categories", "tags",
						      "time", "static_files", "collections", "url", "baseurl"};
		bool taken = false;
		for (size_t k = 0; k < HG_ARRAY_LEN(builtin) && !taken; k++)
			taken = !strcmp(builtin[k], c->label);
		if (!taken)
			hg_map_set(a, sv, c->label, c->docs);
	}
	hg_map_set(a, sv, "collections", cols);
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

/* ==== dates and edit links ====
 * page.last_modified_at: the front matter's (last_modified_at, or Hugo's lastmod), else the
 * last commit that touched the file (one `git log` for the whole site, see gitdates.h), else
 * the file's modification time — never later than SOURCE_DATE_EPOCH when that is set, so a
 * reproducible build stays reproducible.
 * page.review_due: last_reviewed_on plus review_in ("6 months", "1 year", "2 weeks",
 * "30 days"); a page past it is a warning (an error under --strict).
 * page.edit_url: edit_url + the file's path from the source folder; or, with just-the-docs'
 * gh_edit_link, gh_edit_repository/gh_edit_view_mode/gh_edit_branch/gh_edit_source + the
 * path; or hugo-book's params.BookRepo/params.BookEditPath + the path in content/; or,
 * with `repository` ("org/repo" or a URL), its GitHub edit address for the file's path in
 * the repository (branch: `branch`, else main). */

static bool parse_interval(const char *s, int *months, int64_t *days)
{
	char *end;
	long n = strtol(s, &end, 10);
	if (end == s || n < 0 || n > 1000)
		return false;
	while (*end == ' ')
		end++;
	size_t ul = strlen(end);
	if (ul && end[ul - 1] == 's')
		ul--;
	*months = 0;
	*days = 0;
	if (ul == 3 && !strncmp(end, "day", 3))
		*days = n;
	else if (ul == 4 && !strncmp(end, "week", 4))
		*days = 7 * n;
	else if (ul == 5 && !strncmp(end, "month", 5))
		*months = (int)n;
	else if (ul == 4 && !strncmp(end, "year", 4))
		*months = 12 * (int)n;
	else
		return false;
	return true;
}

static bool value_time(const hg_value *v, hg_time *t)
{
	if (v && v->kind == HG_TIME) {
		*t = v->as.t;
		return true;
	}
	return v && v->kind == HG_STRING && hg_time_parse(v->as.s.ptr, v->as.s.len, t);
}

static void review_date(hg_site *s, hg_page *p, hg_diags *d)
{
	hg_arena *a = s->arena;
	hg_value *lv = hg_map_get(p->fm, "last_reviewed_on");
	if (!lv || lv->kind == HG_NULL)
		return;
	hg_time last;
	if (!value_time(lv, &last)) {
		hg_warn(d, p->display, lv->line, lv->col, "'last_reviewed_on' is not a date hubgen can read; use 2024-06-12");
		return;
	}
	hg_map_set(a, p->data, "last_reviewed_on", hg_value_time(a, last));
	hg_value *iv = hg_map_get(p->fm, "review_in");
	if (!iv || iv->kind == HG_NULL)
		return;
	const char *in = str_of(a, iv);
	int months;
	int64_t days;
	if (!parse_interval(in, &months, &days)) {
		hg_warn(d, p->display, iv->line, iv->col, "'review_in' must be a number of days, weeks, months or years, "
			"such as '6 months', not '%s'", in);
		return;
	}
	hg_civil c = hg_time_civil(last);
	int m = c.month - 1 + months;
	int year = c.year + m / 12, month = m % 12 + 1;
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int dim = mdays[month - 1] + (month == 2 && ((year % 4 == 0 && year % 100) || year % 400 == 0));
	int day = c.day > dim ? dim : c.day; /* 31 August + 6 months is 28 February */
	hg_time due = last;
	due.secs = hg_civil_to_secs(year, month, day, c.hour, c.min, c.sec) - last.utc_offset + days * 86400;
	hg_map_set(a, p->data, "review_due", hg_value_time(a, due));
	if (due.secs < s->now.secs) {
		hg_buf when = HG_BUF_INIT;
		hg_time_format(&when, due, "%Y-%m-%d");
		hg_warn(d, p->display, iv->line, iv->col, "the page was due for review on %s", when.ptr);
		hg_diag_note(d, "hint: review it, then set 'last_reviewed_on' to the day you did");
		hg_buf_release(&when);
	}
}

/* The file's path from the source folder ("content/guide/x.md", "guide/x.md"). */
static void source_path(const hg_site *s, const hg_page *p, hg_buf *out)
{
	if (s->style != HG_STYLE_JEKYLL)
		hg_buf_adds(out, "content/");
	hg_buf_adds(out, p->rel);
}

static void edit_url(hg_site *s, hg_page *p, const hg_gitdates *git)
{
	const hg_value *cfg = s->config.raw;
	hg_buf url = HG_BUF_INIT;
	const char *edit = hg_map_str(cfg, "edit_url", NULL);
	const char *repo = hg_map_str(cfg, "repository", NULL);
	if (edit && *edit) {
		hg_buf_adds(&url, edit);
		if (url.ptr[url.len - 1] != '/')
			hg_buf_addc(&url, '/');
		source_path(s, p, &url);
	} else if (hg_map_bool(cfg, "gh_edit_link", false) && hg_map_str(cfg, "gh_edit_repository", NULL)) {
		const char *src = hg_map_str(cfg, "gh_edit_source", "");
		hg_buf_addf(&url, "%s/%s/%s/", hg_map_str(cfg, "gh_edit_repository", ""),
			    hg_map_str(cfg, "gh_edit_view_mode", "tree"), hg_map_str(cfg, "gh_edit_branch", "main"));
		if (*src && strcmp(src, ".")) {
			while (*src == '/')
				src++;
			hg_buf_adds(&url, src);
			if (url.ptr[url.len - 1] != '/')
				hg_buf_addc(&url, '/');
		}
		source_path(s, p, &url);
	} else if (hg_map_str(hg_map_get(cfg, "params"), "BookRepo", NULL) &&
		   hg_map_str(hg_map_get(cfg, "params"), "BookEditPath", NULL)) {
		/* hugo-book: BookRepo/BookEditPath/ and the file's path in content/ */
		const hg_value *params = hg_map_get(cfg, "params");
		hg_buf_adds(&url, hg_map_str(params, "BookRepo", ""));
		while (url.len && url.ptr[url.len - 1] == '/')
			hg_buf_truncate(&url, url.len - 1);
		const char *ep = hg_map_str(params, "BookEditPath", "");
		while (*ep == '/')
			ep++;
		hg_buf_addf(&url, "/%s", ep);
		if (url.ptr[url.len - 1] != '/')
			hg_buf_addc(&url, '/');
		hg_buf_adds(&url, p->rel);
	} else if (repo && *repo) {
		if (strstr(repo, "://"))
			hg_buf_adds(&url, repo);
		else
			hg_buf_addf(&url, "https://github.com/%s", repo);
		while (url.len && url.ptr[url.len - 1] == '/')
			hg_buf_truncate(&url, url.len - 1);
		hg_buf_addf(&url, "/edit/%s/%s%s", hg_map_str(cfg, "branch", "main"), hg_gitdates_prefix(git), p->rel);
	}
	if (url.len)
		hg_map_set(s->arena, p->data, "edit_url", hg_value_string(s->arena, url.ptr, url.len));
	hg_buf_release(&url);
}

static void page_dates(hg_site *s, hg_page **pages, size_t np, hg_diags *d)
{
	hg_arena *a = s->arena;
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	bool clamp = sde && *sde;
	hg_gitdates *git = np ? hg_gitdates_load(s->pages_root) : NULL;
	for (size_t i = 0; i < np; i++) {
		hg_page *p = pages[i];
		if (p->generated || !p->src_path)
			continue;
		review_date(s, p, d);
		if (!p->mounted) /* a mount's files live in another folder, maybe another repository */
			edit_url(s, p, git);
		hg_time t = {0};
		hg_value *fv = hg_map_get(p->fm, "last_modified_at");
		if (!fv)
			fv = hg_map_get(p->fm, "lastmod");
		if (value_time(fv, &t)) {
			hg_map_set(a, p->data, "last_modified_at", hg_value_time(a, t));
			continue;
		}
		t.has_time = true;
		struct stat st;
		if (p->mounted || !hg_gitdates_get(git, p->rel, &t.secs)) {
			if (p->src_mtime) /* as it was read: no second look at 10,000 files */
				t.secs = p->src_mtime;
			else if (stat(p->src_path, &st) == 0)
				t.secs = (int64_t)st.st_mtime;
			else
				continue;
			p->mtime_date = true;
		}
		if (clamp && t.secs > s->now.secs)
			t.secs = s->now.secs;
		hg_map_set(a, p->data, "last_modified_at", hg_value_time(a, t));
	}
	hg_gitdates_free(git);
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
	s->style = folder_style(s->source);

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
	scan sc = {.s = s, .d = d, .style = s->style, .mount_index = -1};
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
		if (hg_fs_is_dir(root) && folder_in_source(real_source, root, d))
			walk(&sc, root, "", root, "", true, 0);
		free(root);
	}
	for (int m = 0; m < 2 && static_mounts[m][0]; m++) {
		char *dir = hg_path_join(s->source, static_mounts[m][0]);
		if (hg_fs_is_dir(dir) && folder_in_source(real_source, dir, d))
			walk(&sc, dir, "", dir, static_mounts[m][1], false, 0);
		free(dir);
	}
	for (size_t m = 0; m < s->config.n_mounts; m++)
		walk_mount(&sc, &s->config.mounts[m]);

	/* read (on every core), then model (in order), a batch at a time: a page's text goes as
	 * soon as it is modelled (the render stage reads it again), so no more than a batch of
	 * texts is held at once. (Reading everything first held every text: 50 MB of a
	 * 10,000-page build's 150 MB peak.) */
	int jobs = opt->jobs > 0 ? opt->jobs : hg_default_jobs();
	page_read *reads = hg_xcalloc(LOAD_BATCH, sizeof *reads);
	hg_page **pages = NULL;
	size_t np = 0, pcap = 0;
	hg_static *statics = NULL;
	size_t ns = 0, scap = 0;
	bool *readme_index = readme_indexes(&sc);
	for (size_t start = 0; start < sc.n; start += LOAD_BATCH) {
		size_t count = sc.n - start < LOAD_BATCH ? sc.n - start : LOAD_BATCH;
		hg_arena **arenas = hg_xcalloc((size_t)jobs, sizeof *arenas);
		for (int w = 0; w < jobs; w++)
			arenas[w] = hg_arena_new();
		read_job rj = {s, sc.items + start, reads, arenas, d};
		if (!sc.too_many) /* over max_pages: reported, nothing is read */
			hg_parallel_for(count, jobs, read_page, &rj);
		for (int w = 0; w < jobs; w++)
			hg_arena_adopt(a, arenas[w]);
		free(arenas);
		for (size_t i = start; i < start + count; i++) {
			struct found *f = &sc.items[i];
			page_read *r = &reads[i - start];
			const char *name = strrchr(f->rel, '/');
			name = name ? name + 1 : f->rel;
			hg_page *p = NULL;
			if (sc.too_many || r->state == READ_FAILED)
				goto next; /* reported: not copied either */
			if (r->state == READ_PAGE)
				p = make_page(s, f, r);
			if (p) {
				p->readme_index = readme_index[i];
				p->jekyll = f->jekyll;
				if (model_page(s, p, d)) {
					if (p->collection)
						hg_list_push(a, ((hg_collection *)p->collection)->docs, p->data);
					if (p->collection && !p->collection->output) {
						document_content(s, p); /* site.<label> only */
						free(p->text);
						p->text = NULL;
						goto next;
					}
					/* Liquid runs inside code blocks too (issue 6): each such place is
					 * a warning with the fix */
					if (p->liquid && p->markdown)
						hg_compat_check_fences(p->text + p->body_off, p->text_len - p->body_off,
								       p->display, p->body_line, d);
					/* every title, URL and order is known: the text goes until the page
					 * renders, but for the home page, whose text the blog index's
					 * other pages copy (pagination, below) */
					if (!s->opt.keep_texts && !p->is_home) {
						free(p->text);
						p->text = NULL;
					}
					HG_GROW(pages, pcap, np + 1);
					pages[np++] = p;
				} else {
					free(p->text);
					p->text = NULL;
				}
			} else if (!(f->page_root && is_markdown_name(name))) {
				const hg_collection *col = f->page_root ? collection_of(s, f->rel) : NULL;
				if (col && !col->output)
					goto next; /* a collection that is not written: its files are not either */
				HG_GROW(statics, scap, ns + 1);
				statics[ns++] = (hg_static){hg_arena_strdup(a, f->fs_path),
							    hg_arena_printf(a, "%s%s%s", f->out_prefix,
									    *f->out_prefix ? "/" : "", f->rel),
							    hg_arena_strdup(a, f->display)};
			}
		next:
			free(r->text); /* a page not made (read but not modelled) */
			free(f->fs_path);
			free(f->rel);
			free(f->display);
		}
	}
	free(reads);
	free(readme_index);
	free(sc.items);
	for (size_t i = 0; i < sc.n_linked; i++)
		free(sc.linked[i]);
	free(sc.linked);
	free(real_dest);

	page_dates(s, pages, np, d);
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
	check_folder_clashes(s, d);

	/* posts, newest first */
	s->posts = hg_arena_alloc(a, (s->n_pages + 1) * sizeof(hg_page *));
	for (size_t i = 0; i < s->n_pages; i++)
		if (s->pages[i]->is_post)
			s->posts[s->n_posts++] = s->pages[i];
	qsort(s->posts, s->n_posts, sizeof(hg_page *), post_cmp);
	fill_paginators(s);

	hg_value *data = hg_value_map(a);
	{
		char *dd = hg_path_join(s->source, data_dir);
		if (hg_fs_is_dir(dd) && folder_in_source(real_source, dd, d))
			load_data_dir(s, dd, dd, data, 0, d);
		free(dd);
	}
	for (size_t i = 0; i < s->config.n_mounts; i++) { /* the site's own names win */
		const char *md = s->config.mounts[i].data_dir;
		if (!md || !folder_in_source(s->config.mounts[i].real, md, d))
			continue;
		hg_value *theirs = hg_value_map(a);
		load_data_dir(s, md, md, theirs, 0, d);
		for (size_t k = 0; k < theirs->as.map.len; k++)
			if (!hg_map_get(data, theirs->as.map.entries[k].key))
				hg_map_set(a, data, theirs->as.map.entries[k].key, theirs->as.map.entries[k].val);
	}
	free(real_source);
	sort_collections(s);
	build_site_value(s, data);
	/* the home page's text, kept for pagination, goes too */
	for (size_t i = 0; i < s->n_pages && !s->opt.keep_texts; i++)
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

hg_reload hg_site_reload_page(hg_site *s, hg_page *p, hg_diags *d)
{
	/* the home page's text is copied into the blog index's other pages (pagination) */
	if (!p->src_path || !p->text || p->is_home || p->paginator || p->generated)
		return HG_RELOAD_MORE;
	struct stat st;
	if (stat(p->src_path, &st) != 0 || !S_ISREG(st.st_mode))
		return HG_RELOAD_MORE; /* gone: the site loses a page */
	size_t len;
	char *text = hg_fs_read(p->src_path, p->display, s->config.max_file_size, &len, d);
	if (!text)
		return HG_RELOAD_ERROR;
	hg_buf fixed = HG_BUF_INIT;
	if (!hg_utf8_check(text, len, p->display, &fixed, d)) {
		free(text);
		hg_buf_release(&fixed);
		return HG_RELOAD_ERROR;
	}
	if (fixed.len) {
		free(text);
		text = hg_buf_detach(&fixed, &len);
	}
	hg_buf_release(&fixed);
	/* the front matter, with the line that closes it, as the model read it */
	if (len < p->body_off || memcmp(text, p->text, p->body_off) != 0) {
		free(text);
		return HG_RELOAD_MORE;
	}
	if (p->body_off == 0 && len >= 3 && !memcmp(text, "---", 3)) {
		free(text);
		return HG_RELOAD_MORE; /* a page without front matter now has some */
	}
	/* a title taken from the first heading is the navigation's too */
	if (p->markdown && !hg_map_get(p->fm, "title")) {
		hg_arena *tmp = hg_arena_new();
		const char *was = hg_markdown_first_h1(p->text + p->body_off, p->text_len - p->body_off, tmp);
		const char *now = hg_markdown_first_h1(text + p->body_off, len - p->body_off, tmp);
		bool same = (!was && !now) || (was && now && !strcmp(was, now));
		hg_arena_free(tmp);
		if (!same) {
			free(text);
			return HG_RELOAD_MORE;
		}
	}
	if (p->liquid && p->markdown)
		hg_compat_check_fences(text + p->body_off, len - p->body_off, p->display, p->body_line, d);
	free(p->text);
	p->text = text;
	p->text_len = len;
	p->src_mtime = (int64_t)st.st_mtime;
	if (p->mtime_date) {
		const char *sde = getenv("SOURCE_DATE_EPOCH");
		hg_time t = {.secs = (int64_t)st.st_mtime, .has_time = true};
		if (sde && *sde && t.secs > s->now.secs)
			t.secs = s->now.secs;
		hg_map_set(s->arena, p->data, "last_modified_at", hg_value_time(s->arena, t));
	}
	return HG_RELOAD_BODY;
}
