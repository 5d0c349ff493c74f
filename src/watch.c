#include "watch.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "fs.h"
#include "util.h"

#include "banned.h"

/* As deep as the scan reads (site.c). */
#define MAX_DEPTH 64
/* Beyond this many distinct paths a change set just says "everything". */
#define MAX_CHANGES 4096

#define DIR_EVENTS                                                                                                     \
	(IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_ONLYDIR |   \
	 IN_EXCL_UNLINK)

typedef struct watched {
	int wd;
	char *rel; /* "" for the root, else "guide/how-to" */
} watched;

struct hg_watch {
	int fd;
	char *root;    /* canonical */
	char *skip;    /* canonical, or NULL */
	watched *dirs; /* unordered; a site has hundreds of folders, not millions */
	size_t n_dirs, cap_dirs;
	bool warned_limit;
};

bool hg_watch_ignored_name(const char *name, bool is_dir)
{
	if (!*name || name[0] == '.') /* dot files and folders, and Emacs's .#lock files */
		return true;
	if (is_dir)
		return !strcmp(name, "_site") || !strcmp(name, "node_modules");
	if (!strcmp(name, "4913")) /* vim checks it may write in the folder with this file */
		return true;
	return hg_ends_with(name, "~") || hg_ends_with(name, ".swp") || hg_ends_with(name, ".swx");
}

static watched *find_wd(hg_watch *w, int wd)
{
	for (size_t i = 0; i < w->n_dirs; i++)
		if (w->dirs[i].wd == wd)
			return &w->dirs[i];
	return NULL;
}

static void forget_at(hg_watch *w, size_t i)
{
	free(w->dirs[i].rel);
	w->dirs[i] = w->dirs[--w->n_dirs];
}

static char *rel_join(const char *dir, const char *name)
{
	return *dir ? hg_xasprintf("%s/%s", dir, name) : hg_xstrdup(name);
}

/* Watches the folder at rel and, unless it was watched already (inotify hands back the
 * same descriptor for the same folder), every folder below it. */
static void add_tree(hg_watch *w, const char *rel, int depth, hg_diags *d)
{
	if (depth > MAX_DEPTH)
		return;
	char *path = *rel ? hg_path_join(w->root, rel) : hg_xstrdup(w->root);
	if (w->skip) {
		char *real = hg_fs_realpath(path);
		bool skip = real && !strcmp(real, w->skip);
		free(real);
		if (skip) {
			free(path);
			return;
		}
	}
	uint32_t mask = DIR_EVENTS | (*rel ? IN_DONT_FOLLOW : 0);
	int wd = inotify_add_watch(w->fd, path, mask);
	if (wd < 0) {
		if ((errno == ENOSPC || errno == ENOMEM) && !w->warned_limit) {
			w->warned_limit = true;
			hg_warn(d, NULL, 0, 0,
			        "cannot watch every folder for changes (the inotify watch limit); "
			        "changes in some folders will not rebuild the site");
			hg_diag_note(d, "hint: raise it with 'sysctl fs.inotify.max_user_watches=524288'");
		}
		free(path);
		return;
	}
	watched *old = find_wd(w, wd);
	if (old) {
		/* moved back in, or a rescan: the folder is known, but maybe by another name */
		free(old->rel);
		old->rel = hg_xstrdup(rel);
	} else {
		HG_GROW(w->dirs, w->cap_dirs, w->n_dirs + 1);
		w->dirs[w->n_dirs++] = (watched){wd, hg_xstrdup(rel)};
	}
	hg_dirent *items;
	size_t n;
	if (hg_fs_list(path, &items, &n) == 0) {
		for (size_t i = 0; i < n; i++) {
			if (items[i].kind != HG_ENTRY_DIR || items[i].symlink ||
			    hg_watch_ignored_name(items[i].name, true))
				continue;
			char *child = rel_join(rel, items[i].name);
			add_tree(w, child, depth + 1, d);
			free(child);
		}
		hg_fs_list_free(items, n);
	}
	free(path);
}

/* A folder moved away: its watch and those below it now name the wrong paths. */
static void remove_tree(hg_watch *w, const char *rel)
{
	size_t n = strlen(rel);
	for (size_t i = 0; i < w->n_dirs;) {
		const char *r = w->dirs[i].rel;
		if (!strncmp(r, rel, n) && (r[n] == '\0' || r[n] == '/')) {
			inotify_rm_watch(w->fd, w->dirs[i].wd);
			forget_at(w, i);
		} else {
			i++;
		}
	}
}

hg_watch *hg_watch_new(const char *root, const char *skip, hg_diags *d)
{
	char *real = hg_fs_realpath(root);
	if (!real) {
		hg_error(d, NULL, 0, 0, "cannot watch '%s': %s", root, strerror(errno));
		return NULL;
	}
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0) {
		hg_error(d, NULL, 0, 0, "cannot watch '%s' for changes: %s", root, strerror(errno));
		free(real);
		return NULL;
	}
	hg_watch *w = hg_xcalloc(1, sizeof *w);
	w->fd = fd;
	w->root = real;
	/* only a folder inside the source needs leaving out */
	w->skip = skip && hg_path_inside(skip, real) ? hg_xstrdup(skip) : NULL;
	add_tree(w, "", 0, d);
	return w;
}

void hg_watch_free(hg_watch *w)
{
	if (!w)
		return;
	close(w->fd);
	for (size_t i = 0; i < w->n_dirs; i++)
		free(w->dirs[i].rel);
	free(w->dirs);
	free(w->root);
	free(w->skip);
	free(w);
}

int hg_watch_fd(const hg_watch *w)
{
	return w->fd;
}

static void add_change(hg_watch_changes *ch, char *path)
{
	if (ch->all) {
		free(path);
		return;
	}
	for (size_t i = 0; i < ch->len; i++) {
		if (!strcmp(ch->paths[i], path)) {
			free(path);
			return;
		}
	}
	if (ch->len == MAX_CHANGES) {
		ch->all = true;
		free(path);
		return;
	}
	HG_GROW(ch->paths, ch->cap, ch->len + 1);
	ch->paths[ch->len++] = path;
}

void hg_watch_changes_clear(hg_watch_changes *ch)
{
	for (size_t i = 0; i < ch->len; i++)
		free(ch->paths[i]);
	free(ch->paths);
	*ch = (hg_watch_changes){0};
}

static int depth_of(const char *rel)
{
	int depth = 1;
	for (; *rel; rel++)
		depth += *rel == '/';
	return depth;
}

/* One event: returns true if it may change the build. */
static bool handle(hg_watch *w, const struct inotify_event *ev, hg_watch_changes *ch, hg_diags *d)
{
	if (ev->mask & IN_Q_OVERFLOW) {
		/* events were lost, folders created meanwhile among them */
		ch->all = true;
		add_tree(w, "", 0, d);
		return true;
	}
	watched *dir = find_wd(w, ev->wd);
	if (!dir)
		return false;
	if (ev->mask & IN_IGNORED) { /* the folder is gone */
		forget_at(w, (size_t)(dir - w->dirs));
		return false;
	}
	if (!ev->len || !ev->name[0])
		return false; /* about the folder itself: its parent reports it by name */
	bool is_dir = (ev->mask & IN_ISDIR) != 0;
	if (hg_watch_ignored_name(ev->name, is_dir))
		return false;
	char *rel = rel_join(dir->rel, ev->name);
	if (is_dir && (ev->mask & IN_MOVED_FROM))
		remove_tree(w, rel); /* dir may be stale from here on */
	if (is_dir && (ev->mask & (IN_CREATE | IN_MOVED_TO)))
		add_tree(w, rel, depth_of(rel), d);
	add_change(ch, rel);
	return true;
}

size_t hg_watch_read(hg_watch *w, hg_watch_changes *ch, hg_diags *d)
{
	size_t relevant = 0;
	_Alignas(struct inotify_event) char buf[16384];
	for (;;) {
		ssize_t n = read(w->fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* EAGAIN: all read */
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)(void *)p;
			if (handle(w, ev, ch, d))
				relevant++;
			p += sizeof *ev + ev->len;
		}
	}
	return relevant;
}
