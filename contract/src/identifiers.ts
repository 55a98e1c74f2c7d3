/** Longest user id (and JWT `sub`) accepted. */
export const USER_ID_MAX_LENGTH = 128;
/** Longest notification type accepted. */
export const TYPE_MAX_LENGTH = 128;
/** Notification types are made of these characters; `$` starts the reserved control types. */
export const TYPE_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

// Control characters (C0, DEL, C1) and the Redis Cluster hash-tag braces are refused in user ids.
// eslint-disable-next-line no-control-regex
const USER_ID_FORBIDDEN = /[\u0000-\u001f\u007f-\u009f{}]/;

/**
 * A UTF-16 surrogate without its other half. Such a string has no UTF-8 form: on its way to Redis each one becomes
 * U+FFFD, so `"a\ud800"` and `"a\ufffd"` would share one history and one channel.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why `value` is not a valid user id, or `undefined` when it is one. */
export function userIdProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length === 0) return 'must not be empty';
  if (value.length > USER_ID_MAX_LENGTH) return `must be at most ${USER_ID_MAX_LENGTH} characters`;
  if (USER_ID_FORBIDDEN.test(value)) return 'must not contain control characters, "{" or "}"';
  if (LONE_SURROGATE.test(value)) return 'must be well-formed Unicode (a lone UTF-16 surrogate has no UTF-8 form)';
  return undefined;
}

/** Why `value` is not a valid notification type, or `undefined` when it is one. */
export function typeProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (!TYPE_PATTERN.test(value)) return `must be 1-${TYPE_MAX_LENGTH} characters from [A-Za-z0-9._:-]`;
  return undefined;
}

/** An `Idempotency-Key` is made of these: 1–200 printable ASCII characters (what HTTP header values allow). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x20-\x7e]{1,200}$/;
