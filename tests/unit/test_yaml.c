/* Unit tests for yamlval.c: scalar resolution as Psych does it, structure, positions, errors
 * and limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "value.h"
#include "yamlval.h"

typedef struct fixture {
	hg_arena *a;
	hg_diags *d;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	f->a = hg_arena_new();
	f->d = hg_diags_new();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	hg_diags_free(f->d);
	hg_arena_free(f->a);
	free(f);
	return 0;
}

static hg_value *parse_at(void **state, const char *src, unsigned first_line)
{
	fixture *f = *state;
	return hg_yaml_parse(f->a, src, strlen(src), "_config.yml", first_line, f->d);
}

static hg_value *parse(void **state, const char *src)
{
	hg_value *v = parse_at(state, src, 1);
	assert_non_null(v);
	assert_int_equal(hg_diags_len(((fixture *)*state)->d), 0);
	return v;
}

static const hg_diag *only_diag(void **state)
{
	hg_diags *d = ((fixture *)*state)->d;
	assert_int_equal(hg_diags_len(d), 1);
	return hg_diags_get(d, 0);
}

/* The value of `v: <text>` */
static hg_value *scalar(void **state, const char *text)
{
	char src[256];
	snprintf(src, sizeof src, "v: %s\n", text);
	hg_value *m = parse(state, src);
	hg_value *v = hg_map_get(m, "v");
	assert_non_null(v);
	return v;
}

static void want_string(void **state, const char *text, const char *want)
{
	hg_value *v = scalar(state, text);
	assert_int_equal(v->kind, HG_STRING);
	assert_string_equal(v->as.s.ptr, want);
}

static void want_int(void **state, const char *text, int64_t want)
{
	hg_value *v = scalar(state, text);
	assert_int_equal(v->kind, HG_INT);
	assert_int_equal(v->as.i, want);
}

static void want_float(void **state, const char *text, double want)
{
	hg_value *v = scalar(state, text);
	assert_int_equal(v->kind, HG_FLOAT);
	assert_true(v->as.f == want);
}

static void want_bool(void **state, const char *text, bool want)
{
	hg_value *v = scalar(state, text);
	assert_int_equal(v->kind, HG_BOOL);
	assert_int_equal(v->as.b, want);
}

static void want_null(void **state, const char *text)
{
	hg_value *v = scalar(state, text);
	assert_int_equal(v->kind, HG_NULL);
}

/* ==== scalars ==== */

static void test_numbers(void **state)
{
	want_float(state, "4.13", 4.13);
	want_int(state, "10", 10);
	want_int(state, "-7", -7);
	want_int(state, "+12", 12);
	want_int(state, "0", 0);
	want_int(state, "1_000", 1000);
	want_int(state, "1,000", 1000); /* Psych's legacy integers allow commas */
	want_int(state, "0x1F", 31);
	want_int(state, "-0x10", -16);
	want_int(state, "0b101", 5);
	/* Psych hands a leading-zero integer to Ruby's Integer(): octal */
	want_int(state, "010", 8);
	want_int(state, "0_17", 15);
	want_string(state, "08", "08"); /* not octal, not decimal */
	want_string(state, "0o17", "0o17");
	want_string(state, "1__0", "1__0");
	want_string(state, "99999999999999999999", "99999999999999999999"); /* beyond 64 bits */
	want_int(state, "9223372036854775807", INT64_MAX);
	want_int(state, "-9223372036854775808", INT64_MIN);
	want_float(state, ".5", 0.5);
	want_float(state, "-1.5", -1.5);
	want_float(state, "1.", 1.0);
	want_float(state, "1_000.25", 1000.25);
	want_float(state, "1.0e+3", 1000.0);
	want_float(state, "2.5E-1", 0.25);
	/* YAML 1.1's float needs a '.', and an exponent needs a sign: Psych keeps these */
	want_string(state, "1e3", "1e3");
	want_string(state, "1.0e3", "1.0e3");
	want_string(state, ".", ".");
	want_string(state, "1.2.3", "1.2.3");
	hg_value *v = scalar(state, ".inf");
	assert_true(v->kind == HG_FLOAT && isinf(v->as.f) && v->as.f > 0);
	v = scalar(state, "-.Inf");
	assert_true(v->kind == HG_FLOAT && isinf(v->as.f) && v->as.f < 0);
	v = scalar(state, ".NaN");
	assert_true(v->kind == HG_FLOAT && isnan(v->as.f));
	/* base 60, with Psych's weights: 60**|e-2| for part e */
	want_int(state, "1:30:15", 5415);
	want_int(state, "12:30", 45000);
	want_float(state, "1:30.5", 5430.0);
}

static void test_bools_and_nulls(void **state)
{
	want_bool(state, "yes", true);
	want_bool(state, "true", true);
	want_bool(state, "True", true);
	want_bool(state, "TRUE", true);
	want_bool(state, "on", true);
	want_bool(state, "On", true);
	want_bool(state, "no", false);
	want_bool(state, "False", false);
	want_bool(state, "OFF", false);
	want_string(state, "y", "y");
	want_string(state, "n", "n");
	want_string(state, "yess", "yess");
	want_null(state, "~");
	want_null(state, "null");
	want_null(state, "Null");
	want_null(state, "NULL");
	want_null(state, "");
	want_string(state, "nil", "nil");
	/* bools and nulls carry their own position (not the shared constants) */
	hg_value *v = scalar(state, "yes");
	assert_int_equal(v->line, 1);
	assert_int_equal(v->col, 4);
}

static void test_strings(void **state)
{
	want_string(state, "Sept 15 2022 at 03:30 PM", "Sept 15 2022 at 03:30 PM");
	want_string(state, "'10'", "10");
	want_string(state, "\"true\"", "true");
	want_string(state, "''", "");
	want_string(state, "\"a\\tb\"", "a\tb");
	want_string(state, ":symbol", ":symbol");
	want_string(state, "hello world", "hello world");
	want_string(state, "héllo", "héllo");
	want_string(state, "0X1F", "0X1F");
	want_string(state, "2022-06-12 12:00", "2022-06-12 12:00"); /* a time needs seconds */
	want_string(state, "2022-02-30", "2022-02-30");             /* no such day */
	want_string(state, "2022-13-01", "2022-13-01");
	/* block scalars are strings whatever they hold */
	hg_value *m = parse(state, "a: |\n  10\nb: >\n  yes\n  no\nc: |-\n  true\n");
	assert_string_equal(hg_map_get(m, "a")->as.s.ptr, "10\n");
	assert_string_equal(hg_map_get(m, "b")->as.s.ptr, "yes no\n");
	assert_string_equal(hg_map_get(m, "c")->as.s.ptr, "true");
	/* tags */
	want_string(state, "!!str 10", "10");
	want_string(state, "!!str yes", "yes");
	want_int(state, "!!int \"42\"", 42);
	want_float(state, "!!float 3", 3.0);
	want_string(state, "! 10", "10");
	want_int(state, "!custom 7", 7); /* an unknown tag is ignored */
}

static void test_times(void **state)
{
	hg_value *v = scalar(state, "2022-06-12 12:00:00");
	assert_int_equal(v->kind, HG_TIME);
	assert_true(v->as.t.has_time);
	assert_int_equal(v->as.t.secs, hg_civil_to_secs(2022, 6, 12, 12, 0, 0));
	assert_int_equal(v->as.t.utc_offset, 0);

	v = scalar(state, "2022-06-12");
	assert_int_equal(v->kind, HG_TIME);
	assert_false(v->as.t.has_time);
	assert_int_equal(v->as.t.secs, hg_civil_to_secs(2022, 6, 12, 0, 0, 0));

	v = scalar(state, "2022-06-12 12:00:00 +01:00");
	assert_int_equal(v->kind, HG_TIME);
	assert_int_equal(v->as.t.utc_offset, 3600);
	assert_int_equal(v->as.t.secs, hg_civil_to_secs(2022, 6, 12, 11, 0, 0));

	v = scalar(state, "2001-12-14t21:59:43.10-05:00");
	assert_int_equal(v->kind, HG_TIME);
	assert_int_equal(v->as.t.utc_offset, -5 * 3600);
	assert_int_equal(v->as.t.secs, hg_civil_to_secs(2001, 12, 15, 2, 59, 43));

	v = scalar(state, "2022-06-12T12:00:00Z");
	assert_int_equal(v->kind, HG_TIME);
	assert_int_equal(v->as.t.utc_offset, 0);

	v = scalar(state, "2024-2-29");
	assert_int_equal(v->kind, HG_TIME);
	assert_int_equal(v->as.t.secs, hg_civil_to_secs(2024, 2, 29, 0, 0, 0));

	v = scalar(state, "'2022-06-12'");
	assert_int_equal(v->kind, HG_STRING);
}

/* ==== structure ==== */

static void test_nested(void **state)
{
	hg_value *m = parse(state, "title: Docs\n"
	                           "nav:\n"
	                           "  - title: Home\n"
	                           "    url: /\n"
	                           "  - title: Guide\n"
	                           "    children: [a, b, {c: 1}]\n"
	                           "empty_list: []\n"
	                           "empty_map: {}\n");
	assert_int_equal(m->kind, HG_MAP);
	assert_int_equal(m->as.map.len, 4);
	assert_string_equal(m->as.map.entries[0].key, "title");
	assert_string_equal(m->as.map.entries[1].key, "nav");
	hg_value *nav = hg_map_get(m, "nav");
	assert_int_equal(nav->kind, HG_LIST);
	assert_int_equal(nav->as.list.len, 2);
	assert_string_equal(hg_map_str(nav->as.list.items[0], "url", NULL), "/");
	hg_value *children = hg_map_get(nav->as.list.items[1], "children");
	assert_int_equal(children->as.list.len, 3);
	assert_string_equal(children->as.list.items[1]->as.s.ptr, "b");
	assert_int_equal(hg_map_get(children->as.list.items[2], "c")->as.i, 1);
	assert_int_equal(hg_map_get(m, "empty_list")->kind, HG_LIST);
	assert_int_equal(hg_map_get(m, "empty_map")->as.map.len, 0);
}

static void test_duplicate_keys(void **state)
{
	hg_value *m = parse(state, "a: 1\nb: 2\na: 3\n");
	assert_int_equal(m->as.map.len, 2);
	assert_string_equal(m->as.map.entries[0].key, "a"); /* keeps its first place */
	assert_int_equal(m->as.map.entries[0].val->as.i, 3);
	assert_string_equal(m->as.map.entries[1].key, "b");
}

static void test_keys_are_text(void **state)
{
	hg_value *m = parse(state, "10: ten\ntrue: yes\n'q': 1\n~: n\n");
	assert_string_equal(hg_map_str(m, "10", NULL), "ten");
	assert_true(hg_map_get(m, "true")->as.b);
	assert_non_null(hg_map_get(m, "q"));
	assert_non_null(hg_map_get(m, "~"));
}

static void test_anchors_and_merge(void **state)
{
	hg_value *m = parse(state, "base: &base\n"
	                           "  a: 1\n"
	                           "  b: 2\n"
	                           "x:\n"
	                           "  <<: *base\n"
	                           "  b: 3\n"
	                           "list: &l [1, 2]\n"
	                           "y: *l\n"
	                           "both:\n"
	                           "  <<: [*base, {a: 9, c: 4}]\n"
	                           "before:\n"
	                           "  a: 0\n"
	                           "  <<: *base\n"
	                           "name: &n hubgen\n"
	                           "again: *n\n"
	                           "notmerge:\n"
	                           "  <<: 5\n");
	hg_value *x = hg_map_get(m, "x");
	assert_int_equal(x->as.map.len, 2);
	assert_int_equal(hg_map_get(x, "a")->as.i, 1);
	assert_int_equal(hg_map_get(x, "b")->as.i, 3);
	assert_null(hg_map_get(x, "<<"));
	/* the base map is untouched by the override */
	assert_int_equal(hg_map_get(hg_map_get(m, "base"), "b")->as.i, 2);
	/* an alias shares its node */
	assert_ptr_equal(hg_map_get(m, "y"), hg_map_get(m, "list"));
	/* in a list of maps the earlier one wins */
	hg_value *both = hg_map_get(m, "both");
	assert_int_equal(hg_map_get(both, "a")->as.i, 1);
	assert_int_equal(hg_map_get(both, "b")->as.i, 2);
	assert_int_equal(hg_map_get(both, "c")->as.i, 4);
	/* Psych's merge! replaces keys written before the `<<` */
	assert_int_equal(hg_map_get(hg_map_get(m, "before"), "a")->as.i, 1);
	assert_string_equal(hg_map_str(m, "again", NULL), "hubgen");
	/* `<<` of a scalar is an ordinary key */
	assert_int_equal(hg_map_get(hg_map_get(m, "notmerge"), "<<")->as.i, 5);
}

static void test_empty_documents(void **state)
{
	hg_value *m = parse(state, "");
	assert_int_equal(m->kind, HG_MAP);
	assert_int_equal(m->as.map.len, 0);
	m = parse(state, "# only a comment\n\n# another\n");
	assert_int_equal(m->kind, HG_MAP);
	assert_int_equal(m->as.map.len, 0);
	m = parse(state, "---\n");
	assert_int_equal(m->kind, HG_MAP);
	m = parse(state, "~\n");
	assert_int_equal(m->kind, HG_MAP);
}

static void test_non_map_root(void **state)
{
	hg_value *v = parse(state, "- a\n- b\n");
	assert_int_equal(v->kind, HG_LIST);
	assert_int_equal(v->as.list.len, 2);
	v = parse(state, "just text\n");
	assert_int_equal(v->kind, HG_STRING);
	assert_string_equal(v->as.s.ptr, "just text");
}

static void test_first_document_only(void **state)
{
	hg_value *m = parse(state, "a: 1\n---\nb: 2\n");
	assert_int_equal(m->as.map.len, 1);
	assert_non_null(hg_map_get(m, "a"));
}

static void test_many_keys(void **state)
{
	hg_buf src = HG_BUF_INIT;
	for (int i = 0; i < 50000; i++)
		hg_buf_addf(&src, "key%d: %d\n", i, i);
	hg_buf_adds(&src, "key123: replaced\n");
	hg_value *m = parse(state, src.ptr);
	assert_int_equal(m->as.map.len, 50000);
	assert_string_equal(m->as.map.entries[123].key, "key123");
	assert_string_equal(m->as.map.entries[123].val->as.s.ptr, "replaced");
	assert_int_equal(hg_map_get(m, "key49999")->as.i, 49999);
	hg_buf_release(&src);
}

/* ==== positions ==== */

static void test_positions(void **state)
{
	/* as front matter: the YAML starts on line 2 of the file */
	hg_value *m = parse_at(state, "title: Home\nnav_order: 4\ntags:\n  - a\n  - \"b\"\né: x\n", 2);
	assert_non_null(m);
	hg_value *v = hg_map_get(m, "title");
	assert_int_equal(v->line, 2);
	assert_int_equal(v->col, 8);
	v = hg_map_get(m, "nav_order");
	assert_int_equal(v->line, 3);
	assert_int_equal(v->col, 12);
	v = hg_map_get(m, "tags");
	assert_int_equal(v->line, 5);
	assert_int_equal(v->as.list.items[1]->line, 6);
	assert_int_equal(v->as.list.items[1]->col, 5);
	/* columns count bytes: 'é' is two */
	v = hg_map_get(m, "é");
	assert_int_equal(v->line, 7);
	assert_int_equal(v->col, 5);
}

static void test_positions_crlf_and_bom(void **state)
{
	hg_value *m = parse(state, "\xEF\xBB\xBF"
	                           "a: 1\r\nbé: 2\r\nc: 3\r\n");
	assert_int_equal(hg_map_get(m, "a")->line, 1);
	assert_int_equal(hg_map_get(m, "a")->col, 7); /* after the three BOM bytes */
	assert_int_equal(hg_map_get(m, "bé")->line, 2);
	assert_int_equal(hg_map_get(m, "bé")->col, 6);
	assert_int_equal(hg_map_get(m, "c")->line, 3);
	assert_int_equal(hg_map_get(m, "c")->col, 4);
}

/* ==== errors ==== */

static void test_error_mapping_values(void **state)
{
	assert_null(parse_at(state, "layout: page\ntitle: a: b\n", 2));
	const hg_diag *g = only_diag(state);
	assert_int_equal(g->sev, HG_ERROR);
	assert_string_equal(g->path, "_config.yml");
	assert_string_equal(g->msg, "mapping values are not allowed in this context");
	assert_int_equal(g->line, 3);
	assert_int_equal(g->col, 9);
}

static void test_error_indentation(void **state)
{
	assert_null(parse_at(state, "a:\n  b: 1\n c: 2\n", 1));
	const hg_diag *g = only_diag(state);
	assert_string_equal(g->msg, "did not find expected key");
	assert_int_equal(g->line, 3);
	assert_int_equal(g->col, 2);
	assert_non_null(g->note);
	assert_string_equal(g->note, "note: while parsing a block mapping at line 1, column 1");
}

static void test_error_unterminated(void **state)
{
	assert_null(parse_at(state, "title: \"open\nnext: 1\n", 5));
	const hg_diag *g = only_diag(state);
	assert_string_equal(g->msg, "found unexpected end of stream");
	assert_int_equal(g->line, 7);
	assert_non_null(strstr(g->note, "while scanning a quoted scalar at line 5, column 8"));
}

static void test_error_tab_and_flow(void **state)
{
	assert_null(parse_at(state, "list: [1, 2\nnext: 3\n", 1));
	const hg_diag *g = only_diag(state);
	assert_string_equal(g->msg, "did not find expected ',' or ']'");
	assert_int_equal(g->line, 2);
}

static void test_error_aliases(void **state)
{
	assert_null(parse_at(state, "a: *nowhere\n", 1));
	const hg_diag *g = only_diag(state);
	assert_string_equal(g->msg, "unknown alias '*nowhere'");
	assert_int_equal(g->line, 1);
	assert_int_equal(g->col, 4);
}

static void test_error_recursive_alias(void **state)
{
	assert_null(parse_at(state, "a: &x\n  b: *x\n", 1));
	const hg_diag *g = only_diag(state);
	assert_string_equal(g->msg, "alias '*x' refers to a node that contains it");
	assert_int_equal(g->line, 2);
}

static void test_error_complex_key(void **state)
{
	assert_null(parse_at(state, "? [a, b]\n: c\n", 1));
	assert_string_equal(only_diag(state)->msg, "a list or map cannot be a key");
}

static void test_depth_limit(void **state)
{
	char src[200];
	memset(src, '[', 64);
	memset(src + 64, ']', 64);
	src[128] = '\0';
	hg_value *v = parse(state, src);
	assert_int_equal(v->kind, HG_LIST);

	memset(src, '[', 65);
	memset(src + 65, ']', 65);
	src[130] = '\0';
	assert_null(parse_at(state, src, 1));
	const hg_diag *g = only_diag(state);
	assert_string_equal(g->msg, "too deeply nested: more than 64 levels");
	assert_int_equal(g->line, 1);
	assert_int_equal(g->col, 65);
}

static void test_deep_input_does_not_crash(void **state)
{
	size_t n = 1000000;
	char *src = malloc(n + 1);
	memset(src, '[', n);
	src[n] = '\0';
	fixture *f = *state;
	assert_null(hg_yaml_parse(f->a, src, n, "deep.yml", 1, f->d));
	assert_int_equal(hg_diags_len(f->d), 1);
	free(src);
}

static void test_alias_bomb(void **state)
{
	const char *bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	                   "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
	                   "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
	                   "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
	                   "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
	                   "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
	                   "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
	                   "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
	                   "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
	assert_null(parse_at(state, bomb, 1));
	const hg_diag *g = only_diag(state);
	assert_non_null(strstr(g->msg, "too many values"));
	assert_int_equal(g->line, 6); /* where the expansion passes a million */

	/* a modest use of aliases is fine */
	hg_value *m = parse_at(state, "a: &a [1, 2, 3]\nb: [*a, *a, *a]\n", 1);
	assert_non_null(m);
	assert_int_equal(hg_map_get(m, "b")->as.list.len, 3);
	assert_int_equal(hg_diags_len(((fixture *)*state)->d), 1);
}

static void test_invalid_utf8(void **state)
{
	/* libyaml's reader names the byte that broke the sequence */
	assert_null(parse_at(state, "a: ok\nb: \xC3(\n", 1));
	const hg_diag *g = only_diag(state);
	assert_string_equal(g->msg, "invalid trailing UTF-8 octet (byte 0x28)");
	assert_int_equal(g->line, 2);
	assert_int_equal(g->col, 5);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_numbers),
	    T(test_bools_and_nulls),
	    T(test_strings),
	    T(test_times),
	    T(test_nested),
	    T(test_duplicate_keys),
	    T(test_keys_are_text),
	    T(test_anchors_and_merge),
	    T(test_empty_documents),
	    T(test_non_map_root),
	    T(test_first_document_only),
	    T(test_many_keys),
	    T(test_positions),
	    T(test_positions_crlf_and_bom),
	    T(test_error_mapping_values),
	    T(test_error_indentation),
	    T(test_error_unterminated),
	    T(test_error_tab_and_flow),
	    T(test_error_aliases),
	    T(test_error_recursive_alias),
	    T(test_error_complex_key),
	    T(test_depth_limit),
	    T(test_deep_input_does_not_crash),
	    T(test_alias_bomb),
	    T(test_invalid_utf8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
