import { IDEMPOTENCY_KEY_PATTERN, SEND_LIMITS } from '@notification-transport/contract';
import { InvalidBodyError } from '../errors/transport-error.js';

/** The `Idempotency-Key` header (1–200 printable ASCII characters), or `undefined` when absent; 400 otherwise. */
export function parseIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!IDEMPOTENCY_KEY_PATTERN.test(header)) {
    throw new InvalidBodyError(`Idempotency-Key header must be 1-${SEND_LIMITS.maxIdempotencyKeyLength} printable characters`);
  }
  return header;
}
