import { compareNotificationIds, type Notification, type NotificationId } from '@notification-transport/contract';

/** What a tab can hand another that is behind it: the notifications after an id, and whether that is all of them. */
export interface CatchUp {
  notifications: Notification[];
  /** False when some of the notifications after the id were already dropped from memory (or never seen here). */
  complete: boolean;
}

/** Bounds of {@link RecentNotifications}: the server keeps a user's last 100 by default, so 256 reaches further. */
export const RECENT_LIMITS = { count: 256, chars: 1_048_576 } as const;

/**
 * The notifications this tab delivered most recently, in id order, bounded by count and by size (JSON characters), so
 * a tab that takes over the shared connection can bring a tab that is behind it up to date without asking the server.
 */
export class RecentNotifications {
  private readonly entries: Array<{ notification: Notification; chars: number }> = [];
  private chars = 0;

  constructor(private readonly limits: { count: number; chars: number } = RECENT_LIMITS) {}

  /** Keeps `notification` (delivered just now, so after every kept one), dropping the oldest beyond the bounds. */
  add(notification: Notification): void {
    const chars = JSON.stringify(notification).length;
    this.entries.push({ notification, chars });
    this.chars += chars;
    while (this.entries.length > 1 && (this.entries.length > this.limits.count || this.chars > this.limits.chars)) {
      this.chars -= this.entries.shift()?.chars ?? 0;
    }
  }

  /** Everything kept, oldest first: for a tab of the group that was never given any notification. */
  all(): Notification[] {
    return this.entries.map((entry) => entry.notification);
  }

  /**
   * Everything after `id` for a tab whose last notification was `id`, given this tab's own last delivered id. Complete
   * when the tab is not behind, or when the oldest kept notification is at or before `id` (nothing in between dropped).
   */
  after(id: NotificationId, lastDelivered: NotificationId | undefined): CatchUp {
    if (lastDelivered === undefined || compareNotificationIds(id, lastDelivered) >= 0) return { notifications: [], complete: true };
    const oldest = this.entries[0]?.notification.id;
    return {
      notifications: this.entries.filter((entry) => compareNotificationIds(entry.notification.id, id) > 0).map((entry) => entry.notification),
      complete: oldest !== undefined && compareNotificationIds(oldest, id) <= 0,
    };
  }
}
