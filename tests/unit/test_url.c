/* URL rules: source path → URL → output file, permalinks, post patterns, slugs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "url.h"

static char buf_text[512];

static const char *from_path(const char *rel)
{
	hg_buf b = HG_BUF_INIT;
	hg_url_from_path(rel, &b);
	snprintf(buf_text, sizeof buf_text, "%s", b.ptr);
	hg_buf_release(&b);
	return buf_text;
}

static const char *normalize(const char *p)
{
	hg_buf b = HG_BUF_INIT;
	bool ok = hg_url_normalize(p, &b);
	snprintf(buf_text, sizeof buf_text, "%s", ok ? b.ptr : "(refused)");
	hg_buf_release(&b);
	return buf_text;
}

static const char *output(const char *url)
{
	hg_buf b = HG_BUF_INIT;
	hg_url_output_path(url, &b);
	snprintf(buf_text, sizeof buf_text, "%s", b.ptr);
	hg_buf_release(&b);
	return buf_text;
}

static void test_pretty_urls(void **state)
{
	(void)state;
	assert_string_equal(from_path("guide/open-source.md"), "/guide/open-source/");
	assert_string_equal(from_path("index.md"), "/");
	assert_string_equal(from_path("_index.md"), "/");
	assert_string_equal(from_path("guide/index.md"), "/guide/");
	assert_string_equal(from_path("guide/_index.md"), "/guide/");
	assert_string_equal(from_path("404.html"), "/404.html");
	assert_string_equal(from_path("a/b.markdown"), "/a/b/");
	assert_string_equal(from_path("docs/Page With Spaces.md"), "/docs/Page-With-Spaces/");
}

static void test_permalinks(void **state)
{
	(void)state;
	assert_string_equal(normalize("/a/b/"), "/a/b/");
	assert_string_equal(normalize("experiences.html"), "/experiences.html");
	assert_string_equal(normalize("/a//b/./c"), "/a/b/c");
	assert_string_equal(normalize("/a/../b/"), "/b/");
	assert_string_equal(normalize("/"), "/");
	assert_string_equal(normalize(""), "/");
	assert_string_equal(normalize("/../x"), "(refused)");
	assert_string_equal(normalize("/a/../../x"), "(refused)");
	assert_string_equal(normalize("/a\\b"), "(refused)");
	assert_string_equal(normalize("/a\nb"), "(refused)");
}

static void test_output_paths(void **state)
{
	(void)state;
	assert_string_equal(output("/"), "index.html");
	assert_string_equal(output("/a/b/"), "a/b/index.html");
	assert_string_equal(output("/a.html"), "a.html");
	assert_string_equal(output("/about"), "about.html");
	assert_string_equal(output("/feed.xml"), "feed.xml");
}

static void test_post_patterns(void **state)
{
	(void)state;
	hg_url_parts p = {2022, 6, 2, "hello-world", NULL, "news/updates", ".html"};
	hg_buf b = HG_BUF_INIT;
	hg_url_expand(NULL, &p, &b);
	assert_string_equal(b.ptr, "/blog/2022/06/02/hello-world/");
	hg_buf_reset(&b);
	hg_url_expand("date", &p, &b);
	assert_string_equal(b.ptr, "/news/updates/2022/06/02/hello-world.html");
	hg_buf_reset(&b);
	hg_url_expand("/:year/:i_month/:i_day/:title/", &p, &b);
	assert_string_equal(b.ptr, "/2022/6/2/hello-world/");
	hg_buf_reset(&b);
	p.categories = "";
	hg_url_expand("/:categories/:title:output_ext", &p, &b);
	assert_string_equal(b.ptr, "/hello-world.html");
	hg_buf_reset(&b);
	hg_url_expand("/:year/:y_day/:unknown/", &p, &b);
	assert_string_equal(b.ptr, "/2022/153/:unknown/");
	hg_buf_release(&b);
}

static void test_slugs_and_titles(void **state)
{
	(void)state;
	hg_buf b = HG_BUF_INIT;
	hg_slugify("Hello, World!  Again", 20, &b);
	assert_string_equal(b.ptr, "hello-world-again");
	hg_buf_reset(&b);
	hg_slugify("--x--", 5, &b);
	assert_string_equal(b.ptr, "x");
	hg_buf_reset(&b);
	hg_title_from_name("open-source_guide.md", &b);
	assert_string_equal(b.ptr, "Open source guide");
	hg_buf_reset(&b);
	hg_title_from_name("--x--.md", &b);
	assert_string_equal(b.ptr, "X");
	hg_buf_release(&b);
}

static void test_base_url(void **state)
{
	(void)state;
	hg_buf b = HG_BUF_INIT;
	assert_true(hg_base_url_normalize("/hub/", &b));
	assert_string_equal(b.ptr, "/hub");
	hg_buf_reset(&b);
	assert_true(hg_base_url_normalize("hub", &b));
	assert_string_equal(b.ptr, "/hub");
	hg_buf_reset(&b);
	assert_true(hg_base_url_normalize("/", &b));
	assert_string_equal(b.ptr, "");
	hg_buf_reset(&b);
	assert_false(hg_base_url_normalize("https://x.org/hub", &b));
	hg_buf_reset(&b);
	assert_false(hg_base_url_normalize("/a b", &b));
	hg_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pretty_urls),   cmocka_unit_test(test_permalinks),
		cmocka_unit_test(test_output_paths),  cmocka_unit_test(test_post_patterns),
		cmocka_unit_test(test_slugs_and_titles), cmocka_unit_test(test_base_url),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
