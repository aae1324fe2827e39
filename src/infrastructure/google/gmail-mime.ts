import MailComposer from 'nodemailer/lib/mail-composer';
import { MailTransportError, OutgoingMessage } from '../../application/ports/mail-transport.port';

const LINE_BREAK = /[\r\n]/;

/**
 * The RFC 5322 message for users.messages.send, built by nodemailer's MailComposer like every
 * other mode's. Bcc stays in the headers: Gmail reads the recipients from them and removes the
 * Bcc header itself before delivery.
 */
export function composeMime(message: OutgoingMessage): Promise<Buffer> {
  const headerFields = [message.from, message.subject, message.replyTo ?? '', ...message.to, ...message.cc, ...message.bcc];
  // The send use case already refuses these; a second guard costs nothing and stops header injection here too.
  if (headerFields.some((v) => LINE_BREAK.test(v))) {
    return Promise.reject(new MailTransportError('policy', 'A header field contains a line break'));
  }
  const node = new MailComposer({
    from: message.from,
    to: message.to,
    cc: message.cc.length ? message.cc : undefined,
    bcc: message.bcc.length ? message.bcc : undefined,
    replyTo: message.replyTo,
    subject: message.subject,
    text: message.text,
    html: message.html,
    messageId: message.messageId,
    attachments: message.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
    // Content comes from API callers: never let it make us read files or fetch URLs.
    disableFileAccess: true,
    disableUrlAccess: true,
  }).compile();
  node.keepBcc = true;
  return node.build();
}
