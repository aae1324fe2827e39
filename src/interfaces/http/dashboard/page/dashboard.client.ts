/**
 * The page's script, served as /dashboard/assets/dashboard.js. Plain ES2020 for evergreen
 * browsers; every value from the API goes into the DOM through textContent, never as markup.
 * (Kept as a string so the service needs no asset build or copy step.)
 */
export const DASHBOARD_JS = String.raw`'use strict';
(function () {
  var REFRESH_MS = 5000;
  var PAGE = 50;
  var $ = function (selector) { return document.querySelector(selector); };

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { node.append(c instanceof Node ? c : document.createTextNode(String(c))); });
    return node;
  }

  async function api(path) {
    var res = await fetch(path, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
    // The session cookie expired or the token was rotated: the page itself shows the sign-in form.
    if (res.status === 401 || res.status === 403) { location.replace('/dashboard'); throw new Error('signed out'); }
    if (!res.ok) {
      var problem = await res.json().catch(function () { return {}; });
      throw new Error(problem.detail || ('HTTP ' + res.status));
    }
    return res.json();
  }

  function signInPage() {
    var form = $('#sign-in');
    form.addEventListener('submit', async function (event) {
      event.preventDefault();
      var res = await fetch('/dashboard/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: $('#token').value }),
        credentials: 'same-origin',
      });
      if (res.ok) { location.replace('/dashboard'); return; }
      var problem = await res.json().catch(function () { return {}; });
      $('#sign-in-message').textContent = problem.detail || 'Sign-in failed';
      $('#token').select();
    });
  }

  var state = { shown: 0, cursor: null, selected: null };
  var ATTENTION = { gmail_revoked: 'Gmail revoked at Google', smtp_test_failed: 'SMTP test failed', send_failing: 'Sending failing' };
  var STATUS = { ok: 'OK', needs_attention: 'Needs attention', erased: 'Erased' };

  function time(iso) {
    var d = new Date(iso);
    return el('time', { datetime: iso }, [isNaN(d) ? iso : d.toLocaleString()]);
  }

  function filterQuery(extra) {
    var params = new URLSearchParams();
    new FormData($('#filters')).forEach(function (v, k) { if (String(v).trim()) params.set(k, String(v).trim()); });
    Object.keys(extra).forEach(function (k) { if (extra[k] != null) params.set(k, extra[k]); });
    return '/v1/dashboard/tenants?' + params.toString();
  }

  async function loadSummary() {
    var s = await api('/v1/dashboard/summary');
    document.querySelectorAll('[data-field]').forEach(function (node) {
      var value = node.getAttribute('data-field').split('.').reduce(function (o, k) { return o == null ? o : o[k]; }, s);
      node.textContent = value == null ? '–' : String(value);
    });
    ['needsAttention', 'gmailRevoked', 'smtpFailing'].forEach(function (k) {
      $('[data-card="' + k + '"]').classList.toggle('alert', s[k] > 0);
    });
  }

  function row(t) {
    var status = el('span', { class: 'badge ' + t.status }, [STATUS[t.status] || t.status]);
    var statusCell = el('td', {}, [status]);
    if (t.attention) statusCell.append(' ', ATTENTION[t.attention] || t.attention);
    var tr = el('tr', { 'data-tenant-row': t.tenantId }, [
      el('td', {}, [el('button', { type: 'button', class: 'tenant', 'data-tenant': t.tenantId }, [t.tenantId])]),
      el('td', {}, [t.username || '–']),
      el('td', {}, [t.mode]),
      el('td', {}, [t.sender || '–']),
      statusCell,
      el('td', {}, [time(t.lastChangeAt)]),
      el('td', {}, [t.lastChangeBy]),
    ]);
    if (t.tenantId === state.selected) tr.classList.add('selected');
    return tr;
  }

  async function loadTenants(fromStart) {
    // A refresh reloads as many rows as are shown, so the list does not shrink under the reader.
    var limit = fromStart ? PAGE : Math.min(500, Math.max(PAGE, state.shown));
    var page = await api(filterQuery({ limit: limit }));
    $('#tenants tbody').replaceChildren.apply($('#tenants tbody'), page.tenants.map(row));
    state.shown = page.tenants.length;
    state.cursor = page.nextCursor;
    $('#more').hidden = !page.nextCursor;
    $('#empty').hidden = page.tenants.length > 0;
  }

  async function loadMore() {
    var page = await api(filterQuery({ limit: PAGE, cursor: state.cursor }));
    page.tenants.forEach(function (t) { $('#tenants tbody').append(row(t)); });
    state.shown += page.tenants.length;
    state.cursor = page.nextCursor;
    $('#more').hidden = !page.nextCursor;
  }

  async function loadTimeline(tenantId) {
    var events = [];
    var cursor = null;
    do {
      var path = '/v1/tenants/' + encodeURIComponent(tenantId) + '/mail-config/history?limit=500' +
        (cursor ? '&cursor=' + encodeURIComponent(cursor) : '');
      var page = await api(path);
      events = events.concat(page.events);
      cursor = page.nextCursor;
    } while (cursor && events.length < 5000);
    if (state.selected !== tenantId) return;
    $('#timeline-tenant').textContent = tenantId;
    $('#events').replaceChildren.apply($('#events'), events.slice().reverse().map(function (e) {
      return el('li', {}, [
        el('span', { class: 'what' }, [e.type]), ' ', el('span', { class: 'who' }, ['by ' + e.actor]), ' · ', time(e.at),
        el('pre', {}, [JSON.stringify(e.data, null, 2)]),
      ]);
    }));
    $('#timeline').hidden = false;
  }

  async function openTimeline(tenantId) {
    state.selected = tenantId;
    document.querySelectorAll('tr[data-tenant-row]').forEach(function (tr) {
      tr.classList.toggle('selected', tr.getAttribute('data-tenant-row') === tenantId);
    });
    await guarded(function () { return loadTimeline(tenantId); });
    $('#timeline-title').focus();
  }

  async function guarded(work) {
    try {
      await work();
      $('#problem').hidden = true;
    } catch (error) {
      if (error.message === 'signed out') return;
      $('#problem').textContent = 'Could not refresh: ' + error.message + '. Retrying shortly.';
      $('#problem').hidden = false;
    }
  }

  async function refresh() {
    await guarded(async function () {
      await Promise.all([loadSummary(), loadTenants(false), state.selected ? loadTimeline(state.selected) : null]);
      $('#updated').textContent = 'Updated ' + new Date().toLocaleTimeString();
    });
    setTimeout(refresh, REFRESH_MS);
  }

  function dashboardPage() {
    var debounce;
    $('#filters').addEventListener('submit', function (e) { e.preventDefault(); });
    $('#filters').addEventListener('change', function () { guarded(function () { return loadTenants(true); }); });
    $('#filters').addEventListener('input', function (e) {
      if (e.target.name !== 'q') return;
      clearTimeout(debounce);
      debounce = setTimeout(function () { guarded(function () { return loadTenants(true); }); }, 250);
    });
    $('#more').addEventListener('click', function () { guarded(loadMore); });
    $('#tenants').addEventListener('click', function (e) {
      var button = e.target.closest('button[data-tenant]');
      if (button) openTimeline(button.getAttribute('data-tenant'));
    });
    $('#close-timeline').addEventListener('click', function () {
      state.selected = null;
      $('#timeline').hidden = true;
      document.querySelectorAll('tr.selected').forEach(function (tr) { tr.classList.remove('selected'); });
      $('#tenants-title').focus();
    });
    $('#sign-out').addEventListener('click', async function () {
      await fetch('/dashboard/session', { method: 'DELETE', credentials: 'same-origin' });
      location.replace('/dashboard');
    });
    refresh();
  }

  if (document.body.dataset.page === 'sign-in') signInPage();
  else dashboardPage();
})();
`;
