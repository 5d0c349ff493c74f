/* yamlval.h — YAML to the value tree, with scalars resolved as Jekyll (Ruby's Psych) does.
 *
 * The only module that includes libyaml (named yamlval, not yaml, so <yaml.h> stays libyaml's). Plain scalars resolve by YAML 1.1 rules as Jekyll
 * users expect: `nav_order: 4.13` is a float, `weight: 10` an integer, `true`/`yes`/`on` a
 * bool, `~`/`null`/empty a null, `date: 2022-06-12 12:00:00` a time; anything else — even
 * `Sept 15 2022 at 03:30 PM` — stays a string. Quoted scalars are always strings. Anchors,
 * aliases and `<<` merge keys work. Every value keeps its line and column in the file.
 *
 * Pure: parses a buffer, never touches the disk.
 */
#ifndef HG_YAMLVAL_H
#define HG_YAMLVAL_H

#include <stddef.h>

#include "diag.h"
#include "util.h"
#include "value.h"

/* Parses src (len bytes). path names the file in messages; first_line is the line of
 * src[0] in it. Returns the root (a map for front matter and config; an empty document
 * gives an empty map), allocated in a, or NULL after adding a located error to d. */
hg_value *hg_yaml_parse(hg_arena *a, const char *src, size_t len, const char *path, unsigned first_line,
			hg_diags *d);

#endif
