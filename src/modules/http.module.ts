import { HTTP_LIMITS } from '../interfaces/http/common/limits';
import { DynamicModule, Global, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { APP_CONFIG, AppConfig, type RateLimit } from '../application/app-config';
import { Metrics } from '../infrastructure/metrics/metrics';
import { AuthGuard } from '../interfaces/http/common/auth.guard';
import { AuthenticateFirstMiddleware } from '../interfaces/http/common/authenticate-first.middleware';
import { CALLER_AUTHENTICATORS, CALLER_TOKENS, CallerTokens } from '../interfaces/http/common/caller';
import { HTTP_METRICS } from '../interfaces/http/common/http-metrics.middleware';
import { FailedAuthThrottle, failedAuthThrottleMiddleware } from '../interfaces/http/common/failed-auth-throttle';
import { jsonBody } from '../interfaces/http/common/json-body';
import { JwtAuthenticator } from '../interfaces/http/common/jwt.authenticator';
import { ProblemFilter } from '../interfaces/http/common/problem.filter';
import { StaticTokenAuthenticator } from '../interfaces/http/common/static-token.authenticator';
import { HealthController } from '../interfaces/http/health/health.controller';
import { METRICS_REGISTRY, MetricsRegistry } from '../interfaces/http/health/metrics-registry';
import { SecurityModule } from './security.module';
import { SupportSignInModule } from './support-sign-in.module';

/** What only an HTTP service needs: the bearer tokens it accepts. */
export interface HttpOptions {
  tokens: CallerTokens;
  /** Failed authentications per client address (THROTTLE_FAILED_AUTH); default 20 per 60 s. */
  failedAuthLimit?: RateLimit;
}

/**
 * Everything HTTP shares across features: who a caller is (tokens, JWTs), the global auth guard
 * and problem filter, the per-tenant rate limits, body limits and request ids, request metrics,
 * health and /metrics. Feature modules bring only their controllers.
 */
@Global()
@Module({})
export class HttpModule implements NestModule {
  static register(options: HttpOptions): DynamicModule {
    return {
      module: HttpModule,
      imports: [SecurityModule, SupportSignInModule],
      controllers: [HealthController],
      providers: [
        { provide: CALLER_TOKENS, useValue: options.tokens },
        {
          provide: FailedAuthThrottle,
          useValue: new FailedAuthThrottle(options.failedAuthLimit ?? { limit: 20, windowSeconds: 60 }),
        },
        {
          provide: CALLER_AUTHENTICATORS,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => [
            new StaticTokenAuthenticator(options.tokens),
            ...(config.jwt ? [new JwtAuthenticator(config.jwt)] : []),
          ],
        },
        { provide: HTTP_METRICS, useExisting: Metrics },
        {
          provide: METRICS_REGISTRY,
          inject: [Metrics],
          useFactory: (metrics: Metrics): MetricsRegistry => ({
            contentType: metrics.registry.contentType,
            metrics: () => metrics.registry.metrics(),
          }),
        },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
      exports: [CALLER_TOKENS, CALLER_AUTHENTICATORS, HTTP_METRICS, METRICS_REGISTRY],
    };
  }

  constructor(private readonly failedAuth: FailedAuthThrottle) {}

  configure(consumer: MiddlewareConsumer): void {
    const throttle = failedAuthThrottleMiddleware(this.failedAuth);
    // Messages may carry attachments (10 MiB), read only once the caller is authenticated;
    // every other body is small (64 KiB), and only methods that carry one pay for the parser.
    // A throttled address is refused before either. (Request ids come from the request logger.)
    const withBody = [RequestMethod.POST, RequestMethod.PUT, RequestMethod.PATCH];
    consumer
      .apply(throttle, AuthenticateFirstMiddleware, jsonBody(HTTP_LIMITS.sendBodyBytes))
      .forRoutes('v1/tenants/:tenantId/messages')
      .apply(throttle)
      .forRoutes('*path')
      .apply(jsonBody(HTTP_LIMITS.bodyBytes))
      .forRoutes(...withBody.map((method) => ({ path: '*path', method })));
  }
}
