import type { NotificationId } from './notification-id.js';

/** One notification as it travels in the data of a PAYLOAD frame (UTF-8 JSON). */
export interface Notification<P = unknown> {
  id: NotificationId;
  type: string;
  payload: P;
  /** ISO-8601 time the service accepted it. */
  createdAt: string;
  /** Present (true) when the initiator asked for a delivery receipt: the client confirms it on the `receipt` route. */
  receipt?: true;
}

/** Control messages share the stream with notifications; their type starts with `$`. */
export const CONTROL_TYPE_PREFIX = '$';
/** Sent once, first, when a stream's `lastEventId` lies beyond the kept history. */
export const RECOVERY_INCOMPLETE_TYPE = '$recovery.incomplete';

/** The control message announcing that history no longer reaches back to `lastEventId`. */
export interface RecoveryIncomplete {
  id: null;
  type: typeof RECOVERY_INCOMPLETE_TYPE;
  payload: Record<string, unknown>;
  createdAt: string;
}

/** Data of a REQUEST_STREAM on the `notifications` route (or empty). */
export interface NotificationsStreamRequest {
  lastEventId?: NotificationId;
}

/** `POST /api/v1/notifications` body. Exactly one of `userId` and `userIds`. */
export interface SendNotificationRequest<P = unknown> {
  userId?: string;
  userIds?: string[];
  type: string;
  payload: P;
  /** How long the notification stays recoverable, 0 for live delivery only. */
  ttlSeconds?: number;
  /** Ask for a delivery receipt per recipient (`GET .../{userId}/{id}/receipt`, the receipt webhook). */
  receipt?: boolean;
}

/** One entry of the 202 body, per distinct user, in request order. */
export interface AcceptedNotification {
  userId: string;
  id: NotificationId;
  /** A live connection of that user existed on some instance when the notification was committed. */
  online: boolean;
}

/** `202 Accepted` body of `POST /api/v1/notifications`. */
export interface SendNotificationResponse {
  notifications: AcceptedNotification[];
}

/** Bounds of the REST request. */
export const SEND_LIMITS = {
  maxUserIds: 1000,
  maxTtlSeconds: 86_400,
  maxIdempotencyKeyLength: 200,
} as const;
