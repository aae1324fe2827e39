import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { KEY_ROTATION, type KeyRotation, MASTER_KEYS, type MasterKeys } from '../../ports/key-rotation.port';
import { RotateKeysResult, RotateKeysCommand } from './rotate-keys.command';

/** Ends a run from the progress callback, as the rotation port allows. */
class StopRequested extends Error {}

@CommandHandler(RotateKeysCommand)
export class RotateKeysHandler implements ICommandHandler<RotateKeysCommand> {
  constructor(
    @Inject(KEY_ROTATION) private readonly rotation: KeyRotation,
    @Inject(MASTER_KEYS) private readonly keys: MasterKeys,
  ) {}

  async execute({ options: { stopAfter, onProgress } }: RotateKeysCommand): Promise<RotateKeysResult> {
    const activeKeyId = this.keys.activeId;
    let done = 0;
    let total = 0;
    try {
      done = await this.rotation.rotate((n, of) => {
        [done, total] = [n, of];
        onProgress?.(n, of);
        if (stopAfter !== undefined && n >= stopAfter && n < of) throw new StopRequested();
      });
      total = done;
    } catch (error) {
      if (!(error instanceof StopRequested)) throw error;
    }
    const remaining = total - done;
    return {
      activeKeyId,
      rewrapped: done,
      remaining,
      retirableKeyIds: remaining > 0 ? [] : this.keys.ids().filter((id) => id !== activeKeyId),
    };
  }
}
