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

  async function api(path, body) {
    const init = { headers: { accept: 'application/json' }, credentials: 'same-origin' };
    if (body !== undefined) {
      // Actions post JSON to this origin with the SameSite=Strict cookie: other sites cannot send them.
      init.method = 'POST';
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const res = await fetch(path, init);
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

  const state = { shown: 0, cursor: null, selected: null, panelKey: '', historyKey: '', open: new Set() };
  const messages = { query: '', cursor: null, count: 0 };
  const MESSAGE_PAGE = 25;
  const OUTCOME = { sent: 'Sent', failed: 'Failed', uncertain: 'Uncertain' };
  const MODE = { default: 'Default address', gmail: 'Gmail', microsoft: 'Microsoft 365', smtp: 'SMTP' };
  const SECURITY = { tls: 'TLS from the start', starttls: 'STARTTLS', none: 'no encryption' };
  const DETECTED = {
    tenant: 'by the tenant here',
    sending: 'detected while sending',
    consent_check: 'detected by the consent check',
  };
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
  const when = (iso) => time(iso).textContent;

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

  // Another tenant has the same support address (provisioned before usernames were claimed).
  function duplicateBadge() {
    return el('span', { class: 'badge needs_attention', title: 'Another tenant has this username' }, [
      'Shared address',
    ]);
  }

  function row(t) {
    const statusCell = el('td', {}, [el('span', { class: `badge ${t.status}` }, [STATUS[t.status] ?? t.status])]);
    const reason = t.reason || (t.attention ? (ATTENTION[t.attention] ?? t.attention) : '–');
    const tr = el('tr', { 'data-tenant-row': t.tenantId }, [
      el('td', {}, [el('button', { type: 'button', class: 'tenant', 'data-tenant': t.tenantId }, [t.tenantId])]),
      el('td', {}, [t.username || '–', ...(t.duplicateUsername ? [' ', duplicateBadge()] : [])]),
      el('td', {}, [MODE[t.mode] ?? t.mode]),
      el('td', {}, [t.sender || '–']),
      statusCell,
      el('td', { class: 'reason' }, [reason]),
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

  // The tenant panel: the configuration in words, the actions, and the history in plain language.
  function grantWords(grant, provider) {
    if (!grant) return 'Not authorized';
    const account = grant.account || 'an account';
    if (grant.status === 'authorized') {
      return `${account}, authorized${grant.authorizedAt ? ` ${when(grant.authorizedAt)}` : ''}`;
    }
    const how =
      grant.revokedReason === 'tenant_request'
        ? 'revoked by the tenant here'
        : `revoked at ${provider}${grant.detectedBy ? `, ${DETECTED[grant.detectedBy] ?? grant.detectedBy}` : ''}`;
    return `${account}, ${how}, ${when(grant.revokedAt)} (recorded by ${grant.revokedBy})`;
  }

  function configRows(t) {
    const d = t.details;
    const rows = [
      ['Mode', `${MODE[t.mode] ?? t.mode}${t.sender ? `, sending as ${t.sender}` : ''}`],
      ['Status', `${STATUS[t.status] ?? t.status}${t.reason ? `: ${t.reason}` : ''}`],
    ];
    if (!d) return rows;
    if (d.smtp) {
      const s = d.smtp;
      const draft = t.mode === 'smtp' ? '' : ' (saved, not in use: a draft)';
      rows.push([
        'SMTP server',
        `${s.host}, port ${s.port}, ${SECURITY[s.security] ?? s.security}, login ${s.username}, ` +
          `sending as ${s.address}${draft}; saved ${when(s.configuredAt)} by ${s.configuredBy}`,
      ]);
    } else rows.push(['SMTP server', 'Not configured']);
    const test = d.lastTest;
    rows.push([
      'Last SMTP test',
      !d.smtp
        ? '–'
        : !test
          ? 'Not tested since the settings were saved'
          : test.ok
            ? `Passed in ${test.durationMs} ms, ${when(test.at)} (by ${test.by})`
            : `Failed at ${test.stage}: ${test.message} — ${when(test.at)} (by ${test.by})`,
    ]);
    rows.push(['Gmail account', grantWords(d.gmail, 'Google')]);
    rows.push(['Microsoft 365 account', grantWords(d.microsoft, 'Microsoft')]);
    const f = d.lastDeliveryFailure;
    rows.push([
      'Last delivery failure',
      !f
        ? 'None recorded'
        : `Sending through ${MODE[f.mode] ?? f.mode} failed at ${f.stage}: ${f.message} ` +
          `(${f.consecutiveFailures} in a row, since ${when(f.since)}; ` +
          `${f.recoveredAt ? `works again since ${when(f.recoveredAt)}` : 'still failing'})`,
    ]);
    const m = d.lastTestMessage;
    rows.push([
      'Last test message',
      !m
        ? 'None sent'
        : m.ok
          ? `To ${m.to}: sent through ${MODE[m.mode] ?? m.mode} from ${m.from}, ${when(m.at)} (by ${m.by})`
          : `To ${m.to}: failed at ${m.stage}: ${m.message} — ${when(m.at)} (by ${m.by})`,
    ]);
    return rows;
  }

  function renderPanel(t) {
    // Redrawn only when something changed, so a refresh never moves the reader's place.
    const key = JSON.stringify(t);
    if (key === state.panelKey) return;
    state.panelKey = key;
    $('#tenant-name').textContent = t.tenantId;
    $('#history-tenant').textContent = t.tenantId;
    $('#config').replaceChildren(
      ...configRows(t).flatMap(([term, value]) => [el('dt', {}, [term]), el('dd', {}, [value])]),
    );
    $('#tenant-note').hidden = t.details !== null;
    $('#tenant-note').textContent =
      'This tenant was last projected before the panel existed: rebuild the projections to see its details.';
    const noSmtp = !t.details?.smtp || (t.status !== 'ok' && t.status !== 'needs_attention');
    $('#rerun-test').disabled = noSmtp;
    $('#rerun-help').textContent = noSmtp
      ? 'There are no saved SMTP settings to test.'
      : 'Tests the saved SMTP settings again and records the result.';
  }

  function historyItem(e) {
    const raw = el('details', { 'data-event': e.eventId }, [
      el('summary', {}, [`Raw event (${e.type}, version ${e.version})`]),
      el('pre', {}, [
        JSON.stringify(
          { type: e.type, version: e.version, at: e.at, actor: e.actor, correlationId: e.correlationId, data: e.data },
          null,
          2,
        ),
      ]),
    ]);
    if (state.open.has(e.eventId)) raw.open = true;
    raw.addEventListener('toggle', () => {
      if (raw.open) state.open.add(e.eventId);
      else state.open.delete(e.eventId);
    });
    return el('li', {}, [
      el('p', { class: 'what' }, [e.description]),
      el('p', { class: 'who' }, [`by ${e.actor} · `, time(e.at)]),
      raw,
    ]);
  }

  async function loadHistory(tenantId) {
    let events = [];
    let cursor = null;
    do {
      const after = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = await api(`/v1/dashboard/tenants/${encodeURIComponent(tenantId)}/history?limit=500${after}`);
      events = events.concat(page.events);
      cursor = page.nextCursor;
    } while (cursor && events.length < 5000);
    return events;
  }

  async function loadTenantPanel(tenantId) {
    const path = `/v1/dashboard/tenants/${encodeURIComponent(tenantId)}`;
    const [tenant, events] = await Promise.all([api(path), loadHistory(tenantId)]);
    if (state.selected !== tenantId) return;
    renderPanel(tenant);
    const key = events.map((e) => e.eventId).join();
    if (key !== state.historyKey) {
      state.historyKey = key;
      // A redraw must not drop the keyboard focus of a reader inside the history.
      const focused = document.activeElement?.closest?.('#events details[data-event]')?.dataset.event;
      $('#events').replaceChildren(...events.reverse().map(historyItem));
      if (focused) $(`#events details[data-event="${CSS.escape(focused)}"] summary`)?.focus();
    }
    $('#tenant').hidden = false;
  }

  // The delivery log: searched on demand, never on the refresh timer, so results stay put while read.
  function outcomeWords(m) {
    const where = m.stage ? ` at ${m.stage}` : '';
    const detail = m.detail ? `: ${m.detail}` : '';
    if (m.outcome === 'sent') {
      return m.fallback ? `fell back from ${MODE[m.fallback.from] ?? m.fallback.from}: ${m.fallback.reason}` : '';
    }
    if (m.outcome === 'failed') return `Not sent${where}${detail}`;
    return `May have reached the server${where}${detail}`;
  }

  function messageRow(m) {
    const recipients = [
      m.to.join(', '),
      ...(m.cc.length ? [`Cc: ${m.cc.join(', ')}`] : []),
      ...(m.bcc.length ? [`Bcc: ${m.bcc.join(', ')}`] : []),
    ];
    const words = outcomeWords(m);
    const badge = m.outcome === 'sent' ? 'ok' : 'needs_attention';
    return el('tr', { 'data-message': m.messageId ?? m.correlationId }, [
      el('td', {}, [time(m.at)]),
      el('td', {}, [recipients.join('; ')]),
      el('td', {}, [m.subject || '(no subject)']),
      el('td', {}, [MODE[m.mode] ?? m.mode]),
      el('td', {}, [m.from || '–']),
      el('td', { class: 'outcome' }, [
        el('span', { class: `badge ${badge}` }, [OUTCOME[m.outcome] ?? m.outcome]),
        words,
      ]),
    ]);
  }

  function messageQuery() {
    const params = new URLSearchParams();
    const form = new FormData($('#message-search'));
    const to = String(form.get('to') ?? '').trim();
    if (to) params.set('to', to);
    if (form.get('outcome')) params.set('outcome', String(form.get('outcome')));
    // A date is a whole day where the agent is: from its first to its last millisecond, local time.
    const since = String(form.get('since') ?? '');
    const until = String(form.get('until') ?? '');
    if (since) params.set('since', new Date(`${since}T00:00:00`).toISOString());
    if (until) params.set('until', new Date(`${until}T23:59:59.999`).toISOString());
    return params;
  }

  function announceMessages() {
    const n = messages.count;
    const more = messages.cursor ? ' (older ones: Show older messages)' : '';
    $('#messages-status').textContent = `${n === 0 ? 'No' : n} message${n === 1 ? '' : 's'} found${more}.`;
  }

  async function loadMessages(append) {
    const tenantId = state.selected;
    if (!tenantId) return;
    const params = append ? new URLSearchParams(messages.query) : messageQuery();
    params.set('limit', String(MESSAGE_PAGE));
    if (append && messages.cursor) params.set('cursor', messages.cursor);
    const page = await api(`/v1/dashboard/tenants/${encodeURIComponent(tenantId)}/messages?${params}`);
    if (state.selected !== tenantId) return;
    params.delete('cursor');
    messages.query = params.toString();
    const rows = page.messages.map(messageRow);
    if (append) $('#messages tbody').append(...rows);
    else $('#messages tbody').replaceChildren(...rows);
    messages.count = (append ? messages.count : 0) + page.messages.length;
    messages.cursor = page.nextCursor;
    $('#more-messages').hidden = !page.nextCursor;
    announceMessages();
  }

  async function searchMessages(append) {
    const input = $('#message-to');
    if (!input.checkValidity()) {
      input.setAttribute('aria-invalid', 'true');
      $('#messages-status').textContent = 'Type one email address as the recipient, or leave it empty.';
      input.focus();
      return;
    }
    input.removeAttribute('aria-invalid');
    try {
      await loadMessages(append);
    } catch (error) {
      if (error.message !== 'signed out') $('#messages-status').textContent = `Could not search: ${error.message}`;
    }
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

  async function openTenant(tenantId) {
    if (state.selected !== tenantId) {
      state.panelKey = '';
      state.historyKey = '';
      state.open.clear();
      $('#action-status').textContent = '';
      $('#link-box').hidden = true;
      $('#link-url').value = '';
      $('#message-search').reset();
      $('#message-to').removeAttribute('aria-invalid');
      $('#messages tbody').replaceChildren();
      $('#messages-status').textContent = '';
      $('#more-messages').hidden = true;
      Object.assign(messages, { query: '', cursor: null, count: 0 });
    }
    const changed = state.selected !== tenantId;
    state.selected = tenantId;
    for (const tr of document.querySelectorAll('tr[data-tenant-row]')) {
      tr.classList.toggle('selected', tr.dataset.tenantRow === tenantId);
    }
    await guarded(() => loadTenantPanel(tenantId));
    $('#tenant-title').focus();
    if (changed) await searchMessages(false);
  }

  function say(text) {
    // The live region announces each outcome, even the same words twice in a row.
    $('#action-status').textContent = '';
    setTimeout(() => ($('#action-status').textContent = text), 50);
  }

  /** One support action: the button is busy while it runs, the outcome is announced, the panel reloads. */
  async function act(button, busyText, work) {
    const tenantId = state.selected;
    // Not disabled while busy: a disabled button would drop the keyboard focus.
    if (!tenantId || button.getAttribute('aria-busy') === 'true') return;
    button.setAttribute('aria-busy', 'true');
    say(busyText);
    try {
      say(await work(`/v1/dashboard/tenants/${encodeURIComponent(tenantId)}`));
    } catch (error) {
      if (error.message !== 'signed out') say(`Could not do that: ${error.message}`);
    } finally {
      button.removeAttribute('aria-busy');
      // The action's event reaches the projections shortly: look again a few times.
      for (const ms of [300, 1000, 2500])
        setTimeout(() => state.selected && guarded(() => loadTenantPanel(state.selected)), ms);
    }
  }

  function actions() {
    $('#rerun-test').addEventListener('click', (e) =>
      act(e.currentTarget, 'Testing the saved SMTP settings…', async (base) => {
        const r = await api(`${base}/smtp-test`, {});
        return r.ok ? `SMTP test passed in ${r.durationMs} ms.` : `SMTP test failed at ${r.stage}: ${r.message}`;
      }),
    );
    $('#test-message').addEventListener('submit', (e) => {
      e.preventDefault();
      const input = $('#test-to');
      const to = input.value.trim();
      if (!to || !input.checkValidity()) {
        input.setAttribute('aria-invalid', 'true');
        say('Type one email address to send the test message to.');
        input.focus();
        return;
      }
      input.removeAttribute('aria-invalid');
      const button = e.currentTarget.querySelector('button[type="submit"]');
      act(button, `Sending a test message to ${to}…`, async (base) => {
        const r = await api(`${base}/test-message`, { to });
        if (!r.ok) return `Test message to ${r.to} failed at ${r.stage}: ${r.message}`;
        const fallback = r.fallback ? ` (fell back from ${MODE[r.fallback.from] ?? r.fallback.from})` : '';
        return `Test message sent to ${r.to} through ${MODE[r.mode] ?? r.mode} from ${r.from}${fallback}.`;
      });
    });
    $('#settings-link').addEventListener('click', (e) =>
      act(e.currentTarget, 'Creating a settings-page link…', async (base) => {
        const r = await api(`${base}/settings-link`, {});
        $('#link-url').value = r.url;
        $('#link-expiry').textContent = `Works once, until ${when(r.expiresAt)}.`;
        $('#link-box').hidden = false;
        let copied = false;
        try {
          await navigator.clipboard.writeText(r.url);
          copied = true;
        } catch {
          // No clipboard permission: the link stays selected in its field for Ctrl+C.
        }
        $('#link-url').focus();
        $('#link-url').select();
        return copied
          ? `Settings-page link copied to the clipboard; it works once, until ${when(r.expiresAt)}.`
          : `Settings-page link created and selected: press Ctrl+C to copy it. It works once, until ${when(r.expiresAt)}.`;
      }),
    );
  }

  async function refresh() {
    await guarded(async () => {
      await Promise.all([loadSummary(), loadTenants(false), state.selected ? loadTenantPanel(state.selected) : null]);
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
      if (button) openTenant(button.dataset.tenant);
    });
    actions();
    $('#message-search').addEventListener('submit', (e) => {
      e.preventDefault();
      searchMessages(false);
    });
    $('#more-messages').addEventListener('click', () => searchMessages(true));
    $('#close-tenant').addEventListener('click', () => {
      state.selected = null;
      $('#tenant').hidden = true;
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
