import { createHmac, createSign, type KeyObject } from 'node:crypto';
import { EVENT_STORE, type EventStore, type StoredEvent } from '../../src/application/ports/event-store.port';
import { type TestService } from '../support/app';
import { type HttpResponse } from '../support/http';

/**
 * Helpers of the hostile-input suite: every case asserts the exact problem it gets back and that
 * the event store holds exactly what it held before (nothing recorded).
 */
export const PROBLEM_BASE = 'https://smemetrics-email.com/problems/';

export function storeOf(svc: TestService): EventStore {
  return svc.running.app.get<EventStore>(EVENT_STORE);
}

export async function allEvents(svc: TestService): Promise<StoredEvent[]> {
  return storeOf(svc).readAll();
}

/** Runs `act` and asserts that the event store is byte-for-byte what it was before. */
export async function recordsNothing<T>(svc: TestService, act: () => Promise<T>): Promise<T> {
  const before = await allEvents(svc);
  const result = await act();
  const after = await allEvents(svc);
  expect(after.map((e) => [e.streamId, e.version, e.eventId])).toEqual(
    before.map((e) => [e.streamId, e.version, e.eventId]),
  );
  return result;
}

export function expectProblem(res: HttpResponse, body: Record<string, unknown>): void {
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body).toEqual(body);
}

export const unauthorized = {
  type: `${PROBLEM_BASE}unauthorized`,
  title: 'Unauthorized',
  status: 401,
  detail: 'A valid bearer token is required',
};

export const forbidden = (detail: string) => ({
  type: `${PROBLEM_BASE}forbidden`,
  title: 'Forbidden',
  status: 403,
  detail,
});

export const invalid = (errors: { field: string; message: string }[]) => ({
  type: `${PROBLEM_BASE}validation`,
  title: 'Invalid request',
  status: 400,
  detail: `Some fields are invalid: ${[...new Set(errors.map((e) => e.field))].join(', ')}`,
  errors,
});

export const erased = {
  type: `${PROBLEM_BASE}tenant-erased`,
  title: 'Tenant erased',
  status: 410,
  detail: 'This tenant’s mail configuration was erased',
  code: 'TENANT_ERASED',
};

const b64url = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

export type JwtKey =
  { alg: 'HS256'; secret: string | Buffer } | { alg: 'RS256'; privateKey: KeyObject } | { alg: 'none' };

/**
 * Signs a JWT with node:crypto directly, independent of the library the service verifies with,
 * so a bug shared by both cannot make a test pass.
 */
export function signJwt(claims: Record<string, unknown>, key: JwtKey, header: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64url({ alg: key.alg, typ: 'JWT', ...header })}.${b64url({ iat: now, exp: now + 300, ...claims })}`;
  if (key.alg === 'none') return `${body}.`;
  if (key.alg === 'HS256') return `${body}.${createHmac('sha256', key.secret).update(body).digest('base64url')}`;
  return `${body}.${createSign('RSA-SHA256').update(body).sign(key.privateKey).toString('base64url')}`;
}

export const smtpSettings = (overrides: Record<string, unknown> = {}) => ({
  address: 'help@acme.example',
  password: 'Hostile-Suite-Pa55',
  host: 'smtp.acme.example',
  port: 587,
  ...overrides,
});
