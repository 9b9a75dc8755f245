// Cairn web console: plain JS, no libraries. Every value from the server is inserted as text
// (textContent / createTextNode / setAttribute), never as HTML.
(function () {
  'use strict';
  const API = 'api/v1';
  const KEY = 'cairn.token';
  const RANK = { viewer: 0, operator: 1, admin: 2 };
  const SVG = 'http://www.w3.org/2000/svg';
  const $ = (id) => document.getElementById(id);

  let me = null;        // {name, role}
  let timer = null;
  let tick = 0;
  let jobStates = '';   // every job's id and state at the last poll: a new job or a state change reloads all
  let schedules = [], health = null, backups = [], jobs = [], stats = null, repositories = [];

  // ---------- small helpers ----------
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      e.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    }
    return e;
  }
  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function bytes(n) {
    if (n === null || n === undefined) return '–';
    const u = ['B', 'KB', 'MB', 'GB', 'TB'];
    let i = 0, v = Number(n);
    while (v >= 1024 && i < u.length - 1) { v /= 1024; i++; }
    return (i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)) + ' ' + u[i];
  }
  function dur(sec) {
    if (sec === null || sec === undefined || isNaN(sec)) return '–';
    if (sec < 60) return (sec < 10 ? sec.toFixed(1) : Math.round(sec)) + ' s';
    const m = Math.floor(sec / 60), s = Math.round(sec % 60);
    if (m < 60) return m + ' min ' + s + ' s';
    if (m < 48 * 60) return Math.floor(m / 60) + ' h ' + (m % 60) + ' min';
    return Math.round(m / 1440) + ' days';
  }
  function secondsBetween(a, b) {
    if (!a || !b) return null;
    return (Date.parse(b) - Date.parse(a)) / 1000;
  }
  function age(iso) {
    if (!iso) return '–';
    const s = (Date.now() - Date.parse(iso)) / 1000;
    if (s < 0) return 'in ' + dur(-s);
    if (s < 60) return 'just now';
    if (s < 3600) return Math.floor(s / 60) + ' min ago';
    if (s < 86400 * 2) return Math.floor(s / 3600) + ' h ago';
    return Math.floor(s / 86400) + ' days ago';
  }
  function when(iso) {
    if (!iso) return '–';
    const d = new Date(iso);
    return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  }
  function num(n) { return n === null || n === undefined ? '–' : Number(n).toLocaleString(); }
  function badge(status) { return el('span', { class: 'badge s-' + String(status).replace(/[^a-z]/g, '') }, String(status)); }
  function may(role) { return me && RANK[me.role] >= RANK[role]; }

  class ApiFailure extends Error {
    constructor(status, code, message) { super(message); this.status = status; this.code = code; }
  }

  async function api(method, path, body) {
    const token = sessionStorage.getItem(KEY);
    const headers = { 'Accept': 'application/json' };
    if (token) headers['Authorization'] = 'Bearer ' + token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let r;
    try {
      r = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store' });
    } catch (e) {
      throw new ApiFailure(0, 'NETWORK', 'the agent did not answer (' + e.message + ')');
    }
    return answer(r, path === '/health');
  }

  async function answer(r, acceptFailing) {
    let data = null;
    try { data = await r.json(); } catch (e) { /* not JSON */ }
    if (r.ok || (acceptFailing && r.status === 503 && data)) return data;
    const err = data && data.error ? data.error : {};
    let msg = err.message || ('HTTP ' + r.status);
    if (r.status === 401) msg = 'Not signed in: the token was not accepted (401). ' + (err.message || '');
    if (r.status === 403) msg = 'Not allowed (403): ' + (err.message || 'your token\'s role may not do this');
    if (r.status === 429) msg = 'Too many changes (429): ' + (err.message || 'try again later');
    throw new ApiFailure(r.status, err.code || '', msg);
  }

  function showBanner(msg) {
    const b = $('banner');
    if (!msg) { b.hidden = true; b.textContent = ''; return; }
    b.textContent = msg;
    b.hidden = false;
  }

  function failed(e) {
    if (e instanceof ApiFailure && e.status === 401) { signOut(e.message); return; }
    showBanner(e.message || String(e));
  }

  // ---------- sign-in ----------
  async function signIn(token) {
    sessionStorage.setItem(KEY, token);
    try {
      me = await api('GET', '/whoami');
    } catch (e) {
      sessionStorage.removeItem(KEY);
      me = null;
      showSignIn(e.message);
      return;
    }
    $('signin').hidden = true;
    $('app').hidden = false;
    $('who').hidden = false;
    $('who-name').textContent = me.name;
    $('who-role').textContent = me.role;
    showBanner(null);
    await refreshAll();
    schedule();
  }

  function showSignIn(msg) {
    $('app').hidden = true;
    $('who').hidden = true;
    $('signin').hidden = false;
    const e = $('signin-error');
    e.textContent = msg || '';
    e.hidden = !msg;
    $('token').value = '';
    $('token').focus();
  }

  function signOut(msg) {
    sessionStorage.removeItem(KEY);
    me = null;
    if (timer) { clearTimeout(timer); timer = null; }
    // the next token's role must never see this one's buttons while its first refresh runs
    backups = []; jobs = []; schedules = []; health = null; stats = null; repositories = [];
    render();
    showSignIn(msg);
  }

  // ---------- polling ----------
  function schedule() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(poll, 2000);
  }

  async function poll() {
    if (!me) return;
    tick++;
    try {
      const j = await api('GET', '/jobs?limit=100');
      jobs = j.jobs;
      if (signature(jobs) !== jobStates || tick % 15 === 0) {
        await refreshAll();
      } else {
        renderRunning();
        stamp();
      }
    } catch (e) { failed(e); }
    if (me) schedule();
  }

  async function refreshAll() {
    try {
      const [b, j, s, h, st, rp] = await Promise.all([api('GET', '/backups'), api('GET', '/jobs?limit=100'),
        api('GET', '/schedules'), api('GET', '/health'), api('GET', '/stats'), api('GET', '/repositories')]);
      backups = b.backups; jobs = j.jobs; schedules = s.schedules; health = h; stats = st; repositories = rp.repositories;
      jobStates = signature(jobs);
      showBanner(null);
      render();
    } catch (e) { failed(e); }
  }

  function signature(js) { return js.map(j => j.id + ':' + j.state).join(','); }

  function stamp() { $('updated').textContent = new Date().toLocaleTimeString(); }

  // ---------- rendering ----------
  function render() {
    renderOverview();
    renderDatabases();
    renderRepositories();
    renderRunning();
    renderChart();
    renderHistory();
    stamp();
  }

  function renderOverview() {
    const repo = stats && stats.backups;
    $('repo-size').textContent = repo ? bytes(repo.bytes) : '–';
    $('repo-detail').textContent = repo ? repo.count + ' backups' + (repo.damaged ? ', ' + repo.damaged + ' damaged' : '')
      + (repo.failed ? ', ' + repo.failed + ' failed verification' : '') : '';
    const d = stats && stats.last24h;
    $('rate-24h').textContent = d && d.successRate !== null ? Math.round(d.successRate * 100) + ' %' : '–';
    $('rate-detail').textContent = d ? d.succeeded + ' of ' + d.backups + ' backups succeeded'
      + (d.averageDurationSeconds !== null ? ', average ' + dur(d.averageDurationSeconds) : '') : '';
    const ho = $('health-overall');
    ho.textContent = '';
    if (health) ho.appendChild(badge(health.status));
    const bad = health ? health.databases.filter(x => !x.ok).length : 0;
    $('health-detail').textContent = health ? (bad ? bad + ' of ' + health.databases.length + ' databases need attention'
      : 'every database has a fresh backup') : '';
  }

  function databases() {
    const names = new Set();
    schedules.forEach(s => names.add(s.database));
    if (health) health.databases.forEach(h => names.add(h.database));
    return [...names].sort();
  }

  function renderDatabases() {
    const box = $('databases');
    box.textContent = '';
    const names = databases();
    if (!names.length) box.appendChild(el('p', { class: 'muted' }, 'No databases configured.'));
    for (const db of names) {
      const s = schedules.find(x => x.database === db) || {};
      const h = health ? health.databases.find(x => x.database === db) : null;
      const last = backups.find(b => b.database === db);
      const busy = jobs.some(j => j.database === db && j.kind === 'backup' && (j.state === 'running' || j.state === 'queued'));
      const lastJob = s.lastRun;
      const run = el('button', { type: 'button', class: 'btn primary run-backup', 'data-database': db,
        disabled: !may('operator'), title: may('operator') ? 'Start a backup of ' + db + ' now' : 'needs an operator token',
        onclick: () => runBackup(db) }, busy ? 'Run backup now (one is running)' : 'Run backup now');
      const dl = el('dl', {},
        el('dt', {}, 'Health'), el('dd', {}, h ? badge(h.ok ? 'ok' : 'failing') : '–',
          h && !h.ok && h.reason ? el('div', { class: 'err-msg' }, h.reason) : null),
        el('dt', {}, 'Last backup'), el('dd', {}, last ? badge(last.status) : '–', ' ',
          last ? age(last.finished) : (lastJob ? '' : 'none yet')),
        el('dt', {}, 'Size'), el('dd', {}, last ? bytes(last.bytes) : '–'),
        el('dt', {}, 'Duration'), el('dd', {}, last ? dur(secondsBetween(last.started, last.finished)) : '–'),
        el('dt', {}, 'Last run'), el('dd', {}, lastJob ? badge(lastJob.state) : '–',
          lastJob && lastJob.error ? el('div', { class: 'err-msg' }, lastJob.error.code + ': ' + lastJob.error.message) : null),
        el('dt', {}, 'Next run'), el('dd', {}, s.nextRuns && s.nextRuns.length ? when(s.nextRuns[0]) + ' (' + age(s.nextRuns[0]) + ')' : '–'),
        el('dt', {}, 'Schedule'), el('dd', {}, s.cron ? s.cron.join(', ') + (s.timezone ? ' · ' + (s.timezone === 'Z' ? 'UTC' : s.timezone) : '') : '–'));
      box.appendChild(el('div', { class: 'db', 'data-database': db },
        el('div', { class: 'db-head' }, el('span', { class: 'db-name' }, db)), dl,
        el('div', { class: 'actions' }, may('operator') ? run : el('span', { class: 'muted' }, 'Starting backups needs an operator token.'))));
    }
  }

  function renderRunning() {
    const box = $('running');
    box.textContent = '';
    const active = jobs.filter(j => j.state === 'running' || j.state === 'queued');
    if (!active.length) { box.appendChild(el('p', { class: 'muted' }, 'None.')); return; }
    for (const j of active) {
      const total = j.tablesTotal || 0;
      const now = new Date().toISOString();
      // The job's own estimate (relation sizes) when it has one. A job with a phase but no percent is in a
      // phase nobody can measure (index builds, ANALYZE): its bar moves without a value and the text says
      // how long the phase has run, not "99 % · done in ~0 s". Without a phase: tables done of all tables.
      const pct = (j.percent !== null && j.percent !== undefined) ? j.percent
        : (!j.phase && total ? Math.min(100, Math.round(100 * j.tablesDone / total)) : null);
      const eta = pct !== null && j.estimatedFinish
        ? ' · done in ~' + dur(Math.max(0, secondsBetween(now, j.estimatedFinish))) : '';
      const phase = j.phaseLabel ? el('span', { class: 'phase' }, j.phaseLabel) : null;
      const inPhase = phase && pct === null && j.phaseStarted ? ' · ' + dur(Math.max(0, secondsBetween(j.phaseStarted, now))) : '';
      const bar = el('div', { class: 'progress' + (pct === null ? ' indeterminate' : ''), role: 'progressbar',
        'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': pct === null ? null : pct,
        'aria-valuetext': j.phaseLabel || null }, el('div', {}));
      if (pct !== null) bar.firstChild.style.width = pct + '%';
      // retention jobs cannot be cancelled (they are short, and each deletion is atomic)
      const cancel = may('operator') && j.kind !== 'retention'
        ? el('button', { type: 'button', class: 'btn small', onclick: () => cancelJob(j) }, 'Cancel') : null;
      box.appendChild(el('div', { class: 'job', 'data-job': j.id, 'data-phase': j.phase || null },
        el('div', { class: 'job-head' },
          el('span', {}, el('strong', {}, j.database || j.kind), ' ', badge(j.state), ' ', el('span', { class: 'muted' }, j.kind + ' ' + j.id)),
          el('span', { class: 'muted' }, j.started ? 'for ' + dur(secondsBetween(j.started, new Date().toISOString())) : 'waiting')),
        bar,
        el('div', { class: 'muted progress-text' }, phase, inPhase + (phase ? ' · ' : '') + (pct === null ? '' : pct + ' % · ')
          + bytes(j.bytes) + ' · ' + num(j.rows) + ' rows · tables ' + (j.tablesDone || 0) + ' of ' + (total || '?') + eta,
          ' ', cancel)));
    }
  }

  function renderChart() {
    const box = $('chart');
    box.textContent = '';
    const pts = backups.filter(b => b.status === 'ok' && b.finished)
      .map(b => ({ t: Date.parse(b.finished), size: b.bytes, d: secondsBetween(b.started, b.finished), id: b.id, db: b.database }))
      .sort((a, b) => a.t - b.t).slice(-60);
    if (!pts.length) { box.appendChild(el('p', { class: 'muted' }, 'No backups yet.')); return; }
    // drawn at the box's own width, so that text stays 11 px on a phone and on a wide screen
    const W = Math.max(280, Math.min(1100, box.clientWidth || 720)), H = 200, L = 62, R = 56, T = 12, B = 24;
    const iw = W - L - R, ih = H - T - B;
    const maxS = Math.max(...pts.map(p => p.size), 1), maxD = Math.max(...pts.map(p => p.d || 0), 0.1);
    const step = iw / pts.length, bw = Math.max(2, Math.min(40, step * 0.6));
    const x = (i) => L + step * i + step / 2;
    const s = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': 'backup size and duration over time' });
    s.appendChild(svg('line', { class: 'axis', x1: L, y1: T + ih, x2: W - R, y2: T + ih }));
    s.appendChild(svg('text', { x: L - 6, y: T + 10, 'text-anchor': 'end' }, bytes(maxS)));
    s.appendChild(svg('text', { x: L - 6, y: T + ih, 'text-anchor': 'end' }, '0'));
    s.appendChild(svg('text', { x: W - R + 6, y: T + 10 }, dur(maxD)));
    s.appendChild(svg('text', { x: W - R + 6, y: T + ih }, '0 s'));
    pts.forEach((p, i) => {
      const h = Math.max(1, ih * p.size / maxS);
      const r = svg('rect', { class: 'bar', x: x(i) - bw / 2, y: T + ih - h, width: bw, height: h });
      r.appendChild(svg('title', {}, p.id + ': ' + bytes(p.size) + ', ' + dur(p.d)));
      s.appendChild(r);
    });
    const line = pts.map((p, i) => x(i).toFixed(1) + ',' + (T + ih - ih * (p.d || 0) / maxD).toFixed(1)).join(' ');
    s.appendChild(svg('polyline', { class: 'line', points: line }));
    pts.forEach((p, i) => s.appendChild(svg('circle', { class: 'dot', cx: x(i), cy: T + ih - ih * (p.d || 0) / maxD, r: 3 })));
    const label = (t) => W < 520 ? new Date(t).toLocaleDateString(undefined, { month: 'short', day: 'numeric' })
      : when(new Date(t).toISOString());
    s.appendChild(svg('text', { x: L, y: H - 6 }, label(pts[0].t)));
    if (pts.length > 1) s.appendChild(svg('text', { x: W - R, y: H - 6, 'text-anchor': 'end' }, label(pts[pts.length - 1].t)));
    box.appendChild(s);
    box.appendChild(el('div', { class: 'legend' },
      el('span', {}, el('i', { class: 'sw-size' }), 'size (left axis)'),
      el('span', {}, el('i', { class: 'sw-dur' }), 'duration (right axis)')));
    box.querySelector('.sw-size').style.background = '#9cc5ae';
    box.querySelector('.sw-dur').style.background = '#1f5fa8';
  }

  function renderHistory() {
    const body = $('history').querySelector('tbody');
    body.textContent = '';
    const rows = [];
    for (const b of backups) rows.push({ kind: 'backup', t: b.finished || '', b });
    // jobs that produced no backup (failed, cancelled) or are still going; verify and restore jobs
    for (const j of jobs) {
      if (j.kind === 'retention' || (j.kind === 'backup' && j.state === 'succeeded' && j.backupId)) continue;
      rows.push({ kind: 'job', t: j.finished || j.started || j.created || '', j });
    }
    rows.sort((a, b) => (b.t > a.t ? 1 : b.t < a.t ? -1 : 0));
    if (!rows.length) {
      body.appendChild(el('tr', {}, el('td', { colspan: 9, class: 'muted' }, 'No backups yet.')));
      return;
    }
    for (const r of rows) body.appendChild(r.kind === 'backup' ? backupRow(r.b) : jobRow(r.j));
  }

  // Shown only with several repositories: each one's size, backups and last copy.
  function renderRepositories() {
    $('repositories-card').hidden = repositories.length < 2;
    const box = $('repositories');
    box.textContent = '';
    for (const r of repositories) {
      const c = r.lastCopy;
      box.appendChild(el('div', { class: 'db', 'data-repository': r.name },
        el('strong', {}, r.name, ' ', badge(!r.reachable || (c && c.status === 'failing') ? 'failed' : c && c.status === 'retrying' ? 'retrying' : 'ok')),
        el('dl', {},
          el('dt', {}, 'Where'), el('dd', {}, r.kind + ': ' + r.location),
          el('dt', {}, 'Backups'), el('dd', {}, num(r.backups) + ' · ' + bytes(r.bytes)
            + (r.freeBytes !== null ? ' · ' + bytes(r.freeBytes) + ' free' : '')),
          el('dt', {}, 'Last copy'), el('dd', { title: c && c.error ? c.error : '' }, r.receivesBackups ? 'receives the backups'
            : c && c.succeeded ? when(c.succeeded) + (c.error ? ' (then: ' + c.error + ')' : '') : c && c.error ? c.error : 'none yet'))));
    }
  }

  function copyBadges(b) {
    if (repositories.length < 2) return null;
    return el('span', { class: 'copies' }, ...(b.copies || []).map(c => el('span', { class: 'badge s-' + (c.verified ? 'ok' : 'queued'),
      'data-copy': c.repository, title: c.repository + (c.copiedAt ? ': copied ' + c.copiedAt : ': written there')
        + (c.verified ? ', verified' : '') }, c.repository)));
  }

  function backupRow(b) {
    const op = may('operator'), admin = may('admin');
    const actions = el('td', { class: 'actions' },
      // a backup that failed verification may still be fetched by an admin (to inspect it), never restored
      el('button', { type: 'button', class: 'btn small download',
        disabled: !op || !(b.status === 'ok' || (b.status === 'failed' && admin)),
        title: op ? 'Download ' + b.id + '.cairn' : 'needs an operator token', onclick: (ev) => download(b.id, ev.target) }, 'Download'),
      el('button', { type: 'button', class: 'btn small verify', disabled: !op || verifying(b.id),
        title: !op ? 'needs an operator token' : verifying(b.id) ? 'a verify of ' + b.id + ' is running'
          : 'Read every byte of ' + b.id + ' and check it', onclick: () => verifyBackup(b.id) }, 'Verify'),
      el('button', { type: 'button', class: 'btn small restore', disabled: !admin || b.status !== 'ok',
        title: b.status === 'failed' ? b.id + ' failed verification: it is never restored'
          : admin ? 'Restore ' + b.id + ' into a database' : 'needs an admin token',
        onclick: () => openRestore(b) }, 'Restore'),
      admin ? el('button', { type: 'button', class: 'btn small danger delete', title: 'Delete ' + b.id,
        onclick: () => removeBackup(b) }, 'Delete') : null);
    const v = b.verification || { state: 'unverified' };
    const problem = b.damage || (v.state === 'failed' ? 'verification failed ' + when(v.at) + ': ' + v.problem
      + (v.problems > 1 ? ' (and ' + (v.problems - 1) + ' more)' : '') : null);
    return el('tr', { 'data-kind': 'backup', 'data-id': b.id, 'data-status': b.status,
      'data-verification': v.state, class: b.status === 'ok' ? '' : 'row-bad' },
      el('td', { class: 'id' }, b.id, problem ? el('div', { class: 'err-msg' }, problem) : null),
      el('td', { 'data-label': 'Database' }, b.database),
      el('td', { 'data-label': 'Status' }, badge(b.status), ' ',
        el('span', { class: 'muted verification', title: v.at ? v.method + ' at ' + v.at : 'never verified' },
          v.state === 'verified' ? 'verified ' + when(v.at) : v.state === 'unverified' ? 'unverified' : ''), ' ', copyBadges(b)),
      el('td', { 'data-label': 'Finished', title: b.finished || '' }, when(b.finished)),
      el('td', { 'data-label': 'Size', class: 'num' }, bytes(b.bytes)),
      el('td', { 'data-label': 'Duration', class: 'num' }, dur(secondsBetween(b.started, b.finished))),
      el('td', { 'data-label': 'Tables', class: 'num hide-s' }, num(b.tables)),
      el('td', { 'data-label': 'Rows', class: 'num hide-s' }, num(b.rows)),
      actions);
  }

  function jobRow(j) {
    return el('tr', { 'data-kind': 'job', 'data-id': j.id, 'data-status': j.state },
      el('td', { class: 'id' }, j.id, j.kind !== 'backup' ? el('div', { class: 'muted' }, j.kind + ' of ' + (j.backupId || '?')) : null,
        j.error ? el('div', { class: 'err-msg' }, j.error.code + ': ' + j.error.message) : null),
      el('td', { 'data-label': 'Database' }, j.database || ''),
      el('td', { 'data-label': 'Status' }, badge(j.state)),
      el('td', { 'data-label': 'Finished', title: j.finished || '' }, when(j.finished)),
      el('td', { 'data-label': 'Size', class: 'num' }, j.bytes ? bytes(j.bytes) : '–'),
      el('td', { 'data-label': 'Duration', class: 'num' }, dur(secondsBetween(j.started, j.finished))),
      el('td', { 'data-label': 'Tables', class: 'num hide-s' }, j.tablesTotal ? j.tablesDone + ' of ' + j.tablesTotal : '–'),
      el('td', { 'data-label': 'Rows', class: 'num hide-s' }, num(j.rows)),
      el('td', { class: 'actions' }));
  }

  let resizeTimer = null;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => { if (me) renderChart(); }, 200);
  });

  // ---------- actions ----------
  async function runBackup(db) {
    try {
      const r = await api('POST', '/backups', { database: db });
      showBanner(null);
      jobs = [r.job, ...jobs.filter(j => j.id !== r.job.id)];
      renderRunning();
      renderDatabases();
      if (timer) clearTimeout(timer);
      timer = setTimeout(poll, 300);
    } catch (e) { failed(e); }
  }

  function verifying(id) {
    return jobs.some(j => j.kind === 'verify' && j.backupId === id && (j.state === 'running' || j.state === 'queued'));
  }

  function started(job) {
    showBanner(null);
    jobs = [job, ...jobs.filter(j => j.id !== job.id)];
    renderRunning();
    renderHistory();
    if (timer) clearTimeout(timer);
    timer = setTimeout(poll, 300);
  }

  async function verifyBackup(id) {
    try { started((await api('POST', '/backups/' + encodeURIComponent(id) + '/verify')).job); } catch (e) { failed(e); }
  }

  // The database a restore target names: a configured name, the path of a URI, or dbname= of key=value.
  function targetDatabase(t) {
    t = t.trim();
    if (/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/.test(t)) return t;
    const u = /^postgres(?:ql)?:\/\/[^/?#]*\/([^?#]+)/.exec(t);
    if (u) { try { return decodeURIComponent(u[1]); } catch (e) { return null; } }
    const k = /(?:^|\s)dbname\s*=\s*(?:'((?:[^'\\]|\\.)*)'|(\S+))/.exec(t);
    if (k) return k[1] !== undefined ? k[1].replace(/\\(.)/g, '$1') : k[2];
    return null;
  }

  let restoring = null; // the backup the dialog is for

  function restoreMode() { return document.querySelector('input[name="restore-mode"]:checked').value; }

  function updateRestore() {
    const db = targetDatabase($('restore-target').value);
    const mode = restoreMode();
    $('restore-dbname').textContent = db || '–';
    const configured = db && databases().includes($('restore-target').value.trim());
    let warn = '';
    if (!db && $('restore-target').value.trim()) warn = 'The connection string must name the database (dbname=… or /db).';
    else if (db && mode === 'clean') warn = 'This drops database ' + db + ' and everything in it, then restores '
      + backupLabel(restoring) + ' into it.';
    else if (db && mode === 'create' && configured) warn = db + ' is configured, so it exists: choose clean, or empty.';
    else if (db) warn = 'This restores ' + restoring.id + ' into database ' + db + (mode === 'create' ? ' (created).' : '.');
    $('restore-warning').textContent = warn;
    $('restore-go').disabled = !db || $('restore-confirm').value.trim() !== db;
  }

  function openRestore(b) {
    restoring = b;
    $('restore-id').textContent = b.id;
    const list = $('restore-databases');
    list.textContent = '';
    databases().forEach(d => list.appendChild(el('option', { value: d })));
    $('restore-target').value = '';
    $('restore-tables').value = '';
    $('restore-confirm').value = '';
    document.querySelector('input[name="restore-mode"][value="empty"]').checked = true;
    $('restore-error').hidden = true;
    updateRestore();
    $('restore-dialog').showModal();
    $('restore-target').focus();
  }

  async function submitRestore(ev) {
    ev.preventDefault();
    const target = $('restore-target').value.trim();
    const db = targetDatabase(target);
    if (!restoring || !db || $('restore-confirm').value.trim() !== db) return;
    const mode = restoreMode();
    const body = { target, create: mode === 'create' || mode === 'clean', clean: mode === 'clean' };
    const tables = $('restore-tables').value.split(',').map(x => x.trim()).filter(x => x);
    if (tables.length) body.tables = tables;
    $('restore-go').disabled = true;
    try {
      const r = await api('POST', '/backups/' + encodeURIComponent(restoring.id) + '/restore', body);
      $('restore-dialog').close();
      started(r.job);
    } catch (e) {
      if (e instanceof ApiFailure && e.status === 401) { $('restore-dialog').close(); failed(e); return; }
      $('restore-error').textContent = e.message;
      $('restore-error').hidden = false;
      updateRestore();
    }
  }

  async function cancelJob(j) {
    const partial = j.kind === 'restore' ? '\nDatabase ' + j.database + ' will be left partially restored.' : '';
    if (!confirm('Cancel ' + j.kind + ' job ' + j.id + ' (' + (j.database || j.kind) + ')?' + partial)) return;
    try { await api('DELETE', '/jobs/' + encodeURIComponent(j.id)); await refreshAll(); } catch (e) { failed(e); }
  }

  // A confirmation names the backup's database and time too, so a wrong row is seen before it is too late.
  function backupLabel(b) {
    return b.id + ' (' + b.database + ', ' + (b.finished ? 'finished ' + b.finished : 'damaged') + ')';
  }

  async function removeBackup(b) {
    if (!confirm('Delete backup ' + backupLabel(b) + '? This cannot be undone.')) return;
    try { await api('DELETE', '/backups/' + encodeURIComponent(b.id)); await refreshAll(); } catch (e) { failed(e); }
  }

  // The browser downloads the file itself (streamed to disk, with its own progress and resume): the
  // console only asks for a short-lived ticket, since a plain link cannot carry the bearer token.
  async function download(id, button) {
    button.disabled = true;
    try {
      const t = await api('POST', '/backups/' + encodeURIComponent(id) + '/download-ticket');
      // relative, like every other call: the console may sit behind a proxy under a path of its own
      const url = API + '/backups/' + encodeURIComponent(id) + '/archive?ticket=' + encodeURIComponent(t.ticket);
      const a = el('a', { href: url, download: id + '.cairn' });
      document.body.appendChild(a);
      a.click();
      a.remove();
    } catch (e) { failed(e); }
    button.disabled = false;
  }

  // ---------- start ----------
  $('signin-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const t = $('token').value.trim();
    if (t) signIn(t);
  });
  $('signout').addEventListener('click', () => signOut(null));
  $('restore-form').addEventListener('submit', submitRestore);
  $('restore-cancel').addEventListener('click', () => $('restore-dialog').close());
  for (const id of ['restore-target', 'restore-confirm']) $(id).addEventListener('input', updateRestore);
  document.querySelectorAll('input[name="restore-mode"]').forEach(r => r.addEventListener('change', updateRestore));
  const saved = sessionStorage.getItem(KEY);
  if (saved) signIn(saved); else showSignIn(null);
})();
