// Search for the hub, in the browser.
//
// The index (search-index.json, written by hubgen) is fetched only here, on the search
// page, and only once there is a query, so no other page pays for it however large the
// site. Results use NHS.UK list markup; links carry the site's base path, read from the
// page, so a site under a sub-path works.
(function () {
  'use strict';
  var box = document.getElementById('hub-search-results');
  var input = document.getElementById('hub-search-query');
  if (!box || !input || !window.MiniSearch) return;

  var base = box.getAttribute('data-base') || '/';
  var query = new URLSearchParams(window.location.search).get('q') || '';
  input.value = query;
  if (!query.trim()) return;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function show(results) {
    box.textContent = '';
    var heading = el('h2', 'nhsuk-heading-m', results.length === 1
      ? '1 result for \u201c' + query + '\u201d'
      : results.length + ' results for \u201c' + query + '\u201d');
    heading.id = 'search-results';
    box.appendChild(heading);
    if (!results.length) {
      box.appendChild(el('p', null, 'Check the spelling, or try other words. The A to Z list below has every page.'));
      return;
    }
    var list = el('ul', 'nhsuk-list nhsuk-list--border hub-search-results__list');
    results.slice(0, 50).forEach(function (r) {
      var li = el('li');
      var a = el('a', 'hub-search-results__link', r.t);
      a.href = base.replace(/\/$/, '') + r.u;
      li.appendChild(a);
      if (r.s) li.appendChild(el('p', 'nhsuk-body-s nhsuk-u-margin-bottom-1 hub-search-results__section', r.s));
      if (r.x) li.appendChild(el('p', 'nhsuk-body-s nhsuk-u-margin-bottom-0', r.x));
      list.appendChild(li);
    });
    box.appendChild(list);
  }

  box.textContent = 'Searching\u2026';
  fetch(box.getAttribute('data-index'))
    .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
    .then(function (data) {
      var ms = new window.MiniSearch({
        fields: ['t', 'h', 's', 'x'],
        storeFields: ['t', 'u', 's', 'x'],
        idField: 'u',
        searchOptions: { boost: { t: 3, h: 2 }, prefix: true, fuzzy: 0.2 }
      });
      ms.addAll(data.pages);
      show(ms.search(query));
    })
    .catch(function () {
      box.textContent = 'Search is not available just now. The A to Z list below has every page.';
    });
})();
