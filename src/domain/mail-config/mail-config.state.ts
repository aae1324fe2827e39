import {
  type ConsentRevocationReason,
  type EncryptedValue,
  type Mode,
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

export interface SmtpState {
  address: string;
  host: string;
  port: number;
  security: SmtpSecurity;
  username: string;
  password: EncryptedValue;
  configuredAt: string;
  lastTest: null | { ok: boolean; stage: SmtpTestStage; message: string; at: string };
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
  mode: Mode;
  gmail: GmailState;
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
    smtp: null,
    delivery: { failing: false, mode: null, stage: null, message: null, since: null },
    erasedAt: null,
  };
}

/** The From address of the active mode. */
export function senderOf(state: MailConfigState): string | null {
  switch (state.mode) {
    case 'default':
      return state.defaultAddress;
    case 'gmail':
      return state.gmail.account;
    case 'smtp':
      return state.smtp?.address ?? null;
    default: {
      const never: never = state.mode;
      return never;
    }
  }
}
