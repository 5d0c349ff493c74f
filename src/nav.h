/* nav.h — one navigation tree for Jekyll and Hugo conventions, built once per build.
 *
 * Hierarchy: folders and section pages (`_index.md`, or `index.md` in a folder) as Hugo
 * does, and `parent` / `grand_parent` (matched by title, or by path where a title is
 * ambiguous) as just-the-docs does. A folder without a section page adds no level; an
 * explicit parent wins over the folder; a parent no page has is a warning, and the page
 * stays under its folder.
 *
 * Order among siblings (the README repeats it): pages with an explicit order first —
 * `nav_order` or `weight`, decimals allowed, ascending; `weight: 0` is no order, as Hugo —
 * then pages without one, by title ignoring case, then by path. Equal orders go by title.
 *
 * Hidden but built: `nav_exclude`, `bookHidden`, `hide_in_navigation` (with everything
 * under them). Posts, the 404 page and non-HTML outputs are not navigation entries. The
 * home page is an entry only when it sets an order itself.
 *
 * Breadcrumbs and previous/next come from the same tree. The Liquid values for the tree
 * are made once and shared by every page; each page gets only its own small `hub` map.
 */
#ifndef HG_NAV_H
#define HG_NAV_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "site.h"
#include "util.h"
#include "value.h"

typedef struct hg_nav_item {
	hg_page *page;
	struct hg_nav_item *parent; /* NULL: top level */
	struct hg_nav_item **children;
	size_t n_children, cap_children;
	bool entry;  /* a visible entry of the navigation */
	bool hidden; /* hidden, or under a hidden page */
	bool flat, collapse; /* bookFlatSection, bookCollapseSection */
	hg_value *value; /* {title, url, order, description, children, has_children, flat, collapse} */
	size_t flat_index; /* position in hg_nav.flat, for visible entries */
	hg_value *open; /* hub.nav_open: the URLs of the entries on the way here, this one
	                 * included, that have children to show; one list shared by every
	                 * item that opens nothing of its own (see open_list in nav.c) */
} hg_nav_item;

typedef struct hg_nav {
	hg_nav_item *items;  /* one per page, in site->pages order */
	hg_nav_item **top;   /* visible top-level entries, sorted */
	size_t n_top;
	hg_nav_item **flat;  /* visible entries in reading order (for previous/next) */
	size_t n_flat;
	hg_value *tree;      /* the list of top-level item values (hub.nav) */
	const hg_page *home; /* the site's home page, or NULL */
} hg_nav;

/* Builds the tree for s (whose pages are modelled). Warnings for unknown parents go to d.
 * Everything lives in s->arena except the returned struct's arrays (freed by hg_nav_free). */
hg_nav *hg_nav_build(hg_site *s, hg_diags *d);
void hg_nav_free(hg_nav *n);

/* The `hub` map for page i, without the render-time keys (toc, has_code): nav, trail,
 * section, breadcrumbs, previous, next, children. Made in arena a. */
hg_value *hg_nav_page_hub(const hg_nav *n, const hg_site *s, size_t i, hg_arena *a);

/* `hubgen nav`: the visible tree as JSON (an array of {"title","url","order","children"})
 * or as an indented outline with each page's order and source file. */
void hg_nav_to_json(const hg_nav *n, hg_buf *out);
void hg_nav_to_text(const hg_nav *n, hg_buf *out);

#endif
