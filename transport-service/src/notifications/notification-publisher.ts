import { createHash } from 'node:crypto';
import type { SendNotificationResponse } from '@notification-transport/contract';
import type { Broker, Committed, NotificationDraft, SharedContent } from '../broker/broker.js';
import { notificationSuffix } from '../broker/encode-notification.js';
import { FanoutTooLargeError, IdempotencyConflictError } from '../errors/transport-error.js';
import { CommitScheduler } from './commit-scheduler.js';
import { isoClock } from './iso-clock.js';
import type { SendRequest } from './send-request.js';

/** Observes each notification committed for one user. */
export type AcceptedObserver = (userId: string, receipt: boolean) => void;

/** An initiator's `Idempotency-Key` and the scope (initiator key) it belongs to. */
export interface IdempotencyKey {
  scope: string;
  key: string;
}

/** What one publisher needs besides the broker. */
export interface PublisherOptions {
  /** Recoverability of a notification whose request names no `ttlSeconds`. */
  defaultTtlSeconds: number;
  /** Largest recipients × notification bytes one request may cost (`MAX_FANOUT_BYTES`). */
  maxFanoutBytes: number;
  /** Shared by every publisher of the instance: the one window to the broker. */
  scheduler?: CommitScheduler;
  onAccepted?: AcceptedObserver;
  /** The time a notification is accepted (`createdAt`), ISO-8601 UTC with milliseconds. */
  clock?: () => string;
}

/** What a commit sends to the broker besides the content: keys, arguments, framing. */
const COMMIT_OVERHEAD_BYTES = 256;

/**
 * Commits one validated request: one notification per distinct user, each with its own id, in request order.
 * A request over `MAX_FANOUT_BYTES` is refused before anything is claimed or committed. With an
 * `Idempotency-Key`, the request is claimed first (a different request under the same key is a 409) and each
 * user's commit is idempotent in the broker's atomic step, so a retry — on any instance, after any failure —
 * completes what is missing and answers the original 202 body. Content for several users is stored once where the
 * broker can share it, and every store and commit goes through the instance's commit window, fair across requests.
 */
export class NotificationPublisher {
  private readonly scheduler: CommitScheduler;
  private readonly onAccepted: AcceptedObserver;
  private readonly clock: () => string;

  constructor(
    private readonly broker: Broker,
    private readonly options: PublisherOptions,
  ) {
    this.scheduler = options.scheduler ?? new CommitScheduler();
    this.onAccepted = options.onAccepted ?? (() => {});
    this.clock = options.clock ?? isoClock();
  }

  /**
   * Commits the request (with a receipt per user when asked, readable by `scope`); rejects (503) when the broker
   * refuses any user's commit. With several users, the others may already be committed: only a retry with the same
   * Idempotency-Key completes such a request exactly once.
   */
  async send(request: SendRequest, idempotencyKey?: IdempotencyKey, scope = idempotencyKey?.scope ?? 'open'): Promise<SendNotificationResponse> {
    const draft: NotificationDraft = {
      type: request.type,
      payloadJson: request.payloadJson,
      createdAt: this.clock(),
      ttlSeconds: request.ttlSeconds ?? this.options.defaultTtlSeconds,
    };
    // A receipt is readable by the initiator scope that asked for it only.
    if (request.receipt === true) draft.receipt = { scope };
    const suffix = notificationSuffix(draft);
    draft.suffix = suffix;
    const { userIds } = request;
    if (userIds.length > 1) this.refuseOverLimit(userIds.length, Buffer.byteLength(suffix));
    const claim = idempotencyKey && { ...idempotencyKey, hash: requestHash(request) };
    if (claim && (await this.broker.claimIdempotency(claim)) === 'conflict') {
      throw new IdempotencyConflictError(claim.key);
    }
    const draftFor = userIds.length > 1 ? await this.storeShared(this.broker.shareContent(draft, userIds, claim)) : undefined;
    const committed = await this.scheduler.run(
      userIds,
      (userId) => commitBytes(draftFor?.get(userId) ?? draft),
      (userId) =>
        this.broker.commit(userId, draftFor?.get(userId) ?? draft, claim).then((result: Committed) => {
          this.onAccepted(userId, request.receipt === true);
          return result;
        }),
    );
    return { notifications: committed.map(({ id, online }, i) => ({ userId: userIds[i] as string, id, online })) };
  }

  private refuseOverLimit(recipients: number, notificationBytes: number): void {
    if (recipients * notificationBytes > this.options.maxFanoutBytes) {
      throw new FanoutTooLargeError(recipients, notificationBytes, this.options.maxFanoutBytes);
    }
  }

  /** Stores each shared content once (through the window); maps each of its recipients to the draft they commit. */
  private async storeShared(shares: SharedContent[]): Promise<Map<string, NotificationDraft> | undefined> {
    if (shares.length === 0) return undefined;
    const drafts = await this.scheduler.run(shares, (share) => share.bytes, (share) => share.store());
    const draftFor = new Map<string, NotificationDraft>();
    shares.forEach((share, i) => {
      for (const userId of share.userIds) draftFor.set(userId, drafts[i] as NotificationDraft);
    });
    return draftFor;
  }
}

/** Bytes one commit sends to the broker: the content itself unless it references content stored once. */
function commitBytes(draft: NotificationDraft): number {
  return draft.contentKey === undefined ? (draft.suffix?.length ?? 0) + COMMIT_OVERHEAD_BYTES : COMMIT_OVERHEAD_BYTES;
}

/** Requests that mean the same (same users, type, payload and ttl, whatever the JSON spacing) hash the same. */
function requestHash(request: SendRequest): string {
  const canonical = JSON.stringify([request.userIds, request.type, request.payloadJson, request.ttlSeconds ?? null, ...(request.receipt ? [true] : [])]);
  return createHash('sha256').update(canonical).digest('base64url');
}
