/* fuzz_serve_path.c — the preview server's request path check: what stands between a
 * request and a file outside the served folder.
 *
 * Input: one byte choosing the base path (none, "", "/hub", "/hub/", "/a b/", "/%68ub"),
 * then the raw request target as received (up to the first NUL: the server gets a C
 * string).
 *
 * Properties, on HG_SERVE_PATH_OK: the relative path does not start with '/', and has no
 * "." or ".." segment, no empty segment, no backslash, no NUL or control character. On a
 * redirect, the target starts with '/' and ends with '/'. Then hg_serve_map_path over a
 * fake folder must give a path below it (the same rules, plus "index.html" or ".html").
 */
#include <string.h>

#include "serve.h"
#include "util.h"

#include "fuzz.h"

/* The rules a path below the served folder must follow; a trailing '/' is allowed. */
static void check_contained(const char *rel)
{
	FUZZ_ASSERT(rel[0] != '/');
	for (const char *c = rel; *c; c++)
		FUZZ_ASSERT((unsigned char)*c >= 0x20 && *c != 0x7f && *c != '\\');
	const char *p = rel;
	while (*p) {
		size_t n = strcspn(p, "/");
		FUZZ_ASSERT(n > 0);
		FUZZ_ASSERT(!(n == 1 && p[0] == '.'));
		FUZZ_ASSERT(!(n == 2 && p[0] == '.' && p[1] == '.'));
		p += n;
		if (*p == '/')
			p++;
	}
}

/* A fake folder: names ending in "/index.html" or ".html" are files, "d" and names
 * ending in "d" are folders, the rest is nothing. */
static hg_serve_kind probe(void *ud, const char *rel)
{
	(void)ud;
	check_contained(rel);
	size_t n = strlen(rel);
	if (n >= 5 && !strcmp(rel + n - 5, ".html"))
		return HG_SERVE_FILE;
	if (n && rel[n - 1] == 'd')
		return HG_SERVE_DIR;
	return HG_SERVE_NONE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	static const char *bases[] = {NULL, "", "/hub", "/hub/", "/a b/", "/%68ub"};
	const char *base = bases[data[0] % (sizeof bases / sizeof bases[0])];
	/* the request target as a C string, with no bytes after it to read */
	char *uri = hg_xstrndup((const char *)data + 1, size - 1);

	hg_buf rel = HG_BUF_INIT, file = HG_BUF_INIT;
	int r = hg_serve_resolve_path(uri, base, &rel);
	FUZZ_ASSERT(r == HG_SERVE_PATH_BAD || r == HG_SERVE_PATH_OK || r == HG_SERVE_PATH_REDIRECT ||
		    r == HG_SERVE_PATH_OUTSIDE);
	if (r == HG_SERVE_PATH_OK) {
		check_contained(rel.ptr);
		FUZZ_ASSERT(!strstr(rel.ptr, "//"));
		int m = hg_serve_map_path(rel.ptr, probe, NULL, &file);
		if (m == HG_SERVE_MAP_FILE || m == HG_SERVE_MAP_REDIRECT)
			check_contained(file.ptr);
		else
			FUZZ_ASSERT(m == HG_SERVE_MAP_NONE && file.len == 0);
	} else if (r == HG_SERVE_PATH_REDIRECT) {
		FUZZ_ASSERT(rel.len >= 2 && rel.ptr[0] == '/' && rel.ptr[rel.len - 1] == '/');
	}
	hg_buf_release(&rel);
	hg_buf_release(&file);
	free(uri);
	return 0;
}
