import { randomBytes, randomUUID } from 'node:crypto';
import { type Cipher, CredentialUnavailableError, type SecretContext } from '../../application/ports/cipher.port';
import { type KeyRotation } from '../../application/ports/key-rotation.port';
import { type EncryptedValue } from '../../domain/mail-config/mail-config.types';
import { open, seal } from './aes-gcm';
import { type DataKeyStore } from './data-key-store';
import { type MasterKeyRing } from './key-ring';

const aadFor = (c: SecretContext) => `mail-config/v1\n${c.tenantId}\n${c.field}`;
const wrapAad = (tenantId: string, dataKeyId: string) => `data-key/v1\n${tenantId}\n${dataKeyId}`;

/**
 * Envelope encryption: each tenant's secrets are sealed with that tenant's data key (AES-256-GCM,
 * associated data = tenant + field), and the data key is wrapped by the active master key.
 * Shredding a tenant destroys its data key, so its ciphertexts in the immutable history become
 * unrecoverable with every key the service still holds.
 */
export class EnvelopeCipher implements Cipher, KeyRotation {
  private readonly cache = new Map<string, { id: string; key: Buffer }>();

  constructor(
    private readonly ring: MasterKeyRing,
    private readonly store: DataKeyStore,
  ) {}

  async encrypt(plaintext: string, context: SecretContext): Promise<EncryptedValue> {
    const dek = this.dataKey(context.tenantId, true);
    const box = seal(dek.key, Buffer.from(plaintext, 'utf8'), aadFor(context));
    return { keyId: `dek:${dek.id}`, ciphertext: box.toString('base64') };
  }

  async decrypt(secret: EncryptedValue, context: SecretContext): Promise<string> {
    const dek = this.dataKey(context.tenantId, false);
    if (`dek:${dek.id}` !== secret.keyId) {
      throw new CredentialUnavailableError('key_missing', 'The key that sealed this credential is not available');
    }
    try {
      return open(dek.key, Buffer.from(secret.ciphertext, 'base64'), aadFor(context)).toString('utf8');
    } catch {
      throw new CredentialUnavailableError('integrity', 'The stored credential failed its integrity check');
    }
  }

  async shred(tenantId: string): Promise<void> {
    this.cache.delete(tenantId);
    this.store.shred(tenantId, new Date().toISOString());
  }

  /** Re-wraps every data key not yet under the active master key; safe to interrupt and re-run. */
  rotate(onProgress?: (done: number, total: number) => void): number {
    const pending = this.store.wrappedByOtherThan(this.ring.activeId);
    pending.forEach((tenantId, i) => {
      const stored = this.store.get(tenantId)!;
      const key = this.unwrap(stored.tenantId, stored.dataKeyId, stored.masterKeyId, stored.wrapped!);
      this.store.rewrap(tenantId, this.ring.activeId, seal(this.ring.active, key, wrapAad(tenantId, stored.dataKeyId)));
      onProgress?.(i + 1, pending.length);
    });
    this.cache.clear();
    return pending.length;
  }

  private dataKey(tenantId: string, create: boolean): { id: string; key: Buffer } {
    const cached = this.cache.get(tenantId);
    if (cached) return cached;
    let stored = this.store.get(tenantId);
    if (!stored && create) {
      const id = randomUUID();
      const key = randomBytes(32);
      stored = this.store.insertIfAbsent({
        tenantId,
        dataKeyId: id,
        masterKeyId: this.ring.activeId,
        wrapped: seal(this.ring.active, key, wrapAad(tenantId, id)),
      });
    }
    if (!stored) throw new CredentialUnavailableError('key_missing', 'No data key exists for this tenant');
    if (stored.wrapped === null) {
      throw new CredentialUnavailableError('shredded', 'This tenant’s credentials were erased');
    }
    const entry = {
      id: stored.dataKeyId,
      key: this.unwrap(tenantId, stored.dataKeyId, stored.masterKeyId, stored.wrapped),
    };
    this.cache.set(tenantId, entry);
    return entry;
  }

  private unwrap(tenantId: string, dataKeyId: string, masterKeyId: string, wrapped: Buffer): Buffer {
    const master = this.ring.get(masterKeyId);
    if (!master) {
      throw new CredentialUnavailableError('key_missing', `Master key "${masterKeyId}" is not in the key ring`);
    }
    try {
      return open(master, wrapped, wrapAad(tenantId, dataKeyId));
    } catch {
      throw new CredentialUnavailableError(
        'integrity',
        `Master key "${masterKeyId}" does not open this tenant’s data key`,
      );
    }
  }
}
