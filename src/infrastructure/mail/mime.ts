import MailComposer from 'nodemailer/lib/mail-composer';
import { MailTransportError, type OutgoingMessage } from '../../application/ports/mail-transport.port';

export interface BuiltMessage {
  raw: Buffer;
  envelope: { from: string; to: string[] };
}

// Any control character, CR and LF first: in a header it would start a header of its own.
const LINE_BREAK = /[\x00-\x1f\x7f]/;

/**
 * RFC 5322 bytes and SMTP envelope of a message, by nodemailer's composer, for every mode.
 * Bcc is envelope-only for SMTP; the Gmail API reads recipients from the headers (and removes
 * Bcc itself before delivery), so it asks to keep it.
 */
export function buildMime(message: OutgoingMessage, options: { keepBcc?: boolean } = {}): Promise<BuiltMessage> {
  const custom = message.headers ?? [];
  const headerFields = [
    message.from,
    message.fromName ?? '',
    message.subject,
    message.replyTo ?? '',
    message.inReplyTo ?? '',
    ...(message.references ?? []),
    ...message.to,
    ...message.cc,
    ...message.bcc,
    ...custom.flatMap((h) => [h.name, h.value]),
  ];
  // The send use case already refuses these; a second guard here stops header injection at the last step too.
  if (headerFields.some((v) => LINE_BREAK.test(v))) {
    return Promise.reject(new MailTransportError('policy', 'A header field contains a line break'));
  }
  // Objects, not strings: nodemailer parses a string as an address list, so one item could become several.
  const box = (address: string) => ({ name: '', address });
  const node = new MailComposer({
    messageId: message.messageId,
    // The composer quotes the display name, or encodes it (RFC 2047) when it is not ASCII.
    from: { name: message.fromName ?? '', address: message.from },
    inReplyTo: message.inReplyTo,
    references: message.references?.length ? message.references : undefined,
    headers: custom.length ? custom.map((h) => ({ key: h.name, value: h.value })) : undefined,
    to: message.to.map(box),
    cc: message.cc.length ? message.cc.map(box) : undefined,
    bcc: message.bcc.length ? message.bcc.map(box) : undefined,
    replyTo: message.replyTo === undefined ? undefined : box(message.replyTo),
    subject: message.subject,
    text: message.text,
    html: message.html,
    attachments: message.attachments.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      content: a.content,
    })),
    // Content comes from API callers: never let it make us read files or fetch URLs.
    disableFileAccess: true,
    disableUrlAccess: true,
  }).compile();
  node.keepBcc = options.keepBcc ?? false;
  const envelope = node.getEnvelope() as { from: string | false; to: string[] };
  return new Promise((resolve, reject) => {
    node.build((error, raw) => {
      if (error) return reject(error);
      resolve({ raw, envelope: { from: envelope.from || message.from, to: envelope.to } });
    });
  });
}
