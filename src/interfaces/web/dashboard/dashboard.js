// The support page's script, served as /dashboard/assets/dashboard.js for both the sign-in form and the
// dashboard. Plain ES2022 for evergreen browsers, no build step; every value from the API goes into the
// DOM through text nodes, never as markup.
'use strict';
(() => {
  const REFRESH_MS = 5000;
  const PAGE = 50;
  const $ = (selector) => document.querySelector(selector);

  function el(tag, attrs = {}, children = []) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
    for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    return node;
  }

  const problemOf = (res) => res.json().catch(() => ({}));

  async function api(path) {
    const res = await fetch(path, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
    // The session cookie expired or the token was rotated: the page itself shows the sign-in form.
    if (res.status === 401 || res.status === 403) {
      location.replace('/dashboard');
      throw new Error('signed out');
    }
    if (!res.ok) throw new Error((await problemOf(res)).detail || `HTTP ${res.status}`);
    return res.json();
  }

  function signInPage() {
    $('#sign-in').addEventListener('submit', async (event) => {
      event.preventDefault();
      // The token travels once, in a JSON body; the answer is an HttpOnly cookie this script cannot read.
      const res = await fetch('/dashboard/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: $('#token').value }),
        credentials: 'same-origin',
      });
      if (res.ok) {
        location.replace('/dashboard');
        return;
      }
      $('#sign-in-message').textContent = (await problemOf(res)).detail || 'Sign-in failed';
      $('#token').select();
    });
  }

  const state = { shown: 0, cursor: null, selected: null };
  const ATTENTION = {
    gmail_revoked: 'Gmail revoked at Google',
    microsoft_revoked: 'Microsoft 365 revoked at Microsoft',
    smtp_test_failed: 'SMTP test failed',
    send_failing: 'Sending failing',
  };
  const STATUS = { ok: 'OK', needs_attention: 'Needs attention', erased: 'Erased' };

  function time(iso) {
    const d = new Date(iso);
    return el('time', { datetime: iso }, [Number.isNaN(d.getTime()) ? iso : d.toLocaleString()]);
  }

  function filterQuery(extra) {
    const params = new URLSearchParams();
    for (const [k, v] of new FormData($('#filters'))) if (String(v).trim()) params.set(k, String(v).trim());
    for (const [k, v] of Object.entries(extra)) if (v != null) params.set(k, v);
    return `/v1/dashboard/tenants?${params}`;
  }

  async function loadSummary() {
    const summary = await api('/v1/dashboard/summary');
    for (const node of document.querySelectorAll('[data-field]')) {
      const value = node.dataset.field.split('.').reduce((o, k) => o?.[k], summary);
      node.textContent = value == null ? '–' : String(value);
    }
    for (const k of ['needsAttention', 'gmailRevoked', 'smtpFailing']) {
      $(`[data-card="${k}"]`).classList.toggle('alert', summary[k] > 0);
    }
  }

  function row(t) {
    const statusCell = el('td', {}, [el('span', { class: `badge ${t.status}` }, [STATUS[t.status] ?? t.status])]);
    if (t.attention) statusCell.append(' ', ATTENTION[t.attention] ?? t.attention);
    const tr = el('tr', { 'data-tenant-row': t.tenantId }, [
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

  function showPage(page, append) {
    const rows = page.tenants.map(row);
    if (append) $('#tenants tbody').append(...rows);
    else $('#tenants tbody').replaceChildren(...rows);
    state.shown = (append ? state.shown : 0) + page.tenants.length;
    state.cursor = page.nextCursor;
    $('#more').hidden = !page.nextCursor;
  }

  async function loadTenants(fromStart) {
    // A refresh reloads as many rows as are shown, so the list does not shrink under the reader.
    const limit = fromStart ? PAGE : Math.min(500, Math.max(PAGE, state.shown));
    const page = await api(filterQuery({ limit }));
    showPage(page, false);
    $('#empty').hidden = page.tenants.length > 0;
  }

  async function loadMore() {
    showPage(await api(filterQuery({ limit: PAGE, cursor: state.cursor })), true);
  }

  async function loadTimeline(tenantId) {
    let events = [];
    let cursor = null;
    do {
      const after = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      // The audit (a support route): the session cookie is not a credential on the main API's routes.
      const page = await api(`/v1/audit/events?tenantId=${encodeURIComponent(tenantId)}&limit=500${after}`);
      events = events.concat(page.events);
      cursor = page.nextCursor;
    } while (cursor && events.length < 5000);
    if (state.selected !== tenantId) return;
    $('#timeline-tenant').textContent = tenantId;
    $('#events').replaceChildren(
      ...events
        .reverse()
        .map((e) =>
          el('li', {}, [
            el('span', { class: 'what' }, [e.type]),
            ' ',
            el('span', { class: 'who' }, [`by ${e.actor}`]),
            ' · ',
            time(e.at),
            el('pre', {}, [JSON.stringify(e.data, null, 2)]),
          ]),
        ),
    );
    $('#timeline').hidden = false;
  }

  async function guarded(work) {
    try {
      await work();
      $('#problem').hidden = true;
    } catch (error) {
      if (error.message === 'signed out') return;
      $('#problem').textContent = `Could not refresh: ${error.message}. Retrying shortly.`;
      $('#problem').hidden = false;
    }
  }

  async function openTimeline(tenantId) {
    state.selected = tenantId;
    for (const tr of document.querySelectorAll('tr[data-tenant-row]')) {
      tr.classList.toggle('selected', tr.dataset.tenantRow === tenantId);
    }
    await guarded(() => loadTimeline(tenantId));
    $('#timeline-title').focus();
  }

  async function refresh() {
    await guarded(async () => {
      await Promise.all([loadSummary(), loadTenants(false), state.selected ? loadTimeline(state.selected) : null]);
      $('#updated').textContent = `Updated ${new Date().toLocaleTimeString()}`;
    });
    setTimeout(refresh, REFRESH_MS);
  }

  function dashboardPage() {
    let debounce;
    const reload = () => guarded(() => loadTenants(true));
    $('#filters').addEventListener('submit', (e) => e.preventDefault());
    $('#filters').addEventListener('change', reload);
    $('#filters').addEventListener('input', (e) => {
      if (e.target.name !== 'q') return;
      clearTimeout(debounce);
      debounce = setTimeout(reload, 250);
    });
    $('#more').addEventListener('click', () => guarded(loadMore));
    $('#tenants').addEventListener('click', (e) => {
      const button = e.target.closest('button[data-tenant]');
      if (button) openTimeline(button.dataset.tenant);
    });
    $('#close-timeline').addEventListener('click', () => {
      state.selected = null;
      $('#timeline').hidden = true;
      for (const tr of document.querySelectorAll('tr.selected')) tr.classList.remove('selected');
      $('#tenants-title').focus();
    });
    $('#sign-out').addEventListener('click', async () => {
      await fetch('/dashboard/session', { method: 'DELETE', credentials: 'same-origin' });
      location.replace('/dashboard');
    });
    refresh();
  }

  if (document.body.dataset.page === 'sign-in') signInPage();
  else dashboardPage();
})();
