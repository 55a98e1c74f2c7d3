import type { RestErrorBody } from '@notification-transport/contract';

/**
 * What went wrong with a send:
 * - `invalid-notification`: it could not be sent at all (payload not JSON, bad idempotency key); nothing was sent.
 * - `rejected`: the service answered 4xx (bad body, bad key, idempotency conflict, too large); never retried.
 * - `unavailable`: every attempt got a 5xx (e.g. 503 while the service's broker is down).
 * - `unreachable`: the last attempt got no answer at all (refused, reset, DNS, timeout).
 * - `unexpected-response`: an answer that is neither the contract's 202 body nor an error status.
 */
export type SendProblem = 'invalid-notification' | 'rejected' | 'unavailable' | 'unreachable' | 'unexpected-response';

/** One attempt of a send: where it went and the status it got, or why no answer came. */
export interface SendAttempt {
  url: string;
  status?: number;
  /** Why no answer came (e.g. `connect ECONNREFUSED 127.0.0.1:8080`, `no answer within 10000 ms`). */
  error?: string;
}

/** The service's JSON error, when the answer carried one. */
export type ServiceError = RestErrorBody['error'];

/** What a failed send tells: the problem, the last status and service error, the key and every attempt. */
export interface SendErrorDetails {
  problem: SendProblem;
  idempotencyKey: string;
  attempts: readonly SendAttempt[];
  status?: number;
  serviceError?: ServiceError;
}

/** A send that did not end in a 202; `problem` says which kind of failure, the message what to do about it. */
export class SendError extends Error {
  /** Stable code of every send failure. */
  readonly code = 'NT_ERR_SEND';
  readonly problem: SendProblem;
  /** The key every attempt carried: retrying later with the same key delivers at most once. */
  readonly idempotencyKey: string;
  /** Every attempt, in order (empty for `invalid-notification`). */
  readonly attempts: readonly SendAttempt[];
  /** The last HTTP status, when the last attempt got an answer. */
  readonly status: number | undefined;
  /** The service's `{ code, message }`, when the last answer carried one. */
  readonly serviceError: ServiceError | undefined;

  constructor(message: string, details: SendErrorDetails, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SendError';
    this.problem = details.problem;
    this.idempotencyKey = details.idempotencyKey;
    this.attempts = details.attempts;
    this.status = details.status;
    this.serviceError = details.serviceError;
  }
}

/** The contract's error body in `text`, or `undefined` when it is something else. */
export function parseServiceError(text: string): ServiceError | undefined {
  try {
    const value = JSON.parse(text) as Partial<RestErrorBody> | null;
    const error = value?.error;
    if (typeof error?.code === 'string' && typeof error.message === 'string') return { code: error.code, message: error.message };
  } catch {
    // Not JSON (e.g. a proxy's HTML page): the status alone describes it.
  }
  return undefined;
}
