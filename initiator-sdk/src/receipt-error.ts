import type { ServiceError } from './send-error.js';

/** A receipt query that did not end in a 200 or a 404; the message says what to do about it. */
export class ReceiptError extends Error {
  /** Stable code of every receipt query failure. */
  readonly code = 'NT_ERR_RECEIPT';
  /** The last HTTP status, when the last attempt got an answer. */
  readonly status: number | undefined;
  /** The service's `{ code, message }`, when the last answer carried one (e.g. `invalid_query`, `too_many_waiters`). */
  readonly serviceError: ServiceError | undefined;

  constructor(message: string, details: { status?: number; serviceError?: ServiceError }, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ReceiptError';
    this.status = details.status;
    this.serviceError = details.serviceError;
  }
}
