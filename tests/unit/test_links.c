/* Links: scanning HTML for references and ids, and resolving URLs as a browser would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "links.h"

static void test_scan_finds_references_and_ids(void **state)
{
	(void)state;
	hg_arena *a = hg_arena_new();
	const char *html = "<a href=\"/x/?a=1&amp;b=2#top\">x</a><img src='i.png' srcset=\"s1.png 1x, s2.png 2x\">"
			   "<!-- <a href=\"commented.html\"> -->"
			   "<script>var s = '<a href=\"in-script.html\">';</script>"
			   "<h2 id=\"intro\">Intro</h2><a name=legacy></a><form action=/search/><p id=z>"
			   "<link rel=stylesheet href=style.css>";
	hg_page_refs r;
	hg_links_scan(html, strlen(html), a, &r);
	assert_int_equal(r.n_refs, 6);
	assert_string_equal(r.refs[0].url, "/x/?a=1&b=2#top");
	assert_string_equal(r.refs[0].attr, "href");
	assert_string_equal(r.refs[1].url, "i.png");
	assert_string_equal(r.refs[1].attr, "src");
	assert_string_equal(r.refs[2].url, "s1.png");
	assert_string_equal(r.refs[3].url, "s2.png");
	assert_string_equal(r.refs[4].url, "/search/");
	assert_string_equal(r.refs[4].attr, "action");
	assert_string_equal(r.refs[5].url, "style.css");
	assert_int_equal(r.n_ids, 3); /* sorted */
	assert_string_equal(r.ids[0], "intro");
	assert_string_equal(r.ids[1], "legacy");
	assert_string_equal(r.ids[2], "z");
	hg_arena_free(a);
}

static const char *resolve(const char *base, const char *page, const char *url, const char **frag, bool *outside)
{
	static char text[256];
	hg_buf b = HG_BUF_INIT;
	bool ok = hg_link_resolve(base, page, url, &b, frag, outside);
	snprintf(text, sizeof text, "%s", ok ? b.ptr : "(none)");
	hg_buf_release(&b);
	return text;
}

/* A page whose content was scanned on its own gives the same references and ids, in the
 * same order, when only the text around the content is scanned; and refuses when a comment
 * is open where the content begins. */
static void test_scan_around_content(void **state)
{
	(void)state;
	hg_arena *a = hg_arena_new();
	const char *content = "<p id=\"c1\"><a href=\"/in/\">in</a> <img src=\"/i.png\" alt=\"\"></p>";
	const char *before = "<html><head><link href=\"/a.css\" rel=\"stylesheet\"></head><body id=\"top\"><main>";
	const char *after = "</main><a href=\"/after/\" id=\"zz\">x</a><script>var s = '<a href=\"/no/\">';</script></body></html>";
	char *page = hg_xasprintf("%s%s%s", before, content, after);
	hg_page_refs inner, whole, around;
	assert_true(hg_links_scan(content, strlen(content), a, &inner));
	assert_true(hg_links_scan(page, strlen(page), a, &whole));
	assert_true(hg_links_scan_around(page, strlen(page), strlen(before), strlen(content), &inner, a, &around));
	assert_int_equal(whole.n_refs, 4);
	assert_int_equal(around.n_refs, whole.n_refs);
	for (size_t k = 0; k < whole.n_refs; k++) {
		assert_string_equal(around.refs[k].url, whole.refs[k].url);
		assert_string_equal(around.refs[k].attr, whole.refs[k].attr);
	}
	assert_int_equal(around.n_ids, whole.n_ids);
	for (size_t k = 0; k < whole.n_ids; k++)
		assert_string_equal(around.ids[k], whole.ids[k]);
	free(page);
	/* an open comment (or tag) before the content: the caller must scan the whole */
	page = hg_xasprintf("<main><!-- %s -->%s", content, after);
	assert_false(hg_links_scan_around(page, strlen(page), 11, strlen(content), &inner, a, &around));
	free(page);
	assert_false(hg_links_scan("<a href=\"/x/", 12, a, &inner));
	hg_arena_free(a);
}

static void test_resolve_like_a_browser(void **state)
{
	(void)state;
	const char *frag;
	bool outside;
	assert_string_equal(resolve("", "/guide/x/", "../y/", &frag, &outside), "/guide/y/");
	assert_string_equal(resolve("", "/guide/x.html", "y.html", &frag, &outside), "/guide/y.html");
	assert_string_equal(resolve("", "/guide/x/", "#part", &frag, &outside), "/guide/x/");
	assert_string_equal(frag, "part");
	assert_string_equal(resolve("", "/a/", "My%20File.pdf", &frag, &outside), "/a/My File.pdf");
	assert_string_equal(resolve("/hub", "/guide/", "/hub/assets/x.css", &frag, &outside), "/assets/x.css");
	assert_string_equal(resolve("/hub", "/guide/", "/hub", &frag, &outside), "/");
	assert_string_equal(resolve("/hub", "/guide/", "/assets/x.css", &frag, &outside), "(none)");
	assert_true(outside); /* a root-relative link that forgot the base path */
	assert_string_equal(resolve("/hub", "/guide/", "/hubble/", &frag, &outside), "(none)");
	assert_true(outside);
	assert_string_equal(resolve("", "/", "../../x", &frag, &outside), "(none)");
	assert_true(outside);
	assert_string_equal(resolve("", "/", "https://example.org/x", &frag, &outside), "(none)");
	assert_false(outside);
	assert_string_equal(resolve("", "/", "mailto:a@b.c", &frag, &outside), "(none)");
	assert_string_equal(resolve("", "/", "//cdn.example.org/x.js", &frag, &outside), "(none)");
	assert_false(outside);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_finds_references_and_ids),
		cmocka_unit_test(test_resolve_like_a_browser),
		cmocka_unit_test(test_scan_around_content),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
