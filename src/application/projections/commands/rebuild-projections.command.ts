import { Command } from '@nestjs/cqrs';
import { type RebuildProgress, type RebuildResult } from '../rebuild';

export type RebuildProjectionsResult = RebuildResult & { durationMs: number };

/**
 * Empties the read models and replays every event into them. Safe while the service runs: its
 * projection runner notices the new generation and continues from the rebuilt checkpoint.
 */
export class RebuildProjectionsCommand extends Command<RebuildProjectionsResult> {
  constructor(readonly onProgress?: (progress: RebuildProgress) => void) {
    super();
  }
}
