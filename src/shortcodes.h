/* shortcodes.h — Hugo shortcodes in a page body, expanded before Liquid runs.
 *
 * Hugo pages write `{{< name args >}}…{{< /name >}}` and `{{% name args %}}…{{% /name %}}`;
 * Liquid would read `{{<` as a broken output tag. hubgen expands the shortcodes of Hugo's
 * own set and of the hugo-book theme into Markdown and NHS.UK markup first:
 *
 *   ref, relref "path"        the URL of the page at path (through opt->ref)
 *   hint info|warning|danger  NHS.UK inset text (info and anything else) or warning callout
 *   details "title" [open]    NHS.UK details component; expand "label" is the same
 *   tabs ["id"] / tab "name"  NHS.UK tabs component (v10 markup)
 *   button href=|relref=      NHS.UK button link
 *   columns (split by <--->) nhsuk-grid-row with one column per part
 *   mermaid                   <pre class="mermaid"> with the diagram escaped
 *   katex [display]           <span class="hub-math"> with the formula, for the browser
 *   highlight lang            a fenced code block
 *
 * The content between an opening and a closing tag stays Markdown. The wrappers are raw HTML
 * lines that begin with an empty comment (`<!----><div …>`): CommonMark ends such an HTML
 * block on the line where it starts, so the Markdown on the next line is read as Markdown
 * with no blank line in between, and every line of the body keeps its number — Liquid's and
 * the link checker's positions stay right. (markdown.c drops the empty comment again.)
 *
 * An unknown shortcode, a closing tag that closes nothing and a tag that never ends are
 * located warnings (kind "shortcode"); each is shown as written, inside {% raw %} when Liquid
 * runs next, so that Liquid leaves it alone. Hugo's escaped form (a comment inside the
 * braces, slash-star to star-slash) shows the tag itself. Nesting is limited to
 * HG_SC_MAX_DEPTH levels.
 *
 * Pure: works on a buffer, calls back for page URLs, never touches the disk.
 */
#ifndef HG_SHORTCODES_H
#define HG_SHORTCODES_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "util.h"

#define HG_SC_MAX_DEPTH 32

typedef struct hg_sc_options {
	const char *path;    /* the page as shown in messages */
	unsigned first_line; /* line of src[0] in that file */
	bool liquid;         /* Liquid runs over the result: protect what is shown as written */
	/* ref / relref: appends the URL of the page that path names (absolute: with the site's
	 * url, as Hugo's ref) and returns true, or returns false when there is none. May be NULL:
	 * every ref is then unresolved. */
	bool (*ref)(void *ud, const char *path, size_t len, bool absolute, hg_buf *out);
	void *ud;
} hg_sc_options;

/* True when src holds "{{<" or "{{%": only then is there anything to expand. */
bool hg_shortcodes_present(const char *src, size_t len);

/* Appends src with its shortcodes expanded to out; warnings go to d. */
void hg_shortcodes_expand(const char *src, size_t len, const hg_sc_options *opt, hg_buf *out, hg_diags *d);

#endif
