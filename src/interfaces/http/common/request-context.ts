import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { type CommandContext } from '../../../application/common/command-context';
import { agentOf, type Caller } from './caller';
import { validationProblem } from './problem';

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

/**
 * The acting agent of a request — the ONE accessor for CommandContext.actor. A support agent
 * signed in to the dashboard (session cookie) is the actor of everything they do, whatever
 * X-Actor says: the header cannot make their action someone else's. Otherwise X-Actor when
 * given (trimmed, bounded), else the caller's label.
 */
export function actingAgent(req: Request & { caller?: Caller }): string {
  return req.caller?.agent ?? actorFrom(req.headers['x-actor']) ?? req.caller?.label ?? 'anonymous';
}

/** Who the credential says the caller is, kept as event metadata beside the actor. */
function authenticatedAs(caller: Caller | undefined): { authenticatedAs?: string } {
  return caller ? { authenticatedAs: caller.label } : {};
}

/** The CommandContext of a request: its acting agent (see actingAgent) and its request id. */
export const Ctx = createParamDecorator((_: unknown, context: ExecutionContext): CommandContext => {
  const req = context.switchToHttp().getRequest<Request & { id: string; caller?: Caller }>();
  // X-Actor is the caller's word; the credential's identity is kept beside it, never replaced by it.
  return { actor: actingAgent(req), correlationId: req.id, ...authenticatedAs(req.caller) };
});

/**
 * The context of a support action: the actor is the authenticated agent (agentOf), never X-Actor,
 * since a header could name anyone.
 */
export const AgentCtx = createParamDecorator((_: unknown, context: ExecutionContext): CommandContext => {
  const req = context.switchToHttp().getRequest<Request & { id: string; caller?: Caller }>();
  return { actor: agentOf(req.caller), correlationId: req.id, ...authenticatedAs(req.caller) };
});
