#include "fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "banned.h"

/* "16 MiB", "4.9 KiB", "200 bytes": sizes as a reader takes them in. */
static const char *size_text(char buf[32], size_t n)
{
	if (n >= 1048576)
		snprintf(buf, 32, "%.1f MiB", (double)n / 1048576.0);
	else if (n >= 1024)
		snprintf(buf, 32, "%.1f KiB", (double)n / 1024.0);
	else
		snprintf(buf, 32, "%zu bytes", n);
	return buf;
}

char *hg_fs_read(const char *path, const char *display, size_t max_size, size_t *len, hg_diags *d)
{
	return hg_fs_read_mtime(path, display, max_size, len, NULL, d);
}

char *hg_fs_read_mtime(const char *path, const char *display, size_t max_size, size_t *len, int64_t *mtime,
		       hg_diags *d)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		hg_error(d, display, 0, 0, "cannot read file: %s", strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		hg_error(d, display, 0, 0, "cannot read file: %s", strerror(errno));
		close(fd);
		return NULL;
	}
	if (max_size && (size_t)st.st_size > max_size) {
		char got[32], lim[32];
		hg_error(d, display, 0, 0, "file is too large (%s; the limit is %s)", size_text(got, (size_t)st.st_size),
			 size_text(lim, max_size));
		hg_diag_note(d, "hint: split the page, or raise 'max_file_size' in the site's config");
		close(fd);
		return NULL;
	}
	if (mtime)
		*mtime = (int64_t)st.st_mtime;
	size_t cap = (size_t)st.st_size, got = 0;
	char *buf = hg_xmalloc(cap + 1);
	for (;;) {
		if (got == cap) {
			/* the file grew while we read it (or is a pipe): keep reading, within the limit */
			if (max_size && got > max_size)
				break;
			cap = cap ? cap * 2 : 4096;
			buf = hg_xrealloc(buf, cap + 1);
		}
		ssize_t r = read(fd, buf + got, cap - got);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			hg_error(d, display, 0, 0, "cannot read file: %s", strerror(errno));
			free(buf);
			close(fd);
			return NULL;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (max_size && got > max_size) {
		char lim[32];
		hg_error(d, display, 0, 0, "file is too large (the limit is %s)", size_text(lim, max_size));
		free(buf);
		return NULL;
	}
	buf[got] = '\0';
	*len = got;
	return buf;
}

static int dirent_cmp(const void *a, const void *b)
{
	return strcmp(((const hg_dirent *)a)->name, ((const hg_dirent *)b)->name);
}

int hg_fs_list(const char *dir, hg_dirent **out, size_t *n)
{
	DIR *dp = opendir(dir);
	if (!dp)
		return -1;
	hg_dirent *items = NULL;
	size_t len = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(dp))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		hg_dirent it = {hg_xstrdup(e->d_name), HG_ENTRY_OTHER, false};
		unsigned char type = e->d_type;
		if (type == DT_UNKNOWN || type == DT_LNK) {
			struct stat st;
			int fd = dirfd(dp);
			if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
				it.symlink = true;
				if (fstatat(fd, e->d_name, &st, 0) != 0)
					st.st_mode = 0; /* dangling */
			}
			if (S_ISREG(st.st_mode))
				it.kind = HG_ENTRY_FILE;
			else if (S_ISDIR(st.st_mode))
				it.kind = HG_ENTRY_DIR;
		} else if (type == DT_REG) {
			it.kind = HG_ENTRY_FILE;
		} else if (type == DT_DIR) {
			it.kind = HG_ENTRY_DIR;
		}
		HG_GROW(items, cap, len + 1);
		items[len++] = it;
	}
	closedir(dp);
	if (len > 1)
		qsort(items, len, sizeof *items, dirent_cmp);
	*out = items;
	*n = len;
	return 0;
}

void hg_fs_list_free(hg_dirent *entries, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(entries[i].name);
	free(entries);
}

bool hg_fs_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool hg_fs_is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool hg_fs_mkdirs(const char *path)
{
	char *p = hg_xstrdup(path);
	size_t n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST) {
			free(p);
			return false;
		}
		*s = '/';
	}
	bool ok = mkdir(p, 0755) == 0 || (errno == EEXIST && hg_fs_is_dir(p));
	free(p);
	return ok;
}

bool hg_fs_remove_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return errno == ENOENT;
	if (!S_ISDIR(st.st_mode))
		return unlink(path) == 0;
	hg_dirent *items;
	size_t n;
	bool ok = true;
	if (hg_fs_list(path, &items, &n) == 0) {
		for (size_t i = 0; i < n; i++) {
			char *child = hg_path_join(path, items[i].name);
			ok &= hg_fs_remove_tree(child);
			free(child);
		}
		hg_fs_list_free(items, n);
	}
	return rmdir(path) == 0 && ok;
}

char *hg_path_join(const char *a, const char *b)
{
	if (!a || !*a || !strcmp(a, "."))
		return hg_xstrdup(b);
	if (!b || !*b || !strcmp(b, "."))
		return hg_xstrdup(a);
	size_t n = strlen(a);
	while (n > 1 && a[n - 1] == '/')
		n--;
	while (b[0] == '.' && b[1] == '/')
		b += 2;
	return hg_xasprintf("%.*s/%s", (int)n, a, b);
}

char *hg_fs_realpath(const char *path)
{
	char *r = realpath(path, NULL);
	if (!r)
		return NULL;
	char *copy = hg_xstrdup(r);
	free(r);
	return copy;
}

bool hg_path_inside(const char *inner, const char *outer)
{
	size_t n = strlen(outer);
	if (n == 1 && outer[0] == '/')
		return true;
	return strncmp(inner, outer, n) == 0 && (inner[n] == '\0' || inner[n] == '/');
}

/* Added for issue 8 (hardening). Two links `a -> .` and `b -> .` in one folder made the
 * page walk exponential (2^64 folders: a hang), and a link in _includes/ to /etc/passwd
 * let `{% include %}` publish it. Every walk of the source asks this before following. */
const char *hg_fs_link_refusal(const char *path, const char *dir, const char *real_source)
{
	const char *why = NULL;
	char *target = hg_fs_realpath(path);
	if (!target || !real_source || !hg_path_inside(target, real_source)) {
		why = "symbolic link leads outside the source folder; not followed";
	} else if (hg_fs_is_dir(target)) {
		char *here = hg_fs_realpath(dir);
		if (!here || hg_path_inside(here, target))
			why = "symbolic link leads back to a folder it is in; not followed";
		free(here);
	}
	free(target);
	return why;
}
