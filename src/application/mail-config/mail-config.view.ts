import { MailConfigState, senderOf } from '../../domain/mail-config/mail-config.state';
import { TenantState } from './state-reader';

/** The tenant view of the HTTP contract. Secrets never appear: only whether one is set. */
export interface MailConfigView {
  tenantId: string;
  mode: MailConfigState['mode'];
  sender: string | null;
  status: 'active' | 'erased';
  default: { address: string | null };
  gmail: {
    status: MailConfigState['gmail']['status'];
    account: string | null;
    scopes: string[];
    authorizedAt: string | null;
    revokedAt: string | null;
    revokedReason: string | null;
    googleRevocation: null | { ok: boolean; message: string | null };
  };
  smtp: null | {
    address: string;
    host: string;
    port: number;
    security: string;
    username: string;
    passwordSet: true;
    configuredAt: string;
    lastTest: null | { ok: boolean; stage: string; message: string; at: string };
  };
  delivery: { failing: boolean; since: string | null; stage: string | null; message: string | null };
  version: number;
  updatedAt: string | null;
}

export function toView(tenantId: string, { state, version, updatedAt }: TenantState): MailConfigView {
  const { gmail, smtp, delivery } = state;
  return {
    tenantId,
    mode: state.mode,
    sender: senderOf(state),
    status: state.status === 'erased' ? 'erased' : 'active',
    default: { address: state.defaultAddress },
    gmail: {
      status: gmail.status,
      account: gmail.account,
      scopes: gmail.scopes,
      authorizedAt: gmail.authorizedAt,
      revokedAt: gmail.revokedAt,
      revokedReason: gmail.revokedReason,
      googleRevocation: gmail.googleRevocation,
    },
    smtp: smtp && {
      address: smtp.address,
      host: smtp.host,
      port: smtp.port,
      security: smtp.security,
      username: smtp.username,
      passwordSet: true,
      configuredAt: smtp.configuredAt,
      lastTest: smtp.lastTest,
    },
    delivery: { failing: delivery.failing, since: delivery.since, stage: delivery.stage, message: delivery.message },
    version,
    updatedAt,
  };
}
