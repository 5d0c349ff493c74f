#include "output.h"

#include <errno.h>
#include <pthread.h>
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
	bool staging_new; /* made by this build (else kept from the one before) */
	int jobs;         /* threads for the prune (0: one per core) */
	atomic_size_t written, unchanged;
	pthread_mutex_t lock; /* guards paths */
	char **paths;         /* every file this build writes, relative */
	size_t n_paths, cap_paths;
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
	pthread_mutex_init(&o->lock, NULL);
	/* The staging folder of the last build holds the site before the current one (the
	 * swap put it there), or what a killed build got to: either way a good start, since
	 * most of its files are already right. It is never the live site, and nothing in it is
	 * changed in place (its files may be hard links to the live ones): a file is replaced
	 * by renaming a new one over it. */
	struct stat sst;
	if (lstat(o->staging, &sst) == 0 && !S_ISDIR(sst.st_mode))
		unlink(o->staging);
	if (lstat(o->staging, &sst) != 0) {
		o->staging_new = true;
		if (!hg_fs_mkdirs(o->staging)) {
			hg_error(d, NULL, 0, 0, "cannot create '%s': %s", o->staging, strerror(errno));
			pthread_mutex_destroy(&o->lock);
			free(o->dest);
			free(o->staging);
			free(o);
			return NULL;
		}
	}
	return o;
}

/* Makes the folder at path, replacing a file that stands where it or a parent should be
 * (the site's shape changed since the staging folder was last used). Only the parents
 * after the first root_len bytes (the staging folder's own path) are looked at: issue 8
 * found that with a destination under a symbolic link (-d link/site), the walk from '/'
 * unlinked `link` itself, outside the destination, and made a folder in its place. */
static void ensure_dir(const char *path, size_t root_len)
{
	if (mkdir(path, 0755) == 0 || (errno == EEXIST && hg_fs_is_dir(path)))
		return;
	char *p = hg_xstrdup(path);
	for (char *s = p + (root_len ? root_len : 1);; s++) {
		bool last = *s == '\0';
		if (*s != '/' && !last)
			continue;
		*s = '\0';
		struct stat st;
		if (lstat(p, &st) == 0 && !S_ISDIR(st.st_mode))
			unlink(p);
		mkdir(p, 0755);
		if (last)
			break;
		*s = '/';
	}
	free(p);
}

void hg_output_prepare(hg_output *o, const char *const *paths, size_t n)
{
	/* A staging folder kept from the build before has the site's folders already: asking
	 * for each again was 20,000 system calls before any page could render (10,000 pages).
	 * A folder a new page needs is made by the write itself (make_parent). */
	if (!o->staging_new)
		return;
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
		ensure_dir(dir.ptr, strlen(o->staging));
	}
	hg_buf_release(&last);
	hg_buf_release(&dir);
}

/* True if the file at path holds exactly these bytes; *st gets its status. */
static bool same_bytes(const char *path, const char *data, size_t len, struct stat *st_out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return false;
	struct stat st;
	bool same = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == len;
	if (st_out)
		*st_out = st;
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

static void make_parent(const char *path, size_t root_len)
{
	char *dir = hg_xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		ensure_dir(dir, root_len);
	}
	free(dir);
}

/* Puts tmp in target's place; a folder standing there (the site changed shape) goes. */
static bool replace_with(const char *tmp, const char *target)
{
	if (rename(tmp, target) == 0)
		return true;
	if (errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST) {
		hg_fs_remove_tree(target);
		return rename(tmp, target) == 0;
	}
	return false;
}

/* target becomes another name for the published file old (same inode, same time). */
static bool link_in(const char *old, const char *target, const char *tmp, size_t root_len)
{
	unlink(tmp);
	if (link(old, tmp) != 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			return false;
		make_parent(tmp, root_len);
		if (link(old, tmp) != 0)
			return false;
	}
	if (replace_with(tmp, target))
		return true;
	unlink(tmp);
	return false;
}

/* target gets these bytes, as a new file: never written in place, since it may be a hard
 * link to a file of the live site. A tmp left by a killed build is removed first for the
 * same reason (O_EXCL). */
static bool write_new(const char *target, const char *tmp, const char *data, size_t len, size_t root_len)
{
	unlink(tmp);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR)) { /* no folder yet, or a file in its place */
		make_parent(tmp, root_len);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	}
	if (fd < 0)
		return false;
	bool ok = write_all(fd, data, len);
	if (close(fd) != 0)
		ok = false;
	if (ok && replace_with(tmp, target))
		return true;
	unlink(tmp);
	return false;
}

static void remember(hg_output *o, const char *rel)
{
	char *copy = hg_xstrdup(rel);
	pthread_mutex_lock(&o->lock);
	HG_GROW(o->paths, o->cap_paths, o->n_paths + 1);
	o->paths[o->n_paths++] = copy;
	pthread_mutex_unlock(&o->lock);
}

bool hg_output_write(hg_output *o, const char *rel, const char *data, size_t len, hg_diags *d)
{
	remember(o, rel);
	char *target = hg_path_join(o->staging, rel);
	char *tmp = hg_xasprintf("%s.hubgen-tmp", target);
	bool ok = false, unchanged = false;
	if (o->dest_exists) {
		/* the same bytes as the published file: the staging folder must hold that very file
		 * (a hard link), so that after the swap its inode and time are as they were */
		char *old = hg_path_join(o->dest, rel);
		struct stat ost, tst;
		if (same_bytes(old, data, len, &ost)) {
			if (lstat(target, &tst) == 0 && tst.st_ino == ost.st_ino && tst.st_dev == ost.st_dev)
				ok = unchanged = true; /* already so, from the build before: nothing to do */
			else
				ok = unchanged = link_in(old, target, tmp, strlen(o->staging));
		}
		free(old);
	}
	if (!ok && same_bytes(target, data, len, NULL))
		ok = true; /* the staging folder already has these bytes (from two builds ago) */
	if (!ok)
		ok = write_new(target, tmp, data, len, strlen(o->staging));
	if (!ok)
		hg_error(d, NULL, 0, 0, "cannot write '%s': %s", target, strerror(errno));
	else
		atomic_fetch_add(unchanged ? &o->unchanged : &o->written, 1);
	free(tmp);
	free(target);
	return ok;
}

/* Issue 8: a copied file is read whole, so without a limit a 64 GiB (even sparse) file in
 * the source aborted the build for want of memory. Copying in chunks would lift it. */
#define MAX_COPY_SIZE ((size_t)1 << 30)

bool hg_output_copy(hg_output *o, const char *rel, const char *src, const char *display, hg_diags *d)
{
	size_t len;
	char *data = hg_fs_read(src, display, MAX_COPY_SIZE, &len, d);
	if (!data)
		return false;
	bool ok = hg_output_write(o, rel, data, len, d);
	free(data);
	return ok;
}

static void free_output(hg_output *o)
{
	for (size_t i = 0; i < o->n_paths; i++)
		free(o->paths[i]);
	free(o->paths);
	pthread_mutex_destroy(&o->lock);
	free(o->dest);
	free(o->staging);
	free(o);
}

static int cmp_paths(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static bool written_this_build(const hg_output *o, const char *rel)
{
	return bsearch(&rel, o->paths, o->n_paths, sizeof *o->paths, cmp_paths) != NULL;
}

/* Removes from the staging folder every file this build did not write (pages that are
 * gone, files of a killed build, left-over temporaries) and the folders that end up empty.
 * Returns whether dir is empty afterwards. */
static bool prune(const hg_output *o, const char *dir, const char *rel_dir, int depth)
{
	hg_dirent *items;
	size_t n;
	if (depth > 128 || hg_fs_list(dir, &items, &n) != 0)
		return false;
	size_t kept = 0;
	hg_buf rel = HG_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		char *path = hg_path_join(dir, items[i].name);
		hg_buf_reset(&rel);
		if (*rel_dir) {
			hg_buf_adds(&rel, rel_dir);
			hg_buf_addc(&rel, '/');
		}
		hg_buf_adds(&rel, items[i].name);
		if (items[i].kind == HG_ENTRY_DIR && !items[i].symlink) {
			if (prune(o, path, rel.ptr, depth + 1))
				rmdir(path);
			else
				kept++;
		} else if (written_this_build(o, rel.ptr)) {
			kept++;
		} else {
			unlink(path);
		}
		free(path);
	}
	hg_buf_release(&rel);
	hg_fs_list_free(items, n);
	return kept == 0;
}

/* The top level of the staging folder is pruned on every core, one entry (a section's
 * folder, a file) at a time: walking 10,000 page folders took a tenth of a second. */
typedef struct prune_job {
	const hg_output *o;
	hg_dirent *items;
} prune_job;

static void prune_top(void *ud, size_t i, int worker)
{
	(void)worker;
	prune_job *job = ud;
	const hg_dirent *e = &job->items[i];
	char *path = hg_path_join(job->o->staging, e->name);
	if (e->kind == HG_ENTRY_DIR && !e->symlink) {
		if (prune(job->o, path, e->name, 1))
			rmdir(path);
	} else if (!written_this_build(job->o, e->name)) {
		unlink(path);
	}
	free(path);
}

bool hg_output_commit(hg_output *o, hg_output_stats *stats, hg_diags *d)
{
	if (stats) {
		stats->written = atomic_load(&o->written);
		stats->unchanged = atomic_load(&o->unchanged);
	}
	qsort(o->paths, o->n_paths, sizeof *o->paths, cmp_paths);
	hg_dirent *top;
	size_t n_top;
	if (hg_fs_list(o->staging, &top, &n_top) == 0) {
		prune_job job = {o, top};
		hg_parallel_for(n_top, o->jobs, prune_top, &job);
		hg_fs_list_free(top, n_top);
	}
	bool ok;
	if (!o->dest_exists) {
		ok = rename(o->staging, o->dest) == 0;
	} else if (syscall(SYS_renameat2, AT_FDCWD, o->staging, AT_FDCWD, o->dest, RENAME_EXCHANGE) == 0) {
		ok = true; /* the old site stays in the staging folder, for the next build to start from */
	} else {
		/* a file system without RENAME_EXCHANGE: three renames, the first two a moment apart */
		char *old = sibling(o->dest, "hubgen-old");
		hg_fs_remove_tree(old);
		ok = rename(o->dest, old) == 0 && rename(o->staging, o->dest) == 0;
		if (ok && rename(old, o->staging) != 0)
			hg_fs_remove_tree(old);
		free(old);
	}
	if (!ok)
		hg_error(d, NULL, 0, 0, "cannot move the new site into '%s': %s", o->dest, strerror(errno));
	free_output(o);
	return ok;
}

void hg_output_abort(hg_output *o)
{
	if (!o)
		return;
	/* a staging folder this build made is removed; one kept from before stays for reuse */
	if (o->staging_new)
		hg_fs_remove_tree(o->staging);
	free_output(o);
}
