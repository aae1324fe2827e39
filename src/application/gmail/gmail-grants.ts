import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { MailConfigState } from '../../domain/mail-config/mail-config.state';
import { type CommandContext, type DetectedBy, systemContext } from '../common/command-context';
import { logContext } from '../common/log-context';
import { DecideAndAppend } from '../mail-config/decide-and-append';
import { GMAIL_REFRESH_TOKEN_FIELD } from '../mail-config/credential-status';
import { GMAIL_METRICS, GmailMetrics } from '../metrics/gmail-metrics';
import { Cipher, CIPHER } from '../ports/cipher.port';
import { Clock, CLOCK } from '../ports/clock.port';
import { GmailGrantRef } from '../ports/gmail-transport.port';

/**
 * A tenant's Gmail grant as the transport uses it, and the one way a revocation noticed at
 * Google (invalid_grant while sending or refreshing) is recorded.
 */
@Injectable()
export class GmailGrants {
  private readonly logger = new Logger('Gmail');

  constructor(
    private readonly commands: DecideAndAppend,
    @Inject(CIPHER) private readonly cipher: Cipher,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(GMAIL_METRICS) private readonly metrics: GmailMetrics,
  ) {}

  /** null unless Gmail is authorized. The key names this very grant: a re-authorization gets a new one. */
  grantOf(tenantId: string, state: MailConfigState): GmailGrantRef | null {
    const { gmail } = state;
    const sealed = gmail.status === 'authorized' ? gmail.refreshToken : null;
    if (!sealed || !gmail.authorizedAt) return null;
    const digest = createHash('sha256').update(sealed.ciphertext).digest('base64url').slice(0, 22);
    return {
      tenantId,
      key: `${tenantId}:${sealed.keyId}:${digest}`,
      authorizedAt: gmail.authorizedAt,
      // Opened only when a refresh is due; the plaintext lives for that one call.
      refreshToken: () => this.cipher.decrypt(sealed, { tenantId, field: GMAIL_REFRESH_TOKEN_FIELD }),
    };
  }

  /**
   * Google answered invalid_grant for `grant`: records ConsentRevoked{revoked_at_google} (and
   * the switch to the default mode). Whether the revocation is still about the tenant's current
   * grant is the decider's rule (grantAuthorizedAt): a grant already revoked or replaced by a new
   * authorization meanwhile records nothing. Ten concurrent detections record it once: the append
   * is expected-version guarded and, decided again on the newer state, the others find nothing
   * to do. Returns whether this call recorded it. The send use case's fallback records it here too.
   * The service noticed it, not whoever triggered the send or the check: the events are recorded
   * as actor `system` with `detectedBy`, caused by `trigger` (its correlation id).
   */
  async recordRevokedAtGoogle(
    tenantId: string,
    grant: { authorizedAt: string | null },
    trigger: CommandContext,
    detectedBy: DetectedBy,
  ): Promise<boolean> {
    const { events } = await this.commands.handle(
      tenantId,
      {
        type: 'RevokeGmailConsent',
        data: {
          reason: 'revoked_at_google',
          at: this.clock.now().toISOString(),
          googleRevocation: null,
          grantAuthorizedAt: grant.authorizedAt,
        },
      },
      systemContext(trigger, detectedBy),
    );
    const recorded = events.some((e) => e.type === 'ConsentRevoked');
    if (recorded) {
      this.metrics.revocationDetected();
      this.logger.warn(
        logContext(trigger, tenantId),
        `Gmail consent of tenant ${tenantId} was revoked at Google; the tenant is back on the default mode`,
      );
    }
    return recorded;
  }
}
