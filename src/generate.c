#include "generate.h"

#include <string.h>

#include "url.h"

#include "banned.h"

static bool site_has(const hg_site *s, const char *path)
{
	for (size_t i = 0; i < s->n_statics; i++)
		if (!strcmp(s->statics[i].out_path, path))
			return true;
	for (size_t i = 0; i < s->n_pages; i++)
		if (!strcmp(s->pages[i]->out_path, path))
			return true;
	return false;
}

static bool has_search_page(const hg_site *s)
{
	for (size_t i = 0; i < s->n_pages; i++)
		if (!strcmp(s->pages[i]->url, "/search/"))
			return true;
	return false;
}

size_t hg_generated_paths(const hg_site *s, const char *paths[HG_MAX_GENERATED])
{
	static const char *all[] = {"sitemap.xml", "robots.txt", "feed.xml", "search-index.json", ".nojekyll",
				    "staticwebapp.config.json"};
	size_t n = 0;
	for (size_t i = 0; i < HG_ARRAY_LEN(all); i++) {
		if (!strcmp(all[i], "feed.xml") && s->n_posts == 0)
			continue;
		if (!strcmp(all[i], "search-index.json") && !has_search_page(s))
			continue;
		if (!site_has(s, all[i]))
			paths[n++] = all[i];
	}
	return n;
}

static bool wanted(const char *const *paths, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(paths[i], name))
			return true;
	return false;
}

const char *hg_html_excerpt(const char *html, size_t len, size_t max_words, hg_arena *a)
{
	hg_buf b = HG_BUF_INIT;
	size_t words = 0;
	bool in_tag = false, space = true;
	for (size_t i = 0; i < len && words < max_words; i++) {
		char c = html[i];
		if (in_tag) {
			if (c == '>')
				in_tag = false;
			continue;
		}
		if (c == '<') {
			in_tag = true;
			/* skip the text of script, style and pre-formatted code: not prose */
			static const char *skip[] = {"<script", "<style", "<pre"};
			static const char *close[] = {"</script>", "</style>", "</pre>"};
			for (size_t k = 0; k < 3; k++) {
				size_t n = strlen(skip[k]);
				if (i + n <= len && !strncmp(html + i, skip[k], n)) {
					const char *end = hg_find(html + i, len - i, close[k], strlen(close[k]));
					i = end ? (size_t)(end - html) + strlen(close[k]) - 1 : len;
					in_tag = false;
					break;
				}
			}
			if (!space) {
				hg_buf_addc(&b, ' ');
				space = true;
			}
			continue;
		}
		if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
			if (!space) {
				hg_buf_addc(&b, ' ');
				space = true;
				words++;
			}
			continue;
		}
		if (c == '&') {
			/* the common entities, so the excerpt reads as text */
			static const char *ents[][2] = {{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""},
							{"&#39;", "'"}, {"&nbsp;", " "}};
			bool done = false;
			for (size_t k = 0; k < HG_ARRAY_LEN(ents) && !done; k++) {
				size_t n = strlen(ents[k][0]);
				if (i + n <= len && !strncmp(html + i, ents[k][0], n)) {
					hg_buf_adds(&b, ents[k][1]);
					i += n - 1;
					done = true;
				}
			}
			if (done) {
				space = false;
				continue;
			}
		}
		hg_buf_addc(&b, c);
		space = false;
	}
	while (b.len && b.ptr[b.len - 1] == ' ')
		hg_buf_truncate(&b, b.len - 1);
	const char *r = hg_arena_strndup(a, b.ptr, b.len);
	hg_buf_release(&b);
	return r;
}

/* ---- XML and JSON text ---- */

static void add_xml(hg_buf *b, const char *s) { hg_buf_add_html_escaped(b, s, strlen(s)); }

static void add_json_str(hg_buf *b, const char *s)
{
	hg_value v = {.kind = HG_STRING, .as.s = {s, strlen(s)}};
	hg_value_to_json(b, &v);
}

/* The address of a site URL: with the config's url when it has one. */
static void add_address(hg_buf *b, const hg_site *s, const char *url)
{
	hg_buf_adds(b, s->config.url);
	hg_url_with_base(s->config.baseurl, url, b);
}

/* An Atom id must be an absolute IRI: the address when the site has a `url`, else a tag
 * URI (RFC 4151) built from the path, stable from build to build. */
static void add_atom_id(hg_buf *b, const hg_site *s, const char *url)
{
	if (*s->config.url) {
		hg_buf a = HG_BUF_INIT;
		add_address(&a, s, url);
		add_xml(b, a.ptr);
		hg_buf_release(&a);
		return;
	}
	hg_buf_adds(b, "tag:hubgen.invalid,2024:");
	add_xml(b, url);
}

static void add_rfc3339(hg_buf *b, hg_time t)
{
	hg_time_format(b, t, "%Y-%m-%dT%H:%M:%S");
	int off = t.utc_offset;
	if (!off) {
		hg_buf_addc(b, 'Z');
		return;
	}
	int a = off < 0 ? -off : off;
	hg_buf_addf(b, "%c%02d:%02d", off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
}

static bool listed(const hg_page *p, const char *flag)
{
	return !p->redirect && strcmp(p->out_path, "404.html") && hg_ends_with(p->out_path, ".html") &&
	       hg_map_bool(p->fm, flag, true);
}

static void write_file(hg_output *out, const char *path, const hg_buf *b, hg_diags *d)
{
	if (out)
		hg_output_write(out, path, b->ptr, b->len, d);
}

static void gen_sitemap(const hg_site *s, hg_output *out, hg_diags *d)
{
	hg_buf b = HG_BUF_INIT;
	hg_buf_adds(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			"<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
	for (size_t i = 0; i < s->n_pages; i++) {
		const hg_page *p = s->pages[i];
		if (!listed(p, "sitemap") || p->generated)
			continue;
		hg_buf_adds(&b, "<url><loc>");
		hg_buf u = HG_BUF_INIT;
		add_address(&u, s, p->url);
		add_xml(&b, u.ptr);
		hg_buf_release(&u);
		hg_buf_adds(&b, "</loc>");
		/* the front matter's last_modified_at (or lastmod), else the last commit's date; a
		 * file's own time is when it was checked out, so it is left out */
		hg_value *lm = p->mtime_date ? NULL : hg_map_get(p->data, "last_modified_at");
		if (lm && lm->kind == HG_TIME) {
			hg_buf_adds(&b, "<lastmod>");
			add_rfc3339(&b, lm->as.t);
			hg_buf_adds(&b, "</lastmod>");
		} else if (p->has_date) {
			hg_buf_adds(&b, "<lastmod>");
			add_rfc3339(&b, p->date);
			hg_buf_adds(&b, "</lastmod>");
		}
		hg_buf_adds(&b, "</url>\n");
	}
	hg_buf_adds(&b, "</urlset>\n");
	write_file(out, "sitemap.xml", &b, d);
	hg_buf_release(&b);
}

static void gen_robots(const hg_site *s, hg_output *out, hg_diags *d)
{
	hg_buf b = HG_BUF_INIT;
	hg_buf_adds(&b, "User-agent: *\nAllow: /\nSitemap: ");
	add_address(&b, s, "/sitemap.xml");
	hg_buf_addc(&b, '\n');
	write_file(out, "robots.txt", &b, d);
	hg_buf_release(&b);
}

static void gen_feed(const hg_site *s, const hg_search_entry *search, hg_output *out, hg_diags *d)
{
	hg_buf b = HG_BUF_INIT, u = HG_BUF_INIT;
	const char *title = s->config.title && *s->config.title ? s->config.title : "Posts";
	hg_buf_adds(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<title>");
	add_xml(&b, title);
	hg_buf_adds(&b, "</title>\n");
	if (s->config.description && *s->config.description) {
		hg_buf_adds(&b, "<subtitle>");
		add_xml(&b, s->config.description);
		hg_buf_adds(&b, "</subtitle>\n");
	}
	add_address(&u, s, "/feed.xml");
	hg_buf_adds(&b, "<link href=\"");
	add_xml(&b, u.ptr);
	hg_buf_adds(&b, "\" rel=\"self\" type=\"application/atom+xml\"/>\n<link href=\"");
	hg_buf_reset(&u);
	add_address(&u, s, "/");
	add_xml(&b, u.ptr);
	hg_buf_adds(&b, "\" rel=\"alternate\" type=\"text/html\"/>\n<id>");
	add_atom_id(&b, s, "/");
	hg_buf_adds(&b, "</id>\n<updated>");
	add_rfc3339(&b, s->n_posts ? s->posts[0]->date : s->now);
	hg_buf_adds(&b, "</updated>\n<author><name>");
	add_xml(&b, title);
	hg_buf_adds(&b, "</name></author>\n<generator>hubgen</generator>\n");
	for (size_t k = 0; k < s->n_posts && k < 50; k++) {
		const hg_page *p = s->posts[k];
		size_t i = 0;
		while (i < s->n_pages && s->pages[i] != p)
			i++;
		hg_buf_reset(&u);
		add_address(&u, s, p->url);
		hg_buf_adds(&b, "<entry>\n<title>");
		add_xml(&b, p->title);
		hg_buf_adds(&b, "</title>\n<link href=\"");
		add_xml(&b, u.ptr);
		hg_buf_adds(&b, "\" rel=\"alternate\" type=\"text/html\"/>\n<id>");
		add_atom_id(&b, s, p->url);
		hg_buf_adds(&b, "</id>\n<published>");
		add_rfc3339(&b, p->date);
		hg_buf_adds(&b, "</published>\n<updated>");
		hg_value *lm = hg_map_get(p->fm, "last_modified_at");
		add_rfc3339(&b, lm && lm->kind == HG_TIME ? lm->as.t : p->date);
		hg_buf_adds(&b, "</updated>\n");
		const char *author = hg_map_str(p->fm, "author", NULL);
		if (author) {
			hg_buf_adds(&b, "<author><name>");
			add_xml(&b, author);
			hg_buf_adds(&b, "</name></author>\n");
		}
		const char *summary = hg_map_str(p->fm, "summary", hg_map_str(p->fm, "description", NULL));
		if (!summary && search && i < s->n_pages)
			summary = search[i].excerpt;
		if (summary && *summary) {
			hg_buf_adds(&b, "<summary>");
			add_xml(&b, summary);
			hg_buf_adds(&b, "</summary>\n");
		}
		hg_value *cats = hg_map_get(p->data, "categories");
		for (size_t c = 0; cats && cats->kind == HG_LIST && c < cats->as.list.len; c++) {
			hg_buf_adds(&b, "<category term=\"");
			add_xml(&b, cats->as.list.items[c]->as.s.ptr);
			hg_buf_adds(&b, "\"/>\n");
		}
		hg_buf_adds(&b, "</entry>\n");
	}
	hg_buf_adds(&b, "</feed>\n");
	write_file(out, "feed.xml", &b, d);
	hg_buf_release(&b);
	hg_buf_release(&u);
}

bool hg_search_record(const hg_site *s, const hg_nav *nav, const hg_search_entry *search, size_t i, hg_buf *b)
{
	const hg_page *p = s->pages[i];
	if (p->redirect || p->generated || !hg_ends_with(p->out_path, ".html") ||
	    hg_map_bool(p->fm, "search_exclude", false) || hg_map_bool(p->fm, "bookSearchExclude", false) ||
	    !hg_map_bool(p->fm, "search", true))
		return false;
	hg_buf_adds(b, "\n{\"t\":");
	add_json_str(b, p->title);
	hg_buf_adds(b, ",\"u\":");
	add_json_str(b, p->url);
	/* the top-level section the page is under */
	const hg_nav_item *top = nav ? &nav->items[i] : NULL;
	while (top && top->parent)
		top = top->parent;
	if (top && top->page != p) {
		hg_buf_adds(b, ",\"s\":");
		add_json_str(b, top->page->title);
	}
	if (search && search[i].headings && *search[i].headings) {
		hg_buf_adds(b, ",\"h\":");
		add_json_str(b, search[i].headings);
	}
	if (search && search[i].excerpt && *search[i].excerpt) {
		hg_buf_adds(b, ",\"x\":");
		add_json_str(b, search[i].excerpt);
	}
	hg_buf_addc(b, '}');
	return true;
}

void hg_generate_search_index(const hg_site *s, const hg_nav *nav, const hg_search_entry *search, hg_buf *out)
{
	hg_buf_adds(out, "{\"pages\":[");
	bool first = true;
	for (size_t i = 0; i < s->n_pages; i++) {
		size_t mark = out->len;
		if (!first)
			hg_buf_addc(out, ',');
		if (hg_search_record(s, nav, search, i, out))
			first = false;
		else
			hg_buf_truncate(out, mark);
	}
	hg_buf_adds(out, "\n]}\n");
}

bool hg_generates(const hg_site *s, const char *name)
{
	const char *paths[HG_MAX_GENERATED];
	return wanted(paths, hg_generated_paths(s, paths), name);
}

static void gen_search(const hg_site *s, const hg_nav *nav, const hg_search_entry *search, hg_output *out,
		       hg_diags *d)
{
	hg_buf b = HG_BUF_INIT;
	hg_generate_search_index(s, nav, search, &b);
	write_file(out, "search-index.json", &b, d);
	hg_buf_release(&b);
}

static void gen_swa(const hg_site *s, hg_output *out, hg_diags *d)
{
	hg_buf b = HG_BUF_INIT, p = HG_BUF_INIT;
	hg_url_with_base(s->config.baseurl, "/404.html", &p);
	hg_buf_adds(&b, "{\n  \"trailingSlash\": \"auto\",\n  \"responseOverrides\": {\n    \"404\": {\n      \"rewrite\": ");
	add_json_str(&b, p.ptr);
	hg_buf_adds(&b, ",\n      \"statusCode\": 404\n    }\n  }\n}\n");
	write_file(out, "staticwebapp.config.json", &b, d);
	hg_buf_release(&b);
	hg_buf_release(&p);
}

typedef struct gen_job {
	const hg_site *s;
	const hg_nav *nav;
	const hg_search_entry *search;
	hg_output *out;
	hg_diags *d;
	const char *names[HG_MAX_GENERATED];
} gen_job;

static void gen_one(void *ud, size_t i, int worker)
{
	(void)worker;
	gen_job *j = ud;
	const char *name = j->names[i];
	if (!strcmp(name, "sitemap.xml"))
		gen_sitemap(j->s, j->out, j->d);
	else if (!strcmp(name, "robots.txt"))
		gen_robots(j->s, j->out, j->d);
	else if (!strcmp(name, "feed.xml"))
		gen_feed(j->s, j->search, j->out, j->d);
	else if (!strcmp(name, "search-index.json"))
		gen_search(j->s, j->nav, j->search, j->out, j->d);
	else if (!strcmp(name, ".nojekyll") && j->out)
		hg_output_write(j->out, ".nojekyll", "", 0, j->d);
	else if (!strcmp(name, "staticwebapp.config.json"))
		gen_swa(j->s, j->out, j->d);
}

/* Each file on its own core: the sitemap, the feed and the search index each walk every
 * page, and are independent of each other. */
void hg_generate_files(const hg_site *s, const hg_nav *nav, const hg_search_entry *search, hg_output *out,
		       hg_diags *d)
{
	gen_job j = {s, nav, search, out, d, {0}};
	size_t n = hg_generated_paths(s, j.names);
	hg_parallel_for(n, s->opt.jobs, gen_one, &j);
}
