import { type Command } from '@nestjs/cqrs';
import { ApplicationError } from '../../../application/common/application-error';
import type { CommandContext } from '../../../application/common/command-context';
import { StartGmailAuthorizationCommand } from '../../../application/gmail/commands/start-gmail-authorization.command';
import { StartMicrosoftAuthorizationCommand } from '../../../application/microsoft/commands';

export interface AuthorizationStarted {
  authorizationUrl: string;
  expiresAt: string;
}

type StartAuthorization = (tenantId: string, returnUrl: string, ctx: CommandContext) => Command<AuthorizationStarted>;

/**
 * The consent round trip of each provider the page offers, as the message that starts it. A
 * provider whose client is not configured answers 503 from its own start command.
 */
export const PROVIDERS: Readonly<Record<string, StartAuthorization | undefined>> = {
  gmail: (tenantId, returnUrl, ctx) => new StartGmailAuthorizationCommand(tenantId, returnUrl, ctx),
  microsoft: (tenantId, returnUrl, ctx) => new StartMicrosoftAuthorizationCommand(tenantId, returnUrl, ctx),
};

const NAMES: Readonly<Record<string, string>> = { gmail: 'Gmail', microsoft: 'Microsoft 365' };

export function authorizationOf(
  provider: string,
  tenantId: string,
  returnUrl: string,
  ctx: CommandContext,
): Command<AuthorizationStarted> {
  const start = Object.hasOwn(PROVIDERS, provider) ? PROVIDERS[provider] : undefined;
  if (!start) {
    throw new ApplicationError(
      'MODE_UNAVAILABLE',
      `${NAMES[provider] ?? 'That provider'} is not set up on this platform`,
    );
  }
  return start(tenantId, returnUrl, ctx);
}
