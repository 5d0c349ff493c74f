/* Unit tests for shortcodes.c: the examples of tests/spec/shortcodes (page body → the HTML
 * Markdown makes of the expansion, and the warnings), and what a spec file cannot say: line
 * numbers kept, Liquid kept away from what is shown as written, limits, odd input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "markdown.h"
#include "shortcodes.h"

/* The test's site: two pages. */
static bool fake_ref(void *ud, const char *path, size_t len, bool absolute, hg_buf *out)
{
	(void)ud;
	size_t plen = strcspn(path, "#");
	if (plen > len)
		plen = len;
	const char *url = NULL;
	if (hg_mem_eq(path, plen, "docs/guide.md") || hg_mem_eq(path, plen, "docs/guide") ||
	    hg_mem_eq(path, plen, "/docs/guide"))
		url = "/docs/guide/";
	else if (hg_mem_eq(path, plen, "docs") || hg_mem_eq(path, plen, "docs/_index.md"))
		url = "/docs/";
	if (!url)
		return false;
	if (absolute)
		hg_buf_adds(out, "https://example.org");
	hg_buf_adds(out, url);
	hg_buf_add(out, path + plen, len - plen);
	return true;
}

static char *expand(const char *src, bool liquid, unsigned first_line, hg_diags *d)
{
	hg_sc_options o = {"page.md", first_line, liquid, fake_ref, NULL};
	hg_buf out = HG_BUF_INIT;
	hg_shortcodes_expand(src, strlen(src), &o, &out, d);
	size_t n;
	return hg_buf_detach(&out, &n);
}

static void warnings_text(hg_diags *d, hg_buf *out)
{
	hg_diags_sort(d);
	for (size_t i = 0; i < hg_diags_len(d); i++) {
		const hg_diag *g = hg_diags_get(d, i);
		hg_buf_addf(out, "%u:%u: %s\n", g->line, g->col, g->msg);
	}
}

/* ==== spec files ====
 *   ### name
 *   page body
 *   --- expect
 *   HTML
 *   --- warnings        (optional)
 *   line:col: message */

static void trim_newlines(hg_buf *b)
{
	while (b->len && b->ptr[b->len - 1] == '\n')
		hg_buf_truncate(b, b->len - 1);
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	hg_buf b = HG_BUF_INIT;
	char tmp[4096];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		hg_buf_add(&b, tmp, n);
	fclose(f);
	return hg_buf_detach(&b, &n);
}

static bool run_example(const char *file, unsigned line, const char *name, hg_buf *src, hg_buf *expect,
			hg_buf *warns, hg_buf *report)
{
	trim_newlines(src);
	hg_buf_addc(src, '\n');
	trim_newlines(expect);
	trim_newlines(warns);
	hg_diags *d = hg_diags_new();
	char *md = expand(src->ptr, false, 1, d);
	hg_arena *a = hg_arena_new();
	hg_md_doc doc;
	hg_markdown_render(md, strlen(md), NULL, a, &doc);
	hg_buf got = HG_BUF_INIT, gotw = HG_BUF_INIT, why = HG_BUF_INIT;
	hg_buf_adds(&got, doc.html);
	trim_newlines(&got);
	warnings_text(d, &gotw);
	trim_newlines(&gotw);
	if (strcmp(got.ptr, expect->ptr) != 0)
		hg_buf_addf(&why, "  expected:\n%s\n  got:\n%s\n  (expanded:\n%s)\n", expect->ptr, got.ptr, md);
	if (strcmp(gotw.ptr, warns->ptr) != 0)
		hg_buf_addf(&why, "  expected warnings:\n%s\n  got:\n%s\n", warns->ptr, gotw.ptr);
	/* every line of the body keeps its number when each tag stands on its own line */
	bool ok = why.len == 0;
	if (!ok)
		hg_buf_addf(report, "%s:%u: %s\n%s\n", file, line, name, why.ptr);
	hg_buf_release(&got);
	hg_buf_release(&gotw);
	hg_buf_release(&why);
	hg_arena_free(a);
	hg_diags_free(d);
	free(md);
	return ok;
}

static void test_spec_files(void **state)
{
	(void)state;
	const char *dir = HG_TEST_SPEC_DIR "/shortcodes";
	DIR *dp = opendir(dir);
	assert_non_null(dp);
	size_t total = 0, failures = 0;
	hg_buf report = HG_BUF_INIT;
	for (struct dirent *e; (e = readdir(dp)) != NULL;) {
		if (!hg_ends_with(e->d_name, ".txt"))
			continue;
		char *path = hg_xasprintf("%s/%s", dir, e->d_name);
		char *text = read_file(path);
		enum { NONE, INPUT, EXPECT, WARNINGS } part = NONE;
		hg_buf name = HG_BUF_INIT, src = HG_BUF_INIT, expect = HG_BUF_INIT, warns = HG_BUF_INIT;
		unsigned line = 0, at = 0;
		for (const char *p = text;; ) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			line++;
			bool end = !*p;
			if (end || (part != INPUT && n >= 4 && strncmp(p, "### ", 4) == 0)) {
				if (part == EXPECT || part == WARNINGS) {
					total++;
					failures += !run_example(e->d_name, at, name.ptr, &src, &expect, &warns, &report);
				}
				if (end)
					break;
				hg_buf_reset(&name);
				hg_buf_add(&name, p + 4, n - 4);
				hg_buf_reset(&src);
				hg_buf_reset(&expect);
				hg_buf_reset(&warns);
				part = INPUT;
				at = line;
			} else if (part == INPUT && n == 10 && !strncmp(p, "--- expect", 10)) {
				part = EXPECT;
			} else if (part == EXPECT && n == 12 && !strncmp(p, "--- warnings", 12)) {
				part = WARNINGS;
			} else if (part != NONE) {
				hg_buf *b = part == INPUT ? &src : part == EXPECT ? &expect : &warns;
				hg_buf_add(b, p, n);
				hg_buf_addc(b, '\n');
			}
			p += n + (nl != NULL);
		}
		hg_buf_release(&name);
		hg_buf_release(&src);
		hg_buf_release(&expect);
		hg_buf_release(&warns);
		free(text);
		free(path);
	}
	closedir(dp);
	print_message("%zu examples, %zu failed\n", total, failures);
	if (failures)
		fputs(report.ptr, stderr);
	hg_buf_release(&report);
	assert_true(total >= 15);
	assert_int_equal(failures, 0);
}

/* ==== what the spec files cannot say ==== */

static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_lines_are_kept(void **state)
{
	(void)state;
	const char *src = "# T\n\n{{< hint warning >}}\nA [link](x.md).\n{{< /hint >}}\n\n{{< tabs >}}\n{{< tab \"a\" >}}\n"
			  "one\n{{< /tab >}}\n{{< /tabs >}}\n{{< columns >}}\nl\n<--->\nr\n{{< /columns >}}\n"
			  "{{< mermaid >}}\na-->b\n{{< /mermaid >}}\n{{< details \"x\" >}}\n[y](y.md)\n{{< /details >}}\n"
			  "last [z](z.md)\n";
	hg_diags *d = hg_diags_new();
	char *out = expand(src, true, 1, d);
	assert_int_equal(count_lines(out), count_lines(src));
	assert_int_equal(hg_diags_len(d), 0);
	/* so the link's line in the Markdown is its line in the source */
	hg_arena *a = hg_arena_new();
	hg_md_doc doc;
	hg_markdown_render(out, strlen(out), NULL, a, &doc);
	assert_int_equal(doc.n_links, 3);
	assert_int_equal(doc.links[0].line, 4);
	assert_int_equal(doc.links[1].line, 21);
	assert_int_equal(doc.links[2].line, 23);
	hg_arena_free(a);
	hg_diags_free(d);
	free(out);
}

static void test_liquid_is_kept_away(void **state)
{
	(void)state;
	hg_diags *d = hg_diags_new();
	char *out = expand("{{< figure src=\"{{x}}\" >}} {{</* y */>}}\n", true, 1, d);
	assert_string_equal(out, "{% raw %}{{< figure src=\"{{x}}\" >}}{% endraw %} {% raw %}{{< y >}}{% endraw %}\n");
	free(out);
	/* what says endraw itself has each brace written as a Liquid string */
	out = expand("{{< x \"{% endraw %}\" >}}\n", true, 1, d);
	assert_string_equal(out, "{{ \"{\" }}{{ \"{\" }}< x \"{{ \"{\" }}% endraw %}\" >}}\n");
	free(out);
	/* without Liquid, as written */
	out = expand("{{< figure >}}\n", false, 1, d);
	assert_string_equal(out, "{{< figure >}}\n");
	free(out);
	/* the highlight's code too */
	out = expand("{{< highlight >}}\n{{ x }}\n{{< /highlight >}}\n", true, 1, d);
	assert_string_equal(out, "````\n{% raw %}{{ x }}{% endraw %}\n````\n");
	free(out);
	hg_diags_free(d);
}

static void test_positions_and_kind(void **state)
{
	(void)state;
	hg_diags *d = hg_diags_new();
	char *out = expand("x\n  {{< nope >}}\n", false, 10, d);
	free(out);
	assert_int_equal(hg_diags_len(d), 1);
	const hg_diag *g = hg_diags_get(d, 0);
	assert_string_equal(g->path, "page.md");
	assert_int_equal(g->line, 11);
	assert_int_equal(g->col, 3);
	assert_string_equal(g->kind, "shortcode");
	assert_int_equal(g->sev, HG_WARNING);
	hg_diags_free(d);
}

static void test_depth_limit(void **state)
{
	(void)state;
	hg_buf src = HG_BUF_INIT;
	for (int i = 0; i < 100; i++)
		hg_buf_adds(&src, "{{< hint >}}\n");
	hg_buf_adds(&src, "deep\n");
	for (int i = 0; i < 100; i++)
		hg_buf_adds(&src, "{{< /hint >}}\n");
	hg_diags *d = hg_diags_new();
	char *out = expand(src.ptr, false, 1, d);
	assert_int_equal(hg_diags_len(d), 1);
	assert_non_null(strstr(hg_diags_get(d, 0)->msg, "nested deeper than 32"));
	assert_non_null(strstr(out, "deep"));
	free(out);
	hg_diags_free(d);
	hg_buf_release(&src);
}

/* Unclosed tags everywhere, quotes that never end, separators everywhere: no crash, and the
 * text comes out (a cheap stand-in for the fuzzer). */
static void test_odd_input(void **state)
{
	(void)state;
	static const char *const cases[] = {
		"{{< hint \"unterminated >}}",
		"{{< tabs >}}{{< tab >}}{{< /tabs >}}{{< /tab >}}",
		"{{< columns >}}<---><---><--->{{< /columns >}}",
		"{{< /hint >}}{{< hint >}}",
		"{{< mermaid >}}</pre><script>{{< /mermaid >}}",
		"{{<",
		"{{%",
		"{{< ref >}}{{< relref \"\" >}}{{< button >}}x{{< /button >}}",
		"{{< a >}}{{< b >}}{{< /a >}}{{< /b >}}",
	};
	srand(6);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		hg_diags *d = hg_diags_new();
		char *out = expand(cases[i], true, 1, d);
		assert_non_null(out);
		free(out);
		hg_diags_free(d);
	}
	/* random soup of the characters that matter */
	const char alphabet[] = "{}<>%/ \"`\nhinttabs=-";
	char buf[512];
	for (int round = 0; round < 2000; round++) {
		size_t n = (size_t)(rand() % (int)(sizeof buf - 1));
		for (size_t k = 0; k < n; k++)
			buf[k] = alphabet[rand() % (int)(sizeof alphabet - 1)];
		buf[n] = '\0';
		hg_diags *d = hg_diags_new();
		char *out = expand(buf, round % 2, 1, d);
		free(out);
		hg_diags_free(d);
	}
	/* the mermaid body cannot close its <pre> */
	hg_diags *d = hg_diags_new();
	char *out = expand("{{< mermaid >}}</pre><script>{{< /mermaid >}}", false, 1, d);
	assert_string_equal(out, "<pre class=\"mermaid\">&lt;/pre&gt;&lt;script&gt;</pre>");
	free(out);
	hg_diags_free(d);
}

/* A page of a thousand unknown shortcodes gives a hundred warnings and a count of the rest. */
static void test_warnings_are_capped(void **state)
{
	(void)state;
	hg_buf src = HG_BUF_INIT;
	for (int i = 0; i < 1000; i++)
		hg_buf_adds(&src, "{{< nope >}}\n");
	hg_diags *d = hg_diags_new();
	char *out = expand(src.ptr, false, 1, d);
	assert_int_equal(hg_diags_len(d), 101);
	hg_diags_sort(d);
	const hg_diag *last = hg_diags_get(d, 0); /* the count has no line: it sorts first */
	assert_string_equal(last->msg, "900 more shortcode warnings on this page are not shown");
	assert_int_equal(hg_diags_get(d, 100)->line, 100);
	free(out);
	hg_diags_free(d);
	hg_buf_release(&src);
}

static void test_present(void **state)
{
	(void)state;
	assert_true(hg_shortcodes_present("a {{< x >}}", 11));
	assert_true(hg_shortcodes_present("{{%", 3));
	assert_false(hg_shortcodes_present("{{ x }} {% y %} {{", 18));
	assert_false(hg_shortcodes_present("{{<", 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_files),     cmocka_unit_test(test_lines_are_kept),
		cmocka_unit_test(test_liquid_is_kept_away), cmocka_unit_test(test_positions_and_kind),
		cmocka_unit_test(test_depth_limit),    cmocka_unit_test(test_odd_input),
		cmocka_unit_test(test_warnings_are_capped), cmocka_unit_test(test_present),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
