import { type CanActivate, createParamDecorator, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { APP_CONFIG, type AppConfig } from '../../../application/app-config';
import type { CommandContext } from '../../../application/common/command-context';
import type { SettingsSession } from '../../../application/ports/settings-session.port';
import { VerifySettingsSessionQuery } from '../../../application/settings/queries/verify-settings-session.query';
import { problem, ProblemException } from '../common/problem';

export const SETTINGS_COOKIE = 'mcs_settings';
export const CSRF_HEADER = 'x-csrf-token';

type SettingsRequest = Request & { id?: string; settingsSession?: SettingsSession };

export function settingsCookie(req: Request): string | null {
  const cookie = req.headers.cookie
    ?.split(';')
    .map((c) => c.trim())
    .find((c) => c.startsWith(`${SETTINGS_COOKIE}=`));
  return cookie ? decodeURIComponent(cookie.slice(SETTINGS_COOKIE.length + 1)) : null;
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The settings page's API: the session cookie (not a bearer token) says which tenant and actor;
 * a change also needs the session's anti-forgery token in a header (which another site's form
 * or script cannot set) and, when the browser names it, this service's own Origin.
 */
@Injectable()
export class SettingsSessionGuard implements CanActivate {
  private readonly origin: string;

  constructor(
    private readonly queries: QueryBus,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.origin = config.publicUrl;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<SettingsRequest>();
    const cookie = settingsCookie(req);
    const session = cookie ? await this.queries.execute(new VerifySettingsSessionQuery(cookie)) : null;
    if (!session) {
      throw new ProblemException(
        problem(
          401,
          'settings-session-ended',
          'Settings session ended',
          'This settings session has ended. Open the mail settings from the application again.',
        ),
      );
    }
    if (!SAFE_METHODS.has(req.method)) {
      const origin = req.headers.origin;
      const token = req.headers[CSRF_HEADER];
      if (
        (origin !== undefined && origin !== this.origin) ||
        typeof token !== 'string' ||
        !sameToken(token, session.csrfToken)
      ) {
        throw new ProblemException(
          problem(
            403,
            'forbidden',
            'Forbidden',
            'This change did not come from the settings page; reload the page and try again',
          ),
        );
      }
    }
    req.settingsSession = session;
    // The per-tenant rate limits key on the route's tenant: the session's tenant stands in for it.
    req.params = { ...req.params, tenantId: session.tenantId };
    return true;
  }
}

/** The session the guard accepted. */
export const CurrentSettingsSession = createParamDecorator(
  (_: unknown, context: ExecutionContext): SettingsSession =>
    context.switchToHttp().getRequest<SettingsRequest>().settingsSession!,
);

/** Changes made on the page are recorded with the actor the main application named for the session. */
export const SettingsCtx = createParamDecorator((_: unknown, context: ExecutionContext): CommandContext => {
  const req = context.switchToHttp().getRequest<SettingsRequest>();
  return {
    actor: req.settingsSession!.actor,
    correlationId: req.id ?? 'settings',
    authenticatedAs: 'settings-session',
  };
});
