/* value.h — the value tree: front matter, config, data files and Liquid variables.
 *
 * A value is null, bool, integer, float, string, time, list or map. Maps keep the order of
 * their keys as written (Liquid's `for` over a map and `jsonify` follow it) and a later key
 * replaces an earlier one. Every value remembers where it was written (line, col; 0 when
 * made by hubgen), so a message about `nav_order: x` can point at that line.
 *
 * Ownership: values, their strings and their children live in the hg_arena they were made
 * in, until it is freed. A finished tree is never mutated while pages render, so any number
 * of threads may read it at once.
 *
 * Times are seconds since the Unix epoch in UTC plus the offset they were written with, so
 * `date: 2022-06-12 12:00:00 +0100` prints back as written. Calendar arithmetic is done
 * here, never through gmtime/localtime (which are banned: they depend on the machine).
 */
#ifndef HG_VALUE_H
#define HG_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

typedef enum hg_kind {
	HG_NULL,
	HG_BOOL,
	HG_INT,
	HG_FLOAT,
	HG_STRING,
	HG_TIME,
	HG_LIST,
	HG_MAP,
} hg_kind;

typedef struct hg_value hg_value;

typedef struct hg_map_entry {
	const char *key; /* NUL-terminated */
	size_t key_len;
	hg_value *val;
} hg_map_entry;

typedef struct hg_time {
	int64_t secs;       /* UTC seconds since 1970-01-01 */
	int32_t utc_offset; /* seconds east of UTC, as written */
	bool has_time;      /* false for a bare date (2022-06-12) */
} hg_time;

struct hg_value {
	hg_kind kind;
	uint32_t line, col; /* where it was written; 0 if made by hubgen */
	union {
		bool b;
		int64_t i;
		double f;
		struct {
			const char *ptr; /* NUL-terminated */
			size_t len;
		} s;
		hg_time t;
		struct {
			hg_value **items;
			size_t len, cap;
		} list;
		struct {
			hg_map_entry *entries;
			size_t len, cap;
		} map;
	} as;
};

/* The shared null and booleans: never NULL, never freed, never mutated. */
extern hg_value hg_null_value, hg_true_value, hg_false_value;

hg_value *hg_value_new(hg_arena *a, hg_kind kind);
hg_value *hg_value_bool(bool b);
hg_value *hg_value_int(hg_arena *a, int64_t i);
hg_value *hg_value_float(hg_arena *a, double f);
/* Copies s into the arena. */
hg_value *hg_value_string(hg_arena *a, const char *s, size_t len);
hg_value *hg_value_cstr(hg_arena *a, const char *s);
/* Takes s as it is: s must outlive the value (arena or static storage). */
hg_value *hg_value_string_borrow(hg_arena *a, const char *s, size_t len);
hg_value *hg_value_time(hg_arena *a, hg_time t);
hg_value *hg_value_list(hg_arena *a);
hg_value *hg_value_map(hg_arena *a);

void hg_list_push(hg_arena *a, hg_value *list, hg_value *item);
/* NULL when absent (or when m is not a map). */
hg_value *hg_map_get(const hg_value *m, const char *key);
hg_value *hg_map_getn(const hg_value *m, const char *key, size_t len);
/* Sets or replaces key (copied into the arena) in m. */
void hg_map_set(hg_arena *a, hg_value *m, const char *key, hg_value *val);
void hg_map_setn(hg_arena *a, hg_value *m, const char *key, size_t len, hg_value *val);
/* Deep-merges src into dst (maps merge key by key; other values replace). */
void hg_map_merge(hg_arena *a, hg_value *dst, const hg_value *src);

/* Convenience readers: the default when absent or of another kind. */
const char *hg_map_str(const hg_value *m, const char *key, const char *dflt);
bool hg_map_bool(const hg_value *m, const char *key, bool dflt);

/* Liquid truth: everything but nil and false is true. */
bool hg_value_truthy(const hg_value *v);
/* Empty string, empty list, empty map. */
bool hg_value_is_empty(const hg_value *v);
/* Number as double (int, float, numeric string); false if v is not a number. */
bool hg_value_number(const hg_value *v, double *out);
/* Equality as Liquid's `==`: 1 == 1.0, strings by bytes, lists and maps deeply. */
bool hg_value_equal(const hg_value *a, const hg_value *b);
/* Ordering for `sort` and `<`: numbers numerically, strings by bytes, nil first.
 * *ok is false when the two cannot be compared (a string and a number). */
int hg_value_compare(const hg_value *a, const hg_value *b, bool *ok);

/* Appends v as Liquid prints it: nil → "", lists concatenated, floats as Ruby does
 * (4.0 → "4.0"), times as "2022-06-12 12:00:00 +0000". */
void hg_value_to_text(hg_buf *out, const hg_value *v);
/* Appends v as JSON (jsonify). */
void hg_value_to_json(hg_buf *out, const hg_value *v);

/* ---- calendar (proleptic Gregorian, UTC) ---- */
typedef struct hg_civil {
	int year, month, day, hour, min, sec; /* month 1..12, day 1..31 */
	int wday, yday;                        /* 0 = Sunday; 0 = 1 January */
} hg_civil;

/* Breaks t (shifted by its utc_offset) into fields. */
hg_civil hg_time_civil(hg_time t);
/* Seconds since the epoch for a UTC civil time (fields need not be normalised). */
int64_t hg_civil_to_secs(int year, int month, int day, int hour, int min, int sec);
/* Parses "2022-06-12", "2022-06-12 12:00:00", "2022-06-12T12:00:00Z",
 * "2022-06-12 12:00:00 +0100", "…+01:00", with optional fractional seconds. */
bool hg_time_parse(const char *s, size_t len, hg_time *out);
/* strftime over t's own offset, %z and %Z included; appends to out. */
void hg_time_format(hg_buf *out, hg_time t, const char *fmt);

#endif
