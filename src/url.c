#include "url.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "value.h"

#include "banned.h"

static const char *last_slash(const char *s)
{
	const char *p = strrchr(s, '/');
	return p ? p + 1 : s;
}

void hg_url_from_path(const char *rel, hg_buf *out)
{
	const char *base = last_slash(rel);
	const char *dot = strrchr(base, '.');
	size_t stem_len = dot ? (size_t)(dot - base) : strlen(base);
	size_t dir_len = (size_t)(base - rel);
	bool html = dot && (!strcmp(dot, ".html") || !strcmp(dot, ".htm"));

	hg_buf_addc(out, '/');
	/* spaces in file names would need escaping in every link; Hugo turns them into '-' */
	for (size_t i = 0; i < dir_len; i++)
		hg_buf_addc(out, rel[i] == ' ' ? '-' : rel[i]);
	bool is_index = hg_mem_eq(base, stem_len, "index") || hg_mem_eq(base, stem_len, "_index");
	if (is_index)
		return;
	for (size_t i = 0; i < stem_len; i++)
		hg_buf_addc(out, base[i] == ' ' ? '-' : base[i]);
	if (html)
		hg_buf_add(out, dot, strlen(dot));
	else
		hg_buf_addc(out, '/');
}

bool hg_url_normalize(const char *permalink, hg_buf *out)
{
	for (const char *p = permalink; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == '\\' || *p == 0x7f)
			return false;
	/* segments, with "." dropped and ".." popping; trailing slash kept */
	size_t start = out->len;
	hg_buf_addc(out, '/');
	const char *p = permalink;
	bool trailing = false;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p) {
			trailing = true;
			break;
		}
		const char *seg = p;
		while (*p && *p != '/')
			p++;
		size_t n = (size_t)(p - seg);
		trailing = *p == '/';
		if (n == 1 && seg[0] == '.')
			continue;
		if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			if (out->len == start + 1)
				return false; /* would climb above the root */
			/* drop the last segment (and its slash) */
			size_t k = out->len - 1;
			while (k > start && out->ptr[k - 1] != '/')
				k--;
			hg_buf_truncate(out, k);
			continue;
		}
		hg_buf_add(out, seg, n);
		hg_buf_addc(out, '/');
	}
	if (!trailing && out->len > start + 1)
		hg_buf_truncate(out, out->len - 1);
	return true;
}

void hg_url_output_path(const char *url, hg_buf *out)
{
	while (*url == '/')
		url++;
	size_t n = strlen(url);
	hg_buf_add(out, url, n);
	if (n == 0 || url[n - 1] == '/') {
		hg_buf_adds(out, "index.html");
		return;
	}
	const char *base = last_slash(url);
	if (!strchr(base, '.'))
		hg_buf_adds(out, ".html");
}

static void add_num(hg_buf *out, int v, bool pad)
{
	if (pad)
		hg_buf_addf(out, "%02d", v);
	else
		hg_buf_addf(out, "%d", v);
}

void hg_url_expand(const char *pattern, const hg_url_parts *p, hg_buf *out)
{
	if (!pattern || !*pattern || !strcmp(pattern, "pretty") || !strcmp(pattern, "blog"))
		pattern = "/blog/:year/:month/:day/:title/";
	else if (!strcmp(pattern, "date"))
		pattern = "/:categories/:year/:month/:day/:title:output_ext";
	else if (!strcmp(pattern, "ordinal"))
		pattern = "/:categories/:year/:y_day/:title:output_ext";
	else if (!strcmp(pattern, "none"))
		pattern = "/:categories/:title:output_ext";
	hg_buf tmp = HG_BUF_INIT;
	for (const char *s = pattern; *s;) {
		if (*s != ':') {
			hg_buf_addc(&tmp, *s++);
			continue;
		}
		const char *name = ++s;
		while (*s && (isalnum((unsigned char)*s) || *s == '_'))
			s++;
		size_t n = (size_t)(s - name);
		if (hg_mem_eq(name, n, "year"))
			add_num(&tmp, p->year, false);
		else if (hg_mem_eq(name, n, "short_year"))
			add_num(&tmp, p->year % 100, true);
		else if (hg_mem_eq(name, n, "month"))
			add_num(&tmp, p->month, true);
		else if (hg_mem_eq(name, n, "i_month"))
			add_num(&tmp, p->month, false);
		else if (hg_mem_eq(name, n, "day"))
			add_num(&tmp, p->day, true);
		else if (hg_mem_eq(name, n, "i_day"))
			add_num(&tmp, p->day, false);
		else if (hg_mem_eq(name, n, "title"))
			hg_buf_adds(&tmp, p->title ? p->title : "");
		else if (hg_mem_eq(name, n, "slug"))
			hg_buf_adds(&tmp, p->slug ? p->slug : (p->title ? p->title : ""));
		else if (hg_mem_eq(name, n, "categories"))
			hg_buf_adds(&tmp, p->categories ? p->categories : "");
		else if (hg_mem_eq(name, n, "output_ext"))
			hg_buf_adds(&tmp, p->output_ext ? p->output_ext : ".html");
		else if (hg_mem_eq(name, n, "y_day"))
			hg_buf_addf(&tmp, "%03d",
				    1 + (int)((hg_civil_to_secs(p->year, p->month, p->day, 0, 0, 0) -
					       hg_civil_to_secs(p->year, 1, 1, 0, 0, 0)) /
					      86400));
		else {
			/* not a placeholder we know: keep it as written */
			hg_buf_addc(&tmp, ':');
			hg_buf_add(&tmp, name, n);
		}
	}
	hg_buf nrm = HG_BUF_INIT;
	if (hg_url_normalize(tmp.ptr, &nrm))
		hg_buf_add(out, nrm.ptr, nrm.len);
	else
		hg_buf_add(out, tmp.ptr, tmp.len); /* the caller's normalise step reports it */
	hg_buf_release(&nrm);
	hg_buf_release(&tmp);
}

void hg_slugify(const char *s, size_t n, hg_buf *out)
{
	size_t start = out->len;
	bool dash = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isalnum(c) || c >= 0x80) {
			if (dash && out->len > start)
				hg_buf_addc(out, '-');
			dash = false;
			hg_buf_addc(out, (char)tolower(c));
		} else {
			dash = true;
		}
	}
}

void hg_title_from_name(const char *name, hg_buf *out)
{
	const char *dot = strrchr(name, '.');
	size_t n = dot && dot != name ? (size_t)(dot - name) : strlen(name);
	size_t start = out->len;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (c == '-' || c == '_')
			c = ' ';
		if (c == ' ' && (out->len == start || out->ptr[out->len - 1] == ' '))
			continue;
		hg_buf_addc(out, c);
	}
	while (out->len > start && out->ptr[out->len - 1] == ' ')
		hg_buf_truncate(out, out->len - 1);
	if (out->len > start)
		out->ptr[start] = (char)toupper((unsigned char)out->ptr[start]);
}

void hg_url_with_base(const char *base, const char *url, hg_buf *out)
{
	if (base && *base)
		hg_buf_adds(out, base);
	hg_buf_adds(out, url);
}

bool hg_base_url_normalize(const char *in, hg_buf *out)
{
	if (!in)
		return true;
	if (strstr(in, "://"))
		return false;
	for (const char *p = in; *p; p++)
		if ((unsigned char)*p <= 0x20 || strchr("\\\"'<>?#", *p))
			return false;
	hg_buf tmp = HG_BUF_INIT;
	bool ok = hg_url_normalize(in, &tmp);
	if (ok) {
		/* "/" means no base; "/hub/" → "/hub" */
		size_t n = tmp.len;
		while (n > 0 && tmp.ptr[n - 1] == '/')
			n--;
		hg_buf_add(out, tmp.ptr, n);
	}
	hg_buf_release(&tmp);
	return ok;
}
