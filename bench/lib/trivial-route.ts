import { call } from './http';
import { type ServiceProcess } from './service';

export interface TrivialRoute {
  path: string;
  label: string;
  /** Whether its answers are 2xx (a dedicated route) or a refusal counted as an answer. */
  expectOk: boolean;
  note: string;
}

/** Dedicated trivial authenticated routes the harness prefers, in this order, when the service has one. */
const DEDICATED = ['/v1/whoami', '/v1/ping'];

/**
 * The command path's baseline: the same process answering an authenticated /v1 request that does
 * no work. A dedicated route is used when there is one (200 with the token, 401 without); until
 * then, a tenant route whose :tenantId fails validation: the request still passes the request-id
 * middleware, the JSON body parser, request logging, the global auth guard (token check) and the
 * problem filter, and touches no store, so it is the cheapest authenticated answer the
 * application gives — which makes the ratio conservative.
 */
export async function trivialRoute(service: ServiceProcess): Promise<TrivialRoute> {
  for (const path of DEDICATED) {
    const withToken = await call(service.url, 'GET', path, { token: service.apiToken });
    const without = await call(service.url, 'GET', path);
    if (withToken.status === 200 && without.status === 401) {
      return {
        path,
        label: `GET ${path} (trivial authenticated route)`,
        expectOk: true,
        note: `Baseline: GET ${path}, authenticated, no I/O.`,
      };
    }
  }
  const path = '/v1/tenants/not~valid/mail-config';
  const refused = await call(service.url, 'GET', path, { token: service.apiToken });
  const anonymous = await call(service.url, 'GET', path);
  if (refused.status !== 400 || anonymous.status !== 401) {
    throw new Error(
      `no trivial authenticated route found (GET ${path}: ${refused.status} with token, ${anonymous.status} without)`,
    );
  }
  return {
    path,
    label: `GET ${path} (authenticated, refused by validation)`,
    expectOk: false,
    note:
      `Baseline: the service has no dedicated trivial authenticated route yet, so the baseline is GET ${path}: ` +
      'authenticated with the token, then refused with 400 by the tenant-id validation — it runs the request-id middleware, ' +
      'body parser, request logging, the global auth guard and the problem filter and touches no store. Every answer counts.',
  };
}
