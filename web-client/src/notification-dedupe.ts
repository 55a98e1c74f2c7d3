import { compareNotificationIds, CONTROL_TYPE_PREFIX, type NotificationId } from '@notification-transport/contract';

/**
 * Remembers the last notification id delivered to the page, across reconnects, so an id is never delivered twice
 * even if a stream reopened with `lastEventId` repeated one. Control messages (`$…`) carry no id and always pass.
 */
export class NotificationDedupe {
  constructor(private last?: NotificationId) {}

  /** The id of the last notification accepted: what a reopened stream sends as `lastEventId`. */
  get lastId(): NotificationId | undefined {
    return this.last;
  }

  /** True (and remembers the id) when the message is new or a control message; false for an id already delivered. */
  accept(message: { id: NotificationId | null; type: string }): boolean {
    if (message.type.startsWith(CONTROL_TYPE_PREFIX)) return true;
    if (message.id === null) return false;
    if (this.last !== undefined && compareNotificationIds(message.id, this.last) <= 0) return false;
    this.last = message.id;
    return true;
  }
}
