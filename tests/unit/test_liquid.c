/* test_liquid.c — the Liquid engine: every example in the .txt files of tests/spec/liquid, plus a few
 * things a spec file cannot say (threads, reuse, the API's edges).
 *
 * Spec format. Each example is
 *
 *     ### a name
 *     template…
 *     --- expect
 *     output…
 *
 * with optional sections after the template, in any order:
 *     --- expect    the rendered output
 *     --- error     one line per expected error: [path:]line:col text-in-the-message
 *     --- warning   the same for warnings
 *     --- note      lines that must appear in the notes of the diagnostics
 *     --- options   one per line: strict_variables, strict_filters, no_host, baseurl X,
 *                   url X, first_line N, max_iterations N, max_output N, max_include_depth N
 * A section runs to the next line starting with "### " or "--- "; trailing newlines of
 * every section are dropped (so examples may be separated by blank lines; an output that
 * must end in a newline is written with a visible character after it). Without an error
 * or warning section, an example must produce no diagnostics at all.
 *
 * Every example renders against one data set built below (JSON, where a string
 * "@t 2022-06-12 …" is a time) and a host whose includes are the table `includes`.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liquid.h"
#include "liquid_internal.h"

/* ==== a small JSON reader for the data set ==== */

typedef struct json {
	const char *p;
	hg_arena *a;
} json;

static void ws(json *j)
{
	while (*j->p == ' ' || *j->p == '\n' || *j->p == '\t' || *j->p == '\r')
		j->p++;
}

static hg_value *json_value(json *j);

static hg_value *json_string(json *j)
{
	hg_buf b = HG_BUF_INIT;
	j->p++;
	while (*j->p && *j->p != '"') {
		if (*j->p == '\\') {
			j->p++;
			switch (*j->p) {
			case 'n': hg_buf_addc(&b, '\n'); break;
			case 't': hg_buf_addc(&b, '\t'); break;
			case 'r': hg_buf_addc(&b, '\r'); break;
			default: hg_buf_addc(&b, *j->p); break;
			}
			j->p++;
			continue;
		}
		hg_buf_addc(&b, *j->p++);
	}
	assert_int_equal(*j->p, '"');
	j->p++;
	hg_value *v;
	hg_time t;
	if (hg_starts_with(b.ptr, "@t ")) {
		assert_true(hg_time_parse(b.ptr + 3, b.len - 3, &t));
		v = hg_value_time(j->a, t);
	} else {
		v = hg_value_string(j->a, b.ptr, b.len);
	}
	hg_buf_release(&b);
	return v;
}

static hg_value *json_value(json *j)
{
	ws(j);
	char c = *j->p;
	if (c == '{') {
		hg_value *m = hg_value_map(j->a);
		j->p++;
		ws(j);
		while (*j->p != '}') {
			hg_value *k = json_string(j);
			ws(j);
			assert_int_equal(*j->p, ':');
			j->p++;
			hg_map_set(j->a, m, k->as.s.ptr, json_value(j));
			ws(j);
			if (*j->p == ',')
				j->p++;
			ws(j);
		}
		j->p++;
		return m;
	}
	if (c == '[') {
		hg_value *l = hg_value_list(j->a);
		j->p++;
		ws(j);
		while (*j->p != ']') {
			hg_list_push(j->a, l, json_value(j));
			ws(j);
			if (*j->p == ',')
				j->p++;
			ws(j);
		}
		j->p++;
		return l;
	}
	if (c == '"')
		return json_string(j);
	if (hg_starts_with(j->p, "true")) {
		j->p += 4;
		return hg_value_bool(true);
	}
	if (hg_starts_with(j->p, "false")) {
		j->p += 5;
		return hg_value_bool(false);
	}
	if (hg_starts_with(j->p, "null")) {
		j->p += 4;
		return &hg_null_value;
	}
	char *end;
	const char *start = j->p;
	long long i = strtoll(start, &end, 10);
	if (*end == '.' || *end == 'e' || *end == 'E') {
		double f = strtod(start, &end);
		j->p = end;
		return hg_value_float(j->a, f);
	}
	assert_true(end != start);
	j->p = end;
	return hg_value_int(j->a, i);
}

static const char data_json[] =
    "{"
    "\"page\": {"
    "  \"title\": \"Hello <World>\", \"url\": \"/guide/intro.html\","
    "  \"date\": \"@t 2022-06-12 09:05:03 +0100\", \"day\": \"@t 2022-06-01\","
    "  \"tags\": [\"c\", \"liquid\", \"jekyll\"], \"weight\": 3, \"price\": 4.5,"
    "  \"empty_str\": \"\", \"blank_str\": \"  \\t \", \"nothing\": null, \"yes\": true, \"no\": false,"
    "  \"inc\": \"note.html\", \"inc_base\": \"note\", \"bad_inc\": \"../secret.html\","
    "  \"html\": \"<p>Tom &amp; \\\"Jerry\\\" & 'Spike'</p>\","
    "  \"author\": {\"name\": \"Ada Lovelace\", \"links\": {\"home\": \"https://ada.example\"}},"
    "  \"key\": \"title\", \"n\": 5, \"idx\": 1,"
    "  \"text\": \"Line one\\nLine two\\r\\nLine three\","
    "  \"words\": \"The quick brown fox jumps over the lazy dog\""
    "},"
    "\"site\": {"
    "  \"title\": \"Hub\","
    "  \"pages\": ["
    "    {\"title\": \"Zeta\", \"weight\": 2, \"url\": \"/zeta/\", \"category\": \"b\"},"
    "    {\"title\": \"alpha\", \"weight\": 10, \"url\": \"/alpha/\", \"category\": \"a\"},"
    "    {\"title\": \"Beta\", \"url\": \"/beta/\", \"category\": \"a\"},"
    "    {\"title\": \"Gamma\", \"weight\": 1, \"url\": \"/gamma/\", \"category\": \"b\", \"tags\": [\"x\", \"y\"]}"
    "  ],"
    "  \"data\": {\"nav\": [{\"title\": \"Home\", \"url\": \"/\"}, {\"title\": \"Guide\", \"url\": \"/guide/\"}],"
    "             \"x\": {\"answer\": 42, \"my key\": \"spaced\"}},"
    "  \"posts\": ["
    "    {\"title\": \"Newest\", \"date\": \"@t 2023-03-01 10:00:00 +0000\", \"author\": {\"name\": \"Bo\"}},"
    "    {\"title\": \"Older\", \"date\": \"@t 2022-11-20 08:30:00 +0000\", \"author\": {\"name\": \"Al\"}},"
    "    {\"title\": \"Oldest\", \"date\": \"@t 2022-01-05 00:00:00 +0000\"}"
    "  ]"
    "},"
    "\"products\": ["
    "  {\"title\": \"Vacuum\", \"type\": \"house\", \"price\": 199, \"available\": true, \"tags\": [\"clean\"]},"
    "  {\"title\": \"Spatula\", \"type\": \"kitchen\", \"price\": 5.5, \"available\": false},"
    "  {\"title\": \"Television\", \"type\": \"lounge\", \"price\": 599, \"available\": true},"
    "  {\"title\": \"Garlic press\", \"type\": \"kitchen\", \"price\": 25, \"available\": true,"
    "   \"tags\": [\"cook\", \"clean\"]}"
    "],"
    "\"numbers\": [3, 1, 22, 2],"
    "\"strings\": [\"banana\", \"Apple\", \"cherry\", \"apple\"],"
    "\"mixed\": [\"a\", 1],"
    "\"with_nil\": [\"b\", null, \"a\"],"
    "\"nested\": [[1, 2], [3, [4]]],"
    "\"dupes\": [1, 2, 1, \"1\", 2, 3],"
    "\"empty_list\": [], \"empty_map\": {},"
    "\"one\": 1, \"zero\": 0, \"negative\": -7, \"float\": 3.14159, \"neg_float\": -2.5,"
    "\"str_num\": \"42\", \"str_float\": \"2.5\","
    "\"epoch\": 1655024700, \"date_str\": \"2022-06-12 12:00:00\","
    "\"hash\": {\"a\": 1, \"b\": [1, 2], \"c\": {\"d\": null}},"
    "\"sized\": {\"size\": 42, \"first\": \"F\"},"
    "\"deep\": {\"a\": {\"b\": {\"c\": \"deep value\"}}},"
    "\"unicode\": \"Ünïcödé Straße\","
    "\"t\": true, \"f\": false"
    "}";

/* ==== the host ==== */

typedef struct include_src {
	const char *name, *src;
} include_src;

static const include_src include_srcs[] = {
    {"note.html", "<p class=\"note\">{{ include.text }}</p>"},
    {"params.html", "{{ include.a }}|{{ include.b }}|{{ include.c | default: \"none\" }}"},
    {"assign.html", "{% assign from_include = \"set inside\" %}"},
    {"loop.html", "{% include loop.html %}"},
    {"bad.html", "line one\n  {{ 1 | divided_by: 0 }}"},
    {"errdeep.html", "x{% include bad.html %}"},
    {"nested/inner.html", "inner:{{ include.v }}"},
    {"outer.html", "[{% include nested/inner.html v=include.v %}]"},
    {"counter.html", "{% increment c %}"},
    {"forloop.html", "{{ forloop.index }}"},
    {"break.html", "{% break %}"},
    {"scoped.html", "{{ include.text }}"},
    {"noparams.html", "({{ include.text }})"},
    {"strict.html", "{{ missing_in_include }}"},
    {"big.html", "{% for i in (1..1000) %}0123456789{% endfor %}"},
    {"sealed.html", "[{{ include.text }}|{{ page.title }}|{{ site.title }}|{{ outer }}]{% assign outer = \"in\" %}"},
};

typedef struct host_data {
	hg_arena *a;
	const hg_template *inc[HG_ARRAY_LEN(include_srcs)];
} host_data;

static const hg_template *find_include(void *ud, const char *name, size_t len)
{
	host_data *h = ud;
	for (size_t i = 0; i < HG_ARRAY_LEN(include_srcs); i++)
		if (hg_mem_eq(name, len, include_srcs[i].name))
			return h->inc[i];
	return NULL;
}

static void markdownify(void *ud, const char *src, size_t len, hg_buf *out)
{
	hg_buf_adds(out, "<p>");
	hg_buf_add(out, src, len);
	hg_buf_adds(out, "</p>\n");
}

static bool link(void *ud, const char *path, size_t len, hg_buf *out)
{
	if (hg_mem_eq(path, len, "about.md")) {
		hg_buf_adds(out, "/hub/about/");
		return true;
	}
	if (hg_mem_eq(path, len, "_posts/2022-06-12-hello.md")) {
		hg_buf_adds(out, "/hub/2022/06/12/hello.html");
		return true;
	}
	return false;
}

static bool post_url(void *ud, const char *name, size_t len, hg_buf *out)
{
	if (hg_mem_eq(name, len, "2022-06-12-hello")) {
		hg_buf_adds(out, "/hub/2022/06/12/hello.html");
		return true;
	}
	return false;
}

typedef struct fixture {
	hg_arena *a;
	hg_value *data;
	host_data hd;
	hg_liquid_host host;
} fixture;

static fixture *fixture_new(void)
{
	fixture *fx = hg_xcalloc(1, sizeof *fx);
	fx->a = hg_arena_new();
	json j = {data_json, fx->a};
	fx->data = json_value(&j);
	fx->hd.a = fx->a;
	hg_diags *d = hg_diags_new();
	for (size_t i = 0; i < HG_ARRAY_LEN(include_srcs); i++) {
		char *path = hg_xasprintf("_includes/%s", include_srcs[i].name);
		fx->hd.inc[i] = hg_liquid_parse(fx->a, include_srcs[i].src, strlen(include_srcs[i].src), path, 1, d);
		free(path);
		assert_non_null(fx->hd.inc[i]);
	}
	assert_int_equal(hg_diags_len(d), 0);
	hg_diags_free(d);
	fx->host = (hg_liquid_host){
	    .ud = &fx->hd,
	    .find_include = find_include,
	    .markdownify = markdownify,
	    .link = link,
	    .post_url = post_url,
	    .baseurl = "/hub",
	    .url = "https://example.org",
	    .now = {hg_civil_to_secs(2024, 1, 2, 3, 4, 5), 0, true},
	};
	return fx;
}

static void fixture_free(fixture *fx)
{
	hg_arena_free(fx->a);
	free(fx);
}

/* ==== spec files ==== */

typedef struct example {
	const char *file;
	unsigned line;
	char *name;
	hg_buf tmpl, expect, error, warning, note, options;
	bool has_expect, has_error, has_warning;
} example;

static void trim_newlines(hg_buf *b)
{
	while (b->len && b->ptr[b->len - 1] == '\n')
		hg_buf_truncate(b, b->len - 1);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	hg_buf b = HG_BUF_INIT;
	char tmp[4096];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		hg_buf_add(&b, tmp, n);
	fclose(f);
	return hg_buf_detach(&b, len);
}

/* Checks one expected diagnostic line "[path:]line:col text" against d. */
static bool diag_matches(const hg_diag *d, const char *want)
{
	const char *p = want;
	const char *colon = strchr(p, ':');
	const char *path = NULL;
	size_t path_len = 0;
	if (colon && (colon[1] < '0' || colon[1] > '9' || !(p[0] >= '0' && p[0] <= '9'))) {
		/* path:line:col */
		const char *q = colon;
		while (q && !(q[1] >= '0' && q[1] <= '9'))
			q = strchr(q + 1, ':');
		if (!(p[0] >= '0' && p[0] <= '9')) {
			path = p;
			path_len = (size_t)(q - p);
			p = q + 1;
		}
	}
	unsigned line, col;
	int used;
	if (sscanf(p, "%u:%u %n", &line, &col, &used) < 2)
		return false;
	if (path && (!d->path || strlen(d->path) != path_len || memcmp(d->path, path, path_len) != 0))
		return false;
	return d->line == line && d->col == col && strstr(d->msg, p + used) != NULL;
}

static bool check_diags(hg_diags *d, hg_severity sev, const hg_buf *want, hg_buf *why)
{
	size_t got = 0;
	for (size_t i = 0; i < hg_diags_len(d); i++)
		got += hg_diags_get(d, i)->sev == sev;
	const char *p = want->ptr;
	size_t k = 0;
	bool ok = true;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *line = hg_xstrndup(p, n);
		size_t seen = 0;
		const hg_diag *match = NULL;
		for (size_t i = 0; i < hg_diags_len(d); i++) {
			const hg_diag *g = hg_diags_get(d, i);
			if (g->sev != sev)
				continue;
			if (seen++ == k)
				match = g;
		}
		if (!match || !diag_matches(match, line)) {
			hg_buf_addf(why, "  expected %s: %s\n", sev == HG_ERROR ? "error" : "warning", line);
			ok = false;
		}
		free(line);
		k++;
		p += n + (nl != NULL);
	}
	if (got != k) {
		hg_buf_addf(why, "  expected %zu %s(s), got %zu\n", k, sev == HG_ERROR ? "error" : "warning", got);
		ok = false;
	}
	return ok;
}

static void describe_diags(hg_diags *d, hg_buf *why)
{
	for (size_t i = 0; i < hg_diags_len(d); i++) {
		const hg_diag *g = hg_diags_get(d, i);
		hg_buf_addf(why, "  got %s: %s:%u:%u: %s\n", g->sev == HG_ERROR ? "error" : "warning",
		            g->path ? g->path : "-", g->line, g->col, g->msg);
		if (g->note)
			hg_buf_addf(why, "    note: %s\n", g->note);
	}
}

static const char *option(const example *ex, const char *name)
{
	const char *p = ex->options.ptr;
	size_t n = strlen(name);
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len >= n && memcmp(p, name, n) == 0 && (len == n || p[n] == ' '))
			return len == n ? "" : p + n + 1;
		p += len + (nl != NULL);
	}
	return NULL;
}

static char *option_str(const example *ex, const char *name)
{
	const char *v = option(ex, name);
	if (!v)
		return NULL;
	const char *nl = strchr(v, '\n');
	return hg_xstrndup(v, nl ? (size_t)(nl - v) : strlen(v));
}

/* Runs one example; on failure appends why to report and returns false. */
static bool run_example(fixture *fx, example *ex, hg_buf *report)
{
	hg_arena *a = hg_arena_new();
	hg_diags *d = hg_diags_new();
	hg_liquid_host host = fx->host;
	char *baseurl = option_str(ex, "baseurl"), *url = option_str(ex, "url");
	if (baseurl)
		host.baseurl = baseurl;
	if (url)
		host.url = url;
	host.strict_variables = option(ex, "strict_variables") != NULL;
	host.strict_filters = option(ex, "strict_filters") != NULL;
	hg_liquid_limits lim = hg_liquid_default_limits();
	const char *v;
	if ((v = option(ex, "max_iterations")))
		lim.max_iterations = strtoull(v, NULL, 10);
	if ((v = option(ex, "max_output")))
		lim.max_output = strtoull(v, NULL, 10);
	if ((v = option(ex, "max_include_depth")))
		lim.max_include_depth = (unsigned)strtoul(v, NULL, 10);
	unsigned first_line = (v = option(ex, "first_line")) ? (unsigned)strtoul(v, NULL, 10) : 1;
	bool no_host = option(ex, "no_host") != NULL;

	hg_buf out = HG_BUF_INIT, why = HG_BUF_INIT;
	hg_template *t = hg_liquid_parse(a, ex->tmpl.ptr, ex->tmpl.len, "page.html", first_line, d);
	bool rendered = false;
	if (t) {
		assert_string_equal(hg_template_path(t), "page.html");
		hg_arena *scratch = hg_arena_new();
		rendered = hg_liquid_render(t, fx->data, no_host ? NULL : &host, &lim, scratch, &out, d);
		hg_arena_free(scratch);
		if (rendered && !hg_diags_len(d)) {
			/* a second render must give the same: templates are never written */
			hg_buf again = HG_BUF_INIT;
			scratch = hg_arena_new();
			hg_diags *d2 = hg_diags_new();
			hg_liquid_render(t, fx->data, no_host ? NULL : &host, &lim, scratch, &again, d2);
			if (again.len != out.len || memcmp(again.ptr, out.ptr, out.len) != 0)
				hg_buf_addf(&why, "  a second render differs:\n%s\n", again.ptr);
			hg_buf_release(&again);
			hg_diags_free(d2);
			hg_arena_free(scratch);
		}
	}
	if (ex->has_expect && (out.len != ex->expect.len || memcmp(out.ptr, ex->expect.ptr, out.len) != 0))
		hg_buf_addf(&why, "  expected output:\n%s\n  got:\n%s\n", ex->expect.ptr, out.ptr);
	if (!ex->has_expect && !ex->has_error)
		hg_buf_addf(&why, "  example has no expect or error section\n");
	if (!ex->has_error && (!t || !rendered))
		hg_buf_addf(&why, "  unexpected failure\n");
	if (ex->has_error && t && rendered)
		hg_buf_addf(&why, "  expected the template to fail\n");
	bool ok = why.len == 0;
	ok &= check_diags(d, HG_ERROR, &ex->error, &why);
	ok &= check_diags(d, HG_WARNING, &ex->warning, &why);
	const char *p = ex->note.ptr;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *line = hg_xstrndup(p, n);
		bool found = false;
		for (size_t i = 0; i < hg_diags_len(d); i++) {
			const hg_diag *g = hg_diags_get(d, i);
			found |= g->note && strstr(g->note, line);
		}
		if (!found) {
			hg_buf_addf(&why, "  expected a note with: %s\n", line);
			ok = false;
		}
		free(line);
		p += n + (nl != NULL);
	}
	ok &= why.len == 0;
	if (!ok) {
		hg_buf_addf(report, "%s:%u: %s\n", ex->file, ex->line, ex->name);
		describe_diags(d, &why);
		hg_buf_add(report, why.ptr, why.len);
	}
	hg_buf_release(&why);
	hg_buf_release(&out);
	free(baseurl);
	free(url);
	hg_diags_free(d);
	hg_arena_free(a);
	return ok;
}

static void example_release(example *ex)
{
	free(ex->name);
	hg_buf_release(&ex->tmpl);
	hg_buf_release(&ex->expect);
	hg_buf_release(&ex->error);
	hg_buf_release(&ex->warning);
	hg_buf_release(&ex->note);
	hg_buf_release(&ex->options);
}

static void example_init(example *ex, const char *file, unsigned line)
{
	memset(ex, 0, sizeof *ex);
	ex->file = file;
	ex->line = line;
	hg_buf_init(&ex->tmpl);
	hg_buf_init(&ex->expect);
	hg_buf_init(&ex->error);
	hg_buf_init(&ex->warning);
	hg_buf_init(&ex->note);
	hg_buf_init(&ex->options);
}

static void finish_example(example *ex)
{
	trim_newlines(&ex->tmpl);
	trim_newlines(&ex->expect);
	trim_newlines(&ex->error);
	trim_newlines(&ex->warning);
	trim_newlines(&ex->note);
	trim_newlines(&ex->options);
}

/* Runs every example in one file; returns how many there were and counts failures. */
static size_t run_file(fixture *fx, const char *path, const char *name, size_t *failures, hg_buf *report)
{
	size_t len;
	char *src = read_file(path, &len);
	size_t count = 0;
	example ex;
	example_init(&ex, name, 0);
	bool in_example = false;
	hg_buf *section = NULL;
	unsigned line = 0;
	for (char *p = src; *p;) {
		char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		line++;
		if (n >= 4 && memcmp(p, "### ", 4) == 0) {
			if (in_example) {
				finish_example(&ex);
				count++;
				*failures += !run_example(fx, &ex, report);
				example_release(&ex);
			}
			example_init(&ex, name, line);
			ex.name = hg_xstrndup(p + 4, n - 4);
			section = &ex.tmpl;
			in_example = true;
		} else if (in_example && n >= 4 && memcmp(p, "--- ", 4) == 0) {
			const char *s = p + 4;
			size_t sn = n - 4;
			if (hg_mem_eq(s, sn, "expect")) {
				section = &ex.expect;
				ex.has_expect = true;
			} else if (hg_mem_eq(s, sn, "error")) {
				section = &ex.error;
				ex.has_error = true;
			} else if (hg_mem_eq(s, sn, "warning")) {
				section = &ex.warning;
				ex.has_warning = true;
			} else if (hg_mem_eq(s, sn, "note")) {
				section = &ex.note;
			} else if (hg_mem_eq(s, sn, "options")) {
				section = &ex.options;
			} else {
				fail_msg("%s:%u: unknown section '%.*s'", name, line, (int)sn, s);
			}
		} else if (section) {
			hg_buf_add(section, p, n);
			if (nl)
				hg_buf_addc(section, '\n');
		}
		p += n + (nl != NULL);
	}
	if (in_example) {
		finish_example(&ex);
		count++;
		*failures += !run_example(fx, &ex, report);
		example_release(&ex);
	}
	free(src);
	return count;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_spec_files(void **state)
{
	fixture *fx = fixture_new();
	const char *dir = HG_TEST_SPEC_DIR "/liquid";
	DIR *dp = opendir(dir);
	assert_non_null(dp);
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(dp)) != NULL)
		if (hg_ends_with(e->d_name, ".txt")) {
			HG_GROW(names, cap, n + 1);
			names[n++] = hg_xstrdup(e->d_name);
		}
	closedir(dp);
	qsort(names, n, sizeof *names, cmp_names);
	size_t total = 0, failures = 0;
	hg_buf report = HG_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		char *path = hg_xasprintf("%s/%s", dir, names[i]);
		size_t k = run_file(fx, path, names[i], &failures, &report);
		print_message("%-28s %3zu examples\n", names[i], k);
		total += k;
		free(path);
		free(names[i]);
	}
	free(names);
	print_message("%zu examples, %zu failed\n", total, failures);
	if (failures)
		fputs(report.ptr, stderr);
	hg_buf_release(&report);
	fixture_free(fx);
	assert_true(total >= 150);
	assert_int_equal(failures, 0);
}

/* ==== what spec files cannot say ==== */

typedef struct thread_job {
	const hg_template *t;
	fixture *fx;
	const char *want;
	int bad;
} thread_job;

static void *render_many(void *arg)
{
	thread_job *job = arg;
	hg_arena *scratch = hg_arena_new();
	hg_diags *d = hg_diags_new();
	for (int i = 0; i < 200; i++) {
		hg_buf out = HG_BUF_INIT;
		if (!hg_liquid_render(job->t, job->fx->data, &job->fx->host, NULL, scratch, &out, d) ||
		    strcmp(out.ptr, job->want) != 0)
			job->bad++;
		hg_buf_release(&out);
		hg_arena_reset(scratch);
	}
	hg_diags_free(d);
	hg_arena_free(scratch);
	return NULL;
}

/* One template, four threads, each rendering it many times: the output never changes. */
static void test_threads(void **state)
{
	fixture *fx = fixture_new();
	static const char src[] = "{% assign sorted = site.pages | sort: 'title' %}"
	                          "{% for p in sorted %}{% cycle 'a', 'b' %}{{ forloop.index }}{{ p.title | upcase }}"
	                          "{% include note.html text=p.url %}{% increment k %}{% endfor %}"
	                          "{{ page.date | date: '%Y' }}{{ 0.1 | plus: 0.2 }}";
	hg_diags *d = hg_diags_new();
	hg_template *t = hg_liquid_parse(fx->a, src, sizeof src - 1, "threads.html", 1, d);
	assert_non_null(t);
	hg_buf want = HG_BUF_INIT;
	hg_arena *scratch = hg_arena_new();
	assert_true(hg_liquid_render(t, fx->data, &fx->host, NULL, scratch, &want, d));
	assert_string_equal(want.ptr, "a1BETA<p class=\"note\">/beta/</p>0b2GAMMA<p class=\"note\">/gamma/</p>1"
	                              "a3ZETA<p class=\"note\">/zeta/</p>2b4ALPHA<p class=\"note\">/alpha/</p>3"
	                              "20220.3");
	pthread_t th[4];
	thread_job jobs[4];
	for (int i = 0; i < 4; i++) {
		jobs[i] = (thread_job){t, fx, want.ptr, 0};
		assert_int_equal(pthread_create(&th[i], NULL, render_many, &jobs[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(jobs[i].bad, 0);
	}
	hg_buf_release(&want);
	hg_arena_free(scratch);
	hg_diags_free(d);
	fixture_free(fx);
}

static void test_is_plain(void **state)
{
	assert_true(hg_liquid_is_plain("no markup { here } %", 20));
	assert_true(hg_liquid_is_plain("", 0));
	assert_false(hg_liquid_is_plain("a {{ b }}", 9));
	assert_false(hg_liquid_is_plain("a {% b %}", 9));
	/* the length bounds the search */
	assert_true(hg_liquid_is_plain("a {{ b }}", 3));
}

static void test_defaults(void **state)
{
	hg_liquid_limits lim = hg_liquid_default_limits();
	assert_int_equal(lim.max_include_depth, 32);
	assert_int_equal(lim.max_iterations, 1000000);
	assert_int_equal(lim.max_output, 64u << 20);
}

/* Every filter the engine knows is found by name (the table is searched by bisection). */
static void test_filter_table(void **state)
{
	static const char *const names[] = {
	    "abs",
	    "absolute_url",
	    "append",
	    "array_to_sentence_string",
	    "at_least",
	    "at_most",
	    "capitalize",
	    "ceil",
	    "cgi_escape",
	    "compact",
	    "concat",
	    "date",
	    "date_to_long_string",
	    "date_to_rfc822",
	    "date_to_string",
	    "date_to_xmlschema",
	    "default",
	    "divided_by",
	    "downcase",
	    "escape",
	    "escape_once",
	    "find",
	    "find_exp",
	    "first",
	    "floor",
	    "group_by",
	    "group_by_exp",
	    "h",
	    "inspect",
	    "join",
	    "jsonify",
	    "last",
	    "lstrip",
	    "map",
	    "markdownify",
	    "minus",
	    "modulo",
	    "newline_to_br",
	    "normalize_whitespace",
	    "number_of_words",
	    "plus",
	    "pop",
	    "prepend",
	    "push",
	    "relative_url",
	    "remove",
	    "remove_first",
	    "remove_last",
	    "replace",
	    "replace_first",
	    "replace_last",
	    "reverse",
	    "round",
	    "rstrip",
	    "shift",
	    "size",
	    "slice",
	    "slugify",
	    "smartify",
	    "sort",
	    "sort_natural",
	    "split",
	    "strip",
	    "strip_html",
	    "strip_newlines",
	    "times",
	    "to_integer",
	    "truncate",
	    "truncatewords",
	    "uniq",
	    "unshift",
	    "upcase",
	    "uri_escape",
	    "url_decode",
	    "url_encode",
	    "where",
	    "where_exp",
	    "xml_escape",
	};
	for (size_t i = 0; i < HG_ARRAY_LEN(names); i++) {
		int id = hg_lq_filter_find(names[i], strlen(names[i]));
		assert_true(id >= 0);
		assert_string_equal(hg_lq_filter_def(id)->name, names[i]);
	}
	assert_int_equal(hg_lq_filter_find("nope", 4), -1);
	assert_int_equal(hg_lq_filter_find("", 0), -1);
	assert_int_equal(hg_lq_filter_find("escapes", 7), -1);
}

/* The source need not be NUL-terminated, nor outlive the parse. */
static void test_source_copied(void **state)
{
	hg_arena *a = hg_arena_new();
	hg_diags *d = hg_diags_new();
	char *src = hg_xstrdup("Hi {{ name }}!XXXX");
	hg_template *t = hg_liquid_parse(a, src, 14, "x.html", 1, d);
	memset(src, 'Z', 18);
	free(src);
	assert_non_null(t);
	hg_value *g = hg_value_map(a);
	hg_map_set(a, g, "name", hg_value_cstr(a, "Ada"));
	hg_buf out = HG_BUF_INIT;
	assert_true(hg_liquid_render(t, g, NULL, NULL, a, &out, d));
	assert_string_equal(out.ptr, "Hi Ada!");
	hg_buf_release(&out);
	/* NULL globals: everything is undefined */
	assert_true(hg_liquid_render(t, NULL, NULL, NULL, NULL, &out, d));
	assert_string_equal(out.ptr, "Hi !");
	hg_buf_release(&out);
	assert_int_equal(hg_diags_len(d), 0);
	hg_diags_free(d);
	hg_arena_free(a);
}

/* Pathological nesting is refused before it can exhaust the stack. */
static void test_deep_nesting(void **state)
{
	hg_arena *a = hg_arena_new();
	hg_diags *d = hg_diags_new();
	hg_buf src = HG_BUF_INIT;
	for (int i = 0; i < 100000; i++)
		hg_buf_adds(&src, "{% if true %}");
	assert_null(hg_liquid_parse(a, src.ptr, src.len, "deep.html", 1, d));
	assert_int_equal(hg_diags_len(d), 1);
	assert_non_null(strstr(hg_diags_get(d, 0)->msg, "nested too deeply"));
	assert_int_equal(hg_diags_get(d, 0)->col, 1 + 13 * 100);
	hg_buf_reset(&src);
	hg_buf_adds(&src, "{{ a");
	for (int i = 0; i < 100000; i++)
		hg_buf_adds(&src, "[a");
	hg_buf_adds(&src, " }}");
	assert_null(hg_liquid_parse(a, src.ptr, src.len, "deep.html", 1, d));
	assert_int_equal(hg_diags_len(d), 2);
	assert_non_null(strstr(hg_diags_get(d, 1)->msg, "nested too deeply"));
	hg_buf_release(&src);
	hg_diags_free(d);
	hg_arena_free(a);
}

/* A site's worth of renders of a typical layout, to keep an eye on speed. */
static void test_many_renders(void **state)
{
	fixture *fx = fixture_new();
	static const char src[] =
	    "<!DOCTYPE html>\n<title>{{ page.title | escape }}{% if site.title != \"\" %} - {{ site.title | escape "
	    "}}{% endif %}</title>\n<nav>{% for p in site.pages %}<a href=\"{{ p.url | relative_url }}\""
	    "{% if p.url == page.url %} aria-current=\"page\"{% endif %}>{{ p.title }}</a>{% endfor %}</nav>\n"
	    "<p>{{ page.date | date: \"%-d %B %Y\" }}{% if page.author %} by {{ page.author.name | escape }}"
	    "{% endif %}</p>{% include note.html text=page.title %}";
	hg_diags *d = hg_diags_new();
	hg_template *t = hg_liquid_parse(fx->a, src, sizeof src - 1, "layout.html", 1, d);
	assert_non_null(t);
	hg_arena *scratch = hg_arena_new();
	hg_buf out = HG_BUF_INIT;
	for (int i = 0; i < 10000; i++) {
		hg_buf_reset(&out);
		assert_true(hg_liquid_render(t, fx->data, &fx->host, NULL, scratch, &out, d));
		hg_arena_reset(scratch);
	}
	assert_non_null(strstr(out.ptr, "12 June 2022 by Ada Lovelace"));
	hg_buf_release(&out);
	hg_arena_free(scratch);
	hg_diags_free(d);
	fixture_free(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_spec_files),   cmocka_unit_test(test_threads),
	    cmocka_unit_test(test_is_plain),     cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_filter_table), cmocka_unit_test(test_source_copied),
	    cmocka_unit_test(test_deep_nesting), cmocka_unit_test(test_many_renders),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
