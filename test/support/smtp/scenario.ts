import { type TestService } from '../app';
import { PEER_PASSWORD, PEER_USER } from './peers';

/** Provisions a tenant (username acme-<suffix>) and returns its default address. */
export async function provision(
  svc: TestService,
  tenant: string,
  username = `u${tenant.replace(/[^a-z0-9]/gi, '').toLowerCase()}`,
) {
  const res = await svc.api.post(`/v1/tenants/${tenant}/mail-config`, { username });
  if (res.status !== 201) throw new Error(`provision failed: ${res.status} ${res.text}`);
  return res.body.default.address as string;
}

/**
 * Saves and activates SMTP settings pointing at a loopback peer. Forced by default: the tests
 * using it are about sending; activation that is tested first has its own (smtp-activation e2e).
 */
export async function configureSmtp(
  svc: TestService,
  tenant: string,
  port: number,
  over: Record<string, unknown> = {},
): Promise<void> {
  const res = await svc.api.put(`/v1/tenants/${tenant}/mail-config/smtp`, {
    address: 'help@acme.example',
    host: 'localhost',
    port,
    security: 'starttls',
    username: PEER_USER,
    password: PEER_PASSWORD,
    activate: true,
    force: true,
    ...over,
  });
  if (res.status !== 200) throw new Error(`configure failed: ${res.status} ${res.text}`);
}

export async function eventTypes(svc: TestService, tenant: string): Promise<string[]> {
  const res = await svc.api.get(`/v1/tenants/${tenant}/mail-config/history?limit=500`);
  return res.body.events.map((e: { type: string }) => e.type);
}

export const message = (over: Record<string, unknown> = {}) => ({
  to: ['customer@example.org'],
  subject: 'Your ticket #42',
  text: 'We are on it.',
  ...over,
});
