/** One budget for a whole operation: every stage gets its own limit, capped by what is left. */
export class Deadline {
  private readonly endsAt: number;

  constructor(
    budgetMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.endsAt = now() + budgetMs;
  }

  remaining(): number {
    return Math.max(0, this.endsAt - this.now());
  }

  /** The stage's own limit, or what is left of the budget when that is less (at least 1 ms). */
  limit(stageMs: number): number {
    return Math.max(1, Math.min(stageMs, this.remaining()));
  }
}

export const seconds = (ms: number) => `${Math.max(1, Math.round(ms / 1000))} s`;
