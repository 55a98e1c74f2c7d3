/**
 * Reason tokens: the data of every ERROR frame the server sends starts with one of these in brackets, then a
 * sentence a person can act on, e.g. `[connection-limit] connection limit of 5 reached for this user`.
 */
export const REASONS = [
  'invalid-setup',
  'bounds',
  'auth',
  'token-expired',
  'connection-limit',
  'replaced',
  'slow-consumer',
  'too-large',
  'draining',
  'invalid-request',
  'internal',
] as const;

/** One of the contract's reason tokens. */
export type Reason = (typeof REASONS)[number];

/** What a client does after an ERROR carrying the reason. */
export type ReconnectAdvice = 'reconnect' | 'refresh-token' | 'stay-down';

const REASON_SET: ReadonlySet<string> = new Set(REASONS);
const REASON_PREFIX = /^\[([a-z-]+)\]\s?/;

/** `[reason] message`: the data of an ERROR frame. */
export function formatReason(reason: Reason, message: string): string {
  return `[${reason}] ${message}`;
}

/** The reason token an ERROR message starts with, or `undefined` when it carries none the contract knows. */
export function parseReason(message: string): Reason | undefined {
  const match = REASON_PREFIX.exec(message);
  const token = match?.[1];
  return token !== undefined && REASON_SET.has(token) ? (token as Reason) : undefined;
}

/** The contract's reconnect rule for each reason. */
export function reconnectAdvice(reason: Reason | undefined): ReconnectAdvice {
  switch (reason) {
    case 'draining':
    case 'slow-consumer':
    case 'internal':
      return 'reconnect';
    case 'token-expired':
      return 'refresh-token';
    default:
      return 'stay-down';
  }
}
