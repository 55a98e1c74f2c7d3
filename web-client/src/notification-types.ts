import type { Notification } from '@notification-transport/contract';

/** Maps each notification type the page knows to its payload type, e.g. `{ 'order.updated': { orderId: string } }`. */
export type NotificationTypeMap = Record<string, unknown>;

/** A notification of any type of `M`, discriminated by `type`. */
export type AnyNotification<M extends NotificationTypeMap> = { [K in keyof M & string]: Notification<M[K]> & { type: K } }[keyof M & string];
