#include "nav.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "banned.h"

/* A sorted (key, page index) table for folder and title look-ups: bisection keeps the
 * build linear-logarithmic however many pages there are. */
typedef struct keyed {
	const char *key;
	size_t key_len;
	size_t idx;
} keyed;

static int keyed_cmp(const void *a, const void *b)
{
	const keyed *x = a, *y = b;
	size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
	int c = memcmp(x->key, y->key, n);
	if (c)
		return c;
	if (x->key_len != y->key_len)
		return x->key_len < y->key_len ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* The first entry with this key, or n. */
static size_t keyed_find(const keyed *t, size_t n, const char *key, size_t len)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		keyed probe = {key, len, 0};
		if (keyed_cmp(&t[mid], &probe) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && t[lo].key_len == len && !memcmp(t[lo].key, key, len) ? lo : n;
}

/* The folder a page stands for: "guide" for guide/_index.md and guide/x.md alike; a section
 * page's own parent is looked up from its folder's parent. */
static size_t folder_len(const char *rel)
{
	const char *slash = strrchr(rel, '/');
	return slash ? (size_t)(slash - rel) : 0;
}

/* The length of the folder that holds the first len bytes of rel ("a/b" → 1, "a" → 0). */
static size_t parent_folder_len(const char *rel, size_t len)
{
	while (len > 0 && rel[len - 1] != '/')
		len--;
	return len ? len - 1 : 0;
}

static bool is_navigable(const hg_page *p)
{
	if (p->is_post)
		return false;
	if (!strcmp(p->out_path, "404.html"))
		return false;
	return hg_ends_with(p->out_path, ".html");
}

static bool hidden_flag(const hg_page *p)
{
	return hg_map_bool(p->fm, "nav_exclude", false) || hg_map_bool(p->fm, "bookHidden", false) ||
	       hg_map_bool(p->fm, "hide_in_navigation", false) || hg_map_bool(p->fm, "headless", false);
}

static int sibling_cmp(const void *pa, const void *pb)
{
	const hg_page *a = (*(hg_nav_item *const *)pa)->page, *b = (*(hg_nav_item *const *)pb)->page;
	if (a->has_order != b->has_order)
		return a->has_order ? -1 : 1;
	if (a->has_order && a->order != b->order)
		return a->order < b->order ? -1 : 1;
	int c = strcasecmp(a->title, b->title);
	if (c)
		return c;
	return strcmp(a->rel, b->rel);
}

/* The order as written (4 stays an integer, 4.13 a float), or null. */
static hg_value *order_value(hg_arena *a, const hg_page *p)
{
	if (!p->has_order)
		return &hg_null_value;
	const char *keys[] = {"nav_order", "weight"};
	for (size_t k = 0; k < 2; k++) {
		hg_value *v = hg_map_get(p->fm, keys[k]);
		if (v && (v->kind == HG_INT || v->kind == HG_FLOAT))
			return v;
	}
	double whole = (double)(int64_t)p->order;
	return whole == p->order ? hg_value_int(a, (int64_t)p->order) : hg_value_float(a, p->order);
}

static void add_child(hg_nav_item *parent, hg_nav_item *child)
{
	HG_GROW(parent->children, parent->cap_children, parent->n_children + 1);
	parent->children[parent->n_children++] = child;
}

/* Resolves `parent:` (and `grand_parent:`) for page i. Returns the index, or (size_t)-1. */
static size_t explicit_parent(const hg_site *s, const keyed *titles, size_t nt, const keyed *paths, size_t np,
			      size_t i, hg_diags *d, const size_t *folder_parent)
{
	const hg_page *p = s->pages[i];
	const hg_value *pv = hg_map_get(p->fm, "parent");
	if (!pv || pv->kind != HG_STRING || !pv->as.s.len)
		return (size_t)-1;
	const char *want = pv->as.s.ptr;
	size_t wlen = pv->as.s.len;
	const char *gp = hg_map_str(p->fm, "grand_parent", NULL);

	/* by path first (unambiguous), then by title */
	size_t k = keyed_find(paths, np, want, wlen);
	if (k < np && paths[k].idx != i)
		return paths[k].idx;
	size_t first = keyed_find(titles, nt, want, wlen);
	if (first == nt) {
		hg_warn(d, p->display, pv->line, pv->col, "parent '%s' is not the title of any page; the page stays under "
			"its folder", want);
		return (size_t)-1;
	}
	size_t best = (size_t)-1;
	size_t best_score = 0;
	for (size_t j = first; j < nt && titles[j].key_len == wlen && !memcmp(titles[j].key, want, wlen); j++) {
		size_t c = titles[j].idx;
		if (c == i)
			continue;
		/* among pages of the same title: the one whose own parent is grand_parent, then the
		 * one sharing the longest folder prefix with this page, then the first by path */
		size_t score = 1;
		if (gp) {
			size_t fp = folder_parent[c];
			const char *ptitle = fp != (size_t)-1 ? s->pages[fp]->title : NULL;
			const hg_value *cgp = hg_map_get(s->pages[c]->fm, "parent");
			if ((ptitle && !strcmp(ptitle, gp)) || (cgp && cgp->kind == HG_STRING && !strcmp(cgp->as.s.ptr, gp)))
				score += 1000;
		}
		size_t common = 0;
		const char *x = s->pages[c]->rel, *y = p->rel;
		while (x[common] && x[common] == y[common])
			common++;
		score += common;
		if (best == (size_t)-1 || score > best_score) {
			best = c;
			best_score = score;
		}
	}
	return best;
}

/* The entries on the way to it (it included) whose children the side navigation opens:
 * those with children to show. The list is the parent's own list object when it opens
 * nothing itself, so the pages of one folder share one: side-nav.html passes it to an
 * include_cached, which tells lists apart by identity, and renders the section's
 * navigation once per list instead of once per page (issue 7). */
static hg_value *open_list(hg_nav_item *it, hg_value *none, hg_arena *a, int depth)
{
	if (it->open)
		return it->open;
	hg_value *base = it->parent && depth < 256 ? open_list(it->parent, none, a, depth + 1) : none;
	if (it->value && hg_map_bool(it->value, "has_children", false)) {
		hg_value *l = hg_value_list(a);
		for (size_t k = 0; k < base->as.list.len; k++)
			hg_list_push(a, l, base->as.list.items[k]);
		hg_list_push(a, l, hg_value_string_borrow(a, it->page->url, strlen(it->page->url)));
		base = l;
	}
	it->open = base;
	return base;
}

hg_nav *hg_nav_build(hg_site *s, hg_diags *d)
{
	hg_arena *a = s->arena;
	size_t n = s->n_pages;
	hg_nav *nav = hg_xcalloc(1, sizeof *nav);
	nav->items = hg_xcalloc(n + 1, sizeof *nav->items);

	/* section pages by folder; every page by title and by path */
	keyed *sections = hg_xmalloc((n + 1) * sizeof *sections);
	keyed *titles = hg_xmalloc((n + 1) * sizeof *titles);
	keyed *paths = hg_xmalloc((n + 1) * sizeof *paths);
	size_t ns = 0, nt = 0, np = 0;
	size_t home = (size_t)-1;
	for (size_t i = 0; i < n; i++) {
		hg_page *p = s->pages[i];
		nav->items[i].page = p;
		if (!is_navigable(p))
			continue;
		if (p->is_home) {
			if (home == (size_t)-1 || !strncmp(p->rel, "_index.", 7))
				home = i;
			continue;
		}
		if (p->is_section)
			sections[ns++] = (keyed){p->rel, folder_len(p->rel), i};
		titles[nt++] = (keyed){p->title, strlen(p->title), i};
		paths[np++] = (keyed){p->rel, strlen(p->rel), i};
	}
	nav->home = home != (size_t)-1 ? s->pages[home] : NULL;
	qsort(sections, ns, sizeof *sections, keyed_cmp);
	qsort(titles, nt, sizeof *titles, keyed_cmp);
	qsort(paths, np, sizeof *paths, keyed_cmp);

	/* the folder parent: the nearest section page in an enclosing folder */
	size_t *folder_parent = hg_xmalloc((n + 1) * sizeof *folder_parent);
	for (size_t i = 0; i < n; i++) {
		const hg_page *p = s->pages[i];
		folder_parent[i] = (size_t)-1;
		if (!is_navigable(p) || p->is_home)
			continue;
		size_t len = folder_len(p->rel);
		if (p->is_section) /* a section page stands for its folder: start one level up */
			len = parent_folder_len(p->rel, len);
		while (len > 0) {
			size_t k = keyed_find(sections, ns, p->rel, len);
			if (k < ns && sections[k].idx != i) {
				folder_parent[i] = sections[k].idx;
				break;
			}
			len = parent_folder_len(p->rel, len);
		}
	}

	/* explicit parents win; a cycle through them falls back to the folders */
	size_t *parent = hg_xmalloc((n + 1) * sizeof *parent);
	for (size_t i = 0; i < n; i++) {
		parent[i] = folder_parent[i];
		if (!is_navigable(s->pages[i]) || i == home)
			continue;
		size_t e = explicit_parent(s, titles, nt, paths, np, i, d, folder_parent);
		if (e != (size_t)-1 && e != home)
			parent[i] = e;
	}
	for (size_t i = 0; i < n; i++) {
		size_t steps = 0;
		for (size_t j = parent[i]; j != (size_t)-1 && steps <= n; j = parent[j])
			steps++;
		if (steps > n) {
			const hg_value *pv = hg_map_get(s->pages[i]->fm, "parent");
			hg_warn(d, s->pages[i]->display, pv ? pv->line : 0, pv ? pv->col : 0,
				"'parent' makes a loop of pages; the page stays under its folder");
			parent[i] = folder_parent[i];
		}
	}

	/* link, hide, sort */
	for (size_t i = 0; i < n; i++) {
		hg_nav_item *it = &nav->items[i];
		hg_page *p = it->page;
		if (!is_navigable(p) || (i == home && !p->has_order))
			continue;
		it->entry = true;
		it->hidden = hidden_flag(p);
		it->flat = hg_map_bool(p->fm, "bookFlatSection", false);
		it->collapse = hg_map_bool(p->fm, "bookCollapseSection", false);
		if (parent[i] != (size_t)-1)
			it->parent = &nav->items[parent[i]];
	}
	for (size_t i = 0; i < n; i++) {
		hg_nav_item *it = &nav->items[i];
		if (!it->entry)
			continue;
		/* hidden with everything under it */
		for (hg_nav_item *up = it->parent; up && !it->hidden; up = up->parent)
			if (hidden_flag(up->page))
				it->hidden = true;
		if (it->parent && it->parent->entry)
			add_child(it->parent, it);
	}
	size_t cap_top = 0;
	for (size_t i = 0; i < n; i++) {
		hg_nav_item *it = &nav->items[i];
		if (it->entry && !it->hidden && (!it->parent || !it->parent->entry)) {
			HG_GROW(nav->top, cap_top, nav->n_top + 1);
			nav->top[nav->n_top++] = it;
		}
		if (it->n_children > 1)
			qsort(it->children, it->n_children, sizeof *it->children, sibling_cmp);
	}
	if (nav->n_top > 1)
		qsort(nav->top, nav->n_top, sizeof *nav->top, sibling_cmp);

	/* reading order (pre-order over visible entries) and the shared Liquid values,
	 * built bottom-up with an explicit stack so deep trees cannot overflow the C stack */
	size_t cap_flat = 0;
	hg_nav_item **stack = NULL;
	size_t sp = 0, cap_stack = 0;
	for (size_t t = nav->n_top; t-- > 0;) {
		HG_GROW(stack, cap_stack, sp + 1);
		stack[sp++] = nav->top[t];
	}
	while (sp) {
		hg_nav_item *it = stack[--sp];
		it->flat_index = nav->n_flat;
		HG_GROW(nav->flat, cap_flat, nav->n_flat + 1);
		nav->flat[nav->n_flat++] = it;
		for (size_t c = it->n_children; c-- > 0;) {
			if (it->children[c]->hidden)
				continue;
			HG_GROW(stack, cap_stack, sp + 1);
			stack[sp++] = it->children[c];
		}
	}
	free(stack);
	for (size_t f = 0; f < nav->n_flat; f++) {
		hg_nav_item *it = nav->flat[f];
		hg_value *v = hg_value_map(a);
		hg_map_set(a, v, "title", hg_value_string_borrow(a, it->page->title, strlen(it->page->title)));
		hg_map_set(a, v, "url", hg_value_string_borrow(a, it->page->url, strlen(it->page->url)));
		hg_map_set(a, v, "order", order_value(a, it->page));
		const char *desc = hg_map_str(it->page->fm, "description", hg_map_str(it->page->fm, "summary", NULL));
		hg_map_set(a, v, "description", desc ? hg_value_string_borrow(a, desc, strlen(desc)) : &hg_null_value);
		hg_map_set(a, v, "flat", hg_value_bool(it->flat));
		hg_map_set(a, v, "collapse", hg_value_bool(it->collapse));
		it->value = v;
	}
	/* children lists, now that every visible item has a value */
	for (size_t f = 0; f < nav->n_flat; f++) {
		hg_nav_item *it = nav->flat[f];
		hg_value *kids = hg_value_list(a);
		for (size_t c = 0; c < it->n_children; c++)
			if (!it->children[c]->hidden)
				hg_list_push(a, kids, it->children[c]->value);
		hg_map_set(a, it->value, "children", kids);
		hg_map_set(a, it->value, "has_children", hg_value_bool(kids->as.list.len > 0));
	}
	nav->tree = hg_value_list(a);
	for (size_t t = 0; t < nav->n_top; t++)
		hg_list_push(a, nav->tree, nav->top[t]->value);
	hg_value *none = hg_value_list(a);
	for (size_t i = 0; i < n; i++)
		open_list(&nav->items[i], none, a, 0);

	free(sections);
	free(titles);
	free(paths);
	free(folder_parent);
	free(parent);
	return nav;
}

void hg_nav_free(hg_nav *n)
{
	if (!n)
		return;
	for (size_t i = 0; n->items && n->items[i].page; i++)
		free(n->items[i].children);
	free(n->items);
	free(n->top);
	free(n->flat);
	free(n);
}

static hg_value *link_value(hg_arena *a, const hg_page *p)
{
	hg_value *v = hg_value_map(a);
	hg_map_set(a, v, "title", hg_value_string_borrow(a, p->title, strlen(p->title)));
	hg_map_set(a, v, "url", hg_value_string_borrow(a, p->url, strlen(p->url)));
	return v;
}

hg_value *hg_nav_page_hub(const hg_nav *n, const hg_site *s, size_t i, hg_arena *a)
{
	const hg_nav_item *it = &n->items[i];
	const hg_page *p = it->page;
	hg_value *hub = hg_value_map(a);
	hg_map_set(a, hub, "nav", n->tree);

	/* the chain of ancestors, top first */
	const hg_nav_item *chain[64];
	size_t depth = 0;
	for (const hg_nav_item *up = it->parent; up && depth < 64; up = up->parent)
		chain[depth++] = up;

	hg_value *trail = hg_value_list(a);
	for (size_t k = depth; k-- > 0;)
		hg_list_push(a, trail, hg_value_string_borrow(a, chain[k]->page->url, strlen(chain[k]->page->url)));
	hg_list_push(a, trail, hg_value_string_borrow(a, p->url, strlen(p->url)));
	hg_map_set(a, hub, "trail", trail);
	hg_map_set(a, hub, "nav_open", it->open);

	/* The top-level entry the header marks, worked out here once so the header's
	 * navigation is one cached fragment per marked entry ({% include_cached %}, issue 7):
	 * the entry that is this page (nav_current_is_page), else the one on its trail, "/"
	 * excepted (the home page is everyone's ancestor). */
	const char *mark = "";
	bool mark_is_page = false;
	for (size_t k = 0; k < n->tree->as.list.len && !mark_is_page; k++) {
		const char *u = hg_map_str(n->tree->as.list.items[k], "url", "");
		if (!strcmp(u, p->url)) {
			mark = u;
			mark_is_page = true;
			continue;
		}
		if (*mark || !strcmp(u, "/"))
			continue;
		for (size_t c = 0; c < depth; c++)
			if (!strcmp(chain[c]->page->url, u))
				mark = u;
	}
	hg_map_set(a, hub, "nav_current", hg_value_string_borrow(a, mark, strlen(mark)));
	hg_map_set(a, hub, "nav_current_is_page", hg_value_bool(mark_is_page));

	const hg_nav_item *top = depth ? chain[depth - 1] : it;
	hg_map_set(a, hub, "section", top->entry && !top->hidden && !p->is_home && top->value ? top->value
											      : &hg_null_value);

	hg_value *crumbs = hg_value_list(a);
	if (!p->is_home || strcmp(p->url, "/")) {
		const hg_page *home = n->home;
		hg_value *h = hg_value_map(a);
		hg_map_set(a, h, "title", hg_value_cstr(a, home ? home->title : "Home"));
		hg_map_set(a, h, "url", hg_value_cstr(a, "/"));
		if (strcmp(p->url, "/"))
			hg_list_push(a, crumbs, h);
		for (size_t k = depth; k-- > 0;)
			hg_list_push(a, crumbs, link_value(a, chain[k]->page));
	}
	hg_map_set(a, hub, "breadcrumbs", crumbs);

	/* previous and next in reading order: visible entries only */
	hg_value *prev = &hg_null_value, *next = &hg_null_value;
	if (it->entry && !it->hidden && it->value) {
		size_t f = it->flat_index;
		if (f > 0)
			prev = link_value(a, n->flat[f - 1]->page);
		if (f + 1 < n->n_flat)
			next = link_value(a, n->flat[f + 1]->page);
	}
	hg_map_set(a, hub, "previous", prev);
	hg_map_set(a, hub, "next", next);

	hg_value *kids = hg_value_list(a);
	for (size_t c = 0; c < it->n_children; c++)
		if (!it->children[c]->hidden && it->children[c]->value)
			hg_list_push(a, kids, it->children[c]->value);
	if (p->is_home && !it->n_children)
		kids = n->tree; /* the home page's children are the top-level sections */
	hg_map_set(a, hub, "children", kids);
	return hub;
}

static void json_item(const hg_nav_item *it, hg_buf *out)
{
	hg_buf_adds(out, "{\"title\":");
	hg_value_to_json(out, hg_map_get(it->value, "title"));
	hg_buf_adds(out, ",\"url\":");
	hg_value_to_json(out, hg_map_get(it->value, "url"));
	hg_buf_adds(out, ",\"order\":");
	hg_value_to_json(out, hg_map_get(it->value, "order"));
	hg_buf_adds(out, ",\"children\":[");
	bool first = true;
	for (size_t c = 0; c < it->n_children; c++) {
		if (it->children[c]->hidden)
			continue;
		if (!first)
			hg_buf_addc(out, ',');
		first = false;
		json_item(it->children[c], out);
	}
	hg_buf_adds(out, "]}");
}

void hg_nav_to_json(const hg_nav *n, hg_buf *out)
{
	hg_buf_addc(out, '[');
	for (size_t t = 0; t < n->n_top; t++) {
		if (t)
			hg_buf_addc(out, ',');
		json_item(n->top[t], out);
	}
	hg_buf_adds(out, "]\n");
}

static void text_item(const hg_nav_item *it, int depth, hg_buf *out)
{
	for (int k = 0; k < depth; k++)
		hg_buf_adds(out, "  ");
	hg_buf_adds(out, it->page->title);
	hg_buf_adds(out, "  [");
	if (it->page->has_order)
		hg_value_to_text(out, hg_map_get(it->value, "order"));
	else
		hg_buf_adds(out, "-");
	hg_buf_addf(out, "]  %s  %s\n", it->page->url, it->page->display);
	for (size_t c = 0; c < it->n_children; c++)
		if (!it->children[c]->hidden)
			text_item(it->children[c], depth + 1, out);
}

void hg_nav_to_text(const hg_nav *n, hg_buf *out)
{
	for (size_t t = 0; t < n->n_top; t++)
		text_item(n->top[t], 0, out);
}
