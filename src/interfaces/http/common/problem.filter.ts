import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { UnknownEventTypeError } from '../../../application/mail-config/event-codec';
import { InvalidCursorError } from '../../../application/mail-config/history.query';
import { CredentialUnavailableError } from '../../../application/ports/cipher.port';
import { DatabaseUnavailableError } from '../../../application/ports/database-unavailable.error';
import { ConcurrencyError, EventStoreUnavailableError } from '../../../application/ports/event-store.port';
import { MailConfigError, MailConfigErrorCode } from '../../../domain/mail-config/mail-config.errors';
import { Problem, problem, ProblemException } from './problem';

const DOMAIN_STATUS: Record<MailConfigErrorCode, [number, string, string]> = {
  NOT_PROVISIONED: [404, 'not-provisioned', 'Not provisioned'],
  USERNAME_CONFLICT: [409, 'username-conflict', 'Username conflict'],
  GMAIL_NOT_AUTHORIZED: [409, 'gmail-not-authorized', 'Gmail not authorized'],
  GMAIL_SCOPE_MISSING: [409, 'gmail-scope-missing', 'Gmail send permission missing'],
  SMTP_NOT_CONFIGURED: [409, 'smtp-not-configured', 'SMTP not configured'],
  SMTP_PASSWORD_REQUIRED: [400, 'validation', 'Invalid request'],
  SMTP_NOT_ACTIVE_MODE: [409, 'smtp-not-active', 'SMTP is not the active mode'],
  TENANT_ERASED: [410, 'tenant-erased', 'Tenant erased'],
};

/** Errors of the body parser (express), recognised by their `type`. */
export function bodyParserProblem(error: { type?: string; status?: number } | undefined | null): Problem | null {
  if (!error || typeof error !== 'object') return null;
  if (error.type === 'entity.too.large')
    return problem(413, 'payload-too-large', 'Payload too large', 'The request body is larger than this route accepts');
  if (error.type === 'entity.parse.failed')
    return problem(400, 'malformed-json', 'Malformed JSON', 'The request body is not valid JSON');
  if (error.type && error.status && error.status < 500)
    return problem(error.status, 'bad-request', 'Bad request', 'The request body could not be read');
  return null;
}

export function toProblem(error: unknown): { problem: Problem; headers: Record<string, string> } {
  if (error instanceof ProblemException) return { problem: error.problem, headers: error.headers };
  if (error instanceof MailConfigError) {
    const [status, slug, title] = DOMAIN_STATUS[error.code];
    const errors = status === 400 && error.field ? [{ field: error.field, message: error.message }] : undefined;
    return {
      problem: problem(status, slug, title, error.message, { code: error.code, ...(errors ? { errors } : {}) }),
      headers: {},
    };
  }
  if (error instanceof ConcurrencyError) {
    return {
      problem: problem(
        409,
        'concurrent-change',
        'Concurrent change',
        'The configuration was changed by another request at the same time; retry',
      ),
      headers: {},
    };
  }
  if (error instanceof EventStoreUnavailableError) {
    return {
      problem: problem(
        503,
        'event-store-unavailable',
        'Event store unavailable',
        'The event store cannot be reached right now; retry shortly',
      ),
      headers: { 'Retry-After': '5' },
    };
  }
  if (error instanceof DatabaseUnavailableError) {
    return {
      problem: problem(
        503,
        'database-unavailable',
        'Database unavailable',
        'The database cannot be reached right now; retry shortly',
      ),
      headers: { 'Retry-After': '5' },
    };
  }
  if (error instanceof CredentialUnavailableError) {
    // A shredded key means the tenant was erased: whichever path noticed first, answer as erasure does.
    if (error.reason === 'shredded')
      return toProblem(new MailConfigError('TENANT_ERASED', 'This tenant’s mail configuration was erased'));
    return {
      problem: problem(409, 'credential-unavailable', 'Credential unavailable', error.message, {
        reason: error.reason,
      }),
      headers: {},
    };
  }
  if (error instanceof UnknownEventTypeError) {
    return {
      problem: problem(
        500,
        'unknown-event-type',
        'Unknown event type',
        `This tenant’s history holds an event of unknown type "${error.eventType}"; commands on it are refused until the service understands it`,
      ),
      headers: {},
    };
  }
  if (error instanceof InvalidCursorError) {
    return {
      problem: problem(400, 'validation', 'Invalid request', error.message, {
        errors: [{ field: 'cursor', message: error.message }],
      }),
      headers: {},
    };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const fromParser = bodyParserProblem(error.cause as never);
    if (fromParser) return { problem: fromParser, headers: {} };
    const title =
      status === 404 ? 'Not found' : status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Error';
    const response = error.getResponse();
    const detail =
      typeof response === 'string' ? response : ((response as { message?: string }).message ?? error.message);
    return { problem: problem(status, title.toLowerCase().replace(/ /g, '-'), title, String(detail)), headers: {} };
  }
  const fromParser = bodyParserProblem(error as never);
  if (fromParser) return { problem: fromParser, headers: {} };
  return {
    problem: problem(500, 'internal', 'Internal error', 'The service failed to handle this request'),
    headers: {},
  };
}

/** The one place that turns errors into problem+json. Nothing below this layer knows HTTP. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const { problem: body, headers } = toProblem(error);
    if (body.status >= 500) this.logger.error({ err: error }, body.detail);
    if (res.headersSent) return;
    res.status(body.status).set(headers).type('application/problem+json').send(JSON.stringify(body));
  }
}
