/* watch.h — which files under the source folder changed (inotify, Linux).
 *
 * hg_watch_new watches the source folder and every folder below it, except folders the
 * build never reads or writes: dot folders, `_site`, `node_modules` and one more folder the
 * caller names (the server's own output, when it lies inside the source). Folders created
 * or moved in later are watched as they appear. Events for editor temporary files (vim's
 * `*.swp` and its `4913` probe, `*~` backups, Emacs `.#*` locks) are dropped.
 *
 * The watcher does not wait or debounce: the caller polls hg_watch_fd and calls
 * hg_watch_read when it is readable, which never blocks, and decides when the changes have
 * settled. Changes come back as paths relative to the source folder, so that a rebuild can
 * one day redo only what they touch.
 *
 * Not thread-safe: one thread owns a watcher.
 */
#ifndef HG_WATCH_H
#define HG_WATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

typedef struct hg_watch hg_watch;

/* A set of changed paths, each relative to the source folder ("guide/page.md"); with all
 * set, anything may have changed (the kernel's event queue overflowed, or too many paths). */
typedef struct hg_watch_changes {
	char **paths; /* heap strings, owned by the set */
	size_t len, cap;
	bool all;
} hg_watch_changes;

/* Starts watching root. skip is a canonical folder to leave out (or NULL). Returns NULL
 * after adding an error to d when inotify cannot be used; a folder that cannot be watched
 * (the per-user watch limit) is a warning. */
hg_watch *hg_watch_new(const char *root, const char *skip, hg_diags *d);
/* Stops watching; NULL is a no-op. */
void hg_watch_free(hg_watch *w);

/* A descriptor that becomes readable when events are waiting. */
int hg_watch_fd(const hg_watch *w);

/* Reads every waiting event without blocking, watches new folders, and adds the paths that
 * matter to ch (once each). Returns the number of relevant events read (0: only ignored
 * ones). Warnings (the watch limit) go to d. */
size_t hg_watch_read(hg_watch *w, hg_watch_changes *ch, hg_diags *d);

/* Empties ch and frees what it holds. */
void hg_watch_changes_clear(hg_watch_changes *ch);

/* True if a change to an entry with this name (not a path) never affects the build. */
bool hg_watch_ignored_name(const char *name, bool is_dir);

#endif
