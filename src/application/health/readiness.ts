import { Injectable } from '@nestjs/common';

export interface ReadinessResult {
  ok: boolean;
  detail?: Record<string, unknown>;
}

/** A part of the service that can say whether it is ready (event store, projections, …). */
export type ReadinessCheck = () => Promise<ReadinessResult>;

/** Modules register their checks on init; /health/ready runs them all with a deadline. */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
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
        return [name, result] as const;
      }),
    );
    const checks = Object.fromEntries(entries);
    return { ok: entries.every(([, r]) => r.ok), checks };
  }
}
