import type { SendNotificationRequest } from '@notification-transport/contract';
import type { SendOptions } from './send-options.js';

/** The `Idempotency-Key` of send `index` (1-based): the key itself for a single send, `<key>-<index>` otherwise. */
export function idempotencyKeyFor(key: string, index: number, count: number): string {
  return count > 1 ? `${key}-${index}` : key;
}

/** The body every send of the run carries: `userId` for one user, `userIds` for several. */
export function notificationBody(options: SendOptions): SendNotificationRequest {
  const recipients = options.users.length === 1 ? { userId: options.users[0] } : { userIds: [...options.users] };
  const body: SendNotificationRequest = { ...recipients, type: options.type, payload: options.payload };
  if (options.ttlSeconds !== undefined) body.ttlSeconds = options.ttlSeconds;
  return body;
}
