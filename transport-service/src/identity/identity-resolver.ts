import type { IncomingMessage } from 'node:http';
import type { SetupFrame } from 'rsocket-core';

/** Who a connection is: the user id and, for a token, when the server stops accepting that token. */
export interface Identity {
  userId: string;
  /** Epoch milliseconds after which the token is no longer accepted (its `exp` plus the clock skew); absent without a token. */
  expiresAt?: number;
}

/**
 * Decides who a connection is from its SETUP frame and HTTP upgrade request. Throws `RSocketEndError` to refuse
 * (`[auth]` with REJECTED_SETUP, `[invalid-setup]` with INVALID_SETUP).
 */
export interface IdentityResolver {
  resolve(setup: SetupFrame, upgrade: IncomingMessage): Promise<Identity> | Identity;
}
