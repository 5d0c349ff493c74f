/* fuzz_liquid.c — the Liquid engine: parse a template, render it twice in a fixed context.
 *
 * Input: the template, then optionally up to four include files after NUL bytes
 * ("page\0a\0b…": the parts become a.html, b.html, c.html and d.html), so the fuzzer
 * controls includes too (a NUL never reaches the engine in a build: the UTF-8 check
 * refuses or replaces it first). Besides those, a fixed include table: note.html,
 * params.html, self.html (includes itself) and loop.html.
 *
 * The context is fixed: globals `page` and `site` parsed once from YAML below (strings,
 * numbers, times, lists, nested maps), a host with includes, markdownify (the real
 * Markdown renderer), link and post_url, and the default limits (include depth 32,
 * 1,000,000 iterations, 64 MiB of output). Strict variables and filters are on for inputs
 * of odd length, off for even ones, so both paths are covered.
 *
 * Properties: a failed parse or render has added an error; a render gives the same bytes
 * and the same number of diagnostics the second time (rendering never mutates the
 * template and depends on nothing else); a render that succeeds stays within its output
 * limit, and one that fails at it passes it by one chunk at most.
 */
#include <string.h>
#include <time.h>

#include "diag.h"
#include "liquid.h"
#include "markdown.h"
#include "util.h"
#include "value.h"
#include "yamlval.h"

#include "fuzz.h"

static const char globals_yaml[] =
	"page:\n"
	"  title: Hello <World>\n"
	"  url: /guide/intro/\n"
	"  date: 2022-06-12 09:05:03 +0100\n"
	"  tags: [c, liquid, jekyll]\n"
	"  weight: 3\n"
	"  price: 4.5\n"
	"  empty: ''\n"
	"  nothing: ~\n"
	"  yes: true\n"
	"  inc: note.html\n"
	"  html: \"<p>Tom &amp; \\\"Jerry\\\" & 'Spike'</p>\"\n"
	"  author: {name: Ada Lovelace, links: {home: 'https://ada.example'}}\n"
	"  text: \"Line one\\nLine two\\r\\nLine three\"\n"
	"  content: \"# Title\\n\\nSome *markdown* [link](other.md)\\n\"\n"
	"site:\n"
	"  title: Hub\n"
	"  url: https://example.org\n"
	"  baseurl: /hub\n"
	"  time: 2024-01-02 03:04:05\n"
	"  pages:\n"
	"    - {title: Zeta, weight: 2, url: /zeta/, category: b}\n"
	"    - {title: alpha, weight: 10, url: /alpha/, category: a}\n"
	"    - {title: Beta, url: /beta/, category: a, tags: [x, y]}\n"
	"  posts:\n"
	"    - {title: Newest, date: 2023-03-01 10:00:00, author: {name: Bo}}\n"
	"    - {title: Oldest, date: 2022-01-05}\n"
	"  data:\n"
	"    nav: [{title: Home, url: /}, {title: Guide, url: /guide/}]\n"
	"    numbers: [3, 1, 22, 2, -7, 3.14159]\n"
	"    strings: [banana, Apple, cherry, apple, '42', '']\n"
	"    nested: [[1, 2], [3, [4]]]\n"
	"    hash: {a: 1, b: [1, 2], c: {d: ~}}\n"
	"  tags: {c: [], liquid: []}\n";

static const struct {
	const char *name, *src;
} fixed_includes[] = {
	{"note.html", "<p class=\"note\">{{ include.text }}</p>"},
	{"params.html", "{{ include.a }}|{{ include.b }}|{{ include.c | default: \"none\" }}"},
	{"self.html", "[{% include self.html %}]"},
	{"loop.html", "{% for p in site.pages %}{{ p.title }}{% include note.html text=p.url %}{% endfor %}"},
};

#define N_FIXED (sizeof fixed_includes / sizeof fixed_includes[0])
#define N_FUZZED 4

typedef struct context {
	hg_arena *a; /* lives for the whole run */
	hg_value *globals;
	const hg_template *fixed[N_FIXED];
} context;

/* Parsed once; reachable from a static, so never reported as a leak. */
static context *ctx;

typedef struct includes {
	const hg_template *fuzzed[N_FUZZED];
} includes;

static const hg_template *find_include(void *ud, const char *name, size_t len)
{
	const includes *inc = ud;
	static const char *fuzzed_names[N_FUZZED] = {"a.html", "b.html", "c.html", "d.html"};
	for (size_t i = 0; i < N_FUZZED; i++)
		if (inc->fuzzed[i] && hg_mem_eq(name, len, fuzzed_names[i]))
			return inc->fuzzed[i];
	for (size_t i = 0; i < N_FIXED; i++)
		if (hg_mem_eq(name, len, fixed_includes[i].name))
			return ctx->fixed[i];
	return NULL;
}

static void markdownify(void *ud, const char *src, size_t len, hg_buf *out)
{
	hg_arena *a = hg_arena_new();
	hg_md_options o = hg_md_default_options();
	hg_md_doc doc;
	hg_markdown_render(src, len, &o, a, &doc);
	hg_buf_add(out, doc.html, doc.html_len);
	hg_arena_free(a);
}

static bool link(void *ud, const char *path, size_t len, hg_buf *out)
{
	if (!hg_mem_eq(path, len, "about.md"))
		return false;
	hg_buf_adds(out, "/hub/about/");
	return true;
}

static bool post_url(void *ud, const char *name, size_t len, hg_buf *out)
{
	if (!hg_mem_eq(name, len, "2022-06-12-hello"))
		return false;
	hg_buf_adds(out, "/hub/2022/06/12/hello/");
	return true;
}

static void init(void)
{
	ctx = hg_xcalloc(1, sizeof *ctx);
	ctx->a = hg_arena_new();
	hg_diags *d = hg_diags_new();
	ctx->globals = hg_yaml_parse(ctx->a, globals_yaml, sizeof globals_yaml - 1, "globals.yml", 1, d);
	FUZZ_ASSERT(ctx->globals && ctx->globals->kind == HG_MAP);
	for (size_t i = 0; i < N_FIXED; i++) {
		const char *src = fixed_includes[i].src;
		char *path = hg_xasprintf("_includes/%s", fixed_includes[i].name);
		ctx->fixed[i] = hg_liquid_parse(ctx->a, src, strlen(src), path, 1, d);
		free(path);
		FUZZ_ASSERT(ctx->fixed[i]);
	}
	FUZZ_ASSERT(hg_diags_len(d) == 0);
	hg_diags_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ctx)
		init();
	const char *src = (const char *)data;
	const char *end = src + size;
	const char *cut = memchr(src, '\0', size);
	size_t page_len = cut ? (size_t)(cut - src) : size;

	hg_arena *a = hg_arena_new();
	hg_diags *d = hg_diags_new();
	includes inc = {{NULL}};
	/* the includes after the page, each up to the next NUL */
	const char *p = cut ? cut + 1 : end;
	for (size_t i = 0; i < N_FUZZED && p < end; i++) {
		const char *next = memchr(p, '\0', (size_t)(end - p));
		size_t n = next ? (size_t)(next - p) : (size_t)(end - p);
		char path[] = "_includes/a.html";
		path[10] = (char)('a' + i);
		size_t errors = hg_diags_count(d, HG_ERROR);
		inc.fuzzed[i] = hg_liquid_parse(a, p, n, path, 1, d);
		FUZZ_ASSERT(inc.fuzzed[i] || hg_diags_count(d, HG_ERROR) > errors);
		p = next ? next + 1 : end;
	}

	hg_template *t = hg_liquid_parse(a, src, page_len, "content/fuzz.md", 5, d);
	if (!t) {
		FUZZ_ASSERT(hg_diags_count(d, HG_ERROR) > 0);
	} else {
		hg_liquid_host host = {
			.ud = &inc,
			.find_include = find_include,
			.markdownify = markdownify,
			.link = link,
			.post_url = post_url,
			.baseurl = "/hub",
			.url = "https://example.org",
			.now = {hg_civil_to_secs(2024, 1, 2, 3, 4, 5), 0, true},
			.strict_variables = size & 1,
			.strict_filters = size & 1,
		};
		hg_liquid_limits lim = hg_liquid_default_limits();
		hg_arena *scratch = hg_arena_new();
		hg_buf out1 = HG_BUF_INIT, out2 = HG_BUF_INIT;
		size_t errors = hg_diags_count(d, HG_ERROR), before = hg_diags_len(d);
		clock_t started = clock();
		bool ok1 = hg_liquid_render(t, ctx->globals, &host, &lim, scratch, &out1, d);
		FUZZ_ASSERT(ok1 || hg_diags_count(d, HG_ERROR) > errors);
		/* a render that fails at the limit may have added the one chunk that passed it
		 * (text from the input, or a value checked before it was printed) */
		FUZZ_ASSERT(out1.len <= lim.max_output || (!ok1 && out1.len <= lim.max_output + size));
		/* the second render must give the same bytes; skipped for big outputs and slow
		 * renders, to keep the fuzzer fast: the engine's work budget (64 steps per loop
		 * iteration allowed) lets one render take about a second of CPU in a release
		 * build, and eight under the fuzzer's instrumentation, near its 10 s timeout */
		if (out1.len < (1u << 20) && clock() - started < CLOCKS_PER_SEC / 2) {
			hg_arena_reset(scratch);
			hg_diags *d2 = hg_diags_new();
			bool ok2 = hg_liquid_render(t, ctx->globals, &host, &lim, scratch, &out2, d2);
			FUZZ_ASSERT(ok1 == ok2);
			FUZZ_ASSERT(out1.len == out2.len && memcmp(out1.ptr, out2.ptr, out1.len) == 0);
			FUZZ_ASSERT(hg_diags_len(d) - before == hg_diags_len(d2));
			hg_diags_free(d2);
		}
		hg_buf_release(&out1);
		hg_buf_release(&out2);
		hg_arena_free(scratch);
	}
	hg_diags_sort(d);
	hg_diags_free(d);
	hg_arena_free(a);
	return 0;
}
