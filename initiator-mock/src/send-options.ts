import { INITIATOR_DEFAULTS } from '@notification-transport/initiator-sdk';

/** Everything one run of the initiator mock needs: where to send, what to send, how often and how hard to retry. */
export interface SendOptions {
  /** Base URLs of the transport service, e.g. `http://127.0.0.1:8080`; retries move on to the next one. */
  urls: string[];
  /** Recipients: one user is sent as `userId`, several as `userIds`. */
  users: string[];
  /** Notification type. */
  type: string;
  /** Notification payload, any JSON value. */
  payload: unknown;
  /** Number of sequential sends; each waits for the previous one to finish, so per-user order is kept. */
  count: number;
  /** Attempts per send (5xx answers and network errors are retried); 1 turns retrying off. */
  attempts: number;
  /** `Idempotency-Key` header; with `count > 1` the i-th send (1-based) uses `<key>-<i>`. Default: a random key per send. */
  key?: string;
  /** Initiator API key, sent as `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** How long the notification stays recoverable, 0 for live delivery only. */
  ttlSeconds?: number;
}

/** Defaults for the options a caller may leave out. */
export const SEND_DEFAULTS = {
  url: 'http://127.0.0.1:8080',
  type: 'demo.message',
  payload: { text: 'hello' },
  count: 1,
  attempts: INITIATOR_DEFAULTS.maxAttempts,
} as const;
