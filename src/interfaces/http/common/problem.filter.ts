import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { requestLogContext } from '../../../infrastructure/logging/request-logger';
import { CodedError, codedErrorOf, ProblemRow } from './error-problems';
import { Problem, problem, ProblemException } from './problem';

/** A byte count as people read a limit: `10 MiB`, `64 KiB`, else bytes. */
export function sizeOf(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/** Errors of the body parser (express), recognised by their `type`. */
export function bodyParserProblem(
  error: { type?: string; status?: number; limit?: unknown } | undefined | null,
): Problem | null {
  if (!error || typeof error !== 'object') return null;
  if (error.type === 'entity.too.large') {
    // The caller needs the limit to split or shrink the request; body-parser knows it (bytes).
    const limit = typeof error.limit === 'number' && Number.isFinite(error.limit) ? error.limit : null;
    const detail =
      limit === null
        ? 'The request body is larger than this route accepts'
        : `The request body is larger than this route accepts: at most ${sizeOf(limit)} (${limit} bytes)`;
    return problem(413, 'payload-too-large', 'Payload too large', detail, limit === null ? {} : { limitBytes: limit });
  }
  if (error.type === 'entity.parse.failed')
    return problem(400, 'malformed-json', 'Malformed JSON', 'The request body is not valid JSON');
  if (error.type && error.status && error.status < 500)
    return problem(error.status, 'bad-request', 'Bad request', 'The request body could not be read');
  return null;
}

function fromTable(error: CodedError, row: ProblemRow): { problem: Problem; headers: Record<string, string> } {
  // A 400 about one field reads like every other validation problem: the field named, its message in errors.
  const errors = row.status === 400 && error.field ? [{ field: error.field, message: error.message }] : undefined;
  const detail = row.detail ? row.detail(error) : errors ? `Some fields are invalid: ${error.field}` : error.message;
  return {
    problem: problem(row.status, row.slug, row.title, detail, {
      ...(error.details ?? {}),
      code: error.code,
      ...(errors ? { errors } : {}),
    }),
    headers: typeof row.headers === 'function' ? row.headers(error) : (row.headers ?? {}),
  };
}

/** Any error as the problem the caller gets: coded errors through the one table, the framework's by status. */
export function toProblem(error: unknown): { problem: Problem; headers: Record<string, string> } {
  if (error instanceof ProblemException) return { problem: error.problem, headers: error.headers };
  const coded = codedErrorOf(error);
  if (coded) return fromTable(coded.error, coded.row);
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
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const { problem: body, headers } = toProblem(error);
    // The request's id and tenant, as on its request line: no logging scope carries them here.
    if (body.status >= 500) {
      this.logger.error({ ...requestLogContext(http.getRequest<Request>()), err: error }, body.detail);
    }
    if (res.headersSent) return;
    res.status(body.status).set(headers).type('application/problem+json').send(JSON.stringify(body));
  }
}
