import { type HttpsClient } from './https-client';

type NetworkRequestOptions = { headers?: Record<string, string>; body?: string };
type NetworkResponse<T> = { headers: Record<string, string>; body: T; status: number };

/**
 * MSAL's `system.networkClient`: our HTTPS client, so every call to the identity platform has a
 * deadline and trusts MICROSOFT_EXTRA_CA_FILE. A body that is not JSON (a proxy's 503 page)
 * becomes an OAuth-shaped error, so MSAL reports it as a server error with its status.
 */
export class MsalNetworkClient {
  constructor(private readonly http: HttpsClient) {}

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return this.call<T>('GET', url, options, timeout);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.call<T>('POST', url, options);
  }

  private async call<T>(
    method: 'GET' | 'POST',
    url: string,
    options: NetworkRequestOptions = {},
    timeout?: number,
  ): Promise<NetworkResponse<T>> {
    const answer = await this.http.send(method, url, options.headers ?? {}, options.body, timeout);
    let body: unknown;
    try {
      body = JSON.parse(answer.body);
    } catch {
      body = answer.status >= 200 && answer.status < 300 ? {} : { error: `http_${answer.status}` };
    }
    if (body && typeof body === 'object' && answer.status >= 400) (body as { status?: number }).status = answer.status;
    return { status: answer.status, headers: answer.headers, body: body as T };
  }
}
