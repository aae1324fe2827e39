import { PassportStrategy } from '@nestjs/passport';
import { Passport, type PassportStatic } from 'passport';
import { ExtractJwt, Strategy, type StrategyOptionsWithoutRequest } from 'passport-jwt';
import { type JwtConfig } from '../../../application/app-config';
import { type Caller, type CallerAuthenticator } from './caller';
import { TENANT_ID } from './tenant-id.pipe';

const STRATEGY = 'mcs-jwt';
/** Three base64url segments: anything else is not worth a signature check. */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export interface MainApplicationClaims {
  sub?: unknown;
  tenant?: unknown;
  role?: unknown;
  exp?: unknown;
  iat?: unknown;
}

/** Clocks of the main application and this service may disagree by this much. */
export const CLOCK_SKEW_SECONDS = 60;

/**
 * A token must say when it ends, may not claim a life longer than JWT_MAX_AGE, and may not have
 * been issued in the future: a leaked token then stops working by itself.
 */
export function lifetimeAcceptable(claims: MainApplicationClaims, maxAgeSeconds: number, nowSeconds: number): boolean {
  if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) return false;
  if (claims.iat !== undefined && (typeof claims.iat !== 'number' || !Number.isFinite(claims.iat))) return false;
  const issued = typeof claims.iat === 'number' ? claims.iat : nowSeconds;
  if (issued > nowSeconds + CLOCK_SKEW_SECONDS) return false;
  return claims.exp - issued <= maxAgeSeconds + CLOCK_SKEW_SECONDS;
}

/**
 * What a verified token grants. A `tenant` claim restricts the caller to that tenant; `role:
 * support` makes it support staff. A token naming neither grants nothing, so it is refused
 * like an unknown token rather than read as an unrestricted main-application caller.
 */
export function callerFromClaims(claims: MainApplicationClaims): Caller | false {
  const tenant = claims.tenant;
  if (tenant !== undefined && (typeof tenant !== 'string' || !TENANT_ID.test(tenant))) return false;
  const subject = typeof claims.sub === 'string' ? claims.sub.replace(/[^\x20-\x7e]/g, '').slice(0, 120) : '';
  const label = subject ? `jwt:${subject}` : 'jwt';
  if (claims.role === 'support') return { kind: 'support', tenant: tenant ?? null, label };
  if (typeof tenant === 'string') return { kind: 'application', tenant, label };
  return false;
}

/**
 * The passport-jwt strategy through @nestjs/passport's mixin, registered with a Passport instance
 * of its own: the global one is keyed by name, and two services in one process (tests) would
 * otherwise verify with each other's keys.
 */
function jwtStrategy(passport: PassportStatic, config: JwtConfig) {
  const options: StrategyOptionsWithoutRequest = {
    jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
    secretOrKey: config.key,
    // Pinned: a token cannot pick its own algorithm ("none", or HS256 keyed with our public key).
    algorithms: [config.algorithm],
    ...(config.issuer ? { issuer: config.issuer } : {}),
    ...(config.audience ? { audience: config.audience } : {}),
    ignoreExpiration: false,
    jsonWebTokenOptions: { clockTolerance: CLOCK_SKEW_SECONDS },
  };
  class MainApplicationJwtStrategy extends PassportStrategy(Strategy, STRATEGY) {
    constructor() {
      super(options);
    }

    getPassportInstance(): PassportStatic {
      return passport;
    }

    validate(claims: MainApplicationClaims): Caller | false {
      if (!lifetimeAcceptable(claims, config.maxAgeSeconds, Date.now() / 1000)) return false;
      return callerFromClaims(claims);
    }
  }
  return new MainApplicationJwtStrategy();
}

/** Bearer JWTs signed by the main application. Neither the token nor why it failed is logged. */
export class JwtAuthenticator implements CallerAuthenticator {
  private readonly passport = new Passport() as unknown as PassportStatic;

  constructor(config: JwtConfig) {
    jwtStrategy(this.passport, config);
  }

  authenticate(token: string): Promise<Caller | null> {
    if (!JWT_SHAPE.test(token)) return Promise.resolve(null);
    const req = { headers: { authorization: `Bearer ${token}` } };
    return new Promise((resolve) => {
      const middleware = this.passport.authenticate(
        STRATEGY,
        { session: false },
        (error: unknown, caller: Caller | false) => resolve(error || !caller ? null : caller),
      );
      middleware(req, {}, () => resolve(null));
    });
  }
}
