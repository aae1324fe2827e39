import { randomBytes } from 'node:crypto';
import { type AddressObject, type ParsedMail, simpleParser } from 'mailparser';
import { GMAIL_SEND, type GoogleState } from './google-state';
import { json, type StandInResponse } from './oauth-endpoints';

/** A message the stand-in's Gmail accepted, decoded for assertions. */
export interface GmailSentMessage {
  id: string;
  /** The authenticated account the message was sent as. */
  account: string;
  /** The decoded RFC 5322 message exactly as the service composed it. */
  mime: string;
  parsed: ParsedMail;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  text: string;
}

const apiError = (status: number, reason: string, message: string, statusText: string) =>
  json(status, {
    error: { code: status, message, errors: [{ message, domain: 'global', reason }], status: statusText },
  });

const addresses = (a: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) => o.value.map((v) => (v.address ?? '').toLowerCase()));

/**
 * POST gmail/v1/users/me/messages/send: a Message resource whose `raw` is the whole message,
 * base64url encoded. Needs an access token with gmail.send; answers the new message's id.
 */
export async function gmailSend(
  authorization: string | undefined,
  body: string,
  state: GoogleState,
  sent: GmailSentMessage[],
): Promise<StandInResponse> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1] ?? null;
  const issued = state.liveAccessToken(bearer);
  if (!issued) return apiError(401, 'authError', 'Request had invalid authentication credentials.', 'UNAUTHENTICATED');
  if (!issued.scopes.includes(GMAIL_SEND) && !issued.scopes.includes('https://mail.google.com/')) {
    return apiError(
      403,
      'insufficientPermissions',
      'Request had insufficient authentication scopes.',
      'PERMISSION_DENIED',
    );
  }
  let raw: unknown;
  try {
    raw = (JSON.parse(body) as { raw?: unknown }).raw;
  } catch {
    return apiError(400, 'parseError', 'Invalid JSON payload received.', 'INVALID_ARGUMENT');
  }
  if (typeof raw !== 'string' || !/^[A-Za-z0-9_-]+=*$/.test(raw))
    return apiError(
      400,
      'invalidArgument',
      "'raw' RFC822 payload message string or uploading message via /upload/* URL required",
      'INVALID_ARGUMENT',
    );
  const mime = Buffer.from(raw, 'base64url').toString('utf8');
  const parsed = await simpleParser(mime, { skipImageLinks: true, skipTextLinks: true });
  const to = addresses(parsed.to);
  const cc = addresses(parsed.cc);
  const bcc = addresses(parsed.bcc);
  if (to.length + cc.length + bcc.length === 0)
    return apiError(400, 'invalidArgument', 'Recipient address required', 'INVALID_ARGUMENT');
  const account = state.grants.get(issued.grantId)!.account;
  const id = randomBytes(8).toString('hex');
  sent.push({
    id,
    account,
    mime,
    parsed,
    from: addresses(parsed.from)[0] ?? '',
    to,
    cc,
    bcc,
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
  });
  return json(200, { id, threadId: id, labelIds: ['SENT'] });
}
