/* fuzz_frontmatter.c — a page's text as site.c's load_page reads it: UTF-8 check and
 * repair, the front matter split, then YAML over the front matter.
 *
 * Properties checked besides "no crash, no leak, no undefined behaviour":
 * - the repaired text is valid UTF-8 without NUL, and valid input is left alone;
 * - the split's offsets stay inside the text, in order, and its lines are counted right;
 * - a YAML parse either gives a value or adds an error (never neither);
 * - a TOML parse gives a map and no message, or one error.
 * A text without front matter is parsed whole as YAML and as TOML, as a config or data file
 * is; `+++` front matter as TOML.
 */
#include <string.h>

#include "diag.h"
#include "frontmatter.h"
#include "toml.h"
#include "util.h"
#include "value.h"
#include "yamlval.h"

#include "fuzz.h"

static unsigned lines_before(const char *s, size_t off)
{
	unsigned n = 1;
	for (size_t i = 0; i < off; i++)
		n += s[i] == '\n';
	return n;
}

/* Whether v, aliases expanded, is within budget (nodes plus string bytes): the parser lets
 * a small text name up to 64 MiB of strings and a million values, which is fine for the
 * parser but too slow to print on every run under the fuzzer's 10 s timeout. */
static bool small_value(const hg_value *v, size_t *budget)
{
	size_t cost = 1 + (v->kind == HG_STRING ? v->as.s.len : 0);
	if (cost > *budget)
		return false;
	*budget -= cost;
	size_t n = v->kind == HG_LIST ? v->as.list.len : v->kind == HG_MAP ? v->as.map.len : 0;
	for (size_t i = 0; i < n; i++)
		if (!small_value(v->kind == HG_LIST ? v->as.list.items[i] : v->as.map.entries[i].val, budget))
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = "content/fuzz.md";
	hg_diags *d = hg_diags_new();
	const char *text = (const char *)data;
	size_t len = size;

	/* 1. UTF-8: strict check, then repair */
	hg_diags *strict = hg_diags_new();
	bool valid = hg_utf8_check(text, len, path, NULL, strict);
	FUZZ_ASSERT(valid == (hg_diags_count(strict, HG_ERROR) == 0));
	hg_diags_free(strict);
	hg_buf fixed = HG_BUF_INIT;
	FUZZ_ASSERT(hg_utf8_check(text, len, path, &fixed, d));
	FUZZ_ASSERT(valid == (fixed.len == 0));
	if (fixed.len) {
		hg_diags *again = hg_diags_new();
		FUZZ_ASSERT(hg_utf8_check(fixed.ptr, fixed.len, path, NULL, again));
		hg_diags_free(again);
		text = fixed.ptr;
		len = fixed.len;
	}

	/* 2. the split */
	hg_fm_split sp;
	if (hg_frontmatter_split(text, len, path, &sp, d)) {
		FUZZ_ASSERT(sp.body_off <= len);
		if (sp.kind != HG_FM_NONE) {
			FUZZ_ASSERT(sp.fm_off + sp.fm_len <= sp.body_off);
			FUZZ_ASSERT(lines_before(text, sp.fm_off) == sp.fm_line);
			FUZZ_ASSERT(lines_before(text, sp.body_off) == sp.body_line ||
				    (sp.body_off == len && (len == 0 || text[len - 1] != '\n')));
		}
		/* 3. TOML over `+++` front matter, and over a whole file without front matter,
		 * as Hugo's config.toml is read */
		if (sp.kind == HG_FM_TOML || sp.kind == HG_FM_NONE) {
			bool whole = sp.kind == HG_FM_NONE;
			hg_arena *a = hg_arena_new();
			hg_diags *td = hg_diags_new();
			hg_value *fm = hg_toml_parse(a, text + (whole ? 0 : sp.fm_off), whole ? len : sp.fm_len, path,
						     whole ? 1 : sp.fm_line, td);
			FUZZ_ASSERT(fm ? hg_diags_len(td) == 0 : hg_diags_count(td, HG_ERROR) == 1);
			FUZZ_ASSERT(!fm || fm->kind == HG_MAP);
			if (fm) {
				hg_buf out = HG_BUF_INIT;
				hg_value_to_json(&out, fm);
				hg_buf_release(&out);
			}
			hg_diags_free(td);
			hg_arena_free(a);
		}
		/* 4. YAML over the front matter; a file without any is read whole, as a config
		 * or a data file is */
		if (sp.kind != HG_FM_TOML) {
			bool whole = sp.kind == HG_FM_NONE;
			hg_arena *a = hg_arena_new();
			size_t errors = hg_diags_count(d, HG_ERROR);
			hg_value *fm = hg_yaml_parse(a, text + (whole ? 0 : sp.fm_off), whole ? len : sp.fm_len, path,
						     whole ? 1 : sp.fm_line, d);
			FUZZ_ASSERT(fm || hg_diags_count(d, HG_ERROR) > errors);
			size_t budget = 1u << 20;
			if (fm && small_value(fm, &budget)) {
				/* what the page object and jsonify would do with it */
				hg_buf out = HG_BUF_INIT;
				hg_value_to_json(&out, fm);
				hg_buf_reset(&out);
				hg_value_to_text(&out, fm);
				hg_buf_release(&out);
			}
			hg_arena_free(a);
		}
	} else {
		FUZZ_ASSERT(hg_diags_count(d, HG_ERROR) > 0);
	}
	hg_buf_release(&fixed);
	hg_diags_sort(d);
	hg_diags_free(d);
	return 0;
}
