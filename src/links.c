#include "links.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "url.h"

#include "banned.h"

/* ==== scanning HTML ==== */

/* Whether a[0..n) is lit (lower case, m bytes) in any case. Called through ieq with a
 * string literal, whose length is known when compiling: the scanner compares tag and
 * attribute names millions of times per build. */
static bool ieq_n(const char *a, size_t n, const char *lit, size_t m)
{
	if (n != m)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)a[i];
		if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != (unsigned char)lit[i])
			return false;
	}
	return true;
}
#define ieq(a, n, lit) ieq_n((a), (n), "" lit, sizeof(lit) - 1)

/* Decodes the few entities that turn up in URLs: &amp; &quot; &#39; &lt; &gt; &#NN; &#xNN;. */
static char *decode_attr(hg_arena *a, const char *s, size_t n)
{
	char *out = hg_arena_alloc(a, n + 1);
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '&') {
			/* the run up to the next '&' at once: most values have none */
			const char *amp = memchr(s + i, '&', n - i);
			size_t run = amp ? (size_t)(amp - (s + i)) : n - i;
			memcpy(out + w, s + i, run);
			w += run;
			i += run - 1;
			continue;
		}
		const char *semi = memchr(s + i, ';', n - i < 10 ? n - i : 10);
		if (!semi) {
			out[w++] = s[i];
			continue;
		}
		size_t elen = (size_t)(semi - (s + i)) + 1;
		const char *e = s + i;
		char c = 0;
		if (!strncmp(e, "&amp;", 5))
			c = '&';
		else if (!strncmp(e, "&quot;", 6))
			c = '"';
		else if (!strncmp(e, "&lt;", 4))
			c = '<';
		else if (!strncmp(e, "&gt;", 4))
			c = '>';
		else if (!strncmp(e, "&#39;", 5) || !strncmp(e, "&apos;", 6))
			c = '\'';
		else if (e[1] == '#') {
			long v = e[2] == 'x' || e[2] == 'X' ? strtol(e + 3, NULL, 16) : strtol(e + 2, NULL, 10);
			if (v > 0 && v < 128)
				c = (char)v;
		}
		if (c) {
			out[w++] = c;
			i += elen - 1;
		} else {
			out[w++] = s[i];
		}
	}
	out[w] = '\0';
	return out;
}

typedef struct scan_acc {
	hg_arena *a;
	bool cut; /* the text ended inside a tag, a comment or a script */
	hg_ref *refs;
	size_t n_refs, cap_refs;
	const char **ids;
	size_t n_ids, cap_ids;
} scan_acc;

static void add_ref(scan_acc *acc, const char *url, const char *attr)
{
	if (acc->n_refs == acc->cap_refs) {
		size_t cap = acc->cap_refs ? acc->cap_refs * 2 : 16;
		hg_ref *n = hg_arena_alloc(acc->a, cap * sizeof *n);
		if (acc->n_refs)
			memcpy(n, acc->refs, acc->n_refs * sizeof *n);
		acc->refs = n;
		acc->cap_refs = cap;
	}
	acc->refs[acc->n_refs++] = (hg_ref){url, NULL, 0, 0, attr, NULL};
}

static void add_id(scan_acc *acc, const char *id)
{
	if (acc->n_ids == acc->cap_ids) {
		size_t cap = acc->cap_ids ? acc->cap_ids * 2 : 16;
		const char **n = hg_arena_alloc(acc->a, cap * sizeof *n);
		if (acc->n_ids)
			memcpy(n, acc->ids, acc->n_ids * sizeof *n);
		acc->ids = n;
		acc->cap_ids = cap;
	}
	acc->ids[acc->n_ids++] = id;
}

/* srcset="a.png 1x, b.png 2x": every URL, without its descriptor */
static void add_srcset(scan_acc *acc, const char *v)
{
	while (*v) {
		while (*v == ' ' || *v == ',' || *v == '\n' || *v == '\t')
			v++;
		const char *start = v;
		while (*v && *v != ' ' && *v != '\n' && *v != '\t')
			v++;
		if (v > start) {
			size_t n = (size_t)(v - start);
			if (start[n - 1] == ',')
				n--;
			add_ref(acc, hg_arena_strndup(acc->a, start, n), "srcset");
		}
		while (*v && *v != ',')
			v++;
	}
}

/* Elements whose attributes can hold a URL: a switch on the first letter keeps this cheap,
 * since it runs for every tag of every page. */
static bool url_tag(const char *t, size_t n)
{
	switch (t[0] | 0x20) {
	case 'a': return n == 1 || ieq(t, n, "area") || ieq(t, n, "audio");
	case 'b': return ieq(t, n, "base");
	case 'e': return ieq(t, n, "embed");
	case 'f': return ieq(t, n, "form");
	case 'i': return ieq(t, n, "img") || ieq(t, n, "iframe") || ieq(t, n, "input") || ieq(t, n, "image");
	case 'l': return ieq(t, n, "link");
	case 's': return ieq(t, n, "script") || ieq(t, n, "source");
	case 't': return ieq(t, n, "track");
	case 'u': return ieq(t, n, "use");
	case 'v': return ieq(t, n, "video");
	default: return false;
	}
}

/* Whether a tag's attribute text has an id (or a name, for old anchors). */
static bool has_id_attr(const char *s, size_t n)
{
	for (const char *p = s; (p = memchr(p, '=', n - (size_t)(p - s))) != NULL; p++) {
		const char *q = p;
		while (q > s && (q[-1] == ' ' || q[-1] == '\t'))
			q--;
		if (q - s >= 2 && (q[-2] == 'i' || q[-2] == 'I') && (q[-1] == 'd' || q[-1] == 'D'))
			return true;
		if (q - s >= 4 && ieq(q - 4, 4, "name"))
			return true;
		if (p + 1 >= s + n)
			break;
	}
	return false;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

static void scan_part(scan_acc *acc, const char *html, size_t len)
{
	size_t i = 0;
	while (i < len) {
		const char *lt = memchr(html + i, '<', len - i);
		if (!lt)
			break;
		i = (size_t)(lt - html) + 1;
		if (i + 3 <= len && !memcmp(html + i, "!--", 3)) {
			const char *end = NULL;
			for (size_t k = i + 3; k + 3 <= len; k++)
				if (!memcmp(html + k, "-->", 3)) {
					end = html + k;
					break;
				}
			i = end ? (size_t)(end - html) + 3 : len;
			acc->cut |= !end;
			continue;
		}
		if (i < len && (html[i] == '/' || html[i] == '!' || html[i] == '?'))
			continue;
		size_t ns = i;
		while (i < len && (isalnum((unsigned char)html[i]) || html[i] == '-'))
			i++;
		const char *tag = html + ns;
		size_t tlen = i - ns;
		if (!tlen)
			continue;
		/* Most tags carry neither a URL nor an id: skip them to their '>' at memchr speed.
		 * (A '>' inside a quoted attribute value ends the skip early; what follows is then
		 * read as text, which holds no references.) */
		if (!url_tag(tag, tlen)) {
			const char *gt = memchr(html + i, '>', len - i);
			size_t end = gt ? (size_t)(gt - html) : len;
			acc->cut |= !gt;
			if (!has_id_attr(html + i, end - i)) {
				i = end;
				continue;
			}
		}
		/* attributes */
		for (;;) {
			while (i < len && isspace((unsigned char)html[i]))
				i++;
			if (i >= len || html[i] == '>' || (html[i] == '/' && i + 1 < len && html[i + 1] == '>')) {
				acc->cut |= i >= len;
				break;
			}
			size_t as = i;
			while (i < len && !isspace((unsigned char)html[i]) && html[i] != '=' && html[i] != '>' &&
			       html[i] != '/')
				i++;
			const char *an = html + as;
			size_t alen = i - as;
			if (!alen) {
				i++;
				continue;
			}
			while (i < len && isspace((unsigned char)html[i]))
				i++;
			if (i >= len || html[i] != '=')
				continue;
			i++;
			while (i < len && isspace((unsigned char)html[i]))
				i++;
			size_t vs, ve;
			if (i < len && (html[i] == '"' || html[i] == '\'')) {
				char q = html[i++];
				vs = i;
				const char *end = memchr(html + i, q, len - i);
				i = end ? (size_t)(end - html) : len;
				ve = i;
				if (i < len)
					i++;
			} else {
				vs = i;
				while (i < len && !isspace((unsigned char)html[i]) && html[i] != '>')
					i++;
				ve = i;
			}
			bool is_url_attr = ieq(an, alen, "href") || ieq(an, alen, "src") || ieq(an, alen, "action") ||
					   ieq(an, alen, "poster");
			if (is_url_attr && !ieq(tag, tlen, "base")) {
				const char *attr = ieq(an, alen, "href")	? "href"
						   : ieq(an, alen, "src")	? "src"
						   : ieq(an, alen, "action") ? "action"
									     : "poster";
				add_ref(acc, decode_attr(acc->a, html + vs, ve - vs), attr);
			} else if (ieq(an, alen, "srcset")) {
				add_srcset(acc, decode_attr(acc->a, html + vs, ve - vs));
			} else if (ieq(an, alen, "id") || (ieq(an, alen, "name") && ieq(tag, tlen, "a"))) {
				add_id(acc, decode_attr(acc->a, html + vs, ve - vs));
			}
		}
		/* the text of script and style elements is not HTML */
		if (ieq(tag, tlen, "script") || ieq(tag, tlen, "style")) {
			const char *close = tlen == 6 ? "</script" : "</style";
			size_t cl = strlen(close);
			size_t k = i;
			while (k + cl <= len) {
				const char *open = memchr(html + k, '<', len - k);
				if (!open) {
					k = len;
					break;
				}
				k = (size_t)(open - html);
				if (k + cl <= len && ieq_n(html + k, cl, close, cl))
					break;
				k++;
			}
			acc->cut |= k + cl > len || k == len;
			i = k;
		}
	}
}

static void scan_finish(scan_acc *acc, hg_page_refs *out)
{
	if (acc->n_ids > 1)
		qsort(acc->ids, acc->n_ids, sizeof *acc->ids, cmp_str);
	out->refs = acc->refs;
	out->n_refs = acc->n_refs;
	out->ids = acc->ids;
	out->n_ids = acc->n_ids;
}

bool hg_links_scan(const char *html, size_t len, hg_arena *a, hg_page_refs *out)
{
	scan_acc acc = {.a = a};
	scan_part(&acc, html, len);
	scan_finish(&acc, out);
	return !acc.cut;
}

/* Issue 7: a page's content, scanned once for its own references, stood in the page's
 * HTML and was scanned a second time there (a third of the page). When the layouts put it
 * in whole, only the text around it is read now, and its references are put in between:
 * the same list, in the same order, as a scan of the whole page, provided no tag,
 * comment or script is open where the content begins or ends (then the caller scans it
 * all, as before). */
bool hg_links_scan_around(const char *html, size_t len, size_t off, size_t n, const hg_page_refs *inner,
			  hg_arena *a, hg_page_refs *out)
{
	scan_acc acc = {.a = a};
	scan_part(&acc, html, off);
	if (acc.cut)
		return false;
	for (size_t k = 0; k < inner->n_refs; k++) {
		add_ref(&acc, inner->refs[k].url, inner->refs[k].attr);
	}
	for (size_t k = 0; k < inner->n_ids; k++)
		add_id(&acc, inner->ids[k]);
	scan_part(&acc, html + off + n, len - off - n);
	scan_finish(&acc, out);
	return true;
}

/* ==== the map of pages and outputs ==== */

struct hg_linkmap {
	const hg_site *s;
	const hg_page **by_rel; /* sorted by source path */
	const char **outputs;   /* every output file, sorted */
	size_t n_outputs;
	const hg_page **page_of_output; /* the page writing outputs[i], or NULL */
};

static int page_rel_cmp(const void *a, const void *b)
{
	return strcmp((*(const hg_page *const *)a)->rel, (*(const hg_page *const *)b)->rel);
}

typedef struct outent {
	const char *path;
	const hg_page *page;
} outent;

static int outent_cmp(const void *a, const void *b) { return strcmp(((const outent *)a)->path, ((const outent *)b)->path); }

hg_linkmap *hg_linkmap_new(const hg_site *s, const char *const *extra, size_t n_extra)
{
	hg_linkmap *m = hg_xcalloc(1, sizeof *m);
	m->s = s;
	m->by_rel = hg_xmalloc((s->n_pages + 1) * sizeof *m->by_rel);
	for (size_t i = 0; i < s->n_pages; i++)
		m->by_rel[i] = s->pages[i];
	qsort(m->by_rel, s->n_pages, sizeof *m->by_rel, page_rel_cmp);

	size_t n = s->n_pages + s->n_statics + n_extra;
	outent *all = hg_xmalloc((n + 1) * sizeof *all);
	size_t k = 0;
	for (size_t i = 0; i < s->n_pages; i++)
		all[k++] = (outent){s->pages[i]->out_path, s->pages[i]};
	for (size_t i = 0; i < s->n_statics; i++)
		all[k++] = (outent){s->statics[i].out_path, NULL};
	for (size_t i = 0; i < n_extra; i++)
		all[k++] = (outent){extra[i], NULL};
	qsort(all, k, sizeof *all, outent_cmp);
	m->outputs = hg_xmalloc((k + 1) * sizeof *m->outputs);
	m->page_of_output = hg_xmalloc((k + 1) * sizeof *m->page_of_output);
	for (size_t i = 0; i < k; i++) {
		m->outputs[i] = all[i].path;
		m->page_of_output[i] = all[i].page;
	}
	m->n_outputs = k;
	free(all);
	return m;
}

void hg_linkmap_free(hg_linkmap *m)
{
	if (!m)
		return;
	free(m->by_rel);
	free(m->outputs);
	free(m->page_of_output);
	free(m);
}

static const hg_page *find_by_rel(const hg_linkmap *m, const char *rel)
{
	size_t lo = 0, hi = m->s->n_pages;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(m->by_rel[mid]->rel, rel);
		if (!c)
			return m->by_rel[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The index of output file path, or -1. */
static long find_output(const hg_linkmap *m, const char *path)
{
	size_t lo = 0, hi = m->n_outputs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(m->outputs[mid], path);
		if (!c)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static bool has_scheme(const char *u)
{
	if (!isalpha((unsigned char)u[0]))
		return false;
	const char *p = u + 1;
	while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
		p++;
	return *p == ':';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void percent_decode(const char *s, size_t n, hg_buf *out)
{
	const char *pct = memchr(s, '%', n);
	if (!pct) {
		hg_buf_add(out, s, n); /* the common case: nothing to decode */
		return;
	}
	hg_buf_add(out, s, (size_t)(pct - s));
	for (size_t i = (size_t)(pct - s); i < n; i++) {
		if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			hg_buf_addc(out, (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2])));
			i += 2;
		} else {
			hg_buf_addc(out, s[i]);
		}
	}
}

static bool is_md_path(const char *s, size_t n)
{
	static const char *exts[] = {".md", ".markdown", ".mdown", ".mkd"};
	for (size_t i = 0; i < HG_ARRAY_LEN(exts); i++) {
		size_t m = strlen(exts[i]);
		if (n > m && !memcmp(s + n - m, exts[i], m))
			return true;
	}
	return false;
}

static long output_for(const hg_linkmap *m, const char *site_path);

/* Appends a site path as a URL: bytes a URL cannot hold as they are, percent-encoded. */
static void add_url_path(hg_buf *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= 0x20 || c == 0x7f || c == '%' || c == '"' || c == '<' || c == '>' || c == '?' || c == '#')
			hg_buf_addf(out, "%%%02X", c);
		else
			hg_buf_addc(out, (char)c);
	}
}

/* Relative links written the way Jekyll and GitHub read them. hubgen's pretty URLs put a
 * page one folder deeper than Jekyll's (/a/b/ for a/b.md, not /a/b.html), so:
 *   - in a Jekyll page without a permalink (from->source_links), a relative link or image is
 *     read from the source file's folder, as its author wrote it: `map.png` beside the page,
 *     `./` its folder, `../` the one above;
 *   - in any page, a link that misses as written, to a folder or to a page without its
 *     extension or with Jekyll's .html (`./security` for the folder's index or README,
 *     `setup`, `setup.html` for setup.md), is looked up from the source file's folder.
 * A target that exists gives the rewritten URL; anything else is left as written, for the
 * checker to report. */
static bool source_relative_link(const hg_linkmap *m, const hg_page *from, const char *url, size_t plen,
				 hg_buf *out)
{
	if (url[0] == '/' || !plen)
		return false;
	const char *base = m->s->config.baseurl;
	hg_buf sp = HG_BUF_INIT, joined = HG_BUF_INIT, rel = HG_BUF_INIT, path = HG_BUF_INIT, cand = HG_BUF_INIT;
	const char *frag;
	bool outside;
	const hg_page *target = NULL;
	bool done = false;
	if (!from->source_links) {
		if (hg_link_resolve(base, from->url, url, &sp, &frag, &outside) && output_for(m, sp.ptr) >= 0)
			goto done; /* it works as written */
	} else {
		/* read from the file's folder: as if the page were the folder's file "x" */
		const char *slash = strrchr(from->rel, '/');
		hg_buf_addc(&joined, '/');
		if (slash) {
			hg_buf_add(&joined, from->rel, (size_t)(slash - from->rel));
			hg_buf_addc(&joined, '/');
		}
		hg_buf_addc(&joined, 'x');
		hg_buf_reset(&sp);
		if (hg_link_resolve(base, joined.ptr, url, &sp, &frag, &outside) && output_for(m, sp.ptr) >= 0) {
			if (base && *base)
				hg_buf_adds(out, base);
			add_url_path(out, sp.ptr);
			hg_buf_adds(out, url + plen);
			done = true;
			goto done;
		}
		hg_buf_reset(&joined);
	}
	/* a page named without its extension, or by Jekyll's .html, or a folder's index */
	size_t seg = plen;
	while (seg && url[seg - 1] != '/')
		seg--;
	size_t stem = plen;
	if (plen - seg > 5 && !memcmp(url + plen - 5, ".html", 5))
		stem = plen - 5;
	bool html = stem != plen;
	if (!html && memchr(url + seg, '.', plen - seg) && !(plen - seg == 1 || (plen - seg == 2 && url[seg + 1] == '.')))
		goto done; /* a file with an extension ("." and ".." are folders) */
	percent_decode(url, stem, &path);
	hg_buf_addc(&joined, '/');
	const char *slash = strrchr(from->rel, '/');
	if (slash) {
		hg_buf_add(&joined, from->rel, (size_t)(slash - from->rel));
		hg_buf_addc(&joined, '/');
	}
	hg_buf_adds(&joined, path.ptr);
	if (!hg_url_normalize(joined.ptr, &rel))
		goto done;
	while (rel.len > 1 && rel.ptr[rel.len - 1] == '/')
		hg_buf_truncate(&rel, rel.len - 1);
	static const char *const tails[] = {".md", ".markdown", "/index.md", "/index.markdown", "/index.html",
					    "/_index.md", "/README.md", "/readme.md", "/Readme.md"};
	for (size_t t = 0; t < HG_ARRAY_LEN(tails) && !target; t++) {
		bool folder = tails[t][0] == '/';
		if ((rel.len <= 1 && !folder) || (html && folder))
			continue;
		hg_buf_reset(&cand);
		hg_buf_add(&cand, rel.ptr + 1, rel.len - 1);
		hg_buf_adds(&cand, rel.len > 1 ? tails[t] : tails[t] + 1);
		target = find_by_rel(m, cand.ptr);
		if (target && folder && (tails[t][1] == 'R' || tails[t][1] == 'r') && !target->readme_index)
			target = NULL; /* a README that is not its folder's index is a page of its own */
	}
	if (target) {
		hg_url_with_base(base, target->url, out);
		hg_buf_adds(out, url + plen);
		done = true;
	}
done:
	hg_buf_release(&sp);
	hg_buf_release(&joined);
	hg_buf_release(&rel);
	hg_buf_release(&path);
	hg_buf_release(&cand);
	return done;
}

bool hg_link_rewrite(const hg_linkmap *m, const hg_page *from, const char *url, hg_buf *out)
{
	if (!*url || url[0] == '#' || has_scheme(url) || (url[0] == '/' && url[1] == '/'))
		return false;
	size_t plen = strcspn(url, "?#");
	if (!is_md_path(url, plen))
		return source_relative_link(m, from, url, plen, out);
	hg_buf joined = HG_BUF_INIT, rel = HG_BUF_INIT, path = HG_BUF_INIT;
	percent_decode(url, plen, &path);
	if (path.ptr[0] == '/') {
		hg_buf_adds(&joined, path.ptr);
	} else {
		hg_buf_addc(&joined, '/');
		const char *slash = strrchr(from->rel, '/');
		if (slash) {
			hg_buf_add(&joined, from->rel, (size_t)(slash - from->rel));
			hg_buf_addc(&joined, '/');
		}
		hg_buf_adds(&joined, path.ptr);
	}
	bool ok = hg_url_normalize(joined.ptr, &rel);
	const hg_page *target = ok ? find_by_rel(m, rel.ptr + 1) : NULL;
	if (target) {
		hg_url_with_base(m->s->config.baseurl, target->url, out);
		hg_buf_adds(out, url + plen);
	}
	hg_buf_release(&joined);
	hg_buf_release(&rel);
	hg_buf_release(&path);
	return target != NULL;
}

bool hg_link_ref(void *ud, const char *path, size_t len, bool absolute, hg_buf *out)
{
	const hg_link_from *f = ud;
	size_t plen = 0;
	while (plen < len && path[plen] != '#')
		plen++;
	static const char *const tails[] = {"", ".md", ".markdown", "/_index.md", "/index.md"};
	hg_buf joined = HG_BUF_INIT, rel = HG_BUF_INIT, cand = HG_BUF_INIT;
	const hg_page *target = NULL;
	const char *slash = strrchr(f->page->rel, '/');
	size_t dir_len = path[0] == '/' || !slash ? 0 : (size_t)(slash - f->page->rel);
	for (int from_root = dir_len ? 0 : 1; from_root < 2 && !target; from_root++) {
		hg_buf_reset(&joined);
		hg_buf_addc(&joined, '/');
		if (!from_root) {
			hg_buf_add(&joined, f->page->rel, dir_len);
			hg_buf_addc(&joined, '/');
		}
		hg_buf_add(&joined, path, plen);
		hg_buf_reset(&rel);
		if (!hg_url_normalize(joined.ptr, &rel))
			continue;
		while (rel.len > 1 && rel.ptr[rel.len - 1] == '/')
			hg_buf_truncate(&rel, rel.len - 1);
		for (size_t t = 0; t < HG_ARRAY_LEN(tails) && !target && rel.len > 1; t++) {
			if (t && is_md_path(rel.ptr, rel.len))
				break;
			hg_buf_reset(&cand);
			hg_buf_add(&cand, rel.ptr + 1, rel.len - 1);
			hg_buf_adds(&cand, tails[t]);
			target = find_by_rel(f->m, cand.ptr);
		}
	}
	if (target) {
		if (absolute)
			hg_buf_adds(out, f->m->s->config.url);
		hg_url_with_base(f->m->s->config.baseurl, target->url, out);
		hg_buf_add(out, path + plen, len - plen);
	}
	hg_buf_release(&joined);
	hg_buf_release(&rel);
	hg_buf_release(&cand);
	return target != NULL;
}

bool hg_link_resolve(const char *base, const char *page_url, const char *url, hg_buf *site_path,
		     const char **fragment, bool *outside_base)
{
	*outside_base = false;
	*fragment = NULL;
	while (*url == ' ' || *url == '\t' || *url == '\n')
		url++;
	if (has_scheme(url) || (url[0] == '/' && url[1] == '/'))
		return false;
	const char *hash = strchr(url, '#');
	if (hash)
		*fragment = hash + 1;
	size_t plen = strcspn(url, "?#");
	hg_buf path = HG_BUF_INIT, joined = HG_BUF_INIT;
	percent_decode(url, plen, &path);
	bool ok = true;
	if (plen == 0) {
		hg_buf_adds(&joined, page_url); /* "#x" or "?q": this page */
	} else if (path.ptr[0] == '/') {
		size_t bl = base ? strlen(base) : 0;
		if (bl && !(strncmp(path.ptr, base, bl) == 0 && (path.ptr[bl] == '/' || path.ptr[bl] == '\0'))) {
			*outside_base = true;
			ok = false;
		} else {
			hg_buf_adds(&joined, path.ptr + bl);
			if (!joined.len)
				hg_buf_addc(&joined, '/');
		}
	} else {
		const char *slash = strrchr(page_url, '/');
		hg_buf_add(&joined, page_url, slash ? (size_t)(slash - page_url) + 1 : 0);
		if (!joined.len)
			hg_buf_addc(&joined, '/');
		hg_buf_adds(&joined, path.ptr);
	}
	if (ok) {
		if (!hg_url_normalize(joined.ptr, site_path)) {
			*outside_base = true;
			ok = false;
		}
	}
	hg_buf_release(&path);
	hg_buf_release(&joined);
	return ok;
}

/* The output index a site path names: the file itself, or FILE.html, or FILE/index.html,
 * as static hosts (and the preview server) serve them. */
static long output_for(const hg_linkmap *m, const char *site_path)
{
	hg_buf b = HG_BUF_INIT;
	const char *p = site_path + 1;
	size_t n = strlen(p);
	long idx = -1;
	if (n == 0 || p[n - 1] == '/') {
		hg_buf_add(&b, p, n);
		hg_buf_adds(&b, "index.html");
		idx = find_output(m, b.ptr);
	} else {
		idx = find_output(m, p);
		if (idx < 0) {
			hg_buf_add(&b, p, n);
			hg_buf_adds(&b, ".html");
			idx = find_output(m, b.ptr);
		}
		if (idx < 0) {
			hg_buf_reset(&b);
			hg_buf_add(&b, p, n);
			hg_buf_adds(&b, "/index.html");
			idx = find_output(m, b.ptr);
		}
	}
	hg_buf_release(&b);
	return idx;
}

static bool has_id(const hg_page_refs *r, const char *id)
{
	size_t lo = 0, hi = r->n_ids;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(r->ids[mid], id);
		if (!c)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static long page_index(const hg_site *s, const hg_page *p)
{
	/* pages are sorted by output path */
	size_t lo = 0, hi = s->n_pages;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(s->pages[mid]->out_path, p->out_path);
		if (!c)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* A broken reference with no place in the source came from a layout or an include: it is
 * the same on every page that uses them, so it is reported once, at the first such page
 * (the first one read from a file, when there is one), with the count of the others. */
typedef struct unplaced {
	const char *url;
	const char *message;
	const hg_page *first;
	size_t count;
} unplaced;

/* The unplaced messages, in order of arrival, with a hash index (slots hold index + 1) to
 * find a repeat: issue 8 found that a linear search made a page of 100,000 different
 * broken links made by Liquid (which have no place in the source) quadratic. */
typedef struct unplaced_list {
	unplaced *items;
	size_t n, cap;
	size_t *slots, n_slots;
} unplaced_list;

static size_t *unplaced_slot(const unplaced_list *l, const char *msg)
{
	size_t k = (size_t)hg_hash(msg, strlen(msg)) & (l->n_slots - 1);
	while (l->slots[k] && strcmp(l->items[l->slots[k] - 1].message, msg) != 0)
		k = (k + 1) & (l->n_slots - 1);
	return &l->slots[k];
}

static void report(hg_diags *d, const hg_page *p, const hg_ref *r, unplaced_list *ul, const char *fmt, ...)
	HG_PRINTF(5, 6);
static void unplaced_add(unplaced_list *ul, const char *url, char *msg, const hg_page *p, size_t pages);

static void report(hg_diags *d, const hg_page *p, const hg_ref *r, unplaced_list *ul, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = hg_xvasprintf(fmt, ap);
	va_end(ap);
	if (r->line) {
		hg_warn(d, p->display, r->line, r->col, "%s", msg);
		free(msg);
		return;
	}
	unplaced_add(ul, r->url, msg, p, 1 + (r->repeats ? *r->repeats : 0));
}

/* Adds one message with no place (msg on the heap, taken), or counts it again. */
static void unplaced_add(unplaced_list *ul, const char *url, char *msg, const hg_page *p, size_t pages)
{
	if (2 * (ul->n + 1) > ul->n_slots) { /* grow and re-index */
		free(ul->slots);
		ul->n_slots = ul->n_slots ? 2 * ul->n_slots : 64;
		ul->slots = hg_xcalloc(ul->n_slots, sizeof *ul->slots);
		for (size_t i = 0; i < ul->n; i++)
			*unplaced_slot(ul, ul->items[i].message) = i + 1;
	}
	size_t *slot = unplaced_slot(ul, msg);
	if (*slot) {
		unplaced *u = &ul->items[*slot - 1];
		u->count += pages;
		if (u->first->generated && !p->generated)
			u->first = p; /* a page the user wrote says more than the 404 page hubgen made */
		free(msg);
		return;
	}
	HG_GROW(ul->items, ul->cap, ul->n + 1);
	ul->items[ul->n++] = (unplaced){url, msg, p, pages};
	*slot = ul->n;
}

/* What a reference comes to. */
typedef enum verdict_kind { V_OK, V_EXTERNAL, V_OUTSIDE, V_MISSING, V_ANCHOR } verdict_kind;

typedef struct verdict {
	verdict_kind kind;
	long output;    /* for V_ANCHOR: the page whose ids lack the fragment */
	char *fragment; /* decoded, for V_ANCHOR; heap */
} verdict;

static verdict judge(const hg_linkmap *m, const hg_site *s, const hg_page_refs *refs, const char *page_url,
		     const char *url, hg_buf *sp)
{
	verdict v = {V_OK, -1, NULL};
	const char *frag;
	bool outside;
	hg_buf_reset(sp);
	if (!hg_link_resolve(s->config.baseurl, page_url, url, sp, &frag, &outside)) {
		v.kind = outside ? V_OUTSIDE : V_EXTERNAL;
		return v;
	}
	long o = output_for(m, sp->ptr);
	if (o < 0) {
		v.kind = V_MISSING;
		return v;
	}
	if (frag && *frag && m->page_of_output[o]) {
		long t = page_index(s, m->page_of_output[o]);
		hg_buf id = HG_BUF_INIT;
		percent_decode(frag, strlen(frag), &id);
		if (t >= 0 && !has_id(&refs[t], id.ptr) && strcmp(id.ptr, "top")) {
			v.kind = V_ANCHOR;
			v.output = o;
			v.fragment = hg_buf_detach(&id, NULL);
		}
		hg_buf_release(&id);
	}
	return v;
}

/* Verdicts on root-relative URLs, which do not depend on the page they are on: the same
 * navigation, stylesheet and script links stand on every page, and each is judged once. */
typedef struct vcache {
	struct vslot {
		const char *url; /* NULL: empty */
		uint64_t hash;
		verdict v;
	} *slots;
	size_t cap, len;
} vcache;

static struct vslot *vcache_slot(vcache *c, const char *url, uint64_t h)
{
	size_t mask = c->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask)
		if (!c->slots[i].url || (c->slots[i].hash == h && !strcmp(c->slots[i].url, url)))
			return &c->slots[i];
}

static void vcache_grow(vcache *c)
{
	struct vslot *old = c->slots;
	size_t old_cap = c->cap;
	c->cap = old_cap ? old_cap * 2 : 1024;
	c->slots = hg_xcalloc(c->cap, sizeof *c->slots);
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].url)
			*vcache_slot(c, old[i].url, old[i].hash) = old[i];
	free(old);
}

void hg_links_check(const hg_linkmap *m, const hg_site *s, const hg_page_refs *refs, hg_diags *d)
{
	hg_links_check_pages(m, s, refs, NULL, s->n_pages, d);
}

/* Issue 7: the check runs on every core. Pages are taken in chunks, in order; each worker
 * keeps its own cache of verdicts, each chunk its own list of messages with no place, and
 * the lists are merged in chunk order, so a message is still reported at the first page,
 * in page order, that has it, with the count of all the others: the same messages as one
 * thread would give. */
#define CHECK_CHUNK 64

typedef struct check_worker {
	vcache cache;
	hg_buf sp;
} check_worker;

typedef struct check_job {
	const hg_linkmap *m;
	const hg_site *s;
	const hg_page_refs *refs;
	const size_t *only;
	size_t n_only;
	hg_diags *d;
	unplaced_list *lists; /* one per chunk */
	check_worker *workers;
} check_job;

static void check_page(const check_job *job, size_t i, check_worker *w, unplaced_list *ul)
{
	const hg_linkmap *m = job->m;
	const hg_site *s = job->s;
	const hg_page_refs *refs = job->refs;
	const char *base = s->config.baseurl;
	const hg_page *p = s->pages[i];
	for (size_t k = 0; k < refs[i].n_refs; k++) {
		const hg_ref *r = &refs[i].refs[k];
		if (job->only && !r->line)
			continue; /* from a layout, checked by the full build */
		const char *shown = r->written ? r->written : r->url;
		verdict v, fresh = {V_OK, -1, NULL};
		if (r->url[0] == '/' && r->url[1] != '/') {
			uint64_t h = hg_hash(r->url, strlen(r->url));
			struct vslot *slot = vcache_slot(&w->cache, r->url, h);
			if (!slot->url) {
				slot->url = r->url; /* lives in the worker's arena until the check is done */
				slot->hash = h;
				slot->v = judge(m, s, refs, p->url, r->url, &w->sp);
				v = slot->v;
				if (++w->cache.len * 2 > w->cache.cap)
					vcache_grow(&w->cache);
			} else {
				v = slot->v;
			}
		} else {
			v = fresh = judge(m, s, refs, p->url, r->url, &w->sp);
		}
		switch (v.kind) {
		case V_OK:
		case V_EXTERNAL: break;
		case V_OUTSIDE:
			report(job->d, p, r, ul, "link '%s' leaves the site's base path '%s'", shown, *base ? base : "/");
			break;
		case V_MISSING: {
			bool md = is_md_path(shown, strcspn(shown, "?#"));
			report(job->d, p, r, ul, "%s '%s' %s", !strcmp(r->attr, "href") ? "broken link" : "missing file",
			       shown, md ? "names no page of this site" : "does not resolve to a page or file");
			break;
		}
		case V_ANCHOR:
			report(job->d, p, r, ul, "broken anchor '#%s': %s has no heading or element with that id",
			       v.fragment, m->page_of_output[v.output]->display);
			break;
		}
		free(fresh.fragment);
	}
}

static void check_chunk(void *ud, size_t c, int worker)
{
	check_job *job = ud;
	size_t end = (c + 1) * CHECK_CHUNK < job->n_only ? (c + 1) * CHECK_CHUNK : job->n_only;
	for (size_t j = c * CHECK_CHUNK; j < end; j++)
		check_page(job, job->only ? job->only[j] : j, &job->workers[worker], &job->lists[c]);
}

void hg_links_check_pages(const hg_linkmap *m, const hg_site *s, const hg_page_refs *refs, const size_t *only,
			  size_t n_only, hg_diags *d)
{
	size_t chunks = (n_only + CHECK_CHUNK - 1) / CHECK_CHUNK;
	int jobs = s->opt.jobs > 0 ? s->opt.jobs : hg_default_jobs();
	check_job job = {m, s, refs, only, n_only, d, hg_xcalloc(chunks + 1, sizeof *job.lists),
			 hg_xcalloc((size_t)jobs, sizeof *job.workers)};
	for (int w = 0; w < jobs; w++) {
		vcache_grow(&job.workers[w].cache);
		hg_buf_init(&job.workers[w].sp);
	}
	hg_parallel_for(chunks, jobs, check_chunk, &job);
	for (int w = 0; w < jobs; w++) {
		vcache *cache = &job.workers[w].cache;
		for (size_t i = 0; i < cache->cap; i++)
			if (cache->slots[i].url)
				free(cache->slots[i].v.fragment);
		free(cache->slots);
		hg_buf_release(&job.workers[w].sp);
	}
	free(job.workers);
	/* the chunks' lists, in page order */
	unplaced_list ul = {0};
	for (size_t c = 0; c < chunks; c++) {
		unplaced_list *l = &job.lists[c];
		for (size_t i = 0; i < l->n; i++)
			unplaced_add(&ul, l->items[i].url, (char *)l->items[i].message, l->items[i].first,
				     l->items[i].count);
		free(l->items);
		free(l->slots);
	}
	free(job.lists);
	for (size_t i = 0; i < ul.n; i++) {
		hg_warn(d, ul.items[i].first->display, 0, 0, "%s", ul.items[i].message);
		if (ul.items[i].count > 1)
			hg_diag_note(d, "note: in %zu pages; it comes from a layout or an include", ul.items[i].count);
		else
			hg_diag_note(d, "note: it comes from a layout or an include");
		free((char *)ul.items[i].message);
	}
	free(ul.items);
	free(ul.slots);
}
