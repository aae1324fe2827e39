import { type Mode } from '../../domain/mail-config/mail-config.types';
import { type SendFailureCounter } from '../ports/send-failure-counter.port';

/** The one-instance shapes: the count lives in this process (a restart starts it over). */
export class InMemorySendFailureCounter implements SendFailureCounter {
  private readonly consecutive = new Map<string, { mode: Mode; count: number }>();

  async failed(tenantId: string, mode: Mode): Promise<number> {
    const previous = this.consecutive.get(tenantId);
    const count = previous?.mode === mode ? previous.count + 1 : 1;
    this.consecutive.set(tenantId, { mode, count });
    return count;
  }

  async succeeded(tenantId: string): Promise<void> {
    this.consecutive.delete(tenantId);
  }
}
