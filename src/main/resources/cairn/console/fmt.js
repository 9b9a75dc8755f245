// Cairn console: formatting (sizes, durations, times with their zones) and DOM helpers. Every value from
// the server is inserted as text (textContent / createTextNode / setAttribute), never as HTML.
(function () {
  'use strict';
  const C = window.Cairn = window.Cairn || {};
  const SVG = 'http://www.w3.org/2000/svg';

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
      if (c === null || c === undefined || c === false) continue;
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
  function num(n) { return n === null || n === undefined ? '–' : Number(n).toLocaleString(); }

  // ---------- time zones ----------
  const BROWSER_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  /** The server's zone names ("Z", "UTC", "Europe/Berlin") as Intl takes them. */
  function zoneId(z) { return !z || z === 'Z' || z === 'GMT' || z === 'Etc/UTC' ? 'UTC' : z; }
  /** Whether two zones show different wall-clock times at {@code iso} (same offset: same clock). */
  function zonesDiffer(a, b, iso) {
    const f = (z) => new Intl.DateTimeFormat('en-US', { timeZone: zoneId(z), hour: '2-digit', minute: '2-digit',
      hourCycle: 'h23', day: '2-digit' }).format(new Date(iso || Date.now()));
    try { return f(a) !== f(b); } catch (e) { return false; }
  }
  /** "Dec 1, 2026, 21:00:05 EST": absolute, in {@code zone} (default: the browser's), with the zone's name. */
  function abs(iso, zone, seconds) {
    if (!iso) return '–';
    const o = { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
      hourCycle: 'h23', timeZoneName: 'short', timeZone: zoneId(zone || BROWSER_ZONE) };
    if (seconds !== false) o.second = '2-digit';
    try { return new Intl.DateTimeFormat(undefined, o).format(new Date(iso)); } catch (e) { return iso; }
  }
  /** "in 3 h 20 min", "5 min ago", "just now". */
  function rel(iso) {
    if (!iso) return '';
    const s = (Date.now() - Date.parse(iso)) / 1000;
    if (s < 0) return 'in ' + dur(-s);
    if (s < 10) return 'just now';
    if (s < 60) return Math.floor(s) + ' s ago';
    if (s < 3600) return Math.floor(s / 60) + ' min ago';
    if (s < 86400 * 2) return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min ago';
    return Math.floor(s / 86400) + ' days ago';
  }
  /**
   * A <time> with the absolute time in the browser's zone, the relative time beside it, and the ISO time
   * as its tooltip; with {@code zone} (a schedule's) differing from the browser's, that zone's time first.
   */
  function time(iso, opts) {
    opts = opts || {};
    if (!iso) return el('span', { class: 'muted' }, '–');
    const parts = [];
    if (opts.zone && zonesDiffer(opts.zone, BROWSER_ZONE, iso)) {
      parts.push(abs(iso, opts.zone, opts.seconds) + ' (' + zoneId(opts.zone) + ')');
      parts.push(abs(iso, BROWSER_ZONE, opts.seconds) + ' your time');
    } else {
      parts.push(abs(iso, BROWSER_ZONE, opts.seconds));
    }
    const t = el('time', { datetime: iso, title: iso, class: 'when' }, parts.join(' · '));
    if (opts.relative !== false) t.appendChild(el('span', { class: 'rel muted', 'data-rel': iso }, ' (' + rel(iso) + ')'));
    return t;
  }

  // ---------- secrets ----------
  /** A connection string with its password replaced by •••: URI user:pass@ and key=value password=. */
  function mask(s) {
    if (!s) return s;
    return String(s)
      .replace(/(postgres(?:ql)?:\/\/[^:/?#@\s]*:)[^@/?#\s]*@/gi, '$1•••@')
      .replace(/(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)/gi, '$1•••')
      .replace(/([?&]password=)[^&#\s]*/gi, '$1•••');
  }

  C.el = el;
  C.svg = svg;
  C.fmt = { bytes, dur, secondsBetween, num, abs, rel, time, mask, zoneId, zonesDiffer, BROWSER_ZONE };
})();
