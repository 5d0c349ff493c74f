/* compat.c — checks for constructs other generators read differently, and the doctor's
 * report. */
#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include "liquid.h"

#include "banned.h"

/* ==== Liquid's raw and comment blocks ====
 * A scanner over Liquid tags that knows only what hides text from Liquid. */

typedef struct lq_state {
	bool raw, comment;
} lq_state;

/* The name of the tag at s[i] ("{%"). */
static void tag_name(const char *s, size_t n, size_t i, size_t *name, size_t *name_len)
{
	size_t k = i + 2;
	if (k < n && s[k] == '-')
		k++;
	while (k < n && (s[k] == ' ' || s[k] == '\t' || s[k] == '\n' || s[k] == '\r'))
		k++;
	*name = k;
	while (k < n && ((s[k] >= 'a' && s[k] <= 'z') || (s[k] >= 'A' && s[k] <= 'Z') || (s[k] >= '0' && s[k] <= '9') ||
	                 s[k] == '_' || s[k] == '#'))
		k++;
	*name_len = k - *name;
}

/* Where the next "%}" at or after from ends, or n. The answer is kept in *cache, so that a
 * text of many tags that never end is still read once (offsets only grow). */
static size_t tag_end(const char *s, size_t n, size_t from, size_t *cache)
{
	if (*cache != SIZE_MAX && *cache >= from + 2)
		return *cache;
	size_t k = from;
	while (k + 1 < n && !(s[k] == '%' && s[k + 1] == '}'))
		k++;
	*cache = k + 1 < n ? k + 2 : n;
	return *cache;
}

/* Moves the raw/comment state over the tag at s[i]; returns true when the tag is one of
 * raw, endraw, comment, endcomment (which are not Liquid that a code block shows). */
static bool track(lq_state *st, const char *s, size_t n, size_t i)
{
	size_t name, nl;
	tag_name(s, n, i, &name, &nl);
	const char *w = s + name;
	if (st->raw) {
		if (hg_mem_eq(w, nl, "endraw"))
			st->raw = false;
		return true;
	}
	if (st->comment) {
		if (hg_mem_eq(w, nl, "endcomment"))
			st->comment = false;
		return true;
	}
	if (hg_mem_eq(w, nl, "raw"))
		st->raw = true;
	else if (hg_mem_eq(w, nl, "comment"))
		st->comment = true;
	else
		return hg_mem_eq(w, nl, "endraw") || hg_mem_eq(w, nl, "endcomment");
	return true;
}

/* ==== Liquid inside fenced code ==== */

/* Whether the two bytes of pair stand side by side somewhere in s. */
static bool has_pair(const char *s, size_t n, const char *pair)
{
	for (const char *p = s, *end = s + n; (p = memchr(p, pair[0], (size_t)(end - p))) && p + 1 < end; p++)
		if (p[1] == pair[1])
			return true;
	return false;
}

static size_t fence_run(const char *s, size_t n, char *ch)
{
	size_t i = 0;
	while (i < n && i < 4 && s[i] == ' ')
		i++;
	if (i > 3 || i >= n || (s[i] != '`' && s[i] != '~'))
		return 0;
	size_t k = i;
	while (k < n && s[k] == s[i])
		k++;
	if (k - i < 3)
		return 0;
	*ch = s[i];
	return k - i;
}

static void report_fence(hg_diags *d, const char *path, unsigned line, unsigned col, const char *what, size_t count)
{
	if (count > 1)
		hg_warn(d, path, line, col, "Liquid reads the '%s' in this code block, and %zu more in it", what,
		        count - 1);
	else
		hg_warn(d, path, line, col, "Liquid reads the '%s' in this code block", what);
	hg_diag_kind(d, "liquid-in-code");
	hg_diag_note(d, "hint: as in Jekyll, Liquid runs inside code blocks: wrap the block in {%% raw %%} … "
	                "{%% endraw %%}, or set 'render_with_liquid: false' in the page's front matter");
}

size_t hg_compat_check_fences(const char *src, size_t len, const char *path, unsigned first_line, hg_diags *d)
{
	/* no Liquid at all, or no fence: nothing to find (most pages; read at memchr speed) */
	if (!has_pair(src, len, "{{") && !has_pair(src, len, "{%"))
		return 0;
	if (!has_pair(src, len, "``") && !has_pair(src, len, "~~"))
		return 0;
	lq_state st = {0};
	size_t blocks = 0;
	char fence_ch = 0;
	size_t fence_len = 0;
	/* the block being read: its first Liquid, and how many */
	size_t count = 0;
	unsigned at_line = 0, at_col = 0;
	const char *what = "";
	unsigned line = first_line;
	for (size_t off = 0; off < len; line++) {
		const char *s = src + off;
		const char *nl = memchr(s, '\n', len - off);
		size_t n = nl ? (size_t)(nl - s) : len - off;
		char ch;
		size_t run = st.raw || st.comment ? 0 : fence_run(s, n, &ch);
		if (fence_len && run >= fence_len && ch == fence_ch) {
			if (count) {
				report_fence(d, path, at_line, at_col, what, count);
				blocks++;
			}
			fence_len = 0;
		} else if (!fence_len && run) {
			fence_ch = ch;
			fence_len = run;
			count = 0;
		} else {
			for (size_t i = 0; i + 1 < n; i++) {
				const char *brace = memchr(s + i, '{', n - 1 - i); /* most lines have none */
				if (!brace)
					break;
				i = (size_t)(brace - s);
				if (s[i + 1] != '{' && s[i + 1] != '%')
					continue;
				if (s[i + 1] == '%' && track(&st, s, n, i))
					continue;
				if (fence_len && !st.raw && !st.comment) {
					if (!count++) {
						at_line = line;
						at_col = (unsigned)i + 1;
						what = s[i + 1] == '{' ? "{{" : "{%";
					}
				}
				i++;
			}
		}
		off += n + (nl != NULL);
	}
	if (fence_len && count) {
		report_fence(d, path, at_line, at_col, what, count);
		blocks++;
	}
	return blocks;
}

/* ==== Liquid tags and filters hubgen does not have ====
 * The build stops a template at its first unknown tag and renders no page once a layout has
 * one, so the doctor reads every template itself: each tag's name, and each filter's name
 * after a '|' outside quotes, in {% … %} and {{ … }}. */

static bool is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Line and column of offsets that only grow, without counting from the start each time. */
typedef struct cursor {
	const char *src;
	size_t off;
	unsigned line, col;
} cursor;

static void cursor_at(cursor *c, size_t off, unsigned *line, unsigned *col)
{
	if (off < c->off)
		*c = (cursor){c->src, 0, 1, 1};
	for (; c->off < off; c->off++) {
		if (c->src[c->off] == '\n') {
			c->line++;
			c->col = 1;
		} else {
			c->col++;
		}
	}
	*line = c->line;
	*col = c->col;
}

static void scan_filters(const char *s, size_t from, size_t to, const char *path, unsigned first_line, cursor *cur,
                         hg_diags *d)
{
	char q = 0;
	for (size_t i = from; i < to; i++) {
		if (q) {
			q = s[i] == q ? 0 : q;
			continue;
		}
		if (s[i] == '"' || s[i] == '\'') {
			q = s[i];
			continue;
		}
		if (s[i] != '|')
			continue;
		size_t k = i + 1;
		while (k < to && (s[k] == ' ' || s[k] == '\t' || s[k] == '\n'))
			k++;
		size_t e = k;
		while (e < to && is_word(s[e]))
			e++;
		if (e > k && !hg_liquid_knows_filter(s + k, e - k)) {
			unsigned line, col;
			cursor_at(cur, k, &line, &col);
			hg_warn(d, path, line + first_line - 1, col, "unknown filter '%.*s'", (int)(e - k), s + k);
			hg_diag_kind(d, "liquid-filter");
		}
		i = e ? e - 1 : i;
	}
}

size_t hg_compat_scan_liquid(const char *src, size_t len, const char *path, unsigned first_line, hg_diags *d)
{
	static const char *const inner[] = {"else", "elsif", "when", "break", "continue", "in", NULL};
	lq_state st = {0};
	cursor cur = {src, 0, 1, 1};
	size_t close_cache = SIZE_MAX;
	size_t before = hg_diags_len(d);
	for (size_t i = 0; i + 1 < len; i++) {
		if (src[i] != '{' || (src[i + 1] != '{' && src[i + 1] != '%'))
			continue;
		if (src[i + 1] == '%') {
			size_t name, nl;
			tag_name(src, len, i, &name, &nl);
			size_t end = tag_end(src, len, i + 2, &close_cache);
			if (end < name + nl)
				end = name + nl;
			bool hidden = st.raw || st.comment;
			if (track(&st, src, len, i) || hidden) {
				i = end - 1;
				continue;
			}
			bool known =
			    !nl || hg_liquid_knows_tag(src + name, nl) || (nl > 3 && !memcmp(src + name, "end", 3));
			for (size_t k = 0; inner[k] && !known; k++)
				known = hg_mem_eq(src + name, nl, inner[k]);
			if (!known) {
				unsigned line, col;
				cursor_at(&cur, i, &line, &col);
				hg_warn(d, path, line + first_line - 1, col, "unknown tag '%.*s'", (int)nl, src + name);
				hg_diag_kind(d, "liquid-tag");
			}
			scan_filters(src, name + nl, end, path, first_line, &cur, d);
			i = end - 1;
		} else if (!st.raw && !st.comment) {
			size_t end = i + 2;
			while (end + 1 < len && !(src[end] == '}' && src[end + 1] == '}'))
				end++;
			scan_filters(src, i + 2, end, path, first_line, &cur, d);
			i = end;
		}
	}
	return hg_diags_len(d) - before;
}

/* ==== the doctor ==== */

typedef struct kind_def {
	const char *kind, *title;
} kind_def;

static const kind_def kinds[] = {
    {"shortcode", "Hugo shortcodes hubgen does not know (shown as written)"},
    {"liquid-tag", "Liquid tags hubgen does not have (plugin tags: github_edit_link, gist, octicon…)"},
    {"liquid-filter", "Liquid filters hubgen does not have"},
    {"liquid-in-code", "code blocks that Liquid reads (wrap them in {% raw %})"},
    {"kramdown", "kramdown attribute lists hubgen drops ({: .class }, {: #id } on other blocks)"},
    {"theme", "theme: and remote_theme: (hubgen builds with its own NHS.UK theme)"},
    {"collection", "collections and data hubgen cannot read"},
    {"mount", "mounted folders hubgen cannot read"},
};

const char *hg_compat_kind_title(const char *kind)
{
	for (size_t i = 0; i < HG_ARRAY_LEN(kinds); i++)
		if (!strcmp(kinds[i].kind, kind))
			return kinds[i].title;
	return kind;
}

const char *hg_compat_kind(const hg_diag *g)
{
	if (g->kind)
		return g->kind;
	if (hg_starts_with(g->msg, "unknown tag '"))
		return "liquid-tag";
	if (hg_starts_with(g->msg, "unknown filter '"))
		return "liquid-filter";
	return NULL;
}

size_t hg_compat_report(hg_diags *d, hg_buf *out)
{
	hg_diags_sort(d);
	size_t total = 0;
	size_t counts[HG_ARRAY_LEN(kinds) + 1] = {0};
	const hg_diag *prev = NULL;
	for (size_t i = 0; i < hg_diags_len(d); i++) {
		const hg_diag *g = hg_diags_get(d, i);
		const char *k = hg_compat_kind(g);
		if (!k)
			continue;
		/* the build and the doctor's own scan may both find one place */
		if (prev && hg_compat_kind(prev) == k && prev->line == g->line && prev->col == g->col && prev->path &&
		    g->path && !strcmp(prev->path, g->path))
			continue;
		prev = g;
		size_t j = 0;
		while (j < HG_ARRAY_LEN(kinds) && strcmp(kinds[j].kind, k))
			j++;
		counts[j]++;
		total++;
	}
	if (!total) {
		hg_buf_adds(out, "hubgen doctor: nothing to report: hubgen builds every construct this site uses\n");
		return 0;
	}
	hg_buf_addf(out, "hubgen doctor: %zu place%s where hubgen does not build what the site says\n\n", total,
	            total == 1 ? "" : "s");
	hg_buf_adds(out, "| count | what |\n|--:|---|\n");
	for (size_t j = 0; j <= HG_ARRAY_LEN(kinds); j++)
		if (counts[j])
			hg_buf_addf(out, "| %zu | %s |\n", counts[j],
			            j < HG_ARRAY_LEN(kinds) ? kinds[j].title : "other constructs");
	for (size_t j = 0; j <= HG_ARRAY_LEN(kinds); j++) {
		if (!counts[j])
			continue;
		hg_buf_addf(out, "\n%s:\n", j < HG_ARRAY_LEN(kinds) ? kinds[j].title : "other constructs");
		prev = NULL;
		for (size_t i = 0; i < hg_diags_len(d); i++) {
			const hg_diag *g = hg_diags_get(d, i);
			const char *k = hg_compat_kind(g);
			size_t kj = 0;
			while (k && kj < HG_ARRAY_LEN(kinds) && strcmp(kinds[kj].kind, k))
				kj++;
			if (!k || kj != j)
				continue;
			if (prev && prev->line == g->line && prev->col == g->col && prev->path && g->path &&
			    !strcmp(prev->path, g->path))
				continue;
			prev = g;
			if (g->path)
				hg_buf_addf(out, "  %s:%u:%u: %s\n", g->path, g->line ? g->line : 1,
				            g->col ? g->col : 1, g->msg);
			else
				hg_buf_addf(out, "  %s\n", g->msg);
		}
	}
	return total;
}
