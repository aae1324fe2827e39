import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { type OutgoingMessage } from '../../../src/application/ports/mail-transport.port';
import { TcpConnectionFactory } from '../../../src/infrastructure/mail/connection-factory';
import { SmtpRelayTransport } from '../../../src/infrastructure/mail/default-relay.transport';
import { OutboxTransport } from '../../../src/infrastructure/mail/outbox.transport';
import { testCertificates } from '../../support/smtp/certs';
import { type Peer, PEER_PASSWORD, PEER_USER, startSmtpPeer } from '../../support/smtp/peers';

const message = (subject: string): OutgoingMessage => ({
  messageId: `<${subject.replace(/\W/g, '')}@smemetrics-email.com>`,
  from: 'support.acme@smemetrics-email.com',
  to: ['customer@example.org'],
  cc: [],
  bcc: [],
  subject,
  text: 'Hello from the relay',
  html: '<p>Hello</p>',
  attachments: [{ filename: 'a.txt', contentType: 'text/plain', content: Buffer.from('attached') }],
});

describe('default relay transports (mode 1)', () => {
  it('writes a complete .eml into the outbox when no relay is configured', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcs-outbox-'));
    try {
      const outbox = new OutboxTransport(join(dir, 'outbox'));
      const sent = await outbox.send(message('Outbox test'));
      const files = readdirSync(join(dir, 'outbox'));
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/\.eml$/);
      const mail = await simpleParser(readFileSync(join(dir, 'outbox', files[0])));
      expect(mail.messageId).toBe(sent.messageId);
      expect(mail.from?.text).toBe('support.acme@smemetrics-email.com');
      expect(mail.subject).toBe('Outbox test');
      expect(mail.attachments[0].content.toString()).toBe('attached');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('through DEFAULT_RELAY_URL', () => {
    let plain: Peer;
    let implicit: Peer;
    beforeAll(async () => {
      [plain, implicit] = await Promise.all([
        startSmtpPeer({ starttls: 'none', auth: false }),
        startSmtpPeer({ implicitTls: true }),
      ]);
    });
    afterAll(async () => {
      await Promise.all([plain.close(), implicit.close()]);
    });

    it('delivers over smtp:// without credentials', async () => {
      const relay = new SmtpRelayTransport(`smtp://127.0.0.1:${plain.port}`, new TcpConnectionFactory(), {
        extraCa: [],
        clientName: 'mcs.test',
      });
      await relay.send(message('Plain relay'));
      const [d] = await plain.inbox.waitFor(1);
      expect(d.mail.subject).toBe('Plain relay');
      expect(d.envelope.from).toBe('support.acme@smemetrics-email.com');
      relay.close();
    });

    it('delivers over smtps:// with credentials from the URL', async () => {
      const url = `smtps://${encodeURIComponent(PEER_USER)}:${encodeURIComponent(PEER_PASSWORD)}@localhost:${implicit.port}`;
      const relay = new SmtpRelayTransport(url, new TcpConnectionFactory(), {
        extraCa: [testCertificates().ca],
        clientName: 'mcs.test',
      });
      await relay.send(message('TLS relay'));
      const [d] = await implicit.inbox.waitFor(1);
      expect(d.mail.subject).toBe('TLS relay');
      expect(implicit.logins).toEqual([{ user: PEER_USER, ok: true }]);
      relay.close();
    });
  });
});
