import { type Mode } from '../../domain/mail-config/mail-config.types';

/**
 * Consecutive failed sends per tenant, counted wherever the sends happen: one count per tenant
 * across every instance of the service (the failing state itself is in the event stream).
 */
export const SEND_FAILURE_COUNTER = Symbol('SEND_FAILURE_COUNTER');

export interface SendFailureCounter {
  /** One more failed send in `mode` (a failure in another mode starts over at 1); returns the count. */
  failed(tenantId: string, mode: Mode): Promise<number>;
  /** A send went through: the count starts over. */
  succeeded(tenantId: string): Promise<void>;
}
