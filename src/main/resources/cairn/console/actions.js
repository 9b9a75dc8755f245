// Cairn console: what the buttons do (run, cancel, verify, download, delete, restore).
(function () {
  'use strict';
  const C = window.Cairn;
  const { el, fmt } = C;
  const S = () => C.state;

  function started(job) {
    C.showBanner(null);
    S().jobs = [job, ...S().jobs.filter(j => j.id !== job.id)];
    C.renderRunning();
    C.schedule(300);
  }

  C.runBackup = async function (db) {
    try {
      const r = await C.api('POST', '/backups', { database: db });
      started(r.job);
      C.renderDatabases();
    } catch (e) { C.failed(e); }
  };

  C.verifying = (id) => S().jobs.some(j => j.kind === 'verify' && j.backupId === id && (j.state === 'running' || j.state === 'queued'));

  C.verifyBackup = async function (id) {
    try { started((await C.api('POST', '/backups/' + encodeURIComponent(id) + '/verify')).job); } catch (e) { C.failed(e); }
  };

  C.cancelJob = async function (j) {
    const partial = j.kind === 'restore' ? '\nDatabase ' + j.database + ' will be left partially restored.' : '';
    if (!confirm('Cancel ' + j.kind + ' job ' + j.id + ' (' + (j.database || j.kind) + ')?' + partial)) return;
    try { await C.api('DELETE', '/jobs/' + encodeURIComponent(j.id)); await C.refreshAll(); } catch (e) { C.failed(e); }
  };

  // A confirmation names the backup's database and time too, so a wrong row is seen before it is too late.
  function backupLabel(b) {
    return b.id + ' (' + b.database + ', ' + (b.finished ? 'finished ' + fmt.abs(b.finished) : 'damaged') + ')';
  }

  C.removeBackup = async function (b) {
    if (!confirm('Delete backup ' + backupLabel(b) + '? This cannot be undone.')) return;
    try { await C.api('DELETE', '/backups/' + encodeURIComponent(b.id)); await C.refreshAll(); } catch (e) { C.failed(e); }
  };

  // The browser downloads the file itself (streamed to disk, with its own progress and resume): the
  // console only asks for a short-lived ticket, since a plain link cannot carry the bearer token.
  C.download = async function (id, button) {
    button.disabled = true;
    try {
      const t = await C.api('POST', '/backups/' + encodeURIComponent(id) + '/download-ticket');
      // relative, like every other call: the console may sit behind a proxy under a path of its own
      const url = C.API + '/backups/' + encodeURIComponent(id) + '/archive?ticket=' + encodeURIComponent(t.ticket);
      const a = el('a', { href: url, download: id + '.cairn' });
      document.body.appendChild(a);
      a.click();
      a.remove();
    } catch (e) { C.failed(e); }
    button.disabled = false;
  };

  // ---------- restore ----------
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

  /**
   * A password typed into the target moves to the password field (type=password), so the connection string
   * on screen never shows it; it is put back only into the request.
   */
  function movePassword(keyValueToo) {
    const input = C.$('restore-target');
    const v = input.value;
    let pw = null, rest = v;
    const u = /^(postgres(?:ql)?:\/\/[^:/?#@\s]*):([^@/?#\s]*)@/i.exec(v);
    // key=value only once typed (on change): while typing, "password=a" is not the whole password yet
    const k = keyValueToo ? /(^|\s)password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)\s*/i.exec(v) : null;
    if (u) {
      try { pw = decodeURIComponent(u[2]); } catch (e) { pw = u[2]; }
      rest = u[1] + '@' + v.slice(u[0].length);
    } else if (k) {
      pw = k[2].startsWith("'") ? k[2].slice(1, -1).replace(/\\(.)/g, '$1') : k[2];
      rest = (v.slice(0, k.index) + k[1] + v.slice(k.index + k[0].length)).trim();
    }
    if (pw === null) return;
    input.value = rest;
    C.$('restore-password').value = pw;
    C.$('restore-password-note').hidden = false;
  }

  /** The target with the password field's password put back, for the request only. */
  function withPassword(target) {
    const pw = C.$('restore-password').value;
    if (!pw || targetDatabase(target) === target) return target;
    const m = /^(postgres(?:ql)?:\/\/)([^@/?#]*@)?(.*)$/i.exec(target);
    if (m) return m[1] + (m[2] ? m[2].slice(0, -1) : '') + ':' + encodeURIComponent(pw) + '@' + m[3];
    return target + " password='" + pw.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'";
  }

  let restoring = null; // the backup the dialog is for

  function restoreMode() { return document.querySelector('input[name="restore-mode"]:checked').value; }

  function updateRestore(ev) {
    movePassword(!ev || ev.type !== 'input');
    const target = C.$('restore-target').value;
    const db = targetDatabase(target);
    const mode = restoreMode();
    C.$('restore-dbname').textContent = db || '–';
    const configured = db && C.databases().includes(target.trim());
    let warn = '';
    if (!db && target.trim()) warn = 'The connection string must name the database (dbname=… or /db).';
    else if (db && mode === 'clean') warn = 'This drops database ' + db + ' and everything in it, then restores '
      + backupLabel(restoring) + ' into it.';
    else if (db && mode === 'create' && configured) warn = db + ' is configured, so it exists: choose clean, or empty.';
    else if (db) warn = 'This restores ' + restoring.id + ' into database ' + db + (mode === 'create' ? ' (created).' : '.');
    C.$('restore-warning').textContent = warn;
    C.$('restore-go').disabled = !db || C.$('restore-confirm').value.trim() !== db;
  }

  C.openRestore = function (b) {
    restoring = b;
    C.$('restore-id').textContent = b.id;
    const list = C.$('restore-databases');
    list.textContent = '';
    C.databases().forEach(d => list.appendChild(el('option', { value: d })));
    for (const id of ['restore-target', 'restore-tables', 'restore-confirm', 'restore-password']) C.$(id).value = '';
    C.$('restore-password-note').hidden = true;
    document.querySelector('input[name="restore-mode"][value="empty"]').checked = true;
    C.$('restore-error').hidden = true;
    updateRestore();
    C.$('restore-dialog').showModal();
    C.$('restore-target').focus();
  };

  async function submitRestore(ev) {
    ev.preventDefault();
    movePassword(true);
    const shown = C.$('restore-target').value.trim();
    const db = targetDatabase(shown);
    if (!restoring || !db || C.$('restore-confirm').value.trim() !== db) return;
    const mode = restoreMode();
    const body = { target: withPassword(shown), create: mode === 'create' || mode === 'clean', clean: mode === 'clean' };
    const tables = C.$('restore-tables').value.split(',').map(x => x.trim()).filter(x => x);
    if (tables.length) body.tables = tables;
    C.$('restore-go').disabled = true;
    try {
      const r = await C.api('POST', '/backups/' + encodeURIComponent(restoring.id) + '/restore', body);
      C.$('restore-password').value = '';
      C.$('restore-dialog').close();
      started(r.job);
    } catch (e) {
      if (e instanceof C.ApiFailure && e.status === 401) { C.$('restore-dialog').close(); C.failed(e); return; }
      C.$('restore-error').textContent = fmt.mask(e.message);
      C.$('restore-error').hidden = false;
      updateRestore();
    }
  }

  C.initActions = function () {
    C.$('restore-form').addEventListener('submit', submitRestore);
    C.$('restore-cancel').addEventListener('click', () => C.$('restore-dialog').close());
    C.$('restore-dialog').addEventListener('close', () => { C.$('restore-password').value = ''; });
    for (const id of ['restore-target', 'restore-confirm']) C.$(id).addEventListener('input', updateRestore);
    C.$('restore-target').addEventListener('change', updateRestore);
    document.querySelectorAll('input[name="restore-mode"]').forEach(r => r.addEventListener('change', updateRestore));
  };
})();
