import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from '../support/http';
import { type ServiceProcess, spawnService } from '../support/service-process';

const API_TOKEN = `crash-api-${randomBytes(16).toString('hex')}`;
const SUPPORT_TOKEN = `crash-support-${randomBytes(16).toString('hex')}`;

interface Command {
  tenant: string;
  requestId: string;
  method: string;
  path: string;
  body: unknown;
  /** The event types this command records, in order. */
  records: string[];
}

const sendOf = (tenant: string) => ({
  key: `crash-${tenant}`,
  body: { to: ['customer@example.org'], subject: `crash send ${tenant}`, text: 'once only' },
});

/** Six commands per tenant: five that record events, and one idempotent send (default mode: DATA_DIR/outbox). */
function script(tenant: string): Command[] {
  const smtp = (port: number, activate: boolean) => ({
    address: 'help@acme.example',
    password: 'Crash-Pa55',
    host: 'smtp.acme.example',
    port,
    activate,
    // Nothing answers for this host: activated without the Test.
    force: activate,
  });
  const base = `/v1/tenants/${tenant}/mail-config`;
  return [
    { method: 'POST', path: base, body: { username: tenant.toLowerCase() }, records: ['MailConfigProvisioned'] },
    { method: 'POST', path: `/v1/tenants/${tenant}/messages`, body: sendOf(tenant).body, records: [] },
    { method: 'PUT', path: `${base}/smtp`, body: smtp(587, true), records: ['SmtpConfigured', 'ModeChanged'] },
    { method: 'PUT', path: `${base}/mode`, body: { mode: 'default' }, records: ['ModeChanged'] },
    { method: 'PUT', path: `${base}/mode`, body: { mode: 'smtp', force: true }, records: ['ModeChanged'] },
    { method: 'PUT', path: `${base}/smtp`, body: smtp(2525, false), records: ['SmtpConfigured'] },
  ].map((c) => ({ ...c, tenant, requestId: randomUUID() }));
}

/** Outbox files holding the message of this send. */
function delivered(dataDir: string, tenant: string): string[] {
  const dir = join(dataDir, 'outbox');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => readFileSync(join(dir, f), 'utf8').includes(`crash send ${tenant}`));
}

/**
 * `tenantCount` tenants run their six commands each at the same time, so up to that many appends
 * are in flight together and share group commits (one transaction and one fsync for all appends
 * that arrive while the previous commit is being written); the process is killed after
 * `killAfter` acknowledgements.
 */
function crashBurst(tenantCount: number, killAfter: number): void {
  describe(`SIGKILL during a burst of ${tenantCount * 6} commands on ${tenantCount} tenants at once (real process)`, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mcs-crash-'));
    const env = { DATA_DIR: dataDir, API_TOKEN, SUPPORT_TOKEN, NODE_ENV: 'production', LOG_LEVEL: 'info' };
    const tenants = Array.from({ length: tenantCount }, (_, i) => `crash-${i}-${randomBytes(3).toString('hex')}`);
    const acknowledged: Command[] = [];
    const messageIds = new Map<string, string>();
    let service: ServiceProcess | undefined;
    let unanswered = 0;

    afterAll(() => {
      service?.kill();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('loses no acknowledged command, and the projections catch up after restart', async () => {
      service = await spawnService(env);
      const victim = service;
      const KILL_AFTER = killAfter;
      // All tenants in parallel, each running its six commands in order.
      await Promise.all(
        tenants.map(async (tenant) => {
          for (const command of script(tenant)) {
            let res;
            try {
              const isSend = command.path.endsWith('/messages');
              res = await request(command.method, victim.url + command.path, {
                token: API_TOKEN,
                body: command.body,
                headers: {
                  'X-Request-Id': command.requestId,
                  ...(isSend ? { 'Idempotency-Key': sendOf(tenant).key } : {}),
                },
              });
              if (isSend && res.status === 200) messageIds.set(tenant, res.body.messageId);
            } catch {
              unanswered++;
              return; // the process is gone: this command and the rest of the tenant's were never acknowledged
            }
            expect([200, 201]).toContain(res.status);
            acknowledged.push(command);
            if (acknowledged.length === KILL_AFTER) victim.kill();
          }
        }),
      );
      expect(await victim.exited).toEqual({ code: null, signal: 'SIGKILL' });
      expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER);
      expect(acknowledged.length).toBeLessThan(tenantCount * 6); // the kill did land mid-burst
      expect(unanswered).toBeGreaterThan(0);

      service = await spawnService(env);
      const restarted = service;
      const recorded = new Map<string, Array<{ type: string; version: number; correlationId: string }>>();
      for (const tenant of tenants) {
        const res = await request('GET', `${restarted.url}/v1/tenants/${tenant}/mail-config/history?limit=500`, {
          token: API_TOKEN,
        });
        recorded.set(tenant, res.status === 200 ? res.body.events : []);
      }
      for (const command of acknowledged) {
        const events = recorded.get(command.tenant)!.filter((e) => e.correlationId === command.requestId);
        expect({ id: command.requestId, types: events.map((e) => e.type) }).toEqual({
          id: command.requestId,
          types: command.records,
        });
      }
      for (const events of recorded.values()) expect(events.map((e) => e.version)).toEqual(events.map((_, i) => i + 1));

      // Idempotent sends: an acknowledged one is answered again, not sent again. One cut off by the
      // kill is never sent a second time: either its claim died with the process (it goes out now,
      // once), or the retry is told the first attempt may have gone out (502 uncertain, nothing
      // sent), or the attempt had finished and recorded its outcome (the retry is answered from it).
      for (const tenant of tenants.filter((t) => recorded.get(t)!.length > 0)) {
        const { key, body } = sendOf(tenant);
        const before = delivered(dataDir, tenant);
        expect(before.length).toBeLessThanOrEqual(1);
        const retry = await request('POST', `${restarted.url}/v1/tenants/${tenant}/messages`, {
          token: API_TOKEN,
          body,
          headers: { 'Idempotency-Key': key },
        });
        const replayed = retry.headers.get('idempotent-replayed');
        if (messageIds.has(tenant) || retry.status === 502) expect(replayed).toBe('true');
        if (!messageIds.has(tenant) && retry.status === 200 && replayed === 'true') {
          // Cut off after it went out and its outcome was recorded, before its answer reached the
          // caller: answered again from that record, not sent again.
          expect(before).toHaveLength(1);
          expect(delivered(dataDir, tenant)).toEqual(before);
          continue;
        }
        if (messageIds.has(tenant)) {
          expect(before).toHaveLength(1);
          expect(retry.status).toBe(200);
          expect(retry.body.messageId).toBe(messageIds.get(tenant));
        } else if (retry.status === 502) {
          expect(retry.body).toMatchObject({
            type: expect.stringContaining('delivery-uncertain'),
            stage: 'send',
            uncertain: true,
          });
          expect(delivered(dataDir, tenant)).toEqual(before);
          continue;
        } else {
          expect(retry.status).toBe(200);
        }
        expect(delivered(dataDir, tenant)).toHaveLength(1);
      }

      // The support dashboard's projections resume from their checkpoint and reach the same state.
      const provisioned = tenants.filter((t) => recorded.get(t)!.length > 0);
      const deadline = Date.now() + 10_000;
      let listed: Array<{ tenantId: string; mode: string }> = [];
      while (Date.now() < deadline) {
        const res = await request('GET', `${restarted.url}/v1/dashboard/tenants?q=crash-&limit=500`, {
          token: SUPPORT_TOKEN,
        });
        listed = (res.body?.tenants ?? []).filter((t: { tenantId: string }) => tenants.includes(t.tenantId));
        if (listed.length === provisioned.length) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(listed.map((t) => t.tenantId).sort()).toEqual([...provisioned].sort());
      for (const t of listed) {
        const view = await request('GET', `${restarted.url}/v1/tenants/${t.tenantId}/mail-config`, {
          token: API_TOKEN,
        });
        expect(t.mode).toBe(view.body.mode);
      }
    }, 60_000);
  });
}

crashBurst(10, 25);
crashBurst(40, 100);
