import { randomUUID } from 'node:crypto';
import { type Clock } from '../../application/ports/clock.port';
import { type IdGenerator } from '../../application/ports/id.port';

export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
}

export class RandomIds implements IdGenerator {
  next(): string {
    return randomUUID();
  }
}
