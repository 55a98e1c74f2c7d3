/** A validated `POST /api/v1/notifications` body, ready to commit. */
export interface SendRequest {
  /** Distinct recipients in request order (`userId` becomes a list of one). */
  userIds: string[];
  type: string;
  /** The payload serialized once; every recipient's PAYLOAD embeds these bytes. */
  payloadJson: string;
  /** How long it stays recoverable; `undefined`: the configured default (`HISTORY_TTL_SECONDS`). */
  ttlSeconds: number | undefined;
  /** A delivery receipt per recipient was asked for. */
  receipt?: true;
}
