import { simpleParser } from 'mailparser';
import { ApplicationError } from '../../../src/application/common/application-error';
import { MailTransportError, type OutgoingMessage } from '../../../src/application/ports/mail-transport.port';
import {
  customHeadersProblem,
  isMessageId,
  requireSafeHeaders,
} from '../../../src/application/sending/message-headers';
import { buildMime } from '../../../src/infrastructure/mail/mime';

const refusal = (input: Parameters<typeof requireSafeHeaders>[0]) => {
  try {
    requireSafeHeaders(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ApplicationError);
    return { code: (error as ApplicationError).code, field: (error as ApplicationError).field };
  }
  return null;
};

describe('help-desk headers checked by the send use case, whoever the caller', () => {
  it('takes message ids with their angle brackets only', () => {
    expect(isMessageId('<CAF=a.b+c@mail.example.org>')).toBe(true);
    expect(isMessageId('<a@[192.0.2.1]>')).toBe(true);
    for (const bad of ['a@b.example', '<a b@c.example>', '<a@b.example>\r\nBcc: x@y.z', '<@b.example>', '<a@>'])
      expect(isMessageId(bad)).toBe(false);
  });

  it('names the field at fault (INVALID_HEADER), the header by name', () => {
    expect(refusal({ fromName: 'Acme\nSupport' })).toEqual({ code: 'INVALID_HEADER', field: 'fromName' });
    expect(refusal({ inReplyTo: '<a@b.example>\r\n' })).toEqual({ code: 'INVALID_HEADER', field: 'inReplyTo' });
    expect(refusal({ references: ['<a@b.example>', 'x'] })).toEqual({
      code: 'INVALID_HEADER',
      field: 'references[1]',
    });
    expect(refusal({ headers: { 'X-Ticket': 'a\rb' } })).toEqual({ code: 'INVALID_HEADER', field: 'headers.X-Ticket' });
    expect(refusal({ headers: { 'X-MS-Exchange-Organization-SCL': '-1' } })?.field).toBe(
      'headers.X-MS-Exchange-Organization-SCL',
    );
    expect(
      refusal({ fromName: 'Zoë', inReplyTo: '<a@b.example>', headers: { 'X-Ticket': '4711 – Grüße' } }),
    ).toBeNull();
  });

  it('never echoes a header name that holds a line break', () => {
    expect(customHeadersProblem({ 'X-A\r\nBcc': 'v' })).toEqual({
      field: 'headers',
      message: 'a header name must not contain CR, LF or other control characters',
    });
    expect(customHeadersProblem(Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`X-H${i}`, 'v'])))).toEqual({
      field: 'headers',
      message: 'headers may hold at most 20 headers',
    });
  });
});

describe('the MIME layer as the last guard', () => {
  const message = (over: Partial<OutgoingMessage>): OutgoingMessage => ({
    messageId: '<m-1@acme.example>',
    from: 'help@acme.example',
    to: ['customer@example.org'],
    cc: [],
    bcc: [],
    subject: 'Hello',
    text: 'Hi',
    attachments: [],
    ...over,
  });

  it.each([
    { fromName: 'Acme\r\nBcc: x@y.z' },
    { inReplyTo: '<a@b.example>\nBcc: x@y.z' },
    { references: ['<a@b.example>\rX: y'] },
    { headers: [{ name: 'X-A', value: 'v\nBcc: x@y.z' }] },
  ])('refuses a control character that got past the checks: %j', async (over) => {
    await expect(buildMime(message(over))).rejects.toBeInstanceOf(MailTransportError);
  });

  it('writes display name, threading and custom headers a parser reads back', async () => {
    const built = await buildMime(
      message({
        fromName: 'Acme "HQ" Support',
        inReplyTo: '<q@client.example>',
        references: ['<s@client.example>', '<q@client.example>'],
        headers: [{ name: 'X-Ticket-Id', value: 'Grüße 4711' }],
      }),
    );
    const mail = await simpleParser(built.raw);
    expect(mail.from?.value).toEqual([{ name: 'Acme "HQ" Support', address: 'help@acme.example' }]);
    expect(mail.inReplyTo).toBe('<q@client.example>');
    expect(mail.references).toEqual(['<s@client.example>', '<q@client.example>']);
    // Non-ASCII travels as an RFC 2047 encoded word (mailparser leaves custom headers encoded).
    expect(mail.headers.get('x-ticket-id')).toBe('=?UTF-8?Q?Gr=C3=BC=C3=9Fe_4711?=');
    expect(built.raw.toString('latin1')).not.toMatch(/[^\x00-\x7f]/);
  });
});
