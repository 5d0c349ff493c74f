/* Unit tests for frontmatter.c: fences and UTF-8 checking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "frontmatter.h"

#define LIT(s) s, sizeof(s) - 1

typedef struct fixture {
	hg_diags *d;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	f->d = hg_diags_new();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	hg_diags_free(f->d);
	free(f);
	return 0;
}

static hg_diags *diags(void **state)
{
	return ((fixture *)*state)->d;
}

/* The YAML text of a split, as a C string for assertions. */
static char *fm_text(const char *src, const hg_fm_split *s)
{
	static char buf[256];
	memcpy(buf, src + s->fm_off, s->fm_len);
	buf[s->fm_len] = '\0';
	return buf;
}

/* ==== splitting ==== */

static void test_basic_yaml(void **state)
{
	const char src[] = "---\ntitle: Home\nlayout: page\n---\n# Body\n";
	hg_fm_split s;
	assert_true(hg_frontmatter_split(LIT(src), "a.md", &s, diags(state)));
	assert_int_equal(s.kind, HG_FM_YAML);
	assert_string_equal(fm_text(src, &s), "title: Home\nlayout: page\n");
	assert_int_equal(s.fm_line, 2);
	assert_string_equal(src + s.body_off, "# Body\n");
	assert_int_equal(s.body_line, 5);
	assert_int_equal(hg_diags_len(diags(state)), 0);
}

static void test_no_front_matter(void **state)
{
	const char src[] = "# Just a page\n---\nnot: yaml\n";
	hg_fm_split s;
	assert_true(hg_frontmatter_split(LIT(src), "a.md", &s, diags(state)));
	assert_int_equal(s.kind, HG_FM_NONE);
	assert_int_equal(s.body_off, 0);
	assert_int_equal(s.body_line, 1);
}

static void test_empty_file(void **state)
{
	hg_fm_split s;
	assert_true(hg_frontmatter_split("", 0, "a.md", &s, diags(state)));
	assert_int_equal(s.kind, HG_FM_NONE);
	assert_int_equal(s.body_off, 0);
}

static void test_bom(void **state)
{
	const char src[] = "\xEF\xBB\xBF---\ntitle: x\n---\nbody";
	hg_fm_split s;
	assert_true(hg_frontmatter_split(LIT(src), "a.md", &s, diags(state)));
	assert_int_equal(s.kind, HG_FM_YAML);
	assert_string_equal(fm_text(src, &s), "title: x\n");
	assert_string_equal(src + s.body_off, "body");
	assert_int_equal(s.body_line, 4);

	/* a BOM without front matter is not part of the body */
	const char plain[] = "\xEF\xBB\xBF# Title\n";
	assert_true(hg_frontmatter_split(LIT(plain), "b.md", &s, diags(state)));
	assert_int_equal(s.kind, HG_FM_NONE);
	assert_int_equal(s.body_off, 3);
}

static void test_crlf(void **state)
{
	const char src[] = "---\r\ntitle: x\r\nnav: 2\r\n---\r\nline one\r\n";
	hg_fm_split s;
	assert_true(hg_frontmatter_split(LIT(src), "a.md", &s, diags(state)));
	assert_int_equal(s.kind, HG_FM_YAML);
	assert_string_equal(fm_text(src, &s), "title: x\r\nnav: 2\r\n");
	assert_int_equal(s.fm_line, 2);
	assert_string_equal(src + s.body_off, "line one\r\n");
	assert_int_equal(s.body_line, 5);
}

static void test_closing_without_newline(void **state)
{
	const char src[] = "---\ntitle: x\n---";
	hg_fm_split s;
	assert_true(hg_frontmatter_split(LIT(src), "a.md", &s, diags(state)));
	assert_int_equal(s.kind, HG_FM_YAML);
	assert_string_equal(fm_text(src, &s), "title: x\n");
	assert_int_equal(s.body_off, sizeof src - 1);
	assert_int_equal(s.body_line, 4);
}

static void test_only_front_matter(void **state)
{
	const char src[] = "---\ntitle: x\n---\n";
	hg_fm_split s;
	assert_true(hg_frontmatter_split(LIT(src), "a.md", &s, diags(state)));
	assert_int_equal(s.kind, HG_FM_YAML);
	assert_int_equal(s.body_off, sizeof src - 1);
	assert_int_equal(s.body_line, 4);
}

static void test_empty_front_matter(void **state)
{
	const char src[] = "---\n---\nbody\n";
	hg_fm_split s;
	assert_true(hg_frontmatter_split(LIT(src), "a.md", &s, diags(state)));
	assert_int_equal(s.kind, HG_FM_YAML);
	assert_int_equal(s.fm_len, 0);
	assert_int_equal(s.fm_off, 4);
	assert_string_equal(src + s.body_off, "body\n");
	assert_int_equal(s.body_line, 3);
}

static void test_dots_close_and_trailing_spaces(void **state)
{
	const char src[] = "---  \ntitle: x\n...\t \nbody";
	hg_fm_split s;
	assert_true(hg_frontmatter_split(LIT(src), "a.md", &s, diags(state)));
	assert_int_equal(s.kind, HG_FM_YAML);
	assert_string_equal(fm_text(src, &s), "title: x\n");
	assert_string_equal(src + s.body_off, "body");
}

static void test_not_a_fence(void **state)
{
	hg_fm_split s;
	const char four[] = "----\ntitle: x\n----\n";
	assert_true(hg_frontmatter_split(LIT(four), "a.md", &s, diags(state)));
	assert_int_equal(s.kind, HG_FM_NONE);
	const char text[] = "--- x\ntitle: x\n---\n";
	assert_true(hg_frontmatter_split(LIT(text), "a.md", &s, diags(state)));
	assert_int_equal(s.kind, HG_FM_NONE);
	const char indented[] = " ---\ntitle: x\n---\n";
	assert_true(hg_frontmatter_split(LIT(indented), "a.md", &s, diags(state)));
	assert_int_equal(s.kind, HG_FM_NONE);
	/* `---` with nothing after it, not even a newline, is a one-line body */
	assert_true(hg_frontmatter_split(LIT("---"), "a.md", &s, diags(state)));
	assert_int_equal(s.kind, HG_FM_NONE);
	/* inside, `----` and `--- x` do not close */
	const char inner[] = "---\na: 1\n----\n--- x\n---\nbody";
	assert_true(hg_frontmatter_split(LIT(inner), "a.md", &s, diags(state)));
	assert_int_equal(s.kind, HG_FM_YAML);
	assert_string_equal(fm_text(inner, &s), "a: 1\n----\n--- x\n");
	assert_int_equal(s.body_line, 6);
	assert_int_equal(hg_diags_len(diags(state)), 0);
}

static void test_toml(void **state)
{
	const char src[] = "+++\ntitle = \"x\"\n+++\nbody\n";
	hg_fm_split s;
	assert_true(hg_frontmatter_split(LIT(src), "a.md", &s, diags(state)));
	assert_int_equal(s.kind, HG_FM_TOML);
	assert_string_equal(fm_text(src, &s), "title = \"x\"\n");
	assert_string_equal(src + s.body_off, "body\n");
	assert_int_equal(s.body_line, 4);
	/* `---` does not close TOML */
	const char mixed[] = "+++\na = 1\n---\n+++\n";
	assert_true(hg_frontmatter_split(LIT(mixed), "a.md", &s, diags(state)));
	assert_int_equal(s.kind, HG_FM_TOML);
	assert_string_equal(fm_text(mixed, &s), "a = 1\n---\n");
}

static void test_unclosed(void **state)
{
	const char src[] = "---\ntitle: x\n\n# Body\n";
	hg_fm_split s;
	assert_false(hg_frontmatter_split(LIT(src), "content/a.md", &s, diags(state)));
	assert_int_equal(hg_diags_len(diags(state)), 1);
	const hg_diag *g = hg_diags_get(diags(state), 0);
	assert_int_equal(g->sev, HG_ERROR);
	assert_string_equal(g->path, "content/a.md");
	assert_int_equal(g->line, 1);
	assert_int_equal(g->col, 1);
	assert_string_equal(g->msg, "front matter is never closed");
	assert_non_null(g->note);
	assert_non_null(strstr(g->note, "hint:"));

	/* the opening line alone */
	assert_false(hg_frontmatter_split(LIT("---\n"), "b.md", &s, diags(state)));
	assert_false(hg_frontmatter_split(LIT("+++\r\nx = 1\r\n"), "c.md", &s, diags(state)));
	assert_int_equal(hg_diags_len(diags(state)), 3);
}

/* ==== UTF-8 ==== */

static void test_utf8_valid(void **state)
{
	const char src[] = "ascii, é ß, € ✓, 𝄞 😀, U+10FFFF \xF4\x8F\xBF\xBF, U+FFFD \xEF\xBF\xBD";
	assert_true(hg_utf8_check(LIT(src), "a.md", NULL, diags(state)));
	hg_buf repair = HG_BUF_INIT;
	assert_true(hg_utf8_check(LIT(src), "a.md", &repair, diags(state)));
	assert_int_equal(repair.len, 0); /* nothing to repair: nothing appended */
	assert_true(hg_utf8_check("", 0, "a.md", NULL, diags(state)));
	assert_int_equal(hg_diags_len(diags(state)), 0);
	hg_buf_release(&repair);
}

/* The first bad byte's message and place, when checking without repair. */
static void expect_error(void **state, const char *src, size_t len, const char *msg, unsigned line, unsigned col)
{
	hg_diags *d = hg_diags_new();
	assert_false(hg_utf8_check(src, len, "p.md", NULL, d));
	assert_int_equal(hg_diags_len(d), 1);
	const hg_diag *g = hg_diags_get(d, 0);
	assert_int_equal(g->sev, HG_ERROR);
	assert_string_equal(g->msg, msg);
	assert_int_equal(g->line, line);
	assert_int_equal(g->col, col);
	hg_diags_free(d);
	(void)state;
}

static void test_utf8_errors(void **state)
{
	expect_error(state, LIT("abc\xC3("), "invalid UTF-8 byte 0xc3", 1, 4);         /* bad continuation */
	expect_error(state, LIT("a\nbc\n\xC0\xAF"), "invalid UTF-8 byte 0xc0", 3, 1);  /* overlong '/' */
	expect_error(state, LIT("\xE0\x80\xAF"), "invalid UTF-8 byte 0xe0", 1, 1);     /* overlong 3 bytes */
	expect_error(state, LIT("\xF0\x82\x82\xAC"), "invalid UTF-8 byte 0xf0", 1, 1); /* overlong 4 bytes */
	expect_error(state, LIT("x \xED\xA0\x80"), "invalid UTF-8 byte 0xed", 1, 3);   /* surrogate D800 */
	expect_error(state, LIT("\xF4\x90\x80\x80"), "invalid UTF-8 byte 0xf4", 1, 1); /* U+110000 */
	expect_error(state, LIT("\xF5\x80\x80\x80"), "invalid UTF-8 byte 0xf5", 1, 1);
	expect_error(state, LIT("ok\xE2\x82"), "invalid UTF-8 byte 0xe2", 1, 3); /* truncated at end */
	expect_error(state, LIT("\x80"), "invalid UTF-8 byte 0x80", 1, 1);       /* lone continuation */
	expect_error(state, LIT("line\r\nnext\x00"), "NUL byte in text", 2, 5);  /* CRLF counts once */
	/* after 8-byte ASCII blocks: the fast path must hand over at the right byte */
	expect_error(state, LIT("0123456789abcdef\nxyz0123456789\xFF"), "invalid UTF-8 byte 0xff", 2, 14);
	expect_error(state, LIT("01234567\x00"), "NUL byte in text", 1, 9);
}

static void expect_repair(const char *src, size_t len, const char *want, size_t want_len)
{
	hg_diags *d = hg_diags_new();
	hg_buf out = HG_BUF_INIT;
	assert_true(hg_utf8_check(src, len, "p.md", &out, d));
	assert_int_equal(out.len, want_len);
	assert_memory_equal(out.ptr, want, want_len);
	assert_int_equal(hg_diags_len(d), 1); /* one warning, for the first bad byte only */
	assert_int_equal(hg_diags_get(d, 0)->sev, HG_WARNING);
	hg_buf_release(&out);
	hg_diags_free(d);
}

#define FFFD "\xEF\xBF\xBD"

static void test_utf8_repair(void **state)
{
	expect_repair(LIT("a\xC3(b"), LIT("a" FFFD "(b"));
	/* a truncated sequence is one replacement, the next character survives */
	expect_repair(LIT("\xE2\x82"
	                  "A"),
	              LIT(FFFD "A"));
	/* overlong two-byte: both bytes are bad on their own */
	expect_repair(LIT("\xC0\xAF"), LIT(FFFD FFFD));
	/* a surrogate: ED A0 is never a prefix, so three replacements */
	expect_repair(LIT("\xED\xA0\x80z"), LIT(FFFD FFFD FFFD "z"));
	/* NUL too, and text after it is copied */
	expect_repair(LIT("x\x00y \xC3\xA9"), LIT("x" FFFD "y \xC3\xA9"));
	/* truncated four-byte sequence at the very end */
	expect_repair(LIT("ab\xF0\x9F\x98"), LIT("ab" FFFD));
	(void)state;

	hg_diags *d = hg_diags_new();
	hg_buf out = HG_BUF_INIT;
	assert_true(hg_utf8_check(LIT("one\ntwo \xFF\xFE"), "p.md", &out, d));
	const hg_diag *g = hg_diags_get(d, 0);
	assert_string_equal(g->msg, "invalid UTF-8 byte 0xff");
	assert_int_equal(g->line, 2);
	assert_int_equal(g->col, 5);
	hg_buf_release(&out);
	hg_diags_free(d);
}

/* A large ASCII text goes through the eight-bytes-at-a-time path; a bad byte at the end of
 * it is still found at its exact place. */
static void test_utf8_large(void **state)
{
	size_t n = 8u << 20;
	char *big = malloc(n);
	for (size_t i = 0; i < n; i++)
		big[i] = (i % 64 == 63) ? '\n' : (char)('a' + i % 26);
	assert_true(hg_utf8_check(big, n, "big.md", NULL, diags(state)));
	big[n - 3] = '\xC3';
	hg_diags *d = hg_diags_new();
	assert_false(hg_utf8_check(big, n, "big.md", NULL, d));
	const hg_diag *g = hg_diags_get(d, 0);
	assert_int_equal(g->line, (n - 3) / 64 + 1);
	assert_int_equal(g->col, (n - 3) % 64 + 1);
	hg_diags_free(d);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_basic_yaml, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_front_matter, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_empty_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bom, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_crlf, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_closing_without_newline, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_only_front_matter, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_empty_front_matter, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dots_close_and_trailing_spaces, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_not_a_fence, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_toml, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unclosed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_utf8_valid, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_utf8_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_utf8_repair, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_utf8_large, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
