// A real OpenID Provider for the tests: oidc-provider (a certified implementation, ESM only, so it
// runs in a process of its own) on 127.0.0.1, with one static confidential client, accounts from
// OIDC_ACCOUNTS and its development login/consent pages (any password; the login names the account).
// Prints one line, {"issuer": "..."}, once it listens.
import { createServer } from 'node:http';
import process from 'node:process';
import Provider from 'oidc-provider';

const accounts = JSON.parse(process.env.OIDC_ACCOUNTS ?? '{}');
const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.OIDC_CLIENT_ID,
      client_secret: process.env.OIDC_CLIENT_SECRET,
      redirect_uris: [process.env.OIDC_REDIRECT_URI],
      response_types: ['code'],
      grant_types: ['authorization_code'],
    },
  ],
  // The group list is released with the profile scope, as many company providers do.
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
  async findAccount(_ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...account }) };
  },
  pkce: { required: () => true },
  cookies: { keys: ['test-provider-cookie-key-0123456789'] },
  features: { devInteractions: { enabled: true } },
});
provider.proxy = false;
server.on('request', provider.callback());
process.stdout.write(`${JSON.stringify({ issuer })}\n`);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
