import { createHash, timingSafeEqual } from 'node:crypto';
import { type Caller, type CallerAuthenticator, type CallerTokens } from './caller';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Compares digests in constant time, so neither content nor length leaks through timing. */
export function sameToken(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

export class StaticTokenAuthenticator implements CallerAuthenticator {
  constructor(private readonly tokens: CallerTokens) {}

  async authenticate(token: string): Promise<Caller | null> {
    if (sameToken(token, this.tokens.apiToken)) return { kind: 'application', tenant: null, label: 'main-application' };
    if (sameToken(token, this.tokens.supportToken)) return { kind: 'support', tenant: null, label: 'support' };
    return null;
  }
}
