/* csv.h — comma- and tab-separated data files, as Jekyll reads _data/x.csv and x.tsv files.
 *
 * The first row names the columns; every other row becomes a map from those names to its
 * fields, as strings (Jekyll does not convert them either), and the file a list of those
 * maps. Fields follow RFC 4180: a field in double quotes may hold the separator, line
 * breaks and "" for a quote; CRLF and LF both end a row; a last row without a line break
 * counts; blank lines are skipped. A row with fewer fields than the header gets empty
 * strings, and extra fields get the header's name "" (the last one kept, as Ruby's CSV).
 *
 * Pure: parses a buffer. A quote that never closes is a located error.
 */
#ifndef HG_CSV_H
#define HG_CSV_H

#include <stddef.h>

#include "diag.h"
#include "util.h"
#include "value.h"

/* Parses src (len bytes) with sep (',' or '\t') into a list of maps in arena a; NULL after a
 * located error (path names the file). */
hg_value *hg_csv_parse(hg_arena *a, const char *src, size_t len, char sep, const char *path, hg_diags *d);

#endif
