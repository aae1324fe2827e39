import { SetMetadata } from '@nestjs/common';

/**
 * Who may call a route:
 * - public: nobody needs a token (health, OAuth callback, docs, the dashboard shell)
 * - tenant-write: the main application (for that tenant)
 * - tenant-read: the main application, or support staff (read only)
 * - support: support staff only
 * - any-caller: anyone with a valid token, whatever it is bound to (facts about the deployment, no tenant data)
 */
export type Access = 'public' | 'tenant-write' | 'tenant-read' | 'support' | 'any-caller';
export const ACCESS_KEY = 'access';
export const AccessRule = (access: Access) => SetMetadata(ACCESS_KEY, access);
