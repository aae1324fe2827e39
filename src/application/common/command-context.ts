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
}
