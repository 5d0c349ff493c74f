/* gitdates.h — when each file was last changed, from git: one `git log` over a folder.
 *
 * For "Page last updated" and "edit this page": hg_gitdates_load finds the git work tree
 * that holds a folder (by looking for `.git` in it and its parents, so no process runs for
 * a folder outside one), then runs a single
 *     git -C DIR log -z --relative --name-only --format=%x01%ct -- .
 * and keeps, for every file, the time of the newest commit that touched it. A folder
 * outside a work tree, or a machine without git, gives NULL and the caller falls back to the
 * files' modification times.
 *
 * hg_gitdates_parse is the pure half (the output of that command to a table), for tests.
 */
#ifndef HG_GITDATES_H
#define HG_GITDATES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct hg_gitdates hg_gitdates;

/* The table for dir, or NULL when dir is not in a git work tree or git cannot be run. */
hg_gitdates *hg_gitdates_load(const char *dir);
/* The table of out (len bytes of that command's output). Never NULL. */
hg_gitdates *hg_gitdates_parse(const char *out, size_t len);
void hg_gitdates_free(hg_gitdates *g);

/* The last commit time of rel (relative to the folder), or false when git has none (the
 * file is new, or ignored). g may be NULL. */
bool hg_gitdates_get(const hg_gitdates *g, const char *rel, int64_t *secs);

/* The folder's path inside its work tree, with a trailing '/' ("docs/"), or "" at the top;
 * valid until g is freed. "" when g is NULL. */
const char *hg_gitdates_prefix(const hg_gitdates *g);

#endif
