import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../../application/app-config';
import { SupportSessions } from '../../../infrastructure/support-sessions/support-sessions';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { Access, ACCESS_KEY } from './access';
import { Caller, CALLER_AUTHENTICATORS, CallerAuthenticator } from './caller';
import { problem, ProblemException } from './problem';
import { requireSameOrigin, SUPPORT_COOKIE, supportSessionId } from './support-session-cookie';

export { SUPPORT_COOKIE };

/** The bearer token of the Authorization header; the dashboard's cookie is no bearer token (see AuthGuard). */
function bearer(req: Request): string | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : null;
}

/** Who sent `req`, or null: the first authenticator that recognises its token decides. */
export async function authenticate(req: Request, authenticators: CallerAuthenticator[]): Promise<Caller | null> {
  const token = bearer(req);
  if (!token) return null;
  for (const a of authenticators) {
    const caller = await a.authenticate(token);
    if (caller) return caller;
  }
  return null;
}

/** Set by a middleware that authenticated the request before reading its body (the guard then trusts it). */
export const AUTHENTICATED = Symbol('authenticated caller');
export type AuthenticatedRequest = Request & { caller?: Caller; [AUTHENTICATED]?: Caller };

export const unauthorized = () =>
  new ProblemException(problem(401, 'unauthorized', 'Unauthorized', 'A valid bearer token is required'), {
    'WWW-Authenticate': 'Bearer',
  });
const forbidden = (detail: string) => new ProblemException(problem(403, 'forbidden', 'Forbidden', detail));

export const SUPPORT_BOUND_TO_A_TENANT = 'This token is bound to one tenant; support views show every tenant';

/** Why `caller` may not use this route, or null when it may. */
export function permits(caller: Caller, access: Access, method: string, tenantId: string | undefined): string | null {
  if (access === 'any-caller') return method === 'GET' ? null : 'This route only reads';
  if (access === 'support') {
    if (caller.kind !== 'support') return 'This route is for support staff';
    // Support routes show every tenant: a support token bound to one tenant may not use them.
    return caller.tenant === null ? null : SUPPORT_BOUND_TO_A_TENANT;
  }
  if (caller.kind === 'support' && !(access === 'tenant-read' && method === 'GET')) {
    return 'Support staff may read tenant configuration but not change it';
  }
  // A caller bound to one tenant gets nothing outside it, including routes that name no tenant.
  if (caller.tenant !== null && caller.tenant !== tenantId) return 'This token is not valid for that tenant';
  return null;
}

/**
 * The dashboard's session cookie as a caller: honoured on support routes only, so a browser
 * signed in to the dashboard can never change configuration through the main API, and a cookie
 * holding anything but a live session id (a token, a signed-out session) is nobody.
 */
export async function sessionCaller(
  req: Request,
  sessions: SupportSessions,
  publicUrl: string,
): Promise<Caller | null> {
  const id = supportSessionId(req);
  const session = id ? await sessions.resolve(id) : null;
  if (!session) return null;
  requireSameOrigin(req, publicUrl);
  return { kind: 'support', tenant: null, label: session.identity, agent: session.identity };
}

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(CALLER_AUTHENTICATORS) private readonly authenticators: CallerAuthenticator[],
    private readonly sessions: SupportSessions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access =
      this.reflector.getAllAndOverride<Access>(ACCESS_KEY, [context.getHandler(), context.getClass()]) ??
      'tenant-write';
    if (access === 'public') return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const caller =
      req[AUTHENTICATED] ??
      (req.headers.authorization || access !== 'support'
        ? await authenticate(req, this.authenticators)
        : await sessionCaller(req, this.sessions, this.config.publicUrl));
    if (!caller) throw unauthorized();
    const tenantParam = req.params?.tenantId;
    const refusal = permits(caller, access, req.method, typeof tenantParam === 'string' ? tenantParam : undefined);
    if (refusal) throw forbidden(refusal);
    req.caller = caller;
    return true;
  }
}
