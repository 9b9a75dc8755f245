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
    { id: 'panel-pitr', path: '/pitr', title: 'Recovery window (point in time)', draw: pitrTable },
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
    if (p.draw) { box.appendChild(p.draw(list)); return; }
    const cols = [...new Set(list.flatMap(o => Object.keys(o).filter(k => o[k] === null || typeof o[k] !== 'object')))].slice(0, 8);
    const head = el('tr', {}, ...cols.map(c => el('th', {}, c)));
    const body = el('tbody', {}, ...list.slice(0, 50).map(o => el('tr', {}, ...cols.map(c => cell(c, o[c])))));
    box.appendChild(el('div', { class: 'scroll' }, el('table', {}, el('thead', {}, head), body)));
  }

  // One row per cluster: the window a restore can reach (from .. to, and how long it spans), the WAL lag against
  // max_lag (the RPO), gaps, the newest base backup, the last restore test and the next scheduled one, and how old
  // this reading is.
  function pitrTable(clusters) {
    const head = el('tr', {}, ...['Cluster', 'Status', 'Window from', 'Window to', 'Span', 'WAL lag', 'Gaps',
      'Base backups', 'Restore test', 'Read'].map(c => el('th', {}, c)));
    const rows = clusters.map(c => {
      const w = c.window || {};
      const lag = c.lag_seconds === null || c.lag_seconds === undefined ? '–'
        : fmt.dur(c.lag_seconds) + (c.max_lag_seconds ? ' of ' + fmt.dur(c.max_lag_seconds) : '');
      const base = c.last_base_backup;
      const test = c.restore_test;
      const next = S().schedules.find(x => x.kind === 'pitr-test' && x.cluster === c.name);
      const nextRun = next && next.nextRuns && next.nextRuns.length ? next.nextRuns[0] : null;
      return el('tr', { 'data-cluster': c.name, title: c.reason || '' },
        el('td', {}, c.name),
        el('td', {}, C.badge(c.ok ? 'ok' : 'failing')),
        w.from ? el('td', { class: 'time window-from' }, fmt.time(w.from, { relative: false })) : el('td', { class: 'window-from' }, 'none yet'),
        w.to ? el('td', { class: 'time window-to' }, fmt.time(w.to)) : el('td', { class: 'window-to' }, '–'),
        el('td', { class: 'num' }, w.from && w.to ? fmt.dur(fmt.secondsBetween(w.from, w.to)) : '–'),
        el('td', { class: 'num lag' }, lag),
        el('td', { class: 'num' }, c.gaps && c.gaps.length ? c.gaps.length + ' (first ' + c.gaps[0] + ')' : 'none'),
        el('td', {}, String(c.base_backups || 0), base ? el('span', { class: 'muted' }, ' · newest ', fmt.time(base.finished),
          ', ' + fmt.bytes(base.stored_bytes)) : null),
        el('td', {}, test ? C.badge(test.passed ? 'passed' : 'failed') : '–', test ? el('span', { class: 'muted' }, ' ',
          fmt.time(test.finished)) : null, nextRun ? el('div', { class: 'muted next-test' }, 'next ',
          fmt.time(nextRun, { zone: fmt.zoneId(next.timezone), seconds: false })) : null),
        el('td', { class: 'muted' }, c.window_age_seconds === null || c.window_age_seconds === undefined ? '–'
          : fmt.dur(c.window_age_seconds) + ' ago'));
    });
    return el('div', { class: 'scroll' }, el('table', { class: 'pitr' }, el('thead', {}, head), el('tbody', {}, ...rows)));
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
