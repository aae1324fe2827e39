import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import { AUTHENTICATED, authenticate, type AuthenticatedRequest, unauthorized } from './auth.guard';
import { CALLER_AUTHENTICATORS, type CallerAuthenticator } from './caller';

/**
 * Runs before the parser of a route that accepts large bodies: a caller without a valid token is
 * answered 401 before one byte of its body is read, so nobody unauthenticated can make the
 * service read and parse megabytes. The guard still decides what the authenticated caller may do on the route.
 */
@Injectable()
export class AuthenticateFirstMiddleware implements NestMiddleware {
  constructor(@Inject(CALLER_AUTHENTICATORS) private readonly authenticators: CallerAuthenticator[]) {}

  async use(req: AuthenticatedRequest, _res: Response, next: NextFunction): Promise<void> {
    const caller = await authenticate(req, this.authenticators);
    // Answered at once; what is still coming of the body is discarded by Node unread (never
    // buffered or parsed). Closing instead would reset clients that are still sending.
    if (!caller) return next(unauthorized());
    req[AUTHENTICATED] = caller;
    next();
  }
}
