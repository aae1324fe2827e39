import { createTransport } from 'nodemailer';
import { call, expectStatus } from '../lib/http';
import { describeLoad, load, type LoadResult } from '../lib/load';
import { type Row } from '../lib/report';
import { type Scenario, SkipScenario } from '../lib/scenario';
import { startSmtpSink } from '../lib/sink';
import { mean, percentile, ratio } from '../lib/stats';
import { auth, provisionOverHttp, roundRobin, tenantIds, usernameOf } from '../lib/tenants';

const CONCURRENCY = 16;
const TEXT = `Hello,\n\n${'Thank you for your message; a member of our team will answer it shortly. '.repeat(14)}\n\nKind regards,\nSupport\n`;
const MESSAGE = { to: ['customer@example.org'], subject: 'Re: Your ticket #4711', text: TEXT };

interface Measured {
  perSec: number;
  p50: number;
  p99: number;
  sent: number;
  failed: number;
}

/** Raw nodemailer with a pooled transport: CONCURRENCY senders in a loop for `seconds`. */
async function nodemailerBaseline(port: number, from: string, seconds: number): Promise<Measured> {
  const transport = createTransport({
    pool: true,
    maxConnections: CONCURRENCY,
    maxMessages: 100,
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
    auth: { user: 'bench', pass: 'bench-secret' },
  });
  const latencies: number[] = [];
  let failed = 0;
  const t0 = Date.now();
  const until = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < until) {
        const started = process.hrtime.bigint();
        try {
          await transport.sendMail({ from, ...MESSAGE });
          latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
        } catch {
          failed += 1;
        }
      }
    }),
  );
  const elapsed = (Date.now() - t0) / 1000;
  transport.close();
  return {
    perSec: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    sent: latencies.length,
    failed,
  };
}

const fromLoad = (r: LoadResult): Measured => ({
  perSec: r.okPerSec,
  p50: r.p50,
  p99: r.p99,
  sent: r.ok,
  failed: r.non2xx + r.errors,
});

export const sendPath: Scenario = {
  id: 'send-path',
  number: 2,
  title: 'Send path',
  description:
    'POST /v1/tenants/{id}/messages (a 1 KB text message) for 16 tenants in SMTP mode, round-robin, 16 connections, to a ' +
    'loopback smtp-server that accepts everything (in its own process). Baseline in the same run: raw nodemailer with a ' +
    'pooled transport (16 connections) sending the same message to the same server, 16 in flight. The two alternate in ' +
    'rounds after a warm-up. Send rate limits are raised for the run (THROTTLE_SEND).',
  async run(ctx) {
    const seconds = ctx.quick ? 1 : 8;
    const rounds = ctx.quick ? 1 : 2;
    const sink = await startSmtpSink();
    let service;
    try {
      service = await ctx.startService('send-path', {
        env: { SMTP_ALLOW_PRIVATE_HOSTS: 'true', SMTP_ALLOWED_PORTS: String(sink.port), THROTTLE_SEND: '100000000/60' },
      });
      const svc = service;
      const tenants = tenantIds('send', CONCURRENCY);
      await provisionOverHttp(svc, tenants);
      const fromOf = (t: string) => `sender@${usernameOf(t)}.example.org`;
      for (const t of tenants) {
        const r = await call(svc.url, 'PUT', `/v1/tenants/${t}/mail-config/smtp`, {
          token: svc.apiToken,
          body: {
            address: fromOf(t),
            host: '127.0.0.1',
            port: sink.port,
            security: 'none',
            username: 'bench',
            password: 'bench-secret',
            activate: true,
          },
        });
        expectStatus(r, [200], `configuring SMTP for ${t}`);
      }
      const probe = await call(svc.url, 'POST', `/v1/tenants/${tenants[0]}/messages`, {
        token: svc.apiToken,
        body: MESSAGE,
      });
      if (probe.status === 404 && !String(probe.body?.type ?? '').includes('not-provisioned')) {
        throw new SkipScenario('POST /v1/tenants/{id}/messages is not there yet (404)');
      }
      expectStatus(probe, [200], 'a first message');
      if (probe.body.mode !== 'smtp') throw new Error(`the message went out in mode ${probe.body.mode}, not smtp`);

      const next = roundRobin(tenants);
      const serviceLoad = (label: string, secs: number, pick: () => string = next) =>
        load({
          label,
          url: svc.url,
          cpuSeconds: svc.cpuSeconds,
          connections: CONCURRENCY,
          durationSec: secs,
          method: 'POST',
          headers: auth(svc.apiToken),
          path: () => `/v1/tenants/${pick()}/messages`,
          body: () => JSON.stringify(MESSAGE),
        });
      const before = await sink.counts();
      ctx.log('  warming up both senders');
      await serviceLoad('warm-up service', ctx.quick ? 1 : 3);
      await nodemailerBaseline(sink.port, fromOf(tenants[0]), ctx.quick ? 1 : 3);
      const svcRuns: Measured[] = [];
      const rawRuns: Measured[] = [];
      // Messages per SMTP connection on each side: session reuse is half of what a sender does.
      const perConnection = { service: [0, 0], nodemailer: [0, 0], single: [0, 0] };
      type Side = keyof typeof perConnection;
      const tally = async (side: Side, work: () => Promise<void>) => {
        const a = await sink.counts();
        await work();
        const b = await sink.counts();
        perConnection[side][0] += b.messages - a.messages;
        perConnection[side][1] += b.connections - a.connections;
      };
      for (let round = 1; round <= rounds; round++) {
        await tally('service', async () => {
          const r = await serviceLoad(`round ${round} service`, seconds);
          ctx.log(`  ${describeLoad(r)}`);
          svcRuns.push(fromLoad(r));
        });
        await tally('nodemailer', async () => {
          const b = await nodemailerBaseline(sink.port, fromOf(tenants[round % tenants.length]), seconds);
          ctx.log(
            `  round ${round} nodemailer: ${b.perSec.toFixed(0)} messages/s, p50 ${b.p50.toFixed(1)} ms, p99 ${b.p99.toFixed(1)} ms${b.failed ? `, ${b.failed} failed` : ''}`,
          );
          rawRuns.push(b);
        });
      }
      const mpc = (side: Side) => perConnection[side][0] / Math.max(1, perConnection[side][1]);
      ctx.log(
        `  messages per SMTP connection: service ${mpc('service').toFixed(1)}, nodemailer ${mpc('nodemailer').toFixed(1)}`,
      );
      // One busy tenant: 16 sends at once for the same tenant share that tenant's sessions.
      let single: Measured | null = null;
      if (!ctx.quick) {
        await tally('single', async () => {
          const r = await serviceLoad('one tenant, 16 in flight', seconds, () => tenants[0]);
          ctx.log(`  ${describeLoad(r)}`);
          single = fromLoad(r);
        });
        ctx.log(`  one tenant: ${mpc('single').toFixed(1)} messages per SMTP connection`);
      }
      const delivered = (await sink.counts()).messages - before.messages;
      const svcAvg = {
        perSec: mean(svcRuns.map((m) => m.perSec)),
        p50: mean(svcRuns.map((m) => m.p50)),
        p99: mean(svcRuns.map((m) => m.p99)),
      };
      const rawAvg = {
        perSec: mean(rawRuns.map((m) => m.perSec)),
        p50: mean(rawRuns.map((m) => m.p50)),
        p99: mean(rawRuns.map((m) => m.p99)),
      };
      const failed = svcRuns.reduce((n, m) => n + m.failed, 0) + rawRuns.reduce((n, m) => n + m.failed, 0);
      const q = ratio(svcAvg.perSec, rawAvg.perSec);
      const rows: Row[] = [
        {
          measure: 'messages/s through the service (16 tenants)',
          value: svcAvg.perSec,
          unit: '/s',
          baseline: { label: 'raw nodemailer, pooled', value: rawAvg.perSec },
          ratio: q,
          target: '≥ 0.7 × nodemailer',
          met: q === null || failed > 0 ? null : q >= 0.7,
        },
        {
          measure: 'send latency p50',
          value: svcAvg.p50,
          unit: 'ms',
          baseline: { label: 'nodemailer p50', value: rawAvg.p50 },
          ratio: ratio(svcAvg.p50, rawAvg.p50),
        },
        {
          measure: 'send latency p99',
          value: svcAvg.p99,
          unit: 'ms',
          baseline: { label: 'nodemailer p99', value: rawAvg.p99 },
          ratio: ratio(svcAvg.p99, rawAvg.p99),
        },
        { measure: 'p99 overhead of the service', value: svcAvg.p99 - rawAvg.p99, unit: 'ms' },
        {
          measure: 'messages per SMTP connection',
          value: mpc('service'),
          unit: 'count',
          baseline: { label: 'nodemailer', value: mpc('nodemailer') },
          ratio: ratio(mpc('service'), mpc('nodemailer')),
        },
      ];
      if (single !== null) {
        const one = single as Measured;
        rows.push(
          {
            measure: 'messages/s, one tenant with 16 in flight',
            value: one.perSec,
            unit: '/s',
            baseline: { label: 'raw nodemailer, pooled', value: rawAvg.perSec },
            ratio: ratio(one.perSec, rawAvg.perSec),
          },
          {
            measure: 'messages per SMTP connection, one tenant',
            value: mpc('single'),
            unit: 'count',
            baseline: { label: 'nodemailer', value: mpc('nodemailer') },
            ratio: ratio(mpc('single'), mpc('nodemailer')),
          },
        );
      }
      return {
        rows,
        notes: [
          `${rounds} round(s) of ${seconds} s per side; the sink received ${delivered.toLocaleString('en-US')} messages${failed ? `; **${failed} sends failed**` : ', every send succeeded'}.`,
          'Service latency from autocannon (1 ms resolution, HTTP request to response); nodemailer latency per sendMail call.',
        ],
      };
    } finally {
      await service?.stop();
      await sink.stop();
    }
  },
};
