/* markdown.c — cmark-gfm, and hubgen's passes over its tree before rendering.
 *
 * The order of work in hg_markdown_render:
 *   parse (on every thread at once, see "process-wide state") → drop the user's raw HTML unless unsafe →
 *   walk the tree once (links recorded and rewritten, emoji shortcodes replaced, headings,
 *   code blocks, tables, task lists and block quotes noted) → give headings their ids →
 *   restyle what the walk noted in NHS.UK's markup → render → copy the HTML into the
 *   arena → free cmark's objects.
 * The walk only notes nodes: cmark's iterator has already chosen the next node when it
 * returns one, so the tree is changed only after the walk is over.
 *
 * hubgen's markup is written by custom nodes whose enter and exit texts are literal HTML
 * (see "restyling"): a node is replaced by a custom block, and its children are moved
 * under it. A replaced node is kept, unlinked, until after rendering: in cmark-gfm 0.29
 * the text of inline nodes points into the content buffer of the block they were parsed
 * from (a paragraph, a heading, a table cell).
 *
 * Rendering always runs with CMARK_OPT_UNSAFE: hubgen's own markup is emitted through
 * custom nodes, and cmark's safe mode would not touch those anyway, but the user's raw HTML
 * and dangerous URLs are removed here by hand when opt->unsafe is false, so the two kinds
 * of HTML can never be confused.
 */
/* dlsym with RTLD_NEXT and RTLD_DEFAULT (see "process-wide state") */
#define _GNU_SOURCE

#include "markdown.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "emoji.h"

#include "banned.h"

/* ==== cmark-gfm's process-wide state ====
 * cmark_gfm_core_extensions_ensure_registered fills a global registry without a lock, so it
 * runs once. And in 0.29.0.gfm.6 (Debian 12), inline parsing flips entries of two global
 * tables (SPECIAL_CHARS, SKIP_CHARS in inlines.c) on and off around every document, and
 * around every table row, for the extensions' characters (`~`, `:`, `w`): two documents
 * parsed at once on two threads would lose strikethrough or autolinks at random. Newer
 * cmark-gfm moved those tables into the parser.
 *
 * Every flip goes through one exported function, cmark_manage_extensions_special_characters
 * (parser, add), called through the PLT from cmark_parser_finish and from the table
 * extension's row parser. hubgen defines that function itself, and a definition in the
 * executable comes first in the dynamic linker's lookup: ours turns the characters on once,
 * for the set of extensions every hubgen parser attaches (the real function, found with
 * dlsym(RTLD_NEXT), does it on a parser made for the purpose), and then ignores every call.
 * The tables stop changing, so parsing runs on every thread at once: before this, parsing
 * was serialised by a lock and took half a build's time on two cores.
 *
 * If the interposition does not take (cmark linked statically, or a linker that does not
 * export the symbol), the library calls its own function and the tables flip as before:
 * then parse_lock serialises parsing again, chosen once at start-up (parse_serial). */
static pthread_once_t register_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t parse_lock = PTHREAD_MUTEX_INITIALIZER;
static bool parse_serial = true;

typedef void (*manage_chars_fn)(cmark_parser *, int);

void cmark_manage_extensions_special_characters(cmark_parser *parser, int add)
{
	(void)parser;
	(void)add; /* the characters are on for good: see above */
}

static void attach(cmark_parser *p, const char *name);

static void register_extensions(void)
{
	cmark_gfm_core_extensions_ensure_registered();
	manage_chars_fn ours = cmark_manage_extensions_special_characters;
	manage_chars_fn seen = (manage_chars_fn)dlsym(RTLD_DEFAULT, "cmark_manage_extensions_special_characters");
	manage_chars_fn real = (manage_chars_fn)dlsym(RTLD_NEXT, "cmark_manage_extensions_special_characters");
	if (seen != ours || !real)
		return; /* not interposed: the library flips the tables itself, parse_serial stays */
	cmark_parser *p = cmark_parser_new(CMARK_OPT_DEFAULT);
	/* the inline extensions hg_markdown_render attaches (table and tagfilter have no
	 * inline characters, tasklist neither; attaching them costs nothing) */
	attach(p, "table");
	attach(p, "strikethrough");
	attach(p, "autolink");
	attach(p, "tasklist");
	attach(p, "tagfilter");
	real(p, 1);
	cmark_parser_free(p);
	parse_serial = false;
}

/* ==== cmark's memory ====
 * cmark-gfm allocates every node, string buffer and list on its own, and frees them one by
 * one: a third of a page's Markdown time went to malloc and free. It takes an allocator
 * (cmark_mem) without a context pointer, so the arena it should use is named per thread:
 * the caller's arena, which holds everything the page makes anyway. free is a no-op and
 * the whole tree goes when the arena is reset; realloc copies (cmark's buffers grow
 * geometrically, so the copies add up to a small multiple of the final size). */
static _Thread_local hg_arena *cm_arena;

typedef struct cm_header {
	size_t size;
	size_t pad; /* keeps the block after it 16-byte aligned */
} cm_header;

static void *cm_alloc(size_t n)
{
	cm_header *h = hg_arena_alloc(cm_arena, sizeof *h + n);
	h->size = n;
	return h + 1;
}

static void *cm_calloc(size_t count, size_t size)
{
	if (size && count > (SIZE_MAX - sizeof(cm_header)) / size)
		abort(); /* cmark never asks for this much; as hg_xmalloc does on overflow */
	void *p = cm_alloc(count * size);
	memset(p, 0, count * size);
	return p;
}

static void *cm_realloc(void *p, size_t n)
{
	if (!p)
		return cm_alloc(n);
	cm_header *h = (cm_header *)p - 1;
	if (n <= h->size)
		return p;
	void *q = cm_alloc(n);
	memcpy(q, p, h->size);
	return q;
}

static void cm_free(void *p) { (void)p; }

static cmark_mem cm_mem = {cm_calloc, cm_realloc, cm_free};

bool hg_markdown_parallel(void)
{
	pthread_once(&register_once, register_extensions);
	return !parse_serial;
}

hg_md_options hg_md_default_options(void)
{
	return (hg_md_options){.unsafe = true, .first_line = 1};
}

/* ==== heading ids ==== */

static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t k;
	uint32_t v;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		k = 2;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		k = 3;
		v = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		k = 4;
		v = c & 0x07;
	} else {
		return 0;
	}
	if (k > n)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	/* Issue 8: overlong forms, surrogates and code points past U+10FFFF are not UTF-8. The
	 * page text is checked before it gets here, but Liquid's url_decode can make any bytes:
	 * "%F0%80%80%80" decoded to 0, put a NUL into a heading id, and slug_unique looped for
	 * ever over two such headings. */
	if ((k == 3 && (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))) || (k == 4 && (v < 0x10000 || v > 0x10FFFF)))
		return 0;
	*cp = v;
	return k;
}

static void utf8_encode(hg_buf *out, uint32_t cp)
{
	char b[4];
	size_t n;
	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		b[0] = (char)(0xF0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	hg_buf_add(out, b, n);
}

/* Non-ASCII code points GitHub drops from an id: punctuation, symbols, spaces other than
 * U+0020, emoji and their modifiers. Letters, digits and marks of every script stay. Only
 * the blocks that turn up in headings are listed (smart quotes and dashes above all, since
 * opt->smart turns `'` into U+2019 before the id is made). */
static bool slug_drops(uint32_t cp)
{
	if (cp >= 0x80 && cp <= 0xBF)
		return !(cp == 0xAA || cp == 0xB2 || cp == 0xB3 || cp == 0xB5 || cp == 0xB9 || cp == 0xBA ||
		         (cp >= 0xBC && cp <= 0xBE));
	if (cp == 0xD7 || cp == 0xF7)
		return true;
	if (cp >= 0x2000 && cp <= 0x206F) /* general punctuation; ‿ ⁀ ⁔ join words like '_' */
		return !(cp == 0x203F || cp == 0x2040 || cp == 0x2054);
	if ((cp >= 0x20A0 && cp <= 0x20CF) || (cp >= 0x2190 && cp <= 0x23FF) || (cp >= 0x2500 && cp <= 0x27BF) ||
	    (cp >= 0x2900 && cp <= 0x2BFF) || (cp >= 0x2E00 && cp <= 0x2E7F))
		return true; /* currency, arrows, maths, technical, shapes, dingbats */
	if ((cp >= 0x3000 && cp <= 0x3004) || (cp >= 0x3008 && cp <= 0x3020) || cp == 0x3030)
		return true; /* CJK punctuation */
	if ((cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF)
		return true; /* variation selectors, zero-width no-break space */
	if ((cp >= 0xFF01 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) ||
	    (cp >= 0xFF3B && cp <= 0xFF40 && cp != 0xFF3F) || (cp >= 0xFF5B && cp <= 0xFF65))
		return true; /* fullwidth punctuation */
	if ((cp >= 0x1F000 && cp <= 0x1FAFF) || (cp >= 0xE0000 && cp <= 0xE007F))
		return true; /* emoji, pictographs, tag characters */
	return false;
}

/* Lower case for the scripts whose case mapping is a fixed offset: Latin-1, Latin
 * Extended-A, Greek, Cyrillic, Armenian, fullwidth Latin. Others pass unchanged. */
static uint32_t lower_cp(uint32_t cp)
{
	if ((cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) || (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) ||
	    (cp >= 0x410 && cp <= 0x42F) || (cp >= 0xFF21 && cp <= 0xFF3A))
		return cp + 0x20;
	if (cp >= 0x400 && cp <= 0x40F)
		return cp + 0x50;
	if (cp >= 0x531 && cp <= 0x556)
		return cp + 0x30;
	if (cp == 0x386)
		return 0x3AC;
	if (cp >= 0x388 && cp <= 0x38A)
		return cp + 0x25;
	if (cp == 0x38C)
		return 0x3CC;
	if (cp == 0x38E || cp == 0x38F)
		return cp + 0x3F;
	if (((cp >= 0x100 && cp <= 0x12F) || (cp >= 0x132 && cp <= 0x137) || (cp >= 0x14A && cp <= 0x177) ||
	     (cp >= 0x460 && cp <= 0x481) || (cp >= 0x48A && cp <= 0x4BF)) &&
	    cp % 2 == 0)
		return cp + 1;
	if (((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E)) && cp % 2 == 1)
		return cp + 1;
	if (cp == 0x178)
		return 0xFF;
	return cp;
}

/* GitHub's rule (github-slugger): lower case, keep letters, digits, '-' and '_', turn each
 * space into '-' (no collapsing: "a  b" is "a--b"), drop the rest. Bytes that are not
 * valid UTF-8 are kept as they are. */
void hg_heading_slug(const char *text, size_t len, hg_buf *out)
{
	const unsigned char *s = (const unsigned char *)text;
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		if (c < 0x80) {
			if (c >= 'A' && c <= 'Z')
				hg_buf_addc(out, (char)(c + 32));
			else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')
				hg_buf_addc(out, (char)c);
			else if (c == ' ')
				hg_buf_addc(out, '-');
			i++;
			continue;
		}
		uint32_t cp;
		size_t k = utf8_decode(s + i, len - i, &cp);
		if (!k) {
			hg_buf_addc(out, (char)c);
			i++;
			continue;
		}
		if (!slug_drops(cp))
			utf8_encode(out, lower_cp(cp));
		i += k;
	}
}

/* Slugs used so far in one document, with GitHub's repeat counter: the first "intro" is
 * "intro", the next "intro-1", and a heading literally named "intro-1" after that becomes
 * "intro-1-1". An open-addressing table, so a page of ten thousand headings stays linear. */
typedef struct slug_entry {
	char *slug; /* heap */
	unsigned count;
} slug_entry;

typedef struct slug_set {
	slug_entry *slots;
	size_t cap, len;
} slug_set;

static size_t slug_hash(const char *s)
{
	uint64_t h = 1469598103934665603u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return (size_t)h;
}

static slug_entry *slug_find(slug_set *set, const char *s, bool add)
{
	if (add && 2 * (set->len + 1) > set->cap) {
		slug_set grown = {hg_xcalloc(set->cap ? 2 * set->cap : 32, sizeof(slug_entry)),
		                  set->cap ? 2 * set->cap : 32, set->len};
		for (size_t i = 0; i < set->cap; i++) {
			if (!set->slots[i].slug)
				continue;
			size_t k = slug_hash(set->slots[i].slug) & (grown.cap - 1);
			while (grown.slots[k].slug)
				k = (k + 1) & (grown.cap - 1);
			grown.slots[k] = set->slots[i];
		}
		free(set->slots);
		*set = grown;
	}
	if (!set->cap)
		return NULL;
	size_t k = slug_hash(s) & (set->cap - 1);
	for (; set->slots[k].slug; k = (k + 1) & (set->cap - 1))
		if (strcmp(set->slots[k].slug, s) == 0)
			return &set->slots[k];
	if (!add)
		return NULL;
	set->slots[k] = (slug_entry){hg_xstrdup(s), 0};
	set->len++;
	return &set->slots[k];
}

static void slug_set_release(slug_set *set)
{
	for (size_t i = 0; i < set->cap; i++)
		free(set->slots[i].slug);
	free(set->slots);
}

/* Makes slug (a heap-free hg_buf) unique in set, in place. */
static void slug_unique(slug_set *set, hg_buf *slug)
{
	slug_entry *base = slug_find(set, slug->ptr, false);
	if (base) {
		size_t base_len = slug->len;
		char *base_slug = hg_xstrdup(slug->ptr);
		do {
			slug_entry *e = slug_find(set, base_slug, false);
			e->count++;
			hg_buf_truncate(slug, base_len);
			hg_buf_addf(slug, "-%u", e->count);
		} while (slug_find(set, slug->ptr, false));
		free(base_slug);
	}
	slug_find(set, slug->ptr, true);
}

/* ==== the render state ==== */

/* A node the walk noted for restyling, in document order (see restyle_all). */
typedef enum restyle_kind {
	RS_CODE,      /* a code block */
	RS_TABLE,     /* a table */
	RS_QUOTE,     /* a block quote outside any other: maybe an alert */
	RS_TASK_LIST, /* a list with at least one task item */
	RS_TASK_ITEM, /* an item of such a list, with or without a checkbox */
} restyle_kind;

typedef struct restyle {
	cmark_node *node;
	restyle_kind kind;
	int level;  /* RS_QUOTE: level of the last heading before it, 0 if none */
	bool tight; /* RS_TASK_ITEM: its list is tight */
	bool task;  /* RS_TASK_ITEM: it has a checkbox */
} restyle;

/* A list the walk is inside. */
typedef struct open_list {
	bool task, tight;
} open_list;

typedef struct md_ctx {
	const hg_md_options *opt;
	hg_arena *a;
	const char *src;
	size_t len;
	cmark_syntax_extension *table_ext, *tasklist_ext;

	size_t *line_starts; /* built on first use: offset of each line */
	size_t n_lines;

	hg_md_link *links;
	size_t n_links, links_cap;
	cmark_node **headings;
	char **heading_keys; /* heap; what each heading's id is made from (see note_heading) */
	size_t n_headings, headings_cap, heading_keys_cap;
	restyle *restyles;
	size_t n_restyles, restyles_cap;
	cmark_node **detached; /* replaced nodes, unlinked: freed after rendering */
	size_t n_detached, detached_cap;
	slug_set ids; /* every id written: the headings', then the task checkboxes' */
	bool has_code;

	/* the walk's place */
	open_list *lists;
	size_t n_lists, lists_cap;
	int quote_depth;
	int last_level;       /* of the last heading entered */
	cmark_node *autolink; /* the autolink being walked: its text keeps its shortcodes */

	/* where the last bare autolink was found, so repeats of one URL find their own place */
	cmark_node *auto_block;
	size_t auto_off;

	/* kramdown's markers (see "kramdown") */
	cmark_node **no_toc; /* headings marked .no_toc */
	size_t n_no_toc, no_toc_cap;
	struct given_id {
		cmark_node *h;
		char *id;     /* heap */
		size_t order; /* written order: the last one written wins */
	} *given_ids;
	size_t n_given_ids, given_ids_cap;
	cmark_node **tocs; /* placeholders for {:toc} */
	size_t n_tocs, tocs_cap;
	hg_md_ial *dropped;
	size_t n_dropped, dropped_cap;
	struct span_attrs {
		cmark_node *n; /* a link or an image */
		char *attrs;   /* heap: ` target="_blank" class="x"`, escaped */
	} *span_attrs;
	size_t n_span_attrs, span_attrs_cap;
	int cm_options; /* the parse's options, for fragments parsed later */
} md_ctx;

/* ==== raw HTML and unsafe URLs (opt->unsafe false) ==== */

#define RAW_HTML_OMITTED "<!-- raw HTML omitted -->"

/* What cmark's safe mode prints, done on the tree so hubgen's own HTML is left alone. */
static void drop_raw_html(cmark_node *root)
{
	cmark_iter *it = cmark_iter_new(root);
	for (cmark_event_type ev; (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE;) {
		cmark_node *n = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(n);
		if (ev == CMARK_EVENT_ENTER && (t == CMARK_NODE_HTML_BLOCK || t == CMARK_NODE_HTML_INLINE))
			cmark_node_set_literal(n, RAW_HTML_OMITTED);
	}
	cmark_iter_free(it);
}

static bool prefix_ci(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++) {
		char c = *s;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (c != *prefix)
			return false;
	}
	return true;
}

/* cmark's _scan_dangerous_url: javascript:, vbscript:, file:, and data: except the four
 * image types. */
static bool dangerous_url(const char *url)
{
	if (prefix_ci(url, "javascript:") || prefix_ci(url, "vbscript:") || prefix_ci(url, "file:"))
		return true;
	if (!prefix_ci(url, "data:"))
		return false;
	return !(prefix_ci(url + 5, "image/png") || prefix_ci(url + 5, "image/gif") ||
	         prefix_ci(url + 5, "image/jpeg") || prefix_ci(url + 5, "image/webp"));
}

/* ==== link positions ====
 * cmark-gfm 0.29's inline positions are right for the first line of a paragraph, but on a
 * continuation line they ignore the indentation the parser stripped, `<url>` autolinks
 * ignore the line's offset in the paragraph altogether, and autolinks the extension finds
 * after parsing (bare https://…, user@host) have no position at all. So each position is
 * checked against the source and, when it does not point at the link, found again. */

/* How far the fixes below look, so a pathological paragraph cannot make them quadratic. */
#define MAX_POS_FIX 256
#define MAX_AUTOLINK_SEARCH 16384

static void build_line_index(md_ctx *m)
{
	if (m->line_starts)
		return;
	size_t cap = 64;
	m->line_starts = hg_xmalloc(cap * sizeof *m->line_starts);
	m->line_starts[0] = 0;
	m->n_lines = 1;
	for (const char *p = m->src, *end = m->src + m->len; (p = memchr(p, '\n', (size_t)(end - p))); p++) {
		HG_GROW(m->line_starts, cap, m->n_lines + 1);
		m->line_starts[m->n_lines++] = (size_t)(p - m->src) + 1;
	}
}

static size_t line_end(const md_ctx *m, size_t line)
{
	return line < m->n_lines ? m->line_starts[line] - 1 : m->len;
}

/* Offset of 1-based (line, col), or SIZE_MAX when that is not inside a line. */
static size_t offset_of(md_ctx *m, int line, int col)
{
	build_line_index(m);
	if (line < 1 || col < 1 || (size_t)line > m->n_lines)
		return SIZE_MAX;
	size_t off = m->line_starts[line - 1] + (size_t)col - 1;
	return off < line_end(m, (size_t)line) ? off : SIZE_MAX;
}

static void pos_of_offset(md_ctx *m, size_t off, int *line, int *col)
{
	size_t lo = 0, hi = m->n_lines;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (m->line_starts[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	*line = (int)lo + 1;
	*col = (int)(off - m->line_starts[lo]) + 1;
}

static const char *text_child(cmark_node *n)
{
	cmark_node *c = cmark_node_first_child(n);
	return c && cmark_node_get_type(c) == CMARK_NODE_TEXT ? cmark_node_get_literal(c) : NULL;
}

/* A bare autolink: search the source for its text after the nearest earlier node that
 * knows its place, within the enclosing block. */
static void find_bare_autolink(md_ctx *m, cmark_node *n, int *line, int *col)
{
	cmark_node *block = n, *anchor = NULL;
	while (block && (cmark_node_get_type(block) & CMARK_NODE_TYPE_MASK) != CMARK_NODE_TYPE_BLOCK)
		block = cmark_node_parent(block);
	for (cmark_node *p = n; p && p != block && !anchor; p = cmark_node_parent(p))
		for (cmark_node *s = cmark_node_previous(p); s && !anchor; s = cmark_node_previous(s))
			if (cmark_node_get_start_line(s) > 0)
				anchor = s;
	if (!anchor)
		anchor = block;
	*line = anchor ? cmark_node_get_start_line(anchor) : 0;
	*col = anchor ? cmark_node_get_start_column(anchor) : 0;
	const char *text = text_child(n);
	size_t from = offset_of(m, *line, *col);
	if (!text || !*text || from == SIZE_MAX || !block)
		return;
	if (m->auto_block == block && m->auto_off >= from)
		from = m->auto_off + 1;
	int end_line = cmark_node_get_end_line(block);
	size_t to = end_line >= 1 && (size_t)end_line <= m->n_lines ? line_end(m, (size_t)end_line) : m->len;
	if (from >= to)
		return;
	if (to - from > MAX_AUTOLINK_SEARCH)
		to = from + MAX_AUTOLINK_SEARCH; /* bounded: a text that is not found costs little */
	size_t tl = strlen(text);
	for (size_t off = from; off + tl <= to; off++) {
		if (memcmp(m->src + off, text, tl) == 0) {
			pos_of_offset(m, off, line, col);
			m->auto_block = block;
			m->auto_off = off;
			return;
		}
	}
}

/* An autolink shows its own address: its text is the URL, or the URL's end for `www.…`
 * (given "http://") and mail addresses (given "mailto:"). */
static bool is_autolink(const char *url, const char *text)
{
	if (!text || !*text)
		return false;
	size_t ul = strlen(url), tl = strlen(text);
	return ul >= tl && strcmp(url + ul - tl, text) == 0;
}

/* The line and column (in src) where link or image n starts: `[`, `![`, `<`, or the first
 * character of a bare autolink. */
static void link_position(md_ctx *m, cmark_node *n, bool image, int *line, int *col)
{
	*line = cmark_node_get_start_line(n);
	*col = cmark_node_get_start_column(n);
	if (*line <= 0) {
		find_bare_autolink(m, n, line, col);
		return;
	}
	const char *text = text_child(n);
	bool autolink = !image && is_autolink(cmark_node_get_url(n), text);
	size_t off = offset_of(m, *line, *col);
	if (off != SIZE_MAX) {
		if (image ? m->src[off] == '!' : m->src[off] == '[')
			return;
		size_t at = off + (m->src[off] == '<'), tl = autolink ? strlen(text) : 0;
		if (autolink && at + tl <= m->len && memcmp(m->src + at, text, tl) == 0)
			return;
	}
	/* `<url>`: the text inside is placed right */
	if (autolink) {
		cmark_node *c = cmark_node_first_child(n);
		int cl = cmark_node_get_start_line(c), cc = cmark_node_get_start_column(c);
		size_t coff = offset_of(m, cl, cc - 1);
		if (coff != SIZE_MAX && m->src[coff] == '<') {
			*line = cl;
			*col = cc - 1;
			return;
		}
	}
	/* continuation lines: cmark-gfm leaves out the indentation it stripped, or counts a
	 * lazy line's container prefix that is not there; a `www.` link comes one column early.
	 * The link is the nearest opener on the same line, looking right first. */
	if (off == SIZE_MAX)
		return;
	size_t tl = text ? strlen(text) : 0;
	size_t bol = m->line_starts[*line - 1], eol = line_end(m, (size_t)*line);
	for (size_t dist = 1; dist <= MAX_POS_FIX && (off + dist < eol || off >= bol + dist); dist++) {
		for (int dir = 0; dir < 2; dir++) {
			size_t o = dir ? off - dist : off + dist;
			if (dir ? off < bol + dist : o >= eol)
				continue;
			bool hit = autolink ? m->src[o] == '<' || (eol - o >= tl && memcmp(m->src + o, text, tl) == 0)
			                    : m->src[o] == (image ? '!' : '[');
			if (hit) {
				*col = (int)(o - bol) + 1;
				return;
			}
		}
	}
}

/* ==== emoji shortcodes ====
 * GitHub's `:name:` → the emoji, in text nodes only: code spans and blocks, raw HTML and
 * URLs are other kinds of node, and the text of an autolink (which is its URL) is left
 * alone by the walk. A shortcode stands alone: the character before its first colon and
 * the one after its last are not ASCII letters or digits, so `http://a:b:c` and 12:30:45
 * keep their colons. Names the table does not know stay as written. */

#define MAX_SHORTCODE 64 /* longer than any alias (40 bytes); bounds the look-ahead */

static bool is_word_byte(char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static bool is_shortcode_byte(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '+' || c == '-';
}

static void replace_shortcodes(cmark_node *text, hg_buf *out)
{
	const char *s = cmark_node_get_literal(text);
	const char *first = s ? strchr(s, ':') : NULL;
	if (!first || !strchr(first + 1, ':'))
		return;
	size_t len = strlen(s), done = 0;
	hg_buf_reset(out);
	for (size_t i = (size_t)(first - s); i < len;) {
		/* s[i] is a colon */
		size_t j = i + 1;
		while (j < len && j - i <= MAX_SHORTCODE && is_shortcode_byte(s[j]))
			j++;
		const char *emoji = NULL;
		if (j < len && s[j] == ':' && j > i + 1 && (i == 0 || !is_word_byte(s[i - 1])) &&
		    (j + 1 == len || !is_word_byte(s[j + 1])))
			emoji = hg_emoji_lookup(s + i + 1, j - i - 1);
		if (emoji) {
			hg_buf_add(out, s + done, i - done);
			hg_buf_adds(out, emoji);
			done = j + 1;
			i = j + 1;
		} else {
			i = j < len && s[j] == ':' ? j : j + 1; /* a closing colon may open the next */
		}
		const char *next = i < len ? memchr(s + i, ':', len - i) : NULL;
		if (!next)
			break;
		i = (size_t)(next - s);
	}
	if (done) {
		hg_buf_add(out, s + done, len - done);
		cmark_node_set_literal(text, out->ptr);
	}
}

/* ==== the walk ==== */

/* The link's only text is its URL, as in an autolink (`www.…` gets "http://", a mail
 * address "mailto:"). Stricter than is_autolink, which also takes a link whose text is
 * the URL's end: `[:smile:](https://x.example/:smile:)` has text to restyle. */
static bool shows_own_url(const char *url, const char *text)
{
	if (!url || !text || !*text)
		return false;
	return strcmp(url, text) == 0 || (strncmp(url, "http://", 7) == 0 && strcmp(url + 7, text) == 0) ||
	       (strncmp(url, "mailto:", 7) == 0 && strcmp(url + 7, text) == 0);
}

static void record_link(md_ctx *m, cmark_node *n, bool image, hg_buf *tmp)
{
	const char *url = cmark_node_get_url(n);
	if (!url)
		url = "";
	int line, col;
	link_position(m, n, image, &line, &col);
	HG_GROW(m->links, m->links_cap, m->n_links + 1);
	m->links[m->n_links++] = (hg_md_link){
	    .url = hg_arena_strdup(m->a, url),
	    .line = line > 0 ? (unsigned)line + m->opt->first_line - 1 : 0,
	    .col = col > 0 ? (unsigned)col : 0,
	    .image = image,
	};
	if (m->opt->rewrite_link) {
		hg_buf_reset(tmp);
		if (m->opt->rewrite_link(m->opt->ud, url, image, tmp))
			cmark_node_set_url(n, tmp->ptr);
	}
	if (!m->opt->unsafe && dangerous_url(cmark_node_get_url(n)))
		cmark_node_set_url(n, "");
}

/* The text a reader sees in a heading (or a table cell, or bold text): text and inline
 * code, a space for a line break; raw HTML and images contribute nothing (as in GitHub's
 * ids, made from the rendered text). A plain pre-order walk: cmark's iterator would cost a
 * malloc per call, and this runs for every heading and header cell. */
static void heading_text(cmark_node *root, hg_buf *out)
{
	for (cmark_node *n = cmark_node_first_child(root); n;) {
		cmark_node_type type = cmark_node_get_type(n);
		if (type == CMARK_NODE_TEXT || type == CMARK_NODE_CODE)
			hg_buf_adds(out, cmark_node_get_literal(n));
		else if (type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK)
			hg_buf_addc(out, ' ');
		cmark_node *down = type == CMARK_NODE_IMAGE ? NULL : cmark_node_first_child(n);
		if (down) {
			n = down;
			continue;
		}
		while (n != root && !cmark_node_next(n))
			n = cmark_node_parent(n);
		n = n == root ? NULL : cmark_node_next(n);
	}
}

/* A heading is entered before its text: what its id is made from is taken now, with the
 * shortcodes as written (GitHub's ids keep them: `# :tada: Done` is "tada-done"). */
static void note_heading(md_ctx *m, cmark_node *h, hg_buf *tmp)
{
	hg_buf_reset(tmp);
	heading_text(h, tmp);
	HG_GROW(m->headings, m->headings_cap, m->n_headings + 1);
	HG_GROW(m->heading_keys, m->heading_keys_cap, m->n_headings + 1);
	m->headings[m->n_headings] = h;
	m->heading_keys[m->n_headings++] = hg_xstrndup(tmp->ptr, tmp->len);
	m->last_level = cmark_node_get_heading_level(h);
}

static restyle *note_restyle(md_ctx *m, cmark_node *n, restyle_kind kind)
{
	HG_GROW(m->restyles, m->restyles_cap, m->n_restyles + 1);
	restyle *r = &m->restyles[m->n_restyles++];
	*r = (restyle){.node = n, .kind = kind};
	return r;
}

static void enter_list(md_ctx *m, cmark_node *list)
{
	bool task = false;
	for (cmark_node *c = cmark_node_first_child(list); c && !task; c = cmark_node_next(c))
		task = m->tasklist_ext && cmark_node_get_syntax_extension(c) == m->tasklist_ext;
	HG_GROW(m->lists, m->lists_cap, m->n_lists + 1);
	m->lists[m->n_lists++] = (open_list){.task = task, .tight = cmark_node_get_list_tight(list) != 0};
	if (task)
		note_restyle(m, list, RS_TASK_LIST);
}

static bool is_table(md_ctx *m, cmark_node *n)
{
	return m->table_ext && cmark_node_get_syntax_extension(n) == m->table_ext &&
	       strcmp(cmark_node_get_type_string(n), "table") == 0;
}

/* A raw HTML line that starts with an empty comment (`<!----><div …>`) ends its HTML block
 * on that line, so Markdown may follow on the next: the shortcodes' wrappers and the
 * `markdown="1"` blocks are written so. The comment itself has done its work. */
static void drop_empty_comment(cmark_node *n, hg_buf *tmp)
{
	const char *lit = cmark_node_get_literal(n);
	if (!lit || strncmp(lit, "<!---->", 7) != 0)
		return;
	hg_buf_reset(tmp);
	hg_buf_adds(tmp, lit + 7);
	cmark_node_set_literal(n, tmp->ptr);
}

static void walk(md_ctx *m, cmark_node *root)
{
	hg_buf tmp = HG_BUF_INIT;
	cmark_iter *it = cmark_iter_new(root);
	for (cmark_event_type ev; (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE;) {
		cmark_node *n = cmark_iter_get_node(it);
		cmark_node_type type = cmark_node_get_type(n);
		if (ev == CMARK_EVENT_EXIT) {
			if (type == CMARK_NODE_BLOCK_QUOTE)
				m->quote_depth--;
			else if (type == CMARK_NODE_LIST)
				m->n_lists--;
			else if (n == m->autolink)
				m->autolink = NULL;
			continue;
		}
		switch (type) {
		case CMARK_NODE_TEXT:
			if (cmark_node_parent(n) != m->autolink)
				replace_shortcodes(n, &tmp);
			break;
		case CMARK_NODE_CODE_BLOCK:
			m->has_code = true;
			note_restyle(m, n, RS_CODE);
			break;
		case CMARK_NODE_LINK:
			/* before record_link, which may rewrite the URL */
			if (!m->autolink && shows_own_url(cmark_node_get_url(n), text_child(n)))
				m->autolink = n;
			record_link(m, n, false, &tmp);
			break;
		case CMARK_NODE_IMAGE: record_link(m, n, true, &tmp); break;
		case CMARK_NODE_HEADING: note_heading(m, n, &tmp); break;
		case CMARK_NODE_HTML_BLOCK: drop_empty_comment(n, &tmp); break;
		case CMARK_NODE_BLOCK_QUOTE:
			if (m->quote_depth++ == 0) /* alerts do not nest */
				note_restyle(m, n, RS_QUOTE)->level = m->last_level;
			break;
		case CMARK_NODE_LIST: enter_list(m, n); break;
		case CMARK_NODE_ITEM:
			if (m->n_lists && m->lists[m->n_lists - 1].task) {
				restyle *r = note_restyle(m, n, RS_TASK_ITEM);
				r->tight = m->lists[m->n_lists - 1].tight;
				r->task = cmark_node_get_syntax_extension(n) == m->tasklist_ext;
			}
			break;
		default:
			if (is_table(m, n))
				note_restyle(m, n, RS_TABLE);
			break;
		}
	}
	cmark_iter_free(it);
	hg_buf_release(&tmp);
}

/* ==== restyling: the custom nodes ==== */

/* A custom node; an empty text is left unset, which renders the same and saves a malloc. */
static cmark_node *new_custom(cmark_node_type type, const char *on_enter, const char *on_exit)
{
	cmark_node *n = cmark_node_new_with_mem(type, &cm_mem);
	if (*on_enter)
		cmark_node_set_on_enter(n, on_enter);
	if (*on_exit)
		cmark_node_set_on_exit(n, on_exit);
	return n;
}

/* Unlinks n and keeps it until after rendering (see the top of the file). */
static void detach(md_ctx *m, cmark_node *n)
{
	cmark_node_unlink(n);
	HG_GROW(m->detached, m->detached_cap, m->n_detached + 1);
	m->detached[m->n_detached++] = n;
}

/* Moves first and the siblings after it to the end of to's children. Every move here is
 * one cmark allows (anything under a custom block, inlines under a custom inline), so a
 * refusal is a bug: it aborts rather than lose the reader's text. */
static void move_children(cmark_node *first, cmark_node *to)
{
	for (cmark_node *c = first, *next; c; c = next) {
		next = cmark_node_next(c);
		cmark_node_unlink(c);
		if (!cmark_node_append_child(to, c))
			abort();
	}
}

/* Puts custom node repl in n's place, n's children (from first) under it. */
static void replace_node(md_ctx *m, cmark_node *n, cmark_node *repl, cmark_node *first)
{
	move_children(first, repl);
	if (!cmark_node_replace(n, repl))
		abort();
	detach(m, n);
}

/* ==== heading ids and anchors ====
 * Each heading becomes a custom block holding a custom inline whose enter and exit texts
 * are `<hN id="…">` and ` <a class="hub-heading-anchor" …>#</a></hN>`, with the heading's
 * inlines moved inside. (A custom block alone would put newlines inside the tag: cmark's
 * renderer starts a line before and after a custom block's texts.) An id that would be
 * empty (a heading of only punctuation or emoji) is "section"; a heading with no text at
 * all gets no anchor, which would have nothing to name. */
static int ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (cmark_node *const *)a, y = (uintptr_t) * (cmark_node *const *)b;
	return x < y ? -1 : x > y;
}

static int given_cmp(const void *a, const void *b)
{
	const struct given_id *x = a, *y = b;
	if (x->h != y->h)
		return (uintptr_t)x->h < (uintptr_t)y->h ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* The id `{#id}` gave heading h (the last one written), or NULL. given_ids is sorted by
 * node, then by the order written, before the headings get their ids. */
static const char *given_id(const md_ctx *m, cmark_node *h)
{
	size_t lo = 0, hi = m->n_given_ids;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if ((uintptr_t)m->given_ids[mid].h <= (uintptr_t)h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && m->given_ids[lo - 1].h == h ? m->given_ids[lo - 1].id : NULL;
}

static bool marked_no_toc(const md_ctx *m, cmark_node *h)
{
	return m->n_no_toc && bsearch(&h, m->no_toc, m->n_no_toc, sizeof *m->no_toc, ptr_cmp) != NULL;
}

static void give_heading_ids(md_ctx *m, hg_md_doc *doc)
{
	if (m->n_no_toc > 1)
		qsort(m->no_toc, m->n_no_toc, sizeof *m->no_toc, ptr_cmp);
	if (m->n_given_ids > 1)
		qsort(m->given_ids, m->n_given_ids, sizeof *m->given_ids, given_cmp);
	hg_buf text = HG_BUF_INIT, slug = HG_BUF_INIT, tag = HG_BUF_INIT;
	doc->headings = hg_arena_alloc(m->a, (m->n_headings ? m->n_headings : 1) * sizeof *doc->headings);
	for (size_t i = 0; i < m->n_headings; i++) {
		cmark_node *h = m->headings[i];
		int level = cmark_node_get_heading_level(h);
		hg_buf_reset(&text);
		hg_buf_reset(&slug);
		heading_text(h, &text); /* with the emoji, as the reader sees it */
		const char *given = given_id(m, h);
		if (given)
			hg_buf_adds(&slug, given);
		else
			hg_heading_slug(m->heading_keys[i], strlen(m->heading_keys[i]), &slug);
		if (!slug.len)
			hg_buf_adds(&slug, "section");
		slug_unique(&m->ids, &slug);

		hg_buf_reset(&tag);
		hg_buf_addf(&tag, "<h%d id=\"", level);
		hg_buf_add_html_escaped(&tag, slug.ptr, slug.len);
		hg_buf_adds(&tag, "\">");
		cmark_node *inl = cmark_node_new_with_mem(CMARK_NODE_CUSTOM_INLINE, &cm_mem);
		cmark_node_set_on_enter(inl, tag.ptr);
		hg_buf_reset(&tag);
		if (text.len) {
			hg_buf_adds(&tag, " <a class=\"hub-heading-anchor\" href=\"#");
			hg_buf_add_html_escaped(&tag, slug.ptr, slug.len);
			hg_buf_adds(&tag, "\" aria-label=\"Link to this section: ");
			hg_buf_add_html_escaped(&tag, text.ptr, text.len);
			hg_buf_adds(&tag, "\">#</a>");
		}
		hg_buf_addf(&tag, "</h%d>", level);
		cmark_node_set_on_exit(inl, tag.ptr);
		move_children(cmark_node_first_child(h), inl);
		cmark_node *block = new_custom(CMARK_NODE_CUSTOM_BLOCK, "", "");
		replace_node(m, h, block, NULL);
		cmark_node_append_child(block, inl);

		doc->headings[i] = (hg_md_heading){
		    .level = level,
		    .id = hg_arena_strndup(m->a, slug.ptr, slug.len),
		    .text = hg_arena_strndup(m->a, text.ptr, text.len),
		    .line = (unsigned)cmark_node_get_start_line(h) + m->opt->first_line - 1,
		    .no_toc = marked_no_toc(m, h),
		};
	}
	doc->n_headings = m->n_headings;
	hg_buf_release(&text);
	hg_buf_release(&slug);
	hg_buf_release(&tag);
}

/* ==== code blocks ====
 * `<pre class="hub-code" tabindex="0"><code class="language-x">…</code></pre>`: the
 * tab stop lets keyboard users scroll a wide block (the theme's script removes it again
 * from blocks that fit). The language is the info string's first word, as cmark writes
 * it. The code goes into a text node, which cmark escapes exactly as it escapes code. */
static void restyle_code(md_ctx *m, cmark_node *code, hg_buf *tag)
{
	const char *info = cmark_node_get_fence_info(code);
	size_t lang = 0;
	while (info && info[lang] && !strchr(" \t\n\r\f\v", info[lang]))
		lang++;
	hg_buf_reset(tag);
	hg_buf_adds(tag, "<pre class=\"hub-code\" tabindex=\"0\"><code");
	if (lang) {
		hg_buf_adds(tag, " class=\"language-");
		hg_buf_add_html_escaped(tag, info, lang);
		hg_buf_addc(tag, '"');
	}
	hg_buf_addc(tag, '>');
	cmark_node *inl = new_custom(CMARK_NODE_CUSTOM_INLINE, tag->ptr, "</code></pre>");
	cmark_node *text = cmark_node_new_with_mem(CMARK_NODE_TEXT, &cm_mem);
	cmark_node_set_literal(text, cmark_node_get_literal(code));
	cmark_node_append_child(inl, text);
	cmark_node *block = new_custom(CMARK_NODE_CUSTOM_BLOCK, "", "");
	replace_node(m, code, block, NULL);
	cmark_node_append_child(block, inl);
}

/* ==== tables ====
 * NHS.UK frontend 10's responsive table (components/tables/template.njk with
 * responsive: true): roles on the table, the head's row group, rows and cells, and in
 * each body cell an aria-hidden copy of its column's header, which the CSS shows beside
 * the value when the table is stacked on a small screen. The copy is plain text, so it
 * holds no link or footnote that a keyboard could reach inside aria-hidden. A cell whose
 * content is more than plain text is wrapped in a <span>, as the template does for HTML,
 * so that the stacked cell's flex layout keeps it in one piece. GFM alignment becomes
 * the template's nhsuk-u-text-align-left|centre|right.
 *
 * A table with no header text (`| | |` over the delimiter row) or no body rows is not
 * responsive and has no <thead>: empty header cells, or header cells with no data cells,
 * are accessibility errors. With no header text the header row is dropped; with no body
 * its cells become the one data row. In a header with some text, an empty cell is a
 * <td>, so that no header cell is empty. */

#define TABLE_RESPONSIVE "<table class=\"nhsuk-table nhsuk-table--responsive\" role=\"table\">"
#define TABLE_PLAIN "<table class=\"nhsuk-table\">"
#define THEAD "<thead class=\"nhsuk-table__head\" role=\"rowgroup\">\n"
#define TBODY "<tbody class=\"nhsuk-table__body\">\n"
#define ROW_RESPONSIVE "<tr class=\"nhsuk-table__row\" role=\"row\">"
#define ROW_PLAIN "<tr class=\"nhsuk-table__row\">"

static bool blank_cell(cmark_node *cell)
{
	for (cmark_node *c = cmark_node_first_child(cell); c; c = cmark_node_next(c)) {
		if (cmark_node_get_type(c) != CMARK_NODE_TEXT)
			return false;
		for (const char *s = cmark_node_get_literal(c); *s; s++)
			if (*s != ' ' && *s != '\t')
				return false;
	}
	return true;
}

static const char *align_class(const uint8_t *align, uint16_t ncols, size_t col)
{
	switch (align && col < ncols ? align[col] : 0) {
	case 'l': return " nhsuk-u-text-align-left";
	case 'c': return " nhsuk-u-text-align-centre";
	case 'r': return " nhsuk-u-text-align-right";
	default: return "";
	}
}

static void restyle_table(md_ctx *m, cmark_node *table, hg_buf *tag, hg_buf *heads)
{
	uint16_t ncols = cmark_gfm_extensions_get_table_columns(table);
	const uint8_t *align = cmark_gfm_extensions_get_table_alignments(table);
	cmark_node *head = cmark_node_first_child(table);
	if (head && !cmark_gfm_extensions_get_table_row_is_header(head))
		head = NULL;
	cmark_node *body = head ? cmark_node_next(head) : cmark_node_first_child(table);
	bool head_blank = true;
	for (cmark_node *c = cmark_node_first_child(head); c && head_blank; c = cmark_node_next(c))
		head_blank = blank_cell(c);
	bool responsive = head && !head_blank && body;

	/* the header's text by column, NUL-separated in heads */
	size_t n_heads = 0, *head_at = NULL;
	hg_buf_reset(heads);
	if (responsive) {
		for (cmark_node *c = cmark_node_first_child(head); c; c = cmark_node_next(c))
			n_heads++;
		head_at = hg_xmalloc((n_heads ? n_heads : 1) * sizeof *head_at);
		size_t k = 0;
		for (cmark_node *c = cmark_node_first_child(head); c; c = cmark_node_next(c)) {
			head_at[k++] = heads->len;
			heading_text(c, heads);
			hg_buf_addc(heads, '\0');
		}
	}

	cmark_node *out = new_custom(CMARK_NODE_CUSTOM_BLOCK, responsive ? TABLE_RESPONSIVE : TABLE_PLAIN, "</table>");
	if (responsive) {
		cmark_node *row = new_custom(CMARK_NODE_CUSTOM_BLOCK, THEAD ROW_RESPONSIVE, "</tr>\n</thead>");
		cmark_node_append_child(out, row);
		size_t col = 0;
		for (cmark_node *c = cmark_node_first_child(head); c; c = cmark_node_next(c), col++) {
			bool blank = blank_cell(c);
			hg_buf_reset(tag);
			hg_buf_adds(tag, blank ? "<td class=\"nhsuk-table__header" : "<th class=\"nhsuk-table__header");
			hg_buf_adds(tag, align_class(align, ncols, col));
			hg_buf_adds(tag, blank ? "\" role=\"cell\">" : "\" scope=\"col\" role=\"columnheader\">");
			cmark_node *inl = new_custom(CMARK_NODE_CUSTOM_INLINE, tag->ptr, blank ? "</td>\n" : "</th>\n");
			move_children(cmark_node_first_child(c), inl);
			cmark_node_append_child(row, inl);
		}
	}
	cmark_node *rows = responsive || head_blank ? body : head;
	for (cmark_node *r = rows; r; r = cmark_node_next(r)) {
		bool last = !cmark_node_next(r);
		hg_buf_reset(tag);
		hg_buf_adds(tag, r == rows ? TBODY : "");
		hg_buf_adds(tag, responsive ? ROW_RESPONSIVE : ROW_PLAIN);
		cmark_node *row = new_custom(CMARK_NODE_CUSTOM_BLOCK, tag->ptr, last ? "</tr>\n</tbody>" : "</tr>");
		cmark_node_append_child(out, row);
		size_t col = 0;
		for (cmark_node *c = cmark_node_first_child(r); c; c = cmark_node_next(c), col++) {
			hg_buf_reset(tag);
			hg_buf_adds(tag, "<td class=\"nhsuk-table__cell");
			hg_buf_adds(tag, align_class(align, ncols, col));
			hg_buf_adds(tag, responsive ? "\" role=\"cell\">" : "\">");
			const char *heading = responsive && col < n_heads ? heads->ptr + head_at[col] : "";
			cmark_node *first = cmark_node_first_child(c);
			bool wrap = *heading && first &&
			            (cmark_node_next(first) || cmark_node_get_type(first) != CMARK_NODE_TEXT);
			if (*heading) {
				hg_buf_adds(tag, "<span class=\"nhsuk-table__heading\" aria-hidden=\"true\">");
				hg_buf_add_html_escaped(tag, heading, strlen(heading));
				hg_buf_adds(tag, " </span>");
			}
			if (wrap)
				hg_buf_adds(tag, "<span>");
			cmark_node *inl =
			    new_custom(CMARK_NODE_CUSTOM_INLINE, tag->ptr, wrap ? "</span></td>\n" : "</td>\n");
			move_children(first, inl);
			cmark_node_append_child(row, inl);
		}
	}
	free(head_at);
	if (!cmark_node_replace(table, out))
		abort();
	detach(m, table);
}

/* ==== task lists ====
 * cmark-gfm's `<input type="checkbox" disabled="" />` has no label. A list with a task
 * item becomes
 *   <ul class="hub-task-list">
 *   <li class="hub-task-list__item"><input class="hub-task-list__checkbox" type="checkbox"
 *   id="task-1" disabled checked> <label for="task-1" class="hub-task-list__label">…</label></li>
 * with ids numbered in document order across the page (and kept clear of the headings'
 * ids: a heading "Task 1" keeps "task-1", the checkbox becomes "task-1-1"). The label
 * holds the inlines of the item's first paragraph; the item's other blocks follow it. A
 * task with no text is labelled "Empty task" for screen readers. Items of the list that
 * are not tasks get the item class and no checkbox.
 *
 * The list and its items become custom blocks, so cmark no longer knows that a
 * paragraph is in a tight list (it looks at the paragraph's grandparent): in a tight list
 * the item's paragraphs are unwrapped here, as cmark would have written them. */

/* cmark-gfm 0.29.0.gfm.6 marks an item done when "[x]" appears anywhere on its first
 * line (`- [ ] see [x]` is done), so the state is read again from the source: the list
 * marker, blanks, then `[ ]`, `[x]` or `[X]`. cmark's answer stands if that fails. */
static bool task_checked(md_ctx *m, cmark_node *item)
{
	bool cmark_says = cmark_gfm_extensions_get_tasklist_item_checked(item);
	int line = cmark_node_get_start_line(item);
	size_t i = offset_of(m, line, cmark_node_get_start_column(item));
	if (i == SIZE_MAX)
		return cmark_says;
	const char *s = m->src;
	size_t end = line_end(m, (size_t)line);
	if (s[i] == '-' || s[i] == '+' || s[i] == '*') {
		i++;
	} else {
		size_t digits = i;
		while (i < end && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == digits || i >= end || (s[i] != '.' && s[i] != ')'))
			return cmark_says;
		i++;
	}
	size_t blanks = i;
	while (i < end && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i == blanks || end - i < 3 || s[i] != '[' || s[i + 2] != ']')
		return cmark_says;
	return s[i + 1] == 'x' || s[i + 1] == 'X';
}

static void restyle_task_list(md_ctx *m, cmark_node *list, hg_buf *tag)
{
	bool ordered = cmark_node_get_list_type(list) == CMARK_ORDERED_LIST;
	int start = cmark_node_get_list_start(list);
	hg_buf_reset(tag);
	if (!ordered)
		hg_buf_adds(tag, "<ul class=\"hub-task-list\">");
	else if (start != 1)
		hg_buf_addf(tag, "<ol class=\"hub-task-list\" start=\"%d\">", start);
	else
		hg_buf_adds(tag, "<ol class=\"hub-task-list\">");
	cmark_node *block = new_custom(CMARK_NODE_CUSTOM_BLOCK, tag->ptr, ordered ? "</ol>" : "</ul>");
	replace_node(m, list, block, cmark_node_first_child(list));
}

static void restyle_item(md_ctx *m, const restyle *r, unsigned task_no, hg_buf *tag, hg_buf *id)
{
	cmark_node *item = r->node, *first = cmark_node_first_child(item);
	bool lead = first && cmark_node_get_type(first) == CMARK_NODE_PARAGRAPH && (r->task || r->tight);
	cmark_node *rest = lead ? cmark_node_next(first) : first;
	cmark_node *block;
	if (r->task || lead) {
		hg_buf_reset(tag);
		hg_buf_adds(tag, "<li class=\"hub-task-list__item\">");
		if (r->task) {
			hg_buf_reset(id);
			hg_buf_addf(id, "task-%u", task_no);
			slug_unique(&m->ids, id);
			hg_buf_addf(tag,
			            "<input class=\"hub-task-list__checkbox\" type=\"checkbox\" id=\"%s\" disabled%s> "
			            "<label for=\"%s\" class=\"hub-task-list__label\">",
			            id->ptr, task_checked(m, item) ? " checked" : "", id->ptr);
			if (!lead)
				hg_buf_adds(tag, "<span class=\"nhsuk-u-visually-hidden\">Empty task</span>");
		}
		const char *close = r->task ? (rest ? "</label>" : "</label></li>") : (rest ? "" : "</li>");
		cmark_node *inl = new_custom(CMARK_NODE_CUSTOM_INLINE, tag->ptr, close);
		if (lead) /* the emptied paragraph goes with the item */
			move_children(cmark_node_first_child(first), inl);
		block = new_custom(CMARK_NODE_CUSTOM_BLOCK, "", rest ? "</li>" : "");
		cmark_node_append_child(block, inl);
	} else {
		block = new_custom(CMARK_NODE_CUSTOM_BLOCK, "<li class=\"hub-task-list__item\">", "</li>");
	}
	replace_node(m, item, block, rest);
	if (!r->tight)
		return;
	for (cmark_node *c = rest, *next; c; c = next) {
		next = cmark_node_next(c);
		if (cmark_node_get_type(c) == CMARK_NODE_PARAGRAPH)
			replace_node(m, c, new_custom(CMARK_NODE_CUSTOM_BLOCK, "", ""), cmark_node_first_child(c));
	}
}

/* ==== alerts ====
 * GitHub's alerts: a block quote whose first line is `[!NOTE]`, `[!TIP]`, `[!IMPORTANT]`,
 * `[!WARNING]` or `[!CAUTION]` (any case, alone on its line). The first three become
 * NHS.UK inset text, the word said to screen readers only:
 *   <div class="nhsuk-inset-text">
 *   <span class="nhsuk-u-visually-hidden">Note: </span>
 *   …
 *   </div>
 * the last two NHS.UK frontend 10's warning callout (components/warning-callout), with
 * the component's hidden "Important: " before a heading that does not say it:
 *   <div class="nhsuk-card nhsuk-card--warning">
 *   <div class="nhsuk-card__content">
 *   <h2 class="nhsuk-card__heading"><span role="text"><span
 *   class="nhsuk-u-visually-hidden">Important: </span>Warning</span></h2>
 *   …
 *   </div>
 *   </div>
 * The callout's heading is one level below the last heading before it (h2 if there is
 * none, at most h6), so the page's outline has no gap; it is not one of the page's
 * headings (no id, not in hg_md_doc). A quote that starts with a bold "Warning" (after an
 * emoji such as ⚠️, and followed by a colon or by nothing else on its line) is a warning
 * callout too; the marker, the emoji and the bold word are dropped. Alerts do not nest:
 * only a quote outside any other is one, and an alert with nothing in it stays a quote. */

typedef struct alert {
	const char *marker; /* lower case */
	const char *word;   /* the callout's heading, or inset text's hidden word */
	bool callout;
} alert;

static const alert alerts[] = {
    {"[!note]", "Note", false},      {"[!tip]", "Tip", false},        {"[!important]", "Important", false},
    {"[!warning]", "Warning", true}, {"[!caution]", "Caution", true},
};

#define ALERT_WARNING (&alerts[3])

static bool is_break(cmark_node *n)
{
	cmark_node_type t = cmark_node_get_type(n);
	return t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK;
}

/* s[0..n) is lower, ignoring ASCII case. */
static bool eq_ci(const char *s, size_t n, const char *lower)
{
	if (strlen(lower) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (c != lower[i])
			return false;
	}
	return true;
}

/* The paragraph's first line is a GitHub alert marker; *keep is the first node after the
 * line (NULL if the paragraph ends there). */
static const alert *github_alert(cmark_node *para, cmark_node **keep)
{
	char line[16];
	size_t n = 0;
	cmark_node *c = cmark_node_first_child(para);
	for (; c && cmark_node_get_type(c) == CMARK_NODE_TEXT; c = cmark_node_next(c)) {
		const char *s = cmark_node_get_literal(c);
		size_t k = strlen(s);
		if (k > sizeof line - n)
			return NULL;
		memcpy(line + n, s, k);
		n += k;
	}
	if (c && !is_break(c))
		return NULL; /* more on the marker's line */
	for (size_t i = 0; i < HG_ARRAY_LEN(alerts); i++) {
		if (eq_ci(line, n, alerts[i].marker)) {
			*keep = c ? cmark_node_next(c) : NULL;
			return &alerts[i];
		}
	}
	return NULL;
}

/* Text of emoji and blanks only (⚠️, 🚨, ❗…: symbols, dingbats, pictographs and their
 * variation selectors and joiners). */
static bool emoji_only(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	bool any = false;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = utf8_decode(p + i, n - i, &cp);
		if (!k)
			return false;
		if (cp != ' ' && cp != '\t') {
			if (!((cp >= 0x2190 && cp <= 0x2BFF) || (cp >= 0x1F000 && cp <= 0x1FAFF) ||
			      (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0x200D || cp == 0x20E3))
				return false;
			any = true;
		}
		i += k;
	}
	return any;
}

/* `[emoji] **Warning**` then a colon or the end of the line (the colon may be inside the
 * bold). *keep is the first node to keep, with *skip bytes of its text to drop when the
 * content goes on after the colon on the same line. */
static const alert *bold_warning(cmark_node *para, cmark_node **keep, size_t *skip, hg_buf *tmp)
{
	cmark_node *c = cmark_node_first_child(para);
	if (c && cmark_node_get_type(c) == CMARK_NODE_TEXT && emoji_only(cmark_node_get_literal(c)))
		c = cmark_node_next(c);
	if (!c || cmark_node_get_type(c) != CMARK_NODE_STRONG)
		return NULL;
	hg_buf_reset(tmp);
	heading_text(c, tmp);
	size_t n = tmp->len;
	while (n && tmp->ptr[n - 1] == ' ')
		n--;
	bool colon = n && tmp->ptr[n - 1] == ':';
	if (colon)
		n--;
	while (n && tmp->ptr[n - 1] == ' ')
		n--;
	if (!eq_ci(tmp->ptr, n, "warning"))
		return NULL;
	*skip = 0;
	c = cmark_node_next(c);
	if (c && cmark_node_get_type(c) == CMARK_NODE_TEXT) {
		const char *s = cmark_node_get_literal(c);
		size_t i = 0;
		while (s[i] == ' ' || s[i] == '\t')
			i++;
		if (!colon && s[i] == ':') {
			colon = true;
			for (i++; s[i] == ' ' || s[i] == '\t'; i++)
				;
		}
		if (s[i]) {
			if (!colon)
				return NULL; /* "**Warning** signs of…" is a sentence */
			*keep = c;
			*skip = i;
			return ALERT_WARNING;
		}
		c = cmark_node_next(c);
	}
	if (c && !is_break(c)) {
		if (!colon)
			return NULL;
		*keep = c;
		return ALERT_WARNING;
	}
	*keep = c ? cmark_node_next(c) : NULL;
	return ALERT_WARNING;
}

static void restyle_quote(md_ctx *m, cmark_node *quote, int level, hg_buf *tag, hg_buf *tmp)
{
	cmark_node *para = cmark_node_first_child(quote), *keep = NULL;
	size_t skip = 0;
	if (!para || cmark_node_get_type(para) != CMARK_NODE_PARAGRAPH)
		return;
	const alert *al = github_alert(para, &keep);
	if (!al)
		al = bold_warning(para, &keep, &skip, tmp);
	if (!al || (!keep && !cmark_node_next(para)))
		return;
	for (cmark_node *c = cmark_node_first_child(para), *next; c != keep; c = next) {
		next = cmark_node_next(c);
		detach(m, c);
	}
	if (skip) {
		hg_buf_reset(tmp);
		hg_buf_adds(tmp, cmark_node_get_literal(keep) + skip);
		cmark_node_set_literal(keep, tmp->ptr);
	}
	if (!cmark_node_first_child(para))
		detach(m, para);

	hg_buf_reset(tag);
	if (al->callout) {
		int h = level < 1 ? 2 : level < 6 ? level + 1 : 6;
		hg_buf_addf(tag,
		            "<div class=\"nhsuk-card nhsuk-card--warning\">\n<div class=\"nhsuk-card__content\">\n"
		            "<h%d class=\"nhsuk-card__heading\"><span role=\"text\"><span "
		            "class=\"nhsuk-u-visually-hidden\">Important: </span>%s</span></h%d>",
		            h, al->word, h);
	} else {
		hg_buf_addf(tag,
		            "<div class=\"nhsuk-inset-text\">\n<span class=\"nhsuk-u-visually-hidden\">%s: </span>",
		            al->word);
	}
	cmark_node *block = new_custom(CMARK_NODE_CUSTOM_BLOCK, tag->ptr, al->callout ? "</div>\n</div>" : "</div>");
	replace_node(m, quote, block, cmark_node_first_child(quote));
}

/* ==== restyling ==== */

/* Everything the walk noted, in document order: a node is restyled before the nodes
 * inside it, which keep their identity when they move under its replacement. */
static void restyle_all(md_ctx *m)
{
	hg_buf a = HG_BUF_INIT, b = HG_BUF_INIT;
	unsigned task_no = 0;
	for (size_t i = 0; i < m->n_restyles; i++) {
		const restyle *r = &m->restyles[i];
		switch (r->kind) {
		case RS_CODE: restyle_code(m, r->node, &a); break;
		case RS_TABLE: restyle_table(m, r->node, &a, &b); break;
		case RS_QUOTE: restyle_quote(m, r->node, r->level, &a, &b); break;
		case RS_TASK_LIST: restyle_task_list(m, r->node, &a); break;
		case RS_TASK_ITEM: restyle_item(m, r, r->task ? ++task_no : 0, &a, &b); break;
		}
	}
	hg_buf_release(&a);
	hg_buf_release(&b);
}

/* ==== kramdown ====
 * Jekyll's Markdown is kramdown, and Jekyll sites (just-the-docs above all) use three of its
 * markers that CommonMark shows as text: block attribute lists, the {:toc} list, and
 * markdown="1" on HTML blocks. See markdown.h for what each becomes.
 *
 * An attribute list (IAL) is a line `{: … }`. cmark reads it as text: as a paragraph of its
 * own when blank lines or another block surround it, or as the first or last line of the
 * paragraph it is written against. Before the walk, every paragraph is looked at:
 *   - a paragraph that is only an IAL applies to the block right after it (or, when none
 *     follows on the next line, the one right before it; `.no_toc` and `#id` look for a
 *     heading right before it first), and goes;
 *   - an IAL as a paragraph's first or last line applies to that paragraph and goes — or,
 *     for `{:toc}` ending a list item, to the whole list, which becomes the contents list.
 * A callout wraps its block (a block quote is unwrapped into it), headings are noted for
 * give_heading_ids, and everything else an IAL says is dropped and recorded. */

/* from "the first level-1 heading", below */
static size_t skip_blanks(const char *s, size_t n, size_t i);
static size_t trim_end(const char *s, size_t n);
static size_t fence_of(const char *s, size_t n, char *ch);
static bool is_alnum(char c);

static bool has_bytes(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (const char *p = s, *end = s + n; (p = memchr(p, needle[0], (size_t)(end - p))); p++)
		if ((size_t)(end - p) >= k && memcmp(p, needle, k) == 0)
			return true;
	return false;
}

#define MAX_IAL 256 /* longer lines are not read as attribute lists */
#define MAX_ID 128
#define MAX_TOCS 4 /* contents lists filled in per page */

typedef struct ial {
	const char *word; /* a callout's word, or NULL: "Note", "Warning"… ("" for highlight) */
	bool callout;     /* warning: the warning callout; else inset text */
	bool titled;      /* .note-title…: the first paragraph is the title */
	bool no_toc, toc;
	char id[MAX_ID]; /* "#id", or "" */
	bool unknown;    /* something else was said: recorded for the doctor */
} ial;

/* s[0..n) as an IAL: `{: tokens }`, `{:toc}`, or (heading_form) `{#id}`. */
static bool parse_ial(const char *s, size_t n, bool heading_form, ial *x)
{
	memset(x, 0, sizeof *x);
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	if (n < 3 || n > MAX_IAL || s[0] != '{' || s[n - 1] != '}' || memchr(s, '\n', n))
		return false;
	if (s[1] != ':' && !(heading_form && s[1] == '#'))
		return false;
	static const struct {
		const char *cls, *word;
		bool callout;
	} classes[] = {{"note", "Note", false},
		       {"important", "Important", false},
		       {"new", "New", false},
		       {"highlight", "", false},
		       {"warning", "Warning", true}};
	size_t i = s[1] == ':' ? 2 : 1, end = n - 1;
	while (i < end) {
		while (i < end && (s[i] == ' ' || s[i] == '\t'))
			i++;
		size_t b = i;
		char q = 0;
		while (i < end && (q || (s[i] != ' ' && s[i] != '\t'))) {
			if (q && s[i] == q)
				q = 0;
			else if (!q && (s[i] == '"' || s[i] == '\''))
				q = s[i];
			i++;
		}
		const char *t = s + b;
		size_t tl = i - b;
		if (!tl)
			break;
		if (eq_ci(t, tl, "toc")) {
			x->toc = true;
		} else if (t[0] == '.' && tl == 7 && !memcmp(t, ".no_toc", 7)) {
			x->no_toc = true;
		} else if (t[0] == '.') {
			bool found = false;
			for (size_t k = 0; k < HG_ARRAY_LEN(classes) && !found; k++) {
				size_t cl = strlen(classes[k].cls);
				bool titled = tl == cl + 7 && !memcmp(t + 1 + cl, "-title", 6);
				if ((tl == cl + 1 || titled) && !memcmp(t + 1, classes[k].cls, cl)) {
					found = true;
					x->word = classes[k].word;
					x->callout = classes[k].callout;
					x->titled = titled;
				}
			}
			x->unknown |= !found;
		} else if (t[0] == '#' && tl > 1 && tl < MAX_ID) {
			bool ok = true;
			for (size_t k = 1; k < tl && ok; k++)
				ok = is_alnum(t[k]) || t[k] == '-' || t[k] == '_' || t[k] == ':' || t[k] == '.';
			if (ok) {
				memcpy(x->id, t + 1, tl - 1);
				x->id[tl - 1] = '\0';
			} else {
				x->unknown = true;
			}
		} else {
			x->unknown = true; /* key="value", a reference to a definition */
		}
	}
	return true;
}

/* The text of the inlines from first up to (not including) a line break, or NULL when one of
 * them is not text. *next is the line break (NULL at the end). */
static const char *line_text(cmark_node *first, cmark_node **brk, hg_buf *tmp)
{
	hg_buf_reset(tmp);
	cmark_node *c = first;
	for (; c && !is_break(c); c = cmark_node_next(c)) {
		if (cmark_node_get_type(c) != CMARK_NODE_TEXT || tmp->len > MAX_IAL)
			return NULL;
		hg_buf_adds(tmp, cmark_node_get_literal(c));
	}
	*brk = c;
	return tmp->ptr;
}

static void record_dropped(md_ctx *m, int line, const char *text)
{
	int col = 1;
	size_t off = offset_of(m, line, 1);
	if (off != SIZE_MAX) {
		const char *brace = memchr(m->src + off, '{', line_end(m, (size_t)line) - off);
		if (brace)
			col = (int)(brace - (m->src + off)) + 1;
	}
	HG_GROW(m->dropped, m->dropped_cap, m->n_dropped + 1);
	m->dropped[m->n_dropped++] = (hg_md_ial){
	    .line = line > 0 ? (unsigned)line + m->opt->first_line - 1 : 0,
	    .col = (unsigned)col,
	    .text = hg_arena_strdup(m->a, text),
	};
}

static bool is_heading(cmark_node *n) { return n && cmark_node_get_type(n) == CMARK_NODE_HEADING; }

static void heading_attrs(md_ctx *m, cmark_node *h, const ial *x)
{
	if (x->no_toc) {
		HG_GROW(m->no_toc, m->no_toc_cap, m->n_no_toc + 1);
		m->no_toc[m->n_no_toc++] = h;
	}
	if (x->id[0]) {
		HG_GROW(m->given_ids, m->given_ids_cap, m->n_given_ids + 1);
		m->given_ids[m->n_given_ids] = (struct given_id){h, hg_xstrdup(x->id), m->n_given_ids};
		m->n_given_ids++;
	}
}

/* Wraps target in the callout x names; level is the last heading's before it. */
static void wrap_callout(md_ctx *m, cmark_node *target, const ial *x, int level, hg_buf *tag)
{
	cmark_node *title = NULL;
	bool quote = cmark_node_get_type(target) == CMARK_NODE_BLOCK_QUOTE;
	if (x->titled) {
		cmark_node *first = quote ? cmark_node_first_child(target) : NULL;
		if (first && cmark_node_get_type(first) == CMARK_NODE_PARAGRAPH && cmark_node_next(first))
			title = first;
	}
	hg_buf_reset(tag);
	int h = level < 1 ? 2 : level < 6 ? level + 1 : 6;
	if (x->callout) {
		hg_buf_adds(tag, "<div class=\"nhsuk-card nhsuk-card--warning\">\n<div class=\"nhsuk-card__content\">");
		if (!title)
			hg_buf_addf(tag,
			            "\n<h%d class=\"nhsuk-card__heading\"><span role=\"text\"><span "
			            "class=\"nhsuk-u-visually-hidden\">Important: </span>%s</span></h%d>",
			            h, x->word, h);
	} else {
		hg_buf_adds(tag, "<div class=\"nhsuk-inset-text\">");
		if (*x->word)
			hg_buf_addf(tag, "\n<span class=\"nhsuk-u-visually-hidden\">%s: </span>", x->word);
	}
	cmark_node *block = new_custom(CMARK_NODE_CUSTOM_BLOCK, tag->ptr, x->callout ? "</div>\n</div>" : "</div>");
	if (quote) {
		replace_node(m, target, block, cmark_node_first_child(target));
	} else {
		if (!cmark_node_insert_before(target, block))
			abort();
		cmark_node_unlink(target);
		if (!cmark_node_append_child(block, target))
			abort();
	}
	if (title) {
		hg_buf_reset(tag);
		if (x->callout)
			hg_buf_addf(tag,
			            "<h%d class=\"nhsuk-card__heading\"><span role=\"text\"><span "
			            "class=\"nhsuk-u-visually-hidden\">Important: </span>",
			            h);
		else
			hg_buf_adds(tag, "<p><strong>");
		char close[32];
		snprintf(close, sizeof close, x->callout ? "</span></h%d>" : "</strong></p>", h);
		cmark_node *inl = new_custom(CMARK_NODE_CUSTOM_INLINE, tag->ptr, close);
		move_children(cmark_node_first_child(title), inl);
		cmark_node *holder = new_custom(CMARK_NODE_CUSTOM_BLOCK, "", "");
		replace_node(m, title, holder, NULL);
		cmark_node_append_child(holder, inl);
	}
}

/* The list that {:toc} ends becomes a placeholder, filled in once the headings have ids. */
static void toc_at(md_ctx *m, cmark_node *list)
{
	cmark_node *ph = new_custom(CMARK_NODE_CUSTOM_BLOCK, "", "");
	replace_node(m, list, ph, NULL);
	HG_GROW(m->tocs, m->tocs_cap, m->n_tocs + 1);
	m->tocs[m->n_tocs++] = ph;
}

static bool adjacent(cmark_node *a, cmark_node *b)
{
	return a && b && cmark_node_get_end_line(a) + 1 == cmark_node_get_start_line(b);
}

/* What one IAL does to its target. */
static void apply_ial(md_ctx *m, cmark_node *target, const ial *x, int level, hg_buf *tag)
{
	if (is_heading(target))
		heading_attrs(m, target, x);
	if (x->word && target && !is_heading(target))
		wrap_callout(m, target, x, level, tag);
}

static void kramdown_pass(md_ctx *m, cmark_node *root)
{
	/* the paragraphs and headings, in document order, noted before anything moves */
	cmark_node **nodes = NULL;
	size_t n = 0, cap = 0;
	cmark_iter *it = cmark_iter_new(root);
	for (cmark_event_type ev; (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE;) {
		cmark_node *c = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(c);
		if (ev == CMARK_EVENT_ENTER && (t == CMARK_NODE_PARAGRAPH || t == CMARK_NODE_HEADING)) {
			HG_GROW(nodes, cap, n + 1);
			nodes[n++] = c;
		}
	}
	cmark_iter_free(it);

	hg_buf tmp = HG_BUF_INIT, tag = HG_BUF_INIT;
	int level = 0;
	ial x;
	for (size_t i = 0; i < n; i++) {
		cmark_node *p = nodes[i];
		if (is_heading(p)) {
			/* `## Title {#id}`: the end of the last text */
			cmark_node *last = cmark_node_last_child(p);
			const char *lit = last && cmark_node_get_type(last) == CMARK_NODE_TEXT ? cmark_node_get_literal(last) : NULL;
			const char *open = lit ? strrchr(lit, '{') : NULL;
			if (open && parse_ial(open, strlen(open), true, &x)) {
				heading_attrs(m, p, &x);
				if (x.unknown || x.toc || x.word)
					record_dropped(m, cmark_node_get_start_line(p), open);
				hg_buf_reset(&tmp);
				hg_buf_add(&tmp, lit, (size_t)(open - lit));
				while (tmp.len && tmp.ptr[tmp.len - 1] == ' ')
					hg_buf_truncate(&tmp, tmp.len - 1);
				cmark_node_set_literal(last, tmp.ptr);
			}
			level = cmark_node_get_heading_level(p);
			continue;
		}
		cmark_node *brk = NULL, *first = cmark_node_first_child(p);
		const char *text = first ? line_text(first, &brk, &tmp) : NULL;
		if (text && parse_ial(text, strlen(text), false, &x)) {
			if (x.unknown)
				record_dropped(m, cmark_node_get_start_line(p), text);
			if (!brk) {
				/* alone: the block after it, else the one before it */
				cmark_node *prev = cmark_node_previous(p), *next = cmark_node_next(p);
				cmark_node *target;
				if ((x.no_toc || x.id[0]) && is_heading(prev) && adjacent(prev, p))
					target = prev;
				else if (x.toc && prev && cmark_node_get_type(prev) == CMARK_NODE_LIST)
					target = prev;
				else
					target = next && adjacent(p, next) ? next : prev && adjacent(prev, p) ? prev : next;
				detach(m, p);
				if (x.toc) {
					if (target == prev && prev && cmark_node_get_type(prev) == CMARK_NODE_LIST)
						toc_at(m, prev);
				} else if (target) {
					apply_ial(m, target, &x, level, &tag);
				}
				continue;
			}
			/* the paragraph's first line */
			for (cmark_node *c = first, *next; c; c = next) {
				next = cmark_node_next(c);
				detach(m, c);
				if (c == brk)
					break;
			}
			apply_ial(m, p, &x, level, &tag);
			continue;
		}
		/* the paragraph's last line */
		cmark_node *last_brk = NULL;
		for (cmark_node *c = cmark_node_last_child(p); c && !last_brk; c = cmark_node_previous(c))
			if (is_break(c))
				last_brk = c;
		if (!last_brk)
			continue;
		text = line_text(cmark_node_next(last_brk), &brk, &tmp);
		if (!text || !parse_ial(text, strlen(text), false, &x))
			continue;
		if (x.unknown)
			record_dropped(m, cmark_node_get_end_line(p), text);
		for (cmark_node *c = last_brk, *next; c; c = next) {
			next = cmark_node_next(c);
			detach(m, c);
		}
		cmark_node *item = cmark_node_parent(p);
		if (x.toc && item && cmark_node_get_type(item) == CMARK_NODE_ITEM)
			toc_at(m, cmark_node_parent(item));
		else if (!x.toc)
			apply_ial(m, p, &x, level, &tag);
	}
	free(nodes);
	hg_buf_release(&tmp);
	hg_buf_release(&tag);
}

/* The contents list a {:toc} becomes: the page's h2 headings and, under each, its h3s,
 * leaving out those marked .no_toc, as NHS.UK's contents list. */
static void fill_tocs(md_ctx *m, const hg_md_doc *doc)
{
	if (!m->n_tocs)
		return;
	hg_buf html = HG_BUF_INIT;
	hg_buf_adds(&html, "<nav class=\"nhsuk-contents-list\" role=\"navigation\" aria-label=\"Table of contents\">\n"
	                   "<h2 class=\"nhsuk-u-visually-hidden\">Contents</h2>\n<ol class=\"nhsuk-contents-list__list\">\n");
	bool open_item = false, open_sub = false;
	for (size_t i = 0; i < doc->n_headings; i++) {
		const hg_md_heading *h = &doc->headings[i];
		if (h->no_toc || h->level < 2 || h->level > 3 || (h->level == 3 && !open_item))
			continue;
		if (h->level == 2) {
			if (open_sub)
				hg_buf_adds(&html, "</ol>\n");
			if (open_item)
				hg_buf_adds(&html, "</li>\n");
			open_sub = false;
		} else if (!open_sub) {
			hg_buf_adds(&html, "\n<ol class=\"nhsuk-contents-list__list\">\n");
			open_sub = true;
		}
		hg_buf_adds(&html, "<li class=\"nhsuk-contents-list__item\"><a class=\"nhsuk-contents-list__link\" href=\"#");
		hg_buf_add_html_escaped(&html, h->id, strlen(h->id));
		hg_buf_adds(&html, "\">");
		hg_buf_add_html_escaped(&html, h->text, strlen(h->text));
		hg_buf_adds(&html, "</a>");
		if (h->level == 3)
			hg_buf_adds(&html, "</li>\n");
		else
			open_item = true;
	}
	if (open_sub)
		hg_buf_adds(&html, "</ol>\n");
	if (open_item)
		hg_buf_adds(&html, "</li>\n");
	hg_buf_adds(&html, "</ol>\n</nav>");
	/* a page's contents list a few times over is plenty: past MAX_TOCS a {:toc} is empty,
	 * so that a page of many {:toc} and many headings cannot grow without bound */
	for (size_t i = 0; i < m->n_tocs && i < MAX_TOCS; i++)
		cmark_node_set_on_enter(m->tocs[i], html.ptr);
	hg_buf_release(&html);
}

/* ---- markdown="1" ----
 * cmark keeps an HTML block raw up to the next blank line, so `<div markdown="1">` with
 * Markdown on the next line stays raw. Before parsing, such a block's lines are rewritten, in
 * place and line for line: the opening and closing tags and every other line of HTML inside
 * get an empty comment before them (`<!---->`, which ends an HTML block on its own line, see
 * drop_empty_comment) and lose their indentation; the attribute goes. Inside the block, an
 * element opened on a line of its own without the attribute (`<summary>`) keeps its lines
 * raw up to its closing tag, as kramdown keeps it. */

static bool name_byte(char c) { return is_alnum(c) || c == '-'; }

enum { MD_ATTR_NO, MD_ATTR_BLOCK, MD_ATTR_SPAN };

/* The markdown= attribute in the tag at s[0..n) (which starts with '<'): its place, and what
 * it asks for: "1" and "block" Markdown blocks, "span" Markdown inlines, anything else none. */
static int md_attr(const char *s, size_t n, size_t *at, size_t *len)
{
	const char *gt = memchr(s, '>', n);
	size_t end = gt ? (size_t)(gt - s) : n;
	for (size_t i = 1; i + 9 < end; i++) {
		if (s[i - 1] != ' ' || memcmp(s + i, "markdown=", 9) != 0)
			continue;
		size_t k = i + 9;
		char q = s[k] == '"' || s[k] == '\'' ? s[k++] : 0;
		size_t vb = k;
		while (k < end && (q ? s[k] != q : s[k] != ' ' && s[k] != '/'))
			k++;
		int kind = (k - vb == 1 && s[vb] == '1') || (k - vb == 5 && !memcmp(s + vb, "block", 5)) ? MD_ATTR_BLOCK
		           : k - vb == 4 && !memcmp(s + vb, "span", 4)                                 ? MD_ATTR_SPAN
		                                                                                        : MD_ATTR_NO;
		if (q && k < end)
			k++;
		*at = i - 1; /* with the space before it */
		*len = k - (i - 1);
		return kind;
	}
	return MD_ATTR_NO;
}

static bool void_tag(const char *s, size_t n)
{
	static const char *const names[] = {"br", "hr", "img", "input", "meta", "link", "wbr", "col", "source", "area", "embed"};
	for (size_t i = 0; i < HG_ARRAY_LEN(names); i++)
		if (eq_ci(s, n, names[i]))
			return true;
	return false;
}

/* Whether s[0..n) holds a closing tag `</name`. */
static bool has_close(const char *s, size_t n, const char *name, size_t nl)
{
	for (size_t i = 0; i + 2 + nl <= n; i++)
		if (s[i] == '<' && s[i + 1] == '/' && !strncmp(s + i + 2, name, nl) &&
		    (i + 2 + nl == n || !name_byte(s[i + 2 + nl])))
			return true;
	return false;
}

#define MD_NEST 16

static bool rewrite_markdown_attr(const char *src, size_t len, hg_buf *out)
{
	struct {
		char name[32];
		bool raw; /* an element inside whose lines stay raw */
	} stack[MD_NEST];
	size_t depth = 0;
	bool changed = false;
	char fence_ch = 0;
	size_t fence_len = 0;
	for (size_t off = 0; off < len;) {
		const char *s = src + off;
		const char *nl = memchr(s, '\n', len - off);
		size_t n = nl ? (size_t)(nl - s) + 1 : len - off; /* with its newline */
		size_t text = n - (nl != NULL);
		size_t ind = skip_blanks(s, text, 0);
		const char *t = s + ind;
		size_t tn = text - ind;
		char ch;
		size_t fl = depth ? 0 : fence_of(s, trim_end(s, text), &ch);
		if (!depth && (fence_len || fl)) {
			if (!fence_len) {
				fence_ch = ch;
				fence_len = fl;
			} else if (fl >= fence_len && ch == fence_ch) {
				fence_len = 0;
			}
			hg_buf_add(out, s, n);
			off += n;
			continue;
		}
		size_t nlen = 0;
		bool closing = tn > 1 && t[0] == '<' && t[1] == '/';
		if (tn > 1 && t[0] == '<')
			while (1 + closing + nlen < tn && name_byte(t[1 + closing + nlen]))
				nlen++;
		const char *name = t + 1 + closing;
		size_t at, alen;
		bool opens_md = nlen && !closing && nlen < sizeof stack[0].name &&
		                md_attr(t, tn, &at, &alen) == MD_ATTR_BLOCK && (ind <= 3 || depth);
		bool raw_inside = depth && stack[depth - 1].raw;
		if (opens_md && !raw_inside && depth < MD_NEST && !has_close(t, tn, name, nlen)) {
			hg_buf_add(out, s, depth ? 0 : ind);
			hg_buf_adds(out, "<!---->");
			hg_buf_add(out, t, at);
			hg_buf_add(out, t + at + alen, n - ind - at - alen);
			memcpy(stack[depth].name, name, nlen);
			stack[depth].name[nlen] = '\0';
			stack[depth++].raw = false;
			changed = true;
		} else if (!depth) {
			hg_buf_add(out, s, n);
		} else if (raw_inside || nlen) {
			/* a line of HTML, or of an element kept raw */
			hg_buf_adds(out, "<!---->");
			hg_buf_add(out, t, n - ind);
			const char *top = stack[depth - 1].name;
			if (closing && hg_mem_eq(name, nlen, top)) {
				depth--;
			} else if (!raw_inside && !closing && !void_tag(name, nlen) && !has_close(t, tn, name, nlen) &&
			           tn && t[tn - 1] == '>' && t[tn - 2] != '/' && depth < MD_NEST && nlen < sizeof stack[0].name) {
				memcpy(stack[depth].name, name, nlen);
				stack[depth].name[nlen] = '\0';
				stack[depth++].raw = true;
			}
		} else {
			hg_buf_add(out, s, n); /* Markdown */
		}
		off += n;
	}
	return changed;
}

static void attach(cmark_parser *p, const char *name)
{
	cmark_syntax_extension *ext = cmark_find_syntax_extension(name);
	if (ext)
		cmark_parser_attach_syntax_extension(p, ext);
}

/* Issue 8: cmark-gfm 0.29.0.gfm.6 (Debian 12) appends each cell of a table row to a linked
 * list by walking the list (cmark_llist_append), so a row of n cells costs n^2 steps: one
 * line of 40,000 '|' under a table header took 7 s, and a 10 MB one would take days.
 * Newer cmark-gfm releases fix it; until then a document whose lines could make that much
 * work (the sum over lines of the square of their '|' count) is read without the table
 * extension: its pipes stay text. Real tables are nowhere near the limit (a 20-column
 * table of 10,000 rows is 4 million). */
#define MAX_TABLE_WORK 100000000u

static bool tables_affordable(const char *src, size_t len)
{
	uint64_t work = 0, n = 0;
	const char *p = src, *end = src + len, *line_end = src;
	while ((p = memchr(p, '|', (size_t)(end - p)))) {
		if (p >= line_end) { /* first '|' of a new line: settle the previous one */
			work += n * n;
			n = 0;
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			line_end = nl ? nl : end;
		}
		n++;
		p++;
		if (work + n * n > MAX_TABLE_WORK)
			return false;
	}
	return true;
}

/* ---- definition lists ----
 * kramdown and Hugo's goldmark both read a paragraph of term lines followed by lines that
 * start with ': ' as a definition list:
 *     Data product
 *     : a file the pipeline reads and writes
 * Each term line is a <dt>, each ': ' line starts a <dd> (lines after it, without the
 * colon, continue it), and the paragraphs of one list, separated by blank lines, make one
 * <dl>. A ': ' line with no term above it in its paragraph stays text, as in kramdown. */

/* Whether the inline c starts a definition: a text beginning ": " (or ":" and a tab). */
static bool starts_definition(cmark_node *c)
{
	if (!c || cmark_node_get_type(c) != CMARK_NODE_TEXT)
		return false;
	const char *lit = cmark_node_get_literal(c);
	return lit && lit[0] == ':' && (lit[1] == ' ' || lit[1] == '\t');
}

/* Strips ": " from the definition's first text. */
static void strip_colon(cmark_node *c, hg_buf *tmp)
{
	const char *lit = cmark_node_get_literal(c) + 1;
	while (*lit == ' ' || *lit == '\t')
		lit++;
	hg_buf_reset(tmp);
	hg_buf_adds(tmp, lit);
	cmark_node_set_literal(c, tmp->ptr);
}

static void deflist_pass(md_ctx *m, cmark_node *root)
{
	cmark_node **paras = NULL;
	size_t n = 0, cap = 0;
	cmark_iter *it = cmark_iter_new(root);
	for (cmark_event_type ev; (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE;) {
		cmark_node *c = cmark_iter_get_node(it);
		if (ev != CMARK_EVENT_ENTER || cmark_node_get_type(c) != CMARK_NODE_PARAGRAPH)
			continue;
		/* a term line, then a line that starts a definition */
		cmark_node *first = cmark_node_first_child(c);
		if (!first || starts_definition(first))
			continue;
		for (cmark_node *k = first; k; k = cmark_node_next(k))
			if (is_break(k) && starts_definition(cmark_node_next(k))) {
				HG_GROW(paras, cap, n + 1);
				paras[n++] = c;
				break;
			}
	}
	cmark_iter_free(it);
	hg_buf tmp = HG_BUF_INIT;
	cmark_node *last_dl = NULL, *last_para = NULL;
	for (size_t i = 0; i < n; i++) {
		cmark_node *p = paras[i];
		cmark_node *dl;
		if (last_dl && last_para && cmark_node_previous(p) == last_dl) {
			dl = last_dl;
		} else {
			dl = new_custom(CMARK_NODE_CUSTOM_BLOCK, "<dl>\n", "</dl>");
			if (!cmark_node_insert_before(p, dl))
				abort();
		}
		/* the lines, each moved under its <dt> or <dd>: a break before a ': ' line, or
		 * between two term lines, ends an item; one inside a definition stays in it */
		cmark_node *item = NULL;
		bool in_dd = false;
		for (cmark_node *c = cmark_node_first_child(p), *next; c; c = next) {
			next = cmark_node_next(c);
			if (is_break(c) && (starts_definition(next) || !in_dd)) {
				detach(m, c);
				item = NULL;
				continue;
			}
			if (!item) {
				bool dd = starts_definition(c);
				if (dd) {
					strip_colon(c, &tmp);
					in_dd = true;
				}
				item = new_custom(CMARK_NODE_CUSTOM_INLINE, dd ? "<dd>" : "<dt>", dd ? "</dd>\n" : "</dt>\n");
				if (!cmark_node_append_child(dl, item))
					abort();
			}
			cmark_node_unlink(c);
			if (!cmark_node_append_child(item, c))
				abort();
		}
		detach(m, p);
		last_dl = dl;
		last_para = p;
	}
	hg_buf_release(&tmp);
	free(paras);
}

/* ---- kramdown's span markers ----
 * Two more kramdown markers that documentation-theme-jekyll sites (NHS Digital's API
 * specifications among them) write on every page:
 *   - a span attribute list right after a link or an image, `[text](url){:target="_blank"}`,
 *     gives it attributes: `.class`, `#id`, `key="value"` (not event handlers, not href or
 *     src, not style unless raw HTML is allowed); after anything else it is dropped and
 *     recorded for the doctor;
 *   - `markdown="span"` on an HTML element, `<div markdown="span">Some **bold**</div>`, has
 *     its inside read as Markdown inlines; so has a markdown="1" element that opens and
 *     closes inside one HTML block (its inside as Markdown blocks). The attribute goes. */

static void add_escaped(hg_buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': hg_buf_adds(out, "&amp;"); break;
		case '<': hg_buf_adds(out, "&lt;"); break;
		case '>': hg_buf_adds(out, "&gt;"); break;
		case '"': hg_buf_adds(out, "&quot;"); break;
		default: hg_buf_addc(out, s[i]); break;
		}
	}
}

static bool attr_name_ok(const char *s, size_t n, bool unsafe)
{
	if (!n || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != ':')
			return false;
	if (n >= 2 && (s[0] | 0x20) == 'o' && (s[1] | 0x20) == 'n')
		return false; /* onclick… */
	return !eq_ci(s, n, "href") && !eq_ci(s, n, "src") && !eq_ci(s, n, "srcset") &&
	       !eq_ci(s, n, "formaction") && (unsafe || !eq_ci(s, n, "style"));
}

/* The span IAL at the start of s (n bytes): its length up to and with its '}', or 0 when s
 * does not start with one. The attributes it gives are appended to attrs, escaped. */
static size_t span_ial(const char *s, size_t n, bool unsafe, hg_buf *attrs)
{
	if (n < 3 || s[0] != '{' || s[1] != ':')
		return 0;
	size_t end = 2;
	char q = 0;
	while (end < n && end < MAX_IAL && (q || s[end] != '}') && s[end] != '\n') {
		if (q && s[end] == q)
			q = 0;
		else if (!q && (s[end] == '"' || s[end] == '\''))
			q = s[end];
		end++;
	}
	if (end >= n || s[end] != '}')
		return 0;
	hg_buf cls = HG_BUF_INIT;
	for (size_t i = 2; i < end;) {
		while (i < end && (s[i] == ' ' || s[i] == '\t'))
			i++;
		size_t b = i;
		while (i < end && s[i] != ' ' && s[i] != '\t' && s[i] != '=')
			i++;
		const char *t = s + b;
		size_t tl = i - b;
		if (i < end && s[i] == '=') {
			i++;
			size_t vb = i, ve;
			if (i < end && (s[i] == '"' || s[i] == '\'')) {
				char qq = s[i++];
				vb = i;
				while (i < end && s[i] != qq)
					i++;
				ve = i;
				if (i < end)
					i++;
			} else {
				while (i < end && s[i] != ' ' && s[i] != '\t')
					i++;
				ve = i;
			}
			if (attr_name_ok(t, tl, unsafe)) {
				hg_buf_addc(attrs, ' ');
				hg_buf_add(attrs, t, tl);
				hg_buf_adds(attrs, "=\"");
				add_escaped(attrs, s + vb, ve - vb);
				hg_buf_addc(attrs, '"');
			}
		} else if (tl > 1 && t[0] == '.') {
			if (cls.len)
				hg_buf_addc(&cls, ' ');
			add_escaped(&cls, t + 1, tl - 1);
		} else if (tl > 1 && t[0] == '#') {
			hg_buf_adds(attrs, " id=\"");
			add_escaped(attrs, t + 1, tl - 1);
			hg_buf_addc(attrs, '"');
		} else if (!tl) {
			break;
		}
	}
	if (cls.len)
		hg_buf_addf(attrs, " class=\"%s\"", cls.ptr);
	hg_buf_release(&cls);
	return end + 1;
}

/* Notes every span IAL after a link or an image (applied after the walk, which may still
 * rewrite their URLs); drops the others. */
static void span_ial_pass(md_ctx *m, cmark_node *root)
{
	cmark_node **texts = NULL;
	size_t n = 0, cap = 0;
	cmark_iter *it = cmark_iter_new(root);
	for (cmark_event_type ev; (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE;) {
		cmark_node *c = cmark_iter_get_node(it);
		if (ev != CMARK_EVENT_ENTER || cmark_node_get_type(c) != CMARK_NODE_TEXT || !cmark_node_previous(c))
			continue;
		const char *lit = cmark_node_get_literal(c);
		if (lit && lit[0] == '{' && lit[1] == ':') {
			HG_GROW(texts, cap, n + 1);
			texts[n++] = c;
		}
	}
	cmark_iter_free(it);
	hg_buf attrs = HG_BUF_INIT, rest = HG_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		cmark_node *t = texts[i], *prev = cmark_node_previous(t);
		const char *lit = cmark_node_get_literal(t);
		size_t len = strlen(lit);
		hg_buf_reset(&attrs);
		size_t used = span_ial(lit, len, m->opt->unsafe, &attrs);
		if (!used)
			continue;
		cmark_node_type pt = cmark_node_get_type(prev);
		if (pt == CMARK_NODE_LINK || pt == CMARK_NODE_IMAGE) {
			HG_GROW(m->span_attrs, m->span_attrs_cap, m->n_span_attrs + 1);
			m->span_attrs[m->n_span_attrs++] = (struct span_attrs){prev, hg_xstrndup(attrs.ptr, attrs.len)};
		} else {
			cmark_node *block = t;
			while (block && cmark_node_get_start_line(block) == 0)
				block = cmark_node_parent(block);
			hg_buf_reset(&rest);
			hg_buf_add(&rest, lit, used);
			record_dropped(m, block ? cmark_node_get_start_line(block) : 0, rest.ptr);
		}
		if (used == len) {
			detach(m, t);
		} else {
			hg_buf_reset(&rest);
			hg_buf_adds(&rest, lit + used);
			cmark_node_set_literal(t, rest.ptr);
		}
	}
	hg_buf_release(&attrs);
	hg_buf_release(&rest);
	free(texts);
}

/* The links and images noted above become custom inlines with their attributes. */
static void apply_span_attrs(md_ctx *m)
{
	hg_buf tag = HG_BUF_INIT;
	for (size_t i = 0; i < m->n_span_attrs; i++) {
		cmark_node *n = m->span_attrs[i].n;
		const char *url = cmark_node_get_url(n), *title = cmark_node_get_title(n);
		bool image = cmark_node_get_type(n) == CMARK_NODE_IMAGE;
		hg_buf_reset(&tag);
		hg_buf_adds(&tag, image ? "<img src=\"" : "<a href=\"");
		add_escaped(&tag, url ? url : "", url ? strlen(url) : 0);
		hg_buf_addc(&tag, '"');
		if (image) {
			hg_buf alt = HG_BUF_INIT;
			heading_text(n, &alt);
			hg_buf_adds(&tag, " alt=\"");
			add_escaped(&tag, alt.ptr, alt.len);
			hg_buf_addc(&tag, '"');
			hg_buf_release(&alt);
		}
		if (title && *title) {
			hg_buf_adds(&tag, " title=\"");
			add_escaped(&tag, title, strlen(title));
			hg_buf_addc(&tag, '"');
		}
		hg_buf_adds(&tag, m->span_attrs[i].attrs);
		hg_buf_adds(&tag, image ? " />" : ">");
		cmark_node *c = new_custom(CMARK_NODE_CUSTOM_INLINE, tag.ptr, image ? "" : "</a>");
		if (!cmark_node_insert_before(n, c))
			abort();
		if (!image && cmark_node_first_child(n))
			move_children(cmark_node_first_child(n), c);
		detach(m, n);
		free(m->span_attrs[i].attrs);
	}
	free(m->span_attrs);
	m->span_attrs = NULL;
	m->n_span_attrs = 0;
	hg_buf_release(&tag);
}

/* Markdown in s[0..n) rendered on its own, appended to out: its inlines only (no <p>) when
 * inlines is set and it is one paragraph. Its links are rewritten as the page's are. */
static void render_fragment(md_ctx *m, const char *s, size_t n, bool inlines, hg_buf *out)
{
	cmark_parser *p = cmark_parser_new_with_mem(m->cm_options, &cm_mem);
	if (tables_affordable(s, n)) /* the set every parser attaches (see parse_serial) */
		attach(p, "table");
	attach(p, "strikethrough");
	attach(p, "autolink");
	attach(p, "tasklist");
	if (!m->opt->unsafe)
		attach(p, "tagfilter");
	if (parse_serial)
		pthread_mutex_lock(&parse_lock);
	cmark_parser_feed(p, s, n);
	cmark_node *root = cmark_parser_finish(p);
	if (parse_serial)
		pthread_mutex_unlock(&parse_lock);
	if (!m->opt->unsafe)
		drop_raw_html(root);
	hg_buf tmp = HG_BUF_INIT;
	cmark_iter *it = cmark_iter_new(root);
	for (cmark_event_type ev; (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE;) {
		cmark_node *c = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(c);
		if (ev != CMARK_EVENT_ENTER || (t != CMARK_NODE_LINK && t != CMARK_NODE_IMAGE))
			continue;
		const char *url = cmark_node_get_url(c);
		hg_buf_reset(&tmp);
		if (url && m->opt->rewrite_link && m->opt->rewrite_link(m->opt->ud, url, t == CMARK_NODE_IMAGE, &tmp))
			cmark_node_set_url(c, tmp.ptr);
		if (!m->opt->unsafe && dangerous_url(cmark_node_get_url(c)))
			cmark_node_set_url(c, "");
	}
	cmark_iter_free(it);
	hg_buf_release(&tmp);
	cmark_node *first = cmark_node_first_child(root);
	bool unwrap = inlines && first && !cmark_node_next(first) && cmark_node_get_type(first) == CMARK_NODE_PARAGRAPH;
	const char *html = cmark_render_html_with_mem(root, m->cm_options, cmark_parser_get_syntax_extensions(p), &cm_mem);
	size_t hl = strlen(html);
	if (unwrap && hl >= 8 && !strncmp(html, "<p>", 3)) {
		size_t e = hl;
		while (e > 3 && html[e - 1] == '\n')
			e--;
		if (e >= 7 && !strncmp(html + e - 4, "</p>", 4))
			hg_buf_add(out, html + 3, e - 7);
		else
			hg_buf_adds(out, html);
	} else {
		hg_buf_adds(out, html);
	}
	/* the parser and the tree are in the page's arena (cm_mem): nothing to free */
}

/* The end of the tag that starts at s[i] ('<'), just past its '>', or 0 if it has none. */
static size_t tag_end(const char *s, size_t n, size_t i)
{
	char q = 0;
	for (size_t k = i + 1; k < n; k++) {
		if (q) {
			if (s[k] == q)
				q = 0;
		} else if (s[k] == '"' || s[k] == '\'') {
			q = s[k];
		} else if (s[k] == '>') {
			return k + 1;
		}
	}
	return 0;
}

/* Where the element named name[0..nl), whose opening tag ends at from, closes: the offset of
 * its matching `</name`, or SIZE_MAX. */
static size_t matching_close(const char *s, size_t n, size_t from, const char *name, size_t nl)
{
	size_t depth = 1;
	for (size_t k = from; k + 1 + nl < n; k++) {
		if (s[k] != '<')
			continue;
		bool closing = s[k + 1] == '/';
		size_t b = k + 1 + closing;
		if (b + nl > n || strncmp(s + b, name, nl) != 0 || (b + nl < n && name_byte(s[b + nl])))
			continue;
		if (!closing) {
			depth++;
		} else if (--depth == 0) {
			return k;
		}
	}
	return SIZE_MAX;
}

/* One HTML block's markdown="span" elements (and markdown="1" ones closed inside it). */
static void span_html_block(md_ctx *m, cmark_node *node, hg_buf *out, hg_buf *inner)
{
	const char *s = cmark_node_get_literal(node);
	if (!s)
		return;
	size_t n = strlen(s), done = 0;
	bool changed = false;
	hg_buf_reset(out);
	for (size_t k = 0; k + 1 < n; k++) {
		if (s[k] != '<' || !(is_alnum(s[k + 1])))
			continue;
		size_t te = tag_end(s, n, k);
		if (!te)
			break;
		size_t at, alen;
		int kind = md_attr(s + k, te - k, &at, &alen);
		if (kind == MD_ATTR_NO) {
			k = te - 1;
			continue;
		}
		size_t nl = 0;
		while (k + 1 + nl < n && name_byte(s[k + 1 + nl]))
			nl++;
		size_t close = matching_close(s, n, te, s + k + 1, nl);
		if (close == SIZE_MAX) {
			if (kind == MD_ATTR_BLOCK)
				continue; /* the block rewriting above has it, or kramdown would not either */
			close = te; /* an element that does not close here: only the attribute goes */
		}
		hg_buf_add(out, s + done, k + at - done);
		hg_buf_add(out, s + k + at + alen, te - (k + at + alen));
		if (close > te) {
			hg_buf_reset(inner);
			if (kind == MD_ATTR_SPAN) {
				/* inlines: no line's indentation may turn into a code block */
				for (size_t i = te; i < close;) {
					while (i < close && (s[i] == ' ' || s[i] == '\t'))
						i++;
					const char *nlp = memchr(s + i, '\n', close - i);
					size_t e = nlp ? (size_t)(nlp - s) + 1 : close;
					hg_buf_add(inner, s + i, e - i);
					i = e;
				}
			} else {
				hg_buf_add(inner, s + te, close - te);
			}
			render_fragment(m, inner->ptr, inner->len, kind == MD_ATTR_SPAN, out);
		}
		done = close;
		k = close;
		changed = true;
	}
	if (!changed)
		return;
	hg_buf_add(out, s + done, n - done);
	cmark_node_set_literal(node, out->ptr);
}

static void span_html_pass(md_ctx *m, cmark_node *root)
{
	hg_buf out = HG_BUF_INIT, inner = HG_BUF_INIT;
	cmark_iter *it = cmark_iter_new(root);
	for (cmark_event_type ev; (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE;) {
		cmark_node *c = cmark_iter_get_node(it);
		if (ev == CMARK_EVENT_ENTER && cmark_node_get_type(c) == CMARK_NODE_HTML_BLOCK)
			span_html_block(m, c, &out, &inner);
	}
	cmark_iter_free(it);
	hg_buf_release(&out);
	hg_buf_release(&inner);
}

void hg_markdown_render(const char *src, size_t len, const hg_md_options *opt, hg_arena *a, hg_md_doc *doc)
{
	hg_md_options defaults = hg_md_default_options();
	if (!opt)
		opt = &defaults;
	if (opt->first_line == 0) {
		defaults = *opt;
		defaults.first_line = 1;
		opt = &defaults;
	}
	pthread_once(&register_once, register_extensions);

	int options = CMARK_OPT_UNSAFE | CMARK_OPT_FOOTNOTES;
	if (opt->hardbreaks)
		options |= CMARK_OPT_HARDBREAKS;
	if (opt->smart)
		options |= CMARK_OPT_SMART;
	hg_arena *outer_arena = cm_arena; /* markdownify may nest a render inside a render */
	cm_arena = a;
	cmark_parser *parser = cmark_parser_new_with_mem(options, &cm_mem);
	if (tables_affordable(src, len)) /* see above */
		attach(parser, "table");
	attach(parser, "strikethrough");
	attach(parser, "autolink");
	attach(parser, "tasklist");
	if (!opt->unsafe)
		attach(parser, "tagfilter");
	hg_buf kram = HG_BUF_INIT;
	if (has_bytes(src, len, "markdown=") && rewrite_markdown_attr(src, len, &kram)) {
		src = kram.ptr; /* line for line the same, so every position still holds */
		len = kram.len;
	}
	if (parse_serial)
		pthread_mutex_lock(&parse_lock);
	cmark_parser_feed(parser, src, len);
	cmark_node *root = cmark_parser_finish(parser);
	if (parse_serial)
		pthread_mutex_unlock(&parse_lock);

	md_ctx m = {.opt = opt,
	            .a = a,
	            .src = src,
	            .len = len,
	            .table_ext = cmark_find_syntax_extension("table"),
	            .tasklist_ext = cmark_find_syntax_extension("tasklist"),
	            .cm_options = options};
	*doc = (hg_md_doc){0};
	if (!opt->unsafe)
		drop_raw_html(root);
	bool span_ials = has_bytes(src, len, "{:");
	if (span_ials || has_bytes(src, len, "{#")) {
		cmark_consolidate_text_nodes(root); /* `{: .no_toc }` is one text, not three */
		kramdown_pass(&m, root);
		if (span_ials)
			span_ial_pass(&m, root);
	}
	if (has_bytes(src, len, "markdown="))
		span_html_pass(&m, root);
	if (has_bytes(src, len, "\n: ") || has_bytes(src, len, "\n:\t"))
		deflist_pass(&m, root);
	walk(&m, root);
	apply_span_attrs(&m);
	give_heading_ids(&m, doc);
	fill_tocs(&m, doc);
	restyle_all(&m);

	char *html = cmark_render_html_with_mem(root, options, cmark_parser_get_syntax_extensions(parser), &cm_mem);
	doc->html = html; /* already in the arena */
	doc->html_len = strlen(html);

	doc->links = hg_arena_alloc(a, (m.n_links ? m.n_links : 1) * sizeof *doc->links);
	if (m.n_links)
		memcpy(doc->links, m.links, m.n_links * sizeof *doc->links);
	doc->n_links = m.n_links;
	doc->has_code = m.has_code;
	doc->dropped_ials = hg_arena_alloc(a, (m.n_dropped ? m.n_dropped : 1) * sizeof *doc->dropped_ials);
	if (m.n_dropped)
		memcpy(doc->dropped_ials, m.dropped, m.n_dropped * sizeof *doc->dropped_ials);
	doc->n_dropped_ials = m.n_dropped;
	free(m.dropped);

	/* the tree, the detached nodes and the parser are all in the arena: nothing to free */
	(void)root;
	cm_arena = outer_arena;
	for (size_t i = 0; i < m.n_headings; i++)
		free(m.heading_keys[i]);
	free(m.heading_keys);
	free(m.detached);
	free(m.headings);
	free(m.restyles);
	free(m.lists);
	free(m.links);
	free(m.line_starts);
	slug_set_release(&m.ids);
	free(m.no_toc);
	for (size_t i = 0; i < m.n_given_ids; i++)
		free(m.given_ids[i].id);
	free(m.given_ids);
	free(m.tocs);
	hg_buf_release(&kram);
}

/* ==== the first level-1 heading, without parsing ====
 * A line scanner that knows just enough block structure not to be fooled: fenced code
 * (``` or ~~~, closed by a fence of the same character at least as long), HTML comments,
 * indented code (four spaces or a tab), and setext underlines that follow a paragraph. An
 * empty `#` heading is passed over. The text has the common inline markup removed:
 * emphasis marks, code backticks, `[text](url)` and `![alt](url)` reduced to text and alt,
 * backslash escapes and the five basic entities. */

static size_t indent_of(const char *s, size_t n)
{
	size_t i = 0, w = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t')) {
		w += s[i] == '\t' ? 4 - w % 4 : 1;
		i++;
	}
	return w;
}

static size_t skip_blanks(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

static size_t trim_end(const char *s, size_t n)
{
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return n;
}

/* A fence line: its character and length, or 0. */
static size_t fence_of(const char *s, size_t n, char *ch)
{
	if (indent_of(s, n) > 3)
		return 0;
	size_t i = skip_blanks(s, n, 0), k = i;
	if (i >= n || (s[i] != '`' && s[i] != '~'))
		return 0;
	while (k < n && s[k] == s[i])
		k++;
	if (k - i < 3)
		return 0;
	if (s[i] == '`' && memchr(s + k, '`', n - k))
		return 0; /* a backtick fence's info string has no backticks */
	*ch = s[i];
	return k - i;
}

static bool is_alnum(char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Appends s[0..n) without inline markup. */
static void strip_inline(hg_buf *out, const char *s, size_t n)
{
	static const struct {
		const char *name;
		char ch;
	} entities[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
	for (size_t i = 0; i < n;) {
		char c = s[i];
		if (c == '\\' && i + 1 < n && strchr("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", s[i + 1])) {
			hg_buf_addc(out, s[i + 1]);
			i += 2;
			continue;
		}
		if (c == '`') {
			size_t run = 0;
			while (i + run < n && s[i + run] == '`')
				run++;
			/* the closing run of the same length; the code inside is literal */
			for (size_t j = i + run; j < n; j++) {
				size_t r = 0;
				while (j + r < n && s[j + r] == '`')
					r++;
				if (r == run) {
					size_t b = i + run, e = j;
					if (e - b >= 2 && s[b] == ' ' && s[e - 1] == ' ') {
						b++;
						e--;
					}
					hg_buf_add(out, s + b, e - b);
					i = j + r;
					goto next;
				}
				j += r;
			}
			i += run; /* unmatched: the backticks go, the text stays */
			continue;
		}
		if (c == '*' || c == '_') {
			size_t run = 0;
			while (i + run < n && s[i + run] == c)
				run++;
			char before = i ? s[i - 1] : ' ', after = i + run < n ? s[i + run] : ' ';
			bool flanking = !is_ws(before) || !is_ws(after);
			bool intraword = c == '_' && is_alnum(before) && is_alnum(after);
			if (!flanking || intraword)
				hg_buf_add(out, s + i, run);
			i += run;
			continue;
		}
		if (c == '[' || (c == '!' && i + 1 < n && s[i + 1] == '[')) {
			size_t open = c == '!' ? i + 1 : i;
			const char *close = memchr(s + open, ']', n - open);
			if (close && (size_t)(close - s) + 1 < n && close[1] == '(') {
				const char *paren = memchr(close, ')', (size_t)(s + n - close));
				if (paren) {
					strip_inline(out, s + open + 1, (size_t)(close - s) - open - 1);
					i = (size_t)(paren - s) + 1;
					continue;
				}
			}
			hg_buf_addc(out, c);
			i++;
			continue;
		}
		if (c == '&') {
			size_t k;
			for (k = 0; k < HG_ARRAY_LEN(entities); k++) {
				size_t el = strlen(entities[k].name);
				if (n - i >= el && memcmp(s + i, entities[k].name, el) == 0) {
					hg_buf_addc(out, entities[k].ch);
					i += el;
					break;
				}
			}
			if (k < HG_ARRAY_LEN(entities))
				continue;
		}
		hg_buf_addc(out, c);
		i++;
	next:;
	}
}

/* The content of an ATX level-1 heading line, or false. */
static bool atx_h1(const char *s, size_t n, size_t *b, size_t *e)
{
	if (indent_of(s, n) > 3)
		return false;
	size_t i = skip_blanks(s, n, 0);
	if (i >= n || s[i] != '#' || (i + 1 < n && s[i + 1] != ' ' && s[i + 1] != '\t'))
		return false;
	size_t start = skip_blanks(s, n, i + 1), end = trim_end(s, n);
	if (end < start)
		end = start;
	/* a closing run of '#' goes if it is the whole content or follows a blank */
	size_t k = end;
	while (k > start && s[k - 1] == '#')
		k--;
	if (k < end && (k == start || s[k - 1] == ' ' || s[k - 1] == '\t'))
		end = trim_end(s, k);
	if (end < start)
		end = start;
	*b = start;
	*e = end;
	return true;
}

/* A line that cannot be a plain paragraph line (for the setext rule): block quotes, list
 * items, headings, tables' rules… kept simple on purpose. */
static bool starts_other_block(const char *s, size_t n)
{
	size_t i = skip_blanks(s, n, 0);
	if (i >= n)
		return true;
	if (s[i] == '>' || s[i] == '#' || s[i] == '<')
		return true;
	if ((s[i] == '-' || s[i] == '*' || s[i] == '+') && (i + 1 >= n || s[i + 1] == ' ' || s[i + 1] == '\t'))
		return true;
	size_t k = i;
	while (k < n && s[k] >= '0' && s[k] <= '9')
		k++;
	return k > i && k < n && (s[k] == '.' || s[k] == ')') && (k + 1 >= n || s[k + 1] == ' ');
}

/* n is the length without trailing blanks. */
static bool setext_rule(const char *s, size_t n, char ch)
{
	if (indent_of(s, n) > 3)
		return false;
	size_t i = skip_blanks(s, n, 0), k = i;
	while (k < n && s[k] == ch)
		k++;
	return k > i && k == n;
}

static bool has_comment_end(const char *s, size_t n)
{
	for (size_t i = 0; i + 3 <= n; i++)
		if (s[i] == '-' && s[i + 1] == '-' && s[i + 2] == '>')
			return true;
	return false;
}

const char *hg_markdown_first_h1(const char *src, size_t len, hg_arena *a)
{
	char fence_ch = 0;
	size_t fence_len = 0;
	bool in_comment = false;
	size_t para_start = SIZE_MAX, para_end = 0; /* the open paragraph's lines */
	hg_buf out = HG_BUF_INIT;
	const char *result = NULL;
	for (size_t off = 0; off < len && !result;) {
		const char *nl = memchr(src + off, '\n', len - off);
		size_t end = nl ? (size_t)(nl - src) : len, next = nl ? end + 1 : len;
		const char *s = src + off;
		size_t n = trim_end(s, end - off);
		char ch;
		size_t fl;
		if (fence_len) {
			if ((fl = fence_of(s, n, &ch)) >= fence_len && ch == fence_ch &&
			    skip_blanks(s, n, skip_blanks(s, n, 0) + fl) == n)
				fence_len = 0;
		} else if (in_comment) {
			if (has_comment_end(s, n))
				in_comment = false;
		} else if ((fl = fence_of(s, n, &ch))) {
			fence_ch = ch;
			fence_len = fl;
			para_start = SIZE_MAX;
		} else if (indent_of(s, n) <= 3 && n >= skip_blanks(s, n, 0) + 4 &&
		           memcmp(s + skip_blanks(s, n, 0), "<!--", 4) == 0) {
			size_t b = skip_blanks(s, n, 0) + 4;
			in_comment = !has_comment_end(s + b, n - b);
			para_start = SIZE_MAX;
		} else {
			size_t b, e;
			if (atx_h1(s, n, &b, &e)) {
				para_start = SIZE_MAX;
				if (e > b) {
					strip_inline(&out, s + b, e - b);
					result = out.ptr;
				}
			} else if (para_start != SIZE_MAX && setext_rule(s, n, '=')) {
				/* the paragraph's lines, each trimmed, joined by spaces */
				for (size_t lo = para_start; lo < para_end;) {
					const char *lnl = memchr(src + lo, '\n', para_end - lo);
					size_t le = lnl ? (size_t)(lnl - src) : para_end;
					size_t lb = skip_blanks(src + lo, le - lo, 0);
					size_t ln = trim_end(src + lo, le - lo);
					if (out.len)
						hg_buf_addc(&out, ' ');
					if (ln > lb)
						strip_inline(&out, src + lo + lb, ln - lb);
					lo = le + 1;
				}
				result = out.len ? out.ptr : NULL;
				para_start = SIZE_MAX;
			} else if (skip_blanks(s, n, 0) == n || (para_start != SIZE_MAX && setext_rule(s, n, '-'))) {
				para_start = SIZE_MAX; /* a blank line or a level-2 underline ends it */
			} else if (para_start == SIZE_MAX) {
				if (indent_of(s, n) < 4 && !starts_other_block(s, n)) {
					para_start = off;
					para_end = end;
				}
			} else {
				para_end = end; /* a continuation line */
			}
		}
		off = next;
	}
	const char *text = NULL;
	if (result) {
		size_t b = 0, e = out.len;
		while (b < e && out.ptr[b] == ' ')
			b++;
		while (e > b && out.ptr[e - 1] == ' ')
			e--;
		if (e > b)
			text = hg_arena_strndup(a, out.ptr + b, e - b);
	}
	hg_buf_release(&out);
	return text;
}
