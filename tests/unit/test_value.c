/* The value tree: maps, comparisons, printing as Liquid and JSON, and the calendar. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "value.h"

static hg_arena *A;

static int setup(void **state)
{
	(void)state;
	A = hg_arena_new();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	hg_arena_free(A);
	return 0;
}

static char out_text[256];

static const char *text(const hg_value *v)
{
	hg_buf b = HG_BUF_INIT;
	hg_value_to_text(&b, v);
	snprintf(out_text, sizeof out_text, "%s", b.ptr);
	hg_buf_release(&b);
	return out_text;
}

static const char *json(const hg_value *v)
{
	hg_buf b = HG_BUF_INIT;
	hg_value_to_json(&b, v);
	snprintf(out_text, sizeof out_text, "%s", b.ptr);
	hg_buf_release(&b);
	return out_text;
}

static void test_map_order_and_replace(void **state)
{
	(void)state;
	hg_value *m = hg_value_map(A);
	hg_map_set(A, m, "b", hg_value_int(A, 1));
	hg_map_set(A, m, "a", hg_value_int(A, 2));
	hg_map_set(A, m, "b", hg_value_int(A, 3));
	assert_int_equal(m->as.map.len, 2);
	assert_string_equal(m->as.map.entries[0].key, "b");
	assert_int_equal(hg_map_get(m, "b")->as.i, 3);
	assert_null(hg_map_get(m, "c"));
	assert_string_equal(json(m), "{\"b\":3,\"a\":2}");
}

static void test_merge_is_deep(void **state)
{
	(void)state;
	hg_value *dst = hg_value_map(A), *inner = hg_value_map(A), *src = hg_value_map(A), *inner2 = hg_value_map(A);
	hg_map_set(A, inner, "x", hg_value_int(A, 1));
	hg_map_set(A, inner, "y", hg_value_int(A, 2));
	hg_map_set(A, dst, "m", inner);
	hg_map_set(A, inner2, "y", hg_value_int(A, 20));
	hg_map_set(A, src, "m", inner2);
	hg_map_set(A, src, "t", hg_value_cstr(A, "s"));
	hg_map_merge(A, dst, src);
	assert_string_equal(json(dst), "{\"m\":{\"x\":1,\"y\":20},\"t\":\"s\"}");
}

static void test_truth_and_equality(void **state)
{
	(void)state;
	assert_false(hg_value_truthy(&hg_null_value));
	assert_false(hg_value_truthy(&hg_false_value));
	assert_true(hg_value_truthy(hg_value_cstr(A, ""))); /* Liquid: "" is true */
	assert_true(hg_value_truthy(hg_value_int(A, 0)));
	assert_true(hg_value_equal(hg_value_int(A, 1), hg_value_float(A, 1.0)));
	assert_false(hg_value_equal(hg_value_int(A, 1), hg_value_cstr(A, "1")));
	bool ok;
	assert_true(hg_value_compare(hg_value_float(A, 4.13), hg_value_int(A, 5), &ok) < 0);
	assert_true(ok);
	hg_value_compare(hg_value_cstr(A, "a"), hg_value_int(A, 5), &ok);
	assert_false(ok);
}

static void test_print_like_ruby(void **state)
{
	(void)state;
	assert_string_equal(text(hg_value_float(A, 4.0)), "4.0");
	assert_string_equal(text(hg_value_float(A, 4.13)), "4.13");
	assert_string_equal(text(hg_value_float(A, 0.1 + 0.2)), "0.30000000000000004");
	assert_string_equal(text(hg_value_float(A, 1e20)), "1.0e+20");
	assert_string_equal(text(hg_value_float(A, 100.0)), "100.0");
	assert_string_equal(text(hg_value_float(A, 20.0)), "20.0");
	assert_string_equal(text(hg_value_float(A, 1e15)), "1000000000000000.0");
	assert_string_equal(text(hg_value_float(A, 1e16)), "1.0e+16");
	assert_string_equal(text(hg_value_float(A, 0.0001)), "0.0001");
	assert_string_equal(text(hg_value_float(A, 0.00001)), "1.0e-05");
	assert_string_equal(text(hg_value_float(A, -2.5)), "-2.5");
	assert_string_equal(text(hg_value_float(A, 123.456)), "123.456");
	assert_string_equal(text(hg_value_float(A, 1.5e-7)), "1.5e-07");
	assert_string_equal(text(hg_value_float(A, 0.0)), "0.0");
	assert_string_equal(text(hg_value_int(A, -42)), "-42");
	assert_string_equal(text(&hg_null_value), "");
	assert_string_equal(text(&hg_true_value), "true");
	hg_value *l = hg_value_list(A);
	hg_list_push(A, l, hg_value_cstr(A, "a"));
	hg_list_push(A, l, hg_value_int(A, 1));
	assert_string_equal(text(l), "a1");
	assert_string_equal(json(l), "[\"a\",1]");
	assert_string_equal(json(hg_value_cstr(A, "<a href=\"x\">\n")), "\"\\u003ca href=\\\"x\\\"\\u003e\\n\"");
}

static void test_time_parse_and_format(void **state)
{
	(void)state;
	hg_time t;
	assert_true(hg_time_parse("2022-06-12 12:00:00", 19, &t));
	assert_int_equal(t.secs, 1655035200);
	assert_true(t.has_time);
	hg_buf b = HG_BUF_INIT;
	hg_time_format(&b, t, "%Y-%m-%d %H:%M:%S %z|%-d %B %Y|%a %b %e|%j");
	assert_string_equal(b.ptr, "2022-06-12 12:00:00 +0000|12 June 2022|Sun Jun 12|163");
	hg_buf_reset(&b);

	assert_true(hg_time_parse("2022-06-12T12:00:00+01:00", 25, &t));
	assert_int_equal(t.secs, 1655031600);
	hg_time_format(&b, t, "%H:%M %z");
	assert_string_equal(b.ptr, "12:00 +0100"); /* printed in its own offset */
	hg_buf_reset(&b);

	assert_true(hg_time_parse("2022-06-12", 10, &t));
	assert_false(t.has_time);
	assert_true(hg_time_parse("2022-6-1", 8, &t));
	assert_false(hg_time_parse("Sept 15 2022 at 03:30 PM", 24, &t));
	assert_false(hg_time_parse("2022-13-01", 10, &t));
	assert_false(hg_time_parse("2022-06-12 12:00:00 junk", 24, &t));

	/* before the epoch and a leap day */
	assert_true(hg_time_parse("1969-12-31 23:59:59", 19, &t));
	assert_int_equal(t.secs, -1);
	assert_true(hg_time_parse("2024-02-29 00:00:00", 19, &t));
	hg_time_format(&b, t, "%A %-d %b");
	assert_string_equal(b.ptr, "Thursday 29 Feb");
	hg_buf_release(&b);
}

static void test_arena_and_buffer(void **state)
{
	(void)state;
	hg_arena *a = hg_arena_new();
	char *big = hg_arena_alloc(a, 1 << 20);
	memset(big, 'x', 1 << 20);
	char *s = hg_arena_printf(a, "%s-%d", "n", 7);
	assert_string_equal(s, "n-7");
	hg_arena_reset(a);
	assert_int_equal(hg_arena_used(a), 0);
	hg_arena_free(a);

	hg_buf b = HG_BUF_INIT;
	assert_string_equal(b.ptr, "");
	hg_buf_add_html_escaped(&b, "<a & 'b'>", 9);
	assert_string_equal(b.ptr, "&lt;a &amp; &#39;b&#39;&gt;");
	hg_buf_release(&b);
	assert_string_equal(b.ptr, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_order_and_replace), cmocka_unit_test(test_merge_is_deep),
		cmocka_unit_test(test_truth_and_equality),    cmocka_unit_test(test_print_like_ruby),
		cmocka_unit_test(test_time_parse_and_format), cmocka_unit_test(test_arena_and_buffer),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
