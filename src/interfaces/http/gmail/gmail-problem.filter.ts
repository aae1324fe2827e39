import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { GoogleNotConfiguredError, InvalidReturnUrlError } from '../../../application/gmail/gmail-errors';
import { problem, Problem } from '../common/problem';

/** Gmail's own errors as problems; everything else goes on to the global ProblemFilter. */
@Catch(GoogleNotConfiguredError, InvalidReturnUrlError)
export class GmailProblemFilter implements ExceptionFilter {
  catch(error: GoogleNotConfiguredError | InvalidReturnUrlError, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const body: Problem =
      error instanceof GoogleNotConfiguredError
        ? problem(503, 'gmail-not-configured', 'Gmail not configured', error.message, { missing: error.missing })
        : problem(400, 'validation', 'Invalid request', `Some fields are invalid: ${error.field}`, {
            errors: [{ field: error.field, message: error.message }],
          });
    res.status(body.status).type('application/problem+json').send(JSON.stringify(body));
  }
}
