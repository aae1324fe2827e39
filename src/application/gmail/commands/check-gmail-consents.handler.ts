import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandContext } from '../../common/command-context';
import { logContext } from '../../common/log-context';
import { StateReader } from '../../mail-config/state-reader';
import { GMAIL_TRANSPORT, type GmailTransport, GrantRevokedError } from '../../ports/gmail-transport.port';
import { AuthorizedGmailTenants } from '../authorized-gmail-tenants';
import { GmailGrants } from '../gmail-grants';
import { ConsentCheckResult, CheckGmailConsentsCommand } from './check-gmail-consents.command';

@CommandHandler(CheckGmailConsentsCommand)
export class CheckGmailConsentsHandler implements ICommandHandler<CheckGmailConsentsCommand> {
  private readonly logger = new Logger('GmailConsentCheck');
  private running: Promise<ConsentCheckResult> | null = null;

  constructor(
    @Inject(GMAIL_TRANSPORT) private readonly transport: GmailTransport | null,
    private readonly tenants: AuthorizedGmailTenants,
    private readonly reader: StateReader,
    private readonly grants: GmailGrants,
  ) {}

  execute({ context }: CheckGmailConsentsCommand): Promise<ConsentCheckResult> {
    this.running ??= this.run(context).finally(() => (this.running = null));
    return this.running;
  }

  private async run(context: CommandContext): Promise<ConsentCheckResult> {
    const result: ConsentCheckResult = { checked: 0, revoked: 0, failed: 0 };
    if (!this.transport) return result;
    for (const tenantId of await this.tenants.list()) {
      const grant = this.grants.grantOf(tenantId, (await this.reader.load(tenantId)).state);
      if (!grant) continue;
      result.checked++;
      try {
        await this.transport.refreshNow(grant);
      } catch (error) {
        if (error instanceof GrantRevokedError) {
          if (await this.grants.recordRevokedAtGoogle(tenantId, grant, context, 'consent-check')) result.revoked++;
        } else {
          result.failed++;
          this.logger.warn(
            logContext(context, tenantId),
            `consent check of tenant ${tenantId} could not reach a verdict: ${(error as Error).message}`,
          );
        }
      }
    }
    this.logger.log(
      logContext(context),
      `Gmail consent check: ${result.checked} checked, ${result.revoked} revoked at Google, ${result.failed} undecided`,
    );
    return result;
  }
}
