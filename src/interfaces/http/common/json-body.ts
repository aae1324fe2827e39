import { json } from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { bodyParserProblem } from './problem.filter';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth';
import { problem, ProblemException } from './problem';

const tooDeep = () =>
  problem(400, 'bad-request', 'Bad request', `The request body nests deeper than ${MAX_JSON_DEPTH} levels`);

/**
 * express.json with its errors answered as our problems. Left alone, Nest turns a JSON syntax
 * error into a 400 carrying V8's message, and that message quotes the body around the error,
 * which can be a password.
 */
export function jsonBody(limitBytes: number): RequestHandler {
  const parse = json({
    limit: limitBytes,
    verify: (_req, _res, raw) => {
      if (nestsDeeperThan(raw, MAX_JSON_DEPTH)) throw new ProblemException(tooDeep());
    },
  });
  return (req: Request, res: Response, next: NextFunction) =>
    parse(req, res, (error?: unknown) => {
      if (!error) return next();
      // A fresh problem: body-parser hangs the raw body on the error it wraps.
      if (error instanceof ProblemException) return next(new ProblemException(error.problem));
      const known = bodyParserProblem(error as never);
      next(
        new ProblemException(known ?? problem(400, 'bad-request', 'Bad request', 'The request body could not be read')),
      );
    });
}
