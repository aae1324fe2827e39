import { ConfigError } from '../config/config';

/** Master keys by id; one is active for wrapping new data keys, the others only unwrap. */
export class MasterKeyRing {
  constructor(
    private readonly keys: ReadonlyMap<string, Buffer>,
    readonly activeId: string,
  ) {
    if (!keys.has(activeId)) throw new Error(`active master key ${activeId} is not in the ring`);
  }

  get active(): Buffer {
    return this.keys.get(this.activeId)!;
  }

  get(id: string): Buffer | undefined {
    return this.keys.get(id);
  }

  ids(): string[] {
    return [...this.keys.keys()];
  }
}

export function decodeKey(variable: string, base64: string): Buffer {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== 32 || key.toString('base64').replace(/=+$/, '') !== base64.trim().replace(/=+$/, '')) {
    throw new ConfigError(variable, 'must be base64 of exactly 32 bytes');
  }
  return key;
}

/**
 * ENCRYPTION_KEYS="id1:base64,id2:base64" (the active one named by ENCRYPTION_ACTIVE_KEY_ID, else
 * the last listed), or the single ENCRYPTION_KEY (id "primary"), or a generated key (id "local").
 */
export function keyRingFromEnv(env: Record<string, string | undefined>, generated: () => Buffer): MasterKeyRing {
  const list = env.ENCRYPTION_KEYS?.trim();
  const single = env.ENCRYPTION_KEY?.trim();
  const keys = new Map<string, Buffer>();
  if (list) {
    for (const entry of list.split(',')) {
      const [id, material] = entry.trim().split(':');
      if (!id || !material || !/^[A-Za-z0-9_.-]{1,32}$/.test(id)) {
        throw new ConfigError('ENCRYPTION_KEYS', 'entries must look like <id>:<base64 of 32 bytes>');
      }
      keys.set(id, decodeKey('ENCRYPTION_KEYS', material));
    }
  }
  if (single) keys.set('primary', decodeKey('ENCRYPTION_KEY', single));
  if (keys.size === 0) keys.set('local', generated());
  const activeId =
    env.ENCRYPTION_ACTIVE_KEY_ID?.trim() ||
    (list ? [...keys.keys()].filter((k) => k !== 'primary').pop()! : [...keys.keys()][0]);
  if (!keys.has(activeId))
    throw new ConfigError('ENCRYPTION_ACTIVE_KEY_ID', `no key with id "${activeId}" in ENCRYPTION_KEYS`);
  return new MasterKeyRing(keys, activeId);
}
