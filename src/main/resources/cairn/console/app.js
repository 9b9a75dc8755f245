// Cairn console: sign-in, the API, polling, the disconnected state, and the page's title and favicon.
// The views (views.js, chart.js, history.js, panels.js, actions.js) draw from C.state.
(function () {
  'use strict';
  const C = window.Cairn;
  const { el } = C;
  const API = 'api/v1';
  const KEY = 'cairn.token';
  const RANK = { viewer: 0, operator: 1, admin: 2 };
  const $ = (id) => document.getElementById(id);

  const state = C.state = { me: null, schedules: [], health: null, backups: [], jobs: [], stats: null,
    offlineSince: null, optional: {} };
  let timer = null;
  let tick = 0;
  let jobStates = '';   // every job's id and state at the last poll: a new job or a state change reloads all

  C.$ = $;
  C.API = API;
  C.badge = (status) => el('span', { class: 'badge s-' + String(status).replace(/[^a-z_]/g, '') }, String(status));
  C.may = (role) => state.me && RANK[state.me.role] >= RANK[role];

  class ApiFailure extends Error {
    constructor(status, code, message) { super(message); this.status = status; this.code = code; }
  }
  C.ApiFailure = ApiFailure;

  async function api(method, path, body, opts) {
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
    if (opts && opts.optional && r.status === 404) return null;
    return answer(r, path === '/health');
  }
  C.api = api;

  async function answer(r, acceptFailing) {
    let data = null;
    try { data = await r.json(); } catch (e) { /* not JSON: a proxy's error page */ }
    if (r.ok || (acceptFailing && r.status === 503 && data)) return data;
    const err = data && data.error ? data.error : {};
    let msg = err.message || ('HTTP ' + r.status);
    if (r.status === 401) msg = 'Not signed in: the token was not accepted (401). ' + (err.message || '');
    if (r.status === 403) msg = 'Not allowed (403): ' + (err.message || 'your token\'s role may not do this');
    if (r.status === 429) msg = 'Too many changes (429): ' + (err.message || 'try again later');
    // a gateway's answer without our JSON: the agent behind it is not answering
    throw new ApiFailure(!data && r.status >= 502 ? 0 : r.status, err.code || '', C.fmt.mask(msg));
  }

  function showBanner(msg) {
    const b = $('banner');
    if (!msg) { b.hidden = true; b.textContent = ''; return; }
    b.textContent = msg;
    b.hidden = false;
  }
  C.showBanner = showBanner;

  function failed(e) {
    if (e instanceof ApiFailure && e.status === 401) { signOut(e.message); return; }
    if (e instanceof ApiFailure && e.status === 0) { offline(e); return; }
    showBanner(e.message || String(e));
  }
  C.failed = failed;

  // ---------- disconnected ----------
  // Everything shown is what the agent said last: greyed, relative times frozen, every button disabled,
  // until it answers again (then all is reloaded and the buttons come back as the role allows).
  function offline(e) {
    if (!state.offlineSince) state.offlineSince = new Date().toISOString();
    document.body.classList.add('offline');
    $('app').setAttribute('aria-busy', 'true');
    showBanner('The agent is not answering (since ' + C.fmt.abs(state.offlineSince) + '): what you see is from then'
      + ' and the buttons are off until it answers again. Retrying every 2 s. ' + (e && e.message ? '(' + e.message + ')' : ''));
    disableAll();
    signal();
  }
  function disableAll() {
    if (!state.offlineSince) return;
    document.querySelectorAll('#app button, #app select, #app input').forEach(b => { b.disabled = true; });
  }
  function online() {
    if (!state.offlineSince) return;
    state.offlineSince = null;
    document.body.classList.remove('offline');
    $('app').removeAttribute('aria-busy');
    showBanner(null);
    document.querySelectorAll('#app select, #app input').forEach(b => { b.disabled = false; });
  }

  // ---------- title and favicon: a background tab tells the state ----------
  const COLOURS = { ok: '#1f7a45', notice: '#1f5fa8', warning: '#b06f00', critical: '#b3261e', offline: '#7a7f7c' };
  let lastSignal = '';
  function signal() {
    const s = C.summaryState ? C.summaryState() : { level: 'ok', text: '' };
    const level = state.offlineSince ? 'offline' : s.level;
    const title = (state.offlineSince ? '⚠ agent not answering' : s.title) + ' · Cairn';
    const key = level + title;
    if (key === lastSignal) return;
    lastSignal = key;
    document.title = title;
    const mark = level === 'ok' ? '<path d="M4.5 8.5 7 11l4.5-5" stroke="#fff" stroke-width="2" fill="none"/>'
      : level === 'offline' ? '<path d="M5 8h6" stroke="#fff" stroke-width="2"/>'
        : '<path d="M8 4v5M8 11v1.5" stroke="#fff" stroke-width="2"/>';
    const icon = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7.5" fill="'
      + COLOURS[level] + '"/>' + mark + '</svg>';
    const link = $('favicon');
    link.setAttribute('href', 'data:image/svg+xml,' + encodeURIComponent(icon));
    link.setAttribute('data-state', level);
    document.body.setAttribute('data-state', level);
  }
  C.signal = signal;

  // ---------- sign-in ----------
  async function signIn(token) {
    sessionStorage.setItem(KEY, token);
    try {
      state.me = await api('GET', '/whoami');
    } catch (e) {
      sessionStorage.removeItem(KEY);
      state.me = null;
      showSignIn(e.message);
      return;
    }
    $('signin').hidden = true;
    $('app').hidden = false;
    $('who').hidden = false;
    $('who-name').textContent = state.me.name;
    $('who-role').textContent = state.me.role;
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
    document.title = 'Cairn console';
  }

  function signOut(msg) {
    sessionStorage.removeItem(KEY);
    state.me = null;
    if (timer) { clearTimeout(timer); timer = null; }
    showSignIn(msg);
  }

  // ---------- polling ----------
  function schedule(ms) {
    if (timer) clearTimeout(timer);
    // faster while something runs, so a job's progress moves as it does
    const busy = state.jobs.some(j => j.state === 'running');
    timer = setTimeout(poll, ms !== undefined ? ms : busy ? 1000 : 2000);
  }
  C.schedule = schedule;

  async function poll() {
    if (!state.me) return;
    tick++;
    try {
      const j = await api('GET', '/jobs?limit=100');
      const wasOffline = !!state.offlineSince;
      state.jobs = j.jobs;
      if (wasOffline || signature(state.jobs) !== jobStates || tick % 15 === 0) {
        await refreshAll();
      } else {
        C.renderRunning();
        C.tickTimes();
        stamp();
      }
    } catch (e) { failed(e); }
    if (state.me) schedule();
  }

  async function refreshAll() {
    try {
      const [b, j, s, h, st] = await Promise.all([api('GET', '/backups'), api('GET', '/jobs?limit=100'),
        api('GET', '/schedules'), api('GET', '/health'), api('GET', '/stats')]);
      online();
      state.backups = b.backups; state.jobs = j.jobs; state.schedules = s.schedules; state.health = h; state.stats = st;
      jobStates = signature(state.jobs);
      showBanner(null);
      render();
      C.loadPanels();
    } catch (e) { failed(e); }
  }
  C.refreshAll = refreshAll;

  function signature(js) { return js.map(j => j.id + ':' + j.state).join(','); }

  function stamp() {
    const now = new Date().toISOString();
    const u = $('updated');
    u.textContent = C.fmt.abs(now);
    u.setAttribute('datetime', now);
    u.setAttribute('title', now);
  }

  function render() {
    C.renderSummary();
    C.renderOverview();
    C.renderDatabases();
    C.renderRunning();
    C.renderChart();
    C.renderBackups();
    C.renderJobs();
    stamp();
    signal();
    disableAll();
  }
  C.render = render;

  // ---------- start ----------
  $('signin-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const t = $('token').value.trim();
    if (t) signIn(t);
  });
  $('signout').addEventListener('click', () => signOut(null));
  $('browser-zone').textContent = C.fmt.BROWSER_ZONE;
  C.initActions();
  C.initHistory();
  C.initChart();
  const saved = sessionStorage.getItem(KEY);
  if (saved) signIn(saved); else showSignIn(null);
})();
