import type { NotificationId } from '@notification-transport/contract';

/** A set of notification ids that keeps insertion order and forgets the oldest beyond `limit`. */
export class BoundedIdSet {
  private readonly ids = new Set<NotificationId>();

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.ids.size;
  }

  has(id: NotificationId): boolean {
    return this.ids.has(id);
  }

  /** Adds `id` (a repeat changes nothing); returns the ids forgotten to stay within the limit. */
  add(id: NotificationId): NotificationId[] {
    this.ids.add(id);
    const forgotten: NotificationId[] = [];
    for (const oldest of this.ids) {
      if (this.ids.size <= this.limit) break;
      this.ids.delete(oldest);
      forgotten.push(oldest);
    }
    return forgotten;
  }

  delete(id: NotificationId): boolean {
    return this.ids.delete(id);
  }

  /** The ids, oldest first. */
  values(): NotificationId[] {
    return [...this.ids];
  }

  clear(): void {
    this.ids.clear();
  }
}
