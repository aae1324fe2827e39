import { randomBytes, randomUUID } from 'node:crypto';
import { type Cipher, CredentialUnavailableError, type SecretContext } from '../../application/ports/cipher.port';
import { type KeyRotation } from '../../application/ports/key-rotation.port';
import { type DataKeyStore, type WrappedDataKey } from '../../application/ports/data-key-store.port';
import { type EncryptedValue } from '../../domain/mail-config/mail-config.types';
import { open, seal } from './aes-gcm';
import { type MasterKeyRing } from './key-ring';

const aadFor = (c: SecretContext) => `mail-config/v1\n${c.tenantId}\n${c.field}`;
const wrapAad = (tenantId: string, dataKeyId: string) => `data-key/v1\n${tenantId}\n${dataKeyId}`;
const ROTATION_PAGE = 500;

export interface EnvelopeCipherOptions {
  /**
   * Keep unwrapped data keys in memory. Only where no other process can shred a key behind this
   * one's back (one instance on DATA_DIR): in the replicated shape an erasure through another
   * instance must take effect here at once, so every use reads the store.
   */
  cacheDataKeys: boolean;
}

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
    private readonly options: EnvelopeCipherOptions = { cacheDataKeys: true },
  ) {}

  async encrypt(plaintext: string, context: SecretContext): Promise<EncryptedValue> {
    const dek = await this.dataKey(context.tenantId, true);
    const box = seal(dek.key, Buffer.from(plaintext, 'utf8'), aadFor(context));
    return { keyId: `dek:${dek.id}`, ciphertext: box.toString('base64') };
  }

  async decrypt(secret: EncryptedValue, context: SecretContext): Promise<string> {
    const dek = await this.dataKey(context.tenantId, false);
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
    await this.store.shred(tenantId, new Date().toISOString());
  }

  /**
   * Re-wraps every data key not yet under the active master key, page by page; safe to interrupt
   * and re-run, and to run while instances serve (a key changed meanwhile is left as it is).
   * Returns how many keys it re-wrapped.
   */
  async rotate(onProgress?: (done: number, total: number) => void): Promise<number> {
    const activeId = this.ring.activeId;
    let total = await this.store.countWrappedByOtherThan(activeId);
    let done = 0;
    let rewrapped = 0;
    let afterTenantId: string | undefined;
    for (;;) {
      const page = await this.store.wrappedByOtherThan(activeId, { afterTenantId, limit: ROTATION_PAGE });
      if (page.length === 0) break;
      for (const stored of page) {
        const key = this.unwrap(stored);
        const wrapped = seal(this.ring.active, key, wrapAad(stored.tenantId, stored.dataKeyId));
        if (await this.store.rewrap({ ...stored, masterKeyId: activeId, wrapped }, stored.masterKeyId)) rewrapped++;
        done++;
        total = Math.max(total, done);
        onProgress?.(done, total);
      }
      afterTenantId = page.at(-1)!.tenantId;
    }
    this.cache.clear();
    return rewrapped;
  }

  /**
   * The master key ids of stored data keys that the ring cannot open, checked at start on one
   * key per master key id (its wrapping is an authenticated seal, so opening one is the key's
   * check value): a replaced or regenerated master key is found before any secret is read or
   * sealed under a new key. Pages through the stored keys once.
   */
  async unopenableMasterKeys(): Promise<string[]> {
    const tried = new Map<string, boolean>();
    let afterTenantId: string | undefined;
    for (;;) {
      // No master key has the empty id: these are all the stored keys.
      const page = await this.store.wrappedByOtherThan('', { afterTenantId, limit: ROTATION_PAGE });
      if (page.length === 0) break;
      for (const stored of page) {
        if (tried.has(stored.masterKeyId)) continue;
        let opens = true;
        try {
          this.unwrap(stored);
        } catch {
          opens = false;
        }
        tried.set(stored.masterKeyId, opens);
      }
      afterTenantId = page.at(-1)!.tenantId;
    }
    return [...tried].filter(([, opens]) => !opens).map(([id]) => id);
  }

  private async dataKey(tenantId: string, create: boolean): Promise<{ id: string; key: Buffer }> {
    const cached = this.cache.get(tenantId);
    if (cached) return cached;
    let stored = await this.store.get(tenantId);
    if (!stored && create) {
      const id = randomUUID();
      const key = randomBytes(32);
      stored = await this.store.insertIfAbsent({
        tenantId,
        dataKeyId: id,
        masterKeyId: this.ring.activeId,
        wrapped: seal(this.ring.active, key, wrapAad(tenantId, id)),
      });
    }
    if (!stored) throw new CredentialUnavailableError('key_missing', 'No data key exists for this tenant');
    if (stored.state === 'shredded') {
      throw new CredentialUnavailableError('shredded', 'This tenant’s credentials were erased');
    }
    const entry = { id: stored.key.dataKeyId, key: this.unwrap(stored.key) };
    if (this.options.cacheDataKeys) this.cache.set(tenantId, entry);
    return entry;
  }

  private unwrap({ tenantId, dataKeyId, masterKeyId, wrapped }: WrappedDataKey): Buffer {
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
