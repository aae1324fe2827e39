// The tenant's "Support Email Mode" page, served as /settings/assets/settings.js. Plain ES2022 for
// evergreen browsers, no build step. It talks only to /settings/api (the session cookie says which
// tenant); every change carries the session's anti-forgery token in a header. Values from the API go
// into the DOM as text, never as markup, and the password typed is never written back into the page.
'use strict';
(() => {
  const POLL_MS = 4000;
  const $ = (selector) => document.querySelector(selector);

  const MODE_NAMES = {
    default: 'My support address',
    gmail: 'Gmail',
    microsoft: 'Microsoft 365',
    smtp: 'Dedicated mail server',
  };
  const STAGES = {
    policy: 'checking that the server may be used',
    dns: 'looking up the host',
    connect: 'connecting to the server',
    tls: 'securing the connection',
    auth: 'signing in',
    send: 'sending a test message',
    done: 'all steps passed',
  };
  const PROVIDER_NAMES = { gmail: 'Gmail', microsoft: 'Microsoft 365' };
  const PROVIDER_ERRORS = {
    scope_missing:
      'permission to send email was not given. Authorize again and leave the permission to send email ticked.',
    state_invalid: 'the authorization took too long or was already used. Authorize again.',
    exchange_failed: 'the provider could not complete the authorization. Try again in a moment.',
    admin_consent_required: 'your organisation’s administrator must approve this app first.',
    other_browser: 'it was finished in another browser than the one it was started in. Authorize again from this page.',
  };

  let csrf = '';
  let current = null;
  let chosen = null;
  let ended = false;
  let timer = null;
  let securityTouched = false;
  let filledFrom = undefined;
  let dirty = false;
  /** The values whose activation the server's Test refused; "Save anyway" sends exactly these with force. */
  let refused = null;
  /** The saved settings (their configuredAt) a switch to smtp was refused for; "Switch anyway" is for those only. */
  let refusedSwitch = null;
  /** What the provider said when the browser came back (read once from the URL, then removed from it). */
  let returned = null;

  class SessionEnded extends Error {}

  async function call(method, path, body) {
    const headers = { accept: 'application/json' };
    if (method !== 'GET') {
      headers['content-type'] = 'application/json';
      headers['x-csrf-token'] = csrf;
    }
    const res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
    if (res.status === 401) {
      sessionEnded();
      throw new SessionEnded('session ended');
    }
    const json = await res.json().catch(() => ({}));
    if (!res.ok) {
      const error = new Error(json.detail || `Something went wrong (HTTP ${res.status}). Please try again.`);
      error.problem = json;
      throw error;
    }
    return json;
  }

  function say(message, kind = 'ok') {
    const notice = $('#notice');
    notice.classList.toggle('warning', kind === 'warning');
    notice.textContent = message;
  }

  function fail(error) {
    if (error instanceof SessionEnded) return;
    $('#problem').textContent = error.message;
  }

  function clearProblem() {
    $('#problem').textContent = '';
  }

  function sessionEnded() {
    if (ended) return;
    ended = true;
    clearInterval(timer);
    $('#problem').textContent =
      'Your settings session has ended. Go back to the application and open your mail settings again.';
    document.querySelectorAll('button, input, select').forEach((control) => (control.disabled = true));
  }

  const date = (iso) => (iso ? new Date(iso).toLocaleString() : '');

  function show(kind) {
    chosen = kind;
    document.querySelectorAll('[data-choice]').forEach((button) => {
      button.setAttribute('aria-pressed', String(button.dataset.choice === kind));
    });
    for (const name of Object.keys(MODE_NAMES)) $(`#panel-${name}`).hidden = name !== kind;
  }

  function render() {
    const { view, providers, session } = current;
    $('#active-mode').textContent = MODE_NAMES[view.mode] || view.mode;
    $('#sender').textContent = view.sender || '—';
    $('#default-address').textContent = view.default.address || 'your support address';
    document.querySelectorAll('[data-choice]').forEach((button) => {
      button.classList.toggle('active', button.dataset.choice === view.mode);
    });
    renderProvider('gmail', view.gmail, providers.gmail);
    renderProvider('microsoft', view.microsoft, providers.microsoft);
    renderSmtp(view.smtp);
    const back = $('#back');
    back.hidden = !session.returnUrl;
    if (session.returnUrl) back.href = session.returnUrl;
    if (chosen === null) show(view.mode);
    // Saved settings replaced (or the mode switched) elsewhere: "Switch anyway" would no longer mean what was refused.
    if (refusedSwitch !== null && (view.mode === 'smtp' || !view.smtp || view.smtp.configuredAt !== refusedSwitch)) {
      const hadFocus = $('#switch-confirm').contains(document.activeElement);
      hideConfirm();
      if (hadFocus) $('[data-choice="smtp"]').focus();
    }
  }

  function renderProvider(provider, grant, availability) {
    const name = PROVIDER_NAMES[provider];
    const status = $(`#${provider}-status`);
    const button = $(`#${provider}-authorize`);
    const help = $(`#${provider}-help`);
    if (!availability || !availability.configured) {
      status.textContent = `${name} is not set up on this platform, so it cannot be used yet.`;
      button.hidden = true;
      if (help) help.hidden = true;
      return;
    }
    const state = grant ? grant.status : 'not_authorized';
    if (help) help.hidden = state === 'authorized';
    button.hidden = state === 'authorized';
    if (state === 'authorized') {
      const using = current.view.mode === provider ? 'Support emails are sent from it.' : '';
      status.textContent = `Authorized: ${grant.account}. ${using}`.trim();
    } else if (state === 'revoked' && grant.revokedReason === 'tenant_request') {
      status.textContent = `Access to ${grant.account || name} was removed on ${date(grant.revokedAt)}. Authorize again to send from ${name}.`;
    } else if (state === 'revoked') {
      status.textContent =
        `Access to ${grant.account || name} was withdrawn at ${provider === 'gmail' ? 'Google' : 'Microsoft'} ` +
        `on ${date(grant.revokedAt)}, so support emails are sent from your support address. ` +
        `Authorize again to send from ${name}.`;
    } else {
      status.textContent = `No ${name} account is authorized yet.`;
    }
  }

  function renderSmtp(smtp) {
    const status = $('#smtp-status');
    if (!smtp) {
      status.textContent = 'Enter your mail server’s details, test them, then save.';
    } else {
      const test = smtp.lastTest;
      const last = test
        ? ` Last test of the saved settings: ${test.ok ? 'passed' : `failed at “${test.stage}”`} (${date(test.at)}).`
        : '';
      status.textContent = `Saved: ${smtp.address} through ${smtp.host}:${smtp.port} (${smtp.security}).${last}`;
    }
    // The saved settings fill the form once per save, never over what the tenant is typing; never the password.
    const stamp = smtp ? smtp.configuredAt : null;
    if (stamp === filledFrom || dirty) return;
    filledFrom = stamp;
    if (!smtp) return;
    $('#smtp-address').value = smtp.address;
    $('#smtp-host').value = smtp.host;
    $('#smtp-port').value = String(smtp.port);
    $('#smtp-security').value = smtp.security;
    $('#smtp-password').placeholder = 'Saved (leave empty to keep it)';
  }

  async function load() {
    const previous = current;
    current = await call('GET', '/settings/api/state');
    csrf = current.session.csrfToken;
    render();
    if (previous) noticeChanges(previous.view, current.view);
  }

  /** Changes made elsewhere (another tab, the main application, a revocation noticed while sending). */
  function noticeChanges(before, after) {
    for (const provider of ['gmail', 'microsoft']) {
      const was = before[provider] && before[provider].status;
      const now = after[provider] && after[provider].status;
      if (was === 'authorized' && now === 'revoked' && after[provider].revokedReason !== 'tenant_request') {
        say(
          `Access to ${after[provider].account} was withdrawn at ${provider === 'gmail' ? 'Google' : 'Microsoft'}. ` +
            `Support emails are now sent from your support address.`,
          'warning',
        );
        return;
      }
    }
    if (before.mode !== after.mode) say(`Support emails are now sent from ${after.sender}.`);
  }

  function readReturn() {
    const params = new URLSearchParams(location.search);
    for (const provider of ['gmail', 'microsoft']) {
      const outcome = params.get(provider);
      if (outcome) returned = { provider, outcome, reason: params.get('reason') };
    }
    // The outcome stays out of history and bookmarks: the page's address is the plain one.
    if (location.search) history.replaceState(null, '', location.pathname);
  }

  function announceReturn() {
    if (!returned) return;
    const { provider, outcome, reason } = returned;
    const name = PROVIDER_NAMES[provider];
    returned = null;
    show(provider);
    const grant = current.view[provider];
    if (outcome === 'authorized' && grant && grant.status === 'authorized') {
      say(`Your ${name} account ${grant.account} is authorized. Support emails are now sent from it.`);
    } else if (outcome === 'denied') {
      say(`Access was not allowed at ${name}, so nothing changed. Authorize again whenever you are ready.`, 'warning');
    } else {
      $('#problem').textContent = `${name} could not be authorized: ${PROVIDER_ERRORS[reason] || 'please try again.'}`;
    }
  }

  /**
   * Switching to smtp makes the server test the saved settings first. When that Test fails, nothing
   * changes: the page shows where it stopped and asks; "Switch anyway" sends the switch again with
   * `force` (recorded as a forced activation).
   */
  async function choose(kind, force = false) {
    clearProblem();
    // "Switch anyway" keeps its dialog (and the focus in it) until the answer comes.
    if (!force) hideConfirm();
    show(kind);
    const { view } = current;
    if (kind === view.mode) return;
    const ready =
      kind === 'default' ||
      ((kind === 'gmail' || kind === 'microsoft') && view[kind] && view[kind].status === 'authorized') ||
      (kind === 'smtp' && view.smtp);
    if (!ready) return;
    try {
      current.view = await call('PUT', '/settings/api/mode', force ? { mode: kind, force: true } : { mode: kind });
    } catch (error) {
      if (kind === 'smtp' && !force && error.problem && error.problem.code === 'SMTP_TEST_FAILED') {
        showReport(
          { ok: false, stage: error.problem.stage, message: error.problem.message },
          'Not switched: the test of the saved settings failed.',
        );
        refusedSwitch = view.smtp.configuredAt;
        $('#switch-confirm').hidden = false;
        $('#confirm-switch').focus();
        return;
      }
      if (force) {
        hideConfirm();
        $(`[data-choice="${kind}"]`).focus();
      }
      throw error;
    }
    hideConfirm();
    render();
    if (force) {
      // The refusal above no longer describes the page: the switch happened, and the notice says how.
      const result = $('#test-result');
      result.className = 'result';
      result.replaceChildren();
      say(
        `Switched without a passing test. Support emails are now sent from ${current.view.sender} ` +
          `through ${current.view.smtp.host}.`,
        'warning',
      );
      $(`[data-choice="${kind}"]`).focus();
    } else {
      say(`Support emails are now sent from ${current.view.sender}.`);
    }
  }

  async function authorize(provider, button) {
    clearProblem();
    button.disabled = true;
    try {
      const started = await call('POST', `/settings/api/authorizations/${provider}`);
      say(`Opening ${PROVIDER_NAMES[provider]}…`);
      // At top level: providers refuse to show their consent screen inside a frame. Setting href is what a
      // framed page may do to a cross-origin top (assign() is not), once the user has clicked.
      try {
        window.top.location.href = started.authorizationUrl;
      } catch {
        window.open(started.authorizationUrl, '_blank', 'noopener');
      }
    } finally {
      button.disabled = false;
    }
  }

  const FIELDS = { address: '#smtp-address', password: '#smtp-password', host: '#smtp-host', port: '#smtp-port' };

  function formValues() {
    const values = {
      address: $('#smtp-address').value.trim(),
      host: $('#smtp-host').value.trim(),
      port: Number($('#smtp-port').value.trim()),
      security: $('#smtp-security').value,
    };
    const password = $('#smtp-password').value;
    if (password) values.password = password;
    return values;
  }

  function markInvalid(errors) {
    for (const selector of Object.values(FIELDS)) $(selector).removeAttribute('aria-invalid');
    for (const { field } of errors) if (FIELDS[field]) $(FIELDS[field]).setAttribute('aria-invalid', 'true');
    if (errors.length && FIELDS[errors[0].field]) $(FIELDS[errors[0].field]).focus();
  }

  function checkForm(values) {
    const errors = [];
    if (!/^[^\s@]+@[^\s@]+$/.test(values.address))
      errors.push({ field: 'address', message: 'Enter an email address.' });
    if (!values.host) errors.push({ field: 'host', message: 'Enter the host name of your mail server.' });
    if (!Number.isInteger(values.port) || values.port < 1 || values.port > 65535) {
      errors.push({ field: 'port', message: 'Enter a port number from 1 to 65535.' });
    }
    markInvalid(errors);
    if (errors.length) $('#problem').textContent = errors.map((e) => e.message).join(' ');
    return errors.length === 0;
  }

  function showReport(report, failedHeadline) {
    const result = $('#test-result');
    result.className = `result ${report.ok ? 'passed' : 'failed'}`;
    result.replaceChildren();
    const headline = document.createElement('p');
    const stage = `Stage reached: ${report.stage} (${STAGES[report.stage] || report.stage}).`;
    headline.textContent = report.ok ? `Test passed. ${stage}` : `${failedHeadline} ${stage}`;
    const message = document.createElement('p');
    message.textContent = report.message;
    result.append(headline, message);
  }

  function hideConfirm() {
    $('#confirm').hidden = true;
    refused = null;
    $('#switch-confirm').hidden = true;
    refusedSwitch = null;
  }

  function serverInvalid(error) {
    const errors = (error.problem && error.problem.errors) || [];
    markInvalid(errors);
    fail(errors.length ? new Error(errors.map((e) => e.message).join('; ')) : error);
  }

  async function runTest(button) {
    clearProblem();
    hideConfirm();
    const values = formValues();
    if (!checkForm(values)) return;
    const result = $('#test-result');
    result.className = 'result running';
    result.textContent = `Testing ${values.host}:${values.port}: connecting, securing, signing in…`;
    button.disabled = true;
    try {
      showReport(await call('POST', '/settings/api/smtp/test', values), 'Test failed.');
    } catch (error) {
      result.className = 'result';
      result.textContent = '';
      serverInvalid(error);
    } finally {
      button.disabled = false;
    }
  }

  /**
   * Saving activates, and the server tests the settings first. When that Test fails, nothing is
   * saved: the page shows where it stopped and asks; "Save anyway" sends the very same values again
   * with `force` (recorded as a forced activation).
   */
  async function save(force = false) {
    const values = force ? refused : formValues();
    clearProblem();
    hideConfirm();
    if (!values || (!force && !checkForm(values))) return;
    const button = $('#smtp-save');
    button.disabled = true;
    try {
      current.view = await call('PUT', '/settings/api/smtp', force ? { ...values, force: true } : values);
      // Never kept in the page once saved.
      $('#smtp-password').value = '';
      dirty = false;
      render();
      const sent = `Support emails are now sent from ${current.view.sender} through ${values.host}.`;
      if (force) say(`Saved without a passing test. ${sent}`, 'warning');
      else say(`Saved. ${sent}`);
    } catch (error) {
      if (!force && error.problem && error.problem.code === 'SMTP_TEST_FAILED') {
        showReport(
          { ok: false, stage: error.problem.stage, message: error.problem.message },
          'Not saved: the test failed.',
        );
        refused = values;
        $('#confirm').hidden = false;
        $('#confirm-save').focus();
        return;
      }
      serverInvalid(error);
    } finally {
      button.disabled = false;
    }
  }

  function wire() {
    document.querySelectorAll('[data-choice]').forEach((button) => {
      button.addEventListener('click', () => choose(button.dataset.choice).catch(fail));
    });
    for (const provider of ['gmail', 'microsoft']) {
      const button = $(`#${provider}-authorize`);
      button.addEventListener('click', () => authorize(provider, button).catch(fail));
    }
    const form = $('#smtp-form');
    form.addEventListener('input', (event) => {
      dirty = true;
      // "Save anyway" is for the values the Test refused, not for what is typed since.
      hideConfirm();
      if (event.target.id === 'smtp-port' && !securityTouched) {
        $('#smtp-security').value = $('#smtp-port').value.trim() === '465' ? 'tls' : 'starttls';
      }
    });
    $('#smtp-security').addEventListener('change', () => (securityTouched = true));
    $('#smtp-test').addEventListener('click', (event) => runTest(event.currentTarget).catch(fail));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      save().catch(fail);
    });
    $('#confirm-save').addEventListener('click', () => save(true).catch(fail));
    const cancel = () => {
      hideConfirm();
      $('#smtp-save').focus();
    };
    $('#confirm-cancel').addEventListener('click', cancel);
    $('#confirm').addEventListener('keydown', (event) => event.key === 'Escape' && cancel());
    $('#confirm-switch').addEventListener('click', (event) => {
      const button = event.currentTarget;
      button.disabled = true;
      choose('smtp', true)
        .catch(fail)
        .finally(() => (button.disabled = false));
    });
    const cancelSwitch = () => {
      hideConfirm();
      $('[data-choice="smtp"]').focus();
    };
    $('#switch-cancel').addEventListener('click', cancelSwitch);
    $('#switch-confirm').addEventListener('keydown', (event) => event.key === 'Escape' && cancelSwitch());
  }

  async function start() {
    readReturn();
    wire();
    try {
      await load();
      announceReturn();
    } catch (error) {
      fail(error);
    }
    timer = setInterval(() => {
      if (!document.hidden) load().catch(fail);
    }, POLL_MS);
  }

  start();
})();
