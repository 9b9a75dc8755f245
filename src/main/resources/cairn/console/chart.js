// Cairn console: one database's backups on a real time axis (size, duration or rows), failures and the
// retention window marked; the repository's usage over time. Plain SVG.
(function () {
  'use strict';
  const C = window.Cairn;
  const { el, svg, fmt } = C;
  const S = () => C.state;
  const MIN = 60e3, HOUR = 60 * MIN, DAY = 24 * HOUR;
  const STEPS = [1e3, 5e3, 15e3, 30e3, MIN, 5 * MIN, 15 * MIN, 30 * MIN, HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY,
    2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 91 * DAY, 365 * DAY];
  const METRICS = {
    size: { label: 'size', value: (b) => b.bytes, text: fmt.bytes },
    duration: { label: 'duration', value: (b) => fmt.secondsBetween(b.started, b.finished) || 0, text: fmt.dur },
    rows: { label: 'rows', value: (b) => b.rows || 0, text: fmt.num },
  };

  C.initChart = function () {
    C.$('chart-db').addEventListener('change', () => { C.renderChart(); C.loadPreview(); });
    C.$('chart-metric').addEventListener('change', () => C.renderChart());
    let resizeTimer = null;
    window.addEventListener('resize', () => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => { if (S().me) { C.renderChart(); renderUsage(); } }, 200);
    });
  };

  /** The database the chart shows: the one picked, else the first needing attention, else the first. */
  C.chartDatabase = function () {
    const pick = C.$('chart-db');
    const names = C.databases();
    const current = pick.value;
    pick.textContent = '';
    names.forEach(n => pick.appendChild(el('option', { value: n }, n)));
    // the first needing attention that has backups to show, else the first with any, else the first
    const has = (n) => S().backups.some(b => b.database === n);
    const attention = names.find(n => C.worst(n) === 'critical' && has(n)) || names.find(has) || names[0];
    pick.value = names.includes(current) ? current : attention || '';
    return pick.value;
  };

  /** Tick marks at round times, at most {@code max} of them, labelled to the precision the step needs. */
  function ticks(t0, t1, max) {
    const step = STEPS.find(s => (t1 - t0) / s <= max) || STEPS[STEPS.length - 1];
    const offset = new Date(t0).getTimezoneOffset() * MIN; // round in the browser's zone (days start at local midnight)
    const out = [];
    for (let t = Math.ceil((t0 - offset) / step) * step + offset; t <= t1; t += step) out.push(t);
    const o = step < MIN ? { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }
      : step < DAY ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } : { month: 'short', day: 'numeric' };
    return out.map((t, i) => {
      const d = new Date(t);
      const newDay = step < DAY && (i === 0 || new Date(out[i - 1]).getDate() !== d.getDate());
      const label = d.toLocaleString(undefined, o) + (newDay ? ' ' + d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' }) : '');
      return { t, label };
    });
  }

  C.renderChart = function () {
    const box = C.$('chart');
    box.textContent = '';
    const db = C.chartDatabase();
    const metric = METRICS[C.$('chart-metric').value] || METRICS.size;
    const mine = S().backups.filter(b => b.database === db && b.finished);
    const pts = mine.map(b => ({ t: Date.parse(b.finished), v: metric.value(b), b })).sort((a, b) => a.t - b.t);
    // the failed runs of this database (loaded with its retention preview), else those among the recent jobs
    const failedJobs = (S().failures || {})[db] || S().jobs.filter(j => j.database === db && j.kind === 'backup' && j.state === 'failed');
    const first = mine.length ? Math.min(...mine.map(b => Date.parse(b.finished))) : 0;
    const fails = failedJobs.filter(j => j.finished && Date.parse(j.finished) >= first - DAY)
      .map(j => ({ t: Date.parse(j.finished), j }));
    if (!pts.length) { box.appendChild(el('p', { class: 'muted' }, 'No backups of ' + (db || 'any database') + ' yet.')); return; }
    const preview = (S().preview || {})[db];
    const going = new Set(preview ? preview.nextDeletes.map(d => d.backupId) : []);
    const W = Math.max(280, Math.min(1100, box.clientWidth || 720)), H = 210, L = 64, R = 14, T = 14, B = 30;
    const iw = W - L - R, ih = H - T - B;
    const all = pts.map(p => p.t).concat(fails.map(f => f.t));
    let t0 = Math.min(...all), t1 = Math.max(...all, Date.now());
    if (t1 - t0 < MIN) t0 = t1 - MIN; // at least a minute, up to now
    const pad = (t1 - t0) * 0.03;
    t0 -= pad; t1 += pad;
    const x = (t) => L + iw * (t - t0) / (t1 - t0);
    const maxV = Math.max(...pts.map(p => p.v), 1);
    const y = (v) => T + ih - ih * v / maxV;
    const s = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'data-database': db,
      'aria-label': db + ': backup ' + metric.label + ' over time, ' + pts.length + ' backups, ' + fails.length + ' failures' });
    // the retention window: from the oldest backup retention keeps to now
    const kept = preview ? preview.backups.filter(d => d.keep).map(d => mine.find(b => b.id === d.backupId)).filter(b => b) : [];
    if (kept.length && preview.policy !== 'keep everything') {
      const from = Math.min(...kept.map(b => Date.parse(b.finished)));
      const r = svg('rect', { class: 'window', x: x(from) - 3, y: T, width: Math.max(6, x(t1) - x(from) + 3), height: ih });
      r.appendChild(svg('title', {}, 'kept by retention (' + preview.policy + ') from ' + fmt.abs(new Date(from).toISOString())));
      s.appendChild(r);
      // above the plot, so no bar hides it
      s.appendChild(svg('text', { class: 'window-label', x: Math.min(x(from), W - R - 100), y: T - 3 }, 'retention window'));
    }
    for (const tk of ticks(t0, t1, Math.max(2, Math.floor(iw / 110)))) {
      s.appendChild(svg('line', { class: 'grid', x1: x(tk.t), y1: T, x2: x(tk.t), y2: T + ih }));
      s.appendChild(svg('text', { class: 'tick', x: x(tk.t), y: H - 12, 'text-anchor': 'middle' }, tk.label));
    }
    s.appendChild(svg('line', { class: 'axis', x1: L, y1: T + ih, x2: W - R, y2: T + ih }));
    s.appendChild(svg('text', { x: L - 6, y: T + 10, 'text-anchor': 'end' }, metric.text(maxV)));
    s.appendChild(svg('text', { x: L - 6, y: T + ih, 'text-anchor': 'end' }, '0'));
    const bw = Math.max(3, Math.min(14, iw / Math.max(1, pts.length) * 0.5));
    for (const p of pts) {
      const h = Math.max(1, T + ih - y(p.v));
      const cls = 'bar' + (p.b.status !== 'ok' ? ' bad' : '') + (going.has(p.b.id) ? ' going' : '');
      const r = svg('rect', { class: cls, x: x(p.t) - bw / 2, y: T + ih - h, width: bw, height: h, 'data-id': p.b.id });
      r.appendChild(svg('title', {}, p.b.id + ' · ' + fmt.abs(p.b.finished) + ' · ' + fmt.bytes(p.b.bytes) + ', '
        + fmt.dur(fmt.secondsBetween(p.b.started, p.b.finished)) + ', ' + fmt.num(p.b.rows) + ' rows'
        + (going.has(p.b.id) ? ' · deleted by retention after the next backup' : '')));
      s.appendChild(r);
    }
    for (const f of fails) {
      const g = svg('path', { class: 'fail', d: 'M' + (x(f.t) - 5) + ' ' + (T + ih - 11) + 'l10 10m0 -10l-10 10', 'data-job': f.j.id });
      g.appendChild(svg('title', {}, 'failed ' + fmt.abs(f.j.finished) + ': ' + (f.j.error ? f.j.error.code + ': '
        + fmt.mask(f.j.error.message) : '')));
      s.appendChild(g);
    }
    box.appendChild(s);
    box.appendChild(el('div', { class: 'legend' },
      el('span', {}, el('i', { class: 'sw sw-bar' }), metric.label + ' of each backup, at its finish time'),
      el('span', {}, el('i', { class: 'sw sw-going' }), 'goes after the next backup'),
      el('span', {}, el('i', { class: 'sw sw-fail' }), 'failed backup'),
      el('span', {}, el('i', { class: 'sw sw-window' }), 'retention window')));
    renderUsage();
  };

  /** The repository's size after each backup it still holds, and its free space when the driver knows it. */
  function renderUsage() {
    const box = C.$('usage');
    box.textContent = '';
    const st = S().stats && S().stats.backups;
    const u = st && st.usage ? st.usage.map(p => ({ t: Date.parse(p.at), v: p.bytes })) : [];
    if (!u.length) { box.appendChild(el('p', { class: 'muted' }, 'No backups yet.')); return; }
    const W = Math.max(280, Math.min(1100, box.clientWidth || 720)), H = 120, L = 64, R = 14, T = 10, B = 26;
    const iw = W - L - R, ih = H - T - B;
    let t0 = u[0].t, t1 = Math.max(u[u.length - 1].t, Date.now());
    if (t1 - t0 < MIN) t0 = t1 - MIN;
    const maxV = Math.max(...u.map(p => p.v), 1);
    const x = (t) => L + iw * (t - t0) / (t1 - t0), y = (v) => T + ih - ih * v / maxV;
    const s = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': 'repository size over time' });
    for (const tk of ticks(t0, t1, Math.max(2, Math.floor(iw / 110)))) {
      s.appendChild(svg('text', { class: 'tick', x: x(tk.t), y: H - 8, 'text-anchor': 'middle' }, tk.label));
    }
    s.appendChild(svg('line', { class: 'axis', x1: L, y1: T + ih, x2: W - R, y2: T + ih }));
    s.appendChild(svg('text', { x: L - 6, y: T + 10, 'text-anchor': 'end' }, fmt.bytes(maxV)));
    const line = u.map(p => x(p.t).toFixed(1) + ',' + y(p.v).toFixed(1));
    line.push(x(t1).toFixed(1) + ',' + y(u[u.length - 1].v).toFixed(1));
    s.appendChild(svg('polyline', { class: 'line', points: line.join(' ') }));
    box.appendChild(s);
    box.appendChild(el('p', { class: 'muted' }, fmt.bytes(st.bytes) + ' in ' + st.count + (st.count === 1 ? ' backup' : ' backups') + ' now'
      + (st.freeBytes !== null && st.freeBytes !== undefined ? ' · ' + fmt.bytes(st.freeBytes) + ' free on the repository\'s storage'
        : ' · free space: not known for this storage') + ' (deleted backups are not in the catalog: this is the growth of what is kept)'));
  }
})();
