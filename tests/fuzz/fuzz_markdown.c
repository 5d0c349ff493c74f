/* fuzz_markdown.c — Markdown to HTML as a page is rendered, and the cheap title scan.
 *
 * Input: one byte of options, then the Markdown. The bits of the first byte:
 *   1 unsafe (raw HTML passes through; hubgen's default)   2 smart   4 hardbreaks
 *   8 a rewrite_link callback (`x.md#a` → `/hub/x/#a`, as render.c's does for pages)
 *   the high nibble: first_line - 1 (the body's line in its file)
 *
 * Properties:
 * - the HTML is NUL-terminated at html_len and has no NUL before it;
 * - every heading has a level 1..6 and an id, every link a line inside the body or none;
 * - with unsafe off, nothing the author wrote becomes markup that runs code: no <script,
 *   <iframe, <object, <embed or <style tag, no javascript: or vbscript: URL in an href or
 *   src (what a site with `markdown: {unsafe: false}` relies on);
 * - hg_markdown_first_h1 gives NULL or a string.
 */
#include <string.h>

#include "markdown.h"
#include "util.h"

#include "fuzz.h"

/* `other.md`, `dir/other.md#part` → `/hub/other/`, `/hub/dir/other/#part`; anything with
 * a scheme, or not ending in .md, is kept. */
static bool rewrite_link(void *ud, const char *url, bool image, hg_buf *out)
{
	(void)ud;
	if (image || strchr(url, ':'))
		return false;
	size_t n = strcspn(url, "#?");
	if (n < 3 || memcmp(url + n - 3, ".md", 3) != 0)
		return false;
	hg_buf_adds(out, "/hub/");
	while (n > 3 && *url == '/') {
		url++;
		n--;
	}
	hg_buf_add(out, url, n - 3);
	hg_buf_addc(out, '/');
	hg_buf_adds(out, url + n);
	return true;
}

/* Case-insensitive search for an ASCII needle (lowercase) in s. */
static bool contains_ci(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= len; i++) {
		size_t k = 0;
		while (k < n) {
			char c = s[i + k];
			if (c >= 'A' && c <= 'Z')
				c = (char)(c + 32);
			if (c != needle[k])
				break;
			k++;
		}
		if (k == n)
			return true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned flags = data[0];
	const char *src = (const char *)data + 1;
	size_t len = size - 1;

	hg_md_options o = hg_md_default_options();
	o.unsafe = flags & 1;
	o.smart = flags & 2;
	o.hardbreaks = flags & 4;
	o.rewrite_link = flags & 8 ? rewrite_link : NULL;
	o.first_line = 1 + (flags >> 4);

	hg_arena *a = hg_arena_new();
	hg_md_doc doc;
	hg_markdown_render(src, len, &o, a, &doc);
	FUZZ_ASSERT(doc.html && doc.html[doc.html_len] == '\0');
	FUZZ_ASSERT(strlen(doc.html) == doc.html_len);
	/* cmark-gfm ends a line at "\n", "\r\n" and a lone "\r"; the rest of hubgen only at
	 * "\n". Link lines come from cmark (and from a search of the source when cmark's is
	 * wrong), so with lone CRs they may count more lines: allow either count. */
	unsigned last_line = o.first_line;
	for (size_t i = 0; i < len; i++)
		last_line += src[i] == '\n' || (src[i] == '\r' && (i + 1 == len || src[i + 1] != '\n'));
	for (size_t i = 0; i < doc.n_headings; i++) {
		FUZZ_ASSERT(doc.headings[i].level >= 1 && doc.headings[i].level <= 6);
		FUZZ_ASSERT(doc.headings[i].id && doc.headings[i].text);
	}
	for (size_t i = 0; i < doc.n_links; i++) {
		FUZZ_ASSERT(doc.links[i].url);
		FUZZ_ASSERT(doc.links[i].line == 0 || (doc.links[i].line >= o.first_line && doc.links[i].line <= last_line));
	}
	if (!o.unsafe) {
		static const char *never[] = {"<script", "<iframe", "<object", "<embed", "<style",
					      "href=\"javascript:", "src=\"javascript:", "href=\"vbscript:",
					      "src=\"vbscript:"};
		for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
			FUZZ_ASSERT(!contains_ci(doc.html, doc.html_len, never[i]));
	}
	const char *h1 = hg_markdown_first_h1(src, len, a);
	FUZZ_ASSERT(!h1 || strlen(h1) < (size_t)-1);
	hg_arena_free(a);
	return 0;
}
