/* theme.h — the default theme, embedded in the executable.
 *
 * At build time tools/embed.c turns every file of templates/ and assets/ (and the
 * nhsuk-frontend files the theme uses) into a table, so `hubgen build` works on any folder
 * of Markdown with no theme files beside it. Paths are as in the repository:
 * "templates/layouts/page.html", "assets/css/hub.css". The table is sorted by path.
 */
#ifndef HG_THEME_H
#define HG_THEME_H

#include <stddef.h>

typedef struct hg_theme_file {
	const char *path;
	const unsigned char *data;
	size_t len;
} hg_theme_file;

/* The embedded files, sorted by path; static storage. */
const hg_theme_file *hg_theme_files(size_t *n);

#endif
