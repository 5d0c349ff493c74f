/* replay.c — main() for the harnesses without libFuzzer: runs one harness over files.
 *
 *   replay_<name> PATH…
 *
 * Each PATH is a file (run once) or a folder (every regular file below it, recursively,
 * in name order; names starting with '.' and README files are skipped). Prints one line
 * per folder with the count, and exits 1 when no input at all was found (a typo in the
 * test's path must not pass silently). A crash in the harness is the test failing.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static size_t run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "%s: cannot open: %s\n", path, strerror(errno));
		exit(1);
	}
	size_t cap = 4096, len = 0;
	unsigned char *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
		len += got;
		if (len == cap) {
			unsigned char *more = realloc(buf, cap *= 2);
			if (!more)
				free(buf);
			buf = more;
		}
	}
	if (!buf || ferror(f)) {
		fprintf(stderr, "%s: cannot read\n", path);
		exit(1);
	}
	fclose(f);
	/* an exact-size copy, so that ASan catches a read one past the end */
	unsigned char *exact = malloc(len ? len : 1);
	if (!exact)
		abort();
	if (len)
		memcpy(exact, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	return 1;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static size_t run_path(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		exit(1);
	}
	if (!S_ISDIR(st.st_mode))
		return S_ISREG(st.st_mode) ? run_file(path) : 0;
	struct dirent **names;
	int n = scandir(path, &names, NULL, by_name);
	if (n < 0) {
		fprintf(stderr, "%s: cannot list: %s\n", path, strerror(errno));
		exit(1);
	}
	size_t count = 0;
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		if (name[0] != '.' && strncmp(name, "README", 6) != 0) {
			size_t plen = strlen(path) + strlen(name) + 2;
			char *child = malloc(plen);
			if (!child)
				abort();
			snprintf(child, plen, "%s/%s", path, name);
			count += run_path(child);
			free(child);
		}
		free(names[i]);
	}
	free(names);
	return count;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE-OR-FOLDER…\n", argv[0]);
		return 2;
	}
	size_t total = 0;
	for (int i = 1; i < argc; i++) {
		size_t n = run_path(argv[i]);
		printf("%s: %zu inputs\n", argv[i], n);
		total += n;
	}
	if (!total) {
		fprintf(stderr, "no inputs found\n");
		return 1;
	}
	return 0;
}
