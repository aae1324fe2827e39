import { type ParsedMail, simpleParser } from 'mailparser';
import { type Readable } from 'node:stream';

export interface Delivery {
  envelope: { from: string; to: string[] };
  raw: Buffer;
  mail: ParsedMail;
}

/** What a loopback peer received, parsed with mailparser so tests assert on real messages. */
export class Inbox {
  readonly deliveries: Delivery[] = [];
  private waiters: Array<() => void> = [];

  async receive(stream: Readable, envelope: Delivery['envelope']): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    this.deliveries.push({ envelope, raw, mail: await simpleParser(raw) });
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Resolves once `count` messages arrived; fails after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 5000): Promise<Delivery[]> {
    const until = Date.now() + timeoutMs;
    while (this.deliveries.length < count) {
      const left = until - Date.now();
      if (left <= 0) throw new Error(`expected ${count} deliveries, got ${this.deliveries.length}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.deliveries;
  }

  raws(): string {
    return this.deliveries.map((d) => d.raw.toString('utf8')).join('\n');
  }
}
