import { type MailConfigState, senderOf } from '../../domain/mail-config/mail-config.state';
import { type CredentialStatus, type CredentialStatuses } from './credential-status';
import { type VersionedState } from './state-reader';

/** The tenant view of the HTTP contract. Secrets never appear: only whether one is set. */
export interface MailConfigView {
  tenantId: string;
  mode: MailConfigState['mode'];
  sender: string | null;
  status: 'active' | 'erased';
  /** The From's display name in every mode (`"Acme Support" <…>`); null: the bare address. */
  displayName: string | null;
  default: { address: string | null };
  gmail: {
    status: MailConfigState['gmail']['status'];
    account: string | null;
    scopes: string[];
    authorizedAt: string | null;
    revokedAt: string | null;
    revokedReason: string | null;
    googleRevocation: null | { ok: boolean; message: string | null };
    /** null while there is no grant to open. */
    credential?: CredentialStatus['credential'] | null;
    credentialProblem?: CredentialStatus['credentialProblem'];
  };
  microsoft: {
    status: MailConfigState['microsoft']['status'];
    account: string | null;
    scopes: string[];
    authorizedAt: string | null;
    revokedAt: string | null;
    revokedReason: string | null;
  };
  smtp:
    | null
    | ({
        address: string;
        host: string;
        port: number;
        security: string;
        username: string;
        passwordSet: true;
        configuredAt: string;
        lastTest: null | { ok: boolean; stage: string; message: string; at: string };
      } & Partial<CredentialStatus>);
  delivery: { failing: boolean; since: string | null; stage: string | null; message: string | null };
  version: number;
  updatedAt: string | null;
}

/**
 * `credentials` (from CredentialStatusService) adds `credential` / `credentialProblem` to the smtp
 * and gmail parts, so a secret the service can no longer open is shown as such.
 */
export function toView(
  tenantId: string,
  { state, version, updatedAt }: VersionedState,
  credentials?: CredentialStatuses,
): MailConfigView {
  const { gmail, microsoft, smtp, delivery } = state;
  return {
    tenantId,
    mode: state.mode,
    sender: senderOf(state),
    status: state.status === 'erased' ? 'erased' : 'active',
    displayName: state.displayName ?? null,
    default: { address: state.defaultAddress },
    gmail: {
      status: gmail.status,
      account: gmail.account,
      scopes: gmail.scopes,
      authorizedAt: gmail.authorizedAt,
      revokedAt: gmail.revokedAt,
      revokedReason: gmail.revokedReason,
      googleRevocation: gmail.googleRevocation,
      ...(credentials ? (credentials.gmail ?? { credential: null, credentialProblem: null }) : {}),
    },
    microsoft: {
      status: microsoft.status,
      account: microsoft.account,
      scopes: microsoft.scopes,
      authorizedAt: microsoft.authorizedAt,
      revokedAt: microsoft.revokedAt,
      revokedReason: microsoft.revokedReason,
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
      ...(credentials?.smtp ?? {}),
    },
    delivery: { failing: delivery.failing, since: delivery.since, stage: delivery.stage, message: delivery.message },
    version,
    updatedAt,
  };
}
