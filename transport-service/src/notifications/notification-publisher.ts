import { createHash } from 'node:crypto';
import type { SendNotificationResponse } from '@notification-transport/contract';
import type { Broker, NotificationDraft } from '../broker/broker.js';
import { notificationSuffix } from '../broker/encode-notification.js';
import { IdempotencyConflictError } from '../errors/transport-error.js';
import type { SendRequest } from './send-request.js';

/** Observes each notification committed for one user. */
export type AcceptedObserver = (userId: string) => void;

/** An initiator's `Idempotency-Key` and the scope (initiator key) it belongs to. */
export interface IdempotencyKey {
  scope: string;
  key: string;
}

/**
 * Commits one validated request: one notification per distinct user, each with its own id, in request order.
 * With an `Idempotency-Key`, the request is claimed first (a different request under the same key is a 409) and
 * each user's commit is idempotent in the broker's atomic step, so a retry — on any instance, after any failure —
 * completes what is missing and answers the original 202 body.
 */
export class NotificationPublisher {
  constructor(
    private readonly broker: Broker,
    private readonly defaultTtlSeconds: number,
    private readonly onAccepted: AcceptedObserver = () => {},
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Commits the request; rejects (503) when the broker refuses any user's commit. With several users, the others
   * may already be committed: only a retry with the same Idempotency-Key completes such a request exactly once.
   */
  async send(request: SendRequest, idempotencyKey?: IdempotencyKey): Promise<SendNotificationResponse> {
    const claim = idempotencyKey && { ...idempotencyKey, hash: requestHash(request) };
    if (claim && (await this.broker.claimIdempotency(claim)) === 'conflict') {
      throw new IdempotencyConflictError(claim.key);
    }
    const draft: NotificationDraft = {
      type: request.type,
      payloadJson: request.payloadJson,
      createdAt: this.now().toISOString(),
      ttlSeconds: request.ttlSeconds ?? this.defaultTtlSeconds,
    };
    draft.suffix = notificationSuffix(draft);
    // Every user's commit is its own atomic step: they go out together (pipelined to Redis), answered in request order.
    const notifications = await Promise.all(
      request.userIds.map(async (userId) => {
        const { id, online } = await this.broker.commit(userId, draft, claim);
        this.onAccepted(userId);
        return { userId, id, online };
      }),
    );
    return { notifications };
  }
}

/** Requests that mean the same (same users, type, payload and ttl, whatever the JSON spacing) hash the same. */
function requestHash(request: SendRequest): string {
  const canonical = JSON.stringify([request.userIds, request.type, request.payloadJson, request.ttlSeconds ?? null]);
  return createHash('sha256').update(canonical).digest('base64url');
}
