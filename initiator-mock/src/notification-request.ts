import { REST_PATHS, type SendNotificationRequest } from '@notification-transport/contract';
import type { SendOptions } from './send-options.js';

const JSON_CONTENT_TYPE = 'application/json';

/** One HTTP request of a run, ready for `fetch`. */
export interface NotificationRequest {
  url: string;
  headers: Record<string, string>;
  body: SendNotificationRequest;
}

/** The notifications endpoint under `baseUrl`, keeping any path prefix the base URL has. */
export function notificationsUrl(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '') + REST_PATHS.notifications;
}

/** The `Idempotency-Key` of request `index` (1-based): the key itself for a single send, `<key>-<index>` otherwise. */
export function idempotencyKeyFor(key: string, index: number, count: number): string {
  return count > 1 ? `${key}-${index}` : key;
}

/** The body every request of the run carries: `userId` for one user, `userIds` for several. */
export function notificationBody(options: SendOptions): SendNotificationRequest {
  const recipients = options.users.length === 1 ? { userId: options.users[0] } : { userIds: [...options.users] };
  const body: SendNotificationRequest = { ...recipients, type: options.type, payload: options.payload };
  if (options.ttlSeconds !== undefined) body.ttlSeconds = options.ttlSeconds;
  return body;
}

/** Request `index` (1-based) of the run described by `options`. */
export function notificationRequest(options: SendOptions, index: number): NotificationRequest {
  const headers: Record<string, string> = { 'content-type': JSON_CONTENT_TYPE };
  if (options.key !== undefined) headers['idempotency-key'] = idempotencyKeyFor(options.key, index, options.count);
  if (options.apiKey !== undefined) headers.authorization = `Bearer ${options.apiKey}`;
  return { url: notificationsUrl(options.url), headers, body: notificationBody(options) };
}
