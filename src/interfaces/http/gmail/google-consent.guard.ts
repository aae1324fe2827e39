import { type CanActivate, createParamDecorator, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { type ConsentReturn, GOOGLE_CONSENT } from '../../../application/ports/google-oauth.port';
import { type PassportGoogleConsent } from '../../../infrastructure/google/google-consent';
import { browserSecretFor } from '../common/consent-cookie';

const CONSENT = Symbol('googleConsent');
type WithConsent = Request & { [CONSENT]?: ConsentReturn };

/**
 * The passport-google-oauth20 strategy on the redirect URI, as a guard: it spends the state,
 * exchanges the code and reads the account, and leaves what came of it on the request for the
 * controller. It never refuses the request: every outcome, a forged state included, ends in a
 * redirect the use case decides. Without Google configured it lets the use case answer 503.
 * Not @nestjs/passport's AuthGuard: that one authenticates through the process-wide passport
 * instance, where strategies are keyed by name, and it turns every failure into a 401.
 */
@Injectable()
export class GoogleConsentGuard implements CanActivate {
  constructor(@Inject(GOOGLE_CONSENT) private readonly consent: PassportGoogleConsent | null) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.consent) return true;
    const req = context.switchToHttp().getRequest<WithConsent>();
    req[CONSENT] = await this.consent.complete(req, browserSecretFor(req, req.query?.state));
    return true;
  }
}

/** What GoogleConsentGuard found; null when no guard ran (Google not configured). */
export const ConsentReturned = createParamDecorator(
  (_: unknown, context: ExecutionContext): ConsentReturn | null =>
    context.switchToHttp().getRequest<WithConsent>()[CONSENT] ?? null,
);
