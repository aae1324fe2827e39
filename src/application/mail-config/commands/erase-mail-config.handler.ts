import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { requireActive } from '../../../domain/mail-config/mail-config.state';
import { CIPHER, type Cipher } from '../../ports/cipher.port';
import { CLOCK, type Clock } from '../../ports/clock.port';
import { DecideAndAppend, requireVersion } from '../decide-and-append';
import { MailConfigPresenter } from '../mail-config.presenter';
import type { MailConfigView } from '../mail-config.view';
import { StateReader } from '../state-reader';
import { EraseMailConfigCommand } from './erase-mail-config.command';

@CommandHandler(EraseMailConfigCommand)
export class EraseMailConfigHandler implements ICommandHandler<EraseMailConfigCommand> {
  constructor(
    private readonly decideAndAppend: DecideAndAppend,
    private readonly reader: StateReader,
    private readonly presenter: MailConfigPresenter,
    @Inject(CIPHER) private readonly cipher: Cipher,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Crypto-shredding: the tenant's data key goes first, so a crash between the two steps leaves
   * secrets unrecoverable rather than an "erased" tenant whose secrets still open. Every refusal
   * (missing, already erased, a stale If-Match) comes before the shredding, which cannot be undone;
   * once the key is gone the erasure is recorded whatever was appended meanwhile.
   */
  async execute({ tenantId, context, expectedVersion }: EraseMailConfigCommand): Promise<MailConfigView> {
    const loaded = await this.reader.load(tenantId);
    requireActive(loaded.state);
    requireVersion(loaded.version, expectedVersion);
    await this.cipher.shred(tenantId);
    const { current } = await this.decideAndAppend.handle(
      tenantId,
      { type: 'EraseMailConfig', data: { at: this.clock.now().toISOString() } },
      context,
    );
    return this.presenter.present(tenantId, current);
  }
}
