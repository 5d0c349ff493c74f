/* serve.h — `hubgen serve`: a local preview that is never stale.
 *
 * The server builds the site with hg_build_run into a private folder under $TMPDIR, serves
 * that folder over HTTP (civetweb; only serve.c includes its header), watches the source
 * folder (watch.h) and, after every change, builds again and tells each open page to
 * reload over server-sent events. What it sends is byte for byte what `hubgen build`
 * writes, except for one script tag added before `</body>` of HTML responses.
 *
 * Invariants:
 * - Requests are served from an immutable snapshot: every build goes into a new folder and
 *   a snapshot pointer is switched under a lock; a folder is deleted only when the last
 *   request using it has finished. A request never sees half a build.
 * - A failed build never stops the server: until the next good build every HTML request is
 *   answered (status 500) with an error page listing the diagnostics.
 * - Nothing outside the served folder is ever sent: the request path is percent-decoded
 *   exactly once and checked by hg_serve_resolve_path (pure, below), and the file it names
 *   is checked again after symbolic links are resolved.
 *
 * The server is interactive, so unlike the rest of the library it reports as it goes: to
 * the FILE the caller gives it (main.c passes stderr).
 */
#ifndef HG_SERVE_H
#define HG_SERVE_H

#include <stdbool.h>
#include <stdio.h>

#include "site.h"
#include "util.h"

typedef struct hg_serve_options {
	hg_build_options build; /* source, base_url and drafts are used; destination is ignored */
	const char *host;       /* an IP address or "localhost"; NULL: 127.0.0.1 */
	int port;               /* 0: any free port (the one chosen is printed) */
	bool open;              /* run xdg-open on the URL once serving */
	FILE *log;              /* where the URL, rebuilds and diagnostics go */
	bool color;             /* colour diagnostics on log */
} hg_serve_options;

/* Builds, serves and rebuilds on changes until SIGINT, SIGTERM or SIGHUP; then stops the
 * server and removes its folders. Returns the exit code: 0 after a clean stop, 2 when the
 * source or the address cannot be used (the reason is on log). */
int hg_serve_run(const hg_serve_options *opt);

/* ---- pure parts, unit-tested and fuzzed ---- */

typedef enum hg_serve_path_result {
	HG_SERVE_PATH_BAD = -1,     /* malformed or forbidden: '..', NUL, '\', %2f, a bad escape */
	HG_SERVE_PATH_OK = 0,       /* out_rel: the path below the base, see below */
	HG_SERVE_PATH_REDIRECT = 1, /* out_rel: where to send the client ("/hub/") */
	HG_SERVE_PATH_OUTSIDE = 2,  /* well formed but not under the base path */
} hg_serve_path_result;

/* Turns a raw request target ("/hub/guide/?q" as received, before any decoding) into a
 * path relative to the site root. The query and fragment are dropped; the path is
 * percent-decoded exactly once ("%252e" stays the literal "%2e"); a result holding NUL,
 * control characters or a backslash, an encoded slash ("%2f"), a bad escape, or a "." or
 * ".." segment is refused (HG_SERVE_PATH_BAD). base is "" (or NULL) or a path such as
 * "/hub" or "/hub/": the path must start with it, and "/" or the base without its slash
 * redirect to "BASE/". Empty segments are folded. On HG_SERVE_PATH_OK, out_rel ("" for the
 * root, "guide/" or "guide/page.html") never starts with '/' and keeps a trailing slash. */
int hg_serve_resolve_path(const char *raw_uri, const char *base, hg_buf *out_rel);

typedef enum hg_serve_kind { HG_SERVE_NONE, HG_SERVE_FILE, HG_SERVE_DIR } hg_serve_kind;
/* What lies at rel (relative to the served folder), as the server sees it. */
typedef hg_serve_kind (*hg_serve_probe_fn)(void *ud, const char *rel);

typedef enum hg_serve_map_result {
	HG_SERVE_MAP_NONE = 0,     /* nothing there: 404 */
	HG_SERVE_MAP_FILE = 1,     /* out: the file to send */
	HG_SERVE_MAP_REDIRECT = 2, /* out: rel + "/" (a folder with an index.html) */
} hg_serve_map_result;

/* Maps a resolved path to a file the way static hosts do: "" and "guide/" mean
 * "guide/index.html"; "guide" is the file "guide", else a redirect to "guide/" when
 * guide/index.html exists, else "guide.html". probe answers what exists. */
int hg_serve_map_path(const char *rel, hg_serve_probe_fn probe, void *ud, hg_buf *out);

/* The Content-Type for a file name, by its extension; application/octet-stream when
 * unknown. A static string. */
const char *hg_serve_content_type(const char *name);

/* Copies html into out with tag inserted just before the last "</body>" (any case), or at
 * the end when there is none. */
void hg_serve_inject(const char *html, size_t len, const char *tag, hg_buf *out);

#endif
