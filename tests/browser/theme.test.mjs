// Browser tests of the default NHS.UK theme, run by tests/browser/run.sh under `node --test`.
//
// For every page of every built site (each folder's index.html files, and 404.html), at
// 1280 and at 320 px wide, in Debian's Chromium driven by playwright-core:
//   - the NHS.UK header, footer and skip link (to #maincontent) are there;
//   - axe-core finds no WCAG 2.0/2.1/2.2 A or AA violation;
//   - nothing is written to the console as an error and no script throws;
//   - every stylesheet, script, image and font the page asks for returns 200, and every
//     link to the site itself resolves and stays under the site's base path (which catches
//     a URL that missed relative_url);
//   - code blocks in languages the theme knows are highlighted.
// Each site is served by a small static server (node:http) under its base path. The
// machine has no internet: requests to anywhere else are blocked and not counted.
//
// Environment (set by run.sh):
//   HUBGEN_BROWSER_SITES        name=folder=base;...  e.g. hub=/tmp/x/hub=/;sub=/tmp/x/sub=/hub/
//   HUBGEN_BROWSER_SCREENSHOTS  where screenshots go (tests/browser/screenshots)
//   HUBGEN_BROWSER_SCREENSHOT_ALL=1  screenshot every page, not only the chosen ones
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { chromium } from 'playwright-core'
import { AxeBuilder } from '@axe-core/playwright'

const WIDTHS = [1280, 320]
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']
const CHECKED_TYPES = new Set(['stylesheet', 'script', 'image', 'font'])
// Pages of the hub whose screenshots are kept (name -> URL under the base path).
const SCREENSHOTS = {
  home: '',
  guidance: 'guidance/open-source/',
  'blog-post': 'blog/2022/06/12/nhs-python-community-at-the-confedexpo/'
}
// What the search tests look for on the hub: a word from one page, and that page.
const SEARCH = { query: 'ConfedExpo', expect: 'blog/2022/06/12/nhs-python-community-at-the-confedexpo/' }
// Grammars the theme embeds (assets/highlight/languages/), by the names Markdown writes.
const HIGHLIGHTED = new Set(['bash', 'sh', 'shell', 'c', 'javascript', 'js', 'json', 'markdown', 'md',
  'python', 'py', 'r', 'sql', 'html', 'xml', 'yaml', 'yml'])

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2'
}

function parseSites (spec) {
  if (!spec) {
    throw new Error('HUBGEN_BROWSER_SITES is not set: run the browser tests with tests/browser/run.sh')
  }
  return spec.split(';').filter(Boolean).map((one) => {
    const [name, dir, base] = one.split('=')
    if (!name || !dir || !base || !base.startsWith('/') || !base.endsWith('/')) {
      throw new Error(`bad site in HUBGEN_BROWSER_SITES: ${one}`)
    }
    if (!fs.existsSync(path.join(dir, 'index.html'))) throw new Error(`${dir} has no index.html`)
    return { name, dir, base, origin: null, server: null }
  })
}

// Every page of a built site: the folders' index.html files, and 404.html.
function findPages (dir) {
  const pages = []
  const walk = (abs, rel) => {
    for (const entry of fs.readdirSync(abs, { withFileTypes: true }).sort((a, b) => a.name < b.name ? -1 : 1)) {
      if (entry.isDirectory()) walk(path.join(abs, entry.name), rel + entry.name + '/')
      else if (entry.name === 'index.html') pages.push(rel)
    }
  }
  walk(dir, '')
  if (fs.existsSync(path.join(dir, '404.html'))) pages.push('404.html')
  return pages
}

// A static server for folder dir under the URL path base; nothing outside base exists.
function serve (site) {
  const { dir, base } = site
  const server = http.createServer((req, res) => {
    const send = (status, body, type = 'text/plain; charset=utf-8', headers = {}) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers })
      res.end(req.method === 'HEAD' ? undefined : body)
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed')
    let pathname
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://localhost').pathname)
    } catch {
      return send(400, 'bad request')
    }
    if (!pathname.startsWith(base)) return send(404, 'not under the base path')
    const file = path.resolve(dir, pathname.slice(base.length))
    if (file !== path.resolve(dir) && !file.startsWith(path.resolve(dir) + path.sep)) return send(404, 'not found')
    let target = file
    let stat = fs.statSync(target, { throwIfNoEntry: false })
    if (stat && stat.isDirectory()) {
      if (!pathname.endsWith('/')) return send(301, '', undefined, { location: pathname + '/' })
      target = path.join(file, 'index.html')
      stat = fs.statSync(target, { throwIfNoEntry: false })
    }
    if (!stat || !stat.isFile()) {
      const notFound = path.join(dir, '404.html')
      if (fs.existsSync(notFound)) return send(404, fs.readFileSync(notFound), TYPES['.html'])
      return send(404, 'not found')
    }
    send(200, fs.readFileSync(target), TYPES[path.extname(target).toLowerCase()] || 'application/octet-stream')
  })
  return new Promise((resolve, reject) => {
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      site.server = server
      site.origin = `http://127.0.0.1:${server.address().port}`
      resolve()
    })
  })
}

const sites = parseSites(process.env.HUBGEN_BROWSER_SITES)
const shotDir = process.env.HUBGEN_BROWSER_SCREENSHOTS || ''
const shotAll = process.env.HUBGEN_BROWSER_SCREENSHOT_ALL === '1'
let context
let profile
const linkStatus = new Map() // URL -> HTTP status after redirects, shared by every page

before(async () => {
  await Promise.all(sites.map(serve))
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hubgen-chromium-'))
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 }
  })
  if (shotDir) fs.mkdirSync(shotDir, { recursive: true })
})

after(async () => {
  if (context) await context.close()
  if (profile) fs.rmSync(profile, { recursive: true, force: true })
  await Promise.all(sites.map((s) => s.server && new Promise((resolve) => s.server.close(resolve))))
})

async function status (url) {
  if (!linkStatus.has(url)) {
    const res = await fetch(url, { method: 'GET', redirect: 'follow' })
    await res.arrayBuffer()
    linkStatus.set(url, res.status)
  }
  return linkStatus.get(url)
}

async function checkPage (site, rel, width) {
  const problems = []
  const page = await context.newPage()
  await page.setViewportSize({ width, height: 900 })
  const local = (url) => url.startsWith(site.origin + '/')
  await page.route('**/*', (route) => {
    if (local(route.request().url())) return route.continue()
    return route.abort('blockedbyclient') // no internet here: external fonts, images, embeds
  })
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return
    const where = msg.location()?.url || ''
    // a request we blocked is reported against its own URL
    if (where && !local(where)) return
    if (/ERR_BLOCKED_BY_CLIENT/.test(msg.text())) return
    problems.push(`console error: ${msg.text()}${where ? ` (${where})` : ''}`)
  })
  page.on('pageerror', (err) => problems.push(`uncaught error: ${err.message}`))
  page.on('response', (res) => {
    const req = res.request()
    if (CHECKED_TYPES.has(req.resourceType()) && local(req.url()) && res.status() !== 200) {
      problems.push(`${req.resourceType()} ${req.url().slice(site.origin.length)} -> HTTP ${res.status()}`)
    }
  })
  page.on('requestfailed', (req) => {
    if (local(req.url())) {
      problems.push(`${req.resourceType()} ${req.url().slice(site.origin.length)} failed: ${req.failure()?.errorText}`)
    }
  })

  try {
    const url = site.origin + site.base + rel
    const res = await page.goto(url, { waitUntil: 'load' })
    assert.equal(res.status(), 200, `${url}: HTTP ${res.status()}`)
    await page.waitForLoadState('networkidle')

    const facts = await page.evaluate(() => {
      const q = (s) => document.querySelectorAll(s).length
      const skip = document.querySelector('a.nhsuk-skip-link')
      const main = document.getElementById('maincontent')
      const codes = [...document.querySelectorAll('pre code[class*="language-"]')].map((c) => ({
        lang: (/(?:^|\s)language-([\w+-]+)/.exec(c.className) || [])[1] || '',
        highlighted: c.classList.contains('hljs')
      }))
      return {
        lang: document.documentElement.lang,
        title: document.title,
        headers: q('header.nhsuk-header'),
        footers: q('footer.nhsuk-footer'),
        skipHref: skip ? skip.getAttribute('href') : null,
        skipFirst: skip ? document.body.querySelector('a[href], button, input, select, textarea') === skip : false,
        main: main ? main.tagName.toLowerCase() : null,
        h1s: q('h1'),
        jsEnabled: document.body.classList.contains('js-enabled'),
        links: [...document.querySelectorAll('a[href]')].map((a) => a.href),
        pageWidth: document.documentElement.scrollWidth,
        codes
      }
    })
    if (facts.lang !== 'en') problems.push(`<html lang> is "${facts.lang}"`)
    if (!facts.title) problems.push('no <title>')
    if (facts.headers !== 1) problems.push(`${facts.headers} NHS.UK headers`)
    if (facts.footers !== 1) problems.push(`${facts.footers} NHS.UK footers`)
    if (facts.skipHref !== '#maincontent') problems.push('no skip link to #maincontent')
    else if (!facts.skipFirst) problems.push('the skip link is not the first link on the page')
    if (facts.main !== 'main') problems.push(`#maincontent is ${facts.main ? `a <${facts.main}>` : 'missing'}`)
    if (facts.h1s < 1) problems.push('no <h1>')
    if (!facts.jsEnabled) problems.push('<body> has no js-enabled class')
    for (const code of facts.codes) {
      if (HIGHLIGHTED.has(code.lang.toLowerCase()) && !code.highlighted) {
        problems.push(`a ${code.lang} code block is not highlighted`)
      }
    }

    // links to the site itself: under the base path, and there
    for (const href of new Set(facts.links)) {
      if (!local(href)) continue
      const u = new URL(href)
      if (!u.pathname.startsWith(site.base)) {
        problems.push(`link outside the base path ${site.base}: ${u.pathname}`)
        continue
      }
      u.hash = ''
      const got = await status(u.href)
      if (got !== 200) problems.push(`link ${u.pathname} -> HTTP ${got}`)
    }

    const axe = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze()
    for (const v of axe.violations) {
      const nodes = v.nodes.slice(0, 5).map((n) => `      ${n.target.join(' ')}: ${n.html.slice(0, 160)}`)
      problems.push(`axe ${v.id} (${v.impact}): ${v.help}\n${nodes.join('\n')}`)
    }

    if (shotDir) {
      const named = site.name === sites[0].name && Object.entries(SCREENSHOTS).find(([, r]) => r === rel)
      if (named || shotAll) {
        const name = named ? named[0] : `${site.name}-${rel.replace(/\/$/, '').replace(/[^\w.-]+/g, '_') || 'home'}`
        await page.screenshot({ path: path.join(shotDir, `${name}-${width}.png`), fullPage: true })
      }
    }
  } finally {
    await page.close()
  }
  return problems
}

for (const site of sites) {
  describe(`${site.name} (base path ${site.base})`, () => {
    const pages = findPages(site.dir)
    test('has pages', () => assert.ok(pages.length > 0, `no index.html under ${site.dir}`))
    for (const rel of pages) {
      for (const width of WIDTHS) {
        test(`${site.base}${rel} at ${width}px`, { timeout: 120_000 }, async () => {
          const problems = await checkPage(site, rel, width)
          assert.deepEqual(problems, [], `${site.base}${rel} at ${width}px:\n  ${problems.join('\n  ')}`)
        })
      }
    }
  })
}

// Search, as a reader uses it: type in the header's search box, submit, and get results
// from the search index that link to real pages under the base path. Without JavaScript
// the search page still lists every page, A to Z.
for (const site of sites.filter((s) => s.name.startsWith('hub') && fs.existsSync(path.join(s.dir, 'search', 'index.html')))) {
  describe(`search on ${site.name} (base path ${site.base})`, () => {
    test('the header search finds a page', { timeout: 60_000 }, async () => {
      const page = await context.newPage()
      const errors = []
      page.on('pageerror', (err) => errors.push(err.message))
      try {
        await page.route('**/*', (route) =>
          route.request().url().startsWith(site.origin + '/') ? route.continue() : route.abort('blockedbyclient'))
        await page.setViewportSize({ width: 1280, height: 900 })
        await page.goto(site.origin + site.base, { waitUntil: 'load' })
        const box = page.locator('header input[name="q"]')
        await box.fill(SEARCH.query)
        await Promise.all([page.waitForURL(/\/search\/\?q=/), box.press('Enter')])
        assert.ok(new URL(page.url()).pathname.startsWith(site.base + 'search/'), `landed on ${page.url()}`)
        const results = page.locator('.hub-search-results__link')
        await results.first().waitFor({ timeout: 10_000 })
        const hrefs = await results.evaluateAll((as) => as.map((a) => new URL(a.href).pathname))
        assert.ok(hrefs.some((h) => h === site.base + SEARCH.expect), `no result ${SEARCH.expect} in ${hrefs}`)
        for (const h of hrefs) {
          assert.ok(h.startsWith(site.base), `result outside the base path: ${h}`)
          assert.equal(await status(site.origin + h), 200, `result ${h}`)
        }
        const axe = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze()
        assert.deepEqual(axe.violations.map((v) => v.id), [], 'axe on the results')
        assert.deepEqual(errors, [])
      } finally {
        await page.close()
      }
    })

    test('without JavaScript the search page lists every page', { timeout: 60_000 }, async () => {
      const ctx = await context.browser()?.newContext({ javaScriptEnabled: false })
      const page = ctx ? await ctx.newPage() : await context.newPage()
      try {
        if (!ctx) await page.route('**/*.js', (route) => route.abort())
        await page.goto(site.origin + site.base + 'search/?q=' + encodeURIComponent(SEARCH.query), { waitUntil: 'load' })
        const hrefs = await page.locator('.hub-a-to-z a').evaluateAll((as) => as.map((a) => new URL(a.href).pathname))
        assert.ok(hrefs.includes(site.base + SEARCH.expect), `A to Z lacks ${SEARCH.expect}`)
      } finally {
        await page.close()
        if (ctx) await ctx.close()
      }
    })
  })
}
