/* gitdates.c — one `git log`, read into a sorted table of (path, newest commit time). */
#include "gitdates.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fs.h"
#include "util.h"

#include "banned.h"

extern char **environ;

#define MAX_LOG (512u * 1024 * 1024) /* a history bigger than this is not read */

typedef struct entry {
	char *path; /* heap */
	int64_t secs;
	size_t order; /* position in the log: the first seen is the newest */
} entry;

struct hg_gitdates {
	entry *items;
	size_t n;
	char *prefix; /* heap */
};

static int entry_cmp(const void *a, const void *b)
{
	const entry *x = a, *y = b;
	int c = strcmp(x->path, y->path);
	return c ? c : x->order < y->order ? -1 : x->order > y->order;
}

hg_gitdates *hg_gitdates_parse(const char *out, size_t len)
{
	hg_gitdates *g = hg_xcalloc(1, sizeof *g);
	g->prefix = hg_xstrdup("");
	size_t cap = 0;
	int64_t secs = 0;
	bool have = false;
	for (size_t i = 0; i < len;) {
		const char *tok = out + i;
		const char *nul = memchr(tok, '\0', len - i);
		size_t n = nul ? (size_t)(nul - tok) : len - i;
		i += n + 1;
		if (n && tok[0] == '\x01') { /* a commit: its time */
			char *end;
			char buf[32];
			size_t k = n - 1 < sizeof buf - 1 ? n - 1 : sizeof buf - 1;
			memcpy(buf, tok + 1, k);
			buf[k] = '\0';
			long long v = strtoll(buf, &end, 10);
			have = end != buf;
			secs = v;
			continue;
		}
		if (n && tok[0] == '\n') { /* the first file of a commit comes after its line */
			tok++;
			n--;
		}
		if (!n || !have)
			continue;
		HG_GROW(g->items, cap, g->n + 1);
		g->items[g->n] = (entry){hg_xstrndup(tok, n), secs, g->n};
		g->n++;
	}
	if (g->n > 1)
		qsort(g->items, g->n, sizeof *g->items, entry_cmp);
	/* keep each path's first (newest) entry */
	size_t w = 0;
	for (size_t r = 0; r < g->n; r++) {
		if (w && !strcmp(g->items[w - 1].path, g->items[r].path)) {
			free(g->items[r].path);
			continue;
		}
		g->items[w++] = g->items[r];
	}
	g->n = w;
	return g;
}

/* The folder's place in its work tree: the nearest ancestor (itself included) holding a
 * `.git`, and the path from there. False when there is none. */
static bool work_tree_prefix(const char *dir, char **prefix)
{
	char *real = hg_fs_realpath(dir);
	if (!real)
		return false;
	size_t n = strlen(real);
	for (;;) {
		char *top = hg_xstrndup(real, n ? n : 1);
		char *dotgit = hg_path_join(top, ".git");
		bool found = hg_fs_is_dir(dotgit) || hg_fs_is_file(dotgit);
		free(dotgit);
		free(top);
		if (found) {
			const char *rest = real + n;
			while (*rest == '/')
				rest++;
			*prefix = *rest ? hg_xasprintf("%s/", rest) : hg_xstrdup("");
			free(real);
			return true;
		}
		if (n <= 1)
			break;
		while (n > 1 && real[n - 1] != '/')
			n--;
		if (n > 1)
			n--; /* the slash */
	}
	free(real);
	return false;
}

/* Runs git and returns all it wrote, or NULL. */
static char *run_git(const char *dir, size_t *len)
{
	int fds[2];
	if (pipe(fds) != 0)
		return NULL;
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	/* the preview server blocks and ignores signals: git gets the defaults */
	posix_spawnattr_t attr;
	posix_spawnattr_init(&attr);
	sigset_t none, dflt;
	sigemptyset(&none);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGPIPE);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dflt);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	char *argv[] = {"git",         "-C",           (char *)dir,        "--no-pager", "log", "-z", "--relative",
	                "--name-only", "--no-renames", "--format=%x01%ct", "--",         ".",   NULL};
	pid_t pid;
	int err = posix_spawnp(&pid, "git", &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(fds[1]);
	if (err) {
		close(fds[0]);
		return NULL;
	}
	hg_buf out = HG_BUF_INIT;
	char tmp[65536];
	bool too_big = false;
	for (;;) {
		ssize_t r = read(fds[0], tmp, sizeof tmp);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (out.len + (size_t)r > MAX_LOG) {
			too_big = true;
			break;
		}
		hg_buf_add(&out, tmp, (size_t)r);
	}
	close(fds[0]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (too_big || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		hg_buf_release(&out);
		return NULL;
	}
	return hg_buf_detach(&out, len);
}

hg_gitdates *hg_gitdates_load(const char *dir)
{
	char *prefix;
	if (!work_tree_prefix(dir, &prefix))
		return NULL;
	size_t len;
	char *out = run_git(dir, &len);
	if (!out) {
		free(prefix);
		return NULL;
	}
	hg_gitdates *g = hg_gitdates_parse(out, len);
	free(out);
	free(g->prefix);
	g->prefix = prefix;
	return g;
}

void hg_gitdates_free(hg_gitdates *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n; i++)
		free(g->items[i].path);
	free(g->items);
	free(g->prefix);
	free(g);
}

bool hg_gitdates_get(const hg_gitdates *g, const char *rel, int64_t *secs)
{
	if (!g)
		return false;
	size_t lo = 0, hi = g->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(g->items[mid].path, rel);
		if (!c) {
			*secs = g->items[mid].secs;
			return true;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

const char *hg_gitdates_prefix(const hg_gitdates *g)
{
	return g ? g->prefix : "";
}
