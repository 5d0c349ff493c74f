/* frontmatter.c — splitting a page at its front matter fences, and checking its UTF-8.
 *
 * Both functions are single passes over a buffer. Lines are counted by '\n' only, so a CRLF
 * file has the same line numbers as its LF twin and a lone '\r' is not a line break (as in
 * every editor hubgen's users are likely to have).
 */
#include "frontmatter.h"

#include <string.h>

#include "banned.h"

/* ==== front matter ==== */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Length of the line starting at off, without its terminator; *next is where the following
 * line starts (len when this is the last line). */
static size_t line_len(const char *src, size_t len, size_t off, size_t *next)
{
	const char *nl = memchr(src + off, '\n', len - off);
	size_t end = nl ? (size_t)(nl - src) : len;
	*next = nl ? end + 1 : len;
	if (end > off && src[end - 1] == '\r')
		end--;
	return end - off;
}

/* True when the line [off, off+n) is the three-character fence, optionally followed by
 * spaces or tabs: `---  ` is a fence, `----` and `--- x` are not. */
static bool is_fence(const char *src, size_t off, size_t n, const char *fence)
{
	if (n < 3 || memcmp(src + off, fence, 3) != 0)
		return false;
	for (size_t i = 3; i < n; i++)
		if (!is_blank(src[off + i]))
			return false;
	return true;
}

/* The opening fence must be the whole first line (after the byte-order mark), trailing
 * blanks aside, as Jekyll's `\A---\s*\n` has it: a file whose first line is `---` and
 * nothing else (no newline) is not a page with front matter but a one-line body, which is
 * what Jekyll does too. The closing fence is the first later line that is `---` or `...`
 * (`+++` for TOML), and it may end the file without a newline; body_line is the line after
 * it even then. A byte-order mark is never part of the body, front matter or not. */
bool hg_frontmatter_split(const char *src, size_t len, const char *path, hg_fm_split *out, hg_diags *d)
{
	size_t start = 0;
	if (len >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0)
		start = 3;
	*out = (hg_fm_split){.kind = HG_FM_NONE, .body_off = start, .body_line = 1};

	size_t fm_off;
	size_t n = line_len(src, len, start, &fm_off);
	if (fm_off == len && (len == 0 || src[len - 1] != '\n'))
		return true; /* the first line is the whole file: no room for a fence */
	hg_fm_kind kind;
	const char *closers[2];
	if (is_fence(src, start, n, "---")) {
		kind = HG_FM_YAML;
		closers[0] = "---";
		closers[1] = "...";
	} else if (is_fence(src, start, n, "+++")) {
		kind = HG_FM_TOML;
		closers[0] = closers[1] = "+++";
	} else {
		return true;
	}

	unsigned line = 2;
	size_t next;
	for (size_t off = fm_off; off < len; off = next, line++) {
		n = line_len(src, len, off, &next);
		if (!is_fence(src, off, n, closers[0]) && !is_fence(src, off, n, closers[1]))
			continue;
		out->kind = kind;
		out->fm_off = fm_off;
		out->fm_len = off - fm_off;
		out->fm_line = 2;
		out->body_off = next;
		out->body_line = line + 1;
		return true;
	}
	hg_error(d, path, 1, 1, "front matter is never closed");
	hg_diag_note(d, "hint: end it with a line '%s', or remove the first line if the page has no front matter",
	             closers[0]);
	return false;
}

/* ==== UTF-8 ====
 * Strict UTF-8 as RFC 3629 and Unicode define it: no overlong forms, no surrogates
 * (U+D800–U+DFFF), nothing above U+10FFFF. NUL is refused too: it ends C strings early and
 * has no business in a text file.
 *
 * Repair replaces each "maximal subpart" of an ill-formed sequence with one U+FFFD, the
 * practice Unicode recommends and browsers follow: a truncated three-byte sequence becomes
 * one U+FFFD, an encoded surrogate (ED A0 80) three, since ED A0 can never start anything. */

#define REPLACEMENT "\xEF\xBF\xBD"

/* Bytes 0x01..0x7F, eight at a time: no high bit set and no zero byte. */
static bool ascii8(const unsigned char *p)
{
	uint64_t w;
	memcpy(&w, p, 8);
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	return ((w | ((w - ones) & ~w)) & highs) == 0;
}

/* Length of the valid sequence at p (up to end), or 0 when the bytes at p are ill-formed; then
 * *bad is the length of the maximal subpart to replace (at least 1). */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end, size_t *bad)
{
	unsigned char c = p[0];
	size_t need;
	unsigned char lo = 0x80, hi = 0xBF; /* the range allowed for the second byte */
	*bad = 1;
	if (c >= 0x01 && c <= 0x7F)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		need = 1;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		if (c == 0xE0)
			lo = 0xA0; /* overlong below U+0800 */
		else if (c == 0xED)
			hi = 0x9F; /* surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		if (c == 0xF0)
			lo = 0x90; /* overlong below U+10000 */
		else if (c == 0xF4)
			hi = 0x8F; /* above U+10FFFF */
	} else {
		return 0; /* NUL, a stray continuation byte, C0/C1 (always overlong), F5..FF */
	}
	for (size_t k = 1; k <= need; k++) {
		if (p + k >= end)
			goto ill;
		unsigned char b = p[k];
		if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF))
			goto ill;
		*bad = k + 1;
	}
	return need + 1;
ill:
	return 0;
}

bool hg_utf8_check(const char *src, size_t len, const char *path, hg_buf *repair, hg_diags *d)
{
	const unsigned char *s = (const unsigned char *)src, *end = s + len;
	const unsigned char *p = s, *copied = s;
	bool reported = false;
	while (p < end) {
		if (end - p >= 8 && ascii8(p)) {
			p += 8;
			continue;
		}
		size_t bad;
		size_t n = utf8_seq(p, end, &bad);
		if (n) {
			p += n;
			continue;
		}
		if (!reported) {
			unsigned line, col;
			hg_line_col(src, (size_t)(p - s), &line, &col);
			hg_severity sev = repair ? HG_WARNING : HG_ERROR;
			if (*p == 0)
				hg_diag_add(d, sev, path, line, col, "NUL byte in text");
			else
				hg_diag_add(d, sev, path, line, col, "invalid UTF-8 byte 0x%02x", *p);
			if (!repair) {
				hg_diag_note(d, "hint: save the file as UTF-8");
				return false;
			}
			hg_diag_note(d, "hint: each bad byte was replaced with U+FFFD; save the file as UTF-8");
			reported = true;
		}
		hg_buf_add(repair, copied, (size_t)(p - copied));
		hg_buf_adds(repair, REPLACEMENT);
		p += bad;
		copied = p;
	}
	if (reported)
		hg_buf_add(repair, copied, (size_t)(end - copied));
	return true;
}
