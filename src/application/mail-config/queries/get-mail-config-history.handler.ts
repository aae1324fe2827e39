import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { notProvisioned } from '../../../domain/mail-config/mail-config.errors';
import { EVENT_STORE, type EventStore } from '../../ports/event-store.port';
import { type HistoryEntry, type HistoryPage, InvalidCursorError, matchesFilter, toHistoryEntry } from '../history';
import { streamOf } from '../streams';
import { GetMailConfigHistoryQuery } from './get-mail-config-history.query';

const encodeCursor = (version: number) => Buffer.from(`v:${version}`).toString('base64url');
function decodeCursor(cursor: string): number {
  const m = /^v:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  // Bounded so a huge number never reaches the store as an imprecise or out-of-range version.
  if (!m) throw new InvalidCursorError();
  return Number(m[1]);
}

/** Reads the tenant's own stream: the history is exact even while the projections lag. */
@QueryHandler(GetMailConfigHistoryQuery)
export class GetMailConfigHistoryHandler implements IQueryHandler<GetMailConfigHistoryQuery> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ tenantId, filter }: GetMailConfigHistoryQuery): Promise<HistoryPage> {
    const after = filter.cursor ? decodeCursor(filter.cursor) : 0;
    const stream = streamOf(tenantId);
    if (after === 0 && (await this.store.readStream(stream, { maxCount: 1 })).length === 0) throw notProvisioned();
    const events = await this.store.readStream(stream, { fromVersion: after + 1 });
    const page: HistoryEntry[] = [];
    let lastVersion = after;
    for (const e of events) {
      if (page.length === filter.limit) break;
      lastVersion = e.version;
      if (matchesFilter(e, filter)) page.push(toHistoryEntry(e));
    }
    const more = page.length === filter.limit && events[events.length - 1].version > lastVersion;
    return { events: page, nextCursor: more ? encodeCursor(lastVersion) : null };
  }
}
