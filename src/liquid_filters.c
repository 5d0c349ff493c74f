/* liquid_filters.c — Liquid's standard filters and Jekyll's, as Jekyll 4 behaves.
 *
 * Every filter takes an lq_call (input, evaluated arguments, the arena for its result) and
 * returns a value, never NULL. Filters never write their input: lists are copied before
 * they are sorted or pushed onto. Where Jekyll replaces one of Liquid's filters (sort,
 * where, group_by…) Jekyll's version is the one here.
 *
 * Ruby semantics worth knowing when reading this file:
 * - filters see non-strings through Ruby's to_s, which prints a list as ["a", "b"];
 * - arithmetic on floats goes through BigDecimal, so 0.1 | plus: 0.2 is 0.3, and integer
 *   division floors (-7 | divided_by: 2 is -4);
 * - string lengths and offsets count characters, not bytes.
 */
#include "liquid_internal.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

/* ==== helpers ==== */

#define ARG(i) (c->nargs > (i) ? c->args[i] : NULL)

typedef struct text {
	const char *p; /* NUL-terminated */
	size_t n;
} text;

static bool is_space(unsigned char ch)
{
	return ch == ' ' || (ch >= '\t' && ch <= '\r');
}
static bool is_digit(unsigned char ch)
{
	return ch >= '0' && ch <= '9';
}
static bool is_alnum(unsigned char ch)
{
	return is_digit(ch) || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static hg_value *nil(void)
{
	return &hg_null_value;
}

static hg_value *str_val(lq_call *c, const char *s, size_t n)
{
	return hg_value_string(c->a, s, n);
}

static hg_value *buf_val(lq_call *c, hg_buf *b)
{
	hg_value *v = hg_value_string(c->a, b->ptr, b->len);
	hg_buf_release(b);
	return v;
}

static bool charge(lq_call *c, const hg_value *v);

/* v as Ruby's to_s gives it; strings without a copy. */
static text to_text(lq_call *c, const hg_value *v)
{
	if (!v || v->kind == HG_NULL)
		return (text){"", 0};
	if (v->kind == HG_STRING)
		return (text){v->as.s.ptr, v->as.s.len};
	if (!charge(c, v))
		return (text){"", 0};
	hg_buf b = HG_BUF_INIT;
	hg_lq_to_s(&b, v);
	text t = {hg_arena_strndup(c->a, b.ptr, b.len), b.len};
	hg_buf_release(&b);
	return t;
}

static void fail(lq_call *c, const char *fmt, ...) HG_PRINTF(2, 3);
static void fail(lq_call *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = hg_xvasprintf(fmt, ap);
	va_end(ap);
	hg_lq_error(c->r, c->f->line, c->f->col, "%s", msg);
	free(msg);
}

/* Filters whose result can outgrow their input many times over check it as they build. */
static bool too_long(lq_call *c, size_t len)
{
	if (len <= c->r->lim.max_output)
		return false;
	fail(c, "'%s' makes a string longer than the output limit of %zu bytes", c->f->name, c->r->lim.max_output);
	return true;
}

/* Filters that put a value inside a new list (push) or two (group_by) check how deep the
 * result nests, so that printing it can never recurse without bound. */
static bool check_depth(lq_call *c, const hg_value *v, unsigned extra)
{
	lq_size s;
	if (!hg_lq_charge_value(c->r, v, c->f->line, c->f->col, &s))
		return false;
	if (s.depth + extra <= LQ_MAX_VALUE_DEPTH)
		return true;
	fail(c, "'%s' would nest lists more than %d deep", c->f->name, LQ_MAX_VALUE_DEPTH);
	return false;
}

/* Charges for walking all of v (printing, comparing, flattening it); to print it, its
 * strings must also fit in the output limit. */
static bool charge(lq_call *c, const hg_value *v)
{
	lq_size s;
	return hg_lq_charge_value(c->r, v, c->f->line, c->f->col, &s) && !too_long(c, s.bytes);
}

static hg_value *list_of(lq_call *c, hg_value **items, size_t n)
{
	hg_value *l = hg_value_list(c->a);
	if (n) {
		l->as.list.items = hg_arena_alloc(c->a, n * sizeof *items);
		memcpy(l->as.list.items, items, n * sizeof *items);
	}
	l->as.list.len = l->as.list.cap = n;
	return l;
}

typedef struct vec {
	hg_value **items;
	size_t len, cap;
} vec;

static void vec_push(vec *v, hg_value *x)
{
	HG_GROW(v->items, v->cap, v->len + 1);
	v->items[v->len++] = x;
}

static hg_value *vec_list(lq_call *c, vec *v)
{
	hg_value *l = list_of(c, v->items, v->len);
	free(v->items);
	return l;
}

static void flatten(vec *out, hg_value *v)
{
	for (size_t i = 0; i < v->as.list.len; i++) {
		hg_value *x = v->as.list.items[i];
		if (x->kind == HG_LIST)
			flatten(out, x);
		else
			vec_push(out, x);
	}
}

/* Liquid's InputIterator: a list (nested lists flattened), nil as nothing, and anything
 * else as a list of itself. The array is the list's own when nothing needed flattening:
 * read it, never write it. */
static hg_value **iter_items(lq_call *c, hg_value *v, size_t *n)
{
	if (v->kind == HG_NULL) {
		*n = 0;
		return NULL;
	}
	if (v->kind != HG_LIST) {
		hg_value **one = hg_arena_alloc(c->a, sizeof *one);
		one[0] = v;
		*n = 1;
		return one;
	}
	bool nested = false;
	for (size_t i = 0; i < v->as.list.len && !nested; i++)
		nested = v->as.list.items[i]->kind == HG_LIST;
	if (!nested) {
		*n = v->as.list.len;
		return v->as.list.items;
	}
	if (!charge(c, v)) {
		*n = 0;
		return NULL;
	}
	vec out = {0};
	flatten(&out, v);
	hg_value **items = hg_arena_alloc(c->a, (out.len ? out.len : 1) * sizeof *items);
	if (out.len)
		memcpy(items, out.items, out.len * sizeof *items);
	*n = out.len;
	free(out.items);
	return items;
}

/* Jekyll's filters over collections take a map's values, and leave anything that is not a
 * list alone (ok is false then). */
static hg_value **collection(lq_call *c, hg_value *v, size_t *n)
{
	if (v->kind == HG_LIST) {
		*n = v->as.list.len;
		return v->as.list.items;
	}
	if (v->kind == HG_MAP) {
		*n = v->as.map.len;
		hg_value **items = hg_arena_alloc(c->a, (*n ? *n : 1) * sizeof *items);
		for (size_t i = 0; i < *n; i++)
			items[i] = v->as.map.entries[i].val;
		return items;
	}
	return NULL;
}

/* Jekyll's item_property: a dotted path into a map ("author.name"); nil when absent. */
static hg_value *item_property(hg_value *item, const char *prop, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && prop[i] != '.')
			continue;
		if (item->kind != HG_MAP)
			return &hg_null_value;
		item = hg_map_getn(item, prop + start, i - start);
		if (!item)
			return &hg_null_value;
		start = i + 1;
	}
	return item;
}

static hg_value *map_get_or_nil(hg_value *item, const char *k, size_t n)
{
	hg_value *v = item->kind == HG_MAP ? hg_map_getn(item, k, n) : NULL;
	return v ? v : &hg_null_value;
}

/* ==== UTF-8 and case ==== */

size_t hg_lq_utf8_len(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xC0) != 0x80;
	return k;
}

/* Byte offset of character k (or n when the string is shorter). */
static size_t utf8_offset(const char *s, size_t n, size_t k)
{
	size_t i = 0;
	while (i < n && k) {
		i++;
		while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		k--;
	}
	return i;
}

static uint32_t utf8_decode(const char *s, size_t n, size_t *i)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char c0 = u[*i];
	int len = c0 < 0x80 ? 1 : (c0 & 0xE0) == 0xC0 ? 2 : (c0 & 0xF0) == 0xE0 ? 3 : (c0 & 0xF8) == 0xF0 ? 4 : 0;
	if (!len || *i + (size_t)len > n) {
		(*i)++;
		return 0xFFFD;
	}
	uint32_t cp = len == 1 ? c0 : len == 2 ? c0 & 0x1Fu : len == 3 ? c0 & 0x0Fu : c0 & 0x07u;
	for (int k = 1; k < len; k++) {
		if ((u[*i + (size_t)k] & 0xC0) != 0x80) {
			(*i)++;
			return 0xFFFD;
		}
		cp = (cp << 6) | (u[*i + (size_t)k] & 0x3Fu);
	}
	*i += (size_t)len;
	return cp;
}

static void utf8_encode(hg_buf *b, uint32_t cp)
{
	char tmp[4];
	size_t n;
	if (cp < 0x80) {
		tmp[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		tmp[0] = (char)(0xC0 | (cp >> 6));
		tmp[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		tmp[0] = (char)(0xE0 | (cp >> 12));
		tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		tmp[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		tmp[0] = (char)(0xF0 | (cp >> 18));
		tmp[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		tmp[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		tmp[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	hg_buf_add(b, tmp, n);
}

/* Case mapping for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic: the scripts a
 * site's titles are written in. Ruby maps every script; these are the ones we need. */
static uint32_t cp_lower(uint32_t c)
{
	if (c < 0x80)
		return c >= 'A' && c <= 'Z' ? c + 32 : c;
	if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
		return c + 32;
	if (c == 0x130)
		return 'i';
	if (c == 0x178)
		return 0xFF;
	if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177))
		return c | 1;
	if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
		return c & 1 ? c + 1 : c;
	if (c >= 0x391 && c <= 0x3AB && c != 0x3A2)
		return c + 32;
	if (c >= 0x410 && c <= 0x42F)
		return c + 32;
	if (c >= 0x400 && c <= 0x40F)
		return c + 80;
	return c;
}

static uint32_t cp_upper(uint32_t c)
{
	if (c < 0x80)
		return c >= 'a' && c <= 'z' ? c - 32 : c;
	if (c >= 0xE0 && c <= 0xFE && c != 0xF7)
		return c - 32;
	if (c == 0xFF)
		return 0x178;
	if (c == 0x131)
		return 'I';
	if (c == 0x17F)
		return 'S';
	if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177))
		return c & ~1u;
	if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
		return c & 1 ? c : c - 1;
	if (c == 0x3C2)
		return 0x3A3;
	if (c >= 0x3B1 && c <= 0x3CB)
		return c - 32;
	if (c >= 0x430 && c <= 0x44F)
		return c - 32;
	if (c >= 0x450 && c <= 0x45F)
		return c - 80;
	return c;
}

enum { CASE_LOWER, CASE_UPPER, CASE_CAPITAL };

static void add_cased(hg_buf *b, const char *s, size_t n, int mode)
{
	size_t i = 0;
	bool first = true;
	while (i < n) {
		uint32_t cp = utf8_decode(s, n, &i);
		bool up = mode == CASE_UPPER || (mode == CASE_CAPITAL && first);
		first = false;
		if (up && cp == 0xDF) {
			hg_buf_adds(b, "SS");
			continue;
		}
		utf8_encode(b, up ? cp_upper(cp) : cp_lower(cp));
	}
}

/* Letters, marks and digits as far as slugify needs: ASCII letters and digits, and every
 * other character that is not in a punctuation, symbol or space block. */
static bool cp_is_word(uint32_t c)
{
	if (c < 0x80)
		return is_alnum((unsigned char)c);
	if (c < 0xC0)
		return c == 0xAA || c == 0xB5 || c == 0xBA;
	if (c == 0xD7 || c == 0xF7)
		return false;
	if ((c >= 0x2000 && c <= 0x2BFF) || (c >= 0x2E00 && c <= 0x2E7F) || (c >= 0x3000 && c <= 0x3004) ||
	    (c >= 0x3008 && c <= 0x303F) || (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF0F) ||
	    (c >= 0xFF1A && c <= 0xFF20) || (c >= 0xFF3B && c <= 0xFF40) || (c >= 0xFF5B && c <= 0xFF65) ||
	    (c >= 0x1F000 && c <= 0x1FAFF) || c == 0xFEFF || c == 0xFFFD)
		return false;
	return true;
}

/* ==== Ruby's to_s and inspect ==== */

static void inspect(hg_buf *out, const hg_value *v);

static void inspect_string(hg_buf *out, const char *s, size_t n)
{
	hg_buf_addc(out, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		switch (ch) {
		case '"': hg_buf_adds(out, "\\\""); break;
		case '\\': hg_buf_adds(out, "\\\\"); break;
		case '\n': hg_buf_adds(out, "\\n"); break;
		case '\t': hg_buf_adds(out, "\\t"); break;
		case '\r': hg_buf_adds(out, "\\r"); break;
		case '\f': hg_buf_adds(out, "\\f"); break;
		case '\v': hg_buf_adds(out, "\\v"); break;
		case '\a': hg_buf_adds(out, "\\a"); break;
		case '\b': hg_buf_adds(out, "\\b"); break;
		case 0x1B: hg_buf_adds(out, "\\e"); break;
		case '#':
			if (i + 1 < n && (s[i + 1] == '{' || s[i + 1] == '$' || s[i + 1] == '@'))
				hg_buf_addc(out, '\\');
			hg_buf_addc(out, '#');
			break;
		default:
			if (ch < 0x20 || ch == 0x7F)
				hg_buf_addf(out, "\\u%04X", ch);
			else
				hg_buf_addc(out, (char)ch);
		}
	}
	hg_buf_addc(out, '"');
}

static void inspect(hg_buf *out, const hg_value *v)
{
	switch (v->kind) {
	case HG_NULL: hg_buf_adds(out, "nil"); break;
	case HG_STRING: inspect_string(out, v->as.s.ptr, v->as.s.len); break;
	case HG_LIST:
		hg_buf_addc(out, '[');
		for (size_t i = 0; i < v->as.list.len; i++) {
			if (i)
				hg_buf_adds(out, ", ");
			inspect(out, v->as.list.items[i]);
		}
		hg_buf_addc(out, ']');
		break;
	case HG_MAP:
		hg_buf_addc(out, '{');
		for (size_t i = 0; i < v->as.map.len; i++) {
			if (i)
				hg_buf_adds(out, ", ");
			inspect_string(out, v->as.map.entries[i].key, v->as.map.entries[i].key_len);
			hg_buf_adds(out, "=>");
			inspect(out, v->as.map.entries[i].val);
		}
		hg_buf_addc(out, '}');
		break;
	default: hg_value_to_text(out, v); break;
	}
}

void hg_lq_to_s(hg_buf *out, const hg_value *v)
{
	if (v->kind == HG_LIST || v->kind == HG_MAP)
		inspect(out, v);
	else
		hg_value_to_text(out, v);
}

/* ==== numbers ====
 * Liquid's Utils.to_number: integers stay integers, floats and strings like "1.5" become
 * BigDecimal, other strings go through to_i, anything else is 0. We keep floats as doubles
 * and do the arithmetic on their shortest decimal form, which is what BigDecimal sees. */

typedef struct num {
	bool is_float;
	int64_t i;
	double f;
} num;

/* Ruby's String#to_i: leading blanks, a sign, digits (with single underscores between). */
static int64_t str_to_i(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && is_space((unsigned char)s[i]))
		i++;
	bool neg = false;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	uint64_t v = 0;
	bool over = false;
	for (; i < n; i++) {
		if (s[i] == '_' && i + 1 < n && is_digit((unsigned char)s[i + 1]) && i > 0 &&
		    is_digit((unsigned char)s[i - 1]))
			continue;
		if (!is_digit((unsigned char)s[i]))
			break;
		if (v > (UINT64_MAX - 9) / 10)
			over = true;
		else
			v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (over || v > (uint64_t)INT64_MAX)
		return neg ? INT64_MIN : INT64_MAX;
	return neg ? -(int64_t)v : (int64_t)v;
}

static bool is_decimal_string(const char *s, size_t n)
{
	size_t i = 0;
	if (i < n && s[i] == '-')
		i++;
	size_t d = i;
	while (i < n && is_digit((unsigned char)s[i]))
		i++;
	if (i == d || i >= n || s[i] != '.')
		return false;
	d = ++i;
	while (i < n && is_digit((unsigned char)s[i]))
		i++;
	return i > d && i == n;
}

static num to_num(const hg_value *v)
{
	num x = {false, 0, 0};
	if (!v)
		return x;
	switch (v->kind) {
	case HG_INT: x.i = v->as.i; break;
	case HG_FLOAT:
		x.is_float = true;
		x.f = v->as.f;
		break;
	case HG_STRING: {
		const char *s = v->as.s.ptr;
		size_t a = 0, b = v->as.s.len;
		while (a < b && is_space((unsigned char)s[a]))
			a++;
		while (b > a && is_space((unsigned char)s[b - 1]))
			b--;
		if (is_decimal_string(s + a, b - a)) {
			x.is_float = true;
			x.f = strtod(s + a, NULL);
		} else {
			x.i = str_to_i(s, v->as.s.len);
		}
		break;
	}
	default: break;
	}
	return x;
}

int64_t hg_lq_to_integer(const hg_value *v)
{
	if (!v)
		return 0;
	switch (v->kind) {
	case HG_INT: return v->as.i;
	case HG_FLOAT:
		if (!(v->as.f > -9.2e18 && v->as.f < 9.2e18))
			return v->as.f > 0 ? INT64_MAX : v->as.f < 0 ? INT64_MIN : 0;
		return (int64_t)v->as.f;
	case HG_STRING: return str_to_i(v->as.s.ptr, v->as.s.len);
	default: return 0;
	}
}

static hg_value *num_val(lq_call *c, num x)
{
	return x.is_float ? hg_value_float(c->a, x.f) : hg_value_int(c->a, x.i);
}

static double num_f(num x)
{
	return x.is_float ? x.f : (double)x.i;
}

/* m × 10^e, m with at most 18 digits. */
typedef struct dec {
	int64_t m;
	int e;
} dec;

static bool dec_of(num x, dec *d)
{
	if (!x.is_float) {
		*d = (dec){x.i, 0};
		return x.i > -1000000000000000000LL && x.i < 1000000000000000000LL;
	}
	/* beyond these BigDecimal and double agree to the last digit that survives to_f */
	if (!isfinite(x.f) || fabs(x.f) >= 1e18 || (x.f != 0 && fabs(x.f) < 1e-18))
		return false;
	/* the shortest precision that reads back the same double: a precision that works
	 * keeps working when raised, so bisect */
	char tmp[40];
	int lo = 1, hi = 17;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		snprintf(tmp, sizeof tmp, "%.*e", mid - 1, x.f);
		if (strtod(tmp, NULL) == x.f)
			hi = mid;
		else
			lo = mid + 1;
	}
	snprintf(tmp, sizeof tmp, "%.*e", lo - 1, x.f);
	const char *p = tmp;
	bool neg = *p == '-';
	p += neg;
	int64_t m = 0;
	int nd = 0;
	for (; *p && *p != 'e'; p++)
		if (*p != '.') {
			m = m * 10 + (*p - '0');
			nd++;
		}
	int e = (*p ? atoi(p + 1) : 0) - (nd - 1);
	while (m && m % 10 == 0) {
		m /= 10;
		e++;
	}
	*d = (dec){neg ? -m : m, m ? e : 0};
	return true;
}

static double dec_double(dec d)
{
	char tmp[48];
	snprintf(tmp, sizeof tmp, "%lldE%d", (long long)d.m, d.e);
	return strtod(tmp, NULL);
}

static bool times10(int64_t *m, int k)
{
	for (; k > 0; k--)
		if (__builtin_mul_overflow(*m, 10, m))
			return false;
	return true;
}

static bool dec_align(dec *a, dec *b)
{
	int e = a->e < b->e ? a->e : b->e;
	if (a->e - e > 36 || b->e - e > 36 || !times10(&a->m, a->e - e) || !times10(&b->m, b->e - e))
		return false;
	a->e = b->e = e;
	return true;
}

/* a / b in decimal, rounded to a double: BigDecimal(a) / BigDecimal(b) then to_f. */
static bool dec_div(dec a, dec b, double *out)
{
	uint64_t n = a.m < 0 ? -(uint64_t)a.m : (uint64_t)a.m, d = b.m < 0 ? -(uint64_t)b.m : (uint64_t)b.m;
	if (!d || d > UINT64_MAX / 10)
		return false;
	char digits[80];
	int len =
	    snprintf(digits, sizeof digits, "%s%llu.", (a.m < 0) != (b.m < 0) ? "-" : "", (unsigned long long)(n / d));
	uint64_t rem = n % d;
	for (int k = 0; rem && k < 40; k++) {
		rem *= 10;
		digits[len++] = (char)('0' + rem / d);
		rem %= d;
	}
	snprintf(digits + len, sizeof digits - (size_t)len, "0E%d", a.e - b.e);
	*out = strtod(digits, NULL);
	return true;
}

enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD };

static double floored_fmod(double a, double b)
{
	double r = fmod(a, b);
	if (r != 0 && ((r < 0) != (b < 0)))
		r += b;
	return r;
}

/* Decimal arithmetic formats and parses numbers, a couple of microseconds for large ones:
 * it counts as many steps, so a loop of them cannot run for minutes. */
static void charge_decimal(lq_call *c)
{
	hg_lq_charge(c->r, 32, c->f->line, c->f->col);
}

static hg_value *arith(lq_call *c, int op)
{
	num a = to_num(c->in), b = to_num(ARG(0));
	if (!a.is_float && !b.is_float) {
		int64_t res;
		bool over = false;
		switch (op) {
		case OP_ADD: over = __builtin_add_overflow(a.i, b.i, &res); break;
		case OP_SUB: over = __builtin_sub_overflow(a.i, b.i, &res); break;
		case OP_MUL: over = __builtin_mul_overflow(a.i, b.i, &res); break;
		default:
			if (b.i == 0) {
				fail(c, "divided by 0");
				return nil();
			}
			if (b.i == -1) {
				over = op == OP_DIV && a.i == INT64_MIN;
				res = op == OP_DIV ? (over ? 0 : -a.i) : 0;
				break;
			}
			if (op == OP_DIV) {
				res = a.i / b.i;
				if (a.i % b.i != 0 && ((a.i < 0) != (b.i < 0)))
					res--;
			} else {
				res = a.i % b.i;
				if (res != 0 && ((res < 0) != (b.i < 0)))
					res += b.i;
			}
		}
		if (!over)
			return hg_value_int(c->a, res);
		double x = (double)a.i, y = (double)b.i;
		return hg_value_float(c->a, op == OP_ADD ? x + y : op == OP_SUB ? x - y : op == OP_MUL ? x * y : x / y);
	}
	double x = num_f(a), y = num_f(b);
	charge_decimal(c);
	if ((op == OP_DIV || op == OP_MOD) && y == 0) {
		fail(c, "divided by 0");
		return nil();
	}
	dec da, db;
	double res;
	bool exact = dec_of(a, &da) && dec_of(b, &db);
	switch (op) {
	case OP_ADD:
	case OP_SUB:
		if (exact && dec_align(&da, &db) &&
		    !(op == OP_ADD ? __builtin_add_overflow(da.m, db.m, &da.m)
		                   : __builtin_sub_overflow(da.m, db.m, &da.m)))
			res = dec_double(da);
		else
			res = op == OP_ADD ? x + y : x - y;
		break;
	case OP_MUL:
		if (exact && !__builtin_mul_overflow(da.m, db.m, &da.m)) {
			da.e += db.e;
			res = dec_double(da);
		} else {
			res = x * y;
		}
		break;
	case OP_DIV:
		if (!exact || !dec_div(da, db, &res))
			res = x / y;
		break;
	default:
		if (exact && dec_align(&da, &db)) {
			int64_t r = da.m % db.m;
			if (r != 0 && ((r < 0) != (db.m < 0)))
				r += db.m;
			res = dec_double((dec){r, da.e});
		} else {
			res = floored_fmod(x, y);
		}
	}
	return hg_value_float(c->a, res);
}

static hg_value *f_plus(lq_call *c)
{
	return arith(c, OP_ADD);
}
static hg_value *f_minus(lq_call *c)
{
	return arith(c, OP_SUB);
}
static hg_value *f_times(lq_call *c)
{
	return arith(c, OP_MUL);
}
static hg_value *f_divided_by(lq_call *c)
{
	return arith(c, OP_DIV);
}
static hg_value *f_modulo(lq_call *c)
{
	return arith(c, OP_MOD);
}

static int64_t pow10i(int k)
{
	int64_t p = 1;
	while (k-- > 0)
		p *= 10;
	return p;
}

static hg_value *int_or_float(lq_call *c, double f)
{
	if (f > -9.2e18 && f < 9.2e18)
		return hg_value_int(c->a, (int64_t)f);
	return hg_value_float(c->a, f);
}

/* round: half away from zero on the decimal form; an integer when rounding to 0 places. */
static hg_value *f_round(lq_call *c)
{
	num x = to_num(c->in);
	int64_t places = ARG(0) ? hg_lq_to_integer(ARG(0)) : 0;
	if (!x.is_float) {
		if (places >= 0 || places < -18)
			return hg_value_int(c->a, places < -18 ? 0 : x.i);
		int64_t p = pow10i((int)-places), m = x.i < 0 ? -(x.i / p) : x.i / p, rem = x.i % p;
		if (rem < 0)
			rem = -rem;
		if (rem * 2 >= p)
			m++;
		return hg_value_int(c->a, (x.i < 0 ? -m : m) * p);
	}
	dec d;
	charge_decimal(c);
	if (!dec_of(x, &d)) {
		/* huge, tiny or not finite: no fraction worth rounding decimally */
		if (places == 0 && isfinite(x.f))
			return int_or_float(c, round(x.f));
		return hg_value_float(c->a, places < 0 && isfinite(x.f)
		                                ? round(x.f / pow(10, (double)-places)) * pow(10, (double)-places)
		                                : x.f);
	}
	if (places > 40)
		places = 40;
	if (places < -40)
		places = -40;
	if (d.e < -places) {
		int shift = (int)(-places - d.e);
		int64_t q = 0;
		if (shift <= 18) {
			int64_t p = pow10i(shift), rem = d.m % p;
			q = d.m / p;
			if ((rem < 0 ? -rem : rem) * 2 >= p)
				q += d.m < 0 ? -1 : 1;
		}
		d = (dec){q, (int)-places};
	}
	double f = dec_double(d);
	if (places == 0 && f > -9.2e18 && f < 9.2e18)
		return hg_value_int(c->a, (int64_t)f);
	return hg_value_float(c->a, f);
}

static hg_value *f_ceil(lq_call *c)
{
	num x = to_num(c->in);
	return x.is_float ? int_or_float(c, ceil(x.f)) : hg_value_int(c->a, x.i);
}

static hg_value *f_floor(lq_call *c)
{
	num x = to_num(c->in);
	return x.is_float ? int_or_float(c, floor(x.f)) : hg_value_int(c->a, x.i);
}

static hg_value *f_abs(lq_call *c)
{
	num x = to_num(c->in);
	if (x.is_float)
		return hg_value_float(c->a, fabs(x.f));
	if (x.i == INT64_MIN)
		return hg_value_float(c->a, -(double)x.i);
	return hg_value_int(c->a, x.i < 0 ? -x.i : x.i);
}

static int num_cmp(num a, num b)
{
	if (!a.is_float && !b.is_float)
		return (a.i > b.i) - (a.i < b.i);
	double x = num_f(a), y = num_f(b);
	return (x > y) - (x < y);
}

static hg_value *f_at_least(lq_call *c)
{
	num a = to_num(c->in), b = to_num(ARG(0));
	return num_val(c, num_cmp(a, b) >= 0 ? a : b);
}

static hg_value *f_at_most(lq_call *c)
{
	num a = to_num(c->in), b = to_num(ARG(0));
	return num_val(c, num_cmp(a, b) <= 0 ? a : b);
}

static hg_value *f_to_integer(lq_call *c)
{
	if (c->in->kind == HG_BOOL)
		return hg_value_int(c->a, c->in->as.b);
	return hg_value_int(c->a, hg_lq_to_integer(c->in));
}

/* ==== strings ==== */

/* Whether escape would change t: most titles and URLs have none of & < > " '. */
static bool needs_html_escape(text t)
{
	for (size_t i = 0; i < t.n; i++) {
		char ch = t.p[i];
		if (ch == '&' || ch == '<' || ch == '>' || ch == '"' || ch == '\'')
			return true;
	}
	return false;
}

static hg_value *f_escape(lq_call *c)
{
	if (c->in->kind == HG_NULL)
		return nil();
	text t = to_text(c, c->in);
	if (c->in->kind == HG_STRING && !needs_html_escape(t))
		return c->in; /* unchanged: values are never written, so no copy (issue 7) */
	hg_buf b = HG_BUF_INIT;
	hg_buf_add_html_escaped(&b, t.p, t.n);
	return buf_val(c, &b);
}

/* Like escape, but an & that already starts an entity (&amp; &#39;) is left alone. */
static hg_value *f_escape_once(lq_call *c)
{
	text t = to_text(c, c->in);
	hg_buf b = HG_BUF_INIT;
	for (size_t i = 0; i < t.n; i++) {
		char ch = t.p[i];
		if (ch == '&') {
			size_t j = i + 1;
			if (j < t.n && t.p[j] == '#') {
				j++;
				size_t d = j;
				while (j < t.n && is_digit((unsigned char)t.p[j]))
					j++;
				if (j == d)
					j = 0;
			} else {
				size_t d = j;
				while (j < t.n &&
				       ((t.p[j] >= 'a' && t.p[j] <= 'z') || (t.p[j] >= 'A' && t.p[j] <= 'Z')))
					j++;
				if (j == d)
					j = 0;
			}
			if (j && j < t.n && t.p[j] == ';') {
				hg_buf_addc(&b, '&');
				continue;
			}
		}
		hg_buf_add_html_escaped(&b, &t.p[i], 1);
	}
	return buf_val(c, &b);
}

static hg_value *f_xml_escape(lq_call *c)
{
	text t = to_text(c, c->in);
	hg_buf b = HG_BUF_INIT;
	for (size_t i = 0; i < t.n; i++) {
		switch (t.p[i]) {
		case '&': hg_buf_adds(&b, "&amp;"); break;
		case '<': hg_buf_adds(&b, "&lt;"); break;
		case '>': hg_buf_adds(&b, "&gt;"); break;
		case '"': hg_buf_adds(&b, "&quot;"); break;
		default: hg_buf_addc(&b, t.p[i]);
		}
	}
	return buf_val(c, &b);
}

static hg_value *f_default(lq_call *c)
{
	bool allow_false = c->f->nkw && hg_value_truthy(c->kw[0]);
	hg_value *in = c->in;
	bool use = in->kind == HG_NULL || (in->kind == HG_BOOL && !in->as.b && !allow_false) || hg_value_is_empty(in);
	if (!use)
		return in;
	return ARG(0) ? ARG(0) : str_val(c, "", 0);
}

static hg_value *cased(lq_call *c, int mode)
{
	text t = to_text(c, c->in);
	hg_buf b = HG_BUF_INIT;
	add_cased(&b, t.p, t.n, mode);
	return buf_val(c, &b);
}

static hg_value *f_upcase(lq_call *c)
{
	return cased(c, CASE_UPPER);
}
static hg_value *f_downcase(lq_call *c)
{
	return cased(c, CASE_LOWER);
}
static hg_value *f_capitalize(lq_call *c)
{
	return cased(c, CASE_CAPITAL);
}

static hg_value *strip_sides(lq_call *c, bool left, bool right)
{
	text t = to_text(c, c->in);
	size_t a = 0, b = t.n;
	if (left)
		while (a < b && is_space((unsigned char)t.p[a]))
			a++;
	if (right)
		while (b > a && (is_space((unsigned char)t.p[b - 1]) || t.p[b - 1] == '\0'))
			b--;
	if (a == 0 && b == t.n && c->in->kind == HG_STRING)
		return c->in;
	return str_val(c, t.p + a, b - a);
}

static hg_value *f_strip(lq_call *c)
{
	return strip_sides(c, true, true);
}
static hg_value *f_lstrip(lq_call *c)
{
	return strip_sides(c, true, false);
}
static hg_value *f_rstrip(lq_call *c)
{
	return strip_sides(c, false, true);
}

static size_t find_bytes(const char *h, size_t hn, size_t from, const char *n, size_t nn)
{
	if (nn == 0)
		return from <= hn ? from : SIZE_MAX;
	for (size_t i = from; i + nn <= hn; i++) {
		const char *q = memchr(h + i, n[0], hn - nn - i + 1);
		if (!q)
			break;
		i = (size_t)(q - h);
		if (memcmp(q, n, nn) == 0)
			return i;
	}
	return SIZE_MAX;
}

/* Removes every open…close span (close searched after open), as Ruby's gsub(/open.*?close/m)
 * does; an open with no close stays. */
static void remove_spans(hg_buf *out, const char *s, size_t n, const char *open, const char *close)
{
	size_t on = strlen(open), cn = strlen(close), i = 0;
	for (;;) {
		size_t a = find_bytes(s, n, i, open, on);
		size_t b = a == SIZE_MAX ? SIZE_MAX : find_bytes(s, n, a + on, close, cn);
		if (b == SIZE_MAX) {
			hg_buf_add(out, s + i, n - i);
			return;
		}
		hg_buf_add(out, s + i, a - i);
		i = b + cn;
	}
}

static hg_value *f_strip_html(lq_call *c)
{
	static const char *const spans[][2] = {
	    {"<script", "</script>"}, {"<!--", "-->"}, {"<style", "</style>"}, {"<", ">"}};
	text t = to_text(c, c->in);
	hg_buf cur = HG_BUF_INIT;
	hg_buf_add(&cur, t.p, t.n);
	for (size_t k = 0; k < HG_ARRAY_LEN(spans); k++) {
		hg_buf next = HG_BUF_INIT;
		remove_spans(&next, cur.ptr, cur.len, spans[k][0], spans[k][1]);
		hg_buf_release(&cur);
		cur = next;
	}
	return buf_val(c, &cur);
}

static hg_value *f_strip_newlines(lq_call *c)
{
	text t = to_text(c, c->in);
	hg_buf b = HG_BUF_INIT;
	for (size_t i = 0; i < t.n; i++) {
		if (t.p[i] == '\n' || (t.p[i] == '\r' && i + 1 < t.n && t.p[i + 1] == '\n'))
			continue;
		hg_buf_addc(&b, t.p[i]);
	}
	return buf_val(c, &b);
}

static hg_value *f_newline_to_br(lq_call *c)
{
	text t = to_text(c, c->in);
	hg_buf b = HG_BUF_INIT;
	for (size_t i = 0; i < t.n; i++) {
		if (t.p[i] == '\r' && i + 1 < t.n && t.p[i + 1] == '\n')
			continue;
		if (t.p[i] == '\n')
			hg_buf_adds(&b, "<br />\n");
		else
			hg_buf_addc(&b, t.p[i]);
	}
	return buf_val(c, &b);
}

static hg_value *f_normalize_whitespace(lq_call *c)
{
	text t = to_text(c, c->in);
	hg_buf b = HG_BUF_INIT;
	bool space = false;
	for (size_t i = 0; i < t.n; i++) {
		if (is_space((unsigned char)t.p[i])) {
			space = true;
			continue;
		}
		if (space && b.len)
			hg_buf_addc(&b, ' ');
		space = false;
		hg_buf_addc(&b, t.p[i]);
	}
	return buf_val(c, &b);
}

static hg_value *f_truncate(lq_call *c)
{
	if (c->in->kind == HG_NULL)
		return nil();
	text t = to_text(c, c->in);
	int64_t len = ARG(0) ? hg_lq_to_integer(ARG(0)) : 50;
	text ell = ARG(1) ? to_text(c, ARG(1)) : (text){"...", 3};
	if ((int64_t)hg_lq_utf8_len(t.p, t.n) <= len)
		return c->in->kind == HG_STRING ? c->in : str_val(c, t.p, t.n);
	int64_t keep = len - (int64_t)hg_lq_utf8_len(ell.p, ell.n);
	size_t end = utf8_offset(t.p, t.n, keep > 0 ? (size_t)keep : 0);
	hg_buf b = HG_BUF_INIT;
	hg_buf_add(&b, t.p, end);
	hg_buf_add(&b, ell.p, ell.n);
	return buf_val(c, &b);
}

static hg_value *f_truncatewords(lq_call *c)
{
	if (c->in->kind == HG_NULL)
		return nil();
	text t = to_text(c, c->in);
	int64_t words = ARG(0) ? hg_lq_to_integer(ARG(0)) : 15;
	text ell = ARG(1) ? to_text(c, ARG(1)) : (text){"...", 3};
	if (words <= 0)
		words = 1;
	hg_buf b = HG_BUF_INIT;
	int64_t k = 0;
	size_t i = 0;
	for (;;) {
		while (i < t.n && is_space((unsigned char)t.p[i]))
			i++;
		if (i >= t.n)
			break;
		size_t start = i;
		while (i < t.n && !is_space((unsigned char)t.p[i]))
			i++;
		if (k == words) {
			hg_buf_add(&b, ell.p, ell.n);
			return buf_val(c, &b);
		}
		if (k++)
			hg_buf_addc(&b, ' ');
		hg_buf_add(&b, t.p + start, i - start);
	}
	hg_buf_release(&b);
	return c->in->kind == HG_STRING ? c->in : str_val(c, t.p, t.n);
}

/* Ruby's gsub and sub with a string pattern (an empty one matches between characters);
 * from_end replaces the last match only (replace_last). */
static hg_value *replace(lq_call *c, text pat, text rep, bool all, bool from_end)
{
	text t = to_text(c, c->in);
	hg_buf b = HG_BUF_INIT;
	if (from_end) {
		size_t at = SIZE_MAX;
		for (size_t i = 0; (i = find_bytes(t.p, t.n, i, pat.p, pat.n)) != SIZE_MAX; i++) {
			at = i;
			if (i >= t.n)
				break;
		}
		if (at == SIZE_MAX)
			return c->in->kind == HG_STRING ? c->in : str_val(c, t.p, t.n);
		if (too_long(c, t.n + rep.n)) {
			hg_buf_release(&b);
			return nil();
		}
		hg_buf_add(&b, t.p, at);
		hg_buf_add(&b, rep.p, rep.n);
		hg_buf_add(&b, t.p + at + pat.n, t.n - at - pat.n);
		return buf_val(c, &b);
	}
	size_t i = 0;
	while (i <= t.n) {
		size_t at = find_bytes(t.p, t.n, i, pat.p, pat.n);
		if (at == SIZE_MAX)
			break;
		hg_buf_add(&b, t.p + i, at - i);
		hg_buf_add(&b, rep.p, rep.n);
		if (too_long(c, b.len)) {
			hg_buf_release(&b);
			return nil();
		}
		if (pat.n) {
			i = at + pat.n;
		} else {
			/* an empty pattern: copy one character and match again after it */
			if (at >= t.n) {
				i = t.n + 1;
				break;
			}
			size_t next = at + 1;
			while (next < t.n && ((unsigned char)t.p[next] & 0xC0) == 0x80)
				next++;
			hg_buf_add(&b, t.p + at, next - at);
			i = next;
		}
		if (!all)
			break;
	}
	if (i <= t.n)
		hg_buf_add(&b, t.p + i, t.n - i);
	return buf_val(c, &b);
}

static text arg_text(lq_call *c, unsigned i)
{
	return ARG(i) ? to_text(c, ARG(i)) : (text){"", 0};
}

static hg_value *f_replace(lq_call *c)
{
	return replace(c, arg_text(c, 0), arg_text(c, 1), true, false);
}
static hg_value *f_replace_first(lq_call *c)
{
	return replace(c, arg_text(c, 0), arg_text(c, 1), false, false);
}
static hg_value *f_replace_last(lq_call *c)
{
	return replace(c, arg_text(c, 0), arg_text(c, 1), false, true);
}
static hg_value *f_remove(lq_call *c)
{
	return replace(c, arg_text(c, 0), (text){"", 0}, true, false);
}
static hg_value *f_remove_first(lq_call *c)
{
	return replace(c, arg_text(c, 0), (text){"", 0}, false, false);
}
static hg_value *f_remove_last(lq_call *c)
{
	return replace(c, arg_text(c, 0), (text){"", 0}, false, true);
}

static hg_value *concat_text(lq_call *c, text a, text b)
{
	if (too_long(c, a.n + b.n))
		return nil();
	hg_buf buf = HG_BUF_INIT;
	hg_buf_grow(&buf, a.n + b.n);
	hg_buf_add(&buf, a.p, a.n);
	hg_buf_add(&buf, b.p, b.n);
	return buf_val(c, &buf);
}

static hg_value *f_append(lq_call *c)
{
	return concat_text(c, to_text(c, c->in), arg_text(c, 0));
}
static hg_value *f_prepend(lq_call *c)
{
	return concat_text(c, arg_text(c, 0), to_text(c, c->in));
}

/* Ruby's String#split with a string: " " splits on runs of whitespace (leading ones
 * ignored), "" into characters; trailing empty strings are dropped. */
static hg_value *f_split(lq_call *c)
{
	text t = to_text(c, c->in), pat = arg_text(c, 0);
	vec out = {0};
	if (pat.n == 1 && pat.p[0] == ' ') {
		size_t i = 0;
		for (;;) {
			while (i < t.n && is_space((unsigned char)t.p[i]))
				i++;
			if (i >= t.n)
				break;
			size_t s = i;
			while (i < t.n && !is_space((unsigned char)t.p[i]))
				i++;
			vec_push(&out, str_val(c, t.p + s, i - s));
		}
	} else if (pat.n == 0) {
		for (size_t i = 0; i < t.n;) {
			size_t s = i++;
			while (i < t.n && ((unsigned char)t.p[i] & 0xC0) == 0x80)
				i++;
			vec_push(&out, str_val(c, t.p + s, i - s));
		}
	} else if (t.n) {
		size_t i = 0;
		for (;;) {
			size_t at = find_bytes(t.p, t.n, i, pat.p, pat.n);
			if (at == SIZE_MAX) {
				vec_push(&out, str_val(c, t.p + i, t.n - i));
				break;
			}
			vec_push(&out, str_val(c, t.p + i, at - i));
			i = at + pat.n;
		}
		while (out.len && out.items[out.len - 1]->as.s.len == 0)
			out.len--;
	}
	return vec_list(c, &out);
}

static hg_value *f_join(lq_call *c)
{
	if (!charge(c, c->in))
		return nil();
	size_t n;
	hg_value **items = iter_items(c, c->in, &n);
	text glue = ARG(0) ? to_text(c, ARG(0)) : (text){" ", 1};
	hg_buf b = HG_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (i)
			hg_buf_add(&b, glue.p, glue.n);
		hg_lq_to_s(&b, items[i]);
		if (too_long(c, b.len)) {
			hg_buf_release(&b);
			return nil();
		}
	}
	return buf_val(c, &b);
}

static hg_value *f_size(lq_call *c)
{
	switch (c->in->kind) {
	case HG_STRING: return hg_value_int(c->a, (int64_t)hg_lq_utf8_len(c->in->as.s.ptr, c->in->as.s.len));
	case HG_LIST: return hg_value_int(c->a, (int64_t)c->in->as.list.len);
	case HG_MAP: return hg_value_int(c->a, (int64_t)c->in->as.map.len);
	default: return hg_value_int(c->a, 0);
	}
}

static hg_value *first_last(lq_call *c, bool first)
{
	hg_value *v = c->in;
	switch (v->kind) {
	case HG_LIST:
		if (!v->as.list.len)
			return nil();
		return v->as.list.items[first ? 0 : v->as.list.len - 1];
	case HG_MAP: {
		if (!v->as.map.len)
			return nil();
		const hg_map_entry *e = &v->as.map.entries[first ? 0 : v->as.map.len - 1];
		hg_value *items[2] = {hg_value_string_borrow(c->a, e->key, e->key_len), e->val};
		return list_of(c, items, 2);
	}
	case HG_STRING: {
		const char *s = v->as.s.ptr;
		size_t n = v->as.s.len;
		if (!n)
			return nil();
		if (first)
			return str_val(c, s, utf8_offset(s, n, 1));
		size_t i = n - 1;
		while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
			i--;
		return str_val(c, s + i, n - i);
	}
	default: return nil();
	}
}

static hg_value *f_first(lq_call *c)
{
	return first_last(c, true);
}
static hg_value *f_last(lq_call *c)
{
	return first_last(c, false);
}

/* Ruby's slice(offset, length): a negative offset counts from the end; out of range gives
 * an empty result. */
static bool slice_range(int64_t len, int64_t off, int64_t n, int64_t *start, int64_t *count)
{
	if (off < 0)
		off += len;
	if (off < 0 || off > len || n < 0)
		return false;
	*start = off;
	*count = n < len - off ? n : len - off;
	return true;
}

static hg_value *f_slice(lq_call *c)
{
	int64_t off = hg_lq_to_integer(ARG(0)), n = ARG(1) ? hg_lq_to_integer(ARG(1)) : 1, start, count;
	if (c->in->kind == HG_LIST) {
		if (!slice_range((int64_t)c->in->as.list.len, off, n, &start, &count) || !count)
			return list_of(c, NULL, 0);
		return list_of(c, c->in->as.list.items + start, (size_t)count);
	}
	text t = to_text(c, c->in);
	if (!slice_range((int64_t)hg_lq_utf8_len(t.p, t.n), off, n, &start, &count))
		return str_val(c, "", 0);
	size_t a = utf8_offset(t.p, t.n, (size_t)start);
	size_t b = a + utf8_offset(t.p + a, t.n - a, (size_t)count);
	return str_val(c, t.p + a, b - a);
}

/* ==== URLs and escapes ==== */

static const char hexdig[] = "0123456789ABCDEF";

static void add_pct(hg_buf *b, unsigned char ch)
{
	char tmp[3] = {'%', hexdig[ch >> 4], hexdig[ch & 15]};
	hg_buf_add(b, tmp, 3);
}

/* CGI.escape: form encoding, a space as +. */
static hg_value *f_cgi_escape(lq_call *c)
{
	if (c->in->kind == HG_NULL)
		return nil();
	text t = to_text(c, c->in);
	hg_buf b = HG_BUF_INIT;
	for (size_t i = 0; i < t.n; i++) {
		unsigned char ch = (unsigned char)t.p[i];
		if (is_alnum(ch) || ch == '_' || ch == '.' || ch == '-' || ch == '~')
			hg_buf_addc(&b, (char)ch);
		else if (ch == ' ')
			hg_buf_addc(&b, '+');
		else
			add_pct(&b, ch);
	}
	return buf_val(c, &b);
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static hg_value *f_url_decode(lq_call *c)
{
	if (c->in->kind == HG_NULL)
		return nil();
	text t = to_text(c, c->in);
	hg_buf b = HG_BUF_INIT;
	for (size_t i = 0; i < t.n; i++) {
		if (t.p[i] == '+') {
			hg_buf_addc(&b, ' ');
		} else if (t.p[i] == '%' && i + 2 < t.n && hexval(t.p[i + 1]) >= 0 && hexval(t.p[i + 2]) >= 0) {
			hg_buf_addc(&b, (char)(hexval(t.p[i + 1]) * 16 + hexval(t.p[i + 2])));
			i += 2;
		} else {
			hg_buf_addc(&b, t.p[i]);
		}
	}
	return buf_val(c, &b);
}

/* Addressable's normalisation, roughly: percent-encode what may not appear in a URL and
 * keep what may (reserved characters and existing escapes included). */
/* The bytes a URI keeps as they are (RFC 3986 unreserved and reserved, and '%'), as a
 * table filled once. */
static bool uri_keep_table[256];
static pthread_once_t uri_keep_once = PTHREAD_ONCE_INIT;

static void uri_keep_init(void)
{
	static const char keep[] = "-._~!$&'()*+,;=:@/?#%";
	for (int c = 0; c < 256; c++)
		uri_keep_table[c] = is_alnum((unsigned char)c) || (c && strchr(keep, c) != NULL);
}

static bool uri_keeps(unsigned char ch) { return uri_keep_table[ch]; }

/* Copies the runs of bytes that need no escaping in one go: URLs are mostly such runs, and
 * relative_url runs on every link of every page. */
static void add_uri_escaped(hg_buf *b, const char *s, size_t n)
{
	pthread_once(&uri_keep_once, uri_keep_init);
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		if (uri_keeps((unsigned char)s[i]))
			continue;
		hg_buf_add(b, s + start, i - start);
		add_pct(b, (unsigned char)s[i]);
		start = i + 1;
	}
	hg_buf_add(b, s + start, n - start);
}

static bool uri_keeps_all(const char *s, size_t n)
{
	pthread_once(&uri_keep_once, uri_keep_init);
	for (size_t i = 0; i < n; i++)
		if (!uri_keeps((unsigned char)s[i]))
			return false;
	return true;
}

static hg_value *f_uri_escape(lq_call *c)
{
	text t = to_text(c, c->in);
	hg_buf b = HG_BUF_INIT;
	add_uri_escaped(&b, t.p, t.n);
	return buf_val(c, &b);
}

static bool has_scheme(const char *s, size_t n)
{
	if (!n || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return false;
	for (size_t i = 1; i < n; i++) {
		if (s[i] == ':')
			return true;
		if (!is_alnum((unsigned char)s[i]) && s[i] != '+' && s[i] != '.' && s[i] != '-')
			return false;
	}
	return false;
}

/* baseurl + input, each with a leading slash; absolute URLs come back unchanged. */
static void add_relative(hg_buf *b, lq_call *c, text t)
{
	const char *base = c->r->host->baseurl ? c->r->host->baseurl : "";
	size_t bn = strlen(base);
	if (bn && base[bn - 1] == '/')
		bn--;
	/* escaped part by part, straight into b: no joined copy */
	if (bn && base[0] != '/')
		hg_buf_addc(b, '/');
	add_uri_escaped(b, base, bn);
	if (t.n && t.p[0] != '/')
		hg_buf_addc(b, '/');
	add_uri_escaped(b, t.p, t.n);
}

static hg_value *f_relative_url(lq_call *c)
{
	if (c->in->kind == HG_NULL)
		return nil();
	text t = to_text(c, c->in);
	if (has_scheme(t.p, t.n))
		return c->in;
	/* no base path, a leading '/' and nothing to escape: the input is the answer (the
	 * theme asks this ~25 times a page) */
	const char *base = c->r->host->baseurl ? c->r->host->baseurl : "";
	if (c->in->kind == HG_STRING && (!*base || !strcmp(base, "/")) && t.n && t.p[0] == '/' &&
	    uri_keeps_all(t.p, t.n))
		return c->in;
	hg_buf b = HG_BUF_INIT;
	add_relative(&b, c, t);
	return buf_val(c, &b);
}

static hg_value *f_absolute_url(lq_call *c)
{
	if (c->in->kind == HG_NULL)
		return nil();
	text t = to_text(c, c->in);
	if (has_scheme(t.p, t.n))
		return c->in;
	const char *url = c->r->host->url;
	hg_buf b = HG_BUF_INIT;
	size_t un = url ? strlen(url) : 0;
	if (un && url[un - 1] == '/')
		un--;
	hg_buf_add(&b, url ? url : "", un);
	add_relative(&b, c, t);
	/* an http(s) URL with nothing after the host gets the root path */
	if (b.len == un && un && (hg_starts_with(b.ptr, "http://") || hg_starts_with(b.ptr, "https://")))
		hg_buf_addc(&b, '/');
	return buf_val(c, &b);
}

/* ==== slugify ==== */

/* What I18n.transliterate makes of U+00C0…U+017F ("?" for what it cannot). */
static const char *const latin[] = {
    "A", "A", "A",  "A",  "A", "A", "AE", "C", "E", "E",  "E",  "E",  "I", "I", "I",  "I",  /* C0 */
    "D", "N", "O",  "O",  "O", "O", "O",  "x", "O", "U",  "U",  "U",  "U", "Y", "Th", "ss", /* D0 */
    "a", "a", "a",  "a",  "a", "a", "ae", "c", "e", "e",  "e",  "e",  "i", "i", "i",  "i",  /* E0 */
    "d", "n", "o",  "o",  "o", "o", "o",  "?", "o", "u",  "u",  "u",  "u", "y", "th", "y",  /* F0 */
    "A", "a", "A",  "a",  "A", "a", "C",  "c", "C", "c",  "C",  "c",  "C", "c", "D",  "d",  /* 100 */
    "D", "d", "E",  "e",  "E", "e", "E",  "e", "E", "e",  "E",  "e",  "G", "g", "G",  "g",  /* 110 */
    "G", "g", "G",  "g",  "H", "h", "H",  "h", "I", "i",  "I",  "i",  "I", "i", "I",  "i",  /* 120 */
    "I", "i", "IJ", "ij", "J", "j", "K",  "k", "k", "L",  "l",  "L",  "l", "L", "l",  "L",  /* 130 */
    "l", "L", "l",  "N",  "n", "N", "n",  "N", "n", "'n", "NG", "ng", "O", "o", "O",  "o",  /* 140 */
    "O", "o", "OE", "oe", "R", "r", "R",  "r", "R", "r",  "S",  "s",  "S", "s", "S",  "s",  /* 150 */
    "S", "s", "T",  "t",  "T", "t", "T",  "t", "U", "u",  "U",  "u",  "U", "u", "U",  "u",  /* 160 */
    "U", "u", "U",  "u",  "W", "w", "Y",  "y", "Y", "Z",  "z",  "Z",  "z", "Z", "z",  "s",  /* 170 */
};

enum { SLUG_RAW, SLUG_DEFAULT, SLUG_PRETTY, SLUG_ASCII, SLUG_LATIN };

/* Jekyll's Utils.slugify: runs of characters the mode does not keep become one '-', one
 * '-' is trimmed from each end, and the result is lowercased. An unknown mode only
 * lowercases. */
static hg_value *f_slugify(lq_call *c)
{
	if (c->in->kind == HG_NULL)
		return nil();
	text t = to_text(c, c->in);
	text mode = ARG(0) && ARG(0)->kind != HG_NULL ? to_text(c, ARG(0)) : (text){"default", 7};
	int m;
	if (hg_mem_eq(mode.p, mode.n, "raw"))
		m = SLUG_RAW;
	else if (hg_mem_eq(mode.p, mode.n, "default"))
		m = SLUG_DEFAULT;
	else if (hg_mem_eq(mode.p, mode.n, "pretty"))
		m = SLUG_PRETTY;
	else if (hg_mem_eq(mode.p, mode.n, "ascii"))
		m = SLUG_ASCII;
	else if (hg_mem_eq(mode.p, mode.n, "latin"))
		m = SLUG_LATIN;
	else
		return cased(c, CASE_LOWER);
	hg_buf src = HG_BUF_INIT;
	if (m == SLUG_LATIN) {
		for (size_t i = 0; i < t.n;) {
			uint32_t cp = utf8_decode(t.p, t.n, &i);
			if (cp < 0x80)
				hg_buf_addc(&src, (char)cp);
			else if (cp >= 0xC0 && cp <= 0x17F)
				hg_buf_adds(&src, latin[cp - 0xC0]);
			else
				hg_buf_addc(&src, '?');
		}
		t = (text){src.ptr, src.len};
	}
	hg_buf b = HG_BUF_INIT;
	bool dash = false;
	for (size_t i = 0; i < t.n;) {
		size_t s = i;
		uint32_t cp = utf8_decode(t.p, t.n, &i);
		bool keep;
		switch (m) {
		case SLUG_RAW: keep = !(cp < 0x80 && is_space((unsigned char)cp)); break;
		case SLUG_ASCII:
		case SLUG_LATIN: keep = cp < 0x80 && is_alnum((unsigned char)cp); break;
		case SLUG_PRETTY:
			keep = cp_is_word(cp) || (cp && cp < 0x80 && strchr("._~!$&'()+,;=@", (int)cp));
			break;
		default: keep = cp_is_word(cp); break;
		}
		if (!keep) {
			dash = true;
			continue;
		}
		if (dash)
			hg_buf_addc(&b, '-');
		dash = false;
		add_cased(&b, t.p + s, i - s, CASE_LOWER);
	}
	if (dash)
		hg_buf_addc(&b, '-');
	hg_buf_release(&src);
	size_t a = b.len && b.ptr[0] == '-', e = b.len - (b.len > a && b.ptr[b.len - 1] == '-');
	hg_value *v = str_val(c, b.ptr + a, e - a);
	hg_buf_release(&b);
	return v;
}

/* ==== smartify ==== */

typedef struct entity {
	const char *name;
	uint32_t cp;
} entity;

static const entity entities[] = {
    {"lsquo", 0x2018}, {"rsquo", 0x2019}, {"ldquo", 0x201C}, {"rdquo", 0x201D}, {"hellip", 0x2026},
    {"mdash", 0x2014}, {"ndash", 0x2013}, {"laquo", 0xAB},   {"raquo", 0xBB},   {"nbsp", 0xA0},
    {"copy", 0xA9},    {"reg", 0xAE},     {"trade", 0x2122}, {"deg", 0xB0},     {"middot", 0xB7},
};

/* Jekyll's smartify (kramdown's SmartyPants parser): straight quotes become curly, --- and
 * -- dashes, ... an ellipsis, << and >> guillemets; HTML tags pass through, named entities
 * become characters, and a lone < > or & is escaped. */
static hg_value *f_smartify(lq_call *c)
{
	text t = to_text(c, c->in);
	const char *s = t.p;
	size_t n = t.n;
	hg_buf b = HG_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		char prev = i ? s[i - 1] : ' ';
		bool open = is_space((unsigned char)prev) || prev == '(' || prev == '[' || prev == '{' || prev == '-';
		if (ch == '\\' && i + 1 < n && s[i + 1] && strchr("\\`*_{}[]()#+-.!\"'<>", s[i + 1])) {
			i++;
			hg_buf_add_html_escaped(&b, &s[i], 1);
			continue;
		}
		char next = i + 1 < n ? s[i + 1] : '\0';
		if (ch == '<' &&
		    (next == '/' || next == '!' || (next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z'))) {
			size_t j = i + 1;
			while (j < n && s[j] != '>' && s[j] != '<')
				j++;
			if (j < n && s[j] == '>') {
				hg_buf_add(&b, s + i, j + 1 - i);
				i = j;
				continue;
			}
		}
		if (ch == '&') {
			size_t j = i + 1;
			while (j < n && j - i < 10 && is_alnum((unsigned char)s[j]))
				j++;
			bool done = false;
			if (j < n && s[j] == ';' && j > i + 1) {
				for (size_t k = 0; k < HG_ARRAY_LEN(entities); k++)
					if (hg_mem_eq(s + i + 1, j - i - 1, entities[k].name)) {
						utf8_encode(&b, entities[k].cp);
						done = true;
						break;
					}
				if (!done &&
				    (hg_mem_eq(s + i + 1, j - i - 1, "amp") || hg_mem_eq(s + i + 1, j - i - 1, "lt") ||
				     hg_mem_eq(s + i + 1, j - i - 1, "gt") ||
				     hg_mem_eq(s + i + 1, j - i - 1, "quot"))) {
					hg_buf_add(&b, s + i, j + 1 - i);
					done = true;
				}
			}
			if (done) {
				i = j;
				continue;
			}
			hg_buf_adds(&b, "&amp;");
			continue;
		}
		if (ch == '-' && i + 1 < n && s[i + 1] == '-') {
			bool em = i + 2 < n && s[i + 2] == '-';
			utf8_encode(&b, em ? 0x2014 : 0x2013);
			i += em ? 2 : 1;
			continue;
		}
		if (ch == '.' && i + 2 < n && s[i + 1] == '.' && s[i + 2] == '.') {
			utf8_encode(&b, 0x2026);
			i += 2;
			continue;
		}
		if ((ch == '<' || ch == '>') && i + 1 < n && s[i + 1] == ch) {
			utf8_encode(&b, ch == '<' ? 0xAB : 0xBB);
			i++;
			continue;
		}
		if (ch == '"') {
			utf8_encode(&b, open ? 0x201C : 0x201D);
			continue;
		}
		if (ch == '\'') {
			utf8_encode(&b, open ? 0x2018 : 0x2019);
			continue;
		}
		hg_buf_add_html_escaped(&b, &s[i], 1);
	}
	return buf_val(c, &b);
}

static hg_value *f_inspect(lq_call *c)
{
	if (!charge(c, c->in))
		return nil();
	hg_buf b = HG_BUF_INIT;
	inspect(&b, c->in);
	hg_value tmp = {.kind = HG_STRING, .as.s = {b.ptr, b.len}};
	lq_call sub = *c;
	sub.in = &tmp;
	hg_value *v = f_xml_escape(&sub);
	hg_buf_release(&b);
	return v;
}

static hg_value *f_jsonify(lq_call *c)
{
	if (!charge(c, c->in))
		return nil();
	hg_buf b = HG_BUF_INIT;
	hg_value_to_json(&b, c->in);
	return buf_val(c, &b);
}

static hg_value *f_markdownify(lq_call *c)
{
	if (!c->r->host->markdownify) {
		fail(c, "'markdownify' is not available here");
		return nil();
	}
	text t = to_text(c, c->in);
	hg_buf b = HG_BUF_INIT;
	c->r->host->markdownify(c->r->host->ud, t.p, t.n, &b);
	return buf_val(c, &b);
}

static bool is_cjk(uint32_t cp)
{
	return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
	       (cp >= 0x20000 && cp <= 0x2FA1F) || (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x31F0 && cp <= 0x31FF) ||
	       (cp >= 0xFF66 && cp <= 0xFF9F) || (cp >= 0xAC00 && cp <= 0xD7AF) || (cp >= 0x1100 && cp <= 0x11FF) ||
	       (cp >= 0x3130 && cp <= 0x318F);
}

/* Words are runs of non-blanks; in "cjk" mode every CJK character is a word of its own,
 * and "auto" is "cjk" when there are any. */
static hg_value *f_number_of_words(lq_call *c)
{
	text t = to_text(c, c->in);
	text mode = arg_text(c, 0);
	bool cjk_mode = hg_mem_eq(mode.p, mode.n, "cjk"), auto_mode = hg_mem_eq(mode.p, mode.n, "auto");
	int64_t plain = 0, cjk = 0, mixed = 0;
	bool in_plain = false, in_mixed = false;
	for (size_t i = 0; i < t.n;) {
		uint32_t cp = utf8_decode(t.p, t.n, &i);
		bool space = cp < 0x80 && is_space((unsigned char)cp);
		if (!space && !in_plain)
			plain++;
		in_plain = !space;
		if (is_cjk(cp)) {
			cjk++;
			in_mixed = false;
		} else {
			if (!space && !in_mixed)
				mixed++;
			in_mixed = !space;
		}
	}
	if (cjk_mode || (auto_mode && cjk))
		return hg_value_int(c->a, cjk + mixed);
	return hg_value_int(c->a, plain);
}

static hg_value *f_array_to_sentence_string(lq_call *c)
{
	if (c->in->kind != HG_LIST) {
		text t = to_text(c, c->in);
		return str_val(c, t.p, t.n);
	}
	text conn = ARG(0) ? to_text(c, ARG(0)) : (text){"and", 3};
	if (!charge(c, c->in))
		return nil();
	size_t n = c->in->as.list.len;
	hg_value **items = c->in->as.list.items;
	hg_buf b = HG_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (i && n == 2) {
			hg_buf_addc(&b, ' ');
			hg_buf_add(&b, conn.p, conn.n);
			hg_buf_addc(&b, ' ');
		} else if (i) {
			hg_buf_adds(&b, ", ");
			if (i == n - 1) {
				hg_buf_add(&b, conn.p, conn.n);
				hg_buf_addc(&b, ' ');
			}
		}
		hg_lq_to_s(&b, items[i]);
		if (too_long(c, b.len)) {
			hg_buf_release(&b);
			return nil();
		}
	}
	return buf_val(c, &b);
}

/* ==== dates ==== */

/* Liquid's Utils.to_date: a time as it is, "now" and "today", an integer (or a string of
 * digits) as seconds since the epoch, any other string as a date. */
static bool value_time(lq_call *c, const hg_value *v, hg_time *t)
{
	switch (v->kind) {
	case HG_TIME: *t = v->as.t; return true;
	case HG_INT: *t = (hg_time){v->as.i, 0, true}; return true;
	case HG_STRING: {
		const char *s = v->as.s.ptr;
		size_t a = 0, n = v->as.s.len;
		while (a < n && is_space((unsigned char)s[a]))
			a++;
		while (n > a && is_space((unsigned char)s[n - 1]))
			n--;
		if (a == n)
			return false;
		hg_buf low = HG_BUF_INIT;
		add_cased(&low, s + a, n - a, CASE_LOWER);
		bool now = hg_mem_eq(low.ptr, low.len, "now") || hg_mem_eq(low.ptr, low.len, "today");
		hg_buf_release(&low);
		if (now) {
			*t = c->r->host->now;
			return true;
		}
		size_t d = a;
		while (d < n && is_digit((unsigned char)s[d]))
			d++;
		if (d == n) {
			*t = (hg_time){str_to_i(s + a, n - a), 0, true};
			return true;
		}
		return hg_time_parse(s + a, n - a, t);
	}
	default: return false;
	}
}

static hg_value *f_date(lq_call *c)
{
	text fmt = arg_text(c, 0);
	hg_time t;
	if (!fmt.n || !value_time(c, c->in, &t))
		return c->in;
	hg_buf b = HG_BUF_INIT;
	hg_time_format(&b, t, fmt.p);
	return buf_val(c, &b);
}

/* Jekyll's time(): an invalid date is an error in its date_to_* filters. */
static bool jekyll_time(lq_call *c, hg_time *t)
{
	if (value_time(c, c->in, t))
		return true;
	text shown = to_text(c, c->in);
	if (!c->r->failed)
		fail(c, "invalid date '%s' in '%s'", shown.p, c->f->name);
	return false;
}

static bool empty_date(const hg_value *v)
{
	return v->kind == HG_NULL || hg_value_is_empty(v);
}

static hg_value *stringify_date(lq_call *c, const char *month)
{
	if (empty_date(c->in))
		return c->in;
	hg_time t;
	if (!jekyll_time(c, &t))
		return nil();
	text type = arg_text(c, 0), style = arg_text(c, 1);
	char fmt[64];
	if (hg_mem_eq(type.p, type.n, "ordinal")) {
		int day = hg_time_civil(t).day;
		const char *suf = (day >= 11 && day <= 13) ? "th"
		                  : day % 10 == 1          ? "st"
		                  : day % 10 == 2          ? "nd"
		                  : day % 10 == 3          ? "rd"
		                                           : "th";
		if (hg_mem_eq(style.p, style.n, "US"))
			snprintf(fmt, sizeof fmt, "%s %d%s, %%Y", month, day, suf);
		else
			snprintf(fmt, sizeof fmt, "%d%s %s %%Y", day, suf, month);
	} else {
		snprintf(fmt, sizeof fmt, "%%d %s %%Y", month);
	}
	hg_buf b = HG_BUF_INIT;
	hg_time_format(&b, t, fmt);
	return buf_val(c, &b);
}

static hg_value *f_date_to_string(lq_call *c)
{
	return stringify_date(c, "%b");
}
static hg_value *f_date_to_long_string(lq_call *c)
{
	return stringify_date(c, "%B");
}

static hg_value *f_date_to_xmlschema(lq_call *c)
{
	if (empty_date(c->in))
		return c->in;
	hg_time t;
	if (!jekyll_time(c, &t))
		return nil();
	hg_buf b = HG_BUF_INIT;
	hg_time_format(&b, t, "%Y-%m-%dT%H:%M:%S");
	int off = t.utc_offset < 0 ? -t.utc_offset : t.utc_offset;
	hg_buf_addf(&b, "%c%02d:%02d", t.utc_offset < 0 ? '-' : '+', off / 3600, off / 60 % 60);
	return buf_val(c, &b);
}

static hg_value *f_date_to_rfc822(lq_call *c)
{
	if (empty_date(c->in))
		return c->in;
	hg_time t;
	if (!jekyll_time(c, &t))
		return nil();
	hg_buf b = HG_BUF_INIT;
	hg_time_format(&b, t, "%a, %d %b %Y %H:%M:%S %z");
	return buf_val(c, &b);
}

/* ==== lists ==== */

typedef int (*cmp_fn)(void *ctx, const hg_value *a, const hg_value *b);

/* A stable merge sort with a context: qsort has neither. */
static void msort(hg_value **v, hg_value **tmp, size_t n, cmp_fn cmp, void *ctx)
{
	if (n < 2)
		return;
	size_t h = n / 2;
	msort(v, tmp, h, cmp, ctx);
	msort(v + h, tmp, n - h, cmp, ctx);
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n)
		tmp[k++] = cmp(ctx, v[j], v[i]) < 0 ? v[j++] : v[i++];
	while (i < h)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof *v);
}

static hg_value **copy_items(lq_call *c, hg_value **items, size_t n)
{
	hg_value **copy = hg_arena_alloc(c->a, (n ? n : 1) * sizeof *copy);
	if (n)
		memcpy(copy, items, n * sizeof *copy);
	return copy;
}

static void sort_items(hg_value **items, size_t n, cmp_fn cmp, void *ctx)
{
	hg_value **tmp = hg_xmalloc((n ? n : 1) * sizeof *tmp);
	msort(items, tmp, n, cmp, ctx);
	free(tmp);
}

typedef struct sort_ctx {
	lq_call *c;
	int nils; /* -1: nils first; 1: nils last */
	bool failed;
	const hg_value *bad_a, *bad_b;
} sort_ctx;

/* Jekyll's parse_sort_input: numeric strings sort as numbers. */
static hg_value *sort_key(lq_call *c, hg_value *v)
{
	if (v->kind != HG_STRING)
		return v;
	const char *s = v->as.s.ptr;
	size_t n = v->as.s.len, i = s[0] == '-';
	size_t d = i;
	while (i < n && is_digit((unsigned char)s[i]))
		i++;
	if (i == d)
		return v;
	if (i == n)
		return hg_value_int(c->a, str_to_i(s, n));
	if (is_decimal_string(s, n))
		return hg_value_float(c->a, strtod(s, NULL));
	return v;
}

/* Jekyll's sort with a property: `a <=> b`, and when Ruby cannot compare them their to_s. */
static int cmp_property(void *ctx, const hg_value *a, const hg_value *b)
{
	sort_ctx *sc = ctx;
	const hg_value *ka = a->as.list.items[0], *kb = b->as.list.items[0];
	bool na = ka->kind == HG_NULL, nb = kb->kind == HG_NULL;
	if (na || nb)
		return na == nb ? 0 : na ? sc->nils : -sc->nils;
	bool ok;
	int r = hg_value_compare(ka, kb, &ok);
	if (ok && !(ka->kind == HG_BOOL))
		return r;
	hg_buf x = HG_BUF_INIT, y = HG_BUF_INIT;
	hg_lq_to_s(&x, ka);
	hg_lq_to_s(&y, kb);
	size_t m = x.len < y.len ? x.len : y.len;
	r = memcmp(x.ptr, y.ptr, m);
	if (!r)
		r = (x.len > y.len) - (x.len < y.len);
	hg_buf_release(&x);
	hg_buf_release(&y);
	return r;
}

static int cmp_plain(void *ctx, const hg_value *a, const hg_value *b)
{
	sort_ctx *sc = ctx;
	bool na = a->kind == HG_NULL, nb = b->kind == HG_NULL;
	if (na || nb)
		return na == nb ? 0 : na ? -1 : 1;
	bool ok;
	int r = hg_value_compare(a, b, &ok);
	if (!ok && !sc->failed) {
		sc->failed = true;
		sc->bad_a = a;
		sc->bad_b = b;
	}
	return ok ? r : 0;
}

static int cmp_pair_key(void *ctx, const hg_value *a, const hg_value *b)
{
	return cmp_plain(ctx, a->as.list.items[0], b->as.list.items[0]);
}

static const char *kind_name(const hg_value *v)
{
	switch (v->kind) {
	case HG_INT:
	case HG_FLOAT: return "a number";
	case HG_STRING: return "a string";
	case HG_TIME: return "a date";
	case HG_LIST: return "a list";
	case HG_MAP: return "a map";
	default: return "a boolean";
	}
}

static hg_value *f_sort(lq_call *c)
{
	if (c->in->kind == HG_NULL) {
		fail(c, "cannot sort nil");
		return nil();
	}
	bool no_prop = !ARG(0) || ARG(0)->kind == HG_NULL;
	if (c->in->kind == HG_MAP && no_prop) {
		/* Ruby's Hash#sort: [key, value] pairs in key order */
		size_t n = c->in->as.map.len;
		hg_value **pairs = hg_arena_alloc(c->a, (n ? n : 1) * sizeof *pairs);
		for (size_t i = 0; i < n; i++) {
			const hg_map_entry *e = &c->in->as.map.entries[i];
			hg_value *kv[2] = {hg_value_string_borrow(c->a, e->key, e->key_len), e->val};
			pairs[i] = list_of(c, kv, 2);
		}
		sort_ctx sc = {c, -1, false, NULL, NULL};
		sort_items(pairs, n, cmp_pair_key, &sc);
		return list_of(c, pairs, n);
	}
	if (c->in->kind != HG_LIST)
		return c->in;
	size_t n = c->in->as.list.len;
	sort_ctx sc = {c, -1, false, NULL, NULL};
	if (no_prop) {
		hg_value **items = copy_items(c, c->in->as.list.items, n);
		sort_items(items, n, cmp_plain, &sc);
		if (sc.failed) {
			fail(c, "'sort' cannot compare %s with %s", kind_name(sc.bad_a), kind_name(sc.bad_b));
			return nil();
		}
		return list_of(c, items, n);
	}
	text prop = to_text(c, ARG(0));
	text nils = ARG(1) ? to_text(c, ARG(1)) : (text){"first", 5};
	if (hg_mem_eq(nils.p, nils.n, "last"))
		sc.nils = 1;
	else if (!hg_mem_eq(nils.p, nils.n, "first")) {
		fail(c, "'%s' is not a nils order: use 'first' or 'last'", nils.p);
		return nil();
	}
	/* sort [key, item] pairs, as Jekyll does, so each key is looked up once */
	hg_value **pairs = hg_arena_alloc(c->a, (n ? n : 1) * sizeof *pairs);
	for (size_t i = 0; i < n; i++) {
		hg_value *item = c->in->as.list.items[i];
		hg_value *key = sort_key(c, item_property(item, prop.p, prop.n));
		if (key->kind == HG_LIST || key->kind == HG_MAP) {
			/* Ruby falls back to to_s for what <=> cannot order; do it once here */
			text kt = to_text(c, key);
			key = hg_value_string_borrow(c->a, kt.p, kt.n);
		}
		hg_value *kv[2] = {key, item};
		pairs[i] = list_of(c, kv, 2);
	}
	sort_items(pairs, n, cmp_property, &sc);
	for (size_t i = 0; i < n; i++)
		pairs[i] = pairs[i]->as.list.items[1];
	return list_of(c, pairs, n);
}

/* Ruby's casecmp over [key, item] pairs whose key is a string or nil: ASCII letters
 * folded, nils last. */
static int cmp_natural(void *ctx, const hg_value *a, const hg_value *b)
{
	const hg_value *x = a->as.list.items[0], *y = b->as.list.items[0];
	bool na = x->kind == HG_NULL, nb = y->kind == HG_NULL;
	if (na || nb)
		return na == nb ? 0 : na ? 1 : -1;
	size_t m = x->as.s.len < y->as.s.len ? x->as.s.len : y->as.s.len;
	for (size_t i = 0; i < m; i++) {
		int p = (unsigned char)x->as.s.ptr[i], q = (unsigned char)y->as.s.ptr[i];
		if (p >= 'A' && p <= 'Z')
			p += 32;
		if (q >= 'A' && q <= 'Z')
			q += 32;
		if (p != q)
			return p < q ? -1 : 1;
	}
	return (x->as.s.len > y->as.s.len) - (x->as.s.len < y->as.s.len);
}

static hg_value *f_sort_natural(lq_call *c)
{
	size_t n;
	hg_value **items = iter_items(c, c->in, &n);
	bool has_prop = ARG(0) && ARG(0)->kind != HG_NULL;
	text prop = has_prop ? to_text(c, ARG(0)) : (text){"", 0};
	/* each item's key as a string (or nil), computed once */
	hg_value **pairs = hg_arena_alloc(c->a, (n ? n : 1) * sizeof *pairs);
	for (size_t i = 0; i < n && !c->r->failed; i++) {
		hg_value *key = has_prop ? map_get_or_nil(items[i], prop.p, prop.n) : items[i];
		if (key->kind != HG_NULL) {
			text kt = to_text(c, key);
			key = hg_value_string_borrow(c->a, kt.p, kt.n);
		}
		hg_value *kv[2] = {key, items[i]};
		pairs[i] = list_of(c, kv, 2);
	}
	if (c->r->failed)
		return nil();
	sort_items(pairs, n, cmp_natural, NULL);
	for (size_t i = 0; i < n; i++)
		pairs[i] = pairs[i]->as.list.items[1];
	return list_of(c, pairs, n);
}

static hg_value *f_reverse(lq_call *c)
{
	size_t n;
	hg_value **items = iter_items(c, c->in, &n);
	hg_value **out = hg_arena_alloc(c->a, (n ? n : 1) * sizeof *out);
	for (size_t i = 0; i < n; i++)
		out[i] = items[n - 1 - i];
	return list_of(c, out, n);
}

/* A hash of v consistent with Ruby's eql?: 1 and 1.0 differ, lists and maps by content. */
static uint64_t value_hash(const hg_value *v)
{
	uint64_t h = 1469598103934665603ull ^ v->kind;
	switch (v->kind) {
	case HG_BOOL: h ^= v->as.b; break;
	case HG_INT: h ^= (uint64_t)v->as.i; break;
	case HG_FLOAT: {
		uint64_t bits;
		double f = v->as.f == 0 ? 0 : v->as.f;
		memcpy(&bits, &f, sizeof bits);
		h ^= bits;
		break;
	}
	case HG_STRING: h ^= hg_lq_hash(v->as.s.ptr, v->as.s.len); break;
	case HG_TIME: h ^= (uint64_t)v->as.t.secs; break;
	case HG_LIST:
		for (size_t i = 0; i < v->as.list.len; i++)
			h = (h ^ value_hash(v->as.list.items[i])) * 1099511628211ull;
		break;
	case HG_MAP:
		for (size_t i = 0; i < v->as.map.len; i++)
			h ^= hg_lq_hash(v->as.map.entries[i].key, v->as.map.entries[i].key_len) * 31 +
			     value_hash(v->as.map.entries[i].val);
		break;
	default: break;
	}
	return h * 1099511628211ull;
}

static bool value_eql(const hg_value *a, const hg_value *b)
{
	return a->kind == b->kind && hg_value_equal(a, b);
}

/* An open-addressing set of values (their indexes in items), for uniq and group_by. */
typedef struct vset {
	size_t *slots; /* index + 1; 0 is empty */
	size_t cap;
} vset;

static void vset_init(vset *s, size_t n)
{
	s->cap = 16;
	while (s->cap < n * 2)
		s->cap *= 2;
	s->slots = hg_xcalloc(s->cap, sizeof *s->slots);
}

/* The index of an item equal to key already in the set; else adds idx and returns it. */
static size_t vset_find_or_add(vset *s, hg_value **keys, const hg_value *key, size_t idx)
{
	size_t i = (size_t)value_hash(key) & (s->cap - 1);
	for (;; i = (i + 1) & (s->cap - 1)) {
		if (!s->slots[i]) {
			s->slots[i] = idx + 1;
			return idx;
		}
		if (value_eql(keys[s->slots[i] - 1], key))
			return s->slots[i] - 1;
	}
}

static hg_value *f_uniq(lq_call *c)
{
	size_t n;
	hg_value **items = iter_items(c, c->in, &n);
	bool has_prop = ARG(0) && ARG(0)->kind != HG_NULL;
	text prop = has_prop ? to_text(c, ARG(0)) : (text){"", 0};
	hg_value **keys = hg_arena_alloc(c->a, (n ? n : 1) * sizeof *keys);
	hg_value **out = hg_arena_alloc(c->a, (n ? n : 1) * sizeof *out);
	size_t k = 0;
	vset set;
	vset_init(&set, n);
	for (size_t i = 0; i < n; i++) {
		keys[k] = has_prop ? map_get_or_nil(items[i], prop.p, prop.n) : items[i];
		if (!charge(c, keys[k]))
			break;
		if (vset_find_or_add(&set, keys, keys[k], k) == k)
			out[k++] = items[i];
	}
	free(set.slots);
	return list_of(c, out, k);
}

static hg_value *f_compact(lq_call *c)
{
	size_t n;
	hg_value **items = iter_items(c, c->in, &n);
	bool has_prop = ARG(0) && ARG(0)->kind != HG_NULL;
	text prop = has_prop ? to_text(c, ARG(0)) : (text){"", 0};
	vec out = {0};
	for (size_t i = 0; i < n; i++) {
		hg_value *v = has_prop ? map_get_or_nil(items[i], prop.p, prop.n) : items[i];
		if (v->kind != HG_NULL)
			vec_push(&out, items[i]);
	}
	return vec_list(c, &out);
}

static hg_value *f_concat(lq_call *c)
{
	hg_value *other = ARG(0);
	if (other->kind != HG_LIST) {
		fail(c, "'concat' needs a list, not %s", other->kind == HG_NULL ? "nil" : kind_name(other));
		return nil();
	}
	size_t n;
	hg_value **items = iter_items(c, c->in, &n);
	vec out = {0};
	for (size_t i = 0; i < n; i++)
		vec_push(&out, items[i]);
	for (size_t i = 0; i < other->as.list.len; i++)
		vec_push(&out, other->as.list.items[i]);
	return vec_list(c, &out);
}

static hg_value *f_map(lq_call *c)
{
	size_t n;
	hg_value **items = iter_items(c, c->in, &n);
	text prop = arg_text(c, 0);
	hg_value **out = hg_arena_alloc(c->a, (n ? n : 1) * sizeof *out);
	for (size_t i = 0; i < n; i++)
		out[i] = map_get_or_nil(items[i], prop.p, prop.n);
	return list_of(c, out, n);
}

/* Jekyll's compare_property_vs_target: as strings, and a list property matches when any
 * of its items does; `empty` and `blank` match nil, "" and []. */
static bool property_matches(lq_call *c, const hg_value *prop, const hg_value *target, bool method_literal)
{
	if (target->kind == HG_NULL)
		return prop->kind == HG_NULL;
	if (method_literal) {
		if (prop->kind == HG_NULL || hg_value_is_empty(prop))
			return true;
		if (prop->kind != HG_LIST)
			return false;
		for (size_t i = 0; i < prop->as.list.len; i++)
			if (prop->as.list.items[i]->kind != HG_NULL && !hg_value_is_empty(prop->as.list.items[i]))
				return false;
		return true;
	}
	text t = to_text(c, target);
	if (prop->kind == HG_STRING)
		return hg_mem_eq(prop->as.s.ptr, prop->as.s.len, t.p) && prop->as.s.len == t.n;
	if (prop->kind == HG_NULL || prop->kind == HG_MAP)
		return false;
	size_t n = prop->kind == HG_LIST ? prop->as.list.len : 1;
	for (size_t i = 0; i < n; i++) {
		text pt = to_text(c, prop->kind == HG_LIST ? prop->as.list.items[i] : prop);
		if (pt.n == t.n && memcmp(pt.p, t.p, t.n) == 0)
			return true;
	}
	return false;
}

/* where: "prop", value keeps the items whose prop matches; where: "prop" alone keeps
 * those where it is truthy (Liquid 5). */
static hg_value *where(lq_call *c, bool find)
{
	hg_value *target = ARG(1);
	if (!ARG(0) || ARG(0)->kind == HG_NULL || (target && (target->kind == HG_LIST || target->kind == HG_MAP)))
		return c->in;
	size_t n;
	hg_value **items = collection(c, c->in, &n);
	if (!items)
		return c->in;
	text prop = to_text(c, ARG(0));
	bool method = c->f->nargs > 1 && (c->f->args[1]->kind == LQ_EMPTY || c->f->args[1]->kind == LQ_BLANK);
	vec out = {0};
	for (size_t i = 0; i < n; i++) {
		hg_value *p = item_property(items[i], prop.p, prop.n);
		bool ok = target ? property_matches(c, p, target, method) : hg_value_truthy(p);
		if (!ok)
			continue;
		if (find) {
			free(out.items);
			return items[i];
		}
		vec_push(&out, items[i]);
	}
	if (find)
		return nil();
	return vec_list(c, &out);
}

static hg_value *f_where(lq_call *c)
{
	return where(c, false);
}
static hg_value *f_find(lq_call *c)
{
	return where(c, true);
}

/* where_exp and find_exp: binds the variable to each item in turn and keeps those for
 * which the condition holds. */
static hg_value *where_exp(lq_call *c, bool find)
{
	size_t n;
	hg_value **items = collection(c, c->in, &n);
	if (!items)
		return find ? nil() : c->in;
	text var = to_text(c, ARG(0));
	const lq_cond *cond = c->f->pre;
	if (!cond) {
		text exp = to_text(c, ARG(1));
		cond = hg_lq_parse_cond(c->r, c->a, exp.p, exp.n, c->f->line, c->f->col);
		if (!cond)
			return nil();
	}
	vec out = {0};
	size_t slot = c->r->nlocals;
	hg_lq_push(c->r, var.p, var.n, &hg_null_value);
	hg_value *found = NULL;
	for (size_t i = 0; i < n && !found; i++) {
		c->r->locals[slot].val = items[i];
		bool ok = hg_lq_eval_cond(c->r, c->a, cond);
		if (c->r->failed)
			break;
		if (ok && find)
			found = items[i];
		else if (ok)
			vec_push(&out, items[i]);
	}
	hg_lq_pop(c->r);
	if (find) {
		free(out.items);
		return found ? found : nil();
	}
	return vec_list(c, &out);
}

static hg_value *f_where_exp(lq_call *c)
{
	return where_exp(c, false);
}
static hg_value *f_find_exp(lq_call *c)
{
	return where_exp(c, true);
}

/* group_by and group_by_exp: [{"name", "items", "size"}] in order of first appearance;
 * the name is the key's to_s. */
static hg_value *group(lq_call *c, bool by_exp)
{
	if (c->in->kind != HG_LIST && c->in->kind != HG_MAP)
		return c->in;
	size_t n;
	hg_value **items = collection(c, c->in, &n);
	if (!check_depth(c, c->in, 2))
		return nil();
	const lq_chain *chain = NULL;
	text var = {"", 0}, prop = {"", 0};
	if (by_exp) {
		var = to_text(c, ARG(0));
		chain = c->f->pre;
		if (!chain) {
			text exp = to_text(c, ARG(1));
			chain = hg_lq_parse_chain(c->r, c->a, exp.p, exp.n, c->f->line, c->f->col);
			if (!chain)
				return nil();
		}
	} else {
		prop = to_text(c, ARG(0));
	}
	hg_value **names = hg_arena_alloc(c->a, (n ? n : 1) * sizeof *names);
	hg_value **groups = hg_arena_alloc(c->a, (n ? n : 1) * sizeof *groups);
	size_t ng = 0;
	vset set;
	vset_init(&set, n);
	size_t slot = c->r->nlocals;
	if (by_exp)
		hg_lq_push(c->r, var.p, var.n, &hg_null_value);
	for (size_t i = 0; i < n && !c->r->failed; i++) {
		hg_value *key;
		if (by_exp) {
			c->r->locals[slot].val = items[i];
			key = hg_lq_eval_chain(c->r, c->a, chain);
		} else {
			key = item_property(items[i], prop.p, prop.n);
		}
		text kt = to_text(c, key);
		names[ng] = hg_value_string_borrow(c->a, kt.p, kt.n);
		size_t g = vset_find_or_add(&set, names, names[ng], ng);
		if (g == ng)
			groups[ng++] = hg_value_list(c->a);
		hg_list_push(c->a, groups[g], items[i]);
	}
	if (by_exp)
		hg_lq_pop(c->r);
	free(set.slots);
	hg_value **out = hg_arena_alloc(c->a, (ng ? ng : 1) * sizeof *out);
	for (size_t g = 0; g < ng; g++) {
		hg_value *m = hg_value_map(c->a);
		hg_map_set(c->a, m, "name", names[g]);
		hg_map_set(c->a, m, "items", groups[g]);
		hg_map_set(c->a, m, "size", hg_value_int(c->a, (int64_t)groups[g]->as.list.len));
		out[g] = m;
	}
	return list_of(c, out, ng);
}

static hg_value *f_group_by(lq_call *c)
{
	return group(c, false);
}
static hg_value *f_group_by_exp(lq_call *c)
{
	return group(c, true);
}

/* Jekyll's push, pop, shift and unshift return a new list; anything else passes. */
static hg_value *f_push(lq_call *c)
{
	if (c->in->kind != HG_LIST)
		return c->in;
	if (!check_depth(c, ARG(0), 1))
		return nil();
	size_t n = c->in->as.list.len;
	hg_value **out = hg_arena_alloc(c->a, (n + 1) * sizeof *out);
	if (n)
		memcpy(out, c->in->as.list.items, n * sizeof *out);
	out[n] = ARG(0);
	return list_of(c, out, n + 1);
}

static hg_value *f_unshift(lq_call *c)
{
	if (c->in->kind != HG_LIST)
		return c->in;
	if (!check_depth(c, ARG(0), 1))
		return nil();
	size_t n = c->in->as.list.len;
	hg_value **out = hg_arena_alloc(c->a, (n + 1) * sizeof *out);
	out[0] = ARG(0);
	if (n)
		memcpy(out + 1, c->in->as.list.items, n * sizeof *out);
	return list_of(c, out, n + 1);
}

static hg_value *pop_shift(lq_call *c, bool front)
{
	if (c->in->kind != HG_LIST)
		return c->in;
	int64_t k = ARG(0) ? hg_lq_to_integer(ARG(0)) : 1;
	size_t n = c->in->as.list.len;
	if (k < 0) {
		fail(c, "'%s' cannot remove a negative number of items", c->f->name);
		return nil();
	}
	size_t drop = (uint64_t)k > n ? n : (size_t)k;
	if (drop == n)
		return list_of(c, NULL, 0);
	return list_of(c, c->in->as.list.items + (front ? drop : 0), n - drop);
}

static hg_value *f_pop(lq_call *c)
{
	return pop_shift(c, false);
}
static hg_value *f_shift(lq_call *c)
{
	return pop_shift(c, true);
}

/* ==== the table ==== */

static const lq_filter_def filters[] = {
    {"abs", f_abs, 0, 0, 0, NULL, false},
    {"absolute_url", f_absolute_url, 0, 0, 0, NULL, false},
    {"append", f_append, 1, 1, 0, NULL, false},
    {"array_to_sentence_string", f_array_to_sentence_string, 0, 1, 0, NULL, true},
    {"at_least", f_at_least, 1, 1, 0, NULL, false},
    {"at_most", f_at_most, 1, 1, 0, NULL, false},
    {"capitalize", f_capitalize, 0, 0, 0, NULL, false},
    {"ceil", f_ceil, 0, 0, 0, NULL, false},
    {"cgi_escape", f_cgi_escape, 0, 0, 0, NULL, false},
    {"compact", f_compact, 0, 1, 0, NULL, true},
    {"concat", f_concat, 1, 1, 0, NULL, true},
    {"date", f_date, 1, 1, 0, NULL, false},
    {"date_to_long_string", f_date_to_long_string, 0, 2, 0, NULL, false},
    {"date_to_rfc822", f_date_to_rfc822, 0, 0, 0, NULL, false},
    {"date_to_string", f_date_to_string, 0, 2, 0, NULL, false},
    {"date_to_xmlschema", f_date_to_xmlschema, 0, 0, 0, NULL, false},
    {"default", f_default, 0, 1, 0, "allow_false", false},
    {"divided_by", f_divided_by, 1, 1, 0, NULL, false},
    {"downcase", f_downcase, 0, 0, 0, NULL, false},
    {"escape", f_escape, 0, 0, 0, NULL, false},
    {"escape_once", f_escape_once, 0, 0, 0, NULL, false},
    {"find", f_find, 2, 2, 0, NULL, true},
    {"find_exp", f_find_exp, 2, 2, LQ_EXP_COND, NULL, true},
    {"first", f_first, 0, 0, 0, NULL, false},
    {"floor", f_floor, 0, 0, 0, NULL, false},
    {"group_by", f_group_by, 1, 1, 0, NULL, true},
    {"group_by_exp", f_group_by_exp, 2, 2, LQ_EXP_CHAIN, NULL, true},
    {"h", f_escape, 0, 0, 0, NULL, false},
    {"inspect", f_inspect, 0, 0, 0, NULL, false},
    {"join", f_join, 0, 1, 0, NULL, true},
    {"jsonify", f_jsonify, 0, 0, 0, NULL, false},
    {"last", f_last, 0, 0, 0, NULL, false},
    {"lstrip", f_lstrip, 0, 0, 0, NULL, false},
    {"map", f_map, 1, 1, 0, NULL, true},
    {"markdownify", f_markdownify, 0, 0, 0, NULL, false},
    {"minus", f_minus, 1, 1, 0, NULL, false},
    {"modulo", f_modulo, 1, 1, 0, NULL, false},
    {"newline_to_br", f_newline_to_br, 0, 0, 0, NULL, false},
    {"normalize_whitespace", f_normalize_whitespace, 0, 0, 0, NULL, false},
    {"number_of_words", f_number_of_words, 0, 1, 0, NULL, false},
    {"plus", f_plus, 1, 1, 0, NULL, false},
    {"pop", f_pop, 0, 1, 0, NULL, false},
    {"prepend", f_prepend, 1, 1, 0, NULL, false},
    {"push", f_push, 1, 1, 0, NULL, false},
    {"relative_url", f_relative_url, 0, 0, 0, NULL, false},
    {"remove", f_remove, 1, 1, 0, NULL, false},
    {"remove_first", f_remove_first, 1, 1, 0, NULL, false},
    {"remove_last", f_remove_last, 1, 1, 0, NULL, false},
    {"replace", f_replace, 1, 2, 0, NULL, false},
    {"replace_first", f_replace_first, 1, 2, 0, NULL, false},
    {"replace_last", f_replace_last, 1, 2, 0, NULL, false},
    {"reverse", f_reverse, 0, 0, 0, NULL, true},
    {"round", f_round, 0, 1, 0, NULL, false},
    {"rstrip", f_rstrip, 0, 0, 0, NULL, false},
    {"shift", f_shift, 0, 1, 0, NULL, false},
    {"size", f_size, 0, 0, 0, NULL, false},
    {"slice", f_slice, 1, 2, 0, NULL, false},
    {"slugify", f_slugify, 0, 1, 0, NULL, false},
    {"smartify", f_smartify, 0, 0, 0, NULL, false},
    {"sort", f_sort, 0, 2, 0, NULL, true},
    {"sort_natural", f_sort_natural, 0, 1, 0, NULL, true},
    {"split", f_split, 1, 1, 0, NULL, false},
    {"strip", f_strip, 0, 0, 0, NULL, false},
    {"strip_html", f_strip_html, 0, 0, 0, NULL, false},
    {"strip_newlines", f_strip_newlines, 0, 0, 0, NULL, false},
    {"times", f_times, 1, 1, 0, NULL, false},
    {"to_integer", f_to_integer, 0, 0, 0, NULL, false},
    {"truncate", f_truncate, 0, 2, 0, NULL, false},
    {"truncatewords", f_truncatewords, 0, 2, 0, NULL, false},
    {"uniq", f_uniq, 0, 1, 0, NULL, true},
    {"unshift", f_unshift, 1, 1, 0, NULL, false},
    {"upcase", f_upcase, 0, 0, 0, NULL, false},
    {"uri_escape", f_uri_escape, 0, 0, 0, NULL, false},
    {"url_decode", f_url_decode, 0, 0, 0, NULL, false},
    {"url_encode", f_cgi_escape, 0, 0, 0, NULL, false},
    {"where", f_where, 1, 2, 0, NULL, true},
    {"where_exp", f_where_exp, 2, 2, LQ_EXP_COND, NULL, true},
    {"xml_escape", f_xml_escape, 0, 0, 0, NULL, false},
};

int hg_lq_filter_find(const char *name, size_t len)
{
	size_t lo = 0, hi = HG_ARRAY_LEN(filters);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *k = filters[mid].name;
		size_t kn = strlen(k);
		int c = memcmp(name, k, len < kn ? len : kn);
		if (!c)
			c = (len > kn) - (len < kn);
		if (!c)
			return (int)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

const lq_filter_def *hg_lq_filter_def(int id)
{
	return &filters[id];
}

hg_value *hg_lq_filter_apply(lq_call *c)
{
	const lq_filter_def *def = &filters[c->f->id];
	hg_value *v = def->fn(c);
	if (c->r->failed)
		return nil();
	/* filters scan their string input and arguments: a step per 16 bytes */
	uint64_t units = 1 + (c->in->kind == HG_STRING ? c->in->as.s.len >> 4 : 0);
	for (unsigned i = 0; i < c->nargs; i++)
		if (c->args[i]->kind == HG_STRING)
			units += c->args[i]->as.s.len >> 4;
	if (def->walks && c->in->kind == HG_LIST)
		units += c->in->as.list.len;
	else if (def->walks && c->in->kind == HG_MAP)
		units += c->in->as.map.len;
	if (v->kind == HG_STRING)
		units += v->as.s.len >> 4;
	else if (v->kind == HG_LIST)
		units += v->as.list.len;
	else if (v->kind == HG_MAP)
		units += v->as.map.len;
	hg_lq_charge(c->r, units, c->f->line, c->f->col);
	return v;
}
