/** Bearer checks: user sessions (opaque tokens) and the admin token for refunds. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiFailure } from '../errors';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

export function requireAdmin(
  adminToken: string | undefined,
  authorization: string | undefined,
): void {
  if (!adminToken)
    throw new ApiFailure(403, 'FORBIDDEN', 'refunds are disabled: ADMIN_TOKEN is not configured');
  const m = /^Bearer (.+)$/.exec(authorization ?? '');
  if (!m?.[1] || !timingSafeEqual(digest(m[1]), digest(adminToken))) {
    throw new ApiFailure(401, 'UNAUTHORIZED', 'admin token required');
  }
}
