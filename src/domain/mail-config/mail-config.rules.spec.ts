import { MailConfigError } from './mail-config.errors';
import { initialState, requireActive, senderFor } from './mail-config.state';
import { savedPasswordServes, smtpDefaults } from './mail-config.types';

const codeOf = (fn: () => void): string | null => {
  try {
    fn();
    return null;
  } catch (error) {
    return error instanceof MailConfigError ? error.code : 'other';
  }
};

describe('the rules written once in the domain', () => {
  it('requireActive refuses an unprovisioned and an erased tenant, passes an active one', () => {
    expect(codeOf(() => requireActive(initialState()))).toBe('NOT_PROVISIONED');
    expect(codeOf(() => requireActive({ status: 'erased' }))).toBe('TENANT_ERASED');
    expect(codeOf(() => requireActive({ status: 'active' }))).toBeNull();
  });

  it('the sender is the active mode’s address', () => {
    const addresses = {
      default: 'support.acme@x.test',
      gmail: 'acme@gmail.test',
      microsoft: 'acme@contoso.test',
      smtp: null,
    };
    expect(senderFor('default', addresses)).toBe('support.acme@x.test');
    expect(senderFor('gmail', addresses)).toBe('acme@gmail.test');
    expect(senderFor('microsoft', addresses)).toBe('acme@contoso.test');
    expect(senderFor('smtp', addresses)).toBeNull();
  });

  it('SMTP security follows the port and the login defaults to the address, unless chosen', () => {
    expect(smtpDefaults({ address: 'a@x.test', port: 465 })).toEqual({ security: 'tls', username: 'a@x.test' });
    expect(smtpDefaults({ address: 'a@x.test', port: 587 })).toEqual({ security: 'starttls', username: 'a@x.test' });
    expect(smtpDefaults({ address: 'a@x.test', port: 465, security: 'none', username: 'u' })).toEqual({
      security: 'none',
      username: 'u',
    });
  });

  it('a saved SMTP password serves only its own host (any case, trailing dot), port and username', () => {
    const saved = { host: 'smtp.acme.example', port: 587, username: 'help@acme.example' };
    expect(savedPasswordServes(saved, { ...saved, host: 'SMTP.Acme.Example.' })).toBe(true);
    expect(savedPasswordServes(saved, { ...saved, host: 'smtp.acme.example.evil.test' })).toBe(false);
    expect(savedPasswordServes(saved, { ...saved, port: 465 })).toBe(false);
    expect(savedPasswordServes(saved, { ...saved, username: 'Help@acme.example' })).toBe(false);
  });
});
