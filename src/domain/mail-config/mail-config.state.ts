import { notProvisioned, tenantErased } from './mail-config.errors';
import {
  type ConsentRevocationReason,
  type EncryptedValue,
  type Mode,
  type PassedSmtpTest,
  type SmtpSecurity,
  type SmtpTestStage,
} from './mail-config.types';

export interface GmailState {
  status: 'not_authorized' | 'authorized' | 'revoked';
  account: string | null;
  scopes: string[];
  refreshToken: EncryptedValue | null;
  authorizedAt: string | null;
  revokedAt: string | null;
  revokedReason: ConsentRevocationReason | null;
  /** Google's answer to our revoke call, when the tenant asked us to withdraw consent. */
  googleRevocation: null | { ok: boolean; message: string | null };
}

/** Microsoft 365 mode's grant: as Gmail's, without a revocation call (Microsoft has none for it). */
export interface MicrosoftState {
  status: 'not_authorized' | 'authorized' | 'revoked';
  account: string | null;
  scopes: string[];
  refreshToken: EncryptedValue | null;
  authorizedAt: string | null;
  revokedAt: string | null;
  revokedReason: ConsentRevocationReason | null;
}

export interface SmtpState {
  address: string;
  host: string;
  port: number;
  security: SmtpSecurity;
  username: string;
  password: EncryptedValue;
  configuredAt: string;
  lastTest: null | { ok: boolean; stage: SmtpTestStage; message: string; at: string };
  /**
   * The last Test that passed, by fingerprint. It outlives a re-save of the same settings, so a
   * configuration tested, then saved with activate, is not tested twice.
   */
  lastPass: PassedSmtpTest | null;
}

export interface DeliveryState {
  failing: boolean;
  mode: Mode | null;
  stage: string | null;
  message: string | null;
  since: string | null;
}

export interface MailConfigState {
  status: 'unprovisioned' | 'active' | 'erased';
  tenantId: string | null;
  username: string | null;
  defaultAddress: string | null;
  /** The phrase of the From in every mode (`"Acme Support" <…>`); null: the bare address. */
  displayName: string | null;
  mode: Mode;
  gmail: GmailState;
  microsoft: MicrosoftState;
  smtp: SmtpState | null;
  delivery: DeliveryState;
  erasedAt: string | null;
}

export function initialState(): MailConfigState {
  return {
    status: 'unprovisioned',
    tenantId: null,
    username: null,
    defaultAddress: null,
    displayName: null,
    mode: 'default',
    gmail: {
      status: 'not_authorized',
      account: null,
      scopes: [],
      refreshToken: null,
      authorizedAt: null,
      revokedAt: null,
      revokedReason: null,
      googleRevocation: null,
    },
    microsoft: {
      status: 'not_authorized',
      account: null,
      scopes: [],
      refreshToken: null,
      authorizedAt: null,
      revokedAt: null,
      revokedReason: null,
    },
    smtp: null,
    delivery: { failing: false, mode: null, stage: null, message: null, since: null },
    erasedAt: null,
  };
}

/**
 * The tenant-lifecycle guard: commands and use cases act only on a provisioned tenant that was
 * not erased. Erasure wins over "not provisioned" (an erased tenant was provisioned once).
 */
export function requireActive(state: Pick<MailConfigState, 'status'>): void {
  if (state.status === 'erased') throw tenantErased();
  if (state.status === 'unprovisioned') throw notProvisioned();
}

/** The addresses a tenant may send from, one per mode (null while that mode has none). */
export interface ModeAddresses {
  default: string | null;
  gmail: string | null;
  microsoft: string | null;
  smtp: string | null;
}

/** The sender rule, written once: the From address is the active mode's address. */
export function senderFor(mode: Mode, addresses: ModeAddresses): string | null {
  switch (mode) {
    case 'default':
      return addresses.default;
    case 'gmail':
      return addresses.gmail;
    case 'microsoft':
      return addresses.microsoft;
    case 'smtp':
      return addresses.smtp;
    default: {
      const never: never = mode;
      return never;
    }
  }
}

/** The From address of the active mode. */
export function senderOf(state: MailConfigState): string | null {
  return senderFor(state.mode, {
    default: state.defaultAddress,
    gmail: state.gmail.account,
    microsoft: state.microsoft.account,
    smtp: state.smtp?.address ?? null,
  });
}
