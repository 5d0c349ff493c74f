#include "value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "banned.h"

hg_value hg_null_value = {.kind = HG_NULL};
hg_value hg_true_value = {.kind = HG_BOOL, .as.b = true};
hg_value hg_false_value = {.kind = HG_BOOL, .as.b = false};

hg_value *hg_value_new(hg_arena *a, hg_kind kind)
{
	hg_value *v = hg_arena_zalloc(a, sizeof *v);
	v->kind = kind;
	return v;
}

hg_value *hg_value_bool(bool b) { return b ? &hg_true_value : &hg_false_value; }

hg_value *hg_value_int(hg_arena *a, int64_t i)
{
	hg_value *v = hg_value_new(a, HG_INT);
	v->as.i = i;
	return v;
}

hg_value *hg_value_float(hg_arena *a, double f)
{
	hg_value *v = hg_value_new(a, HG_FLOAT);
	v->as.f = f;
	return v;
}

hg_value *hg_value_string_borrow(hg_arena *a, const char *s, size_t len)
{
	hg_value *v = hg_value_new(a, HG_STRING);
	v->as.s.ptr = s;
	v->as.s.len = len;
	return v;
}

hg_value *hg_value_string(hg_arena *a, const char *s, size_t len)
{
	return hg_value_string_borrow(a, hg_arena_strndup(a, s, len), len);
}

hg_value *hg_value_cstr(hg_arena *a, const char *s) { return hg_value_string(a, s, strlen(s)); }

hg_value *hg_value_time(hg_arena *a, hg_time t)
{
	hg_value *v = hg_value_new(a, HG_TIME);
	v->as.t = t;
	return v;
}

hg_value *hg_value_list(hg_arena *a) { return hg_value_new(a, HG_LIST); }
hg_value *hg_value_map(hg_arena *a) { return hg_value_new(a, HG_MAP); }

/* Lists and maps grow inside the arena: the old array is abandoned (the arena frees it
 * with everything else). Doubling keeps the waste under half. */
static void *arena_grow(hg_arena *a, void *old, size_t len, size_t *cap, size_t elem)
{
	if (len < *cap)
		return old;
	size_t n = *cap ? *cap * 2 : 4;
	void *p = hg_arena_alloc(a, n * elem);
	if (len)
		memcpy(p, old, len * elem);
	*cap = n;
	return p;
}

void hg_list_push(hg_arena *a, hg_value *list, hg_value *item)
{
	list->as.list.items = arena_grow(a, list->as.list.items, list->as.list.len, &list->as.list.cap,
					 sizeof(hg_value *));
	list->as.list.items[list->as.list.len++] = item;
}

hg_value *hg_map_getn(const hg_value *m, const char *key, size_t len)
{
	if (!m || m->kind != HG_MAP)
		return NULL;
	for (size_t i = 0; i < m->as.map.len; i++) {
		const hg_map_entry *e = &m->as.map.entries[i];
		if (e->key_len == len && memcmp(e->key, key, len) == 0)
			return e->val;
	}
	return NULL;
}

hg_value *hg_map_get(const hg_value *m, const char *key) { return hg_map_getn(m, key, strlen(key)); }

void hg_map_setn(hg_arena *a, hg_value *m, const char *key, size_t len, hg_value *val)
{
	for (size_t i = 0; i < m->as.map.len; i++) {
		hg_map_entry *e = &m->as.map.entries[i];
		if (e->key_len == len && memcmp(e->key, key, len) == 0) {
			e->val = val;
			return;
		}
	}
	m->as.map.entries =
		arena_grow(a, m->as.map.entries, m->as.map.len, &m->as.map.cap, sizeof(hg_map_entry));
	m->as.map.entries[m->as.map.len++] = (hg_map_entry){hg_arena_strndup(a, key, len), len, val};
}

void hg_map_set(hg_arena *a, hg_value *m, const char *key, hg_value *val)
{
	hg_map_setn(a, m, key, strlen(key), val);
}

void hg_map_merge(hg_arena *a, hg_value *dst, const hg_value *src)
{
	if (!src || src->kind != HG_MAP)
		return;
	for (size_t i = 0; i < src->as.map.len; i++) {
		const hg_map_entry *e = &src->as.map.entries[i];
		hg_value *cur = hg_map_getn(dst, e->key, e->key_len);
		if (cur && cur->kind == HG_MAP && e->val->kind == HG_MAP)
			hg_map_merge(a, cur, e->val);
		else
			hg_map_setn(a, dst, e->key, e->key_len, e->val);
	}
}

const char *hg_map_str(const hg_value *m, const char *key, const char *dflt)
{
	const hg_value *v = hg_map_get(m, key);
	return v && v->kind == HG_STRING ? v->as.s.ptr : dflt;
}

bool hg_map_bool(const hg_value *m, const char *key, bool dflt)
{
	const hg_value *v = hg_map_get(m, key);
	if (!v || v->kind == HG_NULL)
		return dflt;
	if (v->kind == HG_BOOL)
		return v->as.b;
	if (v->kind == HG_STRING)
		return hg_mem_eq(v->as.s.ptr, v->as.s.len, "true");
	return dflt;
}

bool hg_value_truthy(const hg_value *v) { return v && v->kind != HG_NULL && !(v->kind == HG_BOOL && !v->as.b); }

bool hg_value_is_empty(const hg_value *v)
{
	if (!v)
		return false;
	switch (v->kind) {
	case HG_STRING: return v->as.s.len == 0;
	case HG_LIST: return v->as.list.len == 0;
	case HG_MAP: return v->as.map.len == 0;
	default: return false;
	}
}

bool hg_value_number(const hg_value *v, double *out)
{
	if (!v)
		return false;
	switch (v->kind) {
	case HG_INT: *out = (double)v->as.i; return true;
	case HG_FLOAT: *out = v->as.f; return true;
	case HG_STRING: {
		if (!v->as.s.len)
			return false;
		char *end;
		double d = strtod(v->as.s.ptr, &end);
		while (*end == ' ')
			end++;
		if (*end)
			return false;
		*out = d;
		return true;
	}
	default: return false;
	}
}

static bool is_numeric(const hg_value *v) { return v->kind == HG_INT || v->kind == HG_FLOAT; }

bool hg_value_equal(const hg_value *a, const hg_value *b)
{
	if (!a)
		a = &hg_null_value;
	if (!b)
		b = &hg_null_value;
	if (is_numeric(a) && is_numeric(b)) {
		if (a->kind == HG_INT && b->kind == HG_INT)
			return a->as.i == b->as.i;
		double x, y;
		hg_value_number(a, &x);
		hg_value_number(b, &y);
		return x == y;
	}
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case HG_NULL: return true;
	case HG_BOOL: return a->as.b == b->as.b;
	case HG_STRING: return a->as.s.len == b->as.s.len && memcmp(a->as.s.ptr, b->as.s.ptr, a->as.s.len) == 0;
	case HG_TIME: return a->as.t.secs == b->as.t.secs;
	case HG_LIST:
		if (a->as.list.len != b->as.list.len)
			return false;
		for (size_t i = 0; i < a->as.list.len; i++)
			if (!hg_value_equal(a->as.list.items[i], b->as.list.items[i]))
				return false;
		return true;
	case HG_MAP:
		if (a->as.map.len != b->as.map.len)
			return false;
		for (size_t i = 0; i < a->as.map.len; i++) {
			const hg_map_entry *e = &a->as.map.entries[i];
			if (!hg_value_equal(e->val, hg_map_getn(b, e->key, e->key_len)))
				return false;
		}
		return true;
	default: return false;
	}
}

int hg_value_compare(const hg_value *a, const hg_value *b, bool *ok)
{
	*ok = true;
	if (!a)
		a = &hg_null_value;
	if (!b)
		b = &hg_null_value;
	if (a->kind == HG_NULL || b->kind == HG_NULL)
		return (a->kind != HG_NULL) - (b->kind != HG_NULL);
	if (is_numeric(a) && is_numeric(b)) {
		if (a->kind == HG_INT && b->kind == HG_INT)
			return (a->as.i > b->as.i) - (a->as.i < b->as.i);
		double x, y;
		hg_value_number(a, &x);
		hg_value_number(b, &y);
		return (x > y) - (x < y);
	}
	if (a->kind == HG_STRING && b->kind == HG_STRING) {
		size_t n = a->as.s.len < b->as.s.len ? a->as.s.len : b->as.s.len;
		int c = memcmp(a->as.s.ptr, b->as.s.ptr, n);
		if (c)
			return c < 0 ? -1 : 1;
		return (a->as.s.len > b->as.s.len) - (a->as.s.len < b->as.s.len);
	}
	if (a->kind == HG_TIME && b->kind == HG_TIME)
		return (a->as.t.secs > b->as.t.secs) - (a->as.t.secs < b->as.t.secs);
	if (a->kind == HG_BOOL && b->kind == HG_BOOL)
		return (int)a->as.b - (int)b->as.b;
	*ok = false;
	return 0;
}

/* Ruby prints floats in the shortest form that reads back to the same double, always with
 * a fractional part, and in exponent form only when the decimal exponent is below -4 or at
 * least 16: 4.0, 100.0, 4.13, 0.0001, 1.0e-05, 1.0e+16. */
static void add_float(hg_buf *out, double f)
{
	if (isnan(f)) {
		hg_buf_adds(out, "NaN");
		return;
	}
	if (isinf(f)) {
		hg_buf_adds(out, f < 0 ? "-Infinity" : "Infinity");
		return;
	}
	if (f == 0) {
		hg_buf_adds(out, signbit(f) ? "-0.0" : "0.0");
		return;
	}
	/* the fewest significant digits that round-trip: a bisection over %.*e precisions
	 * (if p digits round-trip, so do p + 1) */
	char tmp[48];
	int lo = 0, hi = 16;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		snprintf(tmp, sizeof tmp, "%.*e", mid, f);
		if (strtod(tmp, NULL) == f)
			hi = mid;
		else
			lo = mid + 1;
	}
	snprintf(tmp, sizeof tmp, "%.*e", lo, f);
	/* tmp is [-]d[.ddd]e±XX: split it into sign, digits and exponent */
	const char *p = tmp;
	if (*p == '-') {
		hg_buf_addc(out, '-');
		p++;
	}
	char digits[24];
	size_t nd = 0;
	for (; *p && *p != 'e'; p++)
		if (*p != '.' && nd < sizeof digits - 1)
			digits[nd++] = *p;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = '\0';
	int e = atoi(p + 1);
	if (e >= -4 && e < 16) {
		if (e >= 0) {
			for (int i = 0; i <= e; i++)
				hg_buf_addc(out, (size_t)i < nd ? digits[i] : '0');
			hg_buf_addc(out, '.');
			if ((size_t)e + 1 < nd)
				hg_buf_add(out, digits + e + 1, nd - (size_t)e - 1);
			else
				hg_buf_addc(out, '0');
		} else {
			hg_buf_adds(out, "0.");
			for (int i = 0; i < -e - 1; i++)
				hg_buf_addc(out, '0');
			hg_buf_add(out, digits, nd);
		}
		return;
	}
	hg_buf_addc(out, digits[0]);
	hg_buf_addc(out, '.');
	if (nd > 1)
		hg_buf_add(out, digits + 1, nd - 1);
	else
		hg_buf_addc(out, '0');
	hg_buf_addf(out, "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
}

static void add_time(hg_buf *out, hg_time t) { hg_time_format(out, t, "%Y-%m-%d %H:%M:%S %z"); }

void hg_value_to_text(hg_buf *out, const hg_value *v)
{
	if (!v)
		return;
	switch (v->kind) {
	case HG_NULL: break;
	case HG_BOOL: hg_buf_adds(out, v->as.b ? "true" : "false"); break;
	case HG_INT: hg_buf_addf(out, "%lld", (long long)v->as.i); break;
	case HG_FLOAT: add_float(out, v->as.f); break;
	case HG_STRING: hg_buf_add(out, v->as.s.ptr, v->as.s.len); break;
	case HG_TIME: add_time(out, v->as.t); break;
	case HG_LIST:
		for (size_t i = 0; i < v->as.list.len; i++)
			hg_value_to_text(out, v->as.list.items[i]);
		break;
	case HG_MAP: hg_value_to_json(out, v); break;
	}
}

static void add_json_string(hg_buf *out, const char *s, size_t n)
{
	hg_buf_addc(out, '"');
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&')
			continue;
		hg_buf_add(out, s + start, i - start);
		switch (c) {
		case '"': hg_buf_adds(out, "\\\""); break;
		case '\\': hg_buf_adds(out, "\\\\"); break;
		case '\n': hg_buf_adds(out, "\\n"); break;
		case '\r': hg_buf_adds(out, "\\r"); break;
		case '\t': hg_buf_adds(out, "\\t"); break;
		/* < > & as escapes keep JSON safe inside a <script> element */
		default: hg_buf_addf(out, "\\u%04x", c); break;
		}
		start = i + 1;
	}
	hg_buf_add(out, s + start, n - start);
	hg_buf_addc(out, '"');
}

void hg_value_to_json(hg_buf *out, const hg_value *v)
{
	if (!v || v->kind == HG_NULL) {
		hg_buf_adds(out, "null");
		return;
	}
	switch (v->kind) {
	case HG_STRING: add_json_string(out, v->as.s.ptr, v->as.s.len); break;
	case HG_TIME: {
		hg_buf tmp = HG_BUF_INIT;
		add_time(&tmp, v->as.t);
		add_json_string(out, tmp.ptr, tmp.len);
		hg_buf_release(&tmp);
		break;
	}
	case HG_FLOAT:
		if (isnan(v->as.f) || isinf(v->as.f))
			hg_buf_adds(out, "null");
		else
			add_float(out, v->as.f);
		break;
	case HG_LIST:
		hg_buf_addc(out, '[');
		for (size_t i = 0; i < v->as.list.len; i++) {
			if (i)
				hg_buf_addc(out, ',');
			hg_value_to_json(out, v->as.list.items[i]);
		}
		hg_buf_addc(out, ']');
		break;
	case HG_MAP:
		hg_buf_addc(out, '{');
		for (size_t i = 0; i < v->as.map.len; i++) {
			if (i)
				hg_buf_addc(out, ',');
			add_json_string(out, v->as.map.entries[i].key, v->as.map.entries[i].key_len);
			hg_buf_addc(out, ':');
			hg_value_to_json(out, v->as.map.entries[i].val);
		}
		hg_buf_addc(out, '}');
		break;
	default: hg_value_to_text(out, v); break;
	}
}

/* ==== calendar ====
 * Howard Hinnant's days-from-civil algorithm: exact for every proleptic Gregorian date. */

static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int64_t hg_civil_to_secs(int year, int month, int day, int hour, int min, int sec)
{
	/* normalise the month so callers may pass month 13 or 0 */
	int64_t y = year + (month - 1) / 12;
	int m = (month - 1) % 12;
	if (m < 0) {
		m += 12;
		y--;
	}
	return days_from_civil(y, m + 1, 1) * 86400 + (int64_t)(day - 1) * 86400 + hour * 3600 + min * 60 + sec;
}

hg_civil hg_time_civil(hg_time t)
{
	hg_civil c;
	int64_t s = t.secs + t.utc_offset;
	int64_t days = s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
	int64_t rem = s - days * 86400;
	civil_from_days(days, &c.year, &c.month, &c.day);
	c.hour = (int)(rem / 3600);
	c.min = (int)(rem / 60 % 60);
	c.sec = (int)(rem % 60);
	c.wday = (int)((days % 7 + 11) % 7); /* 1970-01-01 was a Thursday */
	c.yday = (int)(days - days_from_civil(c.year, 1, 1));
	return c;
}

static bool digits(const char *s, size_t len, size_t *i, int n, int *out)
{
	int v = 0;
	for (int k = 0; k < n; k++) {
		if (*i >= len || s[*i] < '0' || s[*i] > '9')
			return false;
		v = v * 10 + (s[(*i)++] - '0');
	}
	*out = v;
	return true;
}

bool hg_time_parse(const char *s, size_t len, hg_time *out)
{
	size_t i = 0;
	int y, mo, d, h = 0, mi = 0, se = 0;
	if (!digits(s, len, &i, 4, &y) || i >= len || s[i++] != '-')
		return false;
	/* YAML allows one-digit months and days: 2022-6-1 */
	if (!digits(s, len, &i, 1, &mo))
		return false;
	if (i < len && s[i] >= '0' && s[i] <= '9')
		mo = mo * 10 + (s[i++] - '0');
	if (i >= len || s[i++] != '-' || !digits(s, len, &i, 1, &d))
		return false;
	if (i < len && s[i] >= '0' && s[i] <= '9')
		d = d * 10 + (s[i++] - '0');
	if (mo < 1 || mo > 12 || d < 1 || d > 31)
		return false;
	hg_time t = {0};
	if (i < len) {
		if (s[i] != ' ' && s[i] != 'T' && s[i] != 't' && s[i] != '\t')
			return false;
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i < len && (s[i] == 'T' || s[i] == 't'))
			i++;
		if (!digits(s, len, &i, 1, &h))
			return false;
		if (i < len && s[i] >= '0' && s[i] <= '9')
			h = h * 10 + (s[i++] - '0');
		if (i >= len || s[i++] != ':' || !digits(s, len, &i, 2, &mi))
			return false;
		if (i < len && s[i] == ':') {
			i++;
			if (!digits(s, len, &i, 2, &se))
				return false;
			if (i < len && s[i] == '.') {
				i++;
				while (i < len && s[i] >= '0' && s[i] <= '9')
					i++;
			}
		}
		if (h > 24 || mi > 59 || se > 60)
			return false;
		t.has_time = true;
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
			i++;
		} else if (i < len && (s[i] == '+' || s[i] == '-')) {
			int sign = s[i++] == '-' ? -1 : 1, oh, om = 0;
			if (!digits(s, len, &i, 1, &oh))
				return false;
			if (i < len && s[i] >= '0' && s[i] <= '9')
				oh = oh * 10 + (s[i++] - '0');
			if (i < len && s[i] == ':')
				i++;
			if (i < len && !digits(s, len, &i, 2, &om))
				return false;
			t.utc_offset = sign * (oh * 3600 + om * 60);
		}
		if (i != len)
			return false;
	}
	t.secs = hg_civil_to_secs(y, mo, d, h, mi, se) - t.utc_offset;
	*out = t;
	return true;
}

void hg_time_format(hg_buf *out, hg_time t, const char *fmt)
{
	hg_civil c = hg_time_civil(t);
	struct tm tm = {
		.tm_year = c.year - 1900,
		.tm_mon = c.month - 1,
		.tm_mday = c.day,
		.tm_hour = c.hour,
		.tm_min = c.min,
		.tm_sec = c.sec,
		.tm_wday = c.wday,
		.tm_yday = c.yday,
	};
	for (const char *p = fmt; *p; p++) {
		if (*p != '%' || !p[1]) {
			hg_buf_addc(out, *p);
			continue;
		}
		p++;
		/* Ruby's flags: '-' drops padding, '^' upcases */
		bool no_pad = false, upper = false;
		while (*p == '-' || *p == '^') {
			if (*p == '-')
				no_pad = true;
			else
				upper = true;
			p++;
		}
		if (!*p)
			break;
		char tmp[128];
		size_t n;
		int off = t.utc_offset;
		switch (*p) {
		case 'z':
		case 'Z':
			n = (size_t)snprintf(tmp, sizeof tmp, "%c%02d%02d", off < 0 ? '-' : '+', abs(off) / 3600,
					     abs(off) / 60 % 60);
			if (*p == 'Z' && off == 0)
				n = (size_t)snprintf(tmp, sizeof tmp, "UTC");
			break;
		case 's': n = (size_t)snprintf(tmp, sizeof tmp, "%lld", (long long)t.secs); break;
		case 'L': n = (size_t)snprintf(tmp, sizeof tmp, "000"); break;
		case 'N': n = (size_t)snprintf(tmp, sizeof tmp, "000000000"); break;
		case 'P': n = (size_t)snprintf(tmp, sizeof tmp, "%s", c.hour < 12 ? "am" : "pm"); break;
		default: {
			char f[3] = {'%', *p, 0};
			n = strftime(tmp, sizeof tmp, f, &tm);
		}
		}
		char *s = tmp;
		if (no_pad)
			while (n > 1 && (*s == '0' || *s == ' ')) {
				s++;
				n--;
			}
		if (upper)
			for (size_t k = 0; k < n; k++)
				if (s[k] >= 'a' && s[k] <= 'z')
					s[k] = (char)(s[k] - 32);
		hg_buf_add(out, s, n);
	}
}
