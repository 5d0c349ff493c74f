/* liquid_internal.h — what the Liquid parser and renderer (liquid.c) share with the filters
 * (liquid_filters.c). Not a public header: only those two files include it.
 *
 * Invariants:
 * - Everything a parsed template points to (expressions, filter calls, conditions, literal
 *   values) lives in the arena the template was parsed into and is never written after
 *   hg_liquid_parse returns, so any number of renders may share it.
 * - Evaluation never returns NULL: an undefined variable is &hg_null_value. Values built
 *   while rendering live in the arena passed to the evaluator (the render's scratch arena,
 *   or its per-tag temporary arena for outputs and conditions).
 * - Once lq_render.failed is set, every evaluator returns at once and rendering unwinds:
 *   an error stops the render.
 */
#ifndef HG_LIQUID_INTERNAL_H
#define HG_LIQUID_INTERNAL_H

#include "liquid.h"

/* Most arguments a filter call may have (positional and keyword together). */
#define LQ_MAX_ARGS 8
/* Lists and maps that filters and includes build may nest this deep, so that printing or
 * comparing them never recurses without bound. */
#define LQ_MAX_VALUE_DEPTH 100

typedef struct lq_expr lq_expr;
typedef struct lq_cond lq_cond;
typedef struct lq_chain lq_chain;
typedef struct lq_render lq_render;

/* ---- parsed expressions ---- */

enum lq_expr_kind {
	LQ_LIT,   /* a literal: string, number, true/false, nil */
	LQ_VAR,   /* a variable path: name, then segments */
	LQ_RANGE, /* (lo..hi) */
	LQ_EMPTY, /* the `empty` keyword */
	LQ_BLANK, /* the `blank` keyword */
};

enum lq_seg_kind {
	LQ_SEG_KEY,   /* .name or ["name"] */
	LQ_SEG_INDEX, /* [3] or [-1] */
	LQ_SEG_EXPR,  /* [expression] */
};

/* Which loop object a variable names, resolved at parse time. */
enum lq_special { LQ_PLAIN, LQ_FORLOOP, LQ_TABLEROWLOOP };

typedef struct lq_seg {
	uint8_t kind;
	bool dot;     /* written `.name`: then size, first and last apply to lists and strings */
	uint32_t len; /* of key */
	const char *key;
	int64_t index;
	const lq_expr *expr;
} lq_seg;

struct lq_expr {
	uint8_t kind;
	uint8_t special; /* enum lq_special */
	/* The template tests this variable (a condition, or a chain with default): it is no
	 * warning under strict_variables when it is undefined. */
	bool tested;
	uint32_t line, col;
	union {
		hg_value *lit;
		struct {
			const char *name;
			uint32_t len, hash;
			uint32_t nsegs;
			const lq_seg *segs;
			const char *text; /* the path as written, for messages */
		} var;
		struct {
			const lq_expr *lo, *hi;
		} range;
	} u;
};

/* One `| name: args` in an output or an assign. */
typedef struct lq_filter {
	const char *name;
	int id; /* index into the filter table; -1 for a filter we do not know */
	uint32_t line, col;
	uint8_t nargs, nkw;
	const lq_expr **args;
	const char **kw_names;
	const lq_expr **kw_vals;
	/* where_exp, find_exp: an lq_cond; group_by_exp: an lq_chain. Parsed once when the
	 * expression argument is a literal string; NULL otherwise (then parsed per call). */
	const void *pre;
} lq_filter;

struct lq_chain {
	const lq_expr *base;
	const lq_filter *filters;
	uint32_t nfilters;
};

enum lq_op { LQ_OP_NONE, LQ_OP_EQ, LQ_OP_NE, LQ_OP_LT, LQ_OP_GT, LQ_OP_LE, LQ_OP_GE, LQ_OP_CONTAINS };

typedef struct lq_cmp {
	const lq_expr *left, *right; /* right is NULL for a bare truth test */
	uint8_t op;
} lq_cmp;

/* `a and b or c`: Liquid groups from the right, a and (b or c), and evaluates from the
 * left, stopping as soon as the result is known. */
struct lq_cond {
	const lq_cmp *cmps;
	const uint8_t *ors; /* ors[i]: cmps[i] and cmps[i + 1] are joined by `or` (else `and`) */
	uint32_t n;
};

/* ---- render state ---- */

typedef struct lq_binding {
	const char *name;
	uint32_t len, hash;
	hg_value *val;
} lq_binding;

typedef struct lq_counter {
	const char *name;
	uint32_t len, hash;
	int64_t n;
} lq_counter;

typedef struct lq_cycle {
	char *key; /* heap */
	size_t len;
	uint64_t n;
} lq_cycle;

/* A for loop (or tablerow) in progress: what `forloop` reads. Lives on the C stack. */
typedef struct lq_loop {
	const struct lq_loop *parent;
	const char *name;
	int64_t index0, length;
	int64_t cols; /* tablerow only */
} lq_loop;

/* One include level: where the include tag was, for "included from" notes. */
typedef struct lq_frame {
	const char *path;
	uint32_t line, col;
} lq_frame;

struct lq_render {
	const hg_liquid_host *host;
	hg_liquid_limits lim;
	hg_arena *scratch; /* values that outlive one tag: assigns, loop collections */
	hg_arena *tmp;     /* values of one output or condition; reset when it is done */
	hg_diags *d;
	hg_value *globals; /* never written */
	const char *path;  /* of the template being rendered (an include's, inside one) */
	hg_buf *out;       /* the page, or a capture's buffer */

	uint64_t iterations;      /* loop iterations and range items, against lim.max_iterations */
	uint64_t work;            /* steps: tags rendered, items filters walk or build, values printed */
	uint64_t budget;          /* most steps allowed: 64 × max_iterations */
	size_t emitted;           /* bytes written to out and to capture buffers */
	size_t scratch_base;      /* hg_arena_used(scratch) when the render began */
	uint32_t at_line, at_col; /* the node being rendered, for the output limit */
	bool failed;
	uint8_t interrupt; /* LQ_BREAK or LQ_CONTINUE while one unwinds to its loop */

	lq_binding *locals; /* loop variables, `include`, where_exp's item: innermost last */
	size_t nlocals, caplocals;
	lq_binding *assigns; /* assign and capture: the outermost scope */
	size_t nassigns, capassigns;
	lq_counter *counters; /* increment and decrement */
	size_t ncounters, capcounters;
	lq_cycle *cycles;
	size_t ncycles, capcycles;
	const lq_loop *loop, *tloop; /* innermost for loop and tablerow */
	lq_frame *frames;            /* include chain, outermost first */
	size_t depth, capframes;
	const void **warned; /* expressions and filters already warned about in this render */
	size_t nwarned, capwarned;
	uint32_t ndiags; /* messages this render gave (include_cached keeps only clean output) */
	/* Inside an include_cached: only `site`, the include's parameters and what it binds
	 * itself are visible (locals from seal_locals, assigns from seal_assigns); see
	 * render_include. */
	bool sealed;
	size_t seal_locals, seal_assigns;
};

enum { LQ_BREAK = 1, LQ_CONTINUE = 2 };

/* ---- provided by liquid.c ---- */

/* A located error in the template being rendered (with the include chain as notes); stops
 * the render. */
void hg_lq_error(lq_render *r, uint32_t line, uint32_t col, const char *fmt, ...) HG_PRINTF(4, 5);
/* A located warning, once per render for each key (an expression or filter node). */
void hg_lq_warn_once(lq_render *r, const void *key, uint32_t line, uint32_t col, const char *fmt, ...) HG_PRINTF(5, 6);
hg_value *hg_lq_eval(lq_render *r, hg_arena *a, const lq_expr *e);
hg_value *hg_lq_eval_chain(lq_render *r, hg_arena *a, const lq_chain *c);
bool hg_lq_eval_cond(lq_render *r, hg_arena *a, const lq_cond *c);
/* Parse an expression given as a string at render time (where_exp with a variable
 * argument); errors are located at line:col. NULL after an error. */
const lq_cond *hg_lq_parse_cond(lq_render *r, hg_arena *a, const char *s, size_t len, uint32_t line, uint32_t col);
const lq_chain *hg_lq_parse_chain(lq_render *r, hg_arena *a, const char *s, size_t len, uint32_t line, uint32_t col);
/* Binds name in a new innermost scope / drops the innermost binding. */
void hg_lq_push(lq_render *r, const char *name, size_t len, hg_value *v);
void hg_lq_pop(lq_render *r);
/* Counts n loop iterations; false (after a located error) once past the limit. */
bool hg_lq_count_iterations(lq_render *r, uint64_t n, uint32_t line, uint32_t col);
/* Counts steps of work (items a filter walked or built, bytes / 16 of a string it made)
 * and checks the render's memory; false (after a located error) once past either limit. */
bool hg_lq_charge(lq_render *r, uint64_t units, uint32_t line, uint32_t col);
/* What walking all of a value costs. A traversal meets a sub-list once per path to it, and
 * values built with push can share sub-lists, so a small value may be exponentially large
 * to print: this is how we find out without printing it. */
typedef struct lq_size {
	uint64_t steps; /* one per node, plus one per 16 bytes of string */
	uint64_t bytes; /* of strings */
	unsigned depth; /* how deep lists and maps nest (0 for a scalar) */
} lq_size;

/* Measures v up to cap steps (steps is cap + 1 when there are more). */
lq_size hg_lq_measure(const hg_value *v, uint64_t cap);
/* Charges a walk over all of v (printing, comparing, to_s) to the work budget; false
 * (after a located error) when it does not fit. size may be NULL. */
bool hg_lq_charge_value(lq_render *r, const hg_value *v, uint32_t line, uint32_t col, lq_size *size);
/* Number of UTF-8 characters in s. */
size_t hg_lq_utf8_len(const char *s, size_t n);
uint32_t hg_lq_hash(const char *s, size_t n);

/* ---- provided by liquid_filters.c ---- */

enum lq_exp_arg { LQ_EXP_NONE, LQ_EXP_COND, LQ_EXP_CHAIN };

typedef struct lq_call {
	lq_render *r;
	hg_arena *a;
	const lq_filter *f;
	hg_value *in;
	hg_value **args;
	unsigned nargs;
	hg_value **kw; /* parallel to f->kw_names */
} lq_call;

typedef struct lq_filter_def {
	const char *name;
	hg_value *(*fn)(lq_call *c);
	uint8_t min, max; /* positional arguments */
	uint8_t exp;      /* enum lq_exp_arg: argument 2 is an expression to parse */
	const char *kw;   /* the keyword option it takes (default: allow_false), or NULL */
	bool walks;       /* visits every item of its input: each one is a step */
} lq_filter_def;

/* The filter's index in the table, or -1. */
int hg_lq_filter_find(const char *name, size_t len);
const lq_filter_def *hg_lq_filter_def(int id);
/* Applies c->f to c->in; never NULL. */
hg_value *hg_lq_filter_apply(lq_call *c);
/* Ruby's to_s, as filters see their input: lists and maps as Ruby inspects them. */
void hg_lq_to_s(hg_buf *out, const hg_value *v);
/* Ruby's to_i over a value (Liquid's Utils.to_integer). */
int64_t hg_lq_to_integer(const hg_value *v);

#endif
