export const MAIL_CONFIG_STREAM_PREFIX = 'mailConfig-';
export const streamOf = (tenantId: string) => `${MAIL_CONFIG_STREAM_PREFIX}${tenantId}`;
export const tenantOf = (streamId: string) => streamId.slice(MAIL_CONFIG_STREAM_PREFIX.length);
