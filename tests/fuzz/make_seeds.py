#!/usr/bin/env python3
"""Writes the seed corpora of tests/fuzz from the project's own inputs.

    python3 tests/fuzz/make_seeds.py        # from the repository root

Each tests/fuzz/<name>/ gets real inputs (named after where they came from) plus a few
hostile ones written here; tests/fuzz/<name>/regressions/ (crashers found by fuzzing,
added by hand) is left alone. Run again after the spec files change; review the diff.
"""
import glob
import os
import re
import shutil

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FUZZ = os.path.join(ROOT, "tests", "fuzz")


def reset(name):
    d = os.path.join(FUZZ, name)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        p = os.path.join(d, f)
        if os.path.isfile(p) and not f.startswith("README"):
            os.remove(p)
    os.makedirs(os.path.join(d, "regressions"), exist_ok=True)
    return d


def write(d, name, data):
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def spec_examples(path):
    """(title, template) of each '### title' example of a spec file."""
    out = []
    text = open(path, encoding="utf-8").read()
    for block in re.split(r"^### ", text, flags=re.M)[1:]:
        title, _, rest = block.partition("\n")
        template = re.split(r"^--- ", rest, flags=re.M)[0].rstrip("\n")
        out.append((title, template))
    return out


def rel(p):
    return os.path.relpath(p, ROOT)


def source_files(patterns):
    files = []
    for pat in patterns:
        files += glob.glob(os.path.join(ROOT, pat), recursive=True)
    return sorted(f for f in set(files) if os.path.isfile(f))


# ---- frontmatter: whole page files, configs and data files
d = reset("frontmatter")
for f in source_files(["content/**/*.md", "tests/sites/*/site/**/*.md", "tests/sites/*/site/**/*.yml",
                       "tests/sites/*/site/**/*.html", "tests/browser/site/**/*.md", "hub.yml"]):
    write(d, rel(f), open(f, "rb").read())
write(d, "hostile-bom-crlf", b"\xef\xbb\xbf---\r\ntitle: x\r\ndate: 2022-06-12 12:00:00 +0100\r\n---\r\nbody\r\n")
write(d, "hostile-unclosed", "---\ntitle: x\nbody\n")
write(d, "hostile-toml", '+++\ntitle = "x"\n+++\nbody\n')
write(d, "hostile-closing-dots", "---\na: 1\n...")
write(d, "hostile-anchors", "---\nbase: &b {a: 1, b: [1, 2]}\nx:\n  <<: *b\n  c: *b\nl: [*b, *b]\n---\n")
write(d, "hostile-deep-flow", "---\nx: " + "[" * 70 + "]" * 70 + "\n---\n")
write(d, "hostile-deep-block", "---\n" + "".join("  " * i + "k:\n" for i in range(70)) + "---\n")
write(d, "hostile-bad-utf8", b"---\ntitle: \xc3\x28 \xed\xa0\x80 \xf4\x90\x80\x80\n---\nbad \xff\x00 byte\n")
write(d, "hostile-nul-escape", '---\npermalink: "/a\\0b/"\ntitle: "\\x00\\u0000"\n---\n')
write(d, "hostile-scalars", "---\na: 4.13\nb: 0x1F\nc: 1_000\nd: .inf\ne: -.NaN\nf: yes\ng: ~\n"
      "h: 2022-06-12T12:00:00.123+01:00\ni: Sept 15 2022 at 03:30 PM\nj: 99999999999999999999999\n"
      "k: !!binary aGk=\nl: !custom x\n? [complex, key]\n: v\n---\n")
write(d, "hostile-alias-bomb", "---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
      "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n---\n")

# ---- liquid: every example of the Liquid spec, and the theme's templates
d = reset("liquid")
for f in sorted(glob.glob(os.path.join(ROOT, "tests/spec/liquid/*.txt"))):
    base = os.path.splitext(os.path.basename(f))[0]
    for i, (title, tpl) in enumerate(spec_examples(f)):
        write(d, "spec-%s-%03d" % (base, i), tpl)
for f in source_files(["templates/**/*.html"]):
    write(d, rel(f), open(f, "rb").read())
write(d, "hostile-self-include", "{% include self.html %}")
write(d, "hostile-include-chain", "{% include a.html %}\0{% include b.html %}\0{% include a.html %}")
write(d, "hostile-include-params", '{% include a.html x=page.tags y="s" %}\0{{ include.x | join: include.y }}')
write(d, "hostile-nested-ifs", "{% if true %}" * 60 + "x" + "{% endif %}" * 60)
write(d, "hostile-huge-range", "{% for i in (1..1000000000) %}{{ i }}{% endfor %}")
write(d, "hostile-append-growth", '{% assign s = "x" %}{% for i in (1..100) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}')
write(d, "hostile-deep-expr", "{{ " + "a[" * 70 + "0" + "]" * 70 + " }}")
write(d, "hostile-unclosed", "{% for x in site.pages %}{% if x %}{{ x.title ")
write(d, "hostile-raw-comment", "{% raw %}{{ x }}{% endraw %}{% comment %}{% if %}{% endcomment %}{%- liquid\nassign a = 1\necho a\n-%}")

# ---- markdown: every example of the Markdown spec, under several options, and the content
d = reset("markdown")
for f in sorted(glob.glob(os.path.join(ROOT, "tests/spec/markdown/*.txt"))):
    base = os.path.splitext(os.path.basename(f))[0]
    for i, (title, md) in enumerate(spec_examples(f)):
        flags = [0x09, 0x08, 0x0f, 0x16][i % 4]  # unsafe+rewrite, safe+rewrite, all, smart
        write(d, "spec-%s-%03d" % (base, i), bytes([flags]) + md.encode())
for f in source_files(["content/**/*.md", "tests/sites/*/site/**/*.md"]):
    body = open(f, "rb").read()
    m = re.match(rb"---\r?\n.*?\r?\n---\r?\n", body, re.S)
    if m:
        body = body[m.end():]
    write(d, rel(f), bytes([0x09]) + body)
write(d, "hostile-blockquotes", b"\x09" + b">" * 2000 + b" x\n")
write(d, "hostile-brackets", b"\x09" + b"[" * 2000 + b"x" + b"](y)" * 10)
write(d, "hostile-emphasis", b"\x09" + b"*a **b " * 500 + b"\n")
write(d, "hostile-lists", b"\x09" + b"".join(b"  " * i + b"- x\n" for i in range(200)))
write(d, "hostile-table", b"\x09| a | b |\n|---|---|\n" + b"| x | y |\n" * 50 + b"|" * 300 + b"\n")
write(d, "hostile-safe-html", b"\x08<script>alert(1)</script>\n\n[x](javascript:alert(1)) ![y](vbscript:x) "
      b"<iframe src=x> [z](<JaVaScRiPt:alert(1)>) <https://a.example/?x=\"><script>> ~~s~~\n")
write(d, "hostile-links-md", b"\x18[a](other.md) [b](../dir/page.md#part) [c](/abs.md?q=1) [d]: e.md\n\n[d]\n")
write(d, "hostile-alerts-footnotes", b"\x09> [!WARNING]\n> **x**\n\nText[^1] :smile: :not_an_emoji:\n\n[^1]: note\n\n- [ ] task\n- [x] done\n")

# ---- serve_path: the request targets of the unit tests, under each base
d = reset("serve_path")
bases = {None: 0, "": 1, "/hub": 2, "/hub/": 3, "/a b/": 4, "/%68ub": 5}
src = open(os.path.join(ROOT, "tests/unit/test_serve.c"), encoding="utf-8").read()
seen = set()
for m in re.finditer(r'resolve\("((?:[^"\\]|\\.)*)",\s*(NULL|"((?:[^"\\]|\\.)*)")\)', src):
    uri = m.group(1).encode().decode("unicode_escape").encode("latin-1")
    base = None if m.group(2) == "NULL" else m.group(3)
    key = (uri, base)
    if key in seen or base not in bases:
        continue
    seen.add(key)
    write(d, "unit-%03d" % len(seen), bytes([bases[base]]) + uri)
for i, uri in enumerate([b"/hub/guide/?q=1#x", b"/hub/%2e%2e/%2e%2e/etc/passwd", b"/hub/..%5c..%5cwin.ini",
                         b"/hub/C:%5cWindows", b"/hub/a%00b", b"/hub/%c0%ae%c0%ae/", b"/hub", b"/",
                         b"/hub/a/b/c/d/e/f/g/index.html", b"/hub/%252e%252e/", b"/hub/d", b"/hub/d/"]):
    write(d, "hostile-%02d" % i, bytes([2]) + uri)
print("seeds written")
