/* liquid.c — the Liquid parser and renderer (the filters are in liquid_filters.c).
 *
 * Parsing turns the source into a tree of nodes in the template's arena: text slices,
 * outputs (an expression and its filters), and tags with their bodies. Variable paths are
 * split into segments, filter names resolved to table indexes, literals made into values
 * and where_exp expressions parsed, all once. The source is copied into the arena so text
 * nodes can point into it.
 *
 * Rendering walks the tree with a render state on the C stack (lq_render): the scopes,
 * counters, the include chain, and the counts behind the limits. Nothing in the template
 * is written, so one template renders on many threads at once.
 */
#include "liquid_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

#define LQ_MAX_NESTING 100   /* block tags inside block tags */
#define LQ_MAX_EXPR_DEPTH 64 /* a[b[c[…]]] and ranges inside ranges */
#define LQ_MAX_SEGS 64       /* a.b.c… */
#define LQ_MAX_WARNED 4096   /* distinct warnings per render; later ones are dropped */

/* ==== the parsed template ==== */

typedef struct lq_node lq_node;

typedef struct lq_body {
	const lq_node *nodes;
	uint32_t n;
} lq_body;

typedef struct lq_name {
	const char *p;
	uint32_t len, hash;
} lq_name;

typedef struct lq_branch {
	const lq_cond *cond; /* NULL for else */
	bool negate;         /* the first branch of unless */
	lq_body body;
} lq_branch;

typedef struct lq_when {
	const lq_expr **vals;
	uint32_t n;
	bool is_else;
	lq_body body;
} lq_when;

typedef struct lq_for {
	lq_name var;
	const char *name; /* forloop.name: "item-site.pages" */
	const lq_expr *coll, *limit, *offset, *cols;
	bool reversed;
	lq_body body, els;
} lq_for;

typedef struct lq_param {
	lq_name name;
	const lq_expr *val;
} lq_param;

typedef struct lq_include {
	const char *name; /* a name as written, or NULL when dyn gives it */
	uint32_t len;
	lq_body dyn; /* {% include {{ page.inc }} %}: the name is rendered */
	const lq_param *params;
	uint32_t nparams;
	bool cached; /* include_cached: the output is reused for the same name and parameters */
	bool relative; /* include_relative: the name is in the page's own folder */
	const hg_template *fixed; /* a built-in template ({% seo %}): no name to look up */
} lq_include;

enum lq_node_kind {
	N_TEXT,
	N_OUTPUT,
	N_IF,
	N_CASE,
	N_FOR,
	N_TABLEROW,
	N_BREAK,
	N_CONTINUE,
	N_ASSIGN,
	N_CAPTURE,
	N_INCREMENT,
	N_DECREMENT,
	N_CYCLE,
	N_INCLUDE,
	N_LINK,
	N_POST_URL,
	N_HIGHLIGHT,
};

struct lq_node {
	uint8_t kind;
	uint32_t line, col;
	union {
		struct {
			const char *p;
			size_t len;
		} text;
		const lq_chain *out;
		struct {
			const lq_branch *br;
			uint32_t n;
		} ifs;
		struct {
			const lq_expr *subject;
			const lq_when *w;
			uint32_t n;
		} cas;
		const lq_for *fo;
		struct {
			lq_name name;
			const lq_chain *val;
		} assign;
		struct {
			lq_name name;
			lq_body body;
		} capture;
		lq_name counter;
		struct {
			const lq_expr *group;
			const lq_expr **vals;
			uint32_t n;
			const char *key; /* for a cycle without a group: its values as written */
			uint32_t keylen;
		} cycle;
		const lq_include *inc;
		struct {
			const char *arg; /* NULL when dyn gives it */
			uint32_t len;
			lq_body dyn;
		} link;
		struct {
			const char *lang;
			uint32_t len;
			lq_body body;
		} hl;
	} u;
};

struct hg_template {
	const char *path;
	lq_body body;
};

const char *hg_template_path(const hg_template *t)
{
	return t->path;
}

/* ==== small helpers ==== */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}
static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static bool is_word(char c)
{
	return is_alpha(c) || is_digit(c);
}

/* FNV-1a: variable names are hashed once at parse time so scope lookups compare a number
 * before they compare bytes. */
uint32_t hg_lq_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static bool in_list(const char *const *list, const char *s, size_t n)
{
	for (; list && *list; list++)
		if (hg_mem_eq(s, n, *list))
			return true;
	return false;
}

/* Offset of the first c1 c2 pair in s[from, end), or SIZE_MAX. */
static size_t find2(const char *s, size_t from, size_t end, char c1, char c2)
{
	size_t i = from;
	while (i + 1 < end) {
		const char *q = memchr(s + i, c1, end - 1 - i);
		if (!q)
			return SIZE_MAX;
		i = (size_t)(q - s);
		if (s[i + 1] == c2)
			return i;
		i++;
	}
	return SIZE_MAX;
}

/* Include names may not climb out of the include folders. */
static bool leaves_folder(const char *s, size_t n)
{
	if (n && (s[0] == '/' || s[0] == '\\'))
		return true;
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '/' || s[i] == '\\') {
			if (i - start == 2 && s[start] == '.' && s[start + 1] == '.')
				return true;
			start = i + 1;
		}
	}
	return false;
}

/* ==== parser state ==== */

typedef struct lq_open {
	const char *name;
	size_t len;
	const char *const *stops; /* the tags that end this block; the end tag last */
	size_t off;
} lq_open;

typedef struct parser {
	hg_arena *a;
	hg_diags *d;
	const char *path;
	const char *src; /* the arena copy */
	size_t pos, end;
	size_t *lines; /* offsets where lines start */
	size_t nlines;
	unsigned first_line;
	bool trim_next; /* the last tag ended with -%} or -}}: strip the next text's start */
	bool failed;
	unsigned depth;
	lq_open open[LQ_MAX_NESTING];
} parser;

static void locate(const parser *p, size_t off, uint32_t *line, uint32_t *col)
{
	size_t lo = 0, hi = p->nlines;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->lines[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	*line = (uint32_t)(lo + p->first_line);
	*col = (uint32_t)(off - p->lines[lo] + 1);
}

/* Reports the first parse error; later ones would only be noise from the first. */
static void perr(parser *p, size_t off, const char *fmt, ...) HG_PRINTF(3, 4);
static void perr(parser *p, size_t off, const char *fmt, ...)
{
	if (p->failed)
		return;
	p->failed = true;
	if (!p->d)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *msg = hg_xvasprintf(fmt, ap);
	va_end(ap);
	uint32_t line, col;
	locate(p, off, &line, &col);
	hg_diag_add(p->d, HG_ERROR, p->path, line, col, "%s", msg);
	free(msg);
}

/* ==== template lexer: text, {{ output }} and {% tag %} ==== */

enum { LT_EOF, LT_TEXT, LT_OUTPUT, LT_TAG };

typedef struct ltok {
	int kind;
	size_t off;            /* where the token starts: its {{ or {%, or its text */
	size_t a, b;           /* TEXT: the text after trimming; OUTPUT and TAG: the markup, trimmed */
	size_t name, name_len; /* TAG */
} ltok;

static bool tok_is(const parser *p, const ltok *t, const char *name)
{
	return t->kind == LT_TAG && hg_mem_eq(p->src + t->name, t->name_len, name);
}

/* Whitespace control: `{%-` and `{{-` strip all whitespace before them, `-%}` and `-}}` all
 * whitespace after them, newlines included. Text that trims to nothing is skipped. */
static bool lex(parser *p, ltok *t)
{
	const char *s = p->src;
	for (;;) {
		size_t i = p->pos;
		if (i >= p->end) {
			t->kind = LT_EOF;
			t->off = p->end;
			return true;
		}
		if (s[i] == '{' && i + 1 < p->end && (s[i + 1] == '{' || s[i + 1] == '%')) {
			bool tag = s[i + 1] == '%';
			size_t j = find2(s, i + 2, p->end, tag ? '%' : '}', '}');
			if (j == SIZE_MAX) {
				perr(p, i, "'%s' is never closed", tag ? "{%" : "{{");
				return false;
			}
			size_t a = i + 2, b = j;
			if (a < b && s[a] == '-')
				a++;
			bool trim_r = b > a && s[b - 1] == '-';
			if (trim_r)
				b--;
			while (a < b && is_space(s[a]))
				a++;
			while (b > a && is_space(s[b - 1]))
				b--;
			p->pos = j + 2;
			p->trim_next = trim_r;
			t->off = i;
			t->a = a;
			t->b = b;
			if (!tag) {
				t->kind = LT_OUTPUT;
				return true;
			}
			t->kind = LT_TAG;
			t->name = a;
			if (a < b && s[a] == '#') {
				a++;
			} else {
				while (a < b && is_word(s[a]))
					a++;
			}
			t->name_len = a - t->name;
			if (!t->name_len) {
				perr(p, i, "tag has no name");
				return false;
			}
			while (a < b && is_space(s[a]))
				a++;
			t->a = a;
			return true;
		}
		size_t j = i + 1;
		for (;;) {
			const char *q = j < p->end ? memchr(s + j, '{', p->end - j) : NULL;
			if (!q) {
				j = p->end;
				break;
			}
			j = (size_t)(q - s);
			if (j + 1 < p->end && (s[j + 1] == '{' || s[j + 1] == '%'))
				break;
			j++;
		}
		size_t a = i, b = j;
		if (p->trim_next)
			while (a < b && is_space(s[a]))
				a++;
		p->trim_next = false;
		if (j + 2 < p->end && s[j + 2] == '-')
			while (b > a && is_space(s[b - 1]))
				b--;
		p->pos = j;
		if (a < b) {
			t->kind = LT_TEXT;
			t->off = i;
			t->a = a;
			t->b = b;
			return true;
		}
	}
}

/* The body of raw (or a comment's raw): everything up to {% endraw %}, untouched. */
static bool scan_raw(parser *p, size_t open_off, size_t *ba, size_t *bb)
{
	const char *s = p->src;
	size_t i = p->pos;
	for (;;) {
		size_t j = find2(s, i, p->end, '{', '%');
		if (j == SIZE_MAX) {
			perr(p, open_off, "'raw' is never closed");
			return false;
		}
		size_t k = j + 2;
		bool trim_l = k < p->end && s[k] == '-';
		k += trim_l;
		while (k < p->end && is_space(s[k]))
			k++;
		if (k + 6 <= p->end && memcmp(s + k, "endraw", 6) == 0 && (k + 6 == p->end || !is_word(s[k + 6]))) {
			k += 6;
			while (k < p->end && is_space(s[k]))
				k++;
			bool trim_r = k < p->end && s[k] == '-';
			k += trim_r;
			if (k + 1 < p->end && s[k] == '%' && s[k + 1] == '}') {
				size_t a = p->pos, b = j;
				if (p->trim_next)
					while (a < b && is_space(s[a]))
						a++;
				if (trim_l)
					while (b > a && is_space(s[b - 1]))
						b--;
				*ba = a;
				*bb = b;
				p->pos = k + 2;
				p->trim_next = trim_r;
				return true;
			}
		}
		i = j + 2;
	}
}

/* ==== markup: the expressions inside {{ }} and {% %} ==== */

enum {
	MT_END,
	MT_IDENT,
	MT_INT,
	MT_FLOAT,
	MT_STR,
	MT_DOT,
	MT_DOTDOT,
	MT_LBRACK,
	MT_RBRACK,
	MT_LPAREN,
	MT_RPAREN,
	MT_PIPE,
	MT_COLON,
	MT_COMMA,
	MT_CMP,
	MT_EQ,
	MT_BAD,
};

typedef struct mtok {
	uint8_t kind, op;
	size_t off, len;
} mtok;

static mtok mlex(const char *s, size_t *pos, size_t end)
{
	size_t i = *pos;
	while (i < end && is_space(s[i]))
		i++;
	mtok t = {MT_END, 0, i, 0};
	if (i >= end) {
		*pos = i;
		return t;
	}
	char c = s[i];
	size_t j = i + 1;
	if (is_alpha(c)) {
		while (j < end && (is_word(s[j]) || s[j] == '-'))
			j++;
		if (j < end && s[j] == '?')
			j++;
		t.kind = MT_IDENT;
	} else if (is_digit(c) || (c == '-' && j < end && is_digit(s[j]))) {
		while (j < end && is_digit(s[j]))
			j++;
		t.kind = MT_INT;
		if (j + 1 < end && s[j] == '.' && is_digit(s[j + 1])) {
			j++;
			while (j < end && is_digit(s[j]))
				j++;
			t.kind = MT_FLOAT;
		}
	} else if (c == '"' || c == '\'') {
		while (j < end && s[j] != c)
			j++;
		if (j < end) {
			j++;
			t.kind = MT_STR;
		} else {
			t.kind = MT_BAD;
		}
	} else {
		bool next_eq = j < end && s[j] == '=';
		switch (c) {
		case '.':
			t.kind = MT_DOT;
			if (j < end && s[j] == '.') {
				t.kind = MT_DOTDOT;
				j++;
			}
			break;
		case '[': t.kind = MT_LBRACK; break;
		case ']': t.kind = MT_RBRACK; break;
		case '(': t.kind = MT_LPAREN; break;
		case ')': t.kind = MT_RPAREN; break;
		case '|': t.kind = MT_PIPE; break;
		case ':': t.kind = MT_COLON; break;
		case ',': t.kind = MT_COMMA; break;
		case '=':
			t.kind = next_eq ? MT_CMP : MT_EQ;
			t.op = LQ_OP_EQ;
			j += next_eq;
			break;
		case '!':
			t.kind = next_eq ? MT_CMP : MT_BAD;
			t.op = LQ_OP_NE;
			j += next_eq;
			break;
		case '<':
			t.kind = MT_CMP;
			t.op = next_eq ? LQ_OP_LE : LQ_OP_LT;
			if (j < end && s[j] == '>') {
				t.op = LQ_OP_NE;
				j++;
			} else {
				j += next_eq;
			}
			break;
		case '>':
			t.kind = MT_CMP;
			t.op = next_eq ? LQ_OP_GE : LQ_OP_GT;
			j += next_eq;
			break;
		default: t.kind = MT_BAD; break;
		}
	}
	t.len = j - i;
	*pos = j;
	return t;
}

/* A markup parser: over a slice of the template source at parse time (locations from the
 * parser's line table), or over a string at render time (where_exp with a variable
 * argument: every location is the filter's). */
typedef struct mp {
	hg_arena *a;
	const char *s;
	size_t pos, end;
	size_t prev_end; /* end of the last token consumed */
	const parser *p;
	uint32_t line, col;
	const char *what; /* "output", "'if'"… for messages */
	bool tested;      /* variables parsed now are being tested (see lq_expr.tested) */
	mtok cur;
	unsigned depth;
	bool failed;
	size_t err_off;
	char err[200];
} mp;

static void mp_next(mp *m)
{
	m->prev_end = m->cur.off + m->cur.len;
	m->cur = mlex(m->s, &m->pos, m->end);
}

static void mp_init(mp *m, hg_arena *a, const parser *p, const char *s, size_t from, size_t to, const char *what)
{
	memset(m, 0, sizeof *m);
	m->a = a;
	m->p = p;
	m->s = s;
	m->pos = from;
	m->end = to;
	m->what = what;
	m->cur = mlex(s, &m->pos, to);
	m->prev_end = from;
}

static void mp_loc(const mp *m, size_t off, uint32_t *line, uint32_t *col)
{
	if (m->p) {
		locate(m->p, off, line, col);
	} else {
		*line = m->line;
		*col = m->col;
	}
}

static void mp_fail(mp *m, size_t off, const char *fmt, ...) HG_PRINTF(3, 4);
static void mp_fail(mp *m, size_t off, const char *fmt, ...)
{
	if (m->failed)
		return;
	m->failed = true;
	m->err_off = off;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m->err, sizeof m->err, fmt, ap);
	va_end(ap);
}

static void mp_unexpected(mp *m)
{
	const mtok *t = &m->cur;
	if (t->kind == MT_END) {
		mp_fail(m, t->off, "unexpected end of %s", m->what);
		return;
	}
	if (t->kind == MT_BAD && (m->s[t->off] == '"' || m->s[t->off] == '\'')) {
		mp_fail(m, t->off, "string in %s is never closed", m->what);
		return;
	}
	int n = t->len > 30 ? 30 : (int)t->len;
	mp_fail(m, t->off, "unexpected '%.*s' in %s", n, m->s + t->off, m->what);
}

static bool mp_expect(mp *m, int kind)
{
	if (m->failed)
		return false;
	if (m->cur.kind != kind) {
		mp_unexpected(m);
		return false;
	}
	return true;
}

static bool mp_word(const mp *m, const char *w)
{
	return m->cur.kind == MT_IDENT && hg_mem_eq(m->s + m->cur.off, m->cur.len, w);
}

static mtok mp_peek(const mp *m)
{
	size_t pos = m->pos;
	return mlex(m->s, &pos, m->end);
}

static lq_expr *new_expr(mp *m, int kind, size_t off)
{
	lq_expr *e = hg_arena_zalloc(m->a, sizeof *e);
	e->kind = (uint8_t)kind;
	e->tested = m->tested;
	mp_loc(m, off, &e->line, &e->col);
	return e;
}

static lq_expr *mp_expr(mp *m);

static lq_expr *mp_number(mp *m)
{
	char buf[64];
	if (m->cur.len >= sizeof buf) {
		mp_fail(m, m->cur.off, "number too long in %s", m->what);
		return NULL;
	}
	memcpy(buf, m->s + m->cur.off, m->cur.len);
	buf[m->cur.len] = '\0';
	lq_expr *e = new_expr(m, LQ_LIT, m->cur.off);
	if (m->cur.kind == MT_INT) {
		errno = 0;
		long long v = strtoll(buf, NULL, 10);
		e->u.lit = errno == ERANGE ? hg_value_float(m->a, strtod(buf, NULL)) : hg_value_int(m->a, v);
	} else {
		e->u.lit = hg_value_float(m->a, strtod(buf, NULL));
	}
	mp_next(m);
	return e;
}

/* name(.key | [expr])* — or ["name"] at the start. */
static lq_expr *mp_var(mp *m)
{
	size_t start = m->cur.off;
	lq_expr *e = new_expr(m, LQ_VAR, start);
	if (m->cur.kind == MT_IDENT) {
		e->u.var.name = m->s + m->cur.off;
		e->u.var.len = (uint32_t)m->cur.len;
		mp_next(m);
	} else {
		mp_next(m); /* [ */
		if (!mp_expect(m, MT_STR))
			return NULL;
		e->u.var.name = m->s + m->cur.off + 1;
		e->u.var.len = (uint32_t)m->cur.len - 2;
		mp_next(m);
		if (!mp_expect(m, MT_RBRACK))
			return NULL;
		mp_next(m);
	}
	e->u.var.hash = hg_lq_hash(e->u.var.name, e->u.var.len);
	if (hg_mem_eq(e->u.var.name, e->u.var.len, "forloop"))
		e->special = LQ_FORLOOP;
	else if (hg_mem_eq(e->u.var.name, e->u.var.len, "tablerowloop"))
		e->special = LQ_TABLEROWLOOP;
	lq_seg segs[LQ_MAX_SEGS];
	uint32_t n = 0;
	for (;;) {
		lq_seg sg = {0};
		if (m->cur.kind == MT_DOT) {
			mp_next(m);
			if (m->cur.kind != MT_IDENT && m->cur.kind != MT_INT) {
				mp_unexpected(m);
				return NULL;
			}
			sg.kind = LQ_SEG_KEY;
			sg.dot = true;
			sg.key = m->s + m->cur.off;
			sg.len = (uint32_t)m->cur.len;
			mp_next(m);
		} else if (m->cur.kind == MT_LBRACK) {
			mp_next(m);
			const lq_expr *k = mp_expr(m);
			if (!k || !mp_expect(m, MT_RBRACK))
				return NULL;
			mp_next(m);
			if (k->kind == LQ_LIT && k->u.lit->kind == HG_STRING) {
				sg.kind = LQ_SEG_KEY;
				sg.key = k->u.lit->as.s.ptr;
				sg.len = (uint32_t)k->u.lit->as.s.len;
			} else if (k->kind == LQ_LIT && k->u.lit->kind == HG_INT) {
				sg.kind = LQ_SEG_INDEX;
				sg.index = k->u.lit->as.i;
			} else {
				sg.kind = LQ_SEG_EXPR;
				sg.expr = k;
			}
		} else {
			break;
		}
		if (n == LQ_MAX_SEGS) {
			mp_fail(m, start, "variable path too long in %s", m->what);
			return NULL;
		}
		segs[n++] = sg;
	}
	if (n) {
		lq_seg *copy = hg_arena_alloc(m->a, n * sizeof *copy);
		memcpy(copy, segs, n * sizeof *copy);
		e->u.var.segs = copy;
	}
	e->u.var.nsegs = n;
	e->u.var.text = hg_arena_strndup(m->a, m->s + start, m->prev_end - start);
	return e;
}

static lq_expr *mp_expr(mp *m)
{
	if (m->failed)
		return NULL;
	if (m->depth >= LQ_MAX_EXPR_DEPTH) {
		mp_fail(m, m->cur.off, "expression nested too deeply in %s", m->what);
		return NULL;
	}
	m->depth++;
	lq_expr *e = NULL;
	const mtok t = m->cur;
	switch (t.kind) {
	case MT_STR:
		e = new_expr(m, LQ_LIT, t.off);
		e->u.lit = hg_value_string(m->a, m->s + t.off + 1, t.len - 2);
		mp_next(m);
		break;
	case MT_INT:
	case MT_FLOAT: e = mp_number(m); break;
	case MT_LPAREN: {
		mp_next(m);
		const lq_expr *lo = mp_expr(m);
		if (!lo || !mp_expect(m, MT_DOTDOT))
			break;
		mp_next(m);
		const lq_expr *hi = mp_expr(m);
		if (!hi || !mp_expect(m, MT_RPAREN))
			break;
		mp_next(m);
		e = new_expr(m, LQ_RANGE, t.off);
		e->u.range.lo = lo;
		e->u.range.hi = hi;
		break;
	}
	case MT_IDENT: {
		const char *w = m->s + t.off;
		mtok after = mp_peek(m);
		bool plain = after.kind != MT_DOT && after.kind != MT_LBRACK;
		if (plain && (hg_mem_eq(w, t.len, "nil") || hg_mem_eq(w, t.len, "null"))) {
			e = new_expr(m, LQ_LIT, t.off);
			e->u.lit = &hg_null_value;
		} else if (plain && (hg_mem_eq(w, t.len, "true") || hg_mem_eq(w, t.len, "false"))) {
			e = new_expr(m, LQ_LIT, t.off);
			e->u.lit = hg_value_bool(w[0] == 't');
		} else if (plain && hg_mem_eq(w, t.len, "empty")) {
			e = new_expr(m, LQ_EMPTY, t.off);
		} else if (plain && hg_mem_eq(w, t.len, "blank")) {
			e = new_expr(m, LQ_BLANK, t.off);
		} else {
			e = mp_var(m);
			break;
		}
		mp_next(m);
		break;
	}
	case MT_LBRACK: e = mp_var(m); break;
	default: mp_unexpected(m); break;
	}
	m->depth--;
	return m->failed ? NULL : e;
}

static const lq_cond *mp_cond(mp *m);
static const lq_chain *mp_chain(mp *m);

/* where_exp "item", "item.x > 1": the expression argument, when it is a literal string,
 * is parsed here once; its locations point into the string. */
static const void *mp_exp_arg(mp *m, int exp, size_t str_off, size_t str_len)
{
	mp sub;
	mp_init(&sub, m->a, m->p, m->s, str_off + 1, str_off + str_len - 1, "the expression");
	sub.line = m->line;
	sub.col = m->col;
	const void *res = exp == LQ_EXP_COND ? (const void *)mp_cond(&sub) : (const void *)mp_chain(&sub);
	if (!sub.failed && sub.cur.kind != MT_END)
		mp_unexpected(&sub);
	if (sub.failed) {
		mp_fail(m, sub.err_off, "%s", sub.err);
		return NULL;
	}
	return res;
}

static void arity_message(mp *m, const lq_filter_def *def, size_t off)
{
	if (def->max == 0)
		mp_fail(m, off, "'%s' takes no arguments", def->name);
	else if (def->min == def->max)
		mp_fail(m, off, "'%s' takes %u argument%s", def->name, def->min, def->min == 1 ? "" : "s");
	else if (def->min == 0)
		mp_fail(m, off, "'%s' takes at most %u argument%s", def->name, def->max, def->max == 1 ? "" : "s");
	else
		mp_fail(m, off, "'%s' takes %u to %u arguments", def->name, def->min, def->max);
}

/* Marks every variable in e as tested. Only while parsing: the tree is still ours. */
static void mark_tested(const lq_expr *ce)
{
	lq_expr *e = (lq_expr *)ce;
	e->tested = true;
	if (e->kind == LQ_RANGE) {
		mark_tested(e->u.range.lo);
		mark_tested(e->u.range.hi);
	} else if (e->kind == LQ_VAR) {
		for (uint32_t i = 0; i < e->u.var.nsegs; i++)
			if (e->u.var.segs[i].kind == LQ_SEG_EXPR)
				mark_tested(e->u.var.segs[i].expr);
	}
}

/* expr (| name(: arg (, arg)*)?)* where an arg is expr or key: expr. A chain with a
 * default filter expects what it reads to be missing, so its variables are tested. */
static const lq_chain *mp_chain(mp *m)
{
	const lq_expr *base = mp_expr(m);
	if (!base)
		return NULL;
	lq_filter *fs = NULL;
	size_t nf = 0, capf = 0;
	while (!m->failed && m->cur.kind == MT_PIPE) {
		mp_next(m);
		if (!mp_expect(m, MT_IDENT))
			break;
		lq_filter f = {0};
		size_t name_off = m->cur.off;
		f.name = hg_arena_strndup(m->a, m->s + m->cur.off, m->cur.len);
		f.id = hg_lq_filter_find(m->s + m->cur.off, m->cur.len);
		mp_loc(m, m->cur.off, &f.line, &f.col);
		mp_next(m);
		const lq_expr *args[LQ_MAX_ARGS], *kwv[LQ_MAX_ARGS];
		const char *kwn[LQ_MAX_ARGS];
		size_t arg_off[LQ_MAX_ARGS], arg_len[LQ_MAX_ARGS];
		unsigned na = 0, nk = 0;
		if (m->cur.kind == MT_COLON) {
			mp_next(m);
			for (;;) {
				if (na + nk == LQ_MAX_ARGS) {
					mp_fail(m, m->cur.off, "too many arguments to '%s'", f.name);
					break;
				}
				if (m->cur.kind == MT_IDENT && mp_peek(m).kind == MT_COLON) {
					kwn[nk] = hg_arena_strndup(m->a, m->s + m->cur.off, m->cur.len);
					size_t kw_off = m->cur.off;
					mp_next(m);
					mp_next(m);
					kwv[nk] = mp_expr(m);
					if (!kwv[nk])
						break;
					const lq_filter_def *def = f.id >= 0 ? hg_lq_filter_def(f.id) : NULL;
					if (def && (!def->kw || strcmp(def->kw, kwn[nk]) != 0)) {
						mp_fail(m, kw_off, "'%s' has no option '%s'", f.name, kwn[nk]);
						break;
					}
					nk++;
				} else {
					arg_off[na] = m->cur.off;
					arg_len[na] = m->cur.len;
					args[na] = mp_expr(m);
					if (!args[na])
						break;
					na++;
				}
				if (m->cur.kind != MT_COMMA)
					break;
				mp_next(m);
			}
		}
		if (m->failed)
			break;
		if (f.id >= 0) {
			const lq_filter_def *def = hg_lq_filter_def(f.id);
			if (na < def->min || na > def->max) {
				arity_message(m, def, name_off);
				break;
			}
			if (def->exp && na >= 2 && args[1]->kind == LQ_LIT && args[1]->u.lit->kind == HG_STRING) {
				f.pre = mp_exp_arg(m, def->exp, arg_off[1], arg_len[1]);
				if (m->failed)
					break;
			}
		}
		f.nargs = (uint8_t)na;
		f.nkw = (uint8_t)nk;
		if (na) {
			f.args = hg_arena_alloc(m->a, na * sizeof *f.args);
			memcpy(f.args, args, na * sizeof *f.args);
		}
		if (nk) {
			f.kw_names = hg_arena_alloc(m->a, nk * sizeof *f.kw_names);
			memcpy(f.kw_names, kwn, nk * sizeof *f.kw_names);
			f.kw_vals = hg_arena_alloc(m->a, nk * sizeof *f.kw_vals);
			memcpy(f.kw_vals, kwv, nk * sizeof *f.kw_vals);
		}
		HG_GROW(fs, capf, nf + 1);
		fs[nf++] = f;
	}
	lq_chain *c = NULL;
	if (!m->failed) {
		c = hg_arena_zalloc(m->a, sizeof *c);
		c->base = base;
		if (nf) {
			lq_filter *copy = hg_arena_alloc(m->a, nf * sizeof *copy);
			memcpy(copy, fs, nf * sizeof *copy);
			c->filters = copy;
		}
		c->nfilters = (uint32_t)nf;
		bool has_default = false;
		for (size_t i = 0; i < nf; i++)
			has_default |= strcmp(fs[i].name, "default") == 0;
		if (has_default) {
			mark_tested(base);
			for (size_t i = 0; i < nf; i++)
				for (unsigned k = 0; k < fs[i].nargs; k++)
					mark_tested(fs[i].args[k]);
		}
	}
	free(fs);
	return c;
}

/* cmp ((and | or) cmp)* where cmp is expr (op expr)? Its variables are tested. */
static const lq_cond *mp_cond(mp *m)
{
	bool was_tested = m->tested;
	m->tested = true;
	lq_cmp *cmps = NULL;
	uint8_t *ors = NULL;
	size_t n = 0, cap = 0, capo = 0;
	for (;;) {
		lq_cmp c = {0};
		c.left = mp_expr(m);
		if (!c.left)
			break;
		if (m->cur.kind == MT_CMP) {
			c.op = m->cur.op;
		} else if (mp_word(m, "contains")) {
			c.op = LQ_OP_CONTAINS;
		} else if (m->cur.kind == MT_EQ) {
			mp_fail(m, m->cur.off, "'=' in %s: use '==' to compare", m->what);
			break;
		}
		if (c.op) {
			mp_next(m);
			c.right = mp_expr(m);
			if (!c.right)
				break;
		}
		HG_GROW(cmps, cap, n + 1);
		cmps[n++] = c;
		bool is_and = mp_word(m, "and");
		if (!is_and && !mp_word(m, "or"))
			break;
		HG_GROW(ors, capo, n);
		ors[n - 1] = !is_and;
		mp_next(m);
	}
	lq_cond *res = NULL;
	if (!m->failed) {
		res = hg_arena_zalloc(m->a, sizeof *res);
		lq_cmp *cc = hg_arena_alloc(m->a, n * sizeof *cc);
		memcpy(cc, cmps, n * sizeof *cc);
		res->cmps = cc;
		if (n > 1) {
			uint8_t *oo = hg_arena_alloc(m->a, n - 1);
			memcpy(oo, ors, n - 1);
			res->ors = oo;
		}
		res->n = (uint32_t)n;
	}
	free(cmps);
	free(ors);
	m->tested = was_tested;
	return res;
}

static bool mp_end(mp *m)
{
	if (!m->failed && m->cur.kind != MT_END)
		mp_unexpected(m);
	return !m->failed;
}

/* Reports a markup parser's error through the template parser. */
static bool mp_finish(mp *m)
{
	if (m->failed && m->p)
		perr((parser *)m->p, m->err_off, "%s", m->err);
	return !m->failed;
}

const lq_cond *hg_lq_parse_cond(lq_render *r, hg_arena *a, const char *s, size_t len, uint32_t line, uint32_t col)
{
	mp m;
	mp_init(&m, a, NULL, s, 0, len, "the expression");
	m.line = line;
	m.col = col;
	const lq_cond *c = mp_cond(&m);
	if (!mp_end(&m)) {
		hg_lq_error(r, line, col, "%s", m.err);
		return NULL;
	}
	return c;
}

const lq_chain *hg_lq_parse_chain(lq_render *r, hg_arena *a, const char *s, size_t len, uint32_t line, uint32_t col)
{
	mp m;
	mp_init(&m, a, NULL, s, 0, len, "the expression");
	m.line = line;
	m.col = col;
	const lq_chain *c = mp_chain(&m);
	if (!mp_end(&m)) {
		hg_lq_error(r, line, col, "%s", m.err);
		return NULL;
	}
	return c;
}

/* ==== tags ==== */

typedef struct nodevec {
	lq_node *items;
	size_t len, cap;
} nodevec;

static lq_node *push_node(parser *p, nodevec *v, int kind, size_t off)
{
	HG_GROW(v->items, v->cap, v->len + 1);
	lq_node *n = &v->items[v->len++];
	memset(n, 0, sizeof *n);
	n->kind = (uint8_t)kind;
	locate(p, off, &n->line, &n->col);
	return n;
}

static lq_body finish_body(parser *p, nodevec *v)
{
	lq_body b = {NULL, 0};
	if (v->len && !p->failed) {
		lq_node *copy = hg_arena_alloc(p->a, v->len * sizeof *copy);
		memcpy(copy, v->items, v->len * sizeof *copy);
		b.nodes = copy;
		b.n = (uint32_t)v->len;
	}
	free(v->items);
	return b;
}

static lq_name make_name(parser *p, const char *s, size_t n)
{
	return (lq_name){hg_arena_strndup(p->a, s, n), (uint32_t)n, hg_lq_hash(s, n)};
}

static lq_body parse_body(parser *p, const char *const *stops, ltok *end);

/* Every block tag checks in here: tags nested a hundred deep are refused before the
 * parser's recursion can exhaust the stack. */
static bool open_block(parser *p, const ltok *t, const char *const *stops)
{
	const char *name = p->src + t->name;
	if (p->depth >= LQ_MAX_NESTING) {
		perr(p, t->off, "'%.*s' nested too deeply (limit %d)", (int)t->name_len, name, LQ_MAX_NESTING);
		return false;
	}
	p->open[p->depth++] = (lq_open){name, t->name_len, stops, t->off};
	return true;
}

static void never_closed(parser *p, const ltok *t)
{
	perr(p, t->off, "'%.*s' is never closed", (int)t->name_len, p->src + t->name);
}

/* Parses the body of the block opened by t up to one of stops; false at the end of the
 * source (after reporting that t is never closed) or after an error. */
static bool block_body(parser *p, const ltok *t, const char *const *stops, lq_body *body, ltok *end)
{
	*body = parse_body(p, stops, end);
	if (p->failed)
		return false;
	if (end->kind == LT_EOF) {
		never_closed(p, t);
		return false;
	}
	return true;
}

static const lq_cond *tag_cond(parser *p, const ltok *t, const char *what)
{
	mp m;
	mp_init(&m, p->a, p, p->src, t->a, t->b, what);
	const lq_cond *c = mp_cond(&m);
	mp_end(&m);
	return mp_finish(&m) ? c : NULL;
}

static void tag_if(parser *p, const ltok *t, nodevec *out)
{
	static const char *const if_stops[] = {"elsif", "else", "endif", NULL};
	static const char *const unless_stops[] = {"elsif", "else", "endunless", NULL};
	bool unless = tok_is(p, t, "unless");
	lq_branch b = {tag_cond(p, t, unless ? "'unless'" : "'if'"), unless, {NULL, 0}};
	if (!b.cond || !open_block(p, t, unless ? unless_stops : if_stops))
		return;
	lq_branch *brs = NULL;
	size_t n = 0, cap = 0;
	ltok end;
	/* As in Liquid, else is a branch that is always true, so `else … elsif` parses (and
	 * the elsif is never reached). */
	while (block_body(p, t, unless ? unless_stops : if_stops, &b.body, &end)) {
		HG_GROW(brs, cap, n + 1);
		brs[n++] = b;
		if (tok_is(p, &end, "elsif")) {
			b = (lq_branch){tag_cond(p, &end, "'elsif'"), false, {NULL, 0}};
			if (!b.cond)
				break;
		} else if (tok_is(p, &end, "else")) {
			b = (lq_branch){NULL, false, {NULL, 0}};
		} else {
			lq_node *node = push_node(p, out, N_IF, t->off);
			lq_branch *copy = hg_arena_alloc(p->a, n * sizeof *copy);
			memcpy(copy, brs, n * sizeof *copy);
			node->u.ifs.br = copy;
			node->u.ifs.n = (uint32_t)n;
			break;
		}
	}
	p->depth--;
	free(brs);
}

static void tag_case(parser *p, const ltok *t, nodevec *out)
{
	static const char *const case_stops[] = {"when", "else", "endcase", NULL};
	mp m;
	mp_init(&m, p->a, p, p->src, t->a, t->b, "'case'");
	m.tested = true;
	const lq_expr *subject = mp_expr(&m);
	mp_end(&m);
	if (!mp_finish(&m) || !open_block(p, t, case_stops))
		return;
	lq_when *ws = NULL;
	size_t n = 0, cap = 0;
	ltok end;
	lq_body ignored; /* what comes before the first when is never rendered */
	if (block_body(p, t, case_stops, &ignored, &end)) {
		for (;;) {
			lq_when w = {0};
			const lq_expr *vals[256];
			if (tok_is(p, &end, "when")) {
				mp_init(&m, p->a, p, p->src, end.a, end.b, "'when'");
				m.tested = true;
				for (;;) {
					if (w.n == HG_ARRAY_LEN(vals)) {
						mp_fail(&m, m.cur.off, "too many values in 'when'");
						break;
					}
					vals[w.n] = mp_expr(&m);
					if (!vals[w.n])
						break;
					w.n++;
					if (m.cur.kind != MT_COMMA && !mp_word(&m, "or"))
						break;
					mp_next(&m);
				}
				mp_end(&m);
				if (!mp_finish(&m))
					break;
				const lq_expr **copy = hg_arena_alloc(p->a, w.n * sizeof *copy);
				memcpy(copy, vals, w.n * sizeof *copy);
				w.vals = copy;
			} else if (tok_is(p, &end, "else")) {
				w.is_else = true;
			} else {
				lq_node *node = push_node(p, out, N_CASE, t->off);
				node->u.cas.subject = subject;
				if (n) {
					lq_when *copy = hg_arena_alloc(p->a, n * sizeof *copy);
					memcpy(copy, ws, n * sizeof *copy);
					node->u.cas.w = copy;
				}
				node->u.cas.n = (uint32_t)n;
				break;
			}
			if (!block_body(p, t, case_stops, &w.body, &end))
				break;
			HG_GROW(ws, cap, n + 1);
			ws[n++] = w;
		}
	}
	p->depth--;
	free(ws);
}

/* for item in collection [reversed] [limit: n] [offset: n]; tablerow adds cols: n. */
static void tag_for(parser *p, const ltok *t, nodevec *out)
{
	static const char *const for_stops[] = {"else", "endfor", NULL};
	static const char *const tablerow_stops[] = {"endtablerow", NULL};
	bool tablerow = tok_is(p, t, "tablerow");
	mp m;
	mp_init(&m, p->a, p, p->src, t->a, t->b, tablerow ? "'tablerow'" : "'for'");
	lq_for *f = hg_arena_zalloc(p->a, sizeof *f);
	if (mp_expect(&m, MT_IDENT)) {
		f->var = make_name(p, m.s + m.cur.off, m.cur.len);
		mp_next(&m);
		if (!mp_word(&m, "in"))
			mp_fail(&m, m.cur.off, "expected 'in' in %s", m.what);
		mp_next(&m);
	}
	size_t coll_off = m.cur.off;
	if (!m.failed)
		f->coll = mp_expr(&m);
	if (!m.failed)
		f->name = hg_arena_printf(p->a, "%s-%.*s", f->var.p, (int)(m.prev_end - coll_off), m.s + coll_off);
	while (!m.failed && m.cur.kind != MT_END) {
		if (mp_word(&m, "reversed")) {
			f->reversed = true;
			mp_next(&m);
			continue;
		}
		if (m.cur.kind == MT_COMMA) {
			mp_next(&m);
			continue;
		}
		const lq_expr **slot = NULL;
		if (mp_word(&m, "limit"))
			slot = &f->limit;
		else if (mp_word(&m, "offset"))
			slot = &f->offset;
		else if (tablerow && mp_word(&m, "cols"))
			slot = &f->cols;
		if (!slot || mp_peek(&m).kind != MT_COLON) {
			mp_unexpected(&m);
			break;
		}
		mp_next(&m);
		mp_next(&m);
		*slot = mp_expr(&m);
	}
	if (!mp_finish(&m) || !open_block(p, t, tablerow ? tablerow_stops : for_stops))
		return;
	ltok end;
	if (block_body(p, t, tablerow ? tablerow_stops : for_stops, &f->body, &end)) {
		bool ok = true;
		if (tok_is(p, &end, "else")) {
			static const char *const else_stops[] = {"endfor", NULL};
			ok = block_body(p, t, else_stops, &f->els, &end);
		}
		if (ok)
			push_node(p, out, tablerow ? N_TABLEROW : N_FOR, t->off)->u.fo = f;
	}
	p->depth--;
}

static void tag_assign(parser *p, const ltok *t, nodevec *out)
{
	const char *s = p->src;
	size_t i = t->a;
	while (i < t->b && (is_word(s[i]) || s[i] == '-' || s[i] == '.' || s[i] == '[' || s[i] == ']'))
		i++;
	size_t name_end = i;
	while (i < t->b && is_space(s[i]))
		i++;
	if (name_end == t->a || i >= t->b || s[i] != '=') {
		perr(p, t->off, "expected 'assign name = value'");
		return;
	}
	/* `{% assign x = a.b; %}`: Liquid's lax mode, which Jekyll falls back to, reads past a
	 * stray ';' at the end (with a warning); documentation-theme-jekyll sites have one. */
	size_t end = t->b;
	while (end > i + 1 && (s[end - 1] == ';' || is_space(s[end - 1])))
		end--;
	if (end < t->b && s[t->b - 1] == ';' && p->d) {
		uint32_t line, col;
		locate(p, t->b - 1, &line, &col);
		hg_diag_add(p->d, HG_WARNING, p->path, line, col, "the ';' at the end of 'assign' is ignored");
		hg_diag_note(p->d, "hint: Liquid has no ';'; Jekyll also ignores it, with a warning");
	}
	mp m;
	mp_init(&m, p->a, p, s, i + 1, end, "'assign'");
	const lq_chain *c = mp_chain(&m);
	mp_end(&m);
	if (!mp_finish(&m))
		return;
	lq_node *n = push_node(p, out, N_ASSIGN, t->off);
	n->u.assign.name = make_name(p, s + t->a, name_end - t->a);
	n->u.assign.val = c;
}

/* The name of capture, increment and decrement: a word, or a quoted string. */
static bool tag_name(parser *p, const ltok *t, lq_name *name)
{
	mp m;
	mp_init(&m, p->a, p, p->src, t->a, t->b, "");
	size_t off = m.cur.off, len = m.cur.len;
	if (m.cur.kind == MT_STR) {
		off++;
		len -= 2;
	} else if (m.cur.kind != MT_IDENT) {
		perr(p, t->off, "'%.*s' needs a variable name", (int)t->name_len, p->src + t->name);
		return false;
	}
	mp_next(&m);
	if (m.cur.kind != MT_END) {
		perr(p, m.cur.off, "unexpected '%.*s' in '%.*s'", (int)m.cur.len, m.s + m.cur.off, (int)t->name_len,
		     p->src + t->name);
		return false;
	}
	*name = make_name(p, p->src + off, len);
	return true;
}

/* gcc 12 at -O3, after inlining, takes the two struct copies below for stores of a local's
 * address (-Wdangling-pointer). They copy values (a name and a body, both pointing into the
 * parser's arena), so the warning is a false positive; it is silenced here alone. */
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#endif
static void tag_capture(parser *p, const ltok *t, nodevec *out)
{
	static const char *const stops[] = {"endcapture", NULL};
	lq_name name;
	if (!tag_name(p, t, &name) || !open_block(p, t, stops))
		return;
	ltok end;
	lq_body body;
	if (block_body(p, t, stops, &body, &end)) {
		lq_node *n = push_node(p, out, N_CAPTURE, t->off);
		n->u.capture.name = name;
		n->u.capture.body = body;
	}
	p->depth--;
}
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic pop
#endif

static void tag_counter(parser *p, const ltok *t, nodevec *out)
{
	lq_name name;
	if (tag_name(p, t, &name))
		push_node(p, out, tok_is(p, t, "increment") ? N_INCREMENT : N_DECREMENT, t->off)->u.counter = name;
}

/* cycle "a", "b" or cycle "group": "a", "b". Cycles without a group share a position when
 * their values are written alike, as in Liquid. */
static void tag_cycle(parser *p, const ltok *t, nodevec *out)
{
	mp m;
	mp_init(&m, p->a, p, p->src, t->a, t->b, "'cycle'");
	const lq_expr *vals[256], *group = NULL;
	uint32_t n = 0;
	hg_buf key = HG_BUF_INIT;
	size_t off = m.cur.off;
	vals[n] = mp_expr(&m);
	if (vals[n] && m.cur.kind == MT_COLON) {
		group = vals[n];
		mp_next(&m);
		off = m.cur.off;
		vals[n] = mp_expr(&m);
	}
	while (vals[n]) {
		hg_buf_add(&key, m.s + off, m.prev_end - off);
		hg_buf_addc(&key, '\x1f');
		n++;
		if (m.cur.kind != MT_COMMA)
			break;
		if (n == HG_ARRAY_LEN(vals)) {
			mp_fail(&m, m.cur.off, "too many values in 'cycle'");
			break;
		}
		mp_next(&m);
		off = m.cur.off;
		vals[n] = mp_expr(&m);
	}
	mp_end(&m);
	if (mp_finish(&m)) {
		lq_node *node = push_node(p, out, N_CYCLE, t->off);
		node->u.cycle.group = group;
		const lq_expr **copy = hg_arena_alloc(p->a, n * sizeof *copy);
		memcpy(copy, vals, n * sizeof *copy);
		node->u.cycle.vals = copy;
		node->u.cycle.n = n;
		node->u.cycle.key = hg_arena_strndup(p->a, key.ptr, key.len);
		node->u.cycle.keylen = (uint32_t)key.len;
	}
	hg_buf_release(&key);
}

/* A tag argument with {{ }} in it (an include name, a link path) is parsed as a small
 * template of its own and rendered when the tag is. */
static lq_body sub_template(parser *p, size_t a, size_t b)
{
	size_t pos = p->pos, end = p->end;
	bool trim = p->trim_next;
	p->pos = a;
	p->end = b;
	p->trim_next = false;
	ltok stop;
	lq_body body = parse_body(p, NULL, &stop);
	p->pos = pos;
	p->end = end;
	p->trim_next = trim;
	return body;
}

static bool has_output(const char *s, size_t a, size_t b)
{
	return find2(s, a, b, '{', '{') != SIZE_MAX;
}

/* An include's parameters, `key=value key2="text"`, between from and to; false after a
 * parse error. */
static bool include_params(parser *p, size_t from, size_t to, const char *what, lq_include *inc)
{
	mp m;
	mp_init(&m, p->a, p, p->src, from, to, what);
	lq_param *ps = NULL;
	size_t n = 0, cap = 0;
	while (m.cur.kind != MT_END && mp_expect(&m, MT_IDENT)) {
		lq_param prm;
		prm.name = make_name(p, m.s + m.cur.off, m.cur.len);
		mp_next(&m);
		if (!mp_expect(&m, MT_EQ))
			break;
		mp_next(&m);
		prm.val = mp_expr(&m);
		if (!prm.val)
			break;
		HG_GROW(ps, cap, n + 1);
		ps[n++] = prm;
		if (m.cur.kind == MT_COMMA)
			mp_next(&m);
	}
	bool ok = mp_finish(&m);
	if (ok) {
		if (n) {
			lq_param *copy = hg_arena_alloc(p->a, n * sizeof *copy);
			memcpy(copy, ps, n * sizeof *copy);
			inc->params = copy;
		}
		inc->nparams = (uint32_t)n;
	}
	free(ps);
	return ok;
}

/* Jekyll's include: {% include name.html key=value key2="text" %}, where the name may be
 * built with {{ }}. Parameters become include.key inside it. include_cached (the
 * jekyll-include-cache plugin, which just-the-docs uses for its navigation) takes the same
 * arguments; see render_include for what it reuses. */
static void tag_include(parser *p, const ltok *t, nodevec *out)
{
	const char *s = p->src;
	size_t i = t->a;
	while (i < t->b && !is_space(s[i])) {
		if (s[i] == '{' && i + 1 < t->b && s[i + 1] == '{') {
			size_t j = find2(s, i + 2, t->b, '}', '}');
			i = j == SIZE_MAX ? t->b : j + 2;
		} else {
			i++;
		}
	}
	if (i == t->a) {
		perr(p, t->off, "'%.*s' needs a file name", (int)t->name_len, s + t->name);
		return;
	}
	lq_include *inc = hg_arena_zalloc(p->a, sizeof *inc);
	inc->cached = t->name_len == 14 && !memcmp(s + t->name, "include_cached", 14);
	inc->relative = t->name_len == 16 && !memcmp(s + t->name, "include_relative", 16);
	if (has_output(s, t->a, i)) {
		inc->dyn = sub_template(p, t->a, i);
		if (p->failed)
			return;
	} else {
		size_t a = t->a, b = i;
		if (b - a >= 2 && (s[a] == '"' || s[a] == '\'') && s[b - 1] == s[a]) {
			a++;
			b--;
		}
		if (leaves_folder(s + a, b - a)) {
			perr(p, t->a, "include '%.*s' leaves the include folders", (int)(b - a), s + a);
			return;
		}
		inc->name = hg_arena_strndup(p->a, s + a, b - a);
		inc->len = (uint32_t)(b - a);
	}
	if (include_params(p, i, t->b, "'include'", inc))
		push_node(p, out, N_INCLUDE, t->off)->u.inc = inc;
}

/* The two plugin tags GitHub Pages runs on every site and most Jekyll layouts call in their
 * <head>: `{% seo %}` (jekyll-seo-tag) writes the title, description, canonical link and
 * Open Graph tags; `{% feed_meta %}` (jekyll-feed) links the Atom feed, which hubgen writes
 * when the site has posts. Each is a small built-in template rendered like an include, so
 * `{% seo title=false %}` works as in the plugin (include.title). */
static const char seo_src[] =
    "{% assign hg_seo_site = site.title | default: site.name %}"
    "{% if include.title != false %}<title>{% if page.title and page.title != hg_seo_site %}"
    "{{ page.title | strip_html | normalize_whitespace | escape }}{% if hg_seo_site %} | {% endif %}{% endif %}"
    "{{ hg_seo_site | escape }}</title>\n{% endif %}"
    "<meta name=\"generator\" content=\"hubgen\">\n"
    "<meta property=\"og:title\" content=\"{{ page.title | default: hg_seo_site | strip_html | normalize_whitespace | escape }}\">\n"
    "{% assign hg_seo_desc = page.description | default: page.summary | default: site.description %}"
    "{% if hg_seo_desc %}<meta name=\"description\" content=\"{{ hg_seo_desc | strip_html | normalize_whitespace | escape }}\">\n"
    "<meta property=\"og:description\" content=\"{{ hg_seo_desc | strip_html | normalize_whitespace | escape }}\">\n{% endif %}"
    "<link rel=\"canonical\" href=\"{{ page.url | absolute_url }}\">\n"
    "<meta property=\"og:url\" content=\"{{ page.url | absolute_url }}\">\n"
    "{% if hg_seo_site %}<meta property=\"og:site_name\" content=\"{{ hg_seo_site | escape }}\">\n{% endif %}"
    "<meta property=\"og:type\" content=\"{% if page.date %}article{% else %}website{% endif %}\">";
static const char feed_meta_src[] =
    "{% if site.posts.size > 0 %}<link type=\"application/atom+xml\" rel=\"alternate\" "
    "href=\"{{ '/feed.xml' | relative_url }}\" title=\"{{ site.title | default: site.name | escape }}\">{% endif %}";

static void tag_plugin(parser *p, const ltok *t, nodevec *out)
{
	bool seo = tok_is(p, t, "seo");
	lq_include *inc = hg_arena_zalloc(p->a, sizeof *inc);
	inc->name = seo ? "(built-in seo)" : "(built-in feed_meta)";
	inc->len = (uint32_t)strlen(inc->name);
	if (!include_params(p, t->a, t->b, seo ? "'seo'" : "'feed_meta'", inc))
		return;
	inc->fixed = seo ? hg_liquid_parse(p->a, seo_src, sizeof seo_src - 1, inc->name, 1, p->d)
			 : hg_liquid_parse(p->a, feed_meta_src, sizeof feed_meta_src - 1, inc->name, 1, p->d);
	if (!inc->fixed) {
		p->failed = true;
		return;
	}
	push_node(p, out, N_INCLUDE, t->off)->u.inc = inc;
}

static void tag_link(parser *p, const ltok *t, nodevec *out)
{
	if (t->a == t->b) {
		perr(p, t->off, "'%.*s' needs an argument", (int)t->name_len, p->src + t->name);
		return;
	}
	lq_node *n = push_node(p, out, tok_is(p, t, "link") ? N_LINK : N_POST_URL, t->off);
	if (has_output(p->src, t->a, t->b)) {
		n->u.link.dyn = sub_template(p, t->a, t->b);
	} else {
		n->u.link.arg = hg_arena_strndup(p->a, p->src + t->a, t->b - t->a);
		n->u.link.len = (uint32_t)(t->b - t->a);
	}
}

static void tag_highlight(parser *p, const ltok *t, nodevec *out)
{
	static const char *const stops[] = {"endhighlight", NULL};
	size_t i = t->a;
	while (i < t->b && !is_space(p->src[i]))
		i++;
	if (i == t->a) {
		perr(p, t->off, "'highlight' needs a language");
		return;
	}
	if (!open_block(p, t, stops))
		return;
	ltok end;
	lq_body body;
	if (block_body(p, t, stops, &body, &end)) {
		lq_node *n = push_node(p, out, N_HIGHLIGHT, t->off);
		n->u.hl.lang = hg_arena_strndup(p->a, p->src + t->a, i - t->a);
		n->u.hl.len = (uint32_t)(i - t->a);
		n->u.hl.body = body;
	}
	p->depth--;
}

static void tag_raw(parser *p, const ltok *t, nodevec *out)
{
	size_t a, b;
	if (scan_raw(p, t->off, &a, &b) && a < b) {
		lq_node *n = push_node(p, out, N_TEXT, a);
		n->u.text.p = p->src + a;
		n->u.text.len = b - a;
	}
}

/* A comment's body is skipped, not parsed: only comment, endcomment and raw count. */
static void tag_comment(parser *p, const ltok *t, nodevec *out)
{
	unsigned depth = 1;
	for (;;) {
		ltok u;
		if (!lex(p, &u))
			return;
		if (u.kind == LT_EOF) {
			never_closed(p, t);
			return;
		}
		if (tok_is(p, &u, "comment")) {
			depth++;
		} else if (tok_is(p, &u, "endcomment")) {
			if (--depth == 0)
				return;
		} else if (tok_is(p, &u, "raw")) {
			size_t a, b;
			if (!scan_raw(p, u.off, &a, &b))
				return;
		}
	}
}

static void tag_echo(parser *p, const ltok *t, nodevec *out)
{
	mp m;
	mp_init(&m, p->a, p, p->src, t->a, t->b, "'echo'");
	const lq_chain *c = mp_chain(&m);
	mp_end(&m);
	if (mp_finish(&m))
		push_node(p, out, N_OUTPUT, t->off)->u.out = c;
}

static void tag_break(parser *p, const ltok *t, nodevec *out)
{
	push_node(p, out, tok_is(p, t, "break") ? N_BREAK : N_CONTINUE, t->off);
}

static void tag_inline_comment(parser *p, const ltok *t, nodevec *out) {}

typedef struct lq_tag {
	const char *name;
	void (*parse)(parser *p, const ltok *t, nodevec *out);
} lq_tag;

static const lq_tag tags[] = {
    {"if", tag_if},
    {"unless", tag_if},
    {"case", tag_case},
    {"for", tag_for},
    {"tablerow", tag_for},
    {"break", tag_break},
    {"continue", tag_break},
    {"assign", tag_assign},
    {"capture", tag_capture},
    {"increment", tag_counter},
    {"decrement", tag_counter},
    {"cycle", tag_cycle},
    {"include", tag_include},
    {"include_cached", tag_include},
    {"include_relative", tag_include},
    {"link", tag_link},
    {"post_url", tag_link},
    {"seo", tag_plugin},
    {"feed_meta", tag_plugin},
    {"highlight", tag_highlight},
    {"raw", tag_raw},
    {"comment", tag_comment},
    {"echo", tag_echo},
    {"#", tag_inline_comment},
};

static const char *const block_tags[] = {"if",      "unless", "case",    "for",       "tablerow",
                                         "capture", "raw",    "comment", "highlight", NULL};

/* A tag that only makes sense inside a block, found outside one (or inside the wrong one). */
static void stray_tag(parser *p, const ltok *t)
{
	const char *name = p->src + t->name;
	int n = (int)t->name_len;
	for (unsigned i = p->depth; i-- > 0;) {
		if (!in_list(p->open[i].stops, name, t->name_len))
			continue;
		const lq_open *o = &p->open[p->depth - 1];
		const char *const *last = o->stops;
		while (last[1])
			last++;
		perr(p, o->off, "'%.*s' is never closed", (int)o->len, o->name);
		uint32_t line, col;
		locate(p, t->off, &line, &col);
		if (p->d)
			hg_diag_note(p->d, "hint: expected '%s' before '%.*s' at %u:%u", *last, n, name, line, col);
		return;
	}
	if (hg_mem_eq(name, t->name_len, "else"))
		perr(p, t->off, "unexpected 'else'");
	else if (hg_mem_eq(name, t->name_len, "elsif"))
		perr(p, t->off, "'elsif' without 'if'");
	else if (hg_mem_eq(name, t->name_len, "when"))
		perr(p, t->off, "'when' without 'case'");
	else if (t->name_len > 3 && memcmp(name, "end", 3) == 0 && in_list(block_tags, name + 3, t->name_len - 3))
		perr(p, t->off, "'%.*s' without '%.*s'", n, name, n - 3, name + 3);
	else
		perr(p, t->off, "unknown tag '%.*s'", n, name);
}

static lq_body parse_body(parser *p, const char *const *stops, ltok *end)
{
	nodevec v = {0};
	end->kind = LT_EOF;
	while (!p->failed) {
		ltok t;
		if (!lex(p, &t))
			break;
		if (t.kind == LT_EOF) {
			*end = t;
			break;
		}
		if (t.kind == LT_TEXT) {
			lq_node *n = push_node(p, &v, N_TEXT, t.off);
			n->u.text.p = p->src + t.a;
			n->u.text.len = t.b - t.a;
			continue;
		}
		if (t.kind == LT_OUTPUT) {
			if (t.a == t.b)
				continue;
			mp m;
			mp_init(&m, p->a, p, p->src, t.a, t.b, "output");
			const lq_chain *c = mp_chain(&m);
			mp_end(&m);
			if (mp_finish(&m))
				push_node(p, &v, N_OUTPUT, t.off)->u.out = c;
			continue;
		}
		if (in_list(stops, p->src + t.name, t.name_len)) {
			*end = t;
			break;
		}
		const lq_tag *tag = NULL;
		for (size_t i = 0; i < HG_ARRAY_LEN(tags); i++)
			if (hg_mem_eq(p->src + t.name, t.name_len, tags[i].name)) {
				tag = &tags[i];
				break;
			}
		if (tag)
			tag->parse(p, &t, &v);
		else
			stray_tag(p, &t);
	}
	return finish_body(p, &v);
}

hg_template *hg_liquid_parse(hg_arena *a, const char *src, size_t len, const char *path, unsigned first_line,
                             hg_diags *d)
{
	parser p;
	memset(&p, 0, sizeof p);
	p.a = a;
	p.d = d;
	p.path = hg_arena_strdup(a, path ? path : "");
	p.src = hg_arena_strndup(a, src, len);
	p.end = len;
	p.first_line = first_line ? first_line : 1;
	size_t cap = 0;
	HG_GROW(p.lines, cap, 1);
	p.lines[p.nlines++] = 0;
	for (const char *q = p.src; (q = memchr(q, '\n', len - (size_t)(q - p.src))) != NULL; q++) {
		HG_GROW(p.lines, cap, p.nlines + 1);
		p.lines[p.nlines++] = (size_t)(q - p.src) + 1;
	}
	ltok end;
	lq_body body = parse_body(&p, NULL, &end);
	free(p.lines);
	if (p.failed)
		return NULL;
	hg_template *t = hg_arena_zalloc(a, sizeof *t);
	t->path = p.path;
	t->body = body;
	return t;
}

bool hg_liquid_is_plain(const char *src, size_t len)
{
	return find2(src, 0, len, '{', '{') == SIZE_MAX && find2(src, 0, len, '{', '%') == SIZE_MAX;
}

/* ==== rendering: diagnostics and limits ==== */

static const hg_liquid_host no_host;
static hg_value empty_string = {.kind = HG_STRING, .as.s = {"", 0}};

hg_liquid_limits hg_liquid_default_limits(void)
{
	return (hg_liquid_limits){.max_include_depth = 32, .max_iterations = 1000000, .max_output = 64u << 20};
}

static void vdiag(lq_render *r, hg_severity sev, uint32_t line, uint32_t col, const char *fmt, va_list ap)
{
	if (!r->d)
		return;
	r->ndiags++;
	char *msg = hg_xvasprintf(fmt, ap);
	hg_diag_add(r->d, sev, r->path, line, col, "%s", msg);
	free(msg);
	for (size_t i = r->depth; i-- > 0;)
		hg_diag_note(r->d, "included from %s:%u:%u", r->frames[i].path, r->frames[i].line, r->frames[i].col);
}

void hg_lq_error(lq_render *r, uint32_t line, uint32_t col, const char *fmt, ...)
{
	if (r->failed)
		return;
	r->failed = true;
	va_list ap;
	va_start(ap, fmt);
	vdiag(r, HG_ERROR, line, col, fmt, ap);
	va_end(ap);
}

void hg_lq_warn_once(lq_render *r, const void *key, uint32_t line, uint32_t col, const char *fmt, ...)
{
	for (size_t i = 0; i < r->nwarned; i++)
		if (r->warned[i] == key)
			return;
	if (r->nwarned == LQ_MAX_WARNED)
		return;
	HG_GROW(r->warned, r->capwarned, r->nwarned + 1);
	r->warned[r->nwarned++] = key;
	va_list ap;
	va_start(ap, fmt);
	vdiag(r, HG_WARNING, line, col, fmt, ap);
	va_end(ap);
}

bool hg_lq_count_iterations(lq_render *r, uint64_t n, uint32_t line, uint32_t col)
{
	if (r->failed)
		return false;
	if (n > r->lim.max_iterations || r->iterations > r->lim.max_iterations - n) {
		hg_lq_error(r, line, col, "more than %llu loop iterations", (unsigned long long)r->lim.max_iterations);
		return false;
	}
	r->iterations += n;
	return true;
}

/* A render may take 64 steps for every loop iteration allowed, where a step is a tag
 * rendered, an item a filter walks or builds, 16 bytes of a string it reads or makes, or a
 * node of a list printed or compared; and it may hold four times its output limit in memory. So a
 * template that doubles a string in a loop, pushes onto a list a million times (quadratic:
 * push copies), or runs a where over a big list inside a big loop stops with an error
 * instead of running for hours. */
bool hg_lq_charge(lq_render *r, uint64_t units, uint32_t line, uint32_t col)
{
	if (r->failed)
		return false;
	r->work += units;
	if (r->work > r->budget || r->work < units) {
		hg_lq_error(r, line, col, "more than %llu steps of work in one render", (unsigned long long)r->budget);
		return false;
	}
	size_t used = hg_arena_used(r->scratch) - r->scratch_base + hg_arena_used(r->tmp);
	if (used / 4 > r->lim.max_output) {
		hg_lq_error(r, line, col, "template uses more than %zu bytes of memory", r->lim.max_output * 4);
		return false;
	}
	return true;
}

lq_size hg_lq_measure(const hg_value *v, uint64_t cap)
{
	lq_size s = {1, 0, 0};
	if (v->kind == HG_STRING) {
		s.steps += v->as.s.len >> 4;
		s.bytes = v->as.s.len;
	}
	if (v->kind != HG_LIST && v->kind != HG_MAP)
		return s;
	s.depth = 1;
	size_t len = v->kind == HG_LIST ? v->as.list.len : v->as.map.len;
	for (size_t i = 0; i < len && s.steps <= cap; i++) {
		const hg_value *x = v->kind == HG_LIST ? v->as.list.items[i] : v->as.map.entries[i].val;
		lq_size c = hg_lq_measure(x, cap - s.steps);
		s.steps += c.steps;
		s.bytes += c.bytes; /* cannot wrap: steps stop the walk first */
		if (c.depth + 1 > s.depth)
			s.depth = c.depth + 1;
	}
	if (s.steps > cap)
		s.steps = cap + 1;
	return s;
}

bool hg_lq_charge_value(lq_render *r, const hg_value *v, uint32_t line, uint32_t col, lq_size *size)
{
	lq_size s = {1, 0, 0};
	bool ok = !r->failed;
	if (ok && (v->kind == HG_LIST || v->kind == HG_MAP)) {
		s = hg_lq_measure(v, r->budget > r->work ? r->budget - r->work : 0);
		ok = hg_lq_charge(r, s.steps, line, col);
	} else if (v->kind == HG_STRING) {
		s.bytes = v->as.s.len;
	}
	if (size)
		*size = s;
	return ok;
}

/* Counts bytes written to the page or to a capture. */
static void account(lq_render *r, size_t n)
{
	r->emitted += n;
	if (r->emitted > r->lim.max_output)
		hg_lq_error(r, r->at_line, r->at_col, "output exceeds the limit of %zu bytes", r->lim.max_output);
}

static void emit(lq_render *r, const char *s, size_t n)
{
	hg_buf_add(r->out, s, n);
	account(r, n);
}

static void tmp_reset(lq_render *r)
{
	hg_arena_reset(r->tmp);
}

/* Before printing a value: a list of big strings could otherwise run far past the output
 * limit before account() sees it. */
static bool fits_output(lq_render *r, const hg_value *v, uint32_t line, uint32_t col)
{
	lq_size s;
	if (!hg_lq_charge_value(r, v, line, col, &s))
		return false;
	if (s.bytes > r->lim.max_output - (r->emitted < r->lim.max_output ? r->emitted : r->lim.max_output)) {
		hg_lq_error(r, line, col, "output exceeds the limit of %zu bytes", r->lim.max_output);
		return false;
	}
	return true;
}

/* ==== rendering: scopes and lookups ==== */

void hg_lq_push(lq_render *r, const char *name, size_t len, hg_value *v)
{
	HG_GROW(r->locals, r->caplocals, r->nlocals + 1);
	r->locals[r->nlocals++] = (lq_binding){name, (uint32_t)len, hg_lq_hash(name, len), v};
}

void hg_lq_pop(lq_render *r)
{
	r->nlocals--;
}

static void set_assign(lq_render *r, const lq_name *name, hg_value *v)
{
	for (size_t i = r->sealed ? r->seal_assigns : 0; i < r->nassigns; i++) {
		lq_binding *b = &r->assigns[i];
		if (b->hash == name->hash && b->len == name->len && memcmp(b->name, name->p, name->len) == 0) {
			b->val = v;
			return;
		}
	}
	HG_GROW(r->assigns, r->capassigns, r->nassigns + 1);
	r->assigns[r->nassigns++] = (lq_binding){name->p, name->len, name->hash, v};
}

/* Liquid's order: the innermost scope out to the assigns, then the counters of increment
 * and decrement, then the globals. */
static hg_value *find_name(lq_render *r, hg_arena *a, const char *name, uint32_t len, uint32_t hash)
{
	for (size_t i = r->nlocals; i-- > (r->sealed ? r->seal_locals : 0);) {
		const lq_binding *b = &r->locals[i];
		if (b->hash == hash && b->len == len && memcmp(b->name, name, len) == 0)
			return b->val;
	}
	for (size_t i = r->sealed ? r->seal_assigns : 0; i < r->nassigns; i++) {
		const lq_binding *b = &r->assigns[i];
		if (b->hash == hash && b->len == len && memcmp(b->name, name, len) == 0)
			return b->val;
	}
	for (size_t i = 0; i < r->ncounters && !r->sealed; i++) {
		const lq_counter *c = &r->counters[i];
		if (c->hash == hash && c->len == len && memcmp(c->name, name, len) == 0)
			return hg_value_int(a, c->n);
	}
	if (r->sealed && !(len == 4 && !memcmp(name, "site", 4)))
		return NULL; /* the page's globals are out of an include_cached's sight */
	return r->globals ? hg_map_getn(r->globals, name, len) : NULL;
}

static size_t utf8_char_end(const char *s, size_t n, size_t i)
{
	i++;
	while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
		i++;
	return i;
}

static hg_value *pair(hg_arena *a, const hg_map_entry *e)
{
	hg_value *l = hg_value_list(a);
	hg_list_push(a, l, hg_value_string_borrow(a, e->key, e->key_len));
	hg_list_push(a, l, e->val);
	return l;
}

/* .size, .first and .last, when a map has no key of that name. */
static hg_value *command(hg_arena *a, hg_value *v, const char *key, size_t len)
{
	bool size = hg_mem_eq(key, len, "size"), first = hg_mem_eq(key, len, "first"),
	     last = hg_mem_eq(key, len, "last");
	if (!size && !first && !last)
		return NULL;
	switch (v->kind) {
	case HG_LIST: {
		size_t n = v->as.list.len;
		if (size)
			return hg_value_int(a, (int64_t)n);
		if (!n)
			return &hg_null_value;
		return v->as.list.items[first ? 0 : n - 1];
	}
	case HG_MAP: {
		size_t n = v->as.map.len;
		if (size)
			return hg_value_int(a, (int64_t)n);
		if (!n)
			return &hg_null_value;
		return pair(a, &v->as.map.entries[first ? 0 : n - 1]);
	}
	case HG_STRING: {
		const char *s = v->as.s.ptr;
		size_t n = v->as.s.len;
		if (size)
			return hg_value_int(a, (int64_t)hg_lq_utf8_len(s, n));
		if (!n)
			return &hg_null_value;
		if (first)
			return hg_value_string(a, s, utf8_char_end(s, n, 0));
		size_t i = n - 1;
		while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
			i--;
		return hg_value_string(a, s + i, n - i);
	}
	default: return NULL;
	}
}

/* One step down a path; NULL when there is nothing there. */
static hg_value *apply_seg(lq_render *r, hg_arena *a, hg_value *v, const lq_seg *s)
{
	const char *key = s->key;
	size_t klen = s->len;
	int64_t idx = s->index;
	bool dot = s->dot;
	if (s->kind == LQ_SEG_EXPR) {
		hg_value *k = hg_lq_eval(r, a, s->expr);
		if (k->kind == HG_STRING) {
			key = k->as.s.ptr;
			klen = k->as.s.len;
			dot = false;
		} else if (k->kind == HG_INT) {
			idx = k->as.i;
			goto by_index;
		} else {
			return NULL;
		}
	} else if (s->kind == LQ_SEG_INDEX) {
		goto by_index;
	}
	if (v->kind == HG_MAP) {
		hg_value *x = hg_map_getn(v, key, klen);
		if (x || !dot)
			return x;
	}
	return dot ? command(a, v, key, klen) : NULL;
by_index:
	if (v->kind != HG_LIST)
		return NULL;
	if (idx < 0)
		idx += (int64_t)v->as.list.len;
	if (idx < 0 || idx >= (int64_t)v->as.list.len)
		return &hg_null_value;
	return v->as.list.items[idx];
}

static hg_value *loop_attr(hg_arena *a, const lq_loop *lp, const char *k, size_t n)
{
	int64_t i0 = lp->index0, len = lp->length;
	int64_t cols = lp->cols > 0 ? lp->cols : len;
	if (hg_mem_eq(k, n, "index"))
		return hg_value_int(a, i0 + 1);
	if (hg_mem_eq(k, n, "index0"))
		return hg_value_int(a, i0);
	if (hg_mem_eq(k, n, "rindex"))
		return hg_value_int(a, len - i0);
	if (hg_mem_eq(k, n, "rindex0"))
		return hg_value_int(a, len - i0 - 1);
	if (hg_mem_eq(k, n, "first"))
		return hg_value_bool(i0 == 0);
	if (hg_mem_eq(k, n, "last"))
		return hg_value_bool(i0 == len - 1);
	if (hg_mem_eq(k, n, "length"))
		return hg_value_int(a, len);
	if (lp->cols < 0) /* a for loop */
		return hg_mem_eq(k, n, "name") ? hg_value_cstr(a, lp->name) : NULL;
	if (hg_mem_eq(k, n, "col"))
		return hg_value_int(a, i0 % cols + 1);
	if (hg_mem_eq(k, n, "col0"))
		return hg_value_int(a, i0 % cols);
	if (hg_mem_eq(k, n, "row"))
		return hg_value_int(a, i0 / cols + 1);
	if (hg_mem_eq(k, n, "col_first"))
		return hg_value_bool(i0 % cols == 0);
	if (hg_mem_eq(k, n, "col_last"))
		return hg_value_bool(i0 % cols == cols - 1);
	return NULL;
}

/* {{ forloop }} on its own: the object as a map (parentloop as deep as values may nest). */
static hg_value *loop_map(hg_arena *a, const lq_loop *lp, unsigned depth)
{
	static const char *const keys[] = {"name",    "length", "index", "index0", "rindex",
	                                   "rindex0", "first",  "last",  NULL};
	hg_value *m = hg_value_map(a);
	for (const char *const *k = keys; *k; k++) {
		hg_value *v = loop_attr(a, lp, *k, strlen(*k));
		if (v)
			hg_map_set(a, m, *k, v);
	}
	bool parent = lp->parent && depth + 1 < LQ_MAX_VALUE_DEPTH;
	hg_map_set(a, m, "parentloop", parent ? loop_map(a, lp->parent, depth + 1) : &hg_null_value);
	return m;
}

static hg_value *eval_var(lq_render *r, hg_arena *a, const lq_expr *e)
{
	uint32_t i = 0, n = e->u.var.nsegs;
	const lq_seg *segs = e->u.var.segs;
	const lq_loop *lp = e->special == LQ_FORLOOP ? r->loop : e->special == LQ_TABLEROWLOOP ? r->tloop : NULL;
	hg_value *v;
	if (lp) {
		for (;;) {
			if (i == n) {
				v = loop_map(a, lp, 0);
				break;
			}
			const lq_seg *s = &segs[i++];
			if (s->kind != LQ_SEG_KEY) {
				v = NULL;
				break;
			}
			if (hg_mem_eq(s->key, s->len, "parentloop")) {
				lp = lp->parent;
				if (!lp) {
					v = &hg_null_value;
					break;
				}
				continue;
			}
			v = loop_attr(a, lp, s->key, s->len);
			break;
		}
	} else {
		v = find_name(r, a, e->u.var.name, e->u.var.len, e->u.var.hash);
	}
	for (; v && i < n && !r->failed; i++)
		v = apply_seg(r, a, v, &segs[i]);
	if (!v) {
		if (r->host->strict_variables && !e->tested)
			hg_lq_warn_once(r, e, e->line, e->col, "undefined variable '%s'", e->u.var.text);
		return &hg_null_value;
	}
	return v;
}

static bool range_bounds(lq_render *r, hg_arena *a, const lq_expr *e, int64_t *lo, int64_t *hi)
{
	*lo = hg_lq_to_integer(hg_lq_eval(r, a, e->u.range.lo));
	*hi = hg_lq_to_integer(hg_lq_eval(r, a, e->u.range.hi));
	return !r->failed;
}

static uint64_t range_count(int64_t lo, int64_t hi)
{
	return hi < lo ? 0 : (uint64_t)hi - (uint64_t)lo + 1;
}

hg_value *hg_lq_eval(lq_render *r, hg_arena *a, const lq_expr *e)
{
	if (r->failed)
		return &hg_null_value;
	switch (e->kind) {
	case LQ_LIT: return e->u.lit;
	case LQ_VAR: return eval_var(r, a, e);
	case LQ_EMPTY:
	case LQ_BLANK: return &empty_string;
	case LQ_RANGE: {
		int64_t lo, hi;
		if (!range_bounds(r, a, e, &lo, &hi))
			return &hg_null_value;
		uint64_t n = range_count(lo, hi);
		/* a range costs what looping over it would */
		if (!hg_lq_count_iterations(r, n, e->line, e->col))
			return &hg_null_value;
		hg_value *l = hg_value_list(a);
		if (n) {
			l->as.list.items = hg_arena_alloc(a, n * sizeof *l->as.list.items);
			l->as.list.cap = l->as.list.len = n;
			for (uint64_t k = 0; k < n; k++)
				l->as.list.items[k] = hg_value_int(a, lo + (int64_t)k);
		}
		return l;
	}
	}
	return &hg_null_value;
}

hg_value *hg_lq_eval_chain(lq_render *r, hg_arena *a, const lq_chain *c)
{
	hg_value *v = hg_lq_eval(r, a, c->base);
	for (uint32_t i = 0; i < c->nfilters && !r->failed; i++) {
		const lq_filter *f = &c->filters[i];
		if (f->id < 0) {
			if (r->host->strict_filters)
				hg_lq_error(r, f->line, f->col, "unknown filter '%s'", f->name);
			else
				hg_lq_warn_once(r, f, f->line, f->col, "unknown filter '%s'", f->name);
			continue;
		}
		hg_value *args[LQ_MAX_ARGS], *kw[LQ_MAX_ARGS];
		for (unsigned k = 0; k < f->nargs; k++)
			args[k] = hg_lq_eval(r, a, f->args[k]);
		for (unsigned k = 0; k < f->nkw; k++)
			kw[k] = hg_lq_eval(r, a, f->kw_vals[k]);
		if (r->failed)
			break;
		lq_call call = {r, a, f, v, args, f->nargs, kw};
		v = hg_lq_filter_apply(&call);
	}
	return r->failed ? &hg_null_value : v;
}

/* ==== conditions ==== */

static bool is_blank(const hg_value *v)
{
	switch (v->kind) {
	case HG_NULL: return true;
	case HG_BOOL: return !v->as.b;
	case HG_STRING:
		for (size_t i = 0; i < v->as.s.len; i++)
			if (!is_space(v->as.s.ptr[i]))
				return false;
		return true;
	case HG_LIST: return v->as.list.len == 0;
	case HG_MAP: return v->as.map.len == 0;
	default: return false;
	}
}

static size_t container_len(const hg_value *v)
{
	return v->kind == HG_LIST ? v->as.list.len : v->kind == HG_MAP ? v->as.map.len : SIZE_MAX;
}

/* `x == empty` asks whether x is empty (nil is not); `x == blank` whether it is blank.
 * Comparing two lists or maps of the same length walks them, and is charged for. */
static bool values_equal(lq_render *r, const lq_expr *le, hg_value *l, const lq_expr *re, hg_value *rv)
{
	if (le->kind == LQ_EMPTY)
		return hg_value_is_empty(rv);
	if (le->kind == LQ_BLANK)
		return is_blank(rv);
	if (re->kind == LQ_EMPTY)
		return hg_value_is_empty(l);
	if (re->kind == LQ_BLANK)
		return is_blank(l);
	if (l->kind == rv->kind && container_len(l) == container_len(rv) && container_len(l) != SIZE_MAX &&
	    !hg_lq_charge_value(r, l, le->line, le->col, NULL))
		return false;
	if (l->kind == HG_STRING && rv->kind == HG_STRING && l->as.s.len == rv->as.s.len &&
	    !hg_lq_charge(r, l->as.s.len >> 4, le->line, le->col))
		return false;
	return hg_value_equal(l, rv);
}

static size_t find_bytes(const char *h, size_t hn, const char *n, size_t nn)
{
	if (!nn)
		return 0;
	for (size_t i = 0; i + nn <= hn; i++) {
		const char *q = memchr(h + i, n[0], hn - nn - i + 1);
		if (!q)
			break;
		i = (size_t)(q - h);
		if (memcmp(q, n, nn) == 0)
			return i;
	}
	return SIZE_MAX;
}

static bool contains(lq_render *r, const lq_cmp *c, hg_value *l, hg_value *rv)
{
	if (!hg_value_truthy(l) || !hg_value_truthy(rv))
		return false;
	switch (l->kind) {
	case HG_STRING: {
		if (!hg_lq_charge_value(r, rv, c->right->line, c->right->col, NULL) ||
		    !hg_lq_charge(r, l->as.s.len >> 4, c->left->line, c->left->col))
			return false;
		hg_buf needle = HG_BUF_INIT;
		hg_lq_to_s(&needle, rv);
		bool found = find_bytes(l->as.s.ptr, l->as.s.len, needle.ptr, needle.len) != SIZE_MAX;
		hg_buf_release(&needle);
		return found;
	}
	case HG_LIST: {
		/* each comparison costs at most the size of rv */
		uint64_t n = l->as.list.len ? l->as.list.len : 1;
		uint64_t left = r->budget > r->work ? r->budget - r->work : 0;
		uint64_t each = hg_lq_measure(rv, left / n).steps;
		if (!hg_lq_charge(r, each * n, c->left->line, c->left->col))
			return false;
		for (size_t i = 0; i < l->as.list.len; i++)
			if (hg_value_equal(l->as.list.items[i], rv))
				return true;
		return false;
	}
	case HG_MAP: return rv->kind == HG_STRING && hg_map_getn(l, rv->as.s.ptr, rv->as.s.len) != NULL;
	default: return false;
	}
}

static const char *kind_name(const hg_value *v)
{
	switch (v->kind) {
	case HG_INT:
	case HG_FLOAT: return "a number";
	case HG_STRING: return "a string";
	case HG_TIME: return "a date";
	default: return "a value";
	}
}

static bool eval_cmp(lq_render *r, hg_arena *a, const lq_cmp *c)
{
	hg_value *l = hg_lq_eval(r, a, c->left);
	if (!c->op)
		return hg_value_truthy(l);
	hg_value *rv = hg_lq_eval(r, a, c->right);
	switch (c->op) {
	case LQ_OP_EQ: return values_equal(r, c->left, l, c->right, rv);
	case LQ_OP_NE: return !values_equal(r, c->left, l, c->right, rv) && !r->failed;
	case LQ_OP_CONTAINS: return contains(r, c, l, rv);
	default: break;
	}
	/* Ruby: nil, true and false have no <, and Liquid refuses to order hashes and lists */
	for (int k = 0; k < 2; k++) {
		hg_kind kind = (k ? rv : l)->kind;
		if (kind == HG_NULL || kind == HG_BOOL || kind == HG_MAP || kind == HG_LIST)
			return false;
	}
	bool ok;
	int cmp = hg_value_compare(l, rv, &ok);
	if (!ok) {
		static const char *const ops[] = {"", "==", "!=", "<", ">", "<=", ">="};
		hg_lq_error(r, c->left->line, c->left->col, "cannot compare %s with %s using '%s'", kind_name(l),
		            kind_name(rv), ops[c->op]);
		return false;
	}
	switch (c->op) {
	case LQ_OP_LT: return cmp < 0;
	case LQ_OP_GT: return cmp > 0;
	case LQ_OP_LE: return cmp <= 0;
	default: return cmp >= 0;
	}
}

bool hg_lq_eval_cond(lq_render *r, hg_arena *a, const lq_cond *c)
{
	bool res = false;
	for (uint32_t i = 0; i < c->n; i++) {
		res = eval_cmp(r, a, &c->cmps[i]);
		if (r->failed)
			return false;
		if (i + 1 == c->n || (c->ors[i] ? res : !res))
			break;
	}
	return res;
}

/* ==== rendering: nodes ==== */

static void render_body(lq_render *r, lq_body b);

static void render_into(lq_render *r, lq_body b, hg_buf *buf)
{
	hg_buf *saved = r->out;
	r->out = buf;
	render_body(r, b);
	r->out = saved;
}

static void render_output(lq_render *r, const lq_chain *c)
{
	hg_value *v = hg_lq_eval_chain(r, r->tmp, c);
	if (fits_output(r, v, r->at_line, r->at_col)) {
		size_t before = r->out->len;
		hg_value_to_text(r->out, v);
		account(r, r->out->len - before);
	}
	tmp_reset(r);
}

static void render_if(lq_render *r, const lq_node *n)
{
	for (uint32_t i = 0; i < n->u.ifs.n; i++) {
		const lq_branch *b = &n->u.ifs.br[i];
		bool ok = !b->cond || hg_lq_eval_cond(r, r->tmp, b->cond);
		tmp_reset(r);
		if (r->failed)
			return;
		if (ok != b->negate) {
			render_body(r, b->body);
			return;
		}
	}
}

/* Every matching when renders (Liquid 4 does not stop at the first); else renders only if
 * none has matched before it. */
static void render_case(lq_render *r, const lq_node *n)
{
	const lq_expr *se = n->u.cas.subject;
	hg_value *subject = hg_lq_eval(r, r->scratch, se);
	bool matched = false;
	for (uint32_t i = 0; i < n->u.cas.n && !r->failed && !r->interrupt; i++) {
		const lq_when *w = &n->u.cas.w[i];
		if (w->is_else) {
			if (!matched) {
				render_body(r, w->body);
				return;
			}
			continue;
		}
		for (uint32_t k = 0; k < w->n && !r->failed && !r->interrupt; k++) {
			hg_value *v = hg_lq_eval(r, r->tmp, w->vals[k]);
			bool eq = values_equal(r, se, subject, w->vals[k], v);
			tmp_reset(r);
			if (eq) {
				matched = true;
				render_body(r, w->body);
			}
		}
	}
}

/* What a for loop walks: a list, a map's [key, value] pairs, a range, or a single string. */
typedef struct lq_items {
	hg_value *v;
	int64_t lo; /* ranges */
	bool range;
	size_t n;
} lq_items;

static hg_value *item_at(lq_render *r, const lq_items *it, size_t i)
{
	if (it->range)
		return hg_value_int(r->scratch, it->lo + (int64_t)i);
	switch (it->v->kind) {
	case HG_LIST: return it->v->as.list.items[i];
	case HG_MAP: return pair(r->scratch, &it->v->as.map.entries[i]);
	default: return it->v;
	}
}

static bool loop_items(lq_render *r, const lq_for *f, lq_items *it, size_t *start, size_t *count)
{
	memset(it, 0, sizeof *it);
	if (f->coll->kind == LQ_RANGE) {
		int64_t lo, hi;
		if (!range_bounds(r, r->tmp, f->coll, &lo, &hi))
			return false;
		uint64_t n = range_count(lo, hi);
		it->range = true;
		it->lo = lo;
		/* more than the limit allows fails at the limit's iteration, not before */
		it->n = n > r->lim.max_iterations ? (size_t)r->lim.max_iterations + 1 : (size_t)n;
	} else {
		it->v = hg_lq_eval(r, r->scratch, f->coll);
		switch (it->v->kind) {
		case HG_LIST: it->n = it->v->as.list.len; break;
		case HG_MAP: it->n = it->v->as.map.len; break;
		case HG_STRING: it->n = it->v->as.s.len > 0; break;
		default: it->n = 0; break;
		}
	}
	int64_t from = 0, to = (int64_t)it->n;
	if (f->offset) {
		hg_value *v = hg_lq_eval(r, r->tmp, f->offset);
		if (v->kind != HG_NULL)
			from = hg_lq_to_integer(v);
	}
	if (f->limit) {
		hg_value *v = hg_lq_eval(r, r->tmp, f->limit);
		if (v->kind != HG_NULL) {
			int64_t lim = hg_lq_to_integer(v);
			to = lim > 0 && from > INT64_MAX - lim ? INT64_MAX : from + lim;
		}
	}
	tmp_reset(r);
	if (from < 0)
		from = 0;
	if (to > (int64_t)it->n)
		to = (int64_t)it->n;
	*start = (size_t)from;
	*count = to > from ? (size_t)(to - from) : 0;
	return !r->failed;
}

static void render_for(lq_render *r, const lq_node *n)
{
	const lq_for *f = n->u.fo;
	lq_items it;
	size_t start, count;
	if (!loop_items(r, f, &it, &start, &count))
		return;
	if (!count) {
		render_body(r, f->els);
		return;
	}
	lq_loop lp = {r->loop, f->name, 0, (int64_t)count, -1};
	const lq_loop *saved = r->loop;
	size_t slot = r->nlocals;
	hg_lq_push(r, f->var.p, f->var.len, &hg_null_value);
	r->loop = &lp;
	for (size_t k = 0; k < count; k++) {
		if (!hg_lq_count_iterations(r, 1, n->line, n->col))
			break;
		r->locals[slot].val = item_at(r, &it, f->reversed ? start + count - 1 - k : start + k);
		lp.index0 = (int64_t)k;
		render_body(r, f->body);
		if (r->failed)
			break;
		if (r->interrupt == LQ_BREAK) {
			r->interrupt = 0;
			break;
		}
		r->interrupt = 0;
	}
	r->loop = saved;
	r->nlocals = slot;
}

static void render_tablerow(lq_render *r, const lq_node *n)
{
	const lq_for *f = n->u.fo;
	lq_items it;
	size_t start, count;
	if (!loop_items(r, f, &it, &start, &count))
		return;
	int64_t cols = 0;
	if (f->cols) {
		cols = hg_lq_to_integer(hg_lq_eval(r, r->tmp, f->cols));
		tmp_reset(r);
	}
	lq_loop lp = {NULL, f->name, 0, (int64_t)count, cols > 0 ? cols : 0};
	const lq_loop *saved = r->tloop;
	size_t slot = r->nlocals;
	hg_lq_push(r, f->var.p, f->var.len, &hg_null_value);
	r->tloop = &lp;
	char tmp[64];
	emit(r, "<tr class=\"row1\">\n", 18);
	int64_t width = cols > 0 ? cols : (int64_t)count;
	for (size_t k = 0; k < count && !r->failed; k++) {
		if (!hg_lq_count_iterations(r, 1, n->line, n->col))
			break;
		r->locals[slot].val = item_at(r, &it, start + k);
		lp.index0 = (int64_t)k;
		int len = snprintf(tmp, sizeof tmp, "<td class=\"col%lld\">", (long long)((int64_t)k % width + 1));
		emit(r, tmp, (size_t)len);
		render_body(r, f->body);
		emit(r, "</td>", 5);
		if (r->interrupt == LQ_BREAK) {
			r->interrupt = 0;
			break;
		}
		r->interrupt = 0;
		if (cols > 0 && (int64_t)k % cols == cols - 1 && k + 1 < count) {
			len = snprintf(tmp, sizeof tmp, "</tr>\n<tr class=\"row%lld\">",
			               (long long)((int64_t)k / cols + 2));
			emit(r, tmp, (size_t)len);
		}
	}
	emit(r, "</tr>\n", 6);
	r->tloop = saved;
	r->nlocals = slot;
}

static lq_counter *counter(lq_render *r, const lq_name *name)
{
	for (size_t i = 0; i < r->ncounters; i++) {
		lq_counter *c = &r->counters[i];
		if (c->hash == name->hash && c->len == name->len && memcmp(c->name, name->p, name->len) == 0)
			return c;
	}
	HG_GROW(r->counters, r->capcounters, r->ncounters + 1);
	lq_counter *c = &r->counters[r->ncounters++];
	*c = (lq_counter){name->p, name->len, name->hash, 0};
	return c;
}

static void render_counter(lq_render *r, const lq_node *n)
{
	lq_counter *c = counter(r, &n->u.counter);
	/* increment shows the value before, decrement the value after */
	int64_t shown = n->kind == N_INCREMENT ? c->n++ : --c->n;
	char tmp[32];
	int len = snprintf(tmp, sizeof tmp, "%lld", (long long)shown);
	emit(r, tmp, (size_t)len);
}

static void render_cycle(lq_render *r, const lq_node *n)
{
	hg_buf key = HG_BUF_INIT;
	if (n->u.cycle.group) {
		hg_buf_addc(&key, '\x1e'); /* group names and value lists never collide */
		hg_value_to_text(&key, hg_lq_eval(r, r->tmp, n->u.cycle.group));
	} else {
		hg_buf_add(&key, n->u.cycle.key, n->u.cycle.keylen);
	}
	lq_cycle *c = NULL;
	for (size_t i = 0; i < r->ncycles; i++)
		if (r->cycles[i].len == key.len && memcmp(r->cycles[i].key, key.ptr, key.len) == 0) {
			c = &r->cycles[i];
			break;
		}
	if (!c) {
		HG_GROW(r->cycles, r->capcycles, r->ncycles + 1);
		c = &r->cycles[r->ncycles++];
		c->len = key.len;
		c->key = hg_buf_detach(&key, NULL);
		c->n = 0;
	}
	hg_buf_release(&key);
	hg_value *v = hg_lq_eval(r, r->tmp, n->u.cycle.vals[c->n % n->u.cycle.n]);
	c->n++;
	if (fits_output(r, v, n->line, n->col)) {
		size_t before = r->out->len;
		hg_value_to_text(r->out, v);
		account(r, r->out->len - before);
	}
	tmp_reset(r);
}

/* A tag argument that may be built with {{ }}: rendered into buf, trimmed. */
static bool tag_arg(lq_render *r, const char *arg, size_t len, lq_body dyn, hg_buf *buf, const char **s, size_t *n)
{
	if (arg) {
		*s = arg;
		*n = len;
		return true;
	}
	render_into(r, dyn, buf);
	if (r->failed)
		return false;
	size_t a = 0, b = buf->len;
	while (a < b && is_space(buf->ptr[a]))
		a++;
	while (b > a && is_space(buf->ptr[b - 1]))
		b--;
	*s = buf->ptr + a;
	*n = b - a;
	return true;
}

static void render_include(lq_render *r, const lq_node *n)
{
	const lq_include *inc = n->u.inc;
	hg_buf buf = HG_BUF_INIT, key = HG_BUF_INIT;
	const char *name;
	size_t len;
	const hg_template *t = inc->fixed;
	if (t)
		goto found;
	if (!tag_arg(r, inc->name, inc->len, inc->dyn, &buf, &name, &len))
		goto done;
	if (!inc->name && leaves_folder(name, len)) {
		hg_lq_error(r, n->line, n->col, "include '%.*s' leaves the include folders", (int)len, name);
		goto done;
	}
	if (!len) {
		hg_lq_error(r, n->line, n->col, "include name is empty");
		goto done;
	}
	if (!(inc->relative ? r->host->find_relative != NULL : r->host->find_include != NULL)) {
		hg_lq_error(r, n->line, n->col, "'%s' is not available here", inc->relative ? "include_relative" : "include");
		goto done;
	}
	if (r->depth >= r->lim.max_include_depth) {
		hg_lq_error(r, n->line, n->col, "includes nested more than %u deep", r->lim.max_include_depth);
		goto done;
	}
	if (inc->relative) {
		/* Jekyll's include_relative: from the folder of the page being rendered */
		const hg_value *page = r->globals ? hg_map_get(r->globals, "page") : NULL;
		const char *page_path = hg_map_str(page, "path", NULL);
		if (!page_path) {
			hg_lq_error(r, n->line, n->col, "'include_relative' needs a page: page.path is not set");
			goto done;
		}
		size_t errors = hg_diags_count(r->d, HG_ERROR);
		t = r->host->find_relative(r->host->ud, page_path, name, len, r->scratch, r->d);
		if (!t) {
			if (hg_diags_count(r->d, HG_ERROR) == errors)
				hg_lq_error(r, n->line, n->col, "include_relative '%.*s' not found", (int)len, name);
			else
				r->failed = true;
			goto done;
		}
	} else {
		t = r->host->find_include(r->host->ud, name, len);
		if (!t) {
			hg_lq_error(r, n->line, n->col, "include '%.*s' not found", (int)len, name);
			goto done;
		}
	}
found:
	/* parameters are evaluated in the includer's scope, before the include's opens */
	hg_value *params = NULL;
	if (inc->nparams) {
		params = hg_value_map(r->scratch);
		for (uint32_t i = 0; i < inc->nparams && !r->failed; i++) {
			const lq_param *prm = &inc->params[i];
			/* Passing a value costs one step, whatever its size: it is not walked. (The
			 * include that walks it pays then; a template cannot build a value nested
			 * past LQ_MAX_VALUE_DEPTH, the filters that nest check on building; and a
			 * deep walk here, for every include of the site's navigation on every
			 * page, made builds quadratic in the number of pages.) */
			hg_value *v = hg_lq_eval(r, r->scratch, prm->val);
			hg_lq_charge(r, 1, n->line, n->col);
			hg_map_setn(r->scratch, params, prm->name.p, prm->name.len, v);
		}
		if (r->failed)
			goto done;
	}
	/* include_cached (issue 7): the output is rendered once per build for each key (the
	 * name and the parameters) and reused. Scalars go into the key by value (as JSON),
	 * lists and maps by identity: the navigation passes the same shared objects for every
	 * page of a section, and writing a section's tree into a key on every page would cost
	 * what the cache saves. As with jekyll-include-cache, what the include shows must come
	 * from its parameters; hubgen makes that so, where Jekyll leaves it to the author:
	 * inside, only `site`, the parameters and what the include binds itself are visible
	 * (not `page`, the layout's variables or the page's assigns), and its assigns end with
	 * it. So the output is the same whichever page renders it first, on whichever thread,
	 * and a build stays deterministic. Output that gave a message is not kept, so each page
	 * that reaches it gives the message. The theme's header and side navigation use it:
	 * ~20 and ~35 items rendered with filters on every page became one copy per section. */
	bool sealing = inc->cached;
	bool caching = sealing && r->host->cache_get && r->host->cache_put;
	if (caching) {
		hg_buf_add(&key, name, len);
		for (uint32_t i = 0; i < inc->nparams; i++) {
			const hg_value *v = hg_map_getn(params, inc->params[i].name.p, inc->params[i].name.len);
			hg_buf_addc(&key, '\0');
			hg_buf_add(&key, inc->params[i].name.p, inc->params[i].name.len);
			if (v && (v->kind == HG_LIST || v->kind == HG_MAP)) {
				hg_buf_addf(&key, "@%p", (const void *)v);
			} else {
				hg_buf_addc(&key, '=');
				hg_value_to_json(&key, v ? v : &hg_null_value);
			}
		}
		size_t before = r->out->len;
		if (r->host->cache_get(r->host->ud, key.ptr, key.len, r->out)) {
			account(r, r->out->len - before);
			goto done;
		}
	}
	size_t start = r->out->len;
	uint32_t diags_before = r->ndiags;
	bool outer_sealed = r->sealed;
	size_t outer_locals = r->seal_locals, outer_assigns = r->seal_assigns;
	if (sealing) {
		r->sealed = true;
		r->seal_locals = r->nlocals;
		r->seal_assigns = r->nassigns;
	}
	HG_GROW(r->frames, r->capframes, r->depth + 1);
	r->frames[r->depth++] = (lq_frame){r->path, n->line, n->col};
	size_t mark = r->nlocals;
	if (params)
		hg_lq_push(r, "include", 7, params);
	const char *saved = r->path;
	r->path = t->path;
	render_body(r, t->body);
	r->path = saved;
	r->nlocals = mark;
	r->depth--;
	if (sealing) {
		r->nassigns = r->seal_assigns;
		r->sealed = outer_sealed;
		r->seal_locals = outer_locals;
		r->seal_assigns = outer_assigns;
	}
	if (caching && !r->failed && r->ndiags == diags_before)
		r->host->cache_put(r->host->ud, key.ptr, key.len, r->out->ptr + start, r->out->len - start);
done:
	hg_buf_release(&key);
	hg_buf_release(&buf);
}

static void render_link(lq_render *r, const lq_node *n)
{
	bool is_link = n->kind == N_LINK;
	const char *tag = is_link ? "link" : "post_url";
	bool (*fn)(void *, const char *, size_t, hg_buf *) = is_link ? r->host->link : r->host->post_url;
	hg_buf buf = HG_BUF_INIT;
	const char *arg;
	size_t len;
	if (tag_arg(r, n->u.link.arg, n->u.link.len, n->u.link.dyn, &buf, &arg, &len)) {
		if (!fn) {
			hg_lq_error(r, n->line, n->col, "'%s' is not available here", tag);
		} else {
			size_t before = r->out->len;
			if (fn(r->host->ud, arg, len, r->out))
				account(r, r->out->len - before);
			else
				hg_lq_error(r, n->line, n->col, "'%s' target '%.*s' not found", tag, (int)len, arg);
		}
	}
	hg_buf_release(&buf);
}

/* Jekyll's markup around highlighted code, without the highlighting (no token spans): the
 * body, rendered as Liquid as Jekyll does, loses its leading and trailing newlines and is
 * escaped. Options after the language (linenos) are ignored. */
static void render_highlight(lq_render *r, const lq_node *n)
{
	hg_buf code = HG_BUF_INIT;
	render_into(r, n->u.hl.body, &code);
	if (!r->failed) {
		size_t a = 0, b = code.len;
		while (a < b && (code.ptr[a] == '\n' || code.ptr[a] == '\r'))
			a++;
		while (b > a && (code.ptr[b - 1] == '\n' || code.ptr[b - 1] == '\r'))
			b--;
		hg_buf *out = r->out;
		size_t before = out->len;
		hg_buf_adds(out, "<figure class=\"highlight\"><pre><code class=\"language-");
		size_t cls = out->len;
		hg_buf_add_html_escaped(out, n->u.hl.lang, n->u.hl.len);
		for (size_t i = cls; i < out->len; i++)
			if (out->ptr[i] == '+')
				out->ptr[i] = '-';
		hg_buf_adds(out, "\" data-lang=\"");
		hg_buf_add_html_escaped(out, n->u.hl.lang, n->u.hl.len);
		hg_buf_adds(out, "\">");
		/* as Rouge escapes: & < > only */
		for (size_t i = a; i < b; i++) {
			char ch = code.ptr[i];
			if (ch == '&')
				hg_buf_adds(out, "&amp;");
			else if (ch == '<')
				hg_buf_adds(out, "&lt;");
			else if (ch == '>')
				hg_buf_adds(out, "&gt;");
			else
				hg_buf_addc(out, ch);
		}
		hg_buf_adds(out, "</code></pre></figure>");
		account(r, out->len - before);
	}
	hg_buf_release(&code);
}

static void render_node(lq_render *r, const lq_node *n)
{
	r->at_line = n->line;
	r->at_col = n->col;
	if (++r->work > r->budget && !hg_lq_charge(r, 0, n->line, n->col))
		return;
	switch (n->kind) {
	case N_TEXT: emit(r, n->u.text.p, n->u.text.len); break;
	case N_OUTPUT: render_output(r, n->u.out); break;
	case N_IF: render_if(r, n); break;
	case N_CASE: render_case(r, n); break;
	case N_FOR: render_for(r, n); break;
	case N_TABLEROW: render_tablerow(r, n); break;
	case N_BREAK: r->interrupt = LQ_BREAK; break;
	case N_CONTINUE: r->interrupt = LQ_CONTINUE; break;
	case N_ASSIGN: {
		hg_value *v = hg_lq_eval_chain(r, r->scratch, n->u.assign.val);
		if (!r->failed)
			set_assign(r, &n->u.assign.name, v);
		break;
	}
	case N_CAPTURE: {
		hg_buf buf = HG_BUF_INIT;
		render_into(r, n->u.capture.body, &buf);
		if (!r->failed)
			set_assign(r, &n->u.capture.name, hg_value_string(r->scratch, buf.ptr, buf.len));
		hg_buf_release(&buf);
		break;
	}
	case N_INCREMENT:
	case N_DECREMENT: render_counter(r, n); break;
	case N_CYCLE: render_cycle(r, n); break;
	case N_INCLUDE: render_include(r, n); break;
	case N_LINK:
	case N_POST_URL: render_link(r, n); break;
	case N_HIGHLIGHT: render_highlight(r, n); break;
	}
}

static void render_body(lq_render *r, lq_body b)
{
	for (uint32_t i = 0; i < b.n && !r->failed && !r->interrupt; i++)
		render_node(r, &b.nodes[i]);
}

bool hg_liquid_render(const hg_template *t, const hg_value *globals, const hg_liquid_host *host,
                      const hg_liquid_limits *limits, hg_arena *scratch, hg_buf *out, hg_diags *d)
{
	lq_render r;
	memset(&r, 0, sizeof r);
	r.host = host ? host : &no_host;
	/* a limit left at 0 takes its default */
	r.lim = hg_liquid_default_limits();
	if (limits && limits->max_include_depth)
		r.lim.max_include_depth = limits->max_include_depth;
	if (limits && limits->max_iterations)
		r.lim.max_iterations = limits->max_iterations;
	if (limits && limits->max_output)
		r.lim.max_output = limits->max_output;
	hg_arena *own = scratch ? NULL : hg_arena_new();
	r.scratch = scratch ? scratch : own;
	r.scratch_base = hg_arena_used(r.scratch);
	r.budget = r.lim.max_iterations > UINT64_MAX / 64 ? UINT64_MAX : r.lim.max_iterations * 64;
	r.tmp = hg_arena_new();
	r.d = d;
	r.globals = (hg_value *)globals; /* only read */
	r.path = t->path;
	r.out = out;
	render_body(&r, t->body);
	free(r.locals);
	free(r.assigns);
	free(r.counters);
	for (size_t i = 0; i < r.ncycles; i++)
		free(r.cycles[i].key);
	free(r.cycles);
	free(r.frames);
	free(r.warned);
	hg_arena_free(r.tmp);
	hg_arena_free(own);
	return !r.failed;
}

bool hg_liquid_knows_tag(const char *name, size_t len)
{
	for (size_t i = 0; i < HG_ARRAY_LEN(tags); i++)
		if (hg_mem_eq(name, len, tags[i].name))
			return true;
	return false;
}

bool hg_liquid_knows_filter(const char *name, size_t len) { return hg_lq_filter_find(name, len) >= 0; }
