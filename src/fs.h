/* fs.h — the only module (with output.c) that touches the disk.
 *
 * Directory listings come back sorted by byte order, so everything built from them is in
 * the same order on every machine. Paths are plain '/'-joined strings.
 */
#ifndef HG_FS_H
#define HG_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "diag.h"
#include "util.h"

/* Reads the whole file at path into a heap string (NUL-terminated; caller frees).
 * Files over max_size bytes are refused with a located error naming the limit (0: no
 * limit). display names the file in messages. Returns NULL after adding an error to d. */
char *hg_fs_read(const char *path, const char *display, size_t max_size, size_t *len, hg_diags *d);
/* The same, with the file's modification time (seconds) in *mtime. */
char *hg_fs_read_mtime(const char *path, const char *display, size_t max_size, size_t *len, int64_t *mtime,
		       hg_diags *d);

typedef enum hg_entry_kind { HG_ENTRY_FILE, HG_ENTRY_DIR, HG_ENTRY_OTHER } hg_entry_kind;

typedef struct hg_dirent {
	char *name; /* heap; freed by hg_fs_list_free */
	hg_entry_kind kind;
	bool symlink; /* the entry is a symbolic link (kind is what it points to) */
} hg_dirent;

/* The entries of dir (without . and ..), sorted by name. Returns -1 if dir cannot be
 * opened (errno set). */
int hg_fs_list(const char *dir, hg_dirent **out, size_t *n);
void hg_fs_list_free(hg_dirent *entries, size_t n);

bool hg_fs_is_dir(const char *path);
bool hg_fs_is_file(const char *path);
/* mkdir -p; returns false with errno set on failure. */
bool hg_fs_mkdirs(const char *path);
/* rm -rf that never follows symbolic links; returns false on failure. */
bool hg_fs_remove_tree(const char *path);
/* a + "/" + b, with "." and trailing slashes handled; caller frees. */
char *hg_path_join(const char *a, const char *b);
/* The canonical absolute form of an existing path; caller frees; NULL on failure. */
char *hg_fs_realpath(const char *path);
/* True if inner is outer or lies inside it (both canonical absolute paths). */
bool hg_path_inside(const char *inner, const char *outer);
/* Whether a walk of the source folder real_source (canonical) may follow the symbolic link
 * at path, an entry of the folder dir: only when its target lies inside real_source and,
 * for a folder, is neither dir nor a folder holding it (a loop). Returns NULL when it may,
 * else the reason, a static string for a warning. */
const char *hg_fs_link_refusal(const char *path, const char *dir, const char *real_source);

#endif
