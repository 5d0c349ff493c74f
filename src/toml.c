/* toml.c — see toml.h. A recursive-descent reader over one buffer: `p->i` only moves
 * forward, every value is made where it is read, and the first error stops the parse. */
#include "toml.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

#define MAX_DEPTH 64     /* arrays and inline tables inside each other */
#define MAX_KEY_PARTS 64 /* a.b.c… */

typedef struct tp {
	hg_arena *a;
	const char *s;
	size_t n, i;
	const char *path;
	unsigned first_line;
	hg_diags *d;
	size_t *lines; /* offsets where lines start (heap) */
	size_t n_lines;
	unsigned depth;
	bool failed;
} tp;

static void locate(const tp *p, size_t off, unsigned *line, unsigned *col)
{
	size_t lo = 0, hi = p->n_lines;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->lines[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	*line = (unsigned)lo + p->first_line;
	*col = (unsigned)(off - p->lines[lo]) + 1;
}

static void fail(tp *p, size_t off, const char *fmt, ...) HG_PRINTF(3, 4);
static void fail(tp *p, size_t off, const char *fmt, ...)
{
	if (p->failed)
		return;
	p->failed = true;
	va_list ap;
	va_start(ap, fmt);
	char *msg = hg_xvasprintf(fmt, ap);
	va_end(ap);
	unsigned line, col;
	locate(p, off > p->n ? p->n : off, &line, &col);
	hg_diag_add(p->d, HG_ERROR, p->path, line, col, "%s", msg);
	free(msg);
}

static hg_value *at(tp *p, hg_value *v, size_t off)
{
	unsigned line, col;
	locate(p, off, &line, &col);
	v->line = line;
	v->col = col;
	return v;
}

static int peek(const tp *p, size_t k) { return p->i + k < p->n ? (unsigned char)p->s[p->i + k] : -1; }

static void skip_ws(tp *p)
{
	while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t'))
		p->i++;
}

static bool at_eol(const tp *p)
{
	return p->i >= p->n || p->s[p->i] == '\n' || (p->s[p->i] == '\r' && peek(p, 1) == '\n');
}

static void skip_comment(tp *p)
{
	if (p->i < p->n && p->s[p->i] == '#')
		while (p->i < p->n && p->s[p->i] != '\n')
			p->i++;
}

/* Blank lines, comments and newlines, as between the items of an array. */
static void skip_space(tp *p)
{
	for (;;) {
		skip_ws(p);
		skip_comment(p);
		if (p->i < p->n && p->s[p->i] == '\r' && peek(p, 1) == '\n')
			p->i += 2;
		else if (p->i < p->n && p->s[p->i] == '\n')
			p->i++;
		else
			return;
	}
}

static void add_utf8(hg_buf *b, unsigned long c)
{
	if (c < 0x80) {
		hg_buf_addc(b, (char)c);
	} else if (c < 0x800) {
		hg_buf_addc(b, (char)(0xc0 | (c >> 6)));
		hg_buf_addc(b, (char)(0x80 | (c & 0x3f)));
	} else if (c < 0x10000) {
		hg_buf_addc(b, (char)(0xe0 | (c >> 12)));
		hg_buf_addc(b, (char)(0x80 | ((c >> 6) & 0x3f)));
		hg_buf_addc(b, (char)(0x80 | (c & 0x3f)));
	} else {
		hg_buf_addc(b, (char)(0xf0 | (c >> 18)));
		hg_buf_addc(b, (char)(0x80 | ((c >> 12) & 0x3f)));
		hg_buf_addc(b, (char)(0x80 | ((c >> 6) & 0x3f)));
		hg_buf_addc(b, (char)(0x80 | (c & 0x3f)));
	}
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* ---- strings ---- */

/* A basic string's escape at p->i (the backslash); appends what it means. */
static bool escape(tp *p, hg_buf *b)
{
	size_t start = p->i++;
	if (p->i >= p->n) {
		fail(p, start, "a '\\' ends the file");
		return false;
	}
	char c = p->s[p->i++];
	switch (c) {
	case 'b': hg_buf_addc(b, '\b'); return true;
	case 't': hg_buf_addc(b, '\t'); return true;
	case 'n': hg_buf_addc(b, '\n'); return true;
	case 'f': hg_buf_addc(b, '\f'); return true;
	case 'r': hg_buf_addc(b, '\r'); return true;
	case 'e': hg_buf_addc(b, '\x1b'); return true;
	case '"': hg_buf_addc(b, '"'); return true;
	case '\\': hg_buf_addc(b, '\\'); return true;
	case 'u':
	case 'U': {
		int digits = c == 'u' ? 4 : 8;
		unsigned long v = 0;
		for (int k = 0; k < digits; k++) {
			int h = p->i < p->n ? hexval(p->s[p->i]) : -1;
			if (h < 0) {
				fail(p, start, "'\\%c' needs %d hexadecimal digits", c, digits);
				return false;
			}
			v = v * 16 + (unsigned long)h;
			p->i++;
		}
		if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff) || v == 0) {
			fail(p, start, "'\\%c%.*s' is not a character TOML allows", c, digits, p->s + start + 2);
			return false;
		}
		add_utf8(b, v);
		return true;
	}
	default:
		fail(p, start, "unknown escape '\\%c' in a string", c);
		return false;
	}
}

/* A control character (other than a tab) where a string cannot hold one. */
static bool control(tp *p, size_t off)
{
	unsigned char c = (unsigned char)p->s[off];
	if ((c < 0x20 && c != '\t') || c == 0x7f) {
		fail(p, off, "a control character (0x%02x) in a string; write it as an escape", c);
		return true;
	}
	return false;
}

/* A string of any of the four kinds at p->i (its opening quote), decoded into b. */
static bool string(tp *p, hg_buf *b)
{
	size_t start = p->i;
	char q = p->s[p->i];
	bool multi = peek(p, 1) == q && peek(p, 2) == q;
	p->i += multi ? 3 : 1;
	if (multi) { /* a newline right after the opening quotes is not part of it */
		if (p->i < p->n && p->s[p->i] == '\n')
			p->i++;
		else if (p->i + 1 < p->n && p->s[p->i] == '\r' && p->s[p->i + 1] == '\n')
			p->i += 2;
	}
	for (;;) {
		if (p->i >= p->n) {
			fail(p, start, "a string that is never closed");
			return false;
		}
		char c = p->s[p->i];
		if (c == q) {
			if (!multi) {
				p->i++;
				return true;
			}
			size_t k = 0;
			while (p->i + k < p->n && p->s[p->i + k] == q)
				k++;
			if (k >= 3) { /* up to two quotes may end the content */
				if (k > 5) {
					fail(p, p->i, "too many quotes in a row");
					return false;
				}
				hg_buf_add(b, p->s + p->i, k - 3);
				p->i += k;
				return true;
			}
			hg_buf_add(b, p->s + p->i, k);
			p->i += k;
			continue;
		}
		if (c == '\n' || (c == '\r' && peek(p, 1) == '\n')) {
			if (!multi) {
				fail(p, start, "a string that is never closed on its line");
				return false;
			}
			hg_buf_addc(b, '\n');
			p->i += c == '\r' ? 2 : 1;
			continue;
		}
		if (c == '\\' && q == '"') {
			if (multi) { /* a line-ending backslash: the newline and the spaces after go */
				size_t j = p->i + 1;
				while (j < p->n && (p->s[j] == ' ' || p->s[j] == '\t'))
					j++;
				if (j < p->n && (p->s[j] == '\n' || p->s[j] == '\r')) {
					while (j < p->n && (p->s[j] == ' ' || p->s[j] == '\t' || p->s[j] == '\n' || p->s[j] == '\r'))
						j++;
					p->i = j;
					continue;
				}
			}
			if (!escape(p, b))
				return false;
			continue;
		}
		if (control(p, p->i))
			return false;
		hg_buf_addc(b, c);
		p->i++;
	}
}

/* ---- keys ---- */

typedef struct key {
	const char *parts[MAX_KEY_PARTS];
	size_t len[MAX_KEY_PARTS];
	size_t n;
	size_t off; /* where the key starts */
} key;

static bool bare_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* A key, dotted or not, at p->i. */
static bool read_key(tp *p, key *k)
{
	k->n = 0;
	k->off = p->i;
	for (;;) {
		skip_ws(p);
		if (k->n == MAX_KEY_PARTS) {
			fail(p, p->i, "a key of more than %d parts", MAX_KEY_PARTS);
			return false;
		}
		size_t start = p->i;
		if (p->i < p->n && (p->s[p->i] == '"' || p->s[p->i] == '\'')) {
			if (peek(p, 1) == p->s[p->i] && peek(p, 2) == p->s[p->i]) {
				fail(p, start, "a key cannot be a multi-line string");
				return false;
			}
			hg_buf b = HG_BUF_INIT;
			if (!string(p, &b)) {
				hg_buf_release(&b);
				return false;
			}
			k->parts[k->n] = hg_arena_strndup(p->a, b.ptr, b.len);
			k->len[k->n++] = b.len;
			hg_buf_release(&b);
		} else {
			while (p->i < p->n && bare_char(p->s[p->i]))
				p->i++;
			if (p->i == start) {
				if (p->i >= p->n || at_eol(p))
					fail(p, start, "expected a key");
				else
					fail(p, start, "'%c' cannot start a key; quote the key", p->s[p->i]);
				return false;
			}
			k->parts[k->n] = hg_arena_strndup(p->a, p->s + start, p->i - start);
			k->len[k->n++] = p->i - start;
		}
		skip_ws(p);
		if (p->i < p->n && p->s[p->i] == '.') {
			p->i++;
			continue;
		}
		return true;
	}
}

/* The table under key part name in t, made when absent: for a table header (the last
 * element when it is an array of tables) and for the parts of a dotted key. */
static hg_value *subtable(tp *p, hg_value *t, const char *name, size_t len, size_t off)
{
	hg_value *v = hg_map_getn(t, name, len);
	if (!v) {
		v = at(p, hg_value_map(p->a), off);
		hg_map_setn(p->a, t, name, len, v);
		return v;
	}
	if (v->kind == HG_LIST && v->as.list.len && v->as.list.items[v->as.list.len - 1]->kind == HG_MAP)
		return v->as.list.items[v->as.list.len - 1];
	if (v->kind != HG_MAP) {
		fail(p, off, "'%.*s' is already a value, not a table", (int)len, name);
		return NULL;
	}
	return v;
}

/* ---- values ---- */

static hg_value *value(tp *p);

static bool date_like(const tp *p)
{
	size_t j = p->i, d = 0;
	while (j < p->n && p->s[j] >= '0' && p->s[j] <= '9' && d < 5) {
		j++;
		d++;
	}
	return (d == 4 && j < p->n && p->s[j] == '-') || (d == 2 && j < p->n && p->s[j] == ':');
}

static hg_value *date_value(tp *p)
{
	size_t start = p->i;
	while (p->i < p->n) {
		char c = p->s[p->i];
		if ((c >= '0' && c <= '9') || c == '-' || c == ':' || c == '.' || c == '+' || c == 'T' || c == 't' ||
		    c == 'Z' || c == 'z') {
			p->i++;
		} else if (c == ' ' && p->i + 1 < p->n && p->s[p->i + 1] >= '0' && p->s[p->i + 1] <= '9' &&
			   p->i - start == 10) {
			p->i++; /* "1979-05-27 07:32:00": a space may part the date and the time */
		} else {
			break;
		}
	}
	size_t len = p->i - start;
	hg_time t;
	if (hg_time_parse(p->s + start, len, &t))
		return at(p, hg_value_time(p->a, t), start);
	/* a time of day alone (07:32:00) has no date: it stays text */
	if (len >= 8 && p->s[start + 2] == ':' && p->s[start + 5] == ':')
		return at(p, hg_value_string(p->a, p->s + start, len), start);
	fail(p, start, "'%.*s' is not a date TOML allows", (int)(len > 40 ? 40 : len), p->s + start);
	return NULL;
}

static hg_value *number(tp *p)
{
	size_t start = p->i;
	while (p->i < p->n && (bare_char(p->s[p->i]) || p->s[p->i] == '.' || p->s[p->i] == '+'))
		p->i++;
	size_t len = p->i - start;
	const char *s = p->s + start;
	/* inf and nan, signed or not */
	size_t sign = len && (s[0] == '+' || s[0] == '-');
	if (len - sign == 3 && (!memcmp(s + sign, "inf", 3) || !memcmp(s + sign, "nan", 3))) {
		double f = s[sign] == 'i' ? (s[0] == '-' ? -INFINITY : INFINITY) : NAN;
		return at(p, hg_value_float(p->a, f), start);
	}
	/* digits without the underscores, which must sit between digits */
	char buf[128];
	size_t k = 0;
	int base = 10;
	size_t i = 0;
	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b')) {
		base = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : 2;
		i = 2;
	}
	bool is_float = false;
	for (; i < len; i++) {
		char c = s[i];
		if (c == '_') {
			if (!i || i + 1 >= len || hexval(s[i - 1]) < 0 || hexval(s[i + 1]) < 0) {
				fail(p, start + i, "an '_' in a number must sit between two digits");
				return NULL;
			}
			continue;
		}
		if (base == 10 && (c == '.' || c == 'e' || c == 'E'))
			is_float = true;
		if (k + 1 >= sizeof buf) {
			fail(p, start, "a number too long to read");
			return NULL;
		}
		buf[k++] = c;
	}
	buf[k] = '\0';
	if (!k) {
		fail(p, start, "expected a value");
		return NULL;
	}
	char *end;
	errno = 0;
	if (is_float) {
		double f = strtod(buf, &end);
		if (*end || errno == ERANGE) {
			fail(p, start, "'%.*s' is not a number", (int)(len > 40 ? 40 : len), s);
			return NULL;
		}
		return at(p, hg_value_float(p->a, f), start);
	}
	long long v = strtoll(buf, &end, base);
	if (*end || end == buf || (base != 10 && (buf[0] == '+' || buf[0] == '-'))) {
		if (len && ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
			fail(p, start, "'%.*s' is not a value: quote text, as \"%.*s\"", (int)(len > 40 ? 40 : len), s,
			     (int)(len > 40 ? 40 : len), s);
		else
			fail(p, start, "'%.*s' is not a number", (int)(len > 40 ? 40 : len), s);
		return NULL;
	}
	if (errno == ERANGE) {
		fail(p, start, "'%.*s' is too large for a whole number", (int)(len > 40 ? 40 : len), s);
		return NULL;
	}
	return at(p, hg_value_int(p->a, v), start);
}

static hg_value *array(tp *p)
{
	size_t start = p->i++;
	hg_value *list = at(p, hg_value_list(p->a), start);
	for (;;) {
		skip_space(p);
		if (p->i >= p->n) {
			fail(p, start, "an array that is never closed");
			return NULL;
		}
		if (p->s[p->i] == ']') {
			p->i++;
			return list;
		}
		hg_value *v = value(p);
		if (!v)
			return NULL;
		hg_list_push(p->a, list, v);
		skip_space(p);
		if (p->i >= p->n) {
			fail(p, start, "an array that is never closed");
			return NULL;
		}
		if (p->s[p->i] == ',') {
			p->i++;
			continue;
		}
		if (p->i < p->n && p->s[p->i] == ']') {
			p->i++;
			return list;
		}
		fail(p, p->i, "expected ',' or ']' in an array");
		return NULL;
	}
}

/* key = value into table t, the dotted parts making (or entering) tables. */
static bool key_value(tp *p, hg_value *t)
{
	key k;
	if (!read_key(p, &k))
		return false;
	if (p->i >= p->n || p->s[p->i] != '=') {
		fail(p, p->i, "expected '=' after the key");
		return false;
	}
	p->i++;
	skip_ws(p);
	for (size_t j = 0; j + 1 < k.n && t; j++)
		t = subtable(p, t, k.parts[j], k.len[j], k.off);
	if (!t)
		return false;
	if (at_eol(p) || (p->i < p->n && p->s[p->i] == '#')) {
		fail(p, p->i, "expected a value after '='");
		return false;
	}
	hg_value *v = value(p);
	if (!v)
		return false;
	hg_map_setn(p->a, t, k.parts[k.n - 1], k.len[k.n - 1], v);
	return true;
}

static hg_value *inline_table(tp *p)
{
	size_t start = p->i++;
	hg_value *t = at(p, hg_value_map(p->a), start);
	skip_space(p); /* newlines inside braces: TOML 1.1 allows them, and so do we */
	if (p->i < p->n && p->s[p->i] == '}') {
		p->i++;
		return t;
	}
	for (;;) {
		skip_space(p);
		if (p->i >= p->n) {
			fail(p, start, "an inline table that is never closed");
			return NULL;
		}
		if (!key_value(p, t))
			return NULL;
		skip_space(p);
		if (p->i >= p->n) {
			fail(p, start, "an inline table that is never closed");
			return NULL;
		}
		if (p->s[p->i] == ',') {
			p->i++;
			skip_space(p);
			if (p->i < p->n && p->s[p->i] == '}') { /* a trailing comma (TOML 1.1) */
				p->i++;
				return t;
			}
			continue;
		}
		if (p->i < p->n && p->s[p->i] == '}') {
			p->i++;
			return t;
		}
		fail(p, p->i, "expected ',' or '}' in an inline table");
		return NULL;
	}
}

static hg_value *value(tp *p)
{
	if (p->i >= p->n) {
		fail(p, p->i, "expected a value");
		return NULL;
	}
	if (p->depth >= MAX_DEPTH) {
		fail(p, p->i, "arrays and inline tables nested more than %d deep", MAX_DEPTH);
		return NULL;
	}
	size_t start = p->i;
	char c = p->s[p->i];
	hg_value *v = NULL;
	p->depth++;
	if (c == '"' || c == '\'') {
		hg_buf b = HG_BUF_INIT;
		if (string(p, &b))
			v = at(p, hg_value_string(p->a, b.ptr ? b.ptr : "", b.len), start);
		hg_buf_release(&b);
	} else if (c == '[') {
		v = array(p);
	} else if (c == '{') {
		v = inline_table(p);
	} else if (p->n - p->i >= 4 && !memcmp(p->s + p->i, "true", 4) &&
		   (p->i + 4 >= p->n || !bare_char(p->s[p->i + 4]))) {
		v = at(p, hg_value_new(p->a, HG_BOOL), start);
		v->as.b = true;
		p->i += 4;
	} else if (p->n - p->i >= 5 && !memcmp(p->s + p->i, "false", 5) &&
		   (p->i + 5 >= p->n || !bare_char(p->s[p->i + 5]))) {
		v = at(p, hg_value_new(p->a, HG_BOOL), start);
		v->as.b = false;
		p->i += 5;
	} else if (date_like(p)) {
		v = date_value(p);
	} else if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == 'i' || c == 'n') {
		v = number(p);
	} else {
		size_t e = p->i;
		while (e < p->n && e - p->i < 40 && p->s[e] != '\n' && p->s[e] != '\r')
			e++;
		fail(p, start, "'%.*s' is not a value: quote text, as \"…\"", (int)(e - p->i), p->s + p->i);
	}
	p->depth--;
	return v;
}

/* ---- the document ---- */

/* A table header, [a.b] or [[a.b]], at p->i: the table lines after it go into. */
static hg_value *header(tp *p, hg_value *root)
{
	size_t start = p->i;
	bool array_of = peek(p, 1) == '[';
	p->i += array_of ? 2 : 1;
	key k;
	if (!read_key(p, &k))
		return NULL;
	if (p->i >= p->n || p->s[p->i] != ']' || (array_of && peek(p, 1) != ']')) {
		fail(p, p->i, "expected '%s' to end the table's name", array_of ? "]]" : "]");
		return NULL;
	}
	p->i += array_of ? 2 : 1;
	hg_value *t = root;
	for (size_t j = 0; j + 1 < k.n && t; j++)
		t = subtable(p, t, k.parts[j], k.len[j], start);
	if (!t)
		return NULL;
	const char *last = k.parts[k.n - 1];
	size_t ll = k.len[k.n - 1];
	if (!array_of)
		return subtable(p, t, last, ll, start);
	hg_value *list = hg_map_getn(t, last, ll);
	if (!list) {
		list = at(p, hg_value_list(p->a), start);
		hg_map_setn(p->a, t, last, ll, list);
	} else if (list->kind != HG_LIST) {
		fail(p, start, "'%.*s' is already a %s, not an array of tables", (int)ll, last,
		     list->kind == HG_MAP ? "table" : "value");
		return NULL;
	}
	hg_value *item = at(p, hg_value_map(p->a), start);
	hg_list_push(p->a, list, item);
	return item;
}

hg_value *hg_toml_parse(hg_arena *a, const char *src, size_t len, const char *path, unsigned first_line,
			hg_diags *d)
{
	tp p = {.a = a, .s = src, .n = len, .path = path, .first_line = first_line ? first_line : 1, .d = d};
	size_t cap = 64;
	p.lines = hg_xmalloc(cap * sizeof *p.lines);
	p.lines[p.n_lines++] = 0;
	for (size_t i = 0; i < len; i++)
		if (src[i] == '\n') {
			HG_GROW(p.lines, cap, p.n_lines + 1);
			p.lines[p.n_lines++] = i + 1;
		}
	const char *nul = memchr(src, '\0', len);
	hg_value *root = hg_value_map(a);
	hg_value *cur = root;
	if (nul)
		fail(&p, (size_t)(nul - src), "a NUL byte in the file");
	while (!p.failed) {
		skip_space(&p);
		if (p.i >= p.n)
			break;
		if (p.s[p.i] == '[')
			cur = header(&p, root);
		else if (!key_value(&p, cur))
			break;
		if (p.failed || !cur)
			break;
		skip_ws(&p);
		skip_comment(&p);
		if (!at_eol(&p))
			fail(&p, p.i, "expected the end of the line, not '%c'", p.s[p.i]);
	}
	free(p.lines);
	return p.failed ? NULL : root;
}
