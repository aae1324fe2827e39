/**
 * The support page: static markup, filled in by dashboard.client.ts from the JSON API only.
 * No inline script or style, so the Content-Security-Policy can forbid both.
 */
const head = (title: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard/assets/dashboard.css">
<script src="/dashboard/assets/dashboard.js" defer></script>
</head>`;

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const card = (field: string, label: string) =>
  `<li class="card" data-card="${field}"><span class="label">${label}</span><span class="value" data-field="${field}">–</span></li>`;

export const DASHBOARD_PAGE = `${head('Mail configuration — support')}
<body data-page="dashboard">
<a class="skip" href="#tenants-title">Skip to tenants</a>
<header class="bar">
  <h1>Mail configuration <span class="muted">support</span></h1>
  <p class="muted" id="updated">Loading…</p>
  <button type="button" id="sign-out">Sign out</button>
</header>
<main>
  <p id="problem" class="problem" role="alert" hidden></p>
  <section aria-labelledby="summary-title">
    <h2 id="summary-title">Summary</h2>
    <ul class="cards" id="summary">
      ${card('tenants', 'Tenants')}
      ${card('byMode.default', 'Default address')}
      ${card('byMode.gmail', 'Gmail')}
      ${card('byMode.smtp', 'Own SMTP')}
      ${card('needsAttention', 'Need attention')}
      ${card('gmailRevoked', 'Gmail revoked')}
      ${card('smtpFailing', 'SMTP failing')}
      ${card('lagMs', 'Projection lag (ms)')}
    </ul>
  </section>
  <section aria-labelledby="tenants-title">
    <h2 id="tenants-title" tabindex="-1">Tenants</h2>
    <form id="filters" class="filters" role="search" aria-label="Filter tenants">
      <label>Mode
        <select name="mode"><option value="">Any</option><option value="default">Default</option><option value="gmail">Gmail</option><option value="smtp">SMTP</option></select>
      </label>
      <label>Status
        <select name="status"><option value="">Any</option><option value="needs_attention">Needs attention</option><option value="ok">OK</option><option value="erased">Erased</option></select>
      </label>
      <label>Search
        <input type="search" name="q" maxlength="100" placeholder="tenant, username or sender" autocomplete="off">
      </label>
    </form>
    <table id="tenants">
      <caption class="visually-hidden">Tenants; choose a tenant to see its history</caption>
      <thead><tr>
        <th scope="col">Tenant</th><th scope="col">Username</th><th scope="col">Mode</th><th scope="col">Sender</th>
        <th scope="col">Status</th><th scope="col">Last change</th><th scope="col">By</th>
      </tr></thead>
      <tbody></tbody>
    </table>
    <p id="empty" class="muted" hidden>No tenant matches these filters.</p>
    <button type="button" id="more" hidden>Show more tenants</button>
  </section>
  <section id="timeline" aria-labelledby="timeline-title" hidden>
    <div class="timeline-head">
      <h2 id="timeline-title" tabindex="-1">History of <span id="timeline-tenant"></span></h2>
      <button type="button" id="close-timeline">Close history</button>
    </div>
    <ol id="events" class="events" reversed></ol>
  </section>
</main>
</body>
</html>`;

/** Shown with 401 (no or unknown token) or 403 (a token that is not support's). */
export function signInPage(status: 401 | 403): string {
  const message =
    status === 403
      ? 'This token does not give access to the support dashboard. Sign in with the support token.'
      : 'Sign in with the support token to see the dashboard.';
  return `${head('Sign in — mail configuration support')}
<body data-page="sign-in">
<main class="sign-in">
  <h1>Mail configuration support</h1>
  <p id="sign-in-message" role="alert">${escapeHtml(message)}</p>
  <form id="sign-in" method="post" action="/dashboard/session">
    <label for="token">Support token</label>
    <input id="token" name="token" type="password" autocomplete="current-password" required spellcheck="false">
    <button type="submit">Sign in</button>
  </form>
</main>
</body>
</html>`;
}
