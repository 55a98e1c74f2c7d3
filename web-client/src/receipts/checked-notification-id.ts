import { parseNotificationId, type NotificationId } from '@notification-transport/contract';

/** `id` when it is a notification id; else a `TypeError` naming the method (a bug in the page, not on the wire). */
export function checkedNotificationId(id: unknown, method: string): NotificationId {
  if (typeof id === 'string' && parseNotificationId(id) !== undefined) return id;
  throw new TypeError(`${method}: ${JSON.stringify(id)} is not a notification id like "1700000000000-0"`);
}
