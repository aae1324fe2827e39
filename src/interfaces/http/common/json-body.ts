import { json } from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { bodyParserProblem } from './problem.filter';
import { problem, ProblemException } from './problem';

/**
 * express.json with its errors answered as our problems. Left alone, Nest turns a JSON syntax
 * error into a 400 carrying V8's message, and that message quotes the body around the error,
 * which can be a password.
 */
export function jsonBody(limit: string): RequestHandler {
  const parse = json({ limit });
  return (req: Request, res: Response, next: NextFunction) =>
    parse(req, res, (error?: unknown) => {
      if (!error) return next();
      const known = bodyParserProblem(error as never);
      next(
        new ProblemException(known ?? problem(400, 'bad-request', 'Bad request', 'The request body could not be read')),
      );
    });
}
