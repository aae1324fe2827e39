import { Injectable } from '@nestjs/common';

export interface ReadinessResult {
  ok: boolean;
  /**
   * Set (false) by the registry on a check registered as not required: reported, but its `ok: false`
   * leaves the instance ready (200), since taking it out of the load balancer would not help.
   */
  required?: false;
  detail?: Record<string, unknown>;
}

/** A part of the service that can say whether it is ready (event store, projections, …). */
export type ReadinessCheck = () => Promise<ReadinessResult>;

/** Modules register their checks on init; /health/ready runs them all with a deadline. */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();
  private readonly advisory = new Set<string>();

  /** `required: false`: shown under `checks` like any other, but never makes the instance not ready. */
  register(name: string, check: ReadinessCheck, options: { required?: boolean } = {}): void {
    this.checks.set(name, check);
    if (options.required === false) this.advisory.add(name);
    else this.advisory.delete(name);
  }

  async run(timeoutMs = 2000): Promise<{ ok: boolean; checks: Record<string, ReadinessResult> }> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<ReadinessResult>((resolve) => {
          timer = setTimeout(
            () => resolve({ ok: false, detail: { error: `no answer within ${timeoutMs} ms` } }),
            timeoutMs,
          );
        });
        const result = await Promise.race([
          check().catch((e: Error): ReadinessResult => ({ ok: false, detail: { error: e.message } })),
          timeout,
        ]);
        clearTimeout(timer);
        const shown: ReadinessResult = this.advisory.has(name)
          ? { ok: result.ok, required: false, ...rest(result) }
          : result;
        return [name, shown] as const;
      }),
    );
    const checks = Object.fromEntries(entries);
    return { ok: entries.every(([name, r]) => r.ok || this.advisory.has(name)), checks };
  }
}

const rest = ({ detail }: ReadinessResult) => (detail === undefined ? {} : { detail });
