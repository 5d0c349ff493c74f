// highlight.js: colours the code blocks of a page, with highlight.js's core and only the
// grammars the page uses. The layout loads it only on pages with a code block.
import hljs from '../highlight/core.min.js'

// class "language-x" -> the grammar file (assets/highlight/languages/NAME.min.js)
const grammars = {
  bash: 'bash', sh: 'bash', shell: 'bash', zsh: 'bash', console: 'bash', shellsession: 'bash',
  c: 'c', h: 'c',
  javascript: 'javascript', js: 'javascript', mjs: 'javascript', cjs: 'javascript', jsx: 'javascript',
  json: 'json', jsonc: 'json',
  markdown: 'markdown', md: 'markdown',
  python: 'python', py: 'python', python3: 'python',
  r: 'r',
  sql: 'sql',
  html: 'xml', xml: 'xml', xhtml: 'xml', svg: 'xml', htm: 'xml',
  yaml: 'yaml', yml: 'yaml'
}

const blocks = []
for (const code of document.querySelectorAll('pre > code[class*="language-"]')) {
  const match = /(?:^|\s)language-([\w+-]+)/.exec(code.className)
  const grammar = match && grammars[match[1].toLowerCase()]
  if (grammar) blocks.push([code, grammar])
}

const needed = [...new Set(blocks.map(([, grammar]) => grammar))]
await Promise.all(needed.map(async (name) => {
  const url = new URL(`../highlight/languages/${name}.min.js`, import.meta.url)
  const module = await import(url.href)
  hljs.registerLanguage(name, module.default)
}))

for (const [code, grammar] of blocks) {
  const result = hljs.highlight(code.textContent, { language: grammar, ignoreIllegals: true })
  code.innerHTML = result.value
  code.classList.add('hljs')
}
