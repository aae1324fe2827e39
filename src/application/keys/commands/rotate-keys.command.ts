import { Command } from '@nestjs/cqrs';

export interface RotateKeysResult {
  activeKeyId: string;
  rewrapped: number;
  /** Data keys still wrapped by another master key: more than 0 only when the run stopped early. */
  remaining: number;
  /** Master keys no data key needs any more: they may be removed from the key ring. */
  retirableKeyIds: string[];
}

export interface RotateKeysOptions {
  /** Re-wrap at most this many data keys in this run (to spread the work over several runs). */
  stopAfter?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Re-wraps every tenant data key under the active master key; interrupted, it can simply run again. */
export class RotateKeysCommand extends Command<RotateKeysResult> {
  constructor(readonly options: RotateKeysOptions = {}) {
    super();
  }
}
