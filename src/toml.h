/* toml.h — TOML 1.0 into hg_value: Hugo's config (hugo.toml, config.toml) and `+++` front
 * matter.
 *
 * Pure: it reads a buffer and never touches the disk. Tables become maps, arrays lists,
 * arrays of tables lists of maps; strings (all four kinds, escapes decoded), integers
 * (decimal, hex, octal, binary, with '_'), floats (inf and nan too) and booleans their
 * kinds; dates and date-times the time kind when hg_time_parse reads them (a local time of
 * day stays a string). Every value keeps the line and column it was written at.
 *
 * It is lenient where TOML is strict but a file's meaning is plain (a key or a table given
 * twice: the later wins), because the files it reads were written for Hugo, which checked
 * them. Everything else wrong is one located error: `config.toml:4:9: error: expected a
 * value after '='`. Nesting of arrays and inline tables is limited (64 deep), so no input
 * can exhaust the stack.
 */
#ifndef HG_TOML_H
#define HG_TOML_H

#include <stddef.h>

#include "diag.h"
#include "util.h"
#include "value.h"

/* Parses src (len bytes; NUL bytes are an error). path names the file in messages and
 * first_line is the line of src[0] in it (front matter starts after the `+++`). Returns the
 * root table (a map, in arena a), or NULL after adding one located error to d. */
hg_value *hg_toml_parse(hg_arena *a, const char *src, size_t len, const char *path, unsigned first_line,
			hg_diags *d);

#endif
