import MailComposer from 'nodemailer/lib/mail-composer';
import { OutgoingMessage } from '../../application/ports/mail-transport.port';

export interface BuiltMessage {
  raw: Buffer;
  envelope: { from: string; to: string[] };
}

/** RFC 5322 bytes and SMTP envelope of a message, by nodemailer's composer (Bcc is envelope-only). */
export function buildMime(message: OutgoingMessage): Promise<BuiltMessage> {
  const node = new MailComposer({
    messageId: message.messageId,
    from: message.from,
    to: message.to,
    cc: message.cc.length ? message.cc : undefined,
    bcc: message.bcc.length ? message.bcc : undefined,
    replyTo: message.replyTo,
    subject: message.subject,
    text: message.text,
    html: message.html,
    attachments: message.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
    // Our own header fields only: nothing from the request is copied into headers unchecked.
    disableFileAccess: true,
    disableUrlAccess: true,
  }).compile();
  const envelope = node.getEnvelope() as { from: string | false; to: string[] };
  return new Promise((resolve, reject) => {
    node.build((error, raw) => {
      if (error) return reject(error);
      resolve({ raw, envelope: { from: envelope.from || message.from, to: envelope.to } });
    });
  });
}
