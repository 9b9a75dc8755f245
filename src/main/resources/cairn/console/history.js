// Cairn console: the backups (filtered by database, shown a page at a time), the job history (filtered and
// paged by the server, so thousands of jobs stay fast) and a job's detail panel.
(function () {
  'use strict';
  const C = window.Cairn;
  const { el, fmt } = C;
  const S = () => C.state;
  const BACKUP_PAGE = 25, JOB_PAGE = 25;
  let backupsShown = BACKUP_PAGE;
  let cursors = [null];   // the `before` of each job page seen; the last is the current page's
  let jobsLoading = 0;

  C.initHistory = function () {
    C.$('backups-db').addEventListener('change', () => { backupsShown = BACKUP_PAGE; C.renderBackups(); });
    for (const id of ['jobs-db', 'jobs-kind', 'jobs-status']) {
      C.$(id).addEventListener('change', () => { cursors = [null]; C.renderJobs(); });
    }
    C.$('job-detail-close').addEventListener('click', closeDetail);
    document.addEventListener('keydown', (ev) => { if (ev.key === 'Escape' && !C.$('job-detail').hidden) closeDetail(); });
  };

  function fillDatabases(select) {
    const current = select.value;
    select.textContent = '';
    select.appendChild(el('option', { value: '' }, 'all databases'));
    C.databases().forEach(n => select.appendChild(el('option', { value: n }, n)));
    select.value = [...select.options].some(o => o.value === current) ? current : '';
  }

  // ---------- backups ----------
  C.renderBackups = function () {
    fillDatabases(C.$('backups-db'));
    const db = C.$('backups-db').value;
    const body = C.$('history').querySelector('tbody');
    body.textContent = '';
    const rows = S().backups.filter(b => !db || b.database === db);
    if (!rows.length) body.appendChild(el('tr', {}, el('td', { colspan: 9, class: 'muted' }, 'No backups' + (db ? ' of ' + db : '') + ' yet.')));
    rows.slice(0, backupsShown).forEach(b => body.appendChild(backupRow(b)));
    const more = C.$('backups-more');
    more.textContent = '';
    if (rows.length > backupsShown) {
      more.appendChild(el('button', { type: 'button', class: 'btn small', onclick: () => { backupsShown += BACKUP_PAGE; C.renderBackups(); } },
        'Show ' + Math.min(BACKUP_PAGE, rows.length - backupsShown) + ' more (' + rows.length + ' in all)'));
    }
  };

  function backupRow(b) {
    const op = C.may('operator'), admin = C.may('admin');
    const actions = el('td', { class: 'actions' },
      // a backup that failed verification may still be fetched by an admin (to inspect it), never restored
      el('button', { type: 'button', class: 'btn small download',
        disabled: !op || !(b.status === 'ok' || (b.status === 'failed' && admin)),
        title: op ? 'Download ' + b.id + '.cairn' : 'needs an operator token', onclick: (ev) => C.download(b.id, ev.target) }, 'Download'),
      el('button', { type: 'button', class: 'btn small verify', disabled: !op || C.verifying(b.id),
        title: !op ? 'needs an operator token' : C.verifying(b.id) ? 'a verify of ' + b.id + ' is running'
          : 'Read every byte of ' + b.id + ' and check it', onclick: () => C.verifyBackup(b.id) }, 'Verify'),
      S().restoreTests.some(x => x.database === b.database) ? el('button', { type: 'button', class: 'btn small test-restore',
        disabled: !op || b.status !== 'ok' || C.testing(b.database),
        title: !op ? 'needs an operator token' : C.testing(b.database) ? 'a restore test of ' + b.database + ' is running'
          : 'Restore ' + b.id + ' into a scratch database, prove its content, drop it', onclick: () => C.testBackup(b.id) },
      'Test restore') : null,
      el('button', { type: 'button', class: 'btn small restore', disabled: !admin || b.status !== 'ok',
        title: b.status === 'failed' ? b.id + ' failed verification: it is never restored'
          : admin ? 'Restore ' + b.id + ' into a database' : 'needs an admin token',
        onclick: () => C.openRestore(b) }, 'Restore'),
      admin ? el('button', { type: 'button', class: 'btn small danger delete', title: 'Delete ' + b.id,
        onclick: () => C.removeBackup(b) }, 'Delete') : null);
    const v = b.verification || { state: 'unverified' };
    const problem = b.damage || (v.state === 'failed' ? 'verification failed ' + fmt.abs(v.at) + ': ' + v.problem
      + (v.problems > 1 ? ' (and ' + (v.problems - 1) + ' more)' : '') : null);
    return el('tr', { 'data-kind': 'backup', 'data-id': b.id, 'data-status': b.status,
      'data-verification': v.state, class: b.status === 'ok' ? '' : 'row-bad' },
      el('td', { class: 'id' }, b.id, problem ? el('div', { class: 'err-msg' }, problem) : null),
      el('td', { 'data-label': 'Database', class: 'hide-s' }, b.database),
      el('td', { 'data-label': 'Status', class: 'status' }, C.badge(b.status), ' ',
        el('span', { class: 'muted verification', title: v.at ? v.method + ' at ' + v.at : 'never verified' },
          v.state === 'unverified' ? 'unverified' : v.state === 'failed' ? '' : v.state + ' ' + fmt.abs(v.at, null, false)),
        // with several repositories: where the backup is, each copy checked there
        b.copies ? el('span', { class: 'copies' }, ...b.copies.map(c => el('span', { class: 'badge ' + (c.verified
          ? 's-ok' : 's-queued'), 'data-copy': c.repository, title: c.repository + (c.copiedAt ? ': copied '
          + c.copiedAt : ': written there by its backup') + (c.verified ? ', verified' : '') }, c.repository))) : null),
      el('td', { 'data-label': 'Finished', class: 'time' }, fmt.time(b.finished, { relative: false })),
      el('td', { 'data-label': 'Size', class: 'num' }, fmt.bytes(b.bytes)),
      el('td', { 'data-label': 'Duration', class: 'num' }, fmt.dur(fmt.secondsBetween(b.started, b.finished))),
      el('td', { 'data-label': 'Tables', class: 'num hide-s' }, fmt.num(b.tables)),
      el('td', { 'data-label': 'Rows', class: 'num hide-s' }, fmt.num(b.rows)),
      actions);
  }

  // ---------- jobs ----------
  C.renderJobs = async function () {
    fillDatabases(C.$('jobs-db'));
    const q = new URLSearchParams({ limit: String(JOB_PAGE) });
    if (C.$('jobs-db').value) q.set('database', C.$('jobs-db').value);
    if (C.$('jobs-kind').value) q.set('kind', C.$('jobs-kind').value);
    if (C.$('jobs-status').value) q.set('status', C.$('jobs-status').value);
    const before = cursors[cursors.length - 1];
    if (before) q.set('before', before);
    const mine = ++jobsLoading;
    let page;
    try { page = await C.api('GET', '/jobs?' + q.toString()); } catch (e) { C.failed(e); return; }
    if (mine !== jobsLoading) return; // a newer request (another filter) is under way
    const table = C.$('jobs');
    table.setAttribute('data-filter', q.toString());
    const body = table.querySelector('tbody');
    body.textContent = '';
    if (!page.jobs.length) body.appendChild(el('tr', {}, el('td', { colspan: 7, class: 'muted' }, 'No jobs match.')));
    page.jobs.forEach(j => body.appendChild(jobRow(j)));
    const nav = C.$('jobs-pages');
    nav.textContent = '';
    nav.appendChild(el('button', { type: 'button', class: 'btn small', disabled: cursors.length < 2,
      onclick: () => { cursors.pop(); C.renderJobs(); } }, '‹ Newer'));
    nav.appendChild(el('span', { class: 'muted' }, ' page ' + cursors.length + ' '));
    nav.appendChild(el('button', { type: 'button', class: 'btn small older', disabled: !page.next,
      onclick: () => { cursors.push(page.next); C.renderJobs(); } }, 'Older ›'));
    if (S().offlineSince) nav.querySelectorAll('button').forEach(b => { b.disabled = true; });
  };

  function jobRow(j) {
    return el('tr', { 'data-kind': 'job', 'data-id': j.id, 'data-status': j.state, 'data-job-kind': j.kind,
      class: j.state === 'failed' ? 'row-bad' : '' },
      el('td', { class: 'id' }, j.id, j.backupId ? el('div', { class: 'muted' }, j.backupId) : null,
        j.error ? el('div', { class: 'err-msg' }, j.error.code + ': ' + fmt.mask(j.error.message)) : null),
      el('td', { 'data-label': 'Kind' }, j.kind),
      el('td', { 'data-label': 'Database' }, j.database || ''),
      el('td', { 'data-label': 'Status' }, C.badge(j.state)),
      el('td', { 'data-label': 'Finished', class: 'time' }, fmt.time(j.finished || j.started || j.created, { relative: false })),
      el('td', { 'data-label': 'Duration', class: 'num' }, fmt.dur(fmt.secondsBetween(j.started, j.finished))),
      el('td', { class: 'actions' }, el('button', { type: 'button', class: 'btn small details',
        'aria-controls': 'job-detail', onclick: () => openDetail(j.id) }, 'Details')));
  }

  // ---------- a job's detail ----------
  let detailFrom = null;
  async function openDetail(id) {
    detailFrom = document.activeElement;
    let j;
    try { j = await C.api('GET', '/jobs/' + encodeURIComponent(id)); } catch (e) { C.failed(e); return; }
    const box = C.$('job-detail-body');
    box.textContent = '';
    C.$('job-detail-title').textContent = j.kind + ' ' + j.id;
    const dl = el('dl', { class: 'facts' },
      el('dt', {}, 'Database'), el('dd', {}, j.database || '–'),
      el('dt', {}, 'Status'), el('dd', {}, C.badge(j.state), j.phaseLabel ? ' in phase ' + j.phaseLabel : ''),
      el('dt', {}, 'Trigger'), el('dd', {}, j.trigger || '–'),
      el('dt', {}, 'Created'), el('dd', {}, fmt.time(j.created)),
      el('dt', {}, 'Started'), el('dd', {}, fmt.time(j.started)),
      el('dt', {}, 'Finished'), el('dd', {}, fmt.time(j.finished)),
      el('dt', {}, 'Duration'), el('dd', {}, fmt.dur(fmt.secondsBetween(j.started, j.finished))),
      el('dt', {}, 'Backup'), el('dd', {}, j.backupId || '–'),
      el('dt', {}, j.kind === 'retention' ? 'Deleted' : 'Done'), el('dd', {}, j.kind === 'retention'
        ? j.tablesDone + ' of ' + j.tablesTotal + ' backups considered'
        : fmt.bytes(j.bytes) + ' · ' + fmt.num(j.rows) + ' rows · tables ' + j.tablesDone + ' of ' + j.tablesTotal
          + (j.partsTotal > j.tablesTotal ? ' · parts ' + j.partsDone + ' of ' + j.partsTotal : '')));
    box.appendChild(dl);
    if (j.error) {
      box.appendChild(el('div', { class: 'error-box' }, el('strong', { class: 'code' }, j.error.code), ': ',
        fmt.mask(j.error.message), j.error.hint ? el('div', { class: 'hint' }, 'hint: ' + fmt.mask(j.error.hint)) : null));
    }
    box.appendChild(el('h3', {}, 'Log'));
    if (!j.log || !j.log.length) box.appendChild(el('p', { class: 'muted' }, 'No log lines kept for this job.'));
    else {
      const ol = el('ol', { class: 'log' });
      j.log.forEach(l => ol.appendChild(el('li', { class: 'lvl-' + l.level.toLowerCase() },
        el('time', { datetime: l.at, title: l.at }, fmt.abs(l.at).replace(/^.*?(\d\d:\d\d:\d\d).*$/, '$1')), ' ',
        el('span', { class: 'lvl' }, l.level), ' ', fmt.mask(l.message))));
      box.appendChild(ol);
    }
    const panel = C.$('job-detail');
    panel.hidden = false;
    panel.setAttribute('data-job', j.id);
    C.$('job-detail-close').focus();
  }

  function closeDetail() {
    C.$('job-detail').hidden = true;
    if (detailFrom && document.body.contains(detailFrom)) detailFrom.focus();
  }
})();
