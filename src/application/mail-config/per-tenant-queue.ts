/**
 * Runs work for one key at a time, in arrival order; different keys run side by side.
 *
 * DecideAndAppend queues commands by tenant, so commands on one tenant in this process do not
 * race each other into version conflicts (forty concurrent updates would otherwise collide in
 * lockstep whenever a round trip to the store takes milliseconds, as with EventStoreDB). The
 * expected-version check still guards against other processes. A caller that waits longer than
 * `maxWaitMs` for its turn gives up with the error `tooLong` makes, so a store that hangs does
 * not pile up work that would run long after its callers stopped waiting.
 */
export class PerTenantQueue {
  private readonly tails = new Map<string, Promise<void>>();

  constructor(private readonly maxWaitMs: number) {}

  async run<T>(key: string, work: () => Promise<T>, tooLong: () => Error): Promise<T> {
    const previous = this.tails.get(key);
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    // Whoever comes next waits for this caller and, through it, for everyone before it, even if
    // this caller gave up waiting.
    const tail = previous ? previous.then(() => done) : done;
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    try {
      if (previous) await waitAtMost(previous, this.maxWaitMs, tooLong);
      return await work();
    } finally {
      release();
    }
  }

  /** Keys with work running or waiting (for tests). */
  get busy(): number {
    return this.tails.size;
  }
}

function waitAtMost(turn: Promise<void>, ms: number, tooLong: () => Error): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(tooLong()), ms);
  });
  return Promise.race([turn, timeout]).finally(() => clearTimeout(timer));
}
