/** Everything one run of the initiator mock needs: where to send, what to send and how often. */
export interface SendOptions {
  /** Base URL of the transport service, e.g. `http://127.0.0.1:8080`; the REST path is appended to it. */
  url: string;
  /** Recipients: one user is sent as `userId`, several as `userIds`. */
  users: string[];
  /** Notification type. */
  type: string;
  /** Notification payload, any JSON value. */
  payload: unknown;
  /** Number of sequential requests; each waits for the previous answer, so per-user order is kept. */
  count: number;
  /** `Idempotency-Key` header; with `count > 1` the i-th request (1-based) uses `<key>-<i>`. */
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
} as const;
