import { RSocketEndError } from '../errors/transport-error.js';

/** A live connection as the per-user limit sees it. */
export interface SlotHolder {
  readonly userId: string;
  readonly connectionId: string;
  /** Ends this connection to make room (`evict-oldest`): `[replaced]`. */
  evict(): void;
}

/** `MAX_CONNECTIONS_PER_USER` and `CONNECTION_LIMIT_POLICY`. */
export interface ConnectionLimitSettings {
  maxConnectionsPerUser: number;
  policy: 'reject-new' | 'evict-oldest';
}

/**
 * The per-user connection limit. `acquire` takes a slot for a new connection atomically, or refuses it
 * (`reject-new`), or ends the user's oldest connection wherever it is (`evict-oldest`); `release` frees the slot at
 * once. Implementations: `MemoryConnectionSlots` (one instance) and `RedisConnectionSlots` (across instances, with
 * leases that free a crashed instance's slots).
 */
export interface ConnectionSlots {
  acquire(holder: SlotHolder): Promise<void>;
  release(holder: SlotHolder): void;
  close(): Promise<void>;
}

/** The refusal for a connection over the limit (its message contains the words "connection limit"). */
export function connectionLimitError(max: number): RSocketEndError {
  return new RSocketEndError(
    'connection-limit',
    `connection limit of ${max} reached for this user; close another tab or connection first`,
  );
}
