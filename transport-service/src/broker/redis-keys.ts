/**
 * Redis names. Every per-user key and channel carries the user id as a Cluster hash tag (`{alice}`), so one user's
 * commit touches a single slot and stays atomic in Cluster mode. User ids never contain `{` or `}` (contract).
 */
/** `nt:{` as one big-endian 32-bit number, and `}`. */
const CHANNEL_PREFIX = Buffer.from('nt:{').readUInt32BE(0);
const CLOSE_BRACE = '}'.charCodeAt(0);

export const redisKeys = {
  /** The user's Pub/Sub channel: every instance holding a connection of the user subscribes to it. */
  channel: (userId: string): string => `nt:{${userId}}`,
  /** The user whose channel this is (the inverse of `channel`), or undefined for another name. */
  userOfChannel: (channel: Buffer): string | undefined =>
    channel.length > 5 && channel.readUInt32BE(0) === CHANNEL_PREFIX && channel[channel.length - 1] === CLOSE_BRACE
      ? channel.toString('utf8', 4, channel.length - 1)
      : undefined,
  /**
   * The user's bounded history (a Redis Stream; entry ids are the notification ids). It is the channel's name plus
   * `:h`: the commit script derives the channel from it.
   */
  history: (userId: string): string => `nt:{${userId}}:h`,
  /** The newest id committed for the user; it outlives the history, so a quiet user's reconnect is not a gap. */
  last: (userId: string): string => `nt:{${userId}}:last`,
  /**
   * A notification's JSON after its id, stored once per request for every recipient in the tagged user's slot;
   * history entries and Pub/Sub messages reference it. `token` is unique per request (the same on a retry under its
   * Idempotency-Key).
   */
  content: (userId: string, token: string): string => `nt:{${userId}}:c:${token}`,
  /** The per-(request, user) idempotency record, written in the commit's atomic step. */
  committed: (userId: string, scope: string, key: string): string => `nt:{${userId}}:idem:${scope}:${key}`,
  /** The user's connection slots across instances: member `<instance>|<connection>` → when it was taken. */
  slots: (userId: string): string => `nt:{${userId}}:slots`,
  /** The lease deadline of each of the user's slots; a crashed instance's slots lapse with their leases. */
  leases: (userId: string): string => `nt:{${userId}}:leases`,
  /** Where an instance hears that one of its connections was evicted by another instance. */
  evictions: (instanceId: string): string => `nt:evict:${instanceId}`,
  /** The request-level idempotency claim (hash of the first request with this key). */
  claim: (scope: string, key: string): string => `nt:idem:{${scope}}:${key}`,
};
