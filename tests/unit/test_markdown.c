/* Unit tests for markdown.c: cmark-gfm's extensions as configured, and hubgen's passes
 * (heading ids, link recording and rewriting, raw HTML, first h1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "markdown.h"

typedef struct fixture {
	hg_arena *a;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	f->a = hg_arena_new();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	hg_arena_free(f->a);
	free(f);
	return 0;
}

static hg_md_doc render_with(void **state, const char *src, const hg_md_options *opt)
{
	hg_md_doc doc;
	hg_markdown_render(src, strlen(src), opt, ((fixture *)*state)->a, &doc);
	assert_non_null(doc.html);
	assert_int_equal(strlen(doc.html), doc.html_len);
	return doc;
}

static hg_md_doc render(void **state, const char *src)
{
	return render_with(state, src, NULL);
}

static void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("expected to find\n  %s\nin\n%s", needle, haystack);
}

static void assert_lacks(const char *haystack, const char *needle)
{
	if (strstr(haystack, needle))
		fail_msg("did not expect\n  %s\nin\n%s", needle, haystack);
}

/* ==== extensions ==== */

static void test_plain(void **state)
{
	hg_md_doc doc = render(state, "Hello *world*.\n");
	assert_string_equal(doc.html, "<p>Hello <em>world</em>.</p>\n");
	assert_int_equal(doc.n_headings, 0);
	assert_int_equal(doc.n_links, 0);
	assert_false(doc.has_code);
	doc = render(state, "");
	assert_string_equal(doc.html, "");
}

static void test_table(void **state)
{
	hg_md_doc doc = render(state, "| a | b |\n|:--|--:|\n| 1 | 2 |\n");
	assert_contains(doc.html, "<table>\n<thead>\n<tr>\n<th align=\"left\">a</th>\n<th align=\"right\">b</th>");
	assert_contains(doc.html, "<td align=\"left\">1</td>");
}

static void test_strikethrough_and_autolink(void **state)
{
	hg_md_doc doc = render(state, "~~gone~~ and www.example.com and https://example.org/x.\n");
	assert_string_equal(doc.html,
	                    "<p><del>gone</del> and <a href=\"http://www.example.com\">www.example.com</a> and "
	                    "<a href=\"https://example.org/x\">https://example.org/x</a>.</p>\n");
}

static void test_tasklist(void **state)
{
	hg_md_doc doc = render(state, "- [ ] todo\n- [x] done\n");
	assert_string_equal(doc.html, "<ul>\n"
	                              "<li><input type=\"checkbox\" disabled=\"\" /> todo</li>\n"
	                              "<li><input type=\"checkbox\" checked=\"\" disabled=\"\" /> done</li>\n"
	                              "</ul>\n");
}

static void test_footnotes(void **state)
{
	hg_md_doc doc = render(state, "Claim[^1].\n\n[^1]: Source.\n");
	assert_contains(doc.html,
	                "<sup class=\"footnote-ref\"><a href=\"#fn-1\" id=\"fnref-1\" data-footnote-ref>1</a></sup>");
	assert_contains(doc.html, "<section class=\"footnotes\" data-footnotes>");
	assert_contains(doc.html, "<li id=\"fn-1\">");
}

static void test_code_blocks(void **state)
{
	hg_md_doc doc = render(state, "```python extra words\nprint(1)\n```\n");
	assert_string_equal(doc.html, "<pre><code class=\"language-python\">print(1)\n</code></pre>\n");
	assert_true(doc.has_code);
	doc = render(state, "    indented\n");
	assert_string_equal(doc.html, "<pre><code>indented\n</code></pre>\n");
	assert_true(doc.has_code);
	doc = render(state, "Only `inline` code.\n");
	assert_false(doc.has_code);
}

static void test_options(void **state)
{
	hg_md_options opt = hg_md_default_options();
	assert_true(opt.unsafe);
	assert_false(opt.hardbreaks);
	assert_false(opt.smart);
	assert_int_equal(opt.first_line, 1);
	assert_null(opt.rewrite_link);

	hg_md_doc doc = render_with(state, "one\ntwo\n", &opt);
	assert_string_equal(doc.html, "<p>one\ntwo</p>\n");
	opt.hardbreaks = true;
	doc = render_with(state, "one\ntwo\n", &opt);
	assert_string_equal(doc.html, "<p>one<br />\ntwo</p>\n");
	opt.hardbreaks = false;
	opt.smart = true;
	doc = render_with(state, "\"Quote\" -- it's\n", &opt);
	assert_string_equal(doc.html, "<p>“Quote” – it’s</p>\n");
}

/* ==== raw HTML ==== */

static void test_raw_html_unsafe(void **state)
{
	hg_md_doc doc = render(state, "<div class=\"note\">raw</div>\n\nText <b>bold</b> [x](javascript:go())\n");
	assert_contains(doc.html, "<div class=\"note\">raw</div>");
	assert_contains(doc.html, "<b>bold</b>");
	assert_contains(doc.html, "<a href=\"javascript:go()\">x</a>");
}

static void test_raw_html_dropped(void **state)
{
	hg_md_options opt = hg_md_default_options();
	opt.unsafe = false;
	hg_md_doc doc = render_with(state,
	                            "# Title <em>x</em>\n\n<div>raw</div>\n\nText <b>bold</b> [x](javascript:go()) "
	                            "[ok](page.md) ![png](data:image/png;base64,AA) [d](DATA:text/html,x)\n\n"
	                            "<script>alert(1)</script>\n",
	                            &opt);
	assert_lacks(doc.html, "<div>");
	assert_lacks(doc.html, "<b>");
	assert_lacks(doc.html, "<script>");
	assert_lacks(doc.html, "javascript:");
	assert_lacks(doc.html, "text/html");
	assert_contains(doc.html,
	                "<!-- raw HTML omitted -->\n<p>Text <!-- raw HTML omitted -->bold<!-- raw HTML omitted -->");
	assert_contains(doc.html, "<a href=\"\">x</a>");
	assert_contains(doc.html, "<a href=\"page.md\">ok</a>");
	assert_contains(doc.html, "<img src=\"data:image/png;base64,AA\" alt=\"png\" />");
	assert_contains(doc.html, "<a href=\"\">d</a>");
	/* hubgen's own markup still renders */
	assert_contains(doc.html, "<h1 id=\"title-x\">Title <!-- raw HTML omitted -->x<!-- raw HTML omitted --></h1>");
	/* the link checker still sees what was written */
	assert_int_equal(doc.n_links, 4);
	assert_string_equal(doc.links[0].url, "javascript:go()");
}

/* ==== heading ids ==== */

static void test_heading_ids(void **state)
{
	hg_md_doc doc = render(state, "# Getting Started\n"
	                              "\n"
	                              "## What's `new`?\n"
	                              "\n"
	                              "Setext *title*\n"
	                              "--------------\n"
	                              "\n"
	                              "### Über naïve Ελληνικά Кириллица\n"
	                              "\n"
	                              "#### 日本語 テスト\n"
	                              "\n"
	                              "## C++ & C# — 🎉 <span>tag</span> [link](x.md) ![img](i.png)\n"
	                              "\n"
	                              "###### snake_case  and-dash\n");
	assert_int_equal(doc.n_headings, 7);
	assert_string_equal(doc.headings[0].id, "getting-started");
	assert_string_equal(doc.headings[0].text, "Getting Started");
	assert_int_equal(doc.headings[0].level, 1);
	assert_int_equal(doc.headings[0].line, 1);
	assert_string_equal(doc.headings[1].id, "whats-new");
	assert_string_equal(doc.headings[1].text, "What's new?");
	assert_string_equal(doc.headings[2].id, "setext-title");
	assert_int_equal(doc.headings[2].level, 2);
	assert_int_equal(doc.headings[2].line, 5);
	assert_string_equal(doc.headings[3].id, "über-naïve-ελληνικά-кириллица");
	assert_string_equal(doc.headings[4].id, "日本語-テスト");
	/* HTML tags and images do not count, the text between tags and in links does */
	assert_string_equal(doc.headings[5].id, "c--c---tag-link-");
	assert_string_equal(doc.headings[6].id, "snake_case--and-dash");
	assert_int_equal(doc.headings[6].level, 6);

	assert_contains(doc.html, "<h1 id=\"getting-started\">Getting Started</h1>\n");
	assert_contains(doc.html, "<h2 id=\"whats-new\">What's <code>new</code>?</h2>\n");
	assert_contains(doc.html, "<h2 id=\"setext-title\">Setext <em>title</em></h2>\n");
	assert_contains(doc.html, "<h6 id=\"snake_case--and-dash\">snake_case  and-dash</h6>\n");
}

static void test_heading_duplicates(void **state)
{
	hg_md_doc doc = render(state, "# Intro\n\n## Intro\n\n### intro\n\n## Intro-1\n\n# !!!\n\n# 🎉\n\n#\n");
	assert_int_equal(doc.n_headings, 7);
	assert_string_equal(doc.headings[0].id, "intro");
	assert_string_equal(doc.headings[1].id, "intro-1");
	assert_string_equal(doc.headings[2].id, "intro-2");
	assert_string_equal(doc.headings[3].id, "intro-1-1"); /* "intro-1" was taken */
	assert_string_equal(doc.headings[4].id, "section");   /* nothing left of the text */
	assert_string_equal(doc.headings[5].id, "section-1");
	assert_string_equal(doc.headings[6].id, "section-2");
	assert_contains(doc.html, "<h2 id=\"intro-1\">Intro</h2>");
	assert_contains(doc.html, "<h1 id=\"section-2\"></h1>");
}

static void test_heading_in_containers(void **state)
{
	hg_md_options opt = hg_md_default_options();
	opt.first_line = 4;
	hg_md_doc doc = render_with(state, "> ## Quoted\n\n- item\n\n  ### In list\n", &opt);
	assert_int_equal(doc.n_headings, 2);
	assert_int_equal(doc.headings[0].line, 4);
	assert_int_equal(doc.headings[1].line, 8);
	assert_contains(doc.html, "<blockquote>\n<h2 id=\"quoted\">Quoted</h2>\n</blockquote>");
	assert_contains(doc.html, "<h3 id=\"in-list\">In list</h3>");
}

static void test_slug(void **state)
{
	struct {
		const char *text, *slug;
	} cases[] = {
	    {"Hello World", "hello-world"},
	    {"  two  spaces ", "--two--spaces-"},
	    {"API (v2.0)", "api-v20"},
	    {"don’t “quote” — me…", "dont-quote--me"},
	    {"ÀÉÎÕÜ ÇÑ", "àéîõü-çñ"},
	    {"ΣΑΣ", "σασ"},
	    {"ПРИВЕТ", "привет"},
	    {"Łódź", "łódź"},
	    {"日本", "日本"},
	    {"emoji 👍🏽 ok", "emoji--ok"},
	    {"tab\there", "tabhere"},
	    {"", ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		hg_buf b = HG_BUF_INIT;
		hg_heading_slug(cases[i].text, strlen(cases[i].text), &b);
		assert_string_equal(b.ptr, cases[i].slug);
		hg_buf_release(&b);
	}
	/* invalid UTF-8 is kept byte for byte */
	hg_buf b = HG_BUF_INIT;
	hg_heading_slug("a\xFF"
	                "b",
	                3, &b);
	assert_string_equal(b.ptr, "a\xFF"
	                           "b");
	hg_buf_release(&b);
	(void)state;
}

/* ==== links ==== */

static void test_links_recorded(void **state)
{
	hg_md_options opt = hg_md_default_options();
	opt.first_line = 5; /* the body starts on line 5 of the file */
	hg_md_doc doc = render_with(state,
	                            "See [guide](guide.md) and ![logo](img/logo.png).\n"
	                            "Second line [two](two.md \"title\") <https://a.example/x>\n"
	                            "\n"
	                            "> quoted [q](q.md)\n"
	                            "    indented continuation [c](c.md)\n"
	                            "\n"
	                            "[ref]: ref.md\n"
	                            "\n"
	                            "Use [ref] and www.example.com and https://b.example and me@mail.example.\n",
	                            &opt);
	struct {
		const char *url;
		unsigned line, col;
		bool image;
	} want[] = {
	    {"guide.md", 5, 5, false},
	    {"img/logo.png", 5, 27, true},
	    {"two.md", 6, 13, false},
	    {"https://a.example/x", 6, 35, false},
	    {"q.md", 8, 10, false},
	    {"c.md", 9, 27, false},
	    {"ref.md", 13, 5, false},
	    {"http://www.example.com", 13, 15, false},
	    {"https://b.example", 13, 35, false},
	    {"mailto:me@mail.example", 13, 57, false},
	};
	assert_int_equal(doc.n_links, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < doc.n_links; i++) {
		assert_string_equal(doc.links[i].url, want[i].url);
		assert_int_equal(doc.links[i].line, want[i].line);
		assert_int_equal(doc.links[i].col, want[i].col);
		assert_int_equal(doc.links[i].image, want[i].image);
	}
}

static void test_links_in_lists(void **state)
{
	hg_md_doc doc = render(state, "1. item [a](a.md)\n   more <http://w.example> [b](b.md)\n");
	assert_int_equal(doc.n_links, 3);
	assert_int_equal(doc.links[0].line, 1);
	assert_int_equal(doc.links[0].col, 9);
	assert_int_equal(doc.links[1].line, 2);
	assert_int_equal(doc.links[1].col, 9);
	assert_int_equal(doc.links[2].col, 28);
}

typedef struct rewrite_log {
	int calls;
	char seen[8][64];
} rewrite_log;

/* other.md → /other/, images get a prefix, everything else stays. */
static bool rewrite(void *ud, const char *url, bool image, hg_buf *out)
{
	rewrite_log *log = ud;
	if (log->calls < 8)
		snprintf(log->seen[log->calls], sizeof log->seen[0], "%s%s", image ? "img:" : "", url);
	log->calls++;
	size_t n = strlen(url);
	if (image) {
		hg_buf_adds(out, "/assets/");
		hg_buf_adds(out, url);
		return true;
	}
	if (n > 3 && strcmp(url + n - 3, ".md") == 0) {
		hg_buf_addc(out, '/');
		hg_buf_add(out, url, n - 3);
		hg_buf_addc(out, '/');
		return true;
	}
	return false;
}

static void test_rewrite(void **state)
{
	rewrite_log log = {0};
	hg_md_options opt = hg_md_default_options();
	opt.rewrite_link = rewrite;
	opt.ud = &log;
	hg_md_doc doc =
	    render_with(state, "[other](other.md) [ext](https://x.example/) ![p](p.png) https://auto.example\n", &opt);
	assert_string_equal(doc.html, "<p><a href=\"/other/\">other</a> <a href=\"https://x.example/\">ext</a> "
	                              "<img src=\"/assets/p.png\" alt=\"p\" /> "
	                              "<a href=\"https://auto.example\">https://auto.example</a></p>\n");
	assert_int_equal(log.calls, 4);
	assert_string_equal(log.seen[0], "other.md");
	assert_string_equal(log.seen[1], "https://x.example/");
	assert_string_equal(log.seen[2], "img:p.png");
	assert_string_equal(log.seen[3], "https://auto.example");
	/* recorded as written */
	assert_string_equal(doc.links[0].url, "other.md");
	assert_string_equal(doc.links[2].url, "p.png");
}

/* ==== first h1 ==== */

static void expect_h1(void **state, const char *src, const char *want)
{
	const char *got = hg_markdown_first_h1(src, strlen(src), ((fixture *)*state)->a);
	if (!want) {
		if (got)
			fail_msg("expected no title, got '%s' from:\n%s", got, src);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
}

static void test_first_h1(void **state)
{
	expect_h1(state, "# Title\n\nText\n", "Title");
	expect_h1(state, "Intro text.\n\n## Sub\n\n# Later *Title*\n", "Later Title");
	expect_h1(state, "```\n# not a heading\n```\n\n# Real\n", "Real");
	expect_h1(state, "~~~~\n# no\n~~~\n# still code\n~~~~\n# Yes\n", "Yes");
	expect_h1(state, "```md\n# unclosed fence\n", NULL);
	expect_h1(state, "    # indented code\n", NULL);
	expect_h1(state, "\t# tab is code too\n", NULL);
	expect_h1(state, "   # Three spaces #  \n", "Three spaces");
	expect_h1(state, "# Title ###\n", "Title");
	expect_h1(state, "# C#\n", "C#");
	expect_h1(state, "#hashtag\n", NULL);
	expect_h1(state, "# ###\n\n#\n\n# Second\n", "Second");
	expect_h1(state, "<!--\n# hidden\n-->\n# Shown\n", "Shown");
	expect_h1(state, "<!-- # one line --> \n# After\n", "After");
	expect_h1(state, "Setext *Title*\n===\n", "Setext Title");
	expect_h1(state, "Two line\nsetext\n=====\n", "Two line setext");
	expect_h1(state, "Para\n---\nNot\n\n===\n", NULL);
	expect_h1(state, "- item\n===\n", NULL);
	expect_h1(state, "# [Link](u.md), `co_de`, my_var, _em_, **b**, \\# x &amp; y ![alt](i.png)\n",
	          "Link, co_de, my_var, em, b, # x & y alt");
	expect_h1(state, "# 2 * 3 = 6\n", "2 * 3 = 6");
	expect_h1(state, "# Windows\r\n", "Windows");
	expect_h1(state, "", NULL);
	expect_h1(state, "No headings here.\n", NULL);
}

/* ==== threads ====
 * cmark-gfm 0.29.0.gfm.6 flips global tables while it parses inlines; without hubgen's lock
 * around parsing, documents rendered at the same time lose strikethrough and tables. */

#define THREADS 4
#define ROUNDS 150

static const char thread_src[] = "~~a~~ www.x.org\n\n| a | b |\n|---|---|\n| 1 | ~~2~~ |\n";

static void *render_many(void *arg)
{
	const char *want = arg;
	hg_arena *a = hg_arena_new();
	intptr_t bad = 0;
	for (int i = 0; i < ROUNDS; i++) {
		hg_md_doc doc;
		hg_markdown_render(thread_src, sizeof thread_src - 1, NULL, a, &doc);
		bad += strcmp(doc.html, want) != 0;
		hg_arena_reset(a);
	}
	hg_arena_free(a);
	return (void *)bad;
}

static void test_threads(void **state)
{
	hg_md_doc doc = render(state, thread_src);
	assert_contains(doc.html, "<del>a</del>");
	assert_contains(doc.html, "<td><del>2</del></td>");
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, render_many, doc.html), 0);
	intptr_t bad = 0;
	for (int i = 0; i < THREADS; i++) {
		void *r;
		pthread_join(t[i], &r);
		bad += (intptr_t)r;
	}
	assert_int_equal(bad, 0);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_plain),
	    T(test_table),
	    T(test_strikethrough_and_autolink),
	    T(test_tasklist),
	    T(test_footnotes),
	    T(test_code_blocks),
	    T(test_options),
	    T(test_raw_html_unsafe),
	    T(test_raw_html_dropped),
	    T(test_heading_ids),
	    T(test_heading_duplicates),
	    T(test_heading_in_containers),
	    T(test_slug),
	    T(test_links_recorded),
	    T(test_links_in_lists),
	    T(test_rewrite),
	    T(test_first_h1),
	    T(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
