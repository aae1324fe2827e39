import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { APP_CONFIG, type AppConfig } from '../../app-config';
import { type Capabilities, GetCapabilitiesQuery, type ModeCapability } from './get-capabilities.query';

const offered = (missing: string[], what: string): ModeCapability =>
  missing.length === 0
    ? { available: true, reason: null }
    : { available: false, reason: `${what} is not set up on this deployment (${missing.join(', ')} unset)` };

/** Read off the configuration the service started with: the same facts the modes' 503s are based on. */
@QueryHandler(GetCapabilitiesQuery)
export class GetCapabilitiesHandler implements IQueryHandler<GetCapabilitiesQuery> {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  execute(): Promise<Capabilities> {
    const { config } = this;
    return Promise.resolve({
      modes: {
        default: {
          available: true,
          reason: null,
          delivery: config.defaultRelayUrl ? 'relay' : 'outbox',
          domain: config.defaultSenderDomain,
        },
        gmail: offered(config.google ? [] : config.googleMissing, 'Gmail'),
        microsoft: offered(config.microsoft ? [] : config.microsoftMissing, 'Microsoft 365'),
        smtp: {
          available: true,
          reason: null,
          allowedPorts: [...config.smtpAllowedPorts],
          security: ['starttls', 'tls', 'none'],
        },
      },
      rateLimits: { ...config.rateLimits },
    });
  }
}
