import { MAIL_CONFIG_STREAM_PREFIX } from '../common/stream-categories';

export { MAIL_CONFIG_STREAM_PREFIX };
export const streamOf = (tenantId: string) => `${MAIL_CONFIG_STREAM_PREFIX}${tenantId}`;
export const tenantOf = (streamId: string) => streamId.slice(MAIL_CONFIG_STREAM_PREFIX.length);
