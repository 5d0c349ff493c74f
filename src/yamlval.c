/* yamlval.c — libyaml's event stream turned into an hg_value tree.
 *
 * Events rather than libyaml's document API, for three reasons: the nesting limit stops a
 * document of ten thousand `[` after 64 of them instead of after building them all; an alias
 * costs the size of what it expands to, counted as it is met, so a "billion laughs" document
 * fails after a million values instead of exhausting memory in a consumer (aliases share their
 * target: the tree is a DAG and `jsonify` would walk every path); and each value gets its
 * position straight from its event.
 *
 * Only the first document of a stream is read, as Psych's `load` does.
 */
#include "yamlval.h"

#include <yaml.h>

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

#define MAX_DEPTH 64
#define MAX_VALUES 1000000
/* Issue 8: the bytes of the strings, aliases expanded. Counting values alone let a 90 KB
 * page name a 590 MB title (nine 10 KB strings, aliased nine times over four levels). */
#define MAX_TEXT (64u << 20)

/* ==== small hash index over keys ====
 * Maps with many keys (data files) and documents with many anchors must not go quadratic:
 * value.c's hg_map_setn is a linear scan, so while a map is being built its keys are also
 * indexed here. Slots hold entry index + 1; 0 is empty. */

typedef struct key_index {
	uint32_t *slots;
	size_t cap; /* a power of two, or 0 */
} key_index;

static uint64_t hash_key(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603u;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211u;
	}
	return h;
}

/* ==== parse state ==== */

typedef struct anchor {
	const char *name;
	size_t name_len;
	hg_value *val;
	size_t weight; /* values in val, aliases expanded */
	size_t bytes;  /* string bytes in val, aliases expanded */
} anchor;

typedef struct frame {
	hg_value *val; /* HG_LIST or HG_MAP being filled */
	const char *anchor;
	size_t first_count; /* ctx.count when it started */
	size_t first_bytes; /* ctx.bytes when it started */
	key_index index;    /* maps only, once they grow */
	bool have_key;
	bool key_merge; /* the pending key is `<<` */
	const char *key;
	size_t key_len;
} frame;

typedef struct ctx {
	hg_arena *a;
	const char *src;
	size_t len;
	const char *path;
	unsigned first_line;
	hg_diags *d;

	/* libyaml marks count characters; hubgen's columns count bytes. These cursors walk
	 * forward through src as the events do, so converting is linear overall. */
	size_t ch_index, ch_byte, start_byte;
	size_t ln_byte, ln_bol;
	unsigned ln_line;

	frame stack[MAX_DEPTH];
	size_t depth;
	hg_value *root;
	size_t count;
	size_t bytes; /* string bytes so far, aliases expanded (MAX_TEXT) */

	anchor *anchors;
	size_t n_anchors, anchors_cap;
	key_index anchor_index;
} ctx;

/* ==== positions ==== */

static size_t utf8_width(unsigned char c)
{
	if (c < 0xC0)
		return 1; /* ASCII, or a stray continuation byte counted alone */
	if (c < 0xE0)
		return 2;
	if (c < 0xF0)
		return 3;
	return 4;
}

static size_t byte_of_index(ctx *c, size_t index)
{
	if (index < c->ch_index) {
		c->ch_index = 0;
		c->ch_byte = c->start_byte;
	}
	while (c->ch_index < index && c->ch_byte < c->len) {
		c->ch_byte += utf8_width((unsigned char)c->src[c->ch_byte]);
		c->ch_index++;
	}
	return c->ch_byte < c->len ? c->ch_byte : c->len;
}

static void line_col_of_byte(ctx *c, size_t off, unsigned *line, unsigned *col)
{
	if (off < c->ln_byte) {
		c->ln_byte = c->ln_bol = 0;
		c->ln_line = 1;
	}
	for (const char *p; c->ln_byte < off && (p = memchr(c->src + c->ln_byte, '\n', off - c->ln_byte));) {
		c->ln_line++;
		c->ln_byte = c->ln_bol = (size_t)(p - c->src) + 1;
	}
	c->ln_byte = off;
	*line = c->ln_line + c->first_line - 1;
	*col = (unsigned)(off - c->ln_bol) + 1;
}

static void locate(ctx *c, yaml_mark_t m, unsigned *line, unsigned *col)
{
	line_col_of_byte(c, byte_of_index(c, m.index), line, col);
}

static void set_pos(ctx *c, hg_value *v, yaml_mark_t m)
{
	unsigned line, col;
	locate(c, m, &line, &col);
	v->line = line;
	v->col = col;
}

static void fail(ctx *c, yaml_mark_t m, const char *fmt, ...) HG_PRINTF(3, 4);
static void fail(ctx *c, yaml_mark_t m, const char *fmt, ...)
{
	unsigned line, col;
	locate(c, m, &line, &col);
	hg_buf msg = HG_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	hg_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	hg_error(c->d, c->path, line, col, "%s", msg.ptr);
	hg_buf_release(&msg);
}

static void report_parser_error(ctx *c, const yaml_parser_t *p)
{
	const char *problem = p->problem ? p->problem : "invalid YAML";
	unsigned line, col;
	switch (p->error) {
	case YAML_MEMORY_ERROR: hg_error(c->d, c->path, c->first_line, 1, "out of memory while reading YAML"); return;
	case YAML_READER_ERROR:
		/* the reader knows a byte offset, not a mark */
		line_col_of_byte(c, p->problem_offset < c->len ? p->problem_offset : c->len, &line, &col);
		if (p->problem_value != -1)
			hg_error(c->d, c->path, line, col, "%s (byte 0x%02x)", problem,
			         (unsigned)p->problem_value & 0xFF);
		else
			hg_error(c->d, c->path, line, col, "%s", problem);
		return;
	default:
		locate(c, p->problem_mark, &line, &col);
		hg_error(c->d, c->path, line, col, "%s", problem);
		if (p->context) {
			unsigned cl, cc;
			locate(c, p->context_mark, &cl, &cc);
			hg_diag_note(c->d, "note: %s at line %u, column %u", p->context, cl, cc);
		}
		return;
	}
}

/* ==== maps ==== */

static void index_rebuild(key_index *ix, const hg_value *m, size_t cap)
{
	free(ix->slots);
	ix->slots = hg_xcalloc(cap, sizeof *ix->slots);
	ix->cap = cap;
	for (size_t i = 0; i < m->as.map.len; i++) {
		const hg_map_entry *e = &m->as.map.entries[i];
		size_t s = (size_t)hash_key(e->key, e->key_len) & (cap - 1);
		while (ix->slots[s])
			s = (s + 1) & (cap - 1);
		ix->slots[s] = (uint32_t)i + 1;
	}
}

/* Sets key in map m as Ruby's Hash#[]= does: a repeated key keeps its place and takes the new
 * value, a new key goes last. Small maps are scanned; bigger ones use ix. */
static void map_put(ctx *c, hg_value *m, key_index *ix, const char *key, size_t len, hg_value *val)
{
	size_t n = m->as.map.len;
	if (n >= 16 && ix->cap < 2 * (n + 1))
		index_rebuild(ix, m, ix->cap ? ix->cap * 2 : 64);
	size_t slot = 0;
	if (ix->cap) {
		slot = (size_t)hash_key(key, len) & (ix->cap - 1);
		for (uint32_t e; (e = ix->slots[slot]); slot = (slot + 1) & (ix->cap - 1)) {
			hg_map_entry *ent = &m->as.map.entries[e - 1];
			if (ent->key_len == len && memcmp(ent->key, key, len) == 0) {
				ent->val = val;
				return;
			}
		}
	} else {
		for (size_t i = 0; i < n; i++) {
			hg_map_entry *ent = &m->as.map.entries[i];
			if (ent->key_len == len && memcmp(ent->key, key, len) == 0) {
				ent->val = val;
				return;
			}
		}
	}
	if (n == m->as.map.cap) {
		size_t cap = n ? 2 * n : 4;
		hg_map_entry *grown = hg_arena_alloc(c->a, cap * sizeof *grown);
		if (n)
			memcpy(grown, m->as.map.entries, n * sizeof *grown);
		m->as.map.entries = grown;
		m->as.map.cap = cap;
	}
	m->as.map.entries[n] = (hg_map_entry){hg_arena_strndup(c->a, key, len), len, val};
	m->as.map.len = n + 1;
	if (ix->cap)
		ix->slots[slot] = (uint32_t)n + 1;
}

/* `<<: *base` or `<<: [*a, *b]`, as Psych does it (which is not quite the YAML merge spec):
 * the merged keys replace keys written before the `<<`, keys written after replace merged
 * ones, and in a list of maps the earlier map wins. Anything else under `<<` is an ordinary
 * value of a key named "<<". */
static void merge_into(ctx *c, frame *f, hg_value *v)
{
	hg_value *m = f->val;
	if (v->kind == HG_MAP) {
		for (size_t i = 0; i < v->as.map.len; i++) {
			const hg_map_entry *e = &v->as.map.entries[i];
			map_put(c, m, &f->index, e->key, e->key_len, e->val);
		}
		return;
	}
	bool all_maps = v->kind == HG_LIST;
	for (size_t i = 0; all_maps && i < v->as.list.len; i++)
		all_maps = v->as.list.items[i]->kind == HG_MAP;
	if (!all_maps) {
		map_put(c, m, &f->index, "<<", 2, v);
		return;
	}
	hg_value *tmp = hg_value_map(c->a);
	key_index tix = {0};
	for (size_t i = v->as.list.len; i-- > 0;) {
		const hg_value *item = v->as.list.items[i];
		for (size_t k = 0; k < item->as.map.len; k++) {
			const hg_map_entry *e = &item->as.map.entries[k];
			map_put(c, tmp, &tix, e->key, e->key_len, e->val);
		}
	}
	free(tix.slots);
	merge_into(c, f, tmp);
}

/* ==== anchors ==== */

static anchor *anchor_find(ctx *c, const char *name, size_t len)
{
	if (!c->anchor_index.cap)
		return NULL;
	size_t mask = c->anchor_index.cap - 1, s = (size_t)hash_key(name, len) & mask;
	for (uint32_t e; (e = c->anchor_index.slots[s]); s = (s + 1) & mask) {
		anchor *an = &c->anchors[e - 1];
		if (an->name_len == len && memcmp(an->name, name, len) == 0)
			return an;
	}
	return NULL;
}

/* A name used twice refers to the later node from then on (YAML 1.1 allows redefinition). */
static void anchor_set(ctx *c, const char *name, hg_value *val, size_t weight, size_t bytes)
{
	size_t len = strlen(name);
	anchor *an = anchor_find(c, name, len);
	if (an) {
		an->val = val;
		an->weight = weight;
		an->bytes = bytes;
		return;
	}
	HG_GROW(c->anchors, c->anchors_cap, c->n_anchors + 1);
	c->anchors[c->n_anchors++] = (anchor){name, len, val, weight, bytes};
	if (c->anchor_index.cap < 2 * c->n_anchors) {
		size_t cap = c->anchor_index.cap ? c->anchor_index.cap * 2 : 64;
		free(c->anchor_index.slots);
		c->anchor_index.slots = hg_xcalloc(cap, sizeof(uint32_t));
		c->anchor_index.cap = cap;
		for (size_t i = 0; i < c->n_anchors; i++) {
			size_t s = (size_t)hash_key(c->anchors[i].name, c->anchors[i].name_len) & (cap - 1);
			while (c->anchor_index.slots[s])
				s = (s + 1) & (cap - 1);
			c->anchor_index.slots[s] = (uint32_t)i + 1;
		}
		return;
	}
	size_t mask = c->anchor_index.cap - 1, s = (size_t)hash_key(name, len) & mask;
	while (c->anchor_index.slots[s])
		s = (s + 1) & mask;
	c->anchor_index.slots[s] = (uint32_t)c->n_anchors;
}

/* ==== scalar resolution ====
 * Psych's ScalarScanner#tokenize (psych 5, as Jekyll 4 runs it), branch by branch. The
 * regular expressions are quoted above each matcher. */

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static bool ieq(const char *s, size_t n, const char *word)
{
	size_t m = strlen(word);
	if (n != m)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch + 32);
		if (ch != word[i])
			return false;
	}
	return true;
}

/* [[:alpha:]_\s!@#$%\^&*(){}<>|/\\~;=] — any byte of a multi-byte character counts as a
 * letter, which is what matters here: such a scalar is a string either way. */
static bool early_class(unsigned char ch)
{
	if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z')
		return true;
	if (ch >= 0x80)
		return true;
	return strchr("_ \t\r\n\f\v!@#$%^&*(){}<>|/\\~;=", ch) != NULL && ch != '\0';
}

/* ^[^\d.:-]?[class]+ (unanchored at the end) */
static bool early_string(const char *s, size_t n)
{
	unsigned char c0 = (unsigned char)s[0];
	if (early_class(c0))
		return true;
	return n >= 2 && !is_digit((char)c0) && c0 != '.' && c0 != ':' && c0 != '-' && early_class((unsigned char)s[1]);
}

static size_t digits_run(const char *s, size_t n, size_t i)
{
	while (i < n && is_digit(s[i]))
		i++;
	return i;
}

/* TIME = ^-?\d{4}-\d{1,2}-\d{1,2}(?:[Tt]|\s+)\d{1,2}:\d\d:\d\d(?:\.\d*)?
 *        (?:\s*(?:Z|[-+]\d{1,2}:?(?:\d\d)?))?$ */
static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\f' || ch == '\v';
}

static bool digits_between(const char *s, size_t n, size_t *i, size_t lo, size_t hi)
{
	size_t j = digits_run(s, n, *i);
	if (j - *i < lo || j - *i > hi)
		return false;
	*i = j;
	return true;
}

static bool match_time(const char *s, size_t n)
{
	size_t i = 0;
	if (i < n && s[i] == '-')
		i++;
	if (!digits_between(s, n, &i, 4, 4) || i >= n || s[i++] != '-' || !digits_between(s, n, &i, 1, 2) || i >= n ||
	    s[i++] != '-' || !digits_between(s, n, &i, 1, 2) || i >= n)
		return false;
	if (s[i] == 'T' || s[i] == 't') {
		i++;
	} else if (is_space(s[i])) {
		while (i < n && is_space(s[i]))
			i++;
	} else {
		return false;
	}
	if (!digits_between(s, n, &i, 1, 2) || i >= n || s[i++] != ':' || !digits_between(s, n, &i, 2, 2) || i >= n ||
	    s[i++] != ':' || !digits_between(s, n, &i, 2, 2))
		return false;
	if (i < n && s[i] == '.')
		i = digits_run(s, n, i + 1);
	size_t j = i;
	while (j < n && is_space(s[j]))
		j++;
	if (j < n && s[j] == 'Z') {
		j++;
	} else if (j < n && (s[j] == '+' || s[j] == '-')) {
		j++;
		if (!digits_between(s, n, &j, 1, 2))
			return false;
		if (j < n && s[j] == ':')
			j++;
		if (j < n && !digits_between(s, n, &j, 2, 2))
			return false;
	} else {
		j = i; /* no zone: only the end may follow */
	}
	return j == n;
}

static int days_in_month(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/* ^\d{4}-(?:1[012]|0\d|\d)-(?:[12]\d|3[01]|0\d|\d)$, then strptime('%Y-%m-%d'), which
 * refuses a day the month does not have. */
static bool match_date(const char *s, size_t n, hg_time *out)
{
	size_t i = 0;
	if (!digits_between(s, n, &i, 4, 4) || i >= n || s[i] != '-')
		return false;
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	size_t ms = ++i;
	if (!digits_between(s, n, &i, 1, 2) || i >= n || s[i] != '-')
		return false;
	int m = i - ms == 1 ? s[ms] - '0' : (s[ms] - '0') * 10 + (s[ms + 1] - '0');
	if (i - ms == 2 && s[ms] != '0' && !(s[ms] == '1' && s[ms + 1] <= '2'))
		return false;
	size_t ds = ++i;
	if (!digits_between(s, n, &i, 1, 2) || i != n)
		return false;
	int d = i - ds == 1 ? s[ds] - '0' : (s[ds] - '0') * 10 + (s[ds + 1] - '0');
	if (i - ds == 2 && s[ds] == '3' && s[ds + 1] > '1')
		return false;
	if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return false;
	*out = (hg_time){.secs = hg_civil_to_secs(y, m, d, 0, 0, 0), .utc_offset = 0, .has_time = false};
	return true;
}

/* Copies s without '_' and ',' (Ruby's `delete(',_')`) into a small buffer; false if it
 * does not fit (no number hubgen cares about is that long). */
static bool strip_separators(const char *s, size_t n, char *out, size_t cap)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '_' || s[i] == ',')
			continue;
		if (k + 1 >= cap)
			return false;
		out[k++] = s[i];
	}
	out[k] = '\0';
	return true;
}

/* ^[-+]?[0-9][0-9_]*(:[0-5]?[0-9]){1,2}(\.[0-9_]*)?$ — Psych's base-60 numbers. It weighs
 * part e of the split by 60 ** |e - 2|, so "12:30" is 12*3600 + 30*60 = 45000 (not 750):
 * a Psych quirk, kept because it is what a Jekyll site sees. */
static bool match_sexagesimal(const char *s, size_t n, bool *is_float)
{
	size_t i = 0;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	if (i >= n || !is_digit(s[i]))
		return false;
	while (i < n && (is_digit(s[i]) || s[i] == '_'))
		i++;
	int groups = 0;
	while (i < n && s[i] == ':') {
		i++;
		size_t j = digits_run(s, n, i);
		if (j - i == 2 && s[i] > '5')
			return false;
		if (j - i < 1 || j - i > 2)
			return false;
		i = j;
		groups++;
	}
	if (groups < 1 || groups > 2)
		return false;
	*is_float = false;
	if (i < n && s[i] == '.') {
		*is_float = true;
		i++;
		while (i < n && (is_digit(s[i]) || s[i] == '_'))
			i++;
	}
	return i == n;
}

static hg_value *sexagesimal_value(ctx *c, const char *s, size_t n, bool is_float)
{
	char part[64];
	double fsum = 0;
	int64_t isum = 0;
	size_t start = 0, e = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != ':')
			continue;
		if (!strip_separators(s + start, i - start, part, sizeof part))
			return NULL;
		int64_t w = 1;
		for (size_t k = 0; k < (e > 2 ? e - 2 : 2 - e); k++)
			w *= 60;
		if (is_float) {
			fsum += strtod(part, NULL) * (double)w;
		} else {
			char *end;
			long long v = strtoll(part, &end, 10);
			if (v > INT64_MAX / 3600 || v < INT64_MIN / 3600)
				return NULL;
			isum += (int64_t)v * w;
		}
		start = i + 1;
		e++;
	}
	return is_float ? hg_value_float(c->a, fsum) : hg_value_int(c->a, isum);
}

/* FLOAT = ^[-+]?([0-9][0-9_,]*)?\.[0-9]*([eE][-+][0-9]+)?$ */
static bool match_float(const char *s, size_t n)
{
	size_t i = 0;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	if (i < n && is_digit(s[i]))
		while (i < n && (is_digit(s[i]) || s[i] == '_' || s[i] == ','))
			i++;
	if (i >= n || s[i] != '.')
		return false;
	i = digits_run(s, n, i + 1);
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i >= n || (s[i] != '-' && s[i] != '+'))
			return false;
		size_t j = digits_run(s, n, i + 1);
		if (j == i + 1)
			return false;
		i = j;
	}
	return i == n;
}

/* INTEGER_LEGACY = ^[-+]?(0b[0-1_,]+ | 0[0-7_,]+ | (0|[1-9]([0-9]|,[0-9]|_[0-9])*) | 0x[0-9a-fA-F_,]+)$
 * then Ruby's Integer() on the text without separators: 0b binary, 0x hex, and a leading 0
 * octal, so `010` is 8 and `08` (not octal) stays a string. `0o10` is a string too: the
 * pattern has no 0o form. A number beyond 64 bits stays a string (Ruby would make a Bignum;
 * the text prints the same). */
static bool parse_int(const char *s, size_t n, int64_t *out)
{
	size_t i = 0;
	bool neg = false;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	if (i >= n)
		return false;
	int base;
	size_t digits_from;
	if (s[i] == '0' && i + 1 < n && s[i + 1] == 'b') {
		base = 2;
		digits_from = i + 2;
	} else if (s[i] == '0' && i + 1 < n && s[i + 1] == 'x') {
		base = 16;
		digits_from = i + 2;
	} else if (s[i] == '0' && i + 1 < n) {
		base = 8;
		digits_from = i; /* the leading 0 is a digit: "0_" is 0 */
	} else {
		base = 10;
		digits_from = i;
		/* (0|[1-9]([0-9]|,[0-9]|_[0-9])*): separators only between digits */
		if (s[i] == '0' && i + 1 != n)
			return false;
		for (size_t k = i; k < n; k++) {
			if (is_digit(s[k]))
				continue;
			if ((s[k] == '_' || s[k] == ',') && k > i && k + 1 < n && is_digit(s[k + 1]))
				continue;
			return false;
		}
	}
	if (digits_from >= n)
		return false;
	uint64_t v = 0;
	bool any = false;
	for (size_t k = digits_from; k < n; k++) {
		char ch = s[k];
		int dv;
		if (ch == '_' || ch == ',')
			continue;
		if (is_digit(ch))
			dv = ch - '0';
		else if (base == 16 && (ch | 0x20) >= 'a' && (ch | 0x20) <= 'f')
			dv = (ch | 0x20) - 'a' + 10;
		else
			return false;
		if (dv >= base)
			return false;
		if (v > (UINT64_MAX - (uint64_t)dv) / (uint64_t)base)
			return false;
		v = v * (uint64_t)base + (uint64_t)dv;
		any = true;
	}
	if (!any)
		return false; /* "0b_": Ruby's Integer() raises; a string here */
	if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)
		return false;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

static hg_value *scalar_value(ctx *c, hg_kind kind)
{
	return hg_value_new(c->a, kind);
}

static hg_value *string_value(ctx *c, const char *s, size_t n)
{
	return hg_value_string(c->a, s, n);
}

static hg_value *resolve_plain(ctx *c, const char *s, size_t n)
{
	if (n == 0)
		return scalar_value(c, HG_NULL);
	if (early_string(s, n) || memchr(s, '\n', n)) {
		hg_value *v;
		if (n > 5)
			return string_value(c, s, n);
		if ((n == 1 && s[0] == '~') || ieq(s, n, "null"))
			return scalar_value(c, HG_NULL);
		if (ieq(s, n, "yes") || ieq(s, n, "true") || ieq(s, n, "on")) {
			v = scalar_value(c, HG_BOOL);
			v->as.b = true;
			return v;
		}
		if (ieq(s, n, "no") || ieq(s, n, "false") || ieq(s, n, "off")) {
			v = scalar_value(c, HG_BOOL);
			v->as.b = false;
			return v;
		}
		return string_value(c, s, n);
	}
	hg_time t;
	if (match_time(s, n))
		return hg_time_parse(s, n, &t) ? hg_value_time(c->a, t) : string_value(c, s, n);
	if (match_date(s, n, &t))
		return hg_value_time(c->a, t);
	if (ieq(s, n, ".inf") || ieq(s, n, "+.inf"))
		return hg_value_float(c->a, INFINITY);
	if (ieq(s, n, "-.inf"))
		return hg_value_float(c->a, -INFINITY);
	if (ieq(s, n, ".nan"))
		return hg_value_float(c->a, NAN);
	if (s[0] == ':' && n > 1)
		return string_value(c, s, n); /* a Ruby symbol: kept as its text */
	bool sexa_float;
	if (match_sexagesimal(s, n, &sexa_float)) {
		hg_value *v = sexagesimal_value(c, s, n, sexa_float);
		return v ? v : string_value(c, s, n);
	}
	if (match_float(s, n)) {
		char num[128];
		if ((n == 1) || (n == 2 && (s[0] == '-' || s[0] == '+')))
			return string_value(c, s, n); /* "." "+." "-." */
		if (!strip_separators(s, n, num, sizeof num))
			return string_value(c, s, n);
		/* Ruby's Float() wants no '.' right before the exponent or at the end */
		size_t k = strlen(num);
		char *dot = strchr(num, '.');
		if (dot && (dot[1] == 'e' || dot[1] == 'E' || dot[1] == '\0'))
			memmove(dot, dot + 1, (size_t)(num + k - dot));
		return hg_value_float(c->a, strtod(num, NULL));
	}
	int64_t i;
	if (parse_int(s, n, &i))
		return hg_value_int(c->a, i);
	return string_value(c, s, n);
}

#define TAG_PREFIX "tag:yaml.org,2002:"

/* A scalar's value: plain ones resolve, quoted and block ones are strings, and the standard
 * tags override both (`!!str 10` is "10", `!!int "10"` is 10, `!!float 1` is 1.0). A tag
 * hubgen does not know (`!ruby/object`, a local `!thing`) is ignored; the non-specific `!`
 * makes a string, as YAML says. */
static hg_value *resolve_scalar(ctx *c, const yaml_event_t *ev)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	const char *tag = (const char *)ev->data.scalar.tag;
	bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	if (!tag)
		return plain ? resolve_plain(c, s, n) : string_value(c, s, n);
	if (strcmp(tag, "!") == 0)
		return string_value(c, s, n);
	if (strncmp(tag, TAG_PREFIX, strlen(TAG_PREFIX)) != 0)
		return plain ? resolve_plain(c, s, n) : string_value(c, s, n);
	const char *t = tag + strlen(TAG_PREFIX);
	hg_value *v = resolve_plain(c, s, n);
	if (strcmp(t, "str") == 0 || strcmp(t, "binary") == 0)
		return string_value(c, s, n);
	if (strcmp(t, "int") == 0 && v->kind == HG_INT)
		return v;
	if (strcmp(t, "float") == 0) {
		if (v->kind == HG_FLOAT)
			return v;
		if (v->kind == HG_INT)
			return hg_value_float(c->a, (double)v->as.i);
	}
	if (strcmp(t, "bool") == 0 && v->kind == HG_BOOL)
		return v;
	if (strcmp(t, "null") == 0 && v->kind == HG_NULL)
		return v;
	if (strcmp(t, "timestamp") == 0 && v->kind == HG_TIME)
		return v;
	hg_time tm;
	if (strcmp(t, "timestamp") == 0 && hg_time_parse(s, n, &tm))
		return hg_value_time(c->a, tm);
	if (strcmp(t, "int") == 0 || strcmp(t, "float") == 0 || strcmp(t, "bool") == 0 || strcmp(t, "null") == 0 ||
	    strcmp(t, "timestamp") == 0)
		return string_value(c, s, n); /* `!!int abc`: Psych raises; a string here */
	return plain ? v : string_value(c, s, n);
}

/* ==== building ==== */

static bool count_values(ctx *c, size_t n, yaml_mark_t m)
{
	c->count += n;
	if (c->count <= MAX_VALUES)
		return true;
	fail(c, m, "too many values: more than %d (an alias counts as a copy of what it names)", MAX_VALUES);
	return false;
}

static bool count_bytes(ctx *c, size_t n, yaml_mark_t m)
{
	c->bytes += n;
	if (c->bytes <= MAX_TEXT)
		return true;
	fail(c, m, "too much text: more than %u MiB (an alias counts as a copy of what it names)", MAX_TEXT >> 20);
	return false;
}

/* Text of a value used as a map key through an alias (`*name: x`). */
static bool key_text(ctx *c, const hg_value *v, const char **key, size_t *len)
{
	if (v->kind == HG_STRING) {
		*key = v->as.s.ptr;
		*len = v->as.s.len;
		return true;
	}
	if (v->kind == HG_LIST || v->kind == HG_MAP)
		return false;
	hg_buf b = HG_BUF_INIT;
	hg_value_to_text(&b, v);
	*key = hg_arena_strndup(c->a, b.ptr, b.len);
	*len = b.len;
	hg_buf_release(&b);
	return true;
}

static void attach(ctx *c, hg_value *v)
{
	if (!c->depth) {
		c->root = v;
		return;
	}
	frame *f = &c->stack[c->depth - 1];
	if (f->val->kind == HG_LIST) {
		hg_list_push(c->a, f->val, v);
		return;
	}
	if (f->key_merge)
		merge_into(c, f, v);
	else
		map_put(c, f->val, &f->index, f->key, f->key_len, v);
	f->have_key = false;
}

/* True when the next node is a key of the map on top of the stack. */
static bool expecting_key(const ctx *c)
{
	return c->depth && c->stack[c->depth - 1].val->kind == HG_MAP && !c->stack[c->depth - 1].have_key;
}

static void set_key(ctx *c, const char *key, size_t len, bool merge)
{
	frame *f = &c->stack[c->depth - 1];
	f->key = key;
	f->key_len = len;
	f->key_merge = merge;
	f->have_key = true;
}

static const char *arena_anchor(ctx *c, const yaml_char_t *name)
{
	return name ? hg_arena_strdup(c->a, (const char *)name) : NULL;
}

/* Handles one event; false after reporting an error. *done is set at the end of the first
 * document (or of the stream). */
static bool handle(ctx *c, const yaml_event_t *ev, bool *done)
{
	switch (ev->type) {
	case YAML_DOCUMENT_END_EVENT:
	case YAML_STREAM_END_EVENT: *done = true; return true;
	case YAML_ALIAS_EVENT: {
		const char *name = (const char *)ev->data.alias.anchor;
		anchor *an = anchor_find(c, name, strlen(name));
		if (!an) {
			for (size_t i = 0; i < c->depth; i++)
				if (c->stack[i].anchor && strcmp(c->stack[i].anchor, name) == 0) {
					fail(c, ev->start_mark, "alias '*%s' refers to a node that contains it", name);
					return false;
				}
			fail(c, ev->start_mark, "unknown alias '*%s'", name);
			return false;
		}
		if (!count_values(c, an->weight, ev->start_mark) || !count_bytes(c, an->bytes, ev->start_mark))
			return false;
		if (expecting_key(c)) {
			const char *key;
			size_t len;
			if (!key_text(c, an->val, &key, &len)) {
				fail(c, ev->start_mark, "a list or map cannot be a key");
				return false;
			}
			set_key(c, key, len, false);
			return true;
		}
		attach(c, an->val);
		return true;
	}
	case YAML_SCALAR_EVENT: {
		if (!count_values(c, 1, ev->start_mark) || !count_bytes(c, ev->data.scalar.length, ev->start_mark))
			return false;
		/* issue 8: an escaped NUL ("\0", "\x00", "\u0000") would end the string early
		 * wherever C reads it (permalink: "/a\0b/" wrote a.html); raw NUL bytes are
		 * refused before YAML sees them, so this is refused too */
		if (memchr(ev->data.scalar.value, 0, ev->data.scalar.length)) {
			fail(c, ev->start_mark, "NUL character in a string");
			return false;
		}
		hg_value *v = resolve_scalar(c, ev);
		set_pos(c, v, ev->start_mark);
		if (ev->data.scalar.anchor)
			anchor_set(c, arena_anchor(c, ev->data.scalar.anchor), v, 1, ev->data.scalar.length);
		if (expecting_key(c)) {
			const char *s = (const char *)ev->data.scalar.value;
			size_t n = ev->data.scalar.length;
			const char *tag = (const char *)ev->data.scalar.tag;
			bool merge = n == 2 && memcmp(s, "<<", 2) == 0 && !(tag && strcmp(tag, TAG_PREFIX "str") == 0);
			set_key(c, hg_arena_strndup(c->a, s, n), n, merge);
			return true;
		}
		attach(c, v);
		return true;
	}
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		bool is_map = ev->type == YAML_MAPPING_START_EVENT;
		if (expecting_key(c)) {
			fail(c, ev->start_mark, "a list or map cannot be a key");
			return false;
		}
		if (c->depth == MAX_DEPTH) {
			fail(c, ev->start_mark, "too deeply nested: more than %d levels", MAX_DEPTH);
			return false;
		}
		if (!count_values(c, 1, ev->start_mark))
			return false;
		hg_value *v = is_map ? hg_value_map(c->a) : hg_value_list(c->a);
		set_pos(c, v, ev->start_mark);
		const yaml_char_t *an = is_map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
		c->stack[c->depth++] =
			(frame){.val = v, .anchor = arena_anchor(c, an), .first_count = c->count - 1, .first_bytes = c->bytes};
		return true;
	}
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT: {
		frame f = c->stack[--c->depth];
		free(f.index.slots);
		if (f.anchor)
			anchor_set(c, f.anchor, f.val, c->count - f.first_count, c->bytes - f.first_bytes);
		attach(c, f.val);
		return true;
	}
	default: return true;
	}
}

hg_value *hg_yaml_parse(hg_arena *a, const char *src, size_t len, const char *path, unsigned first_line, hg_diags *d)
{
	ctx c = {.a = a, .src = src, .len = len, .path = path, .first_line = first_line ? first_line : 1, .d = d};
	if (len >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0)
		c.start_byte = c.ch_byte = 3; /* libyaml's marks start after the byte-order mark */
	c.ln_line = 1;

	yaml_parser_t p;
	if (!yaml_parser_initialize(&p)) {
		hg_error(d, path, c.first_line, 1, "out of memory while reading YAML");
		return NULL;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)src, len);
	bool ok = true, done = false;
	while (ok && !done) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&p, &ev)) {
			report_parser_error(&c, &p);
			ok = false;
			break;
		}
		ok = handle(&c, &ev, &done);
		yaml_event_delete(&ev);
	}
	/* after an error the stack may still hold open maps with their indexes */
	while (c.depth)
		free(c.stack[--c.depth].index.slots);
	yaml_parser_delete(&p);
	free(c.anchors);
	free(c.anchor_index.slots);
	if (!ok)
		return NULL;
	if (!c.root || c.root->kind == HG_NULL)
		return hg_value_map(a); /* empty, only comments, or `---` alone */
	return c.root;
}
