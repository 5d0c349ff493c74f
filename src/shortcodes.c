/* shortcodes.c — Hugo shortcodes expanded into Markdown and NHS.UK markup.
 *
 * Three passes over the body:
 *   1. scan: every tag, `{{<` or `{{%` to its `>}}` or `%}}` (quoted arguments may hold
 *      either), with its name, arguments, and whether it closes, closes itself, or is Hugo's
 *      escaped form (a comment inside the braces);
 *   2. match: opening and closing tags are paired with a stack, as an HTML parser would — a
 *      closing tag closes the nearest open tag of its name, and any tag opened after that and
 *      still open stays unpaired (it stands alone);
 *   3. emit: text is copied as it is, each tag or pair is replaced, recursively for the body
 *      of a pair.
 * The emit pass never goes back in the source, so the outline (the level of the last heading,
 * for a warning callout's own heading) is followed with one forward scan.
 */
#include "shortcodes.h"

#include <stdlib.h>
#include <string.h>

#include "url.h"

#include "banned.h"

#define MAX_TAG 4096 /* bytes from `{{<` to `>}}`: a longer "tag" is text */
#define MAX_ARGS 16
#define MAX_WARNINGS 100 /* per page: the rest are counted in one last warning */

/* ==== pass 1: tags ==== */

typedef struct sc_tag {
	size_t start, end;     /* src[start..end) */
	size_t name, name_len; /* in src */
	size_t args, args_len; /* in src: everything between the name and the end */
	char delim;            /* '<' or '%', as it opens */
	bool closing, self_closing, escaped;
	bool broken;  /* "{{<" with no end: end is start + 3 */
	long match;   /* an opening tag: the index of its closing tag, else -1 */
	char *tab_id; /* a tab inside tabs: its panel's id (heap) */
	int tab_index;
} sc_tag;

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
	       c == '.';
}

/* The tag at src[off] (which is "{{<" or "{{%"). Returns false when it has no end. */
static bool scan_tag(const char *src, size_t len, size_t off, sc_tag *t)
{
	memset(t, 0, sizeof *t);
	t->start = off;
	t->match = -1;
	t->delim = src[off + 2];
	char delim = t->delim == '<' ? '>' : '%'; /* what ends it */
	size_t limit = len - off > MAX_TAG ? off + MAX_TAG : len;
	size_t i = off + 3;
	while (i < limit && is_space(src[i]))
		i++;
	if (i + 1 < limit && src[i] == '/' && src[i + 1] == '*') {
		/* the escaped form, a comment inside the braces: shown as {{< name args >}} */
		for (size_t k = i + 2; k + 1 < limit; k++) {
			if (src[k] != '*' || src[k + 1] != '/')
				continue;
			size_t e = k + 2;
			while (e < limit && is_space(src[e]))
				e++;
			if (e + 3 <= limit && src[e] == delim && src[e + 1] == '}' && src[e + 2] == '}') {
				t->escaped = true;
				t->args = i + 2;
				t->args_len = k - (i + 2);
				t->end = e + 3;
				return true;
			}
		}
		return false;
	}
	if (i < limit && src[i] == '/') {
		t->closing = true;
		i++;
		while (i < limit && is_space(src[i]))
			i++;
	}
	t->name = i;
	while (i < limit && (is_name_char(src[i]) || (src[i] == '/' && i + 1 < limit && is_name_char(src[i + 1]))))
		i++;
	t->name_len = i - t->name;
	if (!t->name_len)
		return false;
	t->args = i;
	char quote = 0;
	for (; i < limit; i++) {
		char c = src[i];
		if (quote) {
			if (c == '\\' && quote == '"' && i + 1 < limit)
				i++;
			else if (c == quote)
				quote = 0;
			continue;
		}
		if (c == '"' || c == '`') {
			quote = c;
			continue;
		}
		bool self = c == '/' && i + 1 < limit && src[i + 1] == delim;
		size_t d = self ? i + 1 : i;
		if (src[d] == delim && d + 2 < limit && src[d + 1] == '}' && src[d + 2] == '}') {
			t->args_len = i - t->args;
			t->self_closing = self;
			t->end = d + 3;
			return true;
		}
	}
	return false;
}

static char closer(const sc_tag *t)
{
	return t->delim == '<' ? '>' : '%';
}

static bool name_is(const char *src, const sc_tag *t, const char *name)
{
	return hg_mem_eq(src + t->name, t->name_len, name);
}

static bool same_name(const char *src, const sc_tag *a, const sc_tag *b)
{
	return a->name_len == b->name_len && memcmp(src + a->name, src + b->name, a->name_len) == 0;
}

/* ==== arguments ====
 * Hugo's: positional ("quoted", `raw` or bare) or named (key=value, the value in any of the
 * three forms). Values are copied, unescaped, NUL-terminated, into pool. */

typedef struct sc_args {
	hg_buf pool;
	size_t n;
	struct {
		size_t key, val; /* offsets in pool; key is SIZE_MAX for a positional argument */
	} a[MAX_ARGS];
} sc_args;

static size_t read_value(const char *s, size_t n, size_t *i, hg_buf *pool)
{
	size_t at = pool->len;
	char q = s[*i];
	if (q == '"' || q == '`') {
		for ((*i)++; *i < n && s[*i] != q; (*i)++) {
			if (q == '"' && s[*i] == '\\' && *i + 1 < n)
				(*i)++;
			hg_buf_addc(pool, s[*i]);
		}
		if (*i < n)
			(*i)++;
	} else {
		while (*i < n && !is_space(s[*i]))
			hg_buf_addc(pool, s[(*i)++]);
	}
	hg_buf_addc(pool, '\0');
	return at;
}

static void parse_args(const char *s, size_t n, sc_args *as)
{
	hg_buf_init(&as->pool);
	as->n = 0;
	size_t i = 0;
	while (as->n < MAX_ARGS) {
		while (i < n && is_space(s[i]))
			i++;
		if (i >= n)
			break;
		size_t k = i;
		while (k < n && is_name_char(s[k]))
			k++;
		size_t key = SIZE_MAX;
		if (k > i && k < n && s[k] == '=') {
			key = as->pool.len;
			hg_buf_add(&as->pool, s + i, k - i);
			hg_buf_addc(&as->pool, '\0');
			i = k + 1;
		}
		size_t before = i;
		size_t val = read_value(s, n, &i, &as->pool);
		as->a[as->n].key = key;
		as->a[as->n].val = val;
		as->n++;
		if (i == before)
			i++; /* never stuck */
	}
}

static const char *arg_pos(const sc_args *as, size_t index)
{
	for (size_t i = 0; i < as->n; i++)
		if (as->a[i].key == SIZE_MAX && index-- == 0)
			return as->pool.ptr + as->a[i].val;
	return NULL;
}

static const char *arg_named(const sc_args *as, const char *key)
{
	for (size_t i = 0; i < as->n; i++)
		if (as->a[i].key != SIZE_MAX && !strcmp(as->pool.ptr + as->a[i].key, key))
			return as->pool.ptr + as->a[i].val;
	return NULL;
}

static bool arg_flag(const sc_args *as, const char *word)
{
	const char *v = arg_named(as, word);
	if (v)
		return !strcmp(v, "true") || !strcmp(v, word);
	for (size_t i = 0; arg_pos(as, i); i++)
		if (!strcmp(arg_pos(as, i), word))
			return true;
	return false;
}

/* ==== pass 3: emitting ==== */

typedef struct sc_ctx {
	const char *src;
	size_t len;
	const hg_sc_options *opt;
	hg_diags *d;
	sc_tag *tags;
	size_t n;
	hg_buf *out;
	unsigned tab_groups;
	/* the outline, followed forward */
	size_t outline_off;
	int last_level;
	char fence_ch;
	size_t fence_len;
	size_t n_warned;
	/* the last warning's place */
	size_t loc_off;
	unsigned loc_line, loc_col;
} sc_ctx;

/* Warnings come in source order: their places are counted on from the last one. */
static void locate(sc_ctx *c, size_t off, unsigned *line, unsigned *col)
{
	if (off < c->loc_off) {
		c->loc_off = 0;
		c->loc_line = c->loc_col = 1;
	}
	for (; c->loc_off < off; c->loc_off++) {
		if (c->src[c->loc_off] == '\n') {
			c->loc_line++;
			c->loc_col = 1;
		} else {
			c->loc_col++;
		}
	}
	*line = c->loc_line + c->opt->first_line - 1;
	*col = c->loc_col;
}

static bool warn_at(sc_ctx *c, size_t off, const char *fmt, const char *a, int alen) HG_PRINTF(3, 0);

/* One located warning, filed under "shortcode"; fmt has one %.*s for a. After
 * MAX_WARNINGS on a page the rest are only counted (and false is returned: no note). */
static bool warn_at(sc_ctx *c, size_t off, const char *fmt, const char *a, int alen)
{
	if (c->n_warned++ >= MAX_WARNINGS)
		return false;
	unsigned line, col;
	locate(c, off, &line, &col);
	char *msg = hg_xasprintf(fmt, alen, a);
	hg_warn(c->d, c->opt->path, line, col, "%s", msg);
	hg_diag_kind(c->d, "shortcode");
	free(msg);
	return true;
}

static bool contains(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(s + i, needle, k) == 0)
			return true;
	return false;
}

/* Text that Liquid must not read: inside {% raw %}, or — when the text itself says
 * "endraw" — with every '{' written as a Liquid string. */
static void emit_protected(sc_ctx *c, const char *s, size_t n)
{
	if (!c->opt->liquid || (!contains(s, n, "{{") && !contains(s, n, "{%"))) {
		hg_buf_add(c->out, s, n);
	} else if (!contains(s, n, "endraw")) {
		hg_buf_adds(c->out, "{% raw %}");
		hg_buf_add(c->out, s, n);
		hg_buf_adds(c->out, "{% endraw %}");
	} else {
		for (size_t i = 0; i < n; i++) {
			if (s[i] == '{')
				hg_buf_adds(c->out, "{{ \"{\" }}");
			else
				hg_buf_addc(c->out, s[i]);
		}
	}
}

static void emit_as_written(sc_ctx *c, size_t from, size_t to)
{
	emit_protected(c, c->src + from, to - from);
}

/* Follows the outline up to off: the last ATX heading's level, outside fenced code. */
static void outline_to(sc_ctx *c, size_t off)
{
	while (c->outline_off < off && c->outline_off < c->len) {
		const char *s = c->src + c->outline_off;
		const char *nl = memchr(s, '\n', c->len - c->outline_off);
		size_t n = nl ? (size_t)(nl - s) : c->len - c->outline_off;
		size_t i = 0;
		while (i < n && i < 4 && s[i] == ' ')
			i++;
		if (i < 4 && i < n) {
			size_t k = i;
			while (k < n && s[k] == s[i])
				k++;
			if ((s[i] == '`' || s[i] == '~') && k - i >= 3) {
				if (!c->fence_len) {
					c->fence_ch = s[i];
					c->fence_len = k - i;
				} else if (s[i] == c->fence_ch && k - i >= c->fence_len) {
					c->fence_len = 0;
				}
			} else if (!c->fence_len && s[i] == '#' && k - i <= 6 &&
			           (k == n || s[k] == ' ' || s[k] == '\t')) {
				c->last_level = (int)(k - i);
			}
		}
		c->outline_off += n + 1;
	}
}

/* The current output line's indentation (blanks and block-quote markers), or SIZE_MAX when
 * the line already has text. */
static size_t line_prefix(const hg_buf *out, size_t *start)
{
	size_t b = out->len;
	while (b && out->ptr[b - 1] != '\n')
		b--;
	*start = b;
	for (size_t i = b; i < out->len; i++)
		if (out->ptr[i] != ' ' && out->ptr[i] != '\t' && out->ptr[i] != '>')
			return SIZE_MAX;
	return out->len - b;
}

/* Starts a new output line (with the current line's indentation) unless already at the
 * start of one. */
static void to_line_start(sc_ctx *c)
{
	size_t start;
	if (line_prefix(c->out, &start) != SIZE_MAX)
		return;
	size_t ind = 0;
	while (start + ind < c->out->len && (c->out->ptr[start + ind] == ' ' || c->out->ptr[start + ind] == '\t'))
		ind++;
	hg_buf_addc(c->out, '\n');
	hg_buf_add(c->out, c->out->ptr + start, ind);
}

static bool rest_of_line_blank(const sc_ctx *c, size_t off)
{
	for (; off < c->len && c->src[off] != '\n'; off++)
		if (c->src[off] != ' ' && c->src[off] != '\t' && c->src[off] != '\r')
			return false;
	return true;
}

/* A wrapper line of raw HTML: `<!---->html`, alone on its line, so that what follows it is
 * Markdown again (see shortcodes.h). after is where the source goes on after the tag. */
static void block_line(sc_ctx *c, const char *html, size_t after)
{
	to_line_start(c);
	hg_buf_adds(c->out, "<!---->");
	hg_buf_adds(c->out, html);
	if (!rest_of_line_blank(c, after)) {
		size_t start, ind = 0;
		line_prefix(c->out, &start);
		while (c->out->ptr[start + ind] == ' ' || c->out->ptr[start + ind] == '\t')
			ind++;
		hg_buf_addc(c->out, '\n');
		hg_buf_add(c->out, c->out->ptr + start, ind);
	}
}

static void emit_range(sc_ctx *c, size_t from, size_t to, size_t ti, size_t tj, int depth);

/* ---- the shortcodes ---- */

typedef struct sc_pair {
	size_t open, close; /* tag indexes */
	const sc_tag *o, *e;
	sc_args args;
	int depth;
} sc_pair;

static void body(sc_ctx *c, const sc_pair *p)
{
	emit_range(c, p->o->end, p->e->start, p->open + 1, p->close, p->depth + 1);
}

static void sc_hint(sc_ctx *c, sc_pair *p)
{
	static const struct {
		const char *type, *word;
		bool callout;
	} kinds[] = {{"warning", "Warning", true},     {"danger", "Important", true}, {"caution", "Caution", true},
	             {"error", "Important", true},     {"tip", "Tip", false},         {"note", "Note", false},
	             {"important", "Important", false}};
	const char *type = arg_pos(&p->args, 0);
	const char *word = "Information";
	bool callout = false;
	for (size_t i = 0; type && i < HG_ARRAY_LEN(kinds); i++)
		if (!strcmp(type, kinds[i].type)) {
			word = kinds[i].word;
			callout = kinds[i].callout;
		}
	hg_buf html = HG_BUF_INIT;
	if (callout) {
		outline_to(c, p->o->start);
		int h = c->last_level < 1 ? 2 : c->last_level < 6 ? c->last_level + 1 : 6;
		hg_buf_addf(
		    &html,
		    "<div class=\"nhsuk-card nhsuk-card--warning\"><div class=\"nhsuk-card__content\">"
		    "<h%d class=\"nhsuk-card__heading\"><span role=\"text\">%s%s</span></h%d>",
		    h, strcmp(word, "Important") ? "<span class=\"nhsuk-u-visually-hidden\">Important: </span>" : "",
		    word, h);
	} else {
		hg_buf_addf(
		    &html, "<div class=\"nhsuk-inset-text\"><span class=\"nhsuk-u-visually-hidden\">%s: </span>", word);
	}
	block_line(c, html.ptr, p->o->end);
	body(c, p);
	block_line(c, callout ? "</div></div>" : "</div>", p->e->end);
	hg_buf_release(&html);
}

static void sc_details(sc_ctx *c, sc_pair *p)
{
	bool expand = name_is(c->src, p->o, "expand");
	const char *title = arg_named(&p->args, "title");
	if (!title)
		title = arg_pos(&p->args, 0);
	if (!title || !*title || (!expand && !strcmp(title, "open") && !arg_pos(&p->args, 1)))
		title = expand ? "Expand" : "Details";
	hg_buf html = HG_BUF_INIT;
	hg_buf_adds(&html, "<details class=\"nhsuk-details\"");
	if (!expand && arg_flag(&p->args, "open"))
		hg_buf_adds(&html, " open");
	hg_buf_adds(&html, "><summary class=\"nhsuk-details__summary\"><span class=\"nhsuk-details__summary-text\">");
	hg_buf_add_html_escaped(&html, title, strlen(title));
	hg_buf_adds(&html, "</span></summary><div class=\"nhsuk-details__text\">");
	block_line(c, html.ptr, p->o->end);
	body(c, p);
	block_line(c, "</div></details>", p->e->end);
	hg_buf_release(&html);
}

static const char *tab_name(const sc_args *as)
{
	const char *n = arg_named(as, "name");
	if (!n)
		n = arg_named(as, "title");
	if (!n)
		n = arg_pos(as, 0);
	return n && *n ? n : NULL;
}

#define MAX_NAMED_TABS 64 /* past this, a group's panels are numbered: no quadratic check */

static bool tab_id_taken(const sc_ctx *c, size_t from, size_t to, const char *id)
{
	for (size_t q = from; q < to; q++)
		if (c->tags[q].tab_id && !strcmp(c->tags[q].tab_id, id))
			return true;
	return false;
}

/* The panels' ids: the group's id (its first argument, slugged, else "tabs-N"), a dash and
 * the tab's name slugged (its number when that is empty, or past the 64th tab), and "-N"
 * (the tab's number) after one already taken. */
static void sc_tabs(sc_ctx *c, sc_pair *p)
{
	hg_buf prefix = HG_BUF_INIT, html = HG_BUF_INIT, id = HG_BUF_INIT;
	const char *gid = arg_named(&p->args, "id");
	if (!gid)
		gid = arg_pos(&p->args, 0);
	c->tab_groups++;
	if (gid)
		hg_slugify(gid, strlen(gid), &prefix);
	if (!prefix.len)
		hg_buf_addf(&prefix, "tabs-%u", c->tab_groups);
	hg_buf_adds(&html, "<div class=\"nhsuk-tabs\" data-module=\"nhsuk-tabs\"><h2 class=\"nhsuk-tabs__heading\">"
	                   "Contents</h2><ul class=\"nhsuk-tabs__list\">");
	int k = 0;
	size_t named_end = p->close;
	for (size_t j = p->open + 1; j < p->close; j++) {
		sc_tag *t = &c->tags[j];
		if (t->closing || t->escaped || t->broken || t->match < 0)
			continue;
		if (name_is(c->src, t, "tab")) {
			sc_args as;
			parse_args(c->src + t->args, t->args_len, &as);
			const char *name = tab_name(&as);
			k++;
			hg_buf_reset(&id);
			hg_buf_add(&id, prefix.ptr, prefix.len);
			hg_buf_addc(&id, '-');
			size_t before = id.len;
			if (name && k <= MAX_NAMED_TABS)
				hg_slugify(name, strlen(name), &id);
			if (id.len == before)
				hg_buf_addf(&id, "%d", k);
			/* against the named ones only: past them every id is numbered, so distinct */
			while (tab_id_taken(c, p->open + 1, k <= MAX_NAMED_TABS ? j : named_end, id.ptr))
				hg_buf_addf(&id, "-%d", k);
			if (k == MAX_NAMED_TABS)
				named_end = j + 1;

			t->tab_id = hg_xstrdup(id.ptr);
			t->tab_index = k;
			hg_buf_addf(&html,
			            "<li class=\"nhsuk-tabs__list-item%s\"><a class=\"nhsuk-tabs__tab\" href=\"#",
			            k == 1 ? " nhsuk-tabs__list-item--selected" : "");
			hg_buf_add_html_escaped(&html, id.ptr, id.len);
			hg_buf_adds(&html, "\">");
			if (name)
				hg_buf_add_html_escaped(&html, name, strlen(name));
			else
				hg_buf_addf(&html, "Tab %d", k);
			hg_buf_adds(&html, "</a></li>");
			hg_buf_release(&as.pool);
		}
		j = (size_t)t->match; /* its body belongs to it */
	}
	hg_buf_adds(&html, "</ul>");
	block_line(c, html.ptr, p->o->end);
	body(c, p);
	block_line(c, "</div>", p->e->end);
	hg_buf_release(&prefix);
	hg_buf_release(&html);
	hg_buf_release(&id);
}

static void sc_tab(sc_ctx *c, sc_pair *p)
{
	const sc_tag *t = p->o;
	if (!t->tab_id) {
		warn_at(c, t->start, "'%.*s' outside 'tabs': its content is shown without a tab", "tab", 3);
		body(c, p);
		return;
	}
	hg_buf html = HG_BUF_INIT;
	hg_buf_addf(&html, "<div class=\"nhsuk-tabs__panel%s\" id=\"",
	            t->tab_index > 1 ? " nhsuk-tabs__panel--hidden" : "");
	hg_buf_add_html_escaped(&html, t->tab_id, strlen(t->tab_id));
	hg_buf_adds(&html, "\">");
	block_line(c, html.ptr, t->end);
	body(c, p);
	block_line(c, "</div>", p->e->end);
	hg_buf_release(&html);
}

/* A URL from a ref: the callback's answer, else the path as written after a warning. */
static void resolve_ref(sc_ctx *c, const sc_tag *t, const char *path, bool absolute, hg_buf *out)
{
	size_t n = strlen(path);
	if (path[0] == '#') {
		hg_buf_add(out, path, n);
		return;
	}
	if (c->opt->ref && c->opt->ref(c->opt->ud, path, n, absolute, out))
		return;
	warn_at(c, t->start, "ref '%.*s' names no page of this site", path, (int)n);
	hg_buf_add(out, path, n);
}

static void sc_button(sc_ctx *c, sc_pair *p)
{
	hg_buf url = HG_BUF_INIT;
	const char *href = arg_named(&p->args, "href");
	const char *rel = arg_named(&p->args, "relref");
	if (!rel)
		rel = arg_named(&p->args, "ref");
	if (rel)
		resolve_ref(c, p->o, rel, false, &url);
	else if (href)
		hg_buf_adds(&url, href);
	else
		warn_at(c, p->o->start, "'%.*s' needs href=\"…\" or relref=\"…\"", "button", 6);
	hg_buf_adds(c->out, "<a class=\"nhsuk-button\" data-module=\"nhsuk-button\" href=\"");
	hg_buf_add_html_escaped(c->out, url.ptr, url.len);
	hg_buf_adds(c->out, "\" role=\"button\" draggable=\"false\">");
	body(c, p);
	hg_buf_adds(c->out, "</a>");
	hg_buf_release(&url);
}

/* The `<--->` separators at this level: outside every tag and every nested pair. */
static size_t column_breaks(sc_ctx *c, const sc_pair *p, size_t **at)
{
	size_t n = 0, cap = 0;
	*at = NULL;
	size_t pos = p->o->end, j = p->open + 1;
	while (pos < p->e->start) {
		size_t stop = j < p->close ? c->tags[j].start : p->e->start;
		for (size_t k = pos; k + 5 <= stop; k++) {
			if (memcmp(c->src + k, "<--->", 5) == 0) {
				HG_GROW(*at, cap, n + 1);
				(*at)[n++] = k;
				k += 4;
			}
		}
		if (j >= p->close)
			break;
		const sc_tag *t = &c->tags[j];
		size_t last = t->match >= 0 ? (size_t)t->match : j;
		pos = c->tags[last].end;
		j = last + 1;
	}
	return n;
}

static void sc_columns(sc_ctx *c, sc_pair *p)
{
	size_t *at;
	size_t n = column_breaks(c, p, &at);
	const char *width = n == 0 ? "full" : n == 1 ? "one-half" : n == 2 ? "one-third" : "one-quarter";
	char open[160], next[160];
	snprintf(open, sizeof open, "<div class=\"nhsuk-grid-row\"><div class=\"nhsuk-grid-column-%s\">", width);
	snprintf(next, sizeof next, "</div><div class=\"nhsuk-grid-column-%s\">", width);
	block_line(c, open, p->o->end);
	size_t from = p->o->end, ti = p->open + 1;
	for (size_t k = 0; k <= n; k++) {
		size_t to = k < n ? at[k] : p->e->start;
		size_t tj = ti;
		while (tj < p->close && c->tags[tj].start < to)
			tj++;
		emit_range(c, from, to, ti, tj, p->depth + 1);
		if (k < n) {
			block_line(c, next, to + 5);
			from = to + 5;
		}
		ti = tj;
	}
	block_line(c, "</div></div>", p->e->end);
	free(at);
}

/* A body shown as text by the browser: the HTML specials escaped, and '{' as an entity so
 * that Liquid leaves a diagram's {{node}} alone. punct: every ASCII punctuation character
 * as an entity too, so that Markdown reads none of it (a formula's * _ \ [ ]). */
static void add_text_escaped(hg_buf *out, const char *s, size_t n, bool punct)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '&')
			hg_buf_adds(out, "&amp;");
		else if (ch == '<')
			hg_buf_adds(out, "&lt;");
		else if (ch == '>')
			hg_buf_adds(out, "&gt;");
		else if (ch == '{' || (punct && ch > ' ' && ch < 0x7f && !((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z') &&
		                       !(ch >= '0' && ch <= '9')))
			hg_buf_addf(out, "&#%d;", ch);
		else
			hg_buf_addc(out, (char)ch);
	}
}

static void end_raw_line(sc_ctx *c, size_t after)
{
	if (!rest_of_line_blank(c, after))
		hg_buf_addc(c->out, '\n');
}

/* CommonMark's raw block for <pre> runs to the line holding </pre>, blank lines and all. */
static void sc_mermaid(sc_ctx *c, sc_pair *p)
{
	to_line_start(c);
	hg_buf_adds(c->out, "<pre class=\"mermaid\">");
	add_text_escaped(c->out, c->src + p->o->end, p->e->start - p->o->end, false);
	hg_buf_adds(c->out, "</pre>");
	end_raw_line(c, p->e->end);
}

static void sc_katex(sc_ctx *c, sc_pair *p)
{
	hg_buf_adds(c->out, arg_flag(&p->args, "display") ? "<span class=\"hub-math hub-math--display\">"
	                                                  : "<span class=\"hub-math\">");
	add_text_escaped(c->out, c->src + p->o->end, p->e->start - p->o->end, true);
	hg_buf_adds(c->out, "</span>");
}

static void sc_highlight(sc_ctx *c, sc_pair *p)
{
	const char *lang = arg_pos(&p->args, 0);
	to_line_start(c);
	hg_buf_adds(c->out, "````");
	if (lang)
		hg_buf_adds(c->out, lang);
	size_t b = p->o->end, e = p->e->start;
	hg_buf_addc(c->out, '\n');
	if (b < e && c->src[b] == '\n')
		b++;
	bool nl = e > b && c->src[e - 1] == '\n';
	emit_as_written(c, b, e - nl); /* the code, kept from Liquid */
	hg_buf_addc(c->out, '\n');
	hg_buf_adds(c->out, "````");
	end_raw_line(c, p->e->end);
}

static void sc_ref(sc_ctx *c, const sc_tag *t, const sc_args *as)
{
	const char *path = arg_named(as, "path");
	if (!path)
		path = arg_pos(as, 0);
	if (!path || !*path) {
		warn_at(c, t->start, "'%.*s' needs the path of a page", c->src + t->name, (int)t->name_len);
		return;
	}
	resolve_ref(c, t, path, t->name_len == 3, c->out);
}

typedef struct sc_def {
	const char *name;
	void (*pair)(sc_ctx *c, sc_pair *p); /* NULL: a tag with no body */
} sc_def;

static const sc_def defs[] = {
    {"ref", NULL},           {"relref", NULL},        {"hint", sc_hint},   {"details", sc_details},
    {"expand", sc_details},  {"tabs", sc_tabs},       {"tab", sc_tab},     {"button", sc_button},
    {"columns", sc_columns}, {"mermaid", sc_mermaid}, {"katex", sc_katex}, {"highlight", sc_highlight},
};

static const sc_def *find_def(const char *src, const sc_tag *t)
{
	for (size_t i = 0; i < HG_ARRAY_LEN(defs); i++)
		if (name_is(src, t, defs[i].name))
			return &defs[i];
	return NULL;
}

/* Expands tag i (and, for a pair, everything up to its closing tag). Returns the index of
 * the last tag used. */
static size_t expand(sc_ctx *c, size_t i, int depth)
{
	const sc_tag *t = &c->tags[i];
	const char *name = c->src + t->name;
	int nl = (int)t->name_len;
	if (t->broken) {
		if (warn_at(c, t->start, "'%.*s' starts a shortcode that never ends; it is shown as written",
		            c->src + t->start, 3))
			hg_diag_note(c->d,
			             "hint: end it with '%c}}', or write {{</* … */>}} to show a shortcode as text",
			             closer(t));
		emit_as_written(c, t->start, t->end);
		return i;
	}
	if (t->escaped) {
		hg_buf text = HG_BUF_INIT;
		hg_buf_addf(&text, "{{%c", t->delim);
		hg_buf_add(&text, c->src + t->args, t->args_len);
		hg_buf_addf(&text, "%c}}", closer(t));
		emit_protected(c, text.ptr, text.len);
		hg_buf_release(&text);
		return i;
	}
	if (t->closing) {
		warn_at(c, t->start, "'/%.*s' closes no shortcode; it is shown as written", name, nl);
		emit_as_written(c, t->start, t->end);
		return i;
	}
	const sc_def *def = find_def(c->src, t);
	if (!def) {
		if (warn_at(c, t->start, "unknown shortcode '%.*s'; it is shown as written", name, nl))
			hg_diag_note(c->d,
			             "hint: hubgen expands ref, relref, hint, details, expand, tabs, tab, button, "
			             "columns, mermaid, katex and highlight");
		emit_as_written(c, t->start, t->end);
		if (t->match < 0)
			return i;
		const sc_tag *e = &c->tags[t->match];
		emit_range(c, t->end, e->start, i + 1, (size_t)t->match, depth + 1);
		emit_as_written(c, e->start, e->end);
		return (size_t)t->match;
	}
	sc_args as;
	parse_args(c->src + t->args, t->args_len, &as);
	size_t last = i;
	if (!def->pair) {
		sc_ref(c, t, &as);
	} else if (t->match < 0) {
		if (warn_at(c, t->start, "'%.*s' has no closing tag; it is shown as written", name, nl))
			hg_diag_note(c->d, "hint: end its content with {{%c /%.*s %c}}", t->delim, nl, name, closer(t));
		emit_as_written(c, t->start, t->end);
	} else if (depth >= HG_SC_MAX_DEPTH) {
		warn_at(c, t->start, "shortcodes nested deeper than 32 levels: '%.*s' is shown as written", name, nl);
		last = (size_t)t->match;
		emit_as_written(c, t->start, c->tags[last].end);
	} else {
		last = (size_t)t->match;
		sc_pair p = {i, last, t, &c->tags[last], as, depth};
		def->pair(c, &p);
		as = p.args;
	}
	hg_buf_release(&as.pool);
	return last;
}

static void emit_range(sc_ctx *c, size_t from, size_t to, size_t ti, size_t tj, int depth)
{
	size_t pos = from;
	for (size_t i = ti; i < tj; i++) {
		hg_buf_add(c->out, c->src + pos, c->tags[i].start - pos);
		i = expand(c, i, depth);
		pos = c->tags[i].end;
	}
	hg_buf_add(c->out, c->src + pos, to - pos);
}

/* ==== the whole body ==== */

bool hg_shortcodes_present(const char *src, size_t len)
{
	for (const char *p = src, *end = src + len; (p = memchr(p, '{', (size_t)(end - p))); p++)
		if (end - p >= 3 && p[1] == '{' && (p[2] == '<' || p[2] == '%'))
			return true;
	return false;
}

void hg_shortcodes_expand(const char *src, size_t len, const hg_sc_options *opt, hg_buf *out, hg_diags *d)
{
	sc_ctx c = {.src = src, .len = len, .opt = opt, .d = d, .out = out, .loc_line = 1, .loc_col = 1};
	size_t cap = 0;
	for (const char *p = src, *end = src + len; (p = memchr(p, '{', (size_t)(end - p)));) {
		if (end - p < 3 || p[1] != '{' || (p[2] != '<' && p[2] != '%')) {
			p++;
			continue;
		}
		sc_tag t;
		size_t off = (size_t)(p - src);
		if (!scan_tag(src, len, off, &t)) {
			memset(&t, 0, sizeof t);
			t.start = off;
			t.end = off + 3;
			t.delim = p[2];
			t.broken = true;
			t.match = -1;
		}
		HG_GROW(c.tags, cap, c.n + 1);
		c.tags[c.n++] = t;
		p = src + t.end;
	}

	/* pairs: a closing tag closes the nearest open tag of its name */
	size_t *stack = hg_xmalloc((c.n + 1) * sizeof *stack), depth = 0;
	for (size_t j = 0; j < c.n; j++) {
		sc_tag *t = &c.tags[j];
		if (t->broken || t->escaped || t->self_closing)
			continue;
		if (!t->closing) {
			const sc_def *def = find_def(src, t);
			if (!def || def->pair)
				stack[depth++] = j;
			continue;
		}
		for (size_t k = depth; k-- > 0;) {
			if (same_name(src, &c.tags[stack[k]], t)) {
				c.tags[stack[k]].match = (long)j; /* the emit pass skips a pair's closing tag */
				depth = k;
				break;
			}
		}
	}
	free(stack);

	emit_range(&c, 0, len, 0, c.n, 0);
	if (c.n_warned > MAX_WARNINGS) {
		hg_warn(d, opt->path, 0, 0, "%zu more shortcode warnings on this page are not shown",
		        c.n_warned - MAX_WARNINGS);
		hg_diag_kind(d, "shortcode");
	}
	for (size_t j = 0; j < c.n; j++)
		free(c.tags[j].tab_id);
	free(c.tags);
}
