/* toml.c: TOML 1.0 into values, as Hugo's config.toml and `+++` front matter are read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "toml.h"

static hg_value *parse(hg_arena *a, const char *src, hg_diags *d)
{
	return hg_toml_parse(a, src, strlen(src), "config.toml", 1, d);
}

static const hg_value *get(const hg_value *m, const char *dotted)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%s", dotted);
	const hg_value *v = m;
	for (char *part = buf, *dot; v && part; part = dot ? dot + 1 : NULL) {
		dot = strchr(part, '.');
		if (dot)
			*dot = '\0';
		v = hg_map_get(v, part);
	}
	assert_non_null(v);
	return v;
}

static const char *str(const hg_value *m, const char *dotted)
{
	const hg_value *v = get(m, dotted);
	assert_int_equal(v->kind, HG_STRING);
	return v->as.s.ptr;
}

/* A hugo-book config as such sites write it (our own words). */
static void test_hugo_config(void **state)
{
	(void)state;
	hg_arena *a = hg_arena_new();
	hg_diags *d = hg_diags_new();
	hg_value *r = parse(a,
			    "# the site\n"
			    "baseURL = 'https://example.org/docs/'\n"
			    "title = \"Ward docs\"\n"
			    "theme = 'hugo-book'\n"
			    "enableGitInfo = true\n"
			    "\n"
			    "[markup]\n"
			    "[markup.goldmark.renderer]\n"
			    "  unsafe = true # for the shortcodes\n"
			    "\n"
			    "[[menu.after]]\n"
			    "  name = \"Team site\"\n"
			    "  url = \"https://example.org/\"\n"
			    "  weight = 10\n"
			    "[[menu.after]]\n"
			    "  name = \"Registry\"\n"
			    "  weight = 20\n"
			    "\n"
			    "[params]\n"
			    "  BookRepo = 'https://github.com/nhs/ward-docs'\n"
			    "  BookEditPath = 'edit/main/content'\n"
			    "  BookToC = true\n",
			    d);
	assert_non_null(r);
	assert_int_equal(hg_diags_len(d), 0);
	assert_string_equal(str(r, "baseURL"), "https://example.org/docs/");
	assert_string_equal(str(r, "title"), "Ward docs");
	assert_true(get(r, "enableGitInfo")->as.b);
	assert_true(get(r, "markup.goldmark.renderer.unsafe")->as.b);
	const hg_value *menu = get(r, "menu.after");
	assert_int_equal(menu->kind, HG_LIST);
	assert_int_equal(menu->as.list.len, 2);
	assert_string_equal(hg_map_str(menu->as.list.items[1], "name", ""), "Registry");
	assert_int_equal(hg_map_get(menu->as.list.items[0], "weight")->as.i, 10);
	assert_string_equal(str(r, "params.BookEditPath"), "edit/main/content");
	/* values know where they were written */
	assert_int_equal(get(r, "title")->line, 3);
	assert_int_equal(get(r, "title")->col, 9);
	hg_diags_free(d);
	hg_arena_free(a);
}

static void test_values(void **state)
{
	(void)state;
	hg_arena *a = hg_arena_new();
	hg_diags *d = hg_diags_new();
	hg_value *r = parse(a,
			    "basic = \"tab\\there \\u00e9 \\\"q\\\"\"\n"
			    "literal = 'C:\\path\\x'\n"
			    "multi = \"\"\"\n"
			    "one \\\n"
			    "    two\n"
			    "three\"\"\"\n"
			    "raw = '''\n"
			    "a\\b\n"
			    "'''\n"
			    "quotes = \"\"\"say \"hi\"\"\"\"\n"
			    "ints = [ 1_000, -17, 0xff, 0o17, 0b101, +3 ]\n"
			    "floats = [ 3.5, -1e2, 6.02e23, inf, -inf, nan ]\n"
			    "date = 2024-01-31\n"
			    "when = 1979-05-27T07:32:00Z\n"
			    "spaced = 1979-05-27 07:32:00\n"
			    "clock = 07:32:00\n"
			    "point = { x = 1, y = 2, label.text = \"p\" }\n"
			    "nested = [ [1, 2], ['a', \"b\"], ]\n"
			    "\"quoted key\" = 1\n"
			    "site.name = \"dotted\"\n"
			    "empty = {}\n",
			    d);
	assert_non_null(r);
	assert_int_equal(hg_diags_len(d), 0);
	assert_string_equal(str(r, "basic"), "tab\there \xc3\xa9 \"q\"");
	assert_string_equal(str(r, "literal"), "C:\\path\\x");
	assert_string_equal(str(r, "multi"), "one two\nthree");
	assert_string_equal(str(r, "raw"), "a\\b\n");
	assert_string_equal(str(r, "quotes"), "say \"hi\"");
	const hg_value *ints = get(r, "ints");
	int64_t want[] = {1000, -17, 255, 15, 5, 3};
	assert_int_equal(ints->as.list.len, 6);
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(ints->as.list.items[i]->as.i, want[i]);
	const hg_value *f = get(r, "floats");
	assert_true(f->as.list.items[0]->as.f == 3.5);
	assert_true(f->as.list.items[1]->as.f == -100.0);
	assert_true(isinf(f->as.list.items[3]->as.f) && f->as.list.items[4]->as.f < 0);
	assert_true(isnan(f->as.list.items[5]->as.f));
	assert_int_equal(get(r, "date")->kind, HG_TIME);
	assert_int_equal(get(r, "when")->kind, HG_TIME);
	assert_int_equal(get(r, "when")->as.t.secs, 296638320);
	assert_int_equal(get(r, "spaced")->kind, HG_TIME);
	assert_string_equal(str(r, "clock"), "07:32:00");
	assert_int_equal(get(r, "point.y")->as.i, 2);
	assert_string_equal(str(r, "point.label.text"), "p");
	assert_string_equal(get(r, "nested")->as.list.items[1]->as.list.items[1]->as.s.ptr, "b");
	assert_int_equal(get(r, "quoted key")->as.i, 1);
	assert_string_equal(str(r, "site.name"), "dotted");
	assert_int_equal(get(r, "empty")->kind, HG_MAP);
	hg_diags_free(d);
	hg_arena_free(a);
}

static void expect_error_n(const char *src, size_t len, unsigned line, unsigned col, const char *msg)
{
	hg_arena *a = hg_arena_new();
	hg_diags *d = hg_diags_new();
	assert_null(hg_toml_parse(a, src, len, "config.toml", 1, d));
	assert_int_equal(hg_diags_len(d), 1);
	const hg_diag *g = hg_diags_get(d, 0);
	assert_int_equal(g->sev, HG_ERROR);
	if (g->line != line || g->col != col)
		fail_msg("%u:%u, not %u:%u, for: %s (%s)", g->line, g->col, line, col, src, g->msg);
	if (!strstr(g->msg, msg))
		fail_msg("'%s' not in '%s'", msg, g->msg);
	hg_diags_free(d);
	hg_arena_free(a);
}

static void expect_error(const char *src, unsigned line, unsigned col, const char *msg)
{
	expect_error_n(src, strlen(src), line, col, msg);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("title = \n", 1, 9, "expected a value after '='");
	expect_error("a = 1\ntitle \"x\"\n", 2, 7, "expected '=' after the key");
	expect_error("title = Ward docs\n", 1, 9, "is not a value: quote text");
	expect_error("s = \"open\n", 1, 5, "never closed on its line");
	expect_error("s = \"\"\"open\n", 1, 5, "never closed");
	expect_error("s = \"\\q\"\n", 1, 6, "unknown escape '\\q'");
	expect_error("a = [1, 2\n", 1, 5, "an array that is never closed");
	expect_error("a = [1 2]\n", 1, 8, "expected ',' or ']'");
	expect_error("[params\nx = 1\n", 1, 8, "expected ']' to end the table's name");
	expect_error("a = 1\n[a.b]\n", 2, 1, "'a' is already a value, not a table");
	expect_error("[a]\n[[a]]\n", 2, 1, "'a' is already a table, not an array of tables");
	expect_error("n = 99999999999999999999\n", 1, 5, "too large for a whole number");
	expect_error("n = 1__0\n", 1, 6, "must sit between two digits");
	expect_error("d = 2024-13-45\n", 1, 5, "is not a date");
	expect_error("a = 1 b = 2\n", 1, 7, "expected the end of the line");
	expect_error("a = 1\n= 2\n", 2, 1, "'=' cannot start a key");
	expect_error("a = { b = 1\n", 1, 5, "never closed");
	expect_error_n("a = \"x\0y\"", 9, 1, 7, "NUL");
}

static void test_deep_nesting(void **state)
{
	(void)state;
	char src[512] = "a = ";
	size_t n = strlen(src);
	for (int i = 0; i < 100; i++)
		src[n++] = '[';
	src[n] = '\0';
	expect_error(src, 1, 69, "nested more than 64 deep");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hugo_config),
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_deep_nesting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
