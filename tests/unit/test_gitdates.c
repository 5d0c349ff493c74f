/* gitdates.c: the output of `git log -z --relative --name-only --format=%x01%ct` to a table
 * of each file's newest commit time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "gitdates.h"

static void test_parse(void **state)
{
	(void)state;
	/* newest commit first; the first file of a commit follows its line's "\n" */
	static const char out[] = "\x01" "1650000000\0\na/x.md\0b.md\0"
				  "\x01" "1600000000\0\na/x.md\0\xc3\xa9 y.md\0"
				  "\x01" "1500000000\0\n1234\0";
	hg_gitdates *g = hg_gitdates_parse(out, sizeof out - 1);
	int64_t t;
	assert_true(hg_gitdates_get(g, "a/x.md", &t));
	assert_int_equal(t, 1650000000);
	assert_true(hg_gitdates_get(g, "b.md", &t));
	assert_int_equal(t, 1650000000);
	assert_true(hg_gitdates_get(g, "\xc3\xa9 y.md", &t));
	assert_int_equal(t, 1600000000);
	assert_true(hg_gitdates_get(g, "1234", &t)); /* a file named like a number */
	assert_int_equal(t, 1500000000);
	assert_false(hg_gitdates_get(g, "c.md", &t));
	assert_false(hg_gitdates_get(NULL, "a/x.md", &t));
	assert_string_equal(hg_gitdates_prefix(g), "");
	assert_string_equal(hg_gitdates_prefix(NULL), "");
	hg_gitdates_free(g);
	/* nothing, and garbage */
	g = hg_gitdates_parse("", 0);
	assert_false(hg_gitdates_get(g, "", &t));
	hg_gitdates_free(g);
	g = hg_gitdates_parse("no\0commit\0", 10);
	assert_false(hg_gitdates_get(g, "no", &t));
	hg_gitdates_free(g);
	hg_gitdates_free(NULL);
}

static void test_outside_a_work_tree(void **state)
{
	(void)state;
	assert_null(hg_gitdates_load("/proc"));
	assert_null(hg_gitdates_load("/does/not/exist"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_outside_a_work_tree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
