import { fetchGet, type HttpGet } from './http-get.js';
import { fetchPost, type HttpPost } from './http-post.js';

/** One retry about to happen: the attempt that failed and what comes next. */
export interface RetryInfo {
  /** The attempt that failed (1 for the first). */
  attempt: number;
  url: string;
  /** Its status, when it got an answer (a 5xx). */
  status?: number;
  /** Why it got no answer, when it got none. */
  error?: string;
  /** The full-jitter delay before the next attempt. */
  delayMs: number;
  /** Where the next attempt goes: the next base URL when several are given. */
  nextUrl: string;
  idempotencyKey: string;
}

/** How an {@link InitiatorClient} reaches the service and retries; only `baseUrl` is required. */
export interface InitiatorOptions {
  /** The service's base URL, e.g. `http://notify.internal:8080`, or several (instances or load balancers). */
  baseUrl: string | readonly string[];
  /** Initiator API key, sent as `Authorization: Bearer <apiKey>`; required when the service sets `INITIATOR_API_KEYS`. */
  apiKey?: string;
  /** Attempts per send, the first one included (default 5; 1 turns retrying off). */
  maxAttempts?: number;
  /** Full-jitter backoff between attempts: first window and cap in ms (default 200 / 5000). */
  backoff?: { baseMs?: number; maxMs?: number };
  /** How long one attempt waits for its answer, in ms (default 10000); a timeout is retried like a network error. */
  timeoutMs?: number;
  /** Called before each retry, e.g. to log it. */
  onRetry?: (retry: RetryInfo) => void;
  /** Sends one request (default: `fetch`); injected by tests. */
  post?: HttpPost;
  /** Sends one GET (receipt queries; default: `fetch`); injected by tests. */
  get?: HttpGet;
  /** Random numbers in [0, 1) for the jitter (default `Math.random`). */
  random?: () => number;
  /** Waits between attempts (default `setTimeout`). */
  sleep?: (ms: number) => Promise<void>;
}

/** The defaults of {@link InitiatorOptions}. */
export const INITIATOR_DEFAULTS = { maxAttempts: 5, backoffBaseMs: 200, backoffMaxMs: 5_000, timeoutMs: 10_000 } as const;

/** Options after defaults and validation. */
export interface ResolvedInitiatorOptions {
  baseUrls: readonly string[];
  apiKey: string | undefined;
  maxAttempts: number;
  backoff: { baseMs: number; maxMs: number };
  timeoutMs: number;
  onRetry: (retry: RetryInfo) => void;
  post: HttpPost;
  get: HttpGet;
  random: () => number;
  sleep: (ms: number) => Promise<void>;
}

/** A bad option: thrown by the constructor, naming the option and what is allowed. */
export class InitiatorOptionsError extends TypeError {
  readonly code = 'NT_ERR_INITIATOR_OPTIONS';

  constructor(option: string, problem: string) {
    super(`initiator option "${option}" ${problem}`);
    this.name = 'InitiatorOptionsError';
  }
}

function integerIn(option: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved < min || resolved > max) {
    throw new InitiatorOptionsError(option, `must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return resolved;
}

function resolveBaseUrls(baseUrl: InitiatorOptions['baseUrl']): string[] {
  const urls = typeof baseUrl === 'string' ? [baseUrl] : [...(baseUrl as readonly unknown[])];
  if (urls.length === 0) throw new InitiatorOptionsError('baseUrl', 'must name at least one URL');
  return urls.map((url) => {
    const parsed = typeof url === 'string' && URL.canParse(url) ? new URL(url) : undefined;
    if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
      throw new InitiatorOptionsError('baseUrl', `must be absolute http(s) URLs such as http://127.0.0.1:8080, got ${JSON.stringify(url)}`);
    }
    return parsed.href.replace(/\/+$/, '');
  });
}

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Applies defaults and validates; throws {@link InitiatorOptionsError} naming the first bad option. */
export function resolveInitiatorOptions(options: InitiatorOptions): ResolvedInitiatorOptions {
  if (options.apiKey !== undefined && (typeof options.apiKey !== 'string' || options.apiKey.length === 0)) {
    throw new InitiatorOptionsError('apiKey', 'must be a non-empty string when given');
  }
  const baseMs = integerIn('backoff.baseMs', options.backoff?.baseMs, INITIATOR_DEFAULTS.backoffBaseMs, 0, 3_600_000);
  return {
    baseUrls: resolveBaseUrls(options.baseUrl),
    apiKey: options.apiKey,
    maxAttempts: integerIn('maxAttempts', options.maxAttempts, INITIATOR_DEFAULTS.maxAttempts, 1, 1_000),
    backoff: { baseMs, maxMs: integerIn('backoff.maxMs', options.backoff?.maxMs, Math.max(INITIATOR_DEFAULTS.backoffMaxMs, baseMs), baseMs, 3_600_000) },
    timeoutMs: integerIn('timeoutMs', options.timeoutMs, INITIATOR_DEFAULTS.timeoutMs, 1, 600_000),
    onRetry: options.onRetry ?? (() => {}),
    post: options.post ?? fetchPost,
    get: options.get ?? fetchGet,
    random: options.random ?? Math.random,
    sleep: options.sleep ?? wait,
  };
}
