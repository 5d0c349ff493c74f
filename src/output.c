#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs.h"
#include "util.h"

#include "banned.h"

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

struct hg_output {
	char *dest;    /* as given */
	char *staging; /* PARENT/.NAME.hubgen-staging */
	bool dest_exists;
	atomic_size_t written, unchanged;
};

static char *sibling(const char *dest, const char *suffix)
{
	char *copy = hg_xstrdup(dest);
	size_t n = strlen(copy);
	while (n > 1 && copy[n - 1] == '/')
		copy[--n] = '\0';
	char *slash = strrchr(copy, '/');
	char *r;
	if (slash) {
		*slash = '\0';
		r = hg_xasprintf("%s/.%s.%s", *copy ? copy : "/", slash + 1, suffix);
	} else {
		r = hg_xasprintf(".%s.%s", copy, suffix);
	}
	free(copy);
	return r;
}

hg_output *hg_output_begin(const char *dest, hg_diags *d)
{
	struct stat st;
	bool exists = stat(dest, &st) == 0;
	if (exists && !S_ISDIR(st.st_mode)) {
		hg_error(d, NULL, 0, 0, "the destination '%s' is a file, not a folder", dest);
		return NULL;
	}
	if (exists) {
		char *git = hg_path_join(dest, ".git");
		bool repo = access(git, F_OK) == 0;
		free(git);
		if (repo) {
			hg_error(d, NULL, 0, 0, "the destination '%s' is a git work tree; hubgen replaces the whole folder",
				 dest);
			hg_diag_note(d, "hint: build into a folder of its own and copy the files into the work tree");
			return NULL;
		}
	}
	hg_output *o = hg_xcalloc(1, sizeof *o);
	o->dest = hg_xstrdup(dest);
	o->staging = sibling(dest, "hubgen-staging");
	o->dest_exists = exists;
	/* a killed build may have left one behind */
	hg_fs_remove_tree(o->staging);
	if (!hg_fs_mkdirs(o->staging)) {
		hg_error(d, NULL, 0, 0, "cannot create '%s': %s", o->staging, strerror(errno));
		free(o->dest);
		free(o->staging);
		free(o);
		return NULL;
	}
	return o;
}

void hg_output_prepare(hg_output *o, const char *const *paths, size_t n)
{
	hg_buf last = HG_BUF_INIT, dir = HG_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		const char *slash = strrchr(paths[i], '/');
		if (!slash)
			continue;
		size_t len = (size_t)(slash - paths[i]);
		if (last.len == len && !memcmp(last.ptr, paths[i], len))
			continue; /* the same folder as the path before */
		hg_buf_reset(&last);
		hg_buf_add(&last, paths[i], len);
		hg_buf_reset(&dir);
		hg_buf_adds(&dir, o->staging);
		hg_buf_addc(&dir, '/');
		hg_buf_add(&dir, paths[i], len);
		/* the parent usually exists already: try the folder itself first */
		if (mkdir(dir.ptr, 0755) != 0 && errno != EEXIST)
			hg_fs_mkdirs(dir.ptr);
	}
	hg_buf_release(&last);
	hg_buf_release(&dir);
}

/* True if the file at path holds exactly these bytes. */
static bool same_bytes(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct stat st;
	bool same = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == len;
	char buf[65536];
	size_t off = 0;
	while (same && off < len) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r <= 0 || off + (size_t)r > len || memcmp(buf, data + off, (size_t)r) != 0)
			same = false;
		else
			off += (size_t)r;
	}
	close(fd);
	return same && off == len;
}

static int open_new(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 && errno == ENOENT) {
		char *dir = hg_xstrdup(path);
		char *slash = strrchr(dir, '/');
		if (slash) {
			*slash = '\0';
			hg_fs_mkdirs(dir);
		}
		free(dir);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	}
	return fd;
}

static bool link_old(const char *old, const char *target)
{
	if (link(old, target) == 0)
		return true;
	if (errno == ENOENT) {
		char *dir = hg_xstrdup(target);
		char *slash = strrchr(dir, '/');
		if (slash) {
			*slash = '\0';
			hg_fs_mkdirs(dir);
		}
		free(dir);
		return link(old, target) == 0;
	}
	return false;
}

static bool write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t w = write(fd, data, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		data += w;
		len -= (size_t)w;
	}
	return true;
}

bool hg_output_write(hg_output *o, const char *rel, const char *data, size_t len, hg_diags *d)
{
	char *target = hg_path_join(o->staging, rel);
	if (o->dest_exists) {
		char *old = hg_path_join(o->dest, rel);
		bool linked = same_bytes(old, data, len) && link_old(old, target);
		free(old);
		if (linked) {
			atomic_fetch_add(&o->unchanged, 1);
			free(target);
			return true;
		}
	}
	int fd = open_new(target);
	bool ok = fd >= 0 && write_all(fd, data, len);
	if (fd >= 0 && close(fd) != 0)
		ok = false;
	if (!ok)
		hg_error(d, NULL, 0, 0, "cannot write '%s': %s", target, strerror(errno));
	else
		atomic_fetch_add(&o->written, 1);
	free(target);
	return ok;
}

bool hg_output_copy(hg_output *o, const char *rel, const char *src, const char *display, hg_diags *d)
{
	size_t len;
	char *data = hg_fs_read(src, display, 0, &len, d);
	if (!data)
		return false;
	bool ok = hg_output_write(o, rel, data, len, d);
	free(data);
	return ok;
}

static void free_output(hg_output *o)
{
	free(o->dest);
	free(o->staging);
	free(o);
}

bool hg_output_commit(hg_output *o, hg_output_stats *stats, hg_diags *d)
{
	if (stats) {
		stats->written = atomic_load(&o->written);
		stats->unchanged = atomic_load(&o->unchanged);
	}
	bool ok;
	if (!o->dest_exists) {
		ok = rename(o->staging, o->dest) == 0;
	} else if (syscall(SYS_renameat2, AT_FDCWD, o->staging, AT_FDCWD, o->dest, RENAME_EXCHANGE) == 0) {
		ok = true;
		hg_fs_remove_tree(o->staging); /* now the old site */
	} else {
		/* a file system without RENAME_EXCHANGE: two renames, a moment apart */
		char *old = sibling(o->dest, "hubgen-old");
		hg_fs_remove_tree(old);
		ok = rename(o->dest, old) == 0 && rename(o->staging, o->dest) == 0;
		if (ok)
			hg_fs_remove_tree(old);
		free(old);
	}
	if (!ok) {
		hg_error(d, NULL, 0, 0, "cannot move the new site into '%s': %s", o->dest, strerror(errno));
		hg_fs_remove_tree(o->staging);
	}
	free_output(o);
	return ok;
}

void hg_output_abort(hg_output *o)
{
	if (!o)
		return;
	hg_fs_remove_tree(o->staging);
	free_output(o);
}
