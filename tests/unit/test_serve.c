/* The preview server's pure parts: request path decoding and containment, pretty URL
 * mapping, content types, the reload script's place; and the watcher's ignore rules and
 * its following of new folders. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "serve.h"
#include "watch.h"

static char text[8192];

/* "OK path", "REDIRECT path", "OUTSIDE" or "BAD" */
static const char *resolve(const char *uri, const char *base)
{
	hg_buf b = HG_BUF_INIT;
	int r = hg_serve_resolve_path(uri, base, &b);
	switch (r) {
	case HG_SERVE_PATH_OK: snprintf(text, sizeof text, "OK %s", b.ptr); break;
	case HG_SERVE_PATH_REDIRECT: snprintf(text, sizeof text, "REDIRECT %s", b.ptr); break;
	case HG_SERVE_PATH_OUTSIDE: snprintf(text, sizeof text, "OUTSIDE"); break;
	case HG_SERVE_PATH_BAD: snprintf(text, sizeof text, "BAD"); break;
	default: snprintf(text, sizeof text, "? %d", r); break;
	}
	hg_buf_release(&b);
	return text;
}

static void test_plain_paths(void **state)
{
	(void)state;
	assert_string_equal(resolve("/", ""), "OK ");
	assert_string_equal(resolve("/", NULL), "OK ");
	assert_string_equal(resolve("/guide/", ""), "OK guide/");
	assert_string_equal(resolve("/guide", ""), "OK guide");
	assert_string_equal(resolve("/a/b.html?x=1#top", ""), "OK a/b.html");
	assert_string_equal(resolve("/a/b/?q=/../..", ""), "OK a/b/");
	assert_string_equal(resolve("//a//b/", ""), "OK a/b/");
	assert_string_equal(resolve("/a%20b/c%C3%A9.html", ""), "OK a b/c\xc3\xa9.html");
	assert_string_equal(resolve("/.nojekyll", ""), "OK .nojekyll");
	assert_string_equal(resolve("/...", ""), "OK ...");
	assert_string_equal(resolve("/a..b/c..", ""), "OK a..b/c..");
}

static void test_traversal(void **state)
{
	(void)state;
	assert_string_equal(resolve("/../etc/passwd", ""), "BAD");
	assert_string_equal(resolve("/..", ""), "BAD");
	assert_string_equal(resolve("/a/../../etc/passwd", ""), "BAD");
	assert_string_equal(resolve("/a/..", ""), "BAD");
	assert_string_equal(resolve("/a/../", ""), "BAD");
	assert_string_equal(resolve("/a/./b", ""), "BAD");
	assert_string_equal(resolve("/./", ""), "BAD");
	assert_string_equal(resolve("//../etc/passwd", ""), "BAD");
}

static void test_encoded_traversal(void **state)
{
	(void)state;
	assert_string_equal(resolve("/%2e%2e/%2e%2e/etc/passwd", ""), "BAD");
	assert_string_equal(resolve("/%2E%2E/etc/passwd", ""), "BAD");
	assert_string_equal(resolve("/.%2e/etc/passwd", ""), "BAD");
	assert_string_equal(resolve("/%2e/a", ""), "BAD");
	/* an encoded slash is never a separator, and never a file name either */
	assert_string_equal(resolve("/..%2fetc/passwd", ""), "BAD");
	assert_string_equal(resolve("/..%2Fetc%2Fpasswd", ""), "BAD");
	assert_string_equal(resolve("/a%2fb", ""), "BAD");
	/* backslashes, raw or encoded */
	assert_string_equal(resolve("/..\\etc\\passwd", ""), "BAD");
	assert_string_equal(resolve("/%5c..%5cetc", ""), "BAD");
	assert_string_equal(resolve("/a%5Cb", ""), "BAD");
}

static void test_decoded_once(void **state)
{
	(void)state;
	/* "%252e" decodes to the literal "%2e", a name like any other */
	assert_string_equal(resolve("/%252e%252e/etc/passwd", ""), "OK %2e%2e/etc/passwd");
	assert_string_equal(resolve("/%252f", ""), "OK %2f");
	assert_string_equal(resolve("/%25", ""), "OK %");
	assert_string_equal(resolve("/a+b", ""), "OK a+b");
}

static void test_nul_and_bad_escapes(void **state)
{
	(void)state;
	assert_string_equal(resolve("/a%00b", ""), "BAD");
	assert_string_equal(resolve("/index.html%00.png", ""), "BAD");
	assert_string_equal(resolve("/a%0ab", ""), "BAD");
	assert_string_equal(resolve("/a%0D%0ALocation:%20x", ""), "BAD");
	assert_string_equal(resolve("/a%7f", ""), "BAD");
	assert_string_equal(resolve("/a\tb", ""), "BAD");
	assert_string_equal(resolve("/a%", ""), "BAD");
	assert_string_equal(resolve("/a%2", ""), "BAD");
	assert_string_equal(resolve("/a%zz", ""), "BAD");
	assert_string_equal(resolve("/a%%32%65", ""), "BAD");
	assert_string_equal(resolve("a/b", ""), "BAD");
	assert_string_equal(resolve("", ""), "BAD");
	assert_string_equal(resolve(NULL, ""), "BAD");
	assert_string_equal(resolve("http://example.org/", ""), "BAD");
	char *longest = malloc(5000);
	longest[0] = '/';
	memset(longest + 1, 'a', 4998);
	longest[4999] = '\0';
	assert_string_equal(resolve(longest, ""), "BAD");
	free(longest);
}

static void test_base_path(void **state)
{
	(void)state;
	assert_string_equal(resolve("/", "/hub"), "REDIRECT /hub/");
	assert_string_equal(resolve("/hub", "/hub"), "REDIRECT /hub/");
	assert_string_equal(resolve("/hub?x", "/hub/"), "REDIRECT /hub/");
	assert_string_equal(resolve("/hub/", "/hub"), "OK ");
	assert_string_equal(resolve("/hub/", "/hub/"), "OK ");
	assert_string_equal(resolve("/hub/guide/", "/hub"), "OK guide/");
	assert_string_equal(resolve("/hub//guide", "/hub"), "OK guide");
	assert_string_equal(resolve("/hubx/", "/hub"), "OUTSIDE");
	assert_string_equal(resolve("/hubx", "/hub"), "OUTSIDE");
	assert_string_equal(resolve("/guide/", "/hub"), "OUTSIDE");
	assert_string_equal(resolve("/HUB/", "/hub"), "OUTSIDE");
	assert_string_equal(resolve("/hub/../etc/passwd", "/hub"), "BAD");
	assert_string_equal(resolve("/hub/%2e%2e/x", "/hub"), "BAD");
	assert_string_equal(resolve("/hub%2fguide", "/hub"), "BAD");
	/* the base is compared decoded, as the path is */
	assert_string_equal(resolve("/%68ub/guide", "/hub"), "OK guide");
	assert_string_equal(resolve("/my%20hub/x", "/my%20hub"), "OK x");
	assert_string_equal(resolve("/a/b/c", "/a/b"), "OK c");
	assert_string_equal(resolve("/a/", "/a/b"), "OUTSIDE");
	/* "/" and "" mean no base */
	assert_string_equal(resolve("/x", "/"), "OK x");
	assert_string_equal(resolve("/", "/"), "OK ");
}

/* ---- pretty URLs over a pretend folder ---- */

static const char *const fake_files[] = {
	"index.html", "guide/index.html", "about.html", "img/logo.png", "notes", "docs.html", "docs/a.png", "404.html",
};
static const char *const fake_dirs[] = {"guide", "img", "docs"};

static hg_serve_kind fake_probe(void *ud, const char *rel)
{
	(void)ud;
	for (size_t i = 0; i < sizeof fake_files / sizeof *fake_files; i++)
		if (!strcmp(rel, fake_files[i]))
			return HG_SERVE_FILE;
	for (size_t i = 0; i < sizeof fake_dirs / sizeof *fake_dirs; i++)
		if (!strcmp(rel, fake_dirs[i]))
			return HG_SERVE_DIR;
	return HG_SERVE_NONE;
}

static const char *map(const char *rel)
{
	hg_buf b = HG_BUF_INIT;
	int r = hg_serve_map_path(rel, fake_probe, NULL, &b);
	snprintf(text, sizeof text, "%s %s", r == HG_SERVE_MAP_FILE ? "FILE" : r == HG_SERVE_MAP_REDIRECT ? "REDIRECT" : "NONE",
		 b.ptr);
	hg_buf_release(&b);
	return text;
}

static void test_pretty_urls(void **state)
{
	(void)state;
	assert_string_equal(map(""), "FILE index.html");
	assert_string_equal(map("guide/"), "FILE guide/index.html");
	assert_string_equal(map("guide"), "REDIRECT guide/");
	assert_string_equal(map("about"), "FILE about.html");
	assert_string_equal(map("about.html"), "FILE about.html");
	assert_string_equal(map("about/"), "NONE ");
	assert_string_equal(map("img/logo.png"), "FILE img/logo.png");
	assert_string_equal(map("img"), "NONE ");
	assert_string_equal(map("img/"), "NONE ");
	assert_string_equal(map("docs"), "FILE docs.html");
	assert_string_equal(map("notes"), "FILE notes");
	assert_string_equal(map("missing"), "NONE ");
	assert_string_equal(map("missing/"), "NONE ");
}

/* With the path from hg_serve_resolve_path: the two together, as the server uses them. */
static void test_resolve_then_map(void **state)
{
	(void)state;
	hg_buf rel = HG_BUF_INIT;
	assert_int_equal(hg_serve_resolve_path("/hub/guide/?x=1", "/hub", &rel), HG_SERVE_PATH_OK);
	assert_string_equal(map(rel.ptr), "FILE guide/index.html");
	assert_int_equal(hg_serve_resolve_path("/hub/", "/hub", &rel), HG_SERVE_PATH_OK);
	assert_string_equal(map(rel.ptr), "FILE index.html");
	hg_buf_release(&rel);
}

static void test_content_types(void **state)
{
	(void)state;
	assert_string_equal(hg_serve_content_type("index.html"), "text/html; charset=utf-8");
	assert_string_equal(hg_serve_content_type("a/B.HTML"), "text/html; charset=utf-8");
	assert_string_equal(hg_serve_content_type("x.css"), "text/css; charset=utf-8");
	assert_string_equal(hg_serve_content_type("x.js"), "text/javascript; charset=utf-8");
	assert_string_equal(hg_serve_content_type("search-index.json"), "application/json");
	assert_string_equal(hg_serve_content_type("sitemap.xml"), "application/xml");
	assert_string_equal(hg_serve_content_type("i.svg"), "image/svg+xml");
	assert_string_equal(hg_serve_content_type("i.png"), "image/png");
	assert_string_equal(hg_serve_content_type("i.jpg"), "image/jpeg");
	assert_string_equal(hg_serve_content_type("i.jpeg"), "image/jpeg");
	assert_string_equal(hg_serve_content_type("i.gif"), "image/gif");
	assert_string_equal(hg_serve_content_type("i.webp"), "image/webp");
	assert_string_equal(hg_serve_content_type("favicon.ico"), "image/x-icon");
	assert_string_equal(hg_serve_content_type("f.woff2"), "font/woff2");
	assert_string_equal(hg_serve_content_type("f.woff"), "font/woff");
	assert_string_equal(hg_serve_content_type("robots.txt"), "text/plain; charset=utf-8");
	assert_string_equal(hg_serve_content_type("d.pdf"), "application/pdf");
	assert_string_equal(hg_serve_content_type("site.webmanifest"), "application/manifest+json");
	assert_string_equal(hg_serve_content_type("notes"), "application/octet-stream");
	assert_string_equal(hg_serve_content_type("a.b/notes"), "application/octet-stream");
	assert_string_equal(hg_serve_content_type(".nojekyll"), "application/octet-stream");
	assert_string_equal(hg_serve_content_type("x.exe"), "application/octet-stream");
}

static const char *inject(const char *html)
{
	hg_buf b = HG_BUF_INIT;
	hg_serve_inject(html, strlen(html), "<S>", &b);
	snprintf(text, sizeof text, "%s", b.ptr);
	hg_buf_release(&b);
	return text;
}

static void test_inject(void **state)
{
	(void)state;
	assert_string_equal(inject("<html><body>x</body></html>\n"), "<html><body>x<S></body></html>\n");
	assert_string_equal(inject("<BODY>x</BODY>"), "<BODY>x<S></BODY>");
	/* the last one: an earlier "</body>" may sit in a code sample */
	assert_string_equal(inject("<pre>&lt;/body></pre></body>x</body>"), "<pre>&lt;/body></pre></body>x<S></body>");
	assert_string_equal(inject("no body"), "no body<S>");
	assert_string_equal(inject(""), "<S>");
	assert_string_equal(inject("</body"), "</body<S>");
	assert_string_equal(inject("</body>"), "<S></body>");
}

/* ---- the watcher ---- */

static void test_ignored_names(void **state)
{
	(void)state;
	assert_true(hg_watch_ignored_name(".git", true));
	assert_true(hg_watch_ignored_name(".cache", true));
	assert_true(hg_watch_ignored_name("_site", true));
	assert_true(hg_watch_ignored_name("node_modules", true));
	assert_false(hg_watch_ignored_name("_posts", true));
	assert_false(hg_watch_ignored_name("_layouts", true));
	assert_false(hg_watch_ignored_name("guide", true));
	assert_true(hg_watch_ignored_name(".index.md.swp", false));
	assert_true(hg_watch_ignored_name("index.md.swp", false));
	assert_true(hg_watch_ignored_name("index.md~", false));
	assert_true(hg_watch_ignored_name(".#index.md", false));
	assert_true(hg_watch_ignored_name("4913", false));
	assert_false(hg_watch_ignored_name("49130", false));
	assert_false(hg_watch_ignored_name("index.md", false));
	assert_false(hg_watch_ignored_name("hub.yml", false));
}

static bool has_change(const hg_watch_changes *ch, const char *path)
{
	for (size_t i = 0; i < ch->len; i++)
		if (!strcmp(ch->paths[i], path))
			return true;
	return false;
}

static void write_file(const char *dir, const char *rel, const char *body)
{
	char *p = hg_path_join(dir, rel);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(body, f);
	fclose(f);
	free(p);
}

static void make_dir(const char *dir, const char *rel)
{
	char *p = hg_path_join(dir, rel);
	assert_true(hg_fs_mkdirs(p));
	free(p);
}

/* inotify queues an event before the call that caused it returns; reading right after is
 * enough, but wait for readability to be sure. */
static size_t read_changes(hg_watch *w, hg_watch_changes *ch, hg_diags *d)
{
	struct pollfd p = {hg_watch_fd(w), POLLIN, 0};
	poll(&p, 1, 1000);
	return hg_watch_read(w, ch, d);
}

static void test_watch_follows_new_folders(void **state)
{
	(void)state;
	const char *tmpdir = getenv("TMPDIR");
	char tmpl[4096];
	snprintf(tmpl, sizeof tmpl, "%s/hubgen-test-watch-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	assert_non_null(mkdtemp(tmpl));
	make_dir(tmpl, "guide");
	make_dir(tmpl, "_site");
	make_dir(tmpl, ".git");
	make_dir(tmpl, "out");
	char *out = hg_path_join(tmpl, "out");
	char *skip = hg_fs_realpath(out);

	hg_diags *d = hg_diags_new();
	hg_watch *w = hg_watch_new(tmpl, skip, d);
	assert_non_null(w);
	hg_watch_changes ch = {0};

	write_file(tmpl, "guide/page.md", "x");
	assert_true(read_changes(w, &ch, d) > 0);
	assert_true(has_change(&ch, "guide/page.md"));
	hg_watch_changes_clear(&ch);

	/* ignored: editor files, dot folders, _site, the skipped folder */
	write_file(tmpl, "guide/.page.md.swp", "x");
	write_file(tmpl, "guide/page.md~", "x");
	write_file(tmpl, "guide/4913", "x");
	write_file(tmpl, "_site/index.html", "x");
	write_file(tmpl, ".git/index", "x");
	write_file(tmpl, "out/index.html", "x");
	write_file(tmpl, "last.md", "x"); /* something to wait for */
	assert_true(read_changes(w, &ch, d) > 0); /* create, modify, close: one path */
	assert_int_equal(ch.len, 1);
	assert_string_equal(ch.paths[0], "last.md");
	hg_watch_changes_clear(&ch);

	/* a new folder is reported, and watched from then on */
	make_dir(tmpl, "new");
	assert_true(read_changes(w, &ch, d) > 0);
	assert_true(has_change(&ch, "new"));
	hg_watch_changes_clear(&ch);
	make_dir(tmpl, "new/deeper");
	assert_true(read_changes(w, &ch, d) > 0);
	write_file(tmpl, "new/deeper/page.md", "x");
	assert_true(read_changes(w, &ch, d) > 0);
	assert_true(has_change(&ch, "new/deeper/page.md"));
	hg_watch_changes_clear(&ch);

	/* a folder moved elsewhere in the tree is watched under its new name */
	char *from = hg_path_join(tmpl, "new"), *to = hg_path_join(tmpl, "guide/moved");
	assert_int_equal(rename(from, to), 0);
	assert_true(read_changes(w, &ch, d) > 0);
	assert_true(has_change(&ch, "new"));
	assert_true(has_change(&ch, "guide/moved"));
	hg_watch_changes_clear(&ch);
	write_file(tmpl, "guide/moved/deeper/again.md", "x");
	assert_true(read_changes(w, &ch, d) > 0);
	assert_true(has_change(&ch, "guide/moved/deeper/again.md"));
	hg_watch_changes_clear(&ch);

	assert_int_equal(hg_diags_len(d), 0);
	hg_watch_free(w);
	hg_diags_free(d);
	hg_fs_remove_tree(tmpl);
	free(from);
	free(to);
	free(out);
	free(skip);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_paths),
		cmocka_unit_test(test_traversal),
		cmocka_unit_test(test_encoded_traversal),
		cmocka_unit_test(test_decoded_once),
		cmocka_unit_test(test_nul_and_bad_escapes),
		cmocka_unit_test(test_base_path),
		cmocka_unit_test(test_pretty_urls),
		cmocka_unit_test(test_resolve_then_map),
		cmocka_unit_test(test_content_types),
		cmocka_unit_test(test_inject),
		cmocka_unit_test(test_ignored_names),
		cmocka_unit_test(test_watch_follows_new_folders),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
