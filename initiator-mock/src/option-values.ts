import { IDEMPOTENCY_KEY_PATTERN, SEND_LIMITS, typeProblem, userIdProblem } from '@notification-transport/contract';
import { UsageError } from './usage-error.js';

const DIGITS = /^\d+$/;

/** The `--url` value as an absolute http(s) URL. */
export function parseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--url must be an absolute URL such as http://127.0.0.1:8080, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--url must use http or https, got "${url.protocol}"`);
  }
  return url.href;
}

/** The recipients of all `--user` values, each of which may hold several comma-separated ids. */
export function parseUsers(values: readonly string[]): string[] {
  const users = values.flatMap((value) => value.split(',')).map((user) => user.trim());
  if (users.length === 0) throw new UsageError('--user is required: name at least one recipient');
  if (users.length > SEND_LIMITS.maxUserIds) {
    throw new UsageError(`--user names ${users.length} users; at most ${SEND_LIMITS.maxUserIds} are allowed`);
  }
  for (const user of users) {
    const problem = userIdProblem(user);
    if (problem !== undefined) throw new UsageError(`--user "${user}" ${problem}`);
  }
  return users;
}

/** The `--type` value, checked against the contract's type rule. */
export function parseType(value: string): string {
  const problem = typeProblem(value);
  if (problem !== undefined) throw new UsageError(`--type "${value}" ${problem}`);
  return value;
}

/** The `--payload` JSON text as a value. */
export function parsePayload(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch (err) {
    throw new UsageError(`--payload is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

/** A whole number from `option`'s text, at least `min` and, when given, at most `max`. */
export function parseInteger(option: string, value: string, min: number, max?: number): number {
  const number = DIGITS.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < min || (max !== undefined && number > max)) {
    const range = max === undefined ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`${option} must be a whole number ${range}, got "${value}"`);
  }
  return number;
}

/** The `--key` value, with room left for the `-<i>` suffix that `count` requests add. */
export function parseKey(value: string, count: number): string {
  const longest = count > 1 ? `${value}-${count}` : value;
  if (longest.length > SEND_LIMITS.maxIdempotencyKeyLength) {
    throw new UsageError(
      `--key "${longest}" is longer than ${SEND_LIMITS.maxIdempotencyKeyLength} characters`,
    );
  }
  if (!IDEMPOTENCY_KEY_PATTERN.test(longest)) throw new UsageError('--key must be printable ASCII characters and not empty');
  return value;
}

/** The `--api-key` value, which must not be empty. */
export function parseApiKey(value: string): string {
  if (value.length === 0) throw new UsageError('--api-key must not be empty');
  return value;
}
