// Cairn console: the retention preview of the charted database, and the panels of features this agent may
// or may not have (repositories, restore tests, the recovery window): each shown only when its endpoint
// answers with something in its list (hidden on 404, or when nothing is configured), drawn generically.
(function () {
  'use strict';
  const C = window.Cairn;
  const { el, fmt } = C;
  const S = () => C.state;
  const OPTIONAL = [
    { id: 'panel-repositories', path: '/repositories', title: 'Repositories' },
    { id: 'panel-restore-tests', path: '/restore-tests', title: 'Restore tests' },
    { id: 'panel-pitr', path: '/pitr', title: 'Recovery window (point in time)' },
  ];

  C.loadPanels = function () {
    C.loadPreview();
    for (const p of OPTIONAL) {
      C.api('GET', p.path, undefined, { optional: true })
        .then(data => render(p, data))
        .catch(e => { if (e.status !== 0) render(p, null); });
    }
  };

  function render(p, data) {
    const box = C.$(p.id);
    const list = data && Object.values(data).find(v => Array.isArray(v));
    // a feature the agent serves but nobody configured (no restore tests, no clusters) is not shown
    box.hidden = !list || !list.length;
    if (box.hidden) return;
    box.textContent = '';
    box.appendChild(el('h2', {}, p.title));
    const cols = [...new Set(list.flatMap(o => Object.keys(o).filter(k => o[k] === null || typeof o[k] !== 'object')))].slice(0, 8);
    const head = el('tr', {}, ...cols.map(c => el('th', {}, c)));
    const body = el('tbody', {}, ...list.slice(0, 50).map(o => el('tr', {}, ...cols.map(c => cell(c, o[c])))));
    box.appendChild(el('div', { class: 'scroll' }, el('table', {}, el('thead', {}, head), body)));
  }

  function cell(key, v) {
    if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(v)) return el('td', { class: 'time' }, fmt.time(v, { relative: false }));
    if (key === 'state' || key === 'status') return el('td', {}, C.badge(v));
    if (typeof v === 'number' && /bytes|size/i.test(key)) return el('td', { class: 'num' }, fmt.bytes(v));
    return el('td', {}, v === null || v === undefined ? '–' : fmt.mask(String(v)));
  }

  // ---------- retention preview ----------
  C.loadPreview = async function () {
    const db = C.$('chart-db').value;
    const box = C.$('retention');
    if (!db) { box.textContent = ''; return; }
    let p;
    try { p = await C.api('GET', '/databases/' + encodeURIComponent(db) + '/retention-preview'); } catch (e) {
      if (e.status === 0) return;
      box.textContent = '';
      box.appendChild(el('p', { class: 'muted' }, 'No retention preview: ' + e.message));
      return;
    }
    S().preview = Object.assign(S().preview || {}, { [db]: p });
    try {
      const f = await C.api('GET', '/jobs?kind=backup&status=failed&limit=200&database=' + encodeURIComponent(db));
      S().failures = Object.assign(S().failures || {}, { [db]: f.jobs });
    } catch (e) { /* the chart falls back to the recent jobs */ }
    box.textContent = '';
    box.setAttribute('data-database', db);
    box.appendChild(el('h3', {}, 'Retention of ' + db + ': ' + p.policy + ' (days in ' + p.timezone + ')'));
    if (p.nextDeletes.length) {
      box.appendChild(el('p', { class: 'next-deletes' }, 'After the next backup',
        p.nextRun ? el('span', {}, ' (', fmt.time(p.nextRun, { seconds: false }), ')') : null, ', retention deletes:'));
    } else {
      box.appendChild(el('p', { class: 'next-deletes' }, p.policy === 'keep everything'
        ? 'Nothing is ever deleted: no keep rule is set.' : 'The next backup deletes nothing.'));
    }
    const ul = el('ul', { class: 'going' });
    p.nextDeletes.forEach(d => ul.appendChild(el('li', { 'data-id': d.backupId }, el('code', {}, d.backupId), ': '
      + d.reasons.join('; '))));
    p.backups.filter(d => !d.keep).forEach(d => ul.appendChild(el('li', { 'data-id': d.backupId, class: 'now' },
      el('code', {}, d.backupId), ': deleted at the next retention run (' + d.reasons.join('; ') + ')')));
    if (ul.childNodes.length) box.appendChild(ul);
    const kept = p.backups.filter(d => d.keep);
    if (kept.length) {
      const det = el('details', {}, el('summary', {}, kept.length + ' kept, and why'));
      const kl = el('ul', {});
      kept.forEach(d => kl.appendChild(el('li', {}, el('code', {}, d.backupId), ': ' + d.reasons.join('; '))));
      det.appendChild(kl);
      box.appendChild(det);
    }
    C.renderChart(); // the window and the backups going next are marked from the preview
  };
})();
