/** What a Redis failure is about, for the words that describe it. */
export interface RedisFailureContext {
  /** Where Redis is, without credentials: `redis://host:port`, or a Cluster master `host:port`. */
  where: string;
  /** `REDIS_COMMAND_TIMEOUT_MS`. */
  commandTimeoutMs: number;
  /** Why the connection is down, when a connection error said so (see {@link describeConnectionError}). */
  connectionProblem?: string;
}

/** A Redis failure in the product's words; `outage` when it means Redis cannot be used now (not ready). */
export interface RedisFailure {
  words: string;
  outage: boolean;
}

/** Socket error codes as operators say them. */
const SOCKET_PROBLEMS: ReadonlyMap<string, string> = new Map([
  ['ECONNREFUSED', 'connection refused'],
  ['ECONNRESET', 'connection reset'],
  ['EPIPE', 'connection broken'],
  ['ETIMEDOUT', 'connection attempt timed out'],
  ['ENOTFOUND', 'host name not found'],
  ['EAI_AGAIN', 'host name lookup failed'],
  ['EHOSTUNREACH', 'host unreachable'],
  ['ENETUNREACH', 'network unreachable'],
  ['ENOBUFS', 'out of socket buffer space (ENOBUFS)'],
]);

/** Redis error replies (their first word) that mean the server cannot serve now, as operators say them. */
const UNAVAILABLE_REPLIES: ReadonlyMap<string, string> = new Map([
  ['CLUSTERDOWN', 'the Redis Cluster is down (a master is unreachable or slots are uncovered)'],
  ['TRYAGAIN', 'the Redis Cluster is moving slots'],
  ['LOADING', 'Redis is loading its data set'],
  ['BUSY', 'Redis is busy running a script'],
  ['MASTERDOWN', 'the Redis master is down'],
  ['READONLY', 'Redis is a read-only replica'],
  ['NOAUTH', 'Redis refused the credentials (NOAUTH)'],
  ['WRONGPASS', 'Redis refused the credentials (WRONGPASS)'],
]);

/**
 * The client library's own messages for "no usable connection": a command refused while reconnecting, a connection
 * closed under a command in flight, a Cluster without its slot map.
 */
const NOT_CONNECTED = [
  "Stream isn't writeable",
  "Cluster isn't ready",
  'Connection is closed',
  'Cluster is disconnect',
  'Node is disconnected',
  'None of startup nodes is available',
  'Failed to refresh slots cache',
  'Reached the max retries per request limit',
];

/** Why a Redis connection failed, in a few words ("connection refused"), from a socket or connect error. */
export function describeConnectionError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && SOCKET_PROBLEMS.has(code)) return SOCKET_PROBLEMS.get(code) as string;
  const message = error instanceof Error ? error.message : String(error);
  if (message === 'connect ETIMEDOUT') return 'connection attempt timed out';
  const reply = UNAVAILABLE_REPLIES.get(firstWord(message));
  if (reply !== undefined) return reply;
  return typeof code === 'string' ? `socket error ${code}` : 'connection lost';
}

/**
 * Describes a failed Redis command in the product's words, never the client library's: the words an initiator
 * reads in a 503 and an operator reads in the log.
 */
export function describeRedisFailure(error: unknown, context: RedisFailureContext): RedisFailure {
  const message = error instanceof Error ? error.message : String(error);
  if (message === 'Command timed out') {
    return { words: `Redis at ${context.where} did not answer within REDIS_COMMAND_TIMEOUT_MS (${context.commandTimeoutMs} ms)`, outage: true };
  }
  if (NOT_CONNECTED.some((prefix) => message.startsWith(prefix))) {
    return { words: `Redis is unreachable at ${context.where}: ${context.connectionProblem ?? 'not connected'}`, outage: true };
  }
  if (message.startsWith('Too many Cluster redirections')) {
    return { words: `the Redis Cluster at ${context.where} keeps redirecting (slots are moving)`, outage: true };
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && SOCKET_PROBLEMS.has(code)) {
    return { words: `Redis is unreachable at ${context.where}: ${SOCKET_PROBLEMS.get(code) as string}`, outage: true };
  }
  const unavailable = UNAVAILABLE_REPLIES.get(firstWord(message));
  if (unavailable !== undefined) return { words: `${unavailable} (${context.where})`, outage: true };
  if (isReplyError(error)) return { words: `Redis at ${context.where} refused the command: ${firstLine(message)}`, outage: false };
  return { words: `the Redis client failed unexpectedly (${context.where}); the failure was logged`, outage: false };
}

/** An error reply from the Redis server (its own words, e.g. `OOM command not allowed ...`). */
function isReplyError(error: unknown): boolean {
  return error instanceof Error && error.name === 'ReplyError';
}

function firstWord(message: string): string {
  const space = message.indexOf(' ');
  return space === -1 ? message : message.slice(0, space);
}

function firstLine(message: string): string {
  const newline = message.indexOf('\n');
  return newline === -1 ? message : message.slice(0, newline);
}
