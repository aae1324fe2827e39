import { Inject, Injectable } from '@nestjs/common';
import { Mode } from '../../domain/mail-config/mail-config.types';
import { InvalidCursorError } from '../mail-config/history';
import { READ_MODEL_STORE, ReadModelCounts, ReadModelStore, TenantRow, TenantStatus } from '../ports/read-model.port';
import { ProjectionRunner } from './projection-runner';

export interface DashboardSummary extends ReadModelCounts {
  checkpoint: number;
  lagMs: number;
  skippedEvents: number;
}

export interface TenantListQuery {
  mode?: Mode;
  status?: TenantStatus;
  q?: string;
  limit: number;
  cursor?: string;
}

export interface TenantPage {
  tenants: TenantRow[];
  nextCursor: string | null;
}

const encodeCursor = (tenantId: string) => Buffer.from(`t:${tenantId}`).toString('base64url');
function decodeCursor(cursor: string): string {
  const m = /^t:([A-Za-z0-9_-]{1,64})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new InvalidCursorError();
  return m[1];
}

/** The support dashboard's reads: answered from the projections only, never from the streams. */
@Injectable()
export class DashboardQuery {
  constructor(
    @Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore,
    private readonly runner: ProjectionRunner,
  ) {}

  async summary(): Promise<DashboardSummary> {
    const counts = this.readModels.counts();
    const status = await this.runner.status();
    return {
      ...counts,
      checkpoint: Number(status.checkpoint),
      lagMs: status.lagMs,
      skippedEvents: status.skippedTypes.reduce((n, t) => n + t.count, 0),
    };
  }

  async tenants(query: TenantListQuery): Promise<TenantPage> {
    // One row more than asked tells whether another page exists without a second query.
    const rows = this.readModels.tenants({
      mode: query.mode,
      status: query.status,
      q: query.q?.trim() || undefined,
      afterTenantId: query.cursor ? decodeCursor(query.cursor) : undefined,
      limit: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    return {
      tenants: page,
      nextCursor: rows.length > query.limit ? encodeCursor(page[page.length - 1].tenantId) : null,
    };
  }
}
