/* doctor.h — `hubgen doctor`: what a site uses that hubgen cannot build as written.
 *
 * A migration report for a Jekyll or Hugo site: the build runs in check mode and every
 * diagnostic about a construct hubgen does not handle (an unknown shortcode, a plugin's
 * Liquid tag, a theme key, a kramdown attribute list it drops, Liquid inside code)
 * is kept; then the doctor reads what the build cannot reach — every Liquid tag and filter
 * of every page, layout and include (the build stops at a template's first unknown tag),
 * and every kramdown attribute list. The report is a table of kinds with counts, then
 * every place as path:line:col.
 */
#ifndef HG_DOCTOR_H
#define HG_DOCTOR_H

#include <stddef.h>

#include "diag.h"
#include "site.h"
#include "util.h"

typedef enum hg_doctor_result {
	HG_DOCTOR_CLEAN = 0,        /* nothing to report */
	HG_DOCTOR_FOUND = 1,        /* the report lists places */
	HG_DOCTOR_CONFIG_ERROR = 2, /* the source or the config cannot be used (d says why) */
} hg_doctor_result;

/* Runs the doctor over the site opt names (opt->check_only is forced on). Appends the report
 * to out; the diagnostics that are not about constructs (a broken link…) stay in d and are
 * counted in *others. */
hg_doctor_result hg_doctor_run(const hg_build_options *opt, hg_diags *d, hg_buf *out, size_t *others);

#endif
