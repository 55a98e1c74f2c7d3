import type { Delivery } from './broker.js';
import { deliveryFromData, encodeNotificationBytes, toDelivery } from './encode-notification.js';

/** Bytes of shared content an instance keeps after reading it, for the next messages that reference it. */
const CACHE_BYTES = 32 * 1_048_576;
const OPEN_BRACE = 0x7b;

/**
 * Turns the messages of users' channels into deliveries, in each user's order. A message is either the encoded
 * notification (`{"id":…`) or `<id> <content key>` for a request to several users: the content is then read from
 * the store once per instance (later messages naming it find it here) and the notification built around it. While a
 * user has a message waiting for its content, the user's later messages queue behind it; other users' do not.
 */
export class SharedContentReader {
  private readonly waiting = new Map<string, Promise<void>>();
  private readonly cache = new Map<string, Promise<Buffer>>();
  private readonly sizes = new Map<string, number>();
  private cachedBytes = 0;

  constructor(
    /** Reads a content key; resolves to null when it is gone. */
    private readonly read: (key: string) => Promise<Buffer | null>,
    private readonly deliver: (userId: string, delivery: Delivery) => void,
    /** A message whose content could not be read: its user missed a notification and must recover from history. */
    private readonly onLost: (userId: string, error: unknown) => void,
  ) {}

  /** Hands one channel message of `userId` on, at once when nothing of the user's waits and it carries its JSON. */
  receive(userId: string, message: Buffer): void {
    const before = this.waiting.get(userId);
    if (before === undefined && message[0] === OPEN_BRACE) {
      this.deliver(userId, deliveryFromData(message));
      return;
    }
    const next: Promise<void> = (before ?? Promise.resolve())
      .then(() => this.decode(message))
      .then(
        (delivery) => this.deliver(userId, delivery),
        (error: unknown) => this.onLost(userId, error),
      )
      .then(() => {
        if (this.waiting.get(userId) === next) this.waiting.delete(userId);
      });
    this.waiting.set(userId, next);
  }

  private async decode(message: Buffer): Promise<Delivery> {
    if (message[0] === OPEN_BRACE) return deliveryFromData(message);
    const space = message.indexOf(0x20);
    if (space < 0) throw new Error('message is neither an encoded notification nor a content reference');
    const id = message.toString('latin1', 0, space);
    const suffix = await this.content(message.toString('utf8', space + 1));
    return toDelivery(id, encodeNotificationBytes(id, suffix));
  }

  private content(key: string): Promise<Buffer> {
    const cached = this.cache.get(key);
    if (cached) return cached;
    const reading = this.read(key).then((content) => {
      if (content === null) throw new Error(`shared content ${key} is gone`);
      this.remember(key, content.length);
      return content;
    });
    reading.catch(() => this.forget(key));
    this.cache.set(key, reading);
    return reading;
  }

  /** Keeps what was read while the cache is within its bound, dropping the oldest first (never the newest). */
  private remember(key: string, bytes: number): void {
    if (!this.cache.has(key)) return;
    this.sizes.set(key, bytes);
    this.cachedBytes += bytes;
    for (const oldest of this.cache.keys()) {
      if (this.cachedBytes <= CACHE_BYTES || oldest === key) break;
      this.forget(oldest);
    }
  }

  private forget(key: string): void {
    this.cache.delete(key);
    this.cachedBytes -= this.sizes.get(key) ?? 0;
    this.sizes.delete(key);
  }
}
