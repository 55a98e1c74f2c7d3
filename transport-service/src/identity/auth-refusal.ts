import { RSocketEndError } from '../errors/transport-error.js';

/** The identity refusal: `[auth]` with REJECTED_SETUP; `detail` must say what to do and never quote a token. */
export function authRefusal(detail: string): RSocketEndError {
  return new RSocketEndError('auth', detail);
}

/** The refusal of an expired token: `[token-expired]` with REJECTED_SETUP, so the client retries once with a fresh one. */
export function expiredRefusal(detail: string): RSocketEndError {
  return new RSocketEndError('token-expired-at-setup', detail);
}
