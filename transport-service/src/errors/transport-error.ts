import { formatReason, type Reason, type RestErrorCode } from '@notification-transport/contract';
import { ENDINGS, type EndingName } from '../rsocket/endings.js';

/**
 * The one error catalog. Every error the service raises on purpose is a `TransportError` with a stable REST code
 * (and HTTP status) or RSocket reason; the entry points map it (Koa's error middleware, the RSocket session).
 */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly code: RestErrorCode,
    readonly status: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** 400: the body is not JSON. */
export class InvalidJsonError extends TransportError {
  constructor(detail: string) {
    super(`request body is not valid JSON: ${detail}`, 'invalid_json', 400);
  }
}

/** 400: the body breaks the schema; the message names the field. */
export class InvalidBodyError extends TransportError {
  constructor(message: string) {
    super(message, 'invalid_body', 400);
  }
}

/** 401: missing or unknown initiator key. */
export class UnauthorizedError extends TransportError {
  constructor(message: string) {
    super(message, 'unauthorized', 401);
  }
}

/** 404: no such route. */
export class NotFoundError extends TransportError {
  constructor(method: string, path: string) {
    super(`no route for ${method} ${path}`, 'not_found', 404);
  }
}

/** 405: the route exists but not with this method. */
export class MethodNotAllowedError extends TransportError {
  constructor(
    method: string,
    path: string,
    readonly allowed: readonly string[],
  ) {
    super(`${method} is not allowed on ${path}; use ${allowed.join(', ')}`, 'method_not_allowed', 405);
  }
}

/** 409: the same `Idempotency-Key` came with another request. */
export class IdempotencyConflictError extends TransportError {
  constructor(key: string) {
    super(
      `Idempotency-Key ${JSON.stringify(key)} was already used with a different request; use a new key for a new request`,
      'idempotency_conflict',
      409,
    );
  }
}

/** 413: the body is larger than `MAX_BODY_BYTES`. */
export class PayloadTooLargeError extends TransportError {
  constructor(limit: number) {
    super(`request body exceeds ${limit} bytes (MAX_BODY_BYTES)`, 'payload_too_large', 413);
  }
}

/**
 * 413: the request's total cost — recipients × notification bytes — is more than the service carries
 * (`MAX_FANOUT_BYTES`); refused before anything is committed.
 */
export class FanoutTooLargeError extends TransportError {
  constructor(recipients: number, notificationBytes: number, limit: number) {
    super(
      `${recipients} recipients × ${notificationBytes} bytes of notification exceeds ${limit} bytes (MAX_FANOUT_BYTES); ` +
        'nothing was committed: send to fewer recipients per request or a smaller payload',
      'payload_too_large',
      413,
    );
  }
}

/** 415: not `application/json`. */
export class UnsupportedMediaTypeError extends TransportError {
  constructor(contentType: string | undefined) {
    super(
      `Content-Type must be application/json, got ${contentType ? JSON.stringify(contentType) : 'none'}`,
      'unsupported_media_type',
      415,
    );
  }
}

/**
 * 503: the broker cannot take the notification now; the initiator retries. For a single user nothing was
 * committed; for several, some may have been, which a retry with the same Idempotency-Key completes exactly once.
 */
export class BrokerUnavailableError extends TransportError {
  constructor(detail: string) {
    super(`broker unavailable, retry later (with the same Idempotency-Key): ${detail}`, 'broker_unavailable', 503);
  }
}

/**
 * Refuses or ends one RSocket connection or stream, never the process. `ending` names its row in the table of
 * endings (RSocket code, scope, WebSocket close code); the message is the ERROR frame's data: the contract's reason
 * token in brackets, then what to do.
 */
export class RSocketEndError extends Error {
  constructor(
    readonly ending: EndingName,
    readonly detail: string,
  ) {
    const { reason } = ENDINGS[ending];
    super(reason === undefined ? detail : formatReason(reason, detail));
    this.name = 'RSocketEndError';
  }

  /** The RSocket ERROR code the ending carries. */
  get rsocketCode(): number | undefined {
    return ENDINGS[this.ending].code;
  }

  /** The contract's reason token the ending carries. */
  get reason(): Reason | undefined {
    return ENDINGS[this.ending].reason;
  }
}

/** 400: a query parameter is unknown or out of range; the message names it. */
export class InvalidQueryError extends TransportError {
  constructor(message: string) {
    super(message, 'invalid_query', 400);
  }
}

/** 404: no receipt for that notification, or not one this initiator key may see. */
export class ReceiptNotFoundError extends TransportError {
  constructor(userId: string, id: string) {
    super(`no receipt for notification ${JSON.stringify(id)} of user ${JSON.stringify(userId)}`, 'not_found', 404);
  }
}

/** 429: as many receipt queries wait on this instance as `RECEIPT_MAX_WAITERS` allows; retry, or ask without waiting. */
export class TooManyWaitersError extends TransportError {
  constructor(limit: number) {
    super(`${limit} receipt queries are already waiting on this instance (RECEIPT_MAX_WAITERS); retry later or omit waitFor`, 'too_many_waiters', 429);
  }
}
