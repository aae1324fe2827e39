export const DATA_KEY_STORE = Symbol('DATA_KEY_STORE');

/** A tenant's data key as stored: sealed by one master key, never in the clear. */
export interface WrappedDataKey {
  tenantId: string;
  /** Names the data key in ciphertexts (`dek:<id>`); it survives re-wrapping. */
  dataKeyId: string;
  /** The master key that wrapped it (an id of the key ring). */
  masterKeyId: string;
  wrapped: Buffer;
}

/** What the store holds for a tenant: its key, or the fact that it was shredded (erasure). */
export type DataKeyRecord =
  { state: 'active'; key: WrappedDataKey } | { state: 'shredded'; tenantId: string; shreddedAt: string };

export interface DataKeyPage {
  /** Tenant ids sort as the store sorts them; the next page starts after this one. */
  afterTenantId?: string;
  limit: number;
}

/**
 * The tenants' wrapped data keys, as envelope encryption and key rotation need them. Shared by
 * every instance in the replicated shape, so each write decides races itself: the first key
 * stored for a tenant wins, a shredded tenant never gets a key again, and a re-wrap applies only
 * to the key it was computed from.
 */
export interface DataKeyStore {
  get(tenantId: string): Promise<DataKeyRecord | undefined>;
  /** Stores `key` unless the tenant has a record already (a key, or a shredding); returns the stored record. */
  insertIfAbsent(key: WrappedDataKey): Promise<DataKeyRecord>;
  /**
   * Replaces the wrapping of `key.dataKeyId` if it is still wrapped by `fromMasterKeyId`; false
   * when it changed meanwhile (another rotation, an erasure).
   */
  rewrap(key: WrappedDataKey, fromMasterKeyId: string): Promise<boolean>;
  /** Erasure: the wrapped key is destroyed and only the fact and time of the shredding remain. */
  shred(tenantId: string, at: string): Promise<void>;
  /** Keys wrapped by a master key other than `masterKeyId` (what rotation has left to do), by tenant id. */
  wrappedByOtherThan(masterKeyId: string, page: DataKeyPage): Promise<WrappedDataKey[]>;
  countWrappedByOtherThan(masterKeyId: string): Promise<number>;
  close(): Promise<void>;
}
