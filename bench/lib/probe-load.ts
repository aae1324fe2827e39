import { call, expectStatus, pooled } from './http';
import { load, type LoadResult } from './load';
import { type ServiceProcess } from './service';
import { auth, provisionOverHttp, roundRobin, smtpSettings } from './tenants';

/** The loads the probes (bench/perf-probe.ts, bench/ab-probe.ts) drive. */
export type ProbeLoad = 'command' | 'view' | 'health';

/** Provisions the tenants and saves each one's SMTP settings once (its data key is created then, not in the load). */
export async function prepareProbeTenants(service: ServiceProcess, tenants: string[]): Promise<void> {
  await provisionOverHttp(service, tenants);
  await pooled(tenants.length, 16, async (i) => {
    const r = await call(service.url, 'PUT', `/v1/tenants/${tenants[i]}/mail-config/smtp`, {
      token: service.apiToken,
      body: smtpSettings(tenants[i]),
    });
    expectStatus(r, [200], 'smtp');
  });
}

/** 32 connections of one probe load, round-robin over the tenants. */
export function probeLoad(
  what: ProbeLoad,
  service: ServiceProcess,
  tenants: string[],
  label: string,
  seconds: number,
): Promise<LoadResult> {
  const next = roundRobin(tenants);
  let current = tenants[0];
  return load({
    label,
    url: service.url,
    cpuSeconds: service.cpuSeconds,
    connections: 32,
    durationSec: seconds,
    method: what === 'command' ? 'PUT' : 'GET',
    headers: what === 'health' ? {} : auth(service.apiToken),
    path: () =>
      what === 'health'
        ? '/health/live'
        : what === 'view'
          ? `/v1/tenants/${next()}/mail-config`
          : `/v1/tenants/${(current = next())}/mail-config/smtp`,
    body: what === 'command' ? () => JSON.stringify(smtpSettings(current)) : undefined,
  });
}
