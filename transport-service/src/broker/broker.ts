import type { NotificationId } from '@notification-transport/contract';

/** A notification ready to commit for one user; the broker assigns its id. */
export interface NotificationDraft {
  type: string;
  /** The payload, already serialized to JSON once for every recipient. */
  payloadJson: string;
  createdAt: string;
  /** How long it stays recoverable (0: live delivery only). */
  ttlSeconds: number;
  /** The JSON after the id (`notificationSuffix`), when the caller built it once for every recipient. */
  suffix?: string;
  /** Where the broker stored the suffix once for several recipients ({@link SharedContent}); commits reference it. */
  contentKey?: string;
  /** Create a `pending` delivery receipt in the same atomic step, readable by this initiator scope only. */
  receipt?: { scope: string };
}

/** A notification's content stored once for a group of recipients, whose commits then reference it instead of copying it. */
export interface SharedContent {
  /** The recipients whose commits reference this content. */
  readonly userIds: readonly string[];
  /** Bytes storing it sends to the broker. */
  readonly bytes: number;
  /** Stores the content; resolves to the draft these recipients commit. */
  store(): Promise<NotificationDraft>;
}

/** What the broker hands to a user's listener: the notification's id (also parsed) and its PAYLOAD data, encoded once. */
export interface Delivery {
  id: NotificationId;
  /** The id's millisecond part, parsed once per notification (dedupe compares numbers, not strings). */
  ms: number;
  /** The id's sequence part. */
  seq: number;
  /** UTF-8 JSON of the contract's notification shape, shared by every connection of the user. */
  data: Buffer;
}

/** Result of committing one notification for one user. */
export interface Committed {
  id: NotificationId;
  /** A live connection of that user existed somewhere when it was committed. */
  online: boolean;
}

/** An initiator's `Idempotency-Key`, scoped per initiator key, with the hash of the request it first came with. */
export interface IdempotencyClaim {
  scope: string;
  key: string;
  hash: string;
}

/** `new`: first time; `repeat`: same key, same request; `conflict`: same key, another request. */
export type ClaimResult = 'new' | 'repeat' | 'conflict';

/** What the history still holds after an id. */
export interface Replay {
  /** False when the history no longer reaches back to the id (trimmed, expired, or lost with the store). */
  complete: boolean;
  /** Notifications after the id still kept, oldest first. */
  deliveries: Delivery[];
  /** The newest id ever committed for the user, when still known (it outlives the history). */
  newest?: { ms: number; seq: number };
}

/** Called with each notification committed for a user this instance listens to. */
export type DeliveryListener = (userId: string, delivery: Delivery) => void;

/**
 * The seam between accepting a notification and delivering it, keyed by user id everywhere: commits per user (id,
 * bounded history, idempotency record and publish in one atomic step), wakes the instances holding the user's
 * connections, and replays history for recovery. Implementations: `MemoryBroker` (one instance) and `RedisBroker`.
 */
export interface Broker {
  /** Records the request-level idempotency claim, or says whether it repeats or conflicts with an earlier one. */
  claimIdempotency(claim: IdempotencyClaim): Promise<ClaimResult>;
  /**
   * Commits one notification for one user. With `idempotency`, a repeat of an already committed (request, user)
   * returns the original result and commits nothing.
   */
  commit(userId: string, draft: NotificationDraft, idempotency?: IdempotencyClaim): Promise<Committed>;
  /**
   * Plans storing a notification's content once for several recipients (one group per place the content can be
   * shared); empty when commits should carry the content themselves (small content, or a broker that shares it
   * by itself). With `idempotency`, every retry of the request plans the same stored content.
   */
  shareContent(draft: NotificationDraft, userIds: readonly string[], idempotency?: IdempotencyClaim): SharedContent[];
  /** Starts delivering `userId`'s notifications here; resolves once live delivery is guaranteed. */
  subscribe(userId: string): Promise<void>;
  /** Stops delivering `userId`'s notifications here. */
  unsubscribe(userId: string): void;
  /** The notifications after `afterId` still kept for `userId`. */
  replay(userId: string, afterId: NotificationId): Promise<Replay>;
  /** Whether commits can succeed now (readiness). */
  readonly connected: boolean;
  /** Releases everything; idempotent. */
  close(): Promise<void>;
}
