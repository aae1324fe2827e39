/** Who and what a command comes from: stored as the metadata of every event it records. */
export interface CommandContext {
  actor: string;
  correlationId: string;
  causationId?: string;
}
