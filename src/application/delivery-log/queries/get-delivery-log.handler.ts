import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { notProvisioned } from '../../../domain/mail-config/mail-config.errors';
import { InvalidCursorError } from '../../mail-config/history';
import { StateReader } from '../../mail-config/state-reader';
import { DELIVERY_LOG, type DeliveryLog } from '../../ports/delivery-log.port';
import { type DeliveryLogAnswer, GetDeliveryLogQuery } from './get-delivery-log.query';

const encodeCursor = (seq: number) => Buffer.from(`d:${seq}`).toString('base64url');
function decodeCursor(cursor: string): number {
  const m = /^d:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new InvalidCursorError();
  return Number(m[1]);
}

/**
 * An erased tenant answers an empty log (its records went with it); a tenant never provisioned is
 * 404 like every other tenant route.
 */
@QueryHandler(GetDeliveryLogQuery)
export class GetDeliveryLogHandler implements IQueryHandler<GetDeliveryLogQuery> {
  constructor(
    private readonly reader: StateReader,
    @Inject(DELIVERY_LOG) private readonly log: DeliveryLog,
  ) {}

  async execute({ tenantId, filter }: GetDeliveryLogQuery): Promise<DeliveryLogAnswer> {
    const before = filter.cursor === undefined ? undefined : decodeCursor(filter.cursor);
    const { state } = await this.reader.load(tenantId);
    if (state.status === 'unprovisioned') throw notProvisioned();
    const page = await this.log.search(tenantId, { ...filter, before });
    const last = page.records.at(-1);
    return {
      messages: page.records.map(({ seq: _seq, tenantId: _tenant, ...entry }) => entry),
      nextCursor: page.more && last ? encodeCursor(last.seq) : null,
    };
  }
}
