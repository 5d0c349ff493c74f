/* compat.h — checks for constructs that other generators read differently, and the report
 * of `hubgen doctor`.
 *
 * Jekyll runs Liquid over the whole page, code blocks included, so a Mermaid diagram's
 * `{{node}}` or a Go template's `{{ .Title }}` in a fence is read as Liquid: an error, or text
 * that silently disappears. hg_compat_check_fences finds such fences before Liquid runs and
 * says how to keep Liquid out of them.
 *
 * The doctor report groups diagnostics by kind (hg_diag.kind, set by the code that found
 * them, or worked out here from the message) into a migration report: a table of kinds with
 * counts, then every place.
 *
 * Pure: works on buffers and diagnostic lists, never touches the disk.
 */
#ifndef HG_COMPAT_H
#define HG_COMPAT_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "util.h"

/* Warns (kind "liquid-in-code") once for every fenced code block of the Markdown body src
 * that holds `{{` or `{%` outside {% raw %} and {% comment %}, at the first of them. path and
 * first_line place src in its file. Returns the number of such blocks. */
size_t hg_compat_check_fences(const char *src, size_t len, const char *path, unsigned first_line, hg_diags *d);

/* Warns (kinds "liquid-tag", "liquid-filter") at every Liquid tag and filter of the
 * template src that the engine does not have, outside {% raw %} and {% comment %}. Returns
 * the number of warnings. */
size_t hg_compat_scan_liquid(const char *src, size_t len, const char *path, unsigned first_line, hg_diags *d);

/* The kind of construct a diagnostic is about: its own kind, or one worked out from the
 * message ("liquid-tag" for "unknown tag 'seo'"…), or NULL when it is not about a
 * construct hubgen cannot handle (a broken link, a bad date…). */
const char *hg_compat_kind(const hg_diag *g);

/* A line describing a kind, for the report's table ("unknown Hugo shortcodes"). */
const char *hg_compat_kind_title(const char *kind);

/* Appends the migration report for the diagnostics of d that have a kind (d is sorted
 * first). Returns how many places it lists. */
size_t hg_compat_report(hg_diags *d, hg_buf *out);

#endif
