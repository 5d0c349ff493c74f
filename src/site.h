/* site.h — a site: its configuration, its pages and its static files, read and modelled.
 *
 * hg_site_load runs the first stages of the pipeline, single-threaded apart from reading:
 *   config → scan → load → model
 * It finds where the pages are (hub.yml: content/; a content/ folder: Hugo style; else
 * Jekyll style in the source folder), reads every page, splits and parses its front
 * matter, and works out each page's title, URL, output path, date and order. After it
 * returns, the site is read-only until hg_site_free: the render stage reads it from many
 * threads.
 *
 * The structs are plain records rather than opaque handles because every later stage
 * (nav, render, output, check) reads them; only site.c writes them.
 *
 * Ownership: everything hangs off site->arena and lives until hg_site_free.
 */
#ifndef HG_SITE_H
#define HG_SITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "util.h"
#include "value.h"

typedef enum hg_layout_style {
	HG_STYLE_HUB,    /* hub.yml: content/, templates/, assets/, data/ */
	HG_STYLE_HUGO,   /* content/ without hub.yml */
	HG_STYLE_JEKYLL, /* pages in the source folder, _layouts/, _includes/, _data/ */
} hg_layout_style;

typedef struct hg_build_options {
	const char *source;      /* default "." */
	const char *destination; /* default SOURCE/_site */
	const char *base_url;    /* --base-url, overrides the config; NULL if not given */
	bool strict, drafts, quiet, verbose;
	int jobs; /* 0: one per core */
	bool check_only; /* hubgen check: everything but writing */
	bool keep_texts; /* hold every page's text from load to render (the preview server,
	                  * whose files change while it builds) instead of reading it again */
} hg_build_options;

typedef struct hg_config {
	const char *title, *description;
	const char *url;     /* "https://example.org" (no trailing slash) or "" */
	const char *baseurl; /* "" or "/hub" */
	const char *permalink; /* for posts; NULL: /blog/:year/:month/:day/:title/ */
	bool unsafe_html;    /* markdown.unsafe (default true) */
	bool hardbreaks, smart;
	size_t max_file_size;
	struct hg_mount {
		const char *source; /* a folder, as written (relative to the site's folder) */
		const char *target; /* where its pages go: "experience" (no slashes at the ends) */
		unsigned line, col; /* of the entry, for messages */
		/* filled in when the mount is read (NULL when it is not there): */
		const char *real;     /* its real path: its include folder may be read from it */
		const char *data_dir; /* its _data/ (or data/), if it has one */
		const hg_value *defaults; /* its own config's `defaults`, or NULL */
	} *mounts;                  /* mounts: other folders of Markdown read into this site */
	size_t n_mounts;
	unsigned paginate;          /* paginate: posts per page of the blog index; 0: none */
	const char *paginate_path;  /* paginate_path: "/page:num/" unless the config says */
	size_t max_pages; /* max_pages (default 1,000,000): more pages is an error */
	hg_value *raw; /* the whole config map (site.* in Liquid) */
	hg_value *defaults; /* list of {scope, values}, or NULL */
	const char **exclude; /* glob patterns */
	size_t n_exclude;
	const char *path; /* the config file as shown in messages, or NULL */
	const char *theme; /* theme: or remote_theme: (not used), or NULL; layouts may name its layouts */
	const char *collections_dir; /* Jekyll's collections_dir: "" or "my_collections" (no slashes
	                              * at the ends): the collections' _label/ folders are in it */
} hg_config;

/* A Jekyll collection (`collections:` in the config): documents read from _<label>/. */
typedef struct hg_collection {
	const char *label;     /* "recipes" */
	bool output;           /* its documents are pages of their own */
	const char *permalink; /* their URL pattern: "/:collection/:path/" unless the config says */
	hg_value *docs;        /* site.<label>: each document's `page` object, in source order, then
	                        * sorted by sort_by or order */
	const char *sort_by;   /* Jekyll 4's sort_by: a front-matter key, or NULL */
	const hg_value *order; /* Jekyll 4's order: a list of file names, or NULL */
} hg_collection;

typedef struct hg_page {
	/* where it came from */
	const char *rel;     /* relative to the pages root: "guide/open-source.md" */
	const char *display; /* as the user names it in messages: "content/guide/open-source.md" */
	const char *src_path; /* the file to read (NULL for generated pages) */
	char *text;          /* the whole file (UTF-8, repaired if needed) while the site loads;
	                      * NULL after, except for generated pages: the render stage reads the
	                      * file again (hg_page_text), so a big site does not hold every page's
	                      * text in memory at once */
	size_t text_len;
	size_t body_off;     /* body = text + body_off */
	unsigned body_line;  /* line of the body's first byte in the file */
	hg_value *fm;        /* front matter merged over config defaults (a map) */

	/* the model */
	const char *title;
	const char *url;      /* "/guide/open-source/" (without the base URL) */
	const char *out_path; /* "guide/open-source/index.html" */
	const char *layout;   /* layout name, or NULL for none */
	bool layout_given;    /* front matter named it (so an unknown one is an error) */
	bool markdown;        /* .md / .markdown: converted after Liquid */
	bool liquid;          /* render_with_liquid is not false */
	bool is_post, is_section, is_home;
	bool generated; /* made by hubgen (404, search, redirects), not read from a file */
	bool redirect;  /* a redirect_from / aliases page */
	bool has_date;
	hg_time date;
	bool has_order;
	double order;      /* nav_order or weight */
	hg_value *data;    /* the `page` object Liquid sees */
	const hg_collection *collection; /* the collection it is a document of, or NULL */
	hg_value *paginator; /* the `paginator` object of a paginated blog index, or NULL */
	unsigned pager;      /* its page number (1 for the index itself), or 0 */
	bool mounted;        /* read from one of the config's mounts */
	bool mtime_date;     /* last_modified_at came from the file's modification time */
	int64_t src_mtime;   /* the file's modification time when it was read (0: unknown) */
	bool readme_index;   /* a Jekyll folder's README.md standing in for its missing index */
	bool jekyll;         /* read from a folder in Jekyll's convention */
	bool source_links;   /* a Jekyll page without a permalink, one folder deeper than its file
	                      * (/a/b/ for a/b.md, where Jekyll says /a/b.html): the relative links
	                      * in its Markdown are read from its file's folder, as written */
} hg_page;

typedef struct hg_static {
	const char *src;      /* path to read from (real file system path) */
	const char *out_path; /* relative to the destination */
	const char *display;
} hg_static;

typedef struct hg_site {
	hg_arena *arena;
	hg_build_options opt;
	hg_layout_style style;
	hg_config config;
	const char *source;      /* as given */
	const char *pages_root;  /* folder holding the pages: "content" or "." (file system path) */
	const char *dest;
	const char **layout_dirs;  /* searched in order; the embedded theme comes after */
	size_t n_layout_dirs;
	const char **include_dirs;
	size_t n_include_dirs;
	hg_page **pages;      /* sorted by output path */
	size_t n_pages;
	hg_page **posts;      /* newest first */
	size_t n_posts;
	hg_static *statics;   /* sorted by output path */
	size_t n_statics;
	hg_value *site_value; /* the `site` object Liquid sees */
	hg_time now;          /* SOURCE_DATE_EPOCH or the clock, once per build */
	hg_collection *collections; /* from the config (Jekyll style only), in its order */
	size_t n_collections;
} hg_site;

/* Runs config → scan → load → model. Returns the site (even with content errors, so that
 * every error is reported in one run), or NULL when the source or the config cannot be
 * used at all (a usage or config error: exit code 2). */
hg_site *hg_site_load(const hg_build_options *opt, hg_diags *d);
void hg_site_free(hg_site *s);

/* The page's whole text for rendering: p->text when it is kept, else the file read again
 * and repaired as it was at load time. Returns a heap string the caller frees with
 * hg_page_text_free, or NULL after adding an error to d (the file changed or vanished
 * during the build). */
char *hg_page_text(const hg_site *s, const hg_page *p, hg_diags *d);
void hg_page_text_free(const hg_page *p, char *text);

/* The page whose source is rel (relative to the pages root), or NULL. */
hg_page *hg_site_find_page(const hg_site *s, const char *rel);

/* For the preview server, whose site keeps every page's text (keep_texts): reads page p's
 * file again. When only the body changed (the front matter is byte for byte the same, so
 * nothing the model or the navigation knows of the page did), the page takes the new text
 * (and its new modification time as last_modified_at, when that is where the date came
 * from) and HG_RELOAD_BODY is returned. HG_RELOAD_MORE: the front matter changed or the
 * file is gone, the model must be built again; HG_RELOAD_ERROR: errors in d (invalid
 * UTF-8, too large); in both cases the page is as it was. */
typedef enum hg_reload { HG_RELOAD_BODY, HG_RELOAD_MORE, HG_RELOAD_ERROR } hg_reload;
hg_reload hg_site_reload_page(hg_site *s, hg_page *p, hg_diags *d);

/* Whether a template folder whose real path is real may be read: it lies inside the site's
 * folder, or inside one of its mounts (whose includes are read). */
bool hg_site_template_folder_ok(const hg_site *s, const char *real);

#endif
