import { createHmac } from 'node:crypto';

/**
 * The Standard Webhooks signature: base64 HMAC-SHA256, keyed with the secret's bytes, of
 * `<webhook-id>.<webhook-timestamp>.<body>`, sent as `v1,<signature>`.
 */
export function standardWebhookSignature(secret: Buffer, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}

export function standardWebhookHeaders(
  secret: Buffer,
  id: string,
  timestampSeconds: number,
  body: string,
): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': standardWebhookSignature(secret, id, timestampSeconds, body),
  };
}
