/** A small HTTP client for e2e tests: real requests over loopback with Node's fetch. */
export interface HttpResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export type Headers_ = Record<string, string>;

export async function request<T = any>(
  method: string,
  url: string,
  options: { token?: string | null; body?: unknown; rawBody?: string; headers?: Headers_ } = {},
): Promise<HttpResponse<T>> {
  const headers: Headers_ = { ...(options.headers ?? {}) };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) {
    body = options.rawBody;
    headers['content-type'] ??= 'application/json';
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(url, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(25_000) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

/** Bound to a base URL and a token: `api.post('/v1/…', body)`. */
export function client(base: string, token: string | null) {
  const call = (method: string) => (path: string, body?: unknown, headers?: Headers_) =>
    request(method, base + path, { token, body, headers });
  return { get: call('GET'), post: call('POST'), put: call('PUT'), delete: call('DELETE'), token };
}
export type Client = ReturnType<typeof client>;
