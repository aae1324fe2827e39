import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ProvisionedUsernames } from '../provisioned-usernames';
import { type DuplicateUsername, FindDuplicateUsernamesQuery } from './find-duplicate-usernames.query';

@QueryHandler(FindDuplicateUsernamesQuery)
export class FindDuplicateUsernamesHandler implements IQueryHandler<FindDuplicateUsernamesQuery> {
  constructor(private readonly provisioned: ProvisionedUsernames) {}

  async execute(): Promise<DuplicateUsername[]> {
    const found = await this.provisioned.duplicates();
    return found.map(({ username, tenants }) => ({
      username,
      tenants: [...tenants]
        .sort((a, b) => (a.provisionedAt < b.provisionedAt ? -1 : a.provisionedAt > b.provisionedAt ? 1 : 0))
        .map(({ tenantId, defaultAddress, provisionedAt, erased }) => ({
          tenantId,
          defaultAddress,
          provisionedAt,
          erased,
        })),
    }));
  }
}
