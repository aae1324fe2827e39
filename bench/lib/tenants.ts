import { call, expectStatus, pooled } from './http';
import { progress } from './progress';
import { type ServiceProcess } from './service';

export const tenantIds = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(6, '0')}`);

export const usernameOf = (tenantId: string) =>
  tenantId
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, '-')
    .slice(0, 40);

/** Provisions tenants over HTTP (POST …/mail-config), a few at a time. */
export async function provisionOverHttp(service: ServiceProcess, ids: string[], concurrency = 16): Promise<void> {
  const t0 = Date.now();
  await pooled(ids.length, concurrency, async (i) => {
    const r = await call(service.url, 'POST', `/v1/tenants/${ids[i]}/mail-config`, {
      token: service.apiToken,
      body: { username: usernameOf(ids[i]) },
    });
    expectStatus(r, [200, 201], `provisioning ${ids[i]}`);
  });
  progress(`  provisioned ${ids.length} tenants over HTTP in ${Date.now() - t0} ms`);
}

let serial = 0;

/** A PUT …/smtp body: a new password each time, so every command records an SmtpConfigured event. */
export function smtpSettings(tenantId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  serial += 1;
  return {
    address: `ops@${usernameOf(tenantId)}.example.org`,
    host: 'smtp.example.org',
    port: 587,
    password: `bench-password-${serial}`,
    ...extra,
  };
}

/** Round-robin over tenants: with fewer connections than tenants, no two requests share a stream. */
export function roundRobin<T>(items: T[]): () => T {
  let i = 0;
  return () => items[i++ % items.length];
}

export function auth(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
