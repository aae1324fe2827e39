import { Command } from '@nestjs/cqrs';
import { type SmtpSecurity } from '../../../domain/mail-config/mail-config.types';
import type { CommandContext } from '../../common/command-context';
import { type SmtpTestReport } from '../../ports/mail-transport.port';

/** Settings to try before saving them: the PUT …/smtp fields; no password reuses the saved one. */
export interface SmtpCandidate {
  address: string;
  host: string;
  port: number;
  security?: SmtpSecurity;
  username?: string;
  password?: string;
}

/**
 * The Test button: `candidate` null tests the saved configuration, and records the result
 * (SmtpConnectionTested); else it tests the candidate settings, which records nothing.
 * `sendTo` (null: none) also receives a short test message.
 */
export class TestSmtpCommand extends Command<SmtpTestReport> {
  constructor(
    readonly tenantId: string,
    readonly candidate: SmtpCandidate | null,
    readonly sendTo: string | null,
    readonly context: CommandContext,
  ) {
    super();
  }
}
