/* serve.c — the preview server: build, serve from a snapshot, watch, rebuild, reload.
 *
 * Threads: the calling thread builds and watches; civetweb's worker threads answer
 * requests. They share one thing, the current snapshot (below), and a build counter that
 * the events endpoint waits on; both sit behind sv->lock.
 */
#include "serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <civetweb.h>

#include "build.h"
#include "fs.h"
#include "url.h"
#include "watch.h"

#include "banned.h"

extern char **environ;

/* Worker threads. An open page holds one for its event stream, so at most SSE_MAX of them
 * do that and the rest are always free for files. */
#define THREADS 32
#define SSE_MAX (THREADS - 8)
#define KEEPALIVE_MS 15000
/* A change is built once the source has been quiet this long, or at the latest this long
 * after the first event (an editor saving many files, a git checkout). An editor's save
 * (write a temporary file, rename it over the page) is one burst of events within a
 * millisecond or two; 20 ms leaves room for that and keeps a one-page edit, rebuilt in a
 * few milliseconds, within issue 7's 50 ms from save to served. */
#define QUIET_MS 20
#define MAX_WAIT_MS 500
/* Request targets longer than this are refused. */
#define MAX_URI 4096
/* The error page lists this many errors at most. */
#define MAX_LISTED 50

#define THEME_CSS "assets/nhsuk/nhsuk-frontend.min.css"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* ==== pure parts: request paths, content types, the script tag ==== */

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decodes s[0..n) into out, once. Refuses a bad escape, and anything that decodes
 * to NUL, a control character, a backslash or (from "%2f") a slash: none of them belongs
 * in a file name the site could have written, and each is a classic way past a check. */
static bool decode_path(const char *s, size_t n, hg_buf *out)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		bool escaped = false;
		if (c == '%') {
			int hi = i + 2 < n ? hex_value(s[i + 1]) : -1;
			int lo = hi >= 0 ? hex_value(s[i + 2]) : -1;
			if (lo < 0)
				return false;
			c = (unsigned char)(hi * 16 + lo);
			i += 2;
			escaped = true;
		}
		if (c < 0x20 || c == 0x7f || c == '\\' || (escaped && c == '/'))
			return false;
		hg_buf_addc(out, (char)c);
	}
	return true;
}

int hg_serve_resolve_path(const char *raw_uri, const char *base, hg_buf *out_rel)
{
	hg_buf_reset(out_rel);
	if (!raw_uri || raw_uri[0] != '/')
		return HG_SERVE_PATH_BAD;
	size_t n = strcspn(raw_uri, "?#");
	if (n > MAX_URI)
		return HG_SERVE_PATH_BAD;
	hg_buf path = HG_BUF_INIT, b = HG_BUF_INIT;
	int result = HG_SERVE_PATH_BAD;
	if (!decode_path(raw_uri, n, &path))
		goto done;

	/* the base as it appears in links, decoded the same way; no trailing slash */
	if (base && *base && !decode_path(base, strlen(base), &b))
		goto done;
	while (b.len && b.ptr[b.len - 1] == '/')
		hg_buf_truncate(&b, b.len - 1);
	const char *p = path.ptr;
	if (b.len) {
		if (!strcmp(p, "/") || !strcmp(p, b.ptr)) {
			if (b.ptr[0] != '/')
				hg_buf_addc(out_rel, '/');
			hg_buf_add(out_rel, b.ptr, b.len);
			hg_buf_addc(out_rel, '/');
			result = HG_SERVE_PATH_REDIRECT;
			goto done;
		}
		if (strncmp(p, b.ptr, b.len) != 0 || p[b.len] != '/') {
			result = HG_SERVE_PATH_OUTSIDE;
			goto done;
		}
		p += b.len;
	}

	/* p starts with '/': copy it segment by segment */
	while (*p) {
		while (*p == '/')
			p++;
		size_t len = strcspn(p, "/");
		if (!len)
			break;
		if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.')) {
			hg_buf_reset(out_rel);
			goto done;
		}
		if (out_rel->len)
			hg_buf_addc(out_rel, '/');
		hg_buf_add(out_rel, p, len);
		p += len;
	}
	if (out_rel->len && path.ptr[path.len - 1] == '/')
		hg_buf_addc(out_rel, '/');
	result = HG_SERVE_PATH_OK;
done:
	hg_buf_release(&path);
	hg_buf_release(&b);
	return result;
}

int hg_serve_map_path(const char *rel, hg_serve_probe_fn probe, void *ud, hg_buf *out)
{
	hg_buf_reset(out);
	size_t n = strlen(rel);
	if (n == 0 || rel[n - 1] == '/') {
		hg_buf_adds(out, rel);
		hg_buf_adds(out, "index.html");
		if (probe(ud, out->ptr) == HG_SERVE_FILE)
			return HG_SERVE_MAP_FILE;
		hg_buf_reset(out);
		return HG_SERVE_MAP_NONE;
	}
	hg_serve_kind kind = probe(ud, rel);
	if (kind == HG_SERVE_FILE) {
		hg_buf_adds(out, rel);
		return HG_SERVE_MAP_FILE;
	}
	if (kind == HG_SERVE_DIR) {
		hg_buf_adds(out, rel);
		hg_buf_adds(out, "/index.html");
		bool index = probe(ud, out->ptr) == HG_SERVE_FILE;
		hg_buf_reset(out);
		if (index) {
			hg_buf_adds(out, rel);
			hg_buf_addc(out, '/');
			return HG_SERVE_MAP_REDIRECT;
		}
	}
	hg_buf_adds(out, rel);
	hg_buf_adds(out, ".html");
	if (probe(ud, out->ptr) == HG_SERVE_FILE)
		return HG_SERVE_MAP_FILE;
	hg_buf_reset(out);
	return HG_SERVE_MAP_NONE;
}

const char *hg_serve_content_type(const char *name)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{"html", "text/html; charset=utf-8"},
		{"htm", "text/html; charset=utf-8"},
		{"css", "text/css; charset=utf-8"},
		{"js", "text/javascript; charset=utf-8"},
		{"mjs", "text/javascript; charset=utf-8"},
		{"json", "application/json"},
		{"map", "application/json"},
		{"xml", "application/xml"},
		{"svg", "image/svg+xml"},
		{"png", "image/png"},
		{"jpg", "image/jpeg"},
		{"jpeg", "image/jpeg"},
		{"gif", "image/gif"},
		{"webp", "image/webp"},
		{"avif", "image/avif"},
		{"ico", "image/x-icon"},
		{"woff2", "font/woff2"},
		{"woff", "font/woff"},
		{"txt", "text/plain; charset=utf-8"},
		{"md", "text/markdown; charset=utf-8"},
		{"pdf", "application/pdf"},
		{"webmanifest", "application/manifest+json"},
	};
	const char *slash = strrchr(name, '/');
	const char *dot = strrchr(slash ? slash + 1 : name, '.');
	if (dot)
		for (size_t i = 0; i < HG_ARRAY_LEN(types); i++)
			if (!strcasecmp(dot + 1, types[i].ext))
				return types[i].type;
	return "application/octet-stream";
}

void hg_serve_inject(const char *html, size_t len, const char *tag, hg_buf *out)
{
	static const char close_body[] = "</body>";
	size_t k = sizeof close_body - 1, at = len;
	for (size_t i = len >= k ? len - k + 1 : 0; i-- > 0;) {
		if (html[i] == '<' && !strncasecmp(html + i, close_body, k)) {
			at = i;
			break;
		}
	}
	hg_buf_add(out, html, at);
	hg_buf_adds(out, tag);
	hg_buf_add(out, html + at, len - at);
}

/* ==== snapshots ====
 *
 * A tree is one good build's folder; a snapshot is what the server answers with: the build
 * number, the base path, the last good tree (NULL before the first good build) and, after
 * a failed build, the error page. Both are reference counted under sv->lock:
 *
 *   request:  lock, take sv->current, refs++, unlock … answer … lock, refs--, unlock
 *   build:    new snapshot (refs 1, held by sv->current); lock, swap the pointer,
 *             broadcast, unlock; drop the old snapshot's reference
 *
 * Whoever drops the last reference to a tree deletes its folder, outside the lock. So a
 * rebuild never waits for requests, requests never wait for a build, and a request that
 * began on the old site finishes on the old site.
 */

typedef struct tree {
	unsigned refs;
	char *dir; /* canonical path of the build folder */
} tree;

/* A file of a snapshot that differs from its tree's copy: what a one-page rebuild made (the
 * page, the search index). Trees are never changed once published, so a one-page rebuild
 * publishes the same tree with these on top; each snapshot owns its own, sorted by rel. */
typedef struct overlay_file {
	char *rel;
	char *data;
	size_t len;
} overlay_file;

typedef struct snapshot {
	unsigned refs;
	unsigned long build;
	tree *site;
	overlay_file *files; /* the snapshot's files that are not its tree's */
	size_t n_files;
	char *base;       /* "" or "/hub" */
	char *error_page; /* a failed build's page (with the reload script), or NULL */
	size_t error_len;
} snapshot;

typedef struct server {
	const hg_serve_options *opt;
	hg_build_options build; /* opt->build, with each build's destination */
	char *tmp;              /* $TMPDIR/.hubgen-serve-XXXXXX: every build folder is in it */
	char *base;             /* the base path for the next build */
	bool base_fixed;        /* from --base-url, not the config */
	unsigned long next_build;
	char *last_diags; /* the last build's diagnostics, as printed */
	char *origin;     /* "http://127.0.0.1:4000", once listening */

	pthread_mutex_t lock; /* guards what follows and every refs count */
	pthread_cond_t changed;
	snapshot *current;
	unsigned long build_id; /* current->build */
	bool stopping;
	unsigned sse_clients;
	hg_session *session; /* the last good build, for one-page rebuilds (NULL: none) */
} server;

static snapshot *snapshot_acquire(server *sv)
{
	pthread_mutex_lock(&sv->lock);
	snapshot *s = sv->current;
	if (s)
		s->refs++;
	pthread_mutex_unlock(&sv->lock);
	return s;
}

static void tree_delete(tree *t)
{
	if (!t)
		return;
	hg_fs_remove_tree(t->dir);
	free(t->dir);
	free(t);
}

static void snapshot_release(server *sv, snapshot *s)
{
	if (!s)
		return;
	tree *dead = NULL;
	pthread_mutex_lock(&sv->lock);
	bool last = --s->refs == 0;
	if (last && s->site && --s->site->refs == 0)
		dead = s->site;
	pthread_mutex_unlock(&sv->lock);
	if (!last)
		return;
	tree_delete(dead);
	for (size_t i = 0; i < s->n_files; i++) {
		free(s->files[i].rel);
		free(s->files[i].data);
	}
	free(s->files);
	free(s->base);
	free(s->error_page);
	free(s);
}

static int overlay_cmp(const void *a, const void *b)
{
	return strcmp(((const overlay_file *)a)->rel, ((const overlay_file *)b)->rel);
}

static const overlay_file *overlay_find(const snapshot *s, const char *rel)
{
	if (!s->n_files)
		return NULL;
	overlay_file key = {(char *)rel, NULL, 0};
	return bsearch(&key, s->files, s->n_files, sizeof key, overlay_cmp);
}

/* Makes s the snapshot every new request uses, and wakes the event streams. */
static void snapshot_publish(server *sv, snapshot *s)
{
	s->refs = 1;
	pthread_mutex_lock(&sv->lock);
	snapshot *old = sv->current;
	sv->current = s;
	sv->build_id = s->build;
	pthread_cond_broadcast(&sv->changed);
	pthread_mutex_unlock(&sv->lock);
	snapshot_release(sv, old);
}

/* The last good tree, with a reference for the caller, or NULL. */
static tree *tree_retain_current(server *sv)
{
	pthread_mutex_lock(&sv->lock);
	tree *t = sv->current ? sv->current->site : NULL;
	if (t)
		t->refs++;
	pthread_mutex_unlock(&sv->lock);
	return t;
}

/* The canonical path of rel inside t, or NULL if it does not exist or a symbolic link
 * leads out of the tree (compared with a '/' boundary: /tmp/site-10 is not in /tmp/site-1). */
static char *real_in_tree(const tree *t, const char *rel)
{
	char *full = *rel ? hg_path_join(t->dir, rel) : hg_xstrdup(t->dir);
	char *real = hg_fs_realpath(full);
	free(full);
	if (real && !hg_path_inside(real, t->dir)) {
		free(real);
		return NULL;
	}
	return real;
}

static hg_serve_kind probe_tree(void *ud, const char *rel)
{
	char *real = real_in_tree(ud, rel);
	if (!real)
		return HG_SERVE_NONE;
	struct stat st;
	hg_serve_kind kind = HG_SERVE_NONE;
	if (stat(real, &st) == 0)
		kind = S_ISREG(st.st_mode) ? HG_SERVE_FILE : S_ISDIR(st.st_mode) ? HG_SERVE_DIR : HG_SERVE_NONE;
	free(real);
	return kind;
}

/* ==== the error page ==== */

static void add_reload_tag(hg_buf *b, unsigned long build)
{
	hg_buf_addf(b, "<script src=\"/__hubgen/reload.js?build=%lu\"></script>", build);
}

/* The page every HTML request gets while the last build failed: an NHS.UK error summary
 * of the errors, styled by the last good build's copy of the NHS.UK CSS when there is one. */
static char *error_page(const hg_diags *d, const char *base, bool have_css, unsigned long build, size_t *len)
{
	hg_buf b = HG_BUF_INIT;
	hg_buf_adds(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
			"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
			"<title>Error: the site could not be built - hubgen</title>\n");
	if (have_css) {
		hg_buf_adds(&b, "<link rel=\"stylesheet\" href=\"");
		hg_buf_add_html_escaped(&b, base, strlen(base));
		hg_buf_adds(&b, "/" THEME_CSS "\">\n");
	}
	hg_buf_adds(&b, "</head>\n<body>\n<div class=\"nhsuk-width-container\">\n"
			"<main class=\"nhsuk-main-wrapper\" id=\"maincontent\" role=\"main\">\n"
			"<div class=\"nhsuk-error-summary\" aria-labelledby=\"error-summary-title\" role=\"alert\" "
			"tabindex=\"-1\"><h2 class=\"nhsuk-error-summary__title\" id=\"error-summary-title\">There is a "
			"problem</h2><div class=\"nhsuk-error-summary__body\"><ul class=\"nhsuk-list "
			"nhsuk-error-summary__list\">");
	size_t listed = 0, errors = 0;
	for (size_t i = 0; i < hg_diags_len(d); i++) {
		const hg_diag *g = hg_diags_get(d, i);
		if (g->sev != HG_ERROR)
			continue;
		if (errors++ >= MAX_LISTED)
			continue;
		listed++;
		hg_buf line = HG_BUF_INIT;
		if (g->path)
			hg_buf_addf(&line, "%s:%u:%u: ", g->path, g->line ? g->line : 1, g->col ? g->col : 1);
		hg_buf_adds(&line, g->msg);
		hg_buf_adds(&b, "<li>");
		hg_buf_add_html_escaped(&b, line.ptr, line.len);
		if (g->note) {
			hg_buf_adds(&b, "<br>");
			hg_buf_add_html_escaped(&b, g->note, strlen(g->note));
		}
		hg_buf_adds(&b, "</li>");
		hg_buf_release(&line);
	}
	if (errors > listed)
		hg_buf_addf(&b, "<li>and %zu more (see the terminal)</li>", errors - listed);
	if (!errors)
		hg_buf_adds(&b, "<li>the build failed (see the terminal)</li>");
	hg_buf_adds(&b, "</ul></div></div>\n"
			"<h1 class=\"nhsuk-heading-l\">The site could not be built</h1>\n"
			"<p class=\"nhsuk-body\">Fix the problem and save the file. This page reloads by itself "
			"when the site builds again.</p>\n</main>\n</div>\n");
	add_reload_tag(&b, build);
	hg_buf_adds(&b, "\n</body>\n</html>\n");
	return hg_buf_detach(&b, len);
}

/* ==== answering requests ==== */

static const char reload_js[] =
	"/* hubgen serve: reloads the page when the site has been built again. Only the preview\n"
	"   server sends this file; `hubgen build` output never refers to it. */\n"
	"(function () {\n"
	"  \"use strict\";\n"
	"  if (!window.EventSource) return;\n"
	"  var script = document.currentScript;\n"
	"  var m = script && /[?&]build=(\\d+)/.exec(script.src);\n"
	"  var source = new EventSource(\"/__hubgen/events\" + (m ? \"?since=\" + m[1] : \"\"));\n"
	"  source.addEventListener(\"reload\", function () {\n"
	"    source.close();\n"
	"    window.location.reload();\n"
	"  });\n"
	"})();\n";

/* Response headers are written by hand rather than with mg_response_header_*: civetweb
 * 1.15 formats its Date header with gmtime(), whose static buffer its worker threads share
 * (ThreadSanitizer finds the race). Every answer closes its connection (no keep-alive).
 *
 * head_start begins the headers every answer has in h; the caller may head_add more, then
 * head_send writes them. len < 0: no Content-Length (a stream). */
static void head_start(hg_buf *h, struct mg_connection *c, int status, const char *type, long long len)
{
	hg_buf_init(h);
	hg_buf_addf(h, "HTTP/1.1 %d %s\r\n", status, mg_get_response_code_text(c, status));
	if (type)
		hg_buf_addf(h, "Content-Type: %s\r\n", type);
	if (len >= 0)
		hg_buf_addf(h, "Content-Length: %lld\r\n", len);
	hg_buf_adds(h, "Cache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\n");
}

/* value must not hold CR or LF (every caller's is a constant or URL-escaped). */
static void head_add(hg_buf *h, const char *name, const char *value)
{
	hg_buf_addf(h, "%s: %s\r\n", name, value);
}

static void head_send(hg_buf *h, struct mg_connection *c)
{
	time_t now = time(NULL);
	struct tm tm;
	char date[64];
	if (gmtime_r(&now, &tm) && strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm))
		head_add(h, "Date", date);
	hg_buf_adds(h, "Connection: close\r\n\r\n");
	mg_write(c, h->ptr, h->len);
	hg_buf_release(h);
}

static int send_bytes(struct mg_connection *c, bool head, int status, const char *type, const char *body,
		      size_t len)
{
	hg_buf h;
	head_start(&h, c, status, type, (long long)len);
	head_send(&h, c);
	if (!head && len)
		mg_write(c, body, len);
	return status;
}

static int send_text(struct mg_connection *c, bool head, int status, const char *text)
{
	return send_bytes(c, head, status, "text/plain; charset=utf-8", text, strlen(text));
}

/* Appends to a Location header, escaping what is not plain in a URL: a decoded path (every
 * '%' escaped), or a query as the client sent it (its escapes kept). */
static void add_location_part(hg_buf *b, const char *s, bool query)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("-._~/!$&'()*+,;=:@", c) || (query && strchr("%?", c)))
			hg_buf_addc(b, (char)c);
		else
			hg_buf_addf(b, "%%%02X", c);
	}
}

/* path: where to go, starting with one '/' (never "//": that would leave the site). */
static int send_redirect(struct mg_connection *c, bool head, int status, const char *path, const char *query)
{
	hg_buf loc = HG_BUF_INIT;
	add_location_part(&loc, path, false);
	if (query && *query) {
		hg_buf_addc(&loc, '?');
		add_location_part(&loc, query, true);
	}
	hg_buf h;
	head_start(&h, c, status, "text/plain; charset=utf-8", 0);
	head_add(&h, "Location", loc.ptr);
	head_send(&h, c);
	hg_buf_release(&loc);
	return status;
}

/* Reads the rest of fd into out. (Straight into the buffer: civetweb's worker threads have
 * 100 KiB stacks, no room for big local arrays.) */
static bool read_fd(int fd, hg_buf *out, size_t size_hint)
{
	hg_buf_grow(out, size_hint ? size_hint : 4096);
	for (;;) {
		if (out->cap - out->len < 2)
			hg_buf_grow(out, out->len);
		ssize_t r = read(fd, out->ptr + out->len, out->cap - out->len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return false;
		if (r == 0)
			return true;
		out->len += (size_t)r;
		out->ptr[out->len] = '\0';
	}
}

static bool is_html(const char *rel)
{
	return !strncmp(hg_serve_content_type(rel), "text/html", 9);
}

/* Sends the file at rel in the snapshot's tree; HTML gets the reload script. Returns 0 if
 * the file cannot be opened (the caller answers 404). */
static int send_file(struct mg_connection *c, bool head, const snapshot *s, const char *rel, int status)
{
	const overlay_file *of = overlay_find(s, rel);
	if (of) {
		const char *type = hg_serve_content_type(rel);
		if (!is_html(rel))
			return send_bytes(c, head, status, type, of->data, of->len);
		hg_buf out = HG_BUF_INIT, tag = HG_BUF_INIT;
		add_reload_tag(&tag, s->build);
		hg_serve_inject(of->data, of->len, tag.ptr, &out);
		send_bytes(c, head, status, type, out.ptr, out.len);
		hg_buf_release(&out);
		hg_buf_release(&tag);
		return status;
	}
	char *real = real_in_tree(s->site, rel);
	int fd = real ? open(real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) : -1;
	free(real);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	const char *type = hg_serve_content_type(rel);
	if (is_html(rel)) {
		hg_buf html = HG_BUF_INIT, out = HG_BUF_INIT, tag = HG_BUF_INIT;
		bool ok = read_fd(fd, &html, (size_t)st.st_size + 1);
		close(fd);
		if (!ok) {
			hg_buf_release(&html);
			return send_text(c, head, 500, "cannot read the file\n");
		}
		add_reload_tag(&tag, s->build);
		hg_serve_inject(html.ptr, html.len, tag.ptr, &out);
		send_bytes(c, head, status, type, out.ptr, out.len);
		hg_buf_release(&html);
		hg_buf_release(&out);
		hg_buf_release(&tag);
		return status;
	}
	hg_buf h;
	head_start(&h, c, status, type, (long long)st.st_size);
	head_send(&h, c);
	if (!head) {
		size_t cap = 65536;
		char *buf = hg_xmalloc(cap); /* not on the worker's small stack */
		for (;;) {
			ssize_t r = read(fd, buf, cap);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0 || mg_write(c, buf, (size_t)r) <= 0)
				break;
		}
		free(buf);
	}
	close(fd);
	return status;
}

static int send_error_page(struct mg_connection *c, bool head, const snapshot *s)
{
	return send_bytes(c, head, 500, "text/html; charset=utf-8", s->error_page, s->error_len);
}

static int send_not_found(struct mg_connection *c, bool head, const snapshot *s)
{
	if (s->error_page)
		return send_error_page(c, head, s);
	int status = s->site ? send_file(c, head, s, "404.html", 404) : 0;
	return status ? status : send_text(c, head, 404, "not found\n");
}

/* A page's own files, from snapshot s. */
static int serve_site(struct mg_connection *c, bool head, const snapshot *s, const char *raw, const char *query)
{
	hg_buf rel = HG_BUF_INIT, file = HG_BUF_INIT, to = HG_BUF_INIT;
	int status;
	int r = hg_serve_resolve_path(raw, s->base, &rel);
	if (r == HG_SERVE_PATH_REDIRECT) {
		status = send_redirect(c, head, 302, rel.ptr, query);
	} else if (r != HG_SERVE_PATH_OK || !s->site) {
		status = send_not_found(c, head, s);
	} else {
		switch (hg_serve_map_path(rel.ptr, probe_tree, s->site, &file)) {
		case HG_SERVE_MAP_FILE:
			if (s->error_page && is_html(file.ptr))
				status = send_error_page(c, head, s);
			else if (!(status = send_file(c, head, s, file.ptr, 200)))
				status = send_not_found(c, head, s);
			break;
		case HG_SERVE_MAP_REDIRECT:
			hg_buf_adds(&to, s->base);
			hg_buf_addc(&to, '/');
			hg_buf_adds(&to, file.ptr);
			status = send_redirect(c, head, 301, to.ptr, query);
			break;
		default:
			status = send_not_found(c, head, s);
			break;
		}
	}
	hg_buf_release(&rel);
	hg_buf_release(&file);
	hg_buf_release(&to);
	return status;
}

/* The build number a page was served with: ?since=N, or Last-Event-ID when the browser
 * reconnects by itself; 0 if neither. */
static unsigned long events_since(struct mg_connection *c, const char *query)
{
	const char *v = NULL;
	for (const char *q = query; q && *q; q += strcspn(q, "&"), q += *q == '&') {
		if (!strncmp(q, "since=", 6))
			v = q + 6;
	}
	if (!v)
		v = mg_get_header(c, "Last-Event-ID");
	return v ? strtoul(v, NULL, 10) : 0;
}

/* /__hubgen/events: a server-sent event stream. It sends `event: reload` as soon as the
 * current build is not the one the page was served with, then ends (the page reloads and
 * opens a new stream); meanwhile a comment every 15 s keeps proxies from closing it and
 * finds clients that went away. */
static int serve_events(server *sv, struct mg_connection *c, bool head, const char *query)
{
	unsigned long since = events_since(c, query);
	pthread_mutex_lock(&sv->lock);
	bool counted = sv->sse_clients < SSE_MAX && !sv->stopping;
	if (counted)
		sv->sse_clients++;
	unsigned long seen = since ? since : sv->build_id;
	pthread_mutex_unlock(&sv->lock);

	hg_buf h;
	head_start(&h, c, 200, "text/event-stream; charset=utf-8", -1);
	head_send(&h, c);
	if (head)
		goto done;
	/* too many streams: the browser comes back after the retry time, a cheap poll */
	if (mg_printf(c, "retry: %d\n\n", counted ? 1000 : 3000) <= 0)
		goto done;
	for (;;) {
		struct timespec deadline;
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_sec += KEEPALIVE_MS / 1000;
		pthread_mutex_lock(&sv->lock);
		int rc = 0;
		while (counted && !sv->stopping && sv->build_id == seen && rc != ETIMEDOUT)
			rc = pthread_cond_timedwait(&sv->changed, &sv->lock, &deadline);
		bool stop = sv->stopping;
		unsigned long id = sv->build_id;
		pthread_mutex_unlock(&sv->lock);
		if (id != seen) {
			mg_printf(c, "event: reload\nid: %lu\ndata: %lu\n\n", id, id);
			break;
		}
		if (stop || !counted || mg_printf(c, ": keep-alive\n\n") <= 0)
			break;
	}
done:
	if (counted) {
		pthread_mutex_lock(&sv->lock);
		sv->sse_clients--;
		pthread_mutex_unlock(&sv->lock);
	}
	return 200;
}

/* civetweb's begin_request: every request, on a worker thread. */
static int on_request(struct mg_connection *c)
{
	const struct mg_request_info *ri = mg_get_request_info(c);
	server *sv = ri->user_data;
	bool head = !strcmp(ri->request_method, "HEAD");
	if (!head && strcmp(ri->request_method, "GET") != 0) {
		static const char msg[] = "method not allowed: the preview answers GET and HEAD\n";
		hg_buf h;
		head_start(&h, c, 405, "text/plain; charset=utf-8", (long long)(sizeof msg - 1));
		head_add(&h, "Allow", "GET, HEAD");
		head_send(&h, c);
		mg_write(c, msg, sizeof msg - 1);
		return 405;
	}
	/* with decode_url=no this is the path exactly as sent, query removed */
	const char *raw = ri->local_uri_raw;
	if (!raw || raw[0] != '/')
		return send_text(c, head, 400, "bad request\n");
	if (hg_starts_with(raw, "/__hubgen/")) {
		if (!strcmp(raw, "/__hubgen/reload.js"))
			return send_bytes(c, head, 200, "text/javascript; charset=utf-8", reload_js,
					  sizeof reload_js - 1);
		if (!strcmp(raw, "/__hubgen/events"))
			return serve_events(sv, c, head, ri->query_string);
		return send_text(c, head, 404, "not found\n");
	}
	snapshot *s = snapshot_acquire(sv);
	if (!s) { /* the first build is running */
		static const char msg[] = "the site is being built\n";
		hg_buf h;
		head_start(&h, c, 503, "text/plain; charset=utf-8", (long long)(sizeof msg - 1));
		head_add(&h, "Retry-After", "1");
		head_send(&h, c);
		if (!head)
			mg_write(c, msg, sizeof msg - 1);
		return 503;
	}
	int status = serve_site(c, head, s, raw, ri->query_string);
	snapshot_release(sv, s);
	return status;
}

static int on_log(const struct mg_connection *c, const char *message)
{
	return 1; /* civetweb's own messages are not for the user; failures surface as errors here */
}

/* ==== building ==== */

static void print_diags(server *sv, hg_diags *d)
{
	hg_diags_sort(d);
	hg_diags_print(d, sv->opt->log, sv->opt->color, false);
}

/* Prints a build's diagnostics, except that a good build's warnings are not printed again
 * when they are exactly the last build's: a site with one old warning should not fill the
 * terminal with it on every save. Returns true if it left them out. */
static bool print_build_diags(server *sv, hg_diags *d, bool ok)
{
	hg_diags_sort(d);
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	if (!mem) {
		hg_diags_print(d, sv->opt->log, sv->opt->color, false);
		return false;
	}
	hg_diags_print(d, mem, false, false);
	fclose(mem);
	bool repeated = ok && sv->last_diags && !strcmp(text, sv->last_diags);
	if (!repeated)
		hg_diags_print(d, sv->opt->log, sv->opt->color, false);
	free(sv->last_diags);
	sv->last_diags = text;
	return repeated && len;
}

/* The base path the config asks for (when --base-url does not say). It takes a site load
 * (config → model), so it runs only at the start and when a YAML file at the top of the
 * source folder changed. */
static void read_base(server *sv)
{
	if (sv->base_fixed)
		return;
	hg_build_options o = sv->build;
	o.check_only = true;
	char *dest = hg_path_join(sv->tmp, "unused");
	o.destination = dest;
	hg_diags *d = hg_diags_new();
	hg_site *s = hg_site_load(&o, d);
	if (s) {
		free(sv->base);
		sv->base = hg_xstrdup(s->config.baseurl ? s->config.baseurl : "");
		hg_site_free(s);
	}
	hg_diags_free(d); /* the build reports them */
	free(dest);
}

static bool config_changed(const hg_watch_changes *ch)
{
	if (ch->all)
		return true;
	for (size_t i = 0; i < ch->len; i++) {
		const char *p = ch->paths[i];
		if (!strchr(p, '/') && (hg_ends_with(p, ".yml") || hg_ends_with(p, ".yaml")))
			return true;
	}
	return false;
}

static void describe_changes(hg_buf *b, const hg_watch_changes *ch)
{
	if (ch->all || !ch->len) {
		hg_buf_adds(b, "changes");
		return;
	}
	hg_buf_addf(b, "a change to %s", ch->paths[0]);
	if (ch->len > 1)
		hg_buf_addf(b, " and %zu more", ch->len - 1);
}

/* ==== one-page rebuilds ====
 * Issue 5: a change to the body of ordinary pages re-renders those pages alone, in the
 * session the last good build kept (hg_build_update says when that is enough), and the
 * new bytes go on top of the current snapshot's tree as its overlay. Anything else — front
 * matter, layouts, includes, data, config, new or deleted files, posts — builds
 * everything into a new tree, as does any error (the error page comes from a whole build,
 * so what it shows is what `hubgen build` would say). */
typedef struct overlay_set {
	overlay_file *files;
	size_t n, cap;
} overlay_set;

static void overlay_put(void *ud, const char *rel, const char *data, size_t len)
{
	overlay_set *o = ud;
	for (size_t i = 0; i < o->n; i++)
		if (!strcmp(o->files[i].rel, rel)) {
			free(o->files[i].data);
			o->files[i].data = hg_xstrndup(data, len);
			o->files[i].len = len;
			return;
		}
	HG_GROW(o->files, o->cap, o->n + 1);
	o->files[o->n++] = (overlay_file){hg_xstrdup(rel), hg_xstrndup(data, len), len};
}

/* Tries a one-page rebuild; false when the change needs a whole build. */
static bool rebuild_pages(server *sv, const hg_watch_changes *ch)
{
	if (!sv->session || ch->all || !ch->len || config_changed(ch))
		return false;
	double t0 = now_ms();
	snapshot *cur = sv->current; /* only this thread changes it */
	if (!cur || cur->error_page || !cur->site)
		return false;
	overlay_set o = {0};
	for (size_t i = 0; i < cur->n_files; i++)
		overlay_put(&o, cur->files[i].rel, cur->files[i].data, cur->files[i].len);
	hg_diags *d = hg_diags_new();
	hg_update_result r = hg_build_update(sv->session, (const char *const *)ch->paths, ch->len, d, overlay_put, &o);
	if (r != HG_UPDATE_DONE) {
		/* a whole build follows: it reports what there is to report */
		if (r == HG_UPDATE_ERROR) {
			hg_session_free(sv->session); /* it may hold the failed page's new text */
			sv->session = NULL;
		}
		for (size_t i = 0; i < o.n; i++) {
			free(o.files[i].rel);
			free(o.files[i].data);
		}
		free(o.files);
		hg_diags_free(d);
		return false;
	}
	bool repeated = print_build_diags(sv, d, true);
	snapshot *s = hg_xcalloc(1, sizeof *s);
	s->build = sv->next_build++;
	s->base = hg_xstrdup(cur->base);
	s->site = tree_retain_current(sv);
	qsort(o.files, o.n, sizeof *o.files, overlay_cmp);
	s->files = o.files;
	s->n_files = o.n;
	size_t warnings = hg_diags_count(d, HG_WARNING);
	hg_buf what = HG_BUF_INIT;
	describe_changes(&what, ch);
	fprintf(sv->opt->log, "hubgen: rebuilt after %s in %.0f ms (that page only)", what.ptr, now_ms() - t0);
	hg_buf_release(&what);
	if (warnings)
		fprintf(sv->opt->log, ", %zu warning%s%s", warnings, warnings == 1 ? "" : "s",
			repeated ? " (as before)" : "");
	fputc('\n', sv->opt->log);
	fflush(sv->opt->log);
	hg_diags_free(d);
	snapshot_publish(sv, s);
	return true;
}

/* Builds the site into a new folder and makes it current; on failure makes the error page
 * current, keeping the last good tree for its assets. ch says what changed (NULL: the first
 * build); a change to pages' bodies alone is a one-page rebuild (rebuild_pages). */
static void rebuild(server *sv, const hg_watch_changes *ch)
{
	FILE *log = sv->opt->log;
	if (ch && rebuild_pages(sv, ch))
		return;
	if (ch && config_changed(ch))
		read_base(sv);
	unsigned long id = sv->next_build++;
	char *name = hg_xasprintf("site-%lu", id);
	char *dest = hg_path_join(sv->tmp, name);
	free(name);
	sv->build.destination = dest;
	sv->build.check_only = false;
	/* a file may change while it builds: the texts read at load time are the ones used */
	sv->build.keep_texts = true;

	hg_diags *d = hg_diags_new();
	hg_build_summary sum;
	hg_session_free(sv->session); /* the next one-page rebuild starts from this build */
	sv->session = NULL;
	hg_build_result res = hg_build_keep(&sv->build, d, &sum, &sv->session);
	sv->build.destination = NULL;
	bool repeated = print_build_diags(sv, d, res == HG_BUILD_OK);

	snapshot *s = hg_xcalloc(1, sizeof *s);
	s->build = id;
	s->base = hg_xstrdup(sv->base);
	char *real = res == HG_BUILD_OK ? hg_fs_realpath(dest) : NULL;
	if (res == HG_BUILD_OK && !real) { /* built, but the folder vanished */
		hg_error(d, NULL, 0, 0, "cannot find the site just built in '%s': %s", dest, strerror(errno));
		fprintf(log, "hubgen: error: cannot find the site just built in '%s': %s\n", dest, strerror(errno));
	}
	if (real) {
		s->site = hg_xcalloc(1, sizeof *s->site);
		s->site->refs = 1;
		s->site->dir = real;
		size_t warnings = hg_diags_count(d, HG_WARNING);
		if (ch) {
			hg_buf what = HG_BUF_INIT;
			describe_changes(&what, ch);
			fprintf(log, "hubgen: rebuilt after %s in %.0f ms", what.ptr, sum.ms);
			hg_buf_release(&what);
		} else {
			fprintf(log, "hubgen: built %zu page%s and %zu file%s in %.0f ms", sum.pages,
				sum.pages == 1 ? "" : "s", sum.files, sum.files == 1 ? "" : "s", sum.ms);
		}
		if (warnings)
			fprintf(log, ", %zu warning%s%s", warnings, warnings == 1 ? "" : "s",
				repeated ? " (as before)" : "");
		fputc('\n', log);
	} else {
		s->site = tree_retain_current(sv);
		bool css = s->site && probe_tree(s->site, THEME_CSS) == HG_SERVE_FILE;
		s->error_page = error_page(d, s->base, css, id, &s->error_len);
		size_t errors = hg_diags_count(d, HG_ERROR);
		fprintf(log, "hubgen: %zu error%s; pages show %s until the site builds again\n", errors,
			errors == 1 ? "" : "s", errors == 1 ? "it" : "them");
	}
	/* no lock needed to read sv->current: only this thread changes it */
	if (sv->origin && sv->current && strcmp(sv->current->base, s->base) != 0)
		fprintf(log, "hubgen: the base path changed: the site is now at %s%s/\n", sv->origin, s->base);
	fflush(log);
	hg_diags_free(d);
	free(dest);
	snapshot_publish(sv, s);
}

/* ==== the address ==== */

typedef struct address {
	char spec[96];     /* for civetweb: "127.0.0.1:4000", "[::1]:4000" */
	char url_host[80]; /* for the printed URL */
	bool loopback, any;
	int family;        /* AF_INET or AF_INET6, with the address to reach the server on: */
	struct in_addr in4;
	struct in6_addr in6;
} address;

static bool parse_host(const char *host, int port, address *a)
{
	if (!host || !strcmp(host, "localhost"))
		host = "127.0.0.1";
	char v6[64];
	size_t n = strlen(host);
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof v6) {
		memcpy(v6, host + 1, n - 2);
		v6[n - 2] = '\0';
	} else {
		snprintf(v6, sizeof v6, "%s", host);
	}
	struct in_addr in4;
	struct in6_addr in6;
	if (inet_pton(AF_INET, host, &in4) == 1) {
		uint32_t ip = ntohl(in4.s_addr);
		a->loopback = (ip >> 24) == 127;
		a->any = ip == 0;
		snprintf(a->spec, sizeof a->spec, "%s:%d", host, port);
		snprintf(a->url_host, sizeof a->url_host, "%s", a->any ? "127.0.0.1" : host);
		a->family = AF_INET;
		a->in4 = in4;
		if (a->any)
			a->in4.s_addr = htonl(INADDR_LOOPBACK);
		return true;
	}
	if (inet_pton(AF_INET6, v6, &in6) == 1) {
		a->loopback = IN6_IS_ADDR_LOOPBACK(&in6);
		a->any = IN6_IS_ADDR_UNSPECIFIED(&in6);
		snprintf(a->spec, sizeof a->spec, "[%s]:%d", v6, port);
		snprintf(a->url_host, sizeof a->url_host, "[%s]", a->any ? "::1" : v6);
		a->family = AF_INET6;
		a->in6 = a->any ? in6addr_loopback : in6;
		return true;
	}
	return false;
}

/* Listening beyond this machine is sometimes what a user wants (a phone on the same
 * network), but never by accident: the preview serves drafts and has no access control. */
static void warn_exposed(FILE *log, bool color, const char *host)
{
	const char *on = color ? "\033[1;35m" : "", *off = color ? "\033[0m" : "";
	fprintf(log,
		"%shubgen: warning: the preview is reachable from other machines (listening on %s)%s\n"
		"  anyone who can reach this machine on the network can read the site, drafts included;\n"
		"  leave out --host (or use --host 127.0.0.1) to keep it on this machine\n",
		on, host, off);
}

/* --open: the desktop's browser, if there is one. Returns its pid, or 0. */
static pid_t open_browser(const char *url, FILE *log)
{
	posix_spawnattr_t attr;
	posix_spawnattr_init(&attr);
	/* we block SIGINT and ignore SIGPIPE; the browser must not inherit either */
	sigset_t none, pipe;
	sigemptyset(&none);
	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &pipe);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	pid_t pid = 0;
	char *argv[] = {"xdg-open", (char *)url, NULL};
	int err = posix_spawnp(&pid, "xdg-open", NULL, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	if (err) {
		fprintf(log, "hubgen: --open: cannot run xdg-open (%s); open the address yourself\n", strerror(err));
		return 0;
	}
	return pid;
}

/* ==== the server's life ==== */

/* civetweb's listening thread looks at its stop flag only between polls of 2 s, so
 * mg_stop takes up to that long. To make Ctrl-C quick, mg_stop runs on a thread of its own
 * while this one knocks on the server's port, which ends the poll at once. */
typedef struct stopper {
	struct mg_context *ctx;
	atomic_bool done;
} stopper;

static void *stop_thread(void *ud)
{
	stopper *st = ud;
	mg_stop(st->ctx);
	atomic_store(&st->done, true);
	return NULL;
}

static void knock(const address *a, int port)
{
	int fd = socket(a->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (a->family == AF_INET) {
		struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr = a->in4};
		connect(fd, (struct sockaddr *)&sin, sizeof sin);
	} else {
		struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
		sin6.sin6_addr = a->in6;
		connect(fd, (struct sockaddr *)&sin6, sizeof sin6);
	}
	close(fd);
}

static void stop_server(struct mg_context *ctx, const address *a, int port)
{
	stopper st = {ctx, false};
	pthread_t t;
	if (pthread_create(&t, NULL, stop_thread, &st) != 0) {
		mg_stop(ctx);
		return;
	}
	const struct timespec pause = {0, 20 * 1000000};
	while (!atomic_load(&st.done)) {
		nanosleep(&pause, NULL);
		if (!atomic_load(&st.done))
			knock(a, port);
	}
	pthread_join(t, NULL);
}

static void serve_loop(server *sv, hg_watch *w, int sigfd)
{
	hg_watch_changes ch = {0};
	bool pending = false;
	double first = 0, deadline = 0;
	for (;;) {
		struct pollfd fds[2] = {{sigfd, POLLIN, 0}, {w ? hg_watch_fd(w) : -1, POLLIN, 0}};
		int timeout = -1;
		if (pending) {
			double left = deadline - now_ms();
			timeout = left > 0 ? (int)left + 1 : 0;
		}
		int r = poll(fds, 2, timeout);
		if (r < 0 && errno != EINTR)
			break;
		if (r > 0 && (fds[0].revents & POLLIN)) {
			struct signalfd_siginfo si;
			if (read(sigfd, &si, sizeof si) == (ssize_t)sizeof si)
				break; /* SIGINT, SIGTERM or SIGHUP: consumed, so it cannot strike later */
		}
		if (r > 0 && (fds[1].revents & POLLIN)) {
			hg_diags *d = hg_diags_new();
			size_t n = hg_watch_read(w, &ch, d);
			print_diags(sv, d);
			hg_diags_free(d);
			if (n) {
				double t = now_ms();
				if (!pending)
					first = t;
				pending = true;
				deadline = t + QUIET_MS < first + MAX_WAIT_MS ? t + QUIET_MS : first + MAX_WAIT_MS;
			}
		}
		if (pending && now_ms() >= deadline) {
			rebuild(sv, &ch);
			hg_watch_changes_clear(&ch);
			pending = false;
		}
	}
	hg_watch_changes_clear(&ch);
}

int hg_serve_run(const hg_serve_options *opt)
{
	FILE *log = opt->log ? opt->log : stderr;
	const char *source = opt->build.source && *opt->build.source ? opt->build.source : ".";
	if (!hg_fs_is_dir(source)) {
		fprintf(log, "hubgen: error: source folder '%s' does not exist\n", source);
		return 2;
	}
	if (opt->port < 0 || opt->port > 65535) {
		fprintf(log, "hubgen: error: --port takes a number from 0 to 65535\n");
		return 2;
	}
	address addr = {0};
	if (!parse_host(opt->host, opt->port, &addr)) {
		fprintf(log, "hubgen: error: --host takes an IP address such as 127.0.0.1 or ::1, not '%s'\n",
			opt->host);
		return 2;
	}

	if (addr.family == AF_INET6 && !mg_check_feature(8)) {
		fprintf(log, "hubgen: error: cannot listen on '%s': this build's civetweb has no IPv6\n"
			     "  hint: use an IPv4 address, such as 127.0.0.1\n",
			opt->host);
		return 2;
	}

	server sv = {0};
	sv.opt = opt;
	sv.build = opt->build;
	sv.build.source = source;
	sv.base = hg_xstrdup("");
	if (opt->build.base_url) {
		hg_buf b = HG_BUF_INIT;
		if (!hg_base_url_normalize(opt->build.base_url, &b)) {
			fprintf(log, "hubgen: error: --base-url must be a path such as /hub/, not '%s'\n",
				opt->build.base_url);
			hg_buf_release(&b);
			free(sv.base);
			return 2;
		}
		free(sv.base);
		sv.base = hg_buf_detach(&b, NULL);
		sv.base_fixed = true;
	}
	/* build numbers differ between runs, so a page left open from an earlier run reloads */
	sv.next_build = (unsigned long)time(NULL);

	/* A dot name: should TMPDIR lie inside the source, neither the build's scan nor the
	 * watcher looks into a dot folder. */
	const char *tmpdir = getenv("TMPDIR");
	char *tmpl = hg_xasprintf("%s/.hubgen-serve-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (!mkdtemp(tmpl)) {
		fprintf(log, "hubgen: error: cannot create a folder for the preview in '%s': %s\n",
			tmpdir && *tmpdir ? tmpdir : "/tmp", strerror(errno));
		free(tmpl);
		free(sv.base);
		return 2;
	}
	sv.tmp = hg_fs_realpath(tmpl);
	free(tmpl);

	pthread_mutex_init(&sv.lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sv.changed, &ca);
	pthread_condattr_destroy(&ca);

	/* Signals are read from a descriptor in the loop below, so every thread (civetweb's,
	 * the render pool's) starts with them blocked. A Ctrl-C during a build waits for it. */
	sigset_t stop_signals, old_mask;
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	struct sigaction hup;
	if (sigaction(SIGHUP, NULL, &hup) == 0 && hup.sa_handler != SIG_IGN) /* nohup says ignore it */
		sigaddset(&stop_signals, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stop_signals, &old_mask);
	/* A shell starts a background job with SIGINT ignored, and an ignored signal never
	 * reaches a signalfd; `kill -INT` must still stop the server. Blocked, the default
	 * action never runs. */
	struct sigaction dfl = {.sa_handler = SIG_DFL}, old_int, old_term;
	sigaction(SIGINT, &dfl, &old_int);
	sigaction(SIGTERM, &dfl, &old_term);
	int sigfd = signalfd(-1, &stop_signals, SFD_CLOEXEC | SFD_NONBLOCK);
	signal(SIGPIPE, SIG_IGN);

	int code = 0, port_no = opt->port;
	struct mg_context *ctx = NULL;
	hg_watch *w = NULL;
	mg_init_library(0);
	struct mg_callbacks cb = {0};
	cb.begin_request = on_request;
	cb.log_message = on_log;
	char threads[16];
	snprintf(threads, sizeof threads, "%d", THREADS);
	const char *options[] = {
		"listening_ports", addr.spec,
		"num_threads", threads,
		"decode_url", "no", /* hg_serve_resolve_path decodes, exactly once */
		"enable_keep_alive", "no",
		"request_timeout_ms", "10000",
		NULL,
	};
	struct mg_init_data init = {&cb, &sv, options};
	char err_text[256] = "";
	struct mg_error_data err = {NULL, err_text, sizeof err_text};
	if (sigfd < 0) {
		fprintf(log, "hubgen: error: cannot wait for Ctrl-C: %s\n", strerror(errno));
		code = 2;
	} else if (!(ctx = mg_start2(&init, &err))) {
		/* before the first build, so that a busy port is reported at once */
		fprintf(log, "hubgen: error: cannot serve on %s: %s\n", addr.spec, *err_text ? err_text : "unknown error");
		if (opt->port)
			fputs("  hint: another program may be using the port; --port 0 picks a free one\n", log);
		code = 2;
	} else {
		struct mg_server_port port = {0};
		if (mg_get_server_ports(ctx, 1, &port) == 1)
			port_no = port.port;
		/* watching starts before the first build, so an edit made during it is seen */
		hg_diags *d = hg_diags_new();
		w = hg_watch_new(source, sv.tmp, d);
		print_diags(&sv, d);
		hg_diags_free(d);
		if (!w)
			fputs("hubgen: warning: changes will not rebuild the site; restart to see them\n", log);
		read_base(&sv);
		rebuild(&sv, NULL);
		sv.origin = hg_xasprintf("http://%s:%d", addr.url_host, port_no);
		char *url = hg_xasprintf("%s%s/", sv.origin, sv.base);
		if (!addr.loopback)
			warn_exposed(log, opt->color, opt->host);
		fprintf(log, "hubgen: serving %s at %s (Ctrl-C to stop)\n", source, url);
		fflush(log);
		pid_t browser = opt->open ? open_browser(url, log) : 0;
		serve_loop(&sv, w, sigfd);
		if (browser > 0)
			waitpid(browser, NULL, WNOHANG);
		free(url);
		fputs("hubgen: stopping\n", log);
		fflush(log);
	}

	/* stop: wake the event streams so that civetweb's threads can finish, then drop the
	 * last snapshot (its folder goes with it) and the private folder */
	pthread_mutex_lock(&sv.lock);
	sv.stopping = true;
	pthread_cond_broadcast(&sv.changed);
	pthread_mutex_unlock(&sv.lock);
	if (ctx)
		stop_server(ctx, &addr, port_no);
	hg_watch_free(w);
	mg_exit_library();
	snapshot_release(&sv, sv.current);
	sv.current = NULL;
	hg_fs_remove_tree(sv.tmp);
	if (sigfd >= 0)
		close(sigfd);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	pthread_cond_destroy(&sv.changed);
	pthread_mutex_destroy(&sv.lock);
	hg_session_free(sv.session);
	free(sv.tmp);
	free(sv.base);
	free(sv.last_diags);
	free(sv.origin);
	return code;
}
