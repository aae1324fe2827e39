/** Who and what a command comes from: stored as the metadata of every event it records. */
export interface CommandContext {
  actor: string;
  correlationId: string;
  causationId?: string;
  /**
   * Who the credential says the caller is (`main-application`, `support`, `jwt:<sub>`,
   * `settings-session`), kept beside the caller-chosen actor; absent for the service's own jobs.
   */
  authenticatedAs?: string;
  /**
   * Set on events the service records on its own (actor `system`): what noticed the fact. The
   * metadata field of the same name; absent on events a person or the main application asked for.
   */
  detectedBy?: DetectedBy;
}

/** What noticed a fact the service records by itself. */
export type DetectedBy = 'send' | 'consent-check';

/** The actor of every event the service records on its own. */
export const SYSTEM_ACTOR = 'system';

/**
 * The context of an event the service records by itself while serving `trigger` (a send, a
 * consent check run): actor `system`, what detected it, and the trigger's correlation id both as
 * correlation (the same chain in the audit) and as causation (what led to it). The trigger's
 * actor is not the author: a developer whose send ran into a revoked grant did not revoke it.
 */
export function systemContext(trigger: CommandContext, detectedBy: DetectedBy): CommandContext {
  return {
    actor: SYSTEM_ACTOR,
    correlationId: trigger.correlationId,
    causationId: trigger.correlationId,
    detectedBy,
  };
}
