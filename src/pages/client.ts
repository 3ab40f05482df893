/**
 * The site's one script (no framework, about 3 KB): suggestions under the search box from
 * /v1/suggest, and on the search page results as you type from /v1/search. Everything it
 * does is also there without it: the box is a plain GET form to /search, which the server
 * renders. It is inline, allowed by its hash (./csp.ts), and builds DOM with text nodes
 * only (no innerHTML), so nothing an API returns can become markup.
 *
 * The search box is an ARIA 1.2 combobox with a listbox popup
 * (https://www.w3.org/WAI/ARIA/apg/patterns/combobox/): arrows move, Enter picks, Escape closes.
 */
export const CLIENT_SCRIPT = `(function () {
  var input = document.getElementById('q');
  var list = document.getElementById('q-suggest');
  if (!input || !list) return;
  var hits = document.getElementById('hits');
  var count = document.getElementById('count');
  var notes = document.getElementById('notes');
  var form = input.form;
  var hl = new URLSearchParams(location.search).get('hl');
  var words = [];
  var active = -1;
  var timer = 0;
  var pending = {};

  function el(tag, text) {
    var e = document.createElement(tag);
    if (text) e.textContent = text;
    return e;
  }
  function get(kind, params, done) {
    if (pending[kind]) pending[kind].abort();
    var ctl = (pending[kind] = new AbortController());
    fetch('/v1/' + kind + '?' + params, { signal: ctl.signal, headers: { accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) { if (body && pending[kind] === ctl) done(body); })
      .catch(function () {});
  }
  function close() {
    if (pending.suggest) pending.suggest.abort();
    pending.suggest = null;
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  }
  function choose(i) {
    var parts = input.value.replace(/\\s+$/, '').split(/\\s+/);
    parts[parts.length - 1] = words[i];
    input.value = parts.join(' ') + ' ';
    close();
    input.focus();
    update(true);
  }
  function mark(i) {
    var items = list.children;
    for (var k = 0; k < items.length; k++) items[k].setAttribute('aria-selected', k === i ? 'true' : 'false');
    active = i;
    if (i >= 0) input.setAttribute('aria-activedescendant', items[i].id);
  }
  function showSuggestions(body) {
    words = body.suggestions.map(function (s) { return s.word; });
    list.textContent = '';
    words.forEach(function (w, i) {
      var li = el('li', w);
      li.id = 'q-opt-' + i;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      li.addEventListener('mousedown', function (e) { e.preventDefault(); choose(i); });
      list.appendChild(li);
    });
    list.hidden = words.length === 0;
    input.setAttribute('aria-expanded', words.length ? 'true' : 'false');
    active = -1;
  }
  function highlighted(tag, text, ranges) {
    var e = el(tag);
    var at = 0;
    ranges.forEach(function (r) {
      e.appendChild(document.createTextNode(text.slice(at, r[0])));
      e.appendChild(el('mark', text.slice(r[0], r[1])));
      at = r[1];
    });
    e.appendChild(document.createTextNode(text.slice(at)));
    return e;
  }
  function showResults(body) {
    hits.textContent = '';
    body.items.forEach(function (item) {
      var li = el('li');
      li.lang = item.lang;
      var h = el('h2');
      var a = highlighted('a', item.title, item.highlights.title);
      a.href = '/articles/' + encodeURIComponent(item.id) + (hl ? '?hl=' + hl : '');
      h.appendChild(a);
      li.appendChild(h);
      li.appendChild(highlighted('p', item.snippet, item.highlights.snippet));
      li.appendChild(el('small', item.source + ' · ' + item.published.slice(0, 10)));
      hits.appendChild(li);
    });
    if (count) count.textContent = hits.dataset[body.items.length ? 'found' : 'none'].replace('#', String(body.total));
    if (notes) {
      notes.textContent = '';
      if (body.corrections.length)
        notes.textContent = notes.dataset.showing + ' ' + body.corrections.map(function (c) { return c.to; }).join(' ');
    }
  }
  function update(chosen) {
    var q = input.value;
    if (!q.trim()) { close(); return; }
    if (!chosen) get('suggest', new URLSearchParams({ q: q, limit: '6' }), showSuggestions);
    if (hits && form) {
      var params = new URLSearchParams(new FormData(form));
      var filters = document.getElementById('filters');
      if (filters) new FormData(filters).forEach(function (v, k) { if (v && k !== 'q') params.set(k, v); });
      params.delete('hl');
      get('search', params, showResults);
      var shown = new URLSearchParams(params);
      if (hl) shown.set('hl', hl);
      history.replaceState(null, '', '/search?' + shown);
    }
  }
  input.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(function () { update(false); }, 120);
  });
  input.addEventListener('keydown', function (e) {
    if (list.hidden) return;
    var n = words.length;
    if (e.key === 'ArrowDown') { e.preventDefault(); mark((active + 1) % n); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); mark((active - 1 + n) % n); }
    else if (e.key === 'Enter' && active >= 0) { e.preventDefault(); choose(active); }
    else if (e.key === 'Escape') close();
  });
  input.addEventListener('blur', close);
})();`;
