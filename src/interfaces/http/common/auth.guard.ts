import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { Access, ACCESS_KEY } from './access';
import { Caller, CALLER_AUTHENTICATORS, CallerAuthenticator } from './caller';
import { problem, ProblemException } from './problem';

export const SUPPORT_COOKIE = 'mcs_support';

function bearer(req: Request): string | null {
  const header = req.headers.authorization;
  if (header) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return m ? m[1] : null;
  }
  // The dashboard page signs in by setting an HttpOnly cookie, never a token in the URL.
  const cookie = req.headers.cookie
    ?.split(';')
    .map((c) => c.trim())
    .find((c) => c.startsWith(`${SUPPORT_COOKIE}=`));
  if (!cookie) return null;
  try {
    return decodeURIComponent(cookie.slice(SUPPORT_COOKIE.length + 1));
  } catch {
    // A malformed %-escape is no token (401), not a crash (500).
    return null;
  }
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

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(CALLER_AUTHENTICATORS) private readonly authenticators: CallerAuthenticator[],
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access =
      this.reflector.getAllAndOverride<Access>(ACCESS_KEY, [context.getHandler(), context.getClass()]) ??
      'tenant-write';
    if (access === 'public') return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const caller = req[AUTHENTICATED] ?? (await authenticate(req, this.authenticators));
    if (!caller) throw unauthorized();
    const tenantParam = req.params?.tenantId;
    const refusal = permits(caller, access, req.method, typeof tenantParam === 'string' ? tenantParam : undefined);
    if (refusal) throw forbidden(refusal);
    req.caller = caller;
    return true;
  }
}
