/* csv.c: RFC 4180 rows into a list of maps, as Jekyll reads _data/x.csv and x.tsv. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "csv.h"

static const char *cell(const hg_value *list, size_t row, const char *key)
{
	assert_true(row < list->as.list.len);
	const hg_value *v = hg_map_get(list->as.list.items[row], key);
	assert_non_null(v);
	assert_int_equal(v->kind, HG_STRING);
	return v->as.s.ptr;
}

static hg_value *parse(hg_arena *a, const char *src, char sep, hg_diags *d)
{
	return hg_csv_parse(a, src, strlen(src), sep, "_data/x.csv", d);
}

static void test_rows_and_quotes(void **state)
{
	(void)state;
	hg_arena *a = hg_arena_new();
	hg_diags *d = hg_diags_new();
	hg_value *l = parse(a,
			    "\xEF\xBB\xBF" "name,role,note\r\n"
			    "Ada,\"Lead, data\",\"She said \"\"hi\"\"\"\r\n"
			    "\n"
			    "Bo,\"two\nlines\"\n"
			    "Cy,x,y,extra",
			    ',', d);
	assert_non_null(l);
	assert_int_equal(hg_diags_len(d), 0);
	assert_int_equal(l->as.list.len, 3);
	assert_string_equal(cell(l, 0, "name"), "Ada");
	assert_string_equal(cell(l, 0, "role"), "Lead, data");
	assert_string_equal(cell(l, 0, "note"), "She said \"hi\"");
	assert_string_equal(cell(l, 1, "role"), "two\nlines");
	assert_string_equal(cell(l, 1, "note"), ""); /* a short row */
	assert_string_equal(cell(l, 2, "note"), "y");
	assert_string_equal(cell(l, 2, ""), "extra"); /* more fields than the header */
	/* the keys keep the header's order */
	assert_string_equal(l->as.list.items[0]->as.map.entries[0].key, "name");
	assert_string_equal(l->as.list.items[0]->as.map.entries[2].key, "note");
	hg_diags_free(d);
	hg_arena_free(a);
}

static void test_tabs_and_edges(void **state)
{
	(void)state;
	hg_arena *a = hg_arena_new();
	hg_diags *d = hg_diags_new();
	hg_value *l = parse(a, "a\tb\n1\t\"x,y\"\n2\t", '\t', d);
	assert_int_equal(l->as.list.len, 2);
	assert_string_equal(cell(l, 0, "b"), "x,y");
	assert_string_equal(cell(l, 1, "a"), "2");
	assert_string_equal(cell(l, 1, "b"), "");
	/* only a header: an empty list; nothing at all: an empty list */
	assert_int_equal(parse(a, "a,b\n", ',', d)->as.list.len, 0);
	assert_int_equal(parse(a, "", ',', d)->as.list.len, 0);
	/* a trailing separator is one more, empty field */
	l = parse(a, "a,b\n1,", ',', d);
	assert_string_equal(cell(l, 0, "b"), "");
	assert_int_equal(hg_diags_len(d), 0);
	hg_diags_free(d);
	hg_arena_free(a);
}

static void test_unclosed_quote(void **state)
{
	(void)state;
	hg_arena *a = hg_arena_new();
	hg_diags *d = hg_diags_new();
	assert_null(parse(a, "a,b\n1,2\n3,\"never\n", ',', d));
	assert_int_equal(hg_diags_len(d), 1);
	const hg_diag *g = hg_diags_get(d, 0);
	assert_int_equal(g->sev, HG_ERROR);
	assert_int_equal(g->line, 3);
	assert_int_equal(g->col, 1);
	assert_string_equal(g->path, "_data/x.csv");
	hg_diags_free(d);
	hg_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_and_quotes),
		cmocka_unit_test(test_tabs_and_edges),
		cmocka_unit_test(test_unclosed_quote),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
