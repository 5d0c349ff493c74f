/* output.h — writing a site so that a reader only ever sees the old one or the new one.
 *
 * A build writes into a staging folder beside the destination (same parent, so the same
 * file system), then swaps the two folders in one atomic rename (Linux renameat2 with
 * RENAME_EXCHANGE). A failed or killed build leaves the destination exactly as it was.
 *
 * After the swap the staging folder holds the previous site, and the next build starts
 * from it: a file that is already right there costs a compare and nothing else, so a
 * rebuild of an unchanged 10,000-page site makes no folders, links or deletions. Nothing
 * in the staging folder is ever changed in place (its files may be hard links to the live
 * ones): a file is replaced by renaming a new one over it. Files the build did not write
 * are removed from it just before the swap.
 *
 * A file whose bytes did not change is not rewritten: the staging folder gets (or keeps) a
 * hard link to the published file, so its inode and modification time survive the swap
 * (rsync-style deploys and browser caches see no change).
 *
 * hg_output_write and hg_output_copy may be called from many threads at once.
 */
#ifndef HG_OUTPUT_H
#define HG_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

typedef struct hg_output hg_output;

typedef struct hg_output_stats {
	size_t written, unchanged;
} hg_output_stats;

/* Prepares the staging folder for dest. Returns NULL after adding an error to d when dest
 * cannot be used (it is a file, or a git work tree that the swap would throw away). */
hg_output *hg_output_begin(const char *dest, hg_diags *d);
/* Creates, in the staging folder, every folder the given output paths need (sorted paths
 * make this one mkdir per folder), so the writes that follow, from many threads, neither
 * fail nor retry. Optional: a write still creates a missing folder itself. */
void hg_output_prepare(hg_output *o, const char *const *paths, size_t n);
/* Writes rel (relative to the site root, no "..") with the given bytes. */
bool hg_output_write(hg_output *o, const char *rel, const char *data, size_t len, hg_diags *d);
/* Copies the file at src to rel. */
bool hg_output_copy(hg_output *o, const char *rel, const char *src, const char *display, hg_diags *d);
/* Swaps the staging folder in and frees o. Returns false (destination untouched) on failure. */
bool hg_output_commit(hg_output *o, hg_output_stats *stats, hg_diags *d);
/* Throws the staging folder away and frees o; the destination is untouched. NULL: no-op. */
void hg_output_abort(hg_output *o);

#endif
