/** RSocket ERROR frame codes (RSocket protocol 1.0) the server uses. */
export const RSOCKET_ERROR_CODES = {
  INVALID_SETUP: 0x001,
  UNSUPPORTED_SETUP: 0x002,
  REJECTED_SETUP: 0x003,
  REJECTED_RESUME: 0x004,
  CONNECTION_ERROR: 0x101,
  CONNECTION_CLOSE: 0x102,
  APPLICATION_ERROR: 0x201,
  REJECTED: 0x202,
  CANCELED: 0x203,
  INVALID: 0x204,
} as const;

/** `error.code` values of the REST API's JSON errors. */
export const REST_ERROR_CODES = [
  'invalid_json',
  'invalid_body',
  'invalid_query',
  'unauthorized',
  'not_found',
  'method_not_allowed',
  'idempotency_conflict',
  'payload_too_large',
  'unsupported_media_type',
  'broker_unavailable',
  'too_many_waiters',
  'internal_error',
] as const;

/** One of the REST API's error codes. */
export type RestErrorCode = (typeof REST_ERROR_CODES)[number];

/** Body of every REST error response. */
export interface RestErrorBody {
  error: { code: RestErrorCode; message: string };
}
