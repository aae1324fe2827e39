import { type Cipher, CredentialUnavailableError } from '../../../src/application/ports/cipher.port';
import { CredentialStatusService } from '../../../src/application/mail-config/credential-status';
import { initialState, type MailConfigState } from '../../../src/domain/mail-config/mail-config.state';
import { type EncryptedValue } from '../../../src/domain/mail-config/mail-config.types';

/** A cipher that counts its openings and fails for the secrets it is told are gone. */
function countingCipher() {
  const gone = new Set<string>();
  const opened: string[] = [];
  const cipher: Cipher = {
    encrypt: async (plaintext) => ({ keyId: 'dek:1', ciphertext: plaintext }),
    decrypt: async (secret) => {
      opened.push(secret.ciphertext);
      if (gone.has(secret.ciphertext)) throw new CredentialUnavailableError('shredded', 'erased');
      return secret.ciphertext;
    },
    shred: async () => undefined,
  };
  return { cipher, opened, gone };
}

const withPassword = (password: EncryptedValue): MailConfigState =>
  ({ ...initialState(), smtp: { password } }) as unknown as MailConfigState;

describe('CredentialStatusService', () => {
  it('opens a secret once per stream version, and again when the version moves', async () => {
    const { cipher, opened, gone } = countingCipher();
    const service = new CredentialStatusService(cipher);
    const state = withPassword({ keyId: 'dek:1', ciphertext: 's1' });

    for (let i = 0; i < 3; i++) {
      expect((await service.of('t1', { state, version: 4 })).smtp).toEqual({
        credential: 'available',
        credentialProblem: null,
      });
    }
    expect(opened).toEqual(['s1']);

    // An erasure is an event: the next version is checked again and shows the shredded key.
    gone.add('s1');
    expect((await service.of('t1', { state, version: 5 })).smtp).toEqual({
      credential: 'unavailable',
      credentialProblem: 'shredded',
    });
    expect(opened).toEqual(['s1', 's1']);
  });

  it('does not open a secret the caller sealed in this request', async () => {
    const { cipher, opened } = countingCipher();
    const service = new CredentialStatusService(cipher);
    const sealed = { keyId: 'dek:1', ciphertext: 's2' };
    const statuses = await service.of('t2', { state: withPassword(sealed), version: 2 }, sealed);
    expect(statuses.smtp).toEqual({ credential: 'available', credentialProblem: null });
    expect(opened).toEqual([]);
    // Another object with the same bytes is not "sealed now": it is opened.
    await service.of('t3', { state: withPassword({ ...sealed }), version: 2 }, sealed);
    expect(opened).toEqual(['s2']);
  });
});
