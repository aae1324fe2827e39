import { Query } from '@nestjs/cqrs';
import type { SmtpSecurity } from '../../../domain/mail-config/mail-config.types';
import type { RateLimit } from '../../app-config';

export interface ModeCapability {
  available: boolean;
  /** Why not, in words, when it is not (which variables the operator has to set). */
  reason: string | null;
}

export interface Capabilities {
  modes: {
    /** Mode 1: through the platform's relay, or only written to the outbox when no relay is configured. */
    default: ModeCapability & { delivery: 'relay' | 'outbox'; domain: string };
    gmail: ModeCapability;
    microsoft: ModeCapability;
    smtp: ModeCapability & { allowedPorts: number[]; security: SmtpSecurity[] };
  };
  rateLimits: { send: RateLimit; smtpTest: RateLimit; gmailAuthorization: RateLimit };
}

/** What this deployment offers, so a settings UI can hide what cannot work here. */
export class GetCapabilitiesQuery extends Query<Capabilities> {}
