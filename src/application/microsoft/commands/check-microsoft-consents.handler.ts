import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type CommandContext, systemContext } from '../../common/command-context';
import { logContext } from '../../common/log-context';
import { DecideAndAppend } from '../../mail-config/decide-and-append';
import { StateReader } from '../../mail-config/state-reader';
import { CLOCK, type Clock } from '../../ports/clock.port';
import { AuthorizedMicrosoftTenants } from '../authorized-microsoft-tenants';
import { MicrosoftGrants } from '../microsoft-grants';
import { GrantRevokedError, MICROSOFT_TRANSPORT, type MicrosoftTransport } from '../microsoft.port';
import { CheckMicrosoftConsentsCommand, type MicrosoftConsentCheckResult } from './check-microsoft-consents.command';

@CommandHandler(CheckMicrosoftConsentsCommand)
export class CheckMicrosoftConsentsHandler implements ICommandHandler<CheckMicrosoftConsentsCommand> {
  private readonly logger = new Logger('MicrosoftConsentCheck');
  private running: Promise<MicrosoftConsentCheckResult> | null = null;

  constructor(
    @Inject(MICROSOFT_TRANSPORT) private readonly transport: MicrosoftTransport | null,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly tenants: AuthorizedMicrosoftTenants,
    private readonly reader: StateReader,
    private readonly grants: MicrosoftGrants,
    private readonly decideAndAppend: DecideAndAppend,
  ) {}

  execute({ context }: CheckMicrosoftConsentsCommand): Promise<MicrosoftConsentCheckResult> {
    this.running ??= this.run(context).finally(() => (this.running = null));
    return this.running;
  }

  private async run(context: CommandContext): Promise<MicrosoftConsentCheckResult> {
    const result: MicrosoftConsentCheckResult = { checked: 0, revoked: 0, failed: 0 };
    if (!this.transport) return result;
    for (const tenantId of await this.tenants.list()) {
      const grant = this.grants.grantOf(tenantId, (await this.reader.load(tenantId)).state);
      if (!grant) continue;
      result.checked++;
      try {
        await this.transport.refreshNow(grant);
      } catch (error) {
        if (!(error instanceof GrantRevokedError)) {
          result.failed++;
          this.logger.warn(
            logContext(context, tenantId),
            `consent check of tenant ${tenantId} could not reach a verdict: ${(error as Error).message}`,
          );
          continue;
        }
        // Guarded by the grant checked: a re-authorization meanwhile is not undone.
        const { events } = await this.decideAndAppend.handle(
          tenantId,
          {
            type: 'RevokeMicrosoftConsent',
            data: {
              reason: 'revoked_at_provider',
              at: this.clock.now().toISOString(),
              grantAuthorizedAt: grant.authorizedAt,
            },
          },
          systemContext(context, 'consent-check'),
        );
        if (events.some((e) => e.type === 'ConsentRevoked')) {
          result.revoked++;
          this.logger.warn(
            logContext(context, tenantId),
            `Microsoft 365 consent of tenant ${tenantId} ended at Microsoft; the tenant is back on the default mode`,
          );
        }
      }
    }
    this.logger.log(
      logContext(context),
      `Microsoft 365 consent check: ${result.checked} checked, ${result.revoked} revoked at Microsoft, ` +
        `${result.failed} undecided`,
    );
    return result;
  }
}
