// hub.js: starts NHS.UK frontend's components and makes scrolling code blocks reachable
// from the keyboard. Loaded as a module at the end of <body>; imports are relative to this
// file, so they work on a site under any base path.
import { initAll } from '../nhsuk/nhsuk-frontend.min.js'

initAll()

// A code block wider than its box scrolls; give it a tab stop so that keyboard users can
// scroll it (WCAG 2.1.1), and take the tab stop away when it fits again.
const codeBlocks = document.querySelectorAll('pre.hub-code, .hub-content pre:not(.nhsuk-code__container)')

function updateCodeBlock (pre) {
  if (pre.scrollWidth > pre.clientWidth) {
    pre.setAttribute('tabindex', '0')
  } else {
    pre.removeAttribute('tabindex')
  }
}

if (codeBlocks.length) {
  if ('ResizeObserver' in window) {
    const observer = new ResizeObserver((entries) => {
      for (const entry of entries) updateCodeBlock(entry.target)
    })
    codeBlocks.forEach((pre) => observer.observe(pre))
  } else {
    codeBlocks.forEach(updateCodeBlock)
  }
}
