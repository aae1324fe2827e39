import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { assignRequestId } from '../../../infrastructure/logging/logger-options';
import { type CommandContext } from '../../../application/common/command-context';
import { type Caller } from './caller';
import { validationProblem } from './problem';

/** Runs where the request logger did not (routes excluded from it): the same id rules. */
export function requestIdMiddleware(req: Request, res: Response, next: NextFunction): void {
  assignRequestId(req as Request & { id?: string }, res);
  next();
}

// Format characters (\p{Cf}) include the bidi overrides that make an actor read as someone else.
const CONTROL = /[\x00-\x1f\x7f-\x9f\u2028\u2029\p{Cf}]/u;

/**
 * X-Actor as the client meant it: Node hands header bytes over as latin1, so UTF-8 names are
 * decoded again. Control characters (C0, DEL, C1, line separators) would forge lines in logs
 * and audit views, so such an actor is refused rather than stored.
 */
function actorFrom(header: string | string[] | undefined): string | null {
  if (typeof header !== 'string' || !header.trim()) return null;
  const bytes = Buffer.from(header.trim(), 'latin1');
  const actor = bytes.toString('utf8');
  if (CONTROL.test(actor) || !Buffer.from(actor, 'utf8').equals(bytes)) {
    throw validationProblem([
      { field: 'X-Actor', message: 'X-Actor must be UTF-8 text without control or format characters' },
    ]);
  }
  return actor.slice(0, 200);
}

/** Who is behind a command: X-Actor when given (trimmed, bounded), else the caller's label. */
export const Ctx = createParamDecorator((_: unknown, context: ExecutionContext): CommandContext => {
  const req = context.switchToHttp().getRequest<Request & { id: string; caller?: Caller }>();
  const actor = actorFrom(req.headers['x-actor']) ?? req.caller?.label ?? 'anonymous';
  // X-Actor is the caller's word; the credential's identity is kept beside it, never replaced by it.
  return { actor, correlationId: req.id, ...(req.caller ? { authenticatedAs: req.caller.label } : {}) };
});
