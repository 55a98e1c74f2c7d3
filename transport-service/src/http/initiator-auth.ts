import { createHash, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../errors/transport-error.js';

/** The idempotency scope of every caller when REST is open (no `INITIATOR_API_KEYS`). */
const OPEN_SCOPE = 'open';

const BEARER = /^Bearer +(\S+) *$/i;

/**
 * Checks the initiator key of a REST call (`Authorization: Bearer <key>`) against the configured keys in constant
 * time: both sides are hashed with SHA-256 and every key is compared. With no keys configured, REST is open.
 * Keys never appear in errors or logs.
 */
export class InitiatorAuth {
  private readonly digests: readonly Buffer[];

  constructor(keys: readonly string[]) {
    this.digests = keys.map(sha256);
  }

  /**
   * Throws {@link UnauthorizedError} unless the `Authorization` header carries a configured key (or none are).
   * Returns the caller's scope for idempotency records: a digest prefix of its key, or `open` without keys.
   */
  check(authorization: string | undefined): string {
    if (this.digests.length === 0) return OPEN_SCOPE;
    if (authorization === undefined || authorization === '') {
      throw new UnauthorizedError('missing initiator key: send "Authorization: Bearer <key>"');
    }
    const key = BEARER.exec(authorization)?.[1];
    if (key === undefined) throw new UnauthorizedError('Authorization header must be "Bearer <key>"');
    const presented = sha256(key);
    let known = false;
    for (const digest of this.digests) known = timingSafeEqual(presented, digest) || known;
    if (!known) throw new UnauthorizedError('unknown initiator key');
    return presented.toString('hex', 0, 8);
  }
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
