import { SetMetadata } from '@nestjs/common';

/**
 * Who may call a route:
 * - public: nobody needs a token (health, OAuth callback, docs, the dashboard shell)
 * - tenant-write: the main application (for that tenant)
 * - tenant-read: the main application, or support staff (read only)
 * - support: support staff only
 */
export type Access = 'public' | 'tenant-write' | 'tenant-read' | 'support';
export const ACCESS_KEY = 'access';
export const AccessRule = (access: Access) => SetMetadata(ACCESS_KEY, access);
