import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { assignRequestId } from '../../../infrastructure/logging/logger-options';
import { CommandContext } from '../../../application/mail-config/command-handler';
import { Caller } from './caller';

/** Runs where the request logger did not (routes excluded from it): the same id rules. */
export function requestIdMiddleware(req: Request, res: Response, next: NextFunction): void {
  assignRequestId(req as Request & { id?: string }, res);
  next();
}

/** Who is behind a command: X-Actor when given (trimmed, bounded), else the caller's label. */
export const Ctx = createParamDecorator((_: unknown, context: ExecutionContext): CommandContext => {
  const req = context.switchToHttp().getRequest<Request & { id: string; caller?: Caller }>();
  const actorHeader = req.headers['x-actor'];
  const actor = typeof actorHeader === 'string' && actorHeader.trim() ? actorHeader.trim().slice(0, 200) : req.caller?.label ?? 'anonymous';
  return { actor, correlationId: req.id };
});
