// Cairn console: the summary row (problems first), the overview, the database cards and running jobs.
(function () {
  'use strict';
  const C = window.Cairn;
  const { el, fmt } = C;
  const S = () => C.state;
  const RANK = { critical: 0, warning: 1, notice: 2 };

  function problems() { return (S().health && S().health.problems) || []; }

  /** The worst severity of a database's problems, or null when it has none. */
  function worst(db) {
    let w = null;
    for (const p of problems()) {
      if (p.database === db && (w === null || RANK[p.severity] < RANK[w])) w = p.severity;
    }
    return w;
  }
  C.worst = worst;

  /** For the title and favicon: the level and a short text naming what needs attention. */
  C.summaryState = function () {
    const ps = problems();
    const crit = [...new Set(ps.filter(p => p.severity === 'critical').map(p => p.database))];
    const warn = [...new Set(ps.filter(p => p.severity === 'warning').map(p => p.database))];
    if (crit.length) return { level: 'critical', title: '✖ ' + crit.length + ' failing: ' + crit.join(', ') };
    if (warn.length) return { level: 'warning', title: '⚠ ' + warn.length + ' need attention: ' + warn.join(', ') };
    if (ps.length) return { level: 'notice', title: '✔ all backed up (' + ps.length + ' notice' + (ps.length > 1 ? 's' : '') + ')' };
    return { level: 'ok', title: '✔ all fine' };
  };

  C.renderSummary = function () {
    const box = C.$('summary');
    box.textContent = '';
    const ps = problems();
    const st = C.summaryState();
    box.className = 'summary card level-' + st.level;
    box.setAttribute('data-level', st.level);
    const bad = [...new Set(ps.filter(p => p.severity !== 'notice').map(p => p.database))];
    const names = databases();
    box.appendChild(el('h2', { class: 'summary-head' }, bad.length
      ? bad.length + ' of ' + names.length + ' database' + (names.length > 1 ? 's' : '') + ' need' + (bad.length > 1 ? '' : 's')
        + ' attention: ' + bad.join(', ')
      : 'Every database has a fresh backup' + (names.length ? ' (' + names.length + ')' : '')));
    if (!ps.length) return;
    const list = el('ul', { class: 'problems' });
    for (const p of ps) {
      list.appendChild(el('li', { class: 'problem sev-' + p.severity, 'data-kind': p.kind, 'data-database': p.database,
        'data-severity': p.severity },
        el('span', { class: 'sev' }, p.severity), ' ',
        el('a', { class: 'problem-db', href: '#db-' + p.database }, p.database), ': ',
        el('span', { class: 'msg' }, fmt.mask(p.message)),
        p.since ? el('span', { class: 'muted' }, ' · since ', fmt.time(p.since)) : null,
        p.hint ? el('div', { class: 'hint' }, 'hint: ' + fmt.mask(p.hint)) : null));
    }
    box.appendChild(list);
  };

  C.renderOverview = function () {
    const st = S().stats;
    const repo = st && st.backups;
    C.$('repo-size').textContent = repo ? fmt.bytes(repo.bytes) : '–';
    C.$('repo-detail').textContent = repo ? repo.count + (repo.count === 1 ? ' backup' : ' backups') + (repo.damaged ? ', ' + repo.damaged + ' damaged' : '')
      + (repo.failed ? ', ' + repo.failed + ' failed verification' : '')
      + (repo.freeBytes !== null && repo.freeBytes !== undefined ? ' · ' + fmt.bytes(repo.freeBytes) + ' free' : '') : '';
    const d = st && st.last24h;
    C.$('rate-24h').textContent = d && d.successRate !== null ? Math.round(d.successRate * 100) + ' %' : '–';
    C.$('rate-detail').textContent = d ? d.succeeded + ' of ' + d.backups + ' backups succeeded'
      + (d.averageDurationSeconds !== null ? ', average ' + fmt.dur(d.averageDurationSeconds) : '') : '';
    const h = S().health;
    const ho = C.$('health-overall');
    ho.textContent = '';
    if (h) ho.appendChild(C.badge(h.status));
    const bad = h ? h.databases.filter(x => !x.ok) : [];
    C.$('health-detail').textContent = h ? (bad.length ? bad.map(x => x.database).join(', ') + ': older than max_age or none'
      : 'every database has a backup younger than its max_age') : '';
  };

  function databases() {
    const names = new Set();
    S().schedules.forEach(s => { if (s.database) names.add(s.database); }); // a PITR cluster's has none
    if (S().health) S().health.databases.forEach(h => names.add(h.database));
    return [...names].sort();
  }
  C.databases = databases;

  /** Databases with critical problems first, then warnings, notices, the rest; by name within each. */
  function byAttention() {
    const rank = (db) => { const w = worst(db); return w === null ? 3 : RANK[w]; };
    return databases().sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  }

  C.renderDatabases = function () {
    const box = C.$('databases');
    box.textContent = '';
    const names = byAttention();
    if (!names.length) box.appendChild(el('p', { class: 'muted' }, 'No databases configured.'));
    for (const db of names) box.appendChild(card(db));
  };

  function card(db) {
    const s = schedule(db, 'backup') || {};
    const h = S().health ? S().health.databases.find(x => x.database === db) : null;
    const last = S().backups.find(b => b.database === db && b.status === 'ok');
    const busy = S().jobs.some(j => j.database === db && j.kind === 'backup' && (j.state === 'running' || j.state === 'queued'));
    const lastJob = s.lastRun;
    const sev = worst(db);
    const zone = s.timezone ? fmt.zoneId(s.timezone) : null;
    const mine = problems().filter(p => p.database === db && p.severity !== 'notice');
    const run = C.may('operator') ? el('button', { type: 'button', class: 'btn primary run-backup', 'data-database': db,
      title: 'Start a backup of ' + db + ' now', onclick: () => C.runBackup(db) },
    busy ? 'Run backup now (one is running)' : 'Run backup now')
      : el('span', { class: 'muted' }, 'Starting backups needs an operator token.');
    const dl = el('dl', {},
      el('dt', {}, 'State'), el('dd', {}, C.badge(sev === 'critical' ? 'failing' : sev === 'warning' ? 'attention' : 'ok'),
        mine.length ? el('div', { class: 'err-msg' }, mine.map(p => fmt.mask(p.message)).join('; ')) : null,
        h && !h.ok && h.reason && !mine.length ? el('div', { class: 'err-msg' }, h.reason) : null),
      el('dt', {}, 'Last good'), el('dd', {}, last ? fmt.time(last.finished) : 'none yet'),
      el('dt', {}, 'Size'), el('dd', {}, last ? fmt.bytes(last.bytes) + ' · ' + fmt.dur(fmt.secondsBetween(last.started, last.finished)) : '–'),
      el('dt', {}, 'Last run'), el('dd', {}, lastJob ? C.badge(lastJob.state) : '–', ' ',
        lastJob && lastJob.finished ? fmt.time(lastJob.finished) : null,
        lastJob && lastJob.error ? el('div', { class: 'err-msg' }, lastJob.error.code + ': ' + fmt.mask(lastJob.error.message)) : null),
      el('dt', {}, 'Next run'), el('dd', { class: 'next-run' }, s.nextRuns && s.nextRuns.length
        ? fmt.time(s.nextRuns[0], { zone: zone, seconds: false }) : '–'),
      el('dt', {}, 'Schedule'), el('dd', { class: 'schedule' }, s.cron ? s.cron.join(', ') + (zone ? ' · ' + zone : '') : '–'),
      ...restoreTestItems(db));
    return el('article', { class: 'db' + (sev ? ' sev-' + sev : ''), id: 'db-' + db, 'data-database': db,
      'data-severity': sev || 'ok', 'aria-label': db + (sev ? ' (' + sev + ')' : '') },
    el('div', { class: 'db-head' }, el('h3', { class: 'db-name' }, db)), dl, el('div', { class: 'actions' }, run));
  }

  /** The database's schedule of one kind ('backup', 'verify', 'test'); entries without a kind are backups'. */
  function schedule(db, kind) {
    return S().schedules.find(x => x.database === db && (x.kind || 'backup') === kind);
  }

  // the database's last restore test: result, when, the measured restore time; the next scheduled one
  // (databases with restore_test only)
  function restoreTestItems(db) {
    const rt = S().restoreTests.find(x => x.database === db);
    if (!rt) return [];
    const t = rt.last;
    const next = schedule(db, 'test');
    const zone = next && next.timezone ? fmt.zoneId(next.timezone) : null;
    return [el('dt', {}, 'Restore test'), el('dd', { class: 'restore-test' },
      t ? C.badge(t.passed ? 'passed' : 'failed') : 'none yet',
      t ? el('span', {}, ' ', fmt.time(t.started), ' · restore ' + fmt.dur(t.restoreMs / 1000) + ' (' + t.backupId + ')') : null,
      t && t.error ? el('div', { class: 'err-msg' }, t.error.code + ': ' + fmt.mask(t.error.message)) : null),
    ...(next ? [el('dt', {}, 'Next test'), el('dd', { class: 'next-test' }, next.nextRuns && next.nextRuns.length
      ? fmt.time(next.nextRuns[0], { zone: zone, seconds: false }) : '–',
    ' · ' + next.cron.join(', ') + (zone ? ' · ' + zone : ''))] : [])];
  }

  // ---------- running jobs ----------
  const PLANNING = ['connecting', 'locking-tables'];

  C.renderRunning = function () {
    const box = C.$('running');
    box.textContent = '';
    const active = S().jobs.filter(j => j.state === 'running' || j.state === 'queued');
    if (!active.length) { box.appendChild(el('p', { class: 'muted' }, 'None.')); return; }
    for (const j of active) box.appendChild(jobProgress(j));
  };

  /**
   * A job's phase and its honest numbers: a percent, a bar with a value and an ETA only in a measured phase
   * with an estimate still ahead; otherwise the phase's elapsed time and a bar without a value. Counts only
   * once there are any (not "0 B · 0 rows" while connecting); a split table's parts when there are more
   * parts than tables.
   */
  function jobProgress(j) {
    const now = new Date().toISOString();
    const pct = j.percent !== null && j.percent !== undefined && j.state === 'running' ? j.percent : null;
    const left = j.estimatedFinish ? fmt.secondsBetween(now, j.estimatedFinish) : null;
    const bits = [];
    if (pct !== null) bits.push(pct + ' %');
    if (j.phaseStarted && (pct === null || left === null || left <= 0)) bits.push(fmt.dur(Math.max(0, fmt.secondsBetween(j.phaseStarted, now))));
    const counted = j.bytes > 0 || j.rows > 0 || j.tablesDone > 0 || j.partsDone > 0;
    if (counted || (j.phase && !PLANNING.includes(j.phase) && j.tablesTotal)) {
      bits.push(fmt.bytes(j.bytes), fmt.num(j.rows) + ' rows');
    }
    if (j.tablesTotal && !(j.phase && PLANNING.includes(j.phase))) bits.push('tables ' + j.tablesDone + ' of ' + j.tablesTotal);
    if (j.partsTotal > j.tablesTotal && j.partsTotal > 0) {
      bits.push(el('span', { class: 'parts', 'data-done': j.partsDone, 'data-total': j.partsTotal },
        'parts ' + j.partsDone + ' of ' + j.partsTotal));
    }
    if (pct !== null && left !== null && left > 0) bits.push('ETA ' + fmt.dur(left) + ' (' + fmt.abs(j.estimatedFinish) + ')');
    const bar = el('div', { class: 'progress' + (pct === null ? ' indeterminate' : ''), role: 'progressbar',
      'aria-label': (j.database || j.kind) + ' ' + j.kind + ' progress', 'aria-valuemin': 0, 'aria-valuemax': 100,
      'aria-valuenow': pct === null ? null : pct, 'aria-valuetext': j.phaseLabel || j.state }, el('div', {}));
    if (pct !== null) bar.firstChild.style.width = pct + '%';
    // retention jobs cannot be cancelled (they are short, and each deletion is atomic)
    const cancel = C.may('operator') && j.kind !== 'retention'
      ? el('button', { type: 'button', class: 'btn small', onclick: () => C.cancelJob(j) }, 'Cancel') : null;
    const text = el('div', { class: 'muted progress-text' },
      j.phaseLabel ? el('span', { class: 'phase' }, j.phaseLabel) : (j.state === 'queued' ? 'waiting for a free slot' : null));
    bits.forEach((b, i) => {
      if (i || text.childNodes.length) text.appendChild(document.createTextNode(' · '));
      text.appendChild(typeof b === 'string' ? document.createTextNode(b) : b);
    });
    return el('div', { class: 'job', 'data-job': j.id, 'data-phase': j.phase || null },
      el('div', { class: 'job-head' },
        el('span', {}, el('strong', {}, j.database || j.kind), ' ', C.badge(j.state), ' ',
          el('span', { class: 'muted' }, j.kind + ' ' + j.id)),
        el('span', { class: 'muted' }, j.started ? 'for ' + fmt.dur(fmt.secondsBetween(j.started, now)) : 'waiting')),
      bar, el('div', { class: 'progress-line' }, text, cancel));
  }

  /** Relative times move on between reloads ("in 3 h" stays true); frozen while the agent is away. */
  C.tickTimes = function () {
    if (S().offlineSince) return;
    document.querySelectorAll('[data-rel]').forEach(e => { e.textContent = ' (' + fmt.rel(e.getAttribute('data-rel')) + ')'; });
  };
})();
