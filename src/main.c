/* main.c — the hubgen command: parses the command line, runs the pipeline, prints every
 * diagnostic and chooses the exit code. The only file that prints for the user.
 *
 * Exit codes: 0 built, 1 content errors (a page, a layout, a link), 2 usage or config
 * errors (bad options, unreadable source, bad config).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "doctor.h"
#include "nav.h"
#include "build.h"
#include "serve.h"
#include "site.h"

#include "banned.h"

#define EXIT_CONTENT 1
#define EXIT_USAGE 2
#define PLURAL(n) ((n) == 1 ? "" : "s")

static const char usage_text[] =
	"usage: hubgen <command> [options]\n"
	"\n"
	"commands:\n"
	"  build     build the site into the destination folder\n"
	"  check     build everything and run every check, but write nothing\n"
	"  nav       print the navigation tree (--format text|json) to debug its order\n"
	"  serve     preview the site at http://127.0.0.1:4000/, rebuilt on every change\n"
	"  doctor    list what the site uses that hubgen cannot build as written\n"
	"\n"
	"options for build and check:\n"
	"  -s, --source DIR        the site's folder (default: .)\n"
	"  -d, --destination DIR   where the site is written (default: SOURCE/_site)\n"
	"      --base-url PATH     serve the site under PATH, e.g. /hub/ (overrides baseurl)\n"
	"      --strict            treat warnings as errors (undefined variables are reported)\n"
	"      --drafts            build drafts (draft: true, published: false, _drafts/)\n"
	"  -j, --jobs N            render on N threads (default: one per core)\n"
	"  -q, --quiet             print only warnings and errors\n"
	"  -v, --verbose           print each phase with counts and times\n"
	"\n"
	"  -h, --help              print this help\n"
	"      --version           print the version\n"
	"\n"
	"exit codes: 0 built, 1 content errors, 2 usage or config errors\n";

static const char nav_usage_text[] =
	"usage: hubgen nav [-s|--source DIR] [--format text|json] [--drafts]\n"
	"\n"
	"Prints the navigation tree as hubgen builds it. text: an indented outline with each\n"
	"page's order (- when it has none), URL and source file. json: an array of\n"
	"{\"title\", \"url\", \"order\", \"children\": [...]}.\n";

static const char doctor_usage_text[] =
	"usage: hubgen doctor [-s|--source DIR] [--drafts]\n"
	"\n"
	"A migration report for a Jekyll or Hugo site: every construct hubgen cannot build as\n"
	"written (unknown shortcodes, Liquid tags and filters of plugins, theme keys, kramdown\n"
	"attribute lists it drops, Liquid inside code blocks), as a table of kinds with\n"
	"counts, then every place as path:line:col. Writes nothing.\n"
	"\n"
	"exit codes: 0 nothing to report, 1 the report lists places, 2 usage or config errors\n";

static const char serve_usage_text[] =
	"usage: hubgen serve [-s DIR] [--port N] [--host ADDR] [--open] [--drafts] [--base-url PATH]\n"
	"\n"
	"Builds the site into a private folder and serves it. A change in the source folder\n"
	"rebuilds what it affects (the body of a page: that page alone; anything else: the\n"
	"site) and reloads the open pages. A build error shows on every page until fixed.\n"
	"\n"
	"  -s, --source DIR        the site's folder (default: .)\n"
	"      --port N            the port (default: 4000; 0 picks a free one)\n"
	"      --host ADDR         the address to listen on (default: 127.0.0.1, this machine only)\n"
	"      --open              open the site in the desktop's browser\n"
	"      --drafts            build drafts (draft: true, published: false, _drafts/)\n"
	"      --base-url PATH     serve the site under PATH, e.g. /hub/ (overrides baseurl)\n"
	"\n"
	"Ctrl-C stops the server and removes what it built.\n";

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Progress: with --verbose a line per phase with counts and times; on a terminal, the
 * current phase on one line that is overwritten (cleared before the diagnostics print). */
typedef struct progress_state {
	bool verbose, live;
	double start;
	const char *last;
} progress_state;

static void progress(void *ud, const char *phase, size_t count)
{
	progress_state *ps = ud;
	double t = now_ms() - ps->start;
	if (ps->verbose) {
		if (count)
			fprintf(stderr, "hubgen: %6.0f ms  %s %zu\n", t, phase, count);
		else
			fprintf(stderr, "hubgen: %6.0f ms  %s\n", t, phase);
	} else if (ps->live) {
		fprintf(stderr, "\r\033[Khubgen: %s%s", phase, count ? "…" : "");
		if (count)
			fprintf(stderr, " %zu", count);
		fflush(stderr);
	}
	ps->last = phase;
}

static bool env_is(const char *name, const char *value)
{
	const char *v = getenv(name);
	return v && !strcmp(v, value);
}

static void print_diags(hg_diags *d)
{
	hg_diags_sort(d);
	bool color = isatty(STDERR_FILENO) && !getenv("NO_COLOR");
	hg_diags_print(d, stderr, color, env_is("GITHUB_ACTIONS", "true"));
}

static int usage_error(const char *fmt, const char *arg)
{
	fputs("hubgen: error: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nrun 'hubgen --help' for the options\n", stderr);
	return EXIT_USAGE;
}

static int cmd_build(int argc, char **argv, bool check_only)
{
	hg_build_options opt = {0};
	enum { OPT_BASE_URL = 1000, OPT_STRICT, OPT_DRAFTS };
	static const struct option longs[] = {
		{"source", required_argument, NULL, 's'},
		{"destination", required_argument, NULL, 'd'},
		{"base-url", required_argument, NULL, OPT_BASE_URL},
		{"baseurl", required_argument, NULL, OPT_BASE_URL},
		{"strict", no_argument, NULL, OPT_STRICT},
		{"drafts", no_argument, NULL, OPT_DRAFTS},
		{"jobs", required_argument, NULL, 'j'},
		{"quiet", no_argument, NULL, 'q'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{0, 0, 0, 0},
	};
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, ":s:d:j:qvh", longs, NULL)) != -1) {
		switch (c) {
		case 's': opt.source = optarg; break;
		case 'd': opt.destination = optarg; break;
		case OPT_BASE_URL: opt.base_url = optarg; break;
		case OPT_STRICT: opt.strict = true; break;
		case OPT_DRAFTS: opt.drafts = true; break;
		case 'j': {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || n < 1 || n > 256)
				return usage_error("--jobs takes a number from 1 to 256, not '%s'", optarg);
			opt.jobs = (int)n;
			break;
		}
		case 'q': opt.quiet = true; break;
		case 'v': opt.verbose = true; break;
		case 'h': fputs(usage_text, stdout); return 0;
		case ':': return usage_error("option '%s' needs a value", argv[optind - 1]);
		default: return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	opt.check_only = check_only;

	hg_diags *d = hg_diags_new();
	progress_state ps = {opt.verbose, isatty(STDERR_FILENO) && !opt.quiet, now_ms(), NULL};
	hg_build_summary sum;
	hg_build_result res = hg_build_run(&opt, d, &sum, opt.quiet ? NULL : progress, &ps);
	if (ps.live)
		fputs("\r\033[K", stderr);
	print_diags(d);
	size_t warnings = hg_diags_count(d, HG_WARNING), errors = hg_diags_count(d, HG_ERROR);
	if (res != HG_BUILD_CONFIG_ERROR && (!opt.quiet || errors)) {
		if (res == HG_BUILD_OK && check_only)
			fprintf(stderr, "hubgen: checked %zu page%s and %zu file%s in %.0f ms, %zu warning%s\n", sum.pages,
				PLURAL(sum.pages), sum.files, PLURAL(sum.files), sum.ms, warnings, PLURAL(warnings));
		else if (res == HG_BUILD_OK)
			fprintf(stderr, "hubgen: built %zu page%s and %zu file%s into %s in %.0f ms (%zu written, %zu "
					"unchanged), %zu warning%s\n",
				sum.pages, PLURAL(sum.pages), sum.files, PLURAL(sum.files), sum.dest, sum.ms, sum.written,
				sum.unchanged, warnings, PLURAL(warnings));
		else
			fprintf(stderr, "hubgen: %zu error%s, %zu warning%s; %s\n", errors, PLURAL(errors), warnings,
				PLURAL(warnings), check_only ? "check failed" : "nothing was written");
	}
	hg_diags_free(d);
	return res == HG_BUILD_OK ? 0 : res == HG_BUILD_CONFIG_ERROR ? EXIT_USAGE : EXIT_CONTENT;
}

/* hubgen nav: prints the visible navigation tree, so users can debug their ordering. */
static int cmd_nav(int argc, char **argv)
{
	hg_build_options opt = {0};
	const char *format = "text";
	static const struct option longs[] = {
		{"source", required_argument, NULL, 's'},
		{"format", required_argument, NULL, 'f'},
		{"drafts", no_argument, NULL, 'D'},
		{"help", no_argument, NULL, 'h'},
		{0, 0, 0, 0},
	};
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, ":s:f:h", longs, NULL)) != -1) {
		switch (c) {
		case 's': opt.source = optarg; break;
		case 'f': format = optarg; break;
		case 'D': opt.drafts = true; break;
		case 'h': fputs(nav_usage_text, stdout); return 0;
		case ':': return usage_error("option '%s' needs a value", argv[optind - 1]);
		default: return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (strcmp(format, "json") && strcmp(format, "text"))
		return usage_error("--format is json or text, not '%s'", format);
	opt.check_only = true;
	hg_diags *d = hg_diags_new();
	hg_site *s = hg_site_load(&opt, d);
	if (!s) {
		print_diags(d);
		hg_diags_free(d);
		return EXIT_USAGE;
	}
	hg_nav *nav = hg_nav_build(s, d);
	hg_buf out = HG_BUF_INIT;
	if (!strcmp(format, "json"))
		hg_nav_to_json(nav, &out);
	else
		hg_nav_to_text(nav, &out);
	fwrite(out.ptr, 1, out.len, stdout);
	hg_buf_release(&out);
	print_diags(d);
	int code = hg_diags_count(d, HG_ERROR) ? EXIT_CONTENT : 0;
	hg_nav_free(nav);
	hg_site_free(s);
	hg_diags_free(d);
	return code;
}

/* hubgen doctor: the migration report (doctor.c) on stdout. */
static int cmd_doctor(int argc, char **argv)
{
	hg_build_options opt = {0};
	static const struct option longs[] = {
		{"source", required_argument, NULL, 's'},
		{"drafts", no_argument, NULL, 'D'},
		{"help", no_argument, NULL, 'h'},
		{0, 0, 0, 0},
	};
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, ":s:h", longs, NULL)) != -1) {
		switch (c) {
		case 's': opt.source = optarg; break;
		case 'D': opt.drafts = true; break;
		case 'h': fputs(doctor_usage_text, stdout); return 0;
		case ':': return usage_error("option '%s' needs a value", argv[optind - 1]);
		default: return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	hg_diags *d = hg_diags_new();
	hg_buf report = HG_BUF_INIT;
	size_t others = 0;
	hg_doctor_result res = hg_doctor_run(&opt, d, &report, &others);
	if (res == HG_DOCTOR_CONFIG_ERROR) {
		print_diags(d);
		hg_diags_free(d);
		hg_buf_release(&report);
		return EXIT_USAGE;
	}
	fwrite(report.ptr, 1, report.len, stdout);
	if (others)
		printf("\n%zu other problem%s (broken links, bad front matter…): run 'hubgen check' to see them\n", others,
		       PLURAL(others));
	hg_buf_release(&report);
	hg_diags_free(d);
	return res == HG_DOCTOR_CLEAN ? 0 : EXIT_CONTENT;
}

/* hubgen serve: the preview server (serve.c) until Ctrl-C. */
static int cmd_serve(int argc, char **argv)
{
	hg_serve_options opt = {.port = 4000, .log = stderr};
	enum { OPT_PORT = 1000, OPT_HOST, OPT_OPEN, OPT_DRAFTS, OPT_BASE_URL };
	static const struct option longs[] = {
		{"source", required_argument, NULL, 's'},
		{"port", required_argument, NULL, OPT_PORT},
		{"host", required_argument, NULL, OPT_HOST},
		{"open", no_argument, NULL, OPT_OPEN},
		{"drafts", no_argument, NULL, OPT_DRAFTS},
		{"base-url", required_argument, NULL, OPT_BASE_URL},
		{"baseurl", required_argument, NULL, OPT_BASE_URL},
		{"help", no_argument, NULL, 'h'},
		{0, 0, 0, 0},
	};
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, ":s:h", longs, NULL)) != -1) {
		switch (c) {
		case 's': opt.build.source = optarg; break;
		case OPT_PORT: {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (!*optarg || *end || n < 0 || n > 65535)
				return usage_error("--port takes a number from 0 to 65535, not '%s'", optarg);
			opt.port = (int)n;
			break;
		}
		case OPT_HOST: opt.host = optarg; break;
		case OPT_OPEN: opt.open = true; break;
		case OPT_DRAFTS: opt.build.drafts = true; break;
		case OPT_BASE_URL: opt.build.base_url = optarg; break;
		case 'h': fputs(serve_usage_text, stdout); return 0;
		case ':': return usage_error("option '%s' needs a value", argv[optind - 1]);
		default: return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	opt.build.quiet = true;
	opt.color = isatty(STDERR_FILENO) && !getenv("NO_COLOR");
	return hg_serve_run(&opt);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		printf("hubgen %s\n", HUBGEN_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "build"))
		return cmd_build(argc - 1, argv + 1, false);
	if (!strcmp(cmd, "check"))
		return cmd_build(argc - 1, argv + 1, true);
	if (!strcmp(cmd, "nav"))
		return cmd_nav(argc - 1, argv + 1);
	if (!strcmp(cmd, "serve"))
		return cmd_serve(argc - 1, argv + 1);
	if (!strcmp(cmd, "doctor"))
		return cmd_doctor(argc - 1, argv + 1);
	return usage_error("unknown command '%s'", cmd);
}
