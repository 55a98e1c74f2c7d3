import { KEEPALIVE_BOUNDS, parseNotificationId, RSOCKET_PATH, userIdProblem } from '@notification-transport/contract';
import { systemClock, type Clock } from './clock.js';
import { consoleInfoLogger, type DebugLogger } from './debug-logger.js';
import { debugSwitchOn, type DebugSwitchScope } from './debug-switch.js';
import { browserOnlineSignal, type OnlineSignal } from './online-signal.js';

/** A WebSocket constructor: the browser's own, or e.g. the `ws` package's in Node (cast to this type). */
export type WebSocketConstructor = new (url: string) => WebSocket;

/** Returns the bearer token to send in SETUP; called again before every connection attempt. */
export type TokenProvider = () => string | Promise<string>;

/** What a page passes to `getNotificationClient()` / `new NotificationClient()`; every field has a default. */
export interface NotificationClientOptions {
  /** `ws(s)://host/rsocket`, or several tried in turn; default: the page's own origin + `/rsocket`. */
  url?: string | readonly string[];
  /** JWT mode: the bearer token, sent as SETUP authentication metadata. */
  token?: TokenProvider;
  /** Development identity mode: sent as SETUP data `{"userId"}`. */
  userId?: string;
  /** Resume after this id (e.g. kept in sessionStorage across page loads). */
  lastEventId?: string;
  /** KEEPALIVE interval in ms (default 15000, well below common 60 s proxy idle timeouts). */
  keepAlive?: number;
  /** Silence in ms after which either side drops the connection (default 45000). */
  lifetime?: number;
  /** Credits granted at once on the stream; half the window is re-granted as notifications are handled (default 64). */
  creditWindow?: number;
  /** Full-jitter reconnect backoff: first window and cap in ms (default 1000 / 30000). */
  reconnect?: { baseMs?: number; maxMs?: number };
  /** How long an attempt may take until the `session` route answers, in ms (default 10000). */
  connectTimeout?: number;
  /**
   * Log state transitions and every frame in and out, decoded; also fills `frames$`. Also on, without any code
   * change, when the page's `localStorage["notification-transport.debug"]` is `"1"` as the client is created.
   */
  debug?: boolean;
  /** Where debug lines go (default `console.info`). */
  logger?: DebugLogger;
  /** Throw `IllegalTransitionError` on a state transition the table does not allow (tests); default: report it. */
  strictTransitions?: boolean;
  /** WebSocket constructor (default the global one; Node 20 has none: pass `ws`). */
  WebSocket?: WebSocketConstructor;
  /** Timers (default the global ones); injected by tests. */
  clock?: Clock;
  /** Random numbers in [0, 1) for the jitter (default `Math.random`); injected by tests. */
  random?: () => number;
  /** "Network is back" signal (default the global `online` event); injected by tests. */
  online?: OnlineSignal;
}

/** The defaults of {@link NotificationClientOptions}. */
export const CLIENT_DEFAULTS = {
  keepAlive: 15_000,
  lifetime: 45_000,
  creditWindow: 64,
  reconnectBaseMs: 1_000,
  reconnectMaxMs: 30_000,
  connectTimeout: 10_000,
} as const;

/** Options after defaults and validation. */
export interface ResolvedClientOptions {
  urls: readonly string[];
  token: TokenProvider | undefined;
  userId: string | undefined;
  lastEventId: string | undefined;
  keepAlive: number;
  lifetime: number;
  creditWindow: number;
  backoff: { baseMs: number; maxMs: number };
  connectTimeout: number;
  debug: boolean;
  /** Debugging was turned on by the `localStorage` switch, not by the `debug` option. */
  debugSwitch: boolean;
  logger: DebugLogger;
  strictTransitions: boolean;
  WebSocket: WebSocketConstructor;
  clock: Clock;
  random: () => number;
  online: OnlineSignal;
}

/** A bad option: thrown by the constructor, naming the option and what is allowed. */
export class ClientOptionsError extends TypeError {
  readonly code = 'NT_ERR_CLIENT_OPTIONS';

  constructor(option: string, problem: string) {
    super(`notification client option "${option}" ${problem}`);
    this.name = 'ClientOptionsError';
  }
}

function integerIn(option: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved < min || resolved > max) {
    throw new ClientOptionsError(option, `must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return resolved;
}

function sameOriginUrl(): string {
  const location = (globalThis as { location?: { protocol: string; host: string } }).location;
  if (location === undefined) throw new ClientOptionsError('url', 'is required outside a browser page');
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${RSOCKET_PATH}`;
}

function resolveUrls(url: NotificationClientOptions['url']): string[] {
  const urls = url === undefined ? [sameOriginUrl()] : typeof url === 'string' ? [url] : [...url];
  if (urls.length === 0) throw new ClientOptionsError('url', 'must list at least one URL');
  for (const entry of urls) {
    if (typeof entry !== 'string' || !/^wss?:\/\/[^/]/i.test(entry)) {
      throw new ClientOptionsError('url', `must be ws:// or wss:// URLs, got ${JSON.stringify(entry)}`);
    }
  }
  return urls;
}

function resolveIdentity(options: NotificationClientOptions): Pick<ResolvedClientOptions, 'token' | 'userId' | 'lastEventId'> {
  if (options.token !== undefined && typeof options.token !== 'function') {
    throw new ClientOptionsError('token', 'must be a function returning the token (it is called again on every reconnect)');
  }
  const userProblem = options.userId === undefined ? undefined : userIdProblem(options.userId);
  if (userProblem !== undefined) throw new ClientOptionsError('userId', userProblem);
  if (options.lastEventId !== undefined && parseNotificationId(options.lastEventId) === undefined) {
    throw new ClientOptionsError('lastEventId', 'must be a notification id like "1700000000000-0"');
  }
  return { token: options.token, userId: options.userId, lastEventId: options.lastEventId };
}

function resolveWebSocket(given: WebSocketConstructor | undefined): WebSocketConstructor {
  const constructor = given ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (typeof constructor !== 'function') {
    throw new ClientOptionsError('WebSocket', 'is required where there is no global WebSocket (Node 20: pass the `ws` package)');
  }
  return constructor;
}

function resolveTiming(options: NotificationClientOptions): Pick<ResolvedClientOptions, 'keepAlive' | 'lifetime' | 'backoff' | 'connectTimeout'> {
  const { minKeepAliveMs, maxKeepAliveMs, maxLifetimeMs } = KEEPALIVE_BOUNDS;
  const keepAlive = integerIn('keepAlive', options.keepAlive, CLIENT_DEFAULTS.keepAlive, minKeepAliveMs, maxKeepAliveMs);
  const lifetime = integerIn('lifetime', options.lifetime, Math.max(CLIENT_DEFAULTS.lifetime, 2 * keepAlive), 2 * keepAlive, maxLifetimeMs);
  const baseMs = integerIn('reconnect.baseMs', options.reconnect?.baseMs, CLIENT_DEFAULTS.reconnectBaseMs, 1, 3_600_000);
  const maxMs = integerIn('reconnect.maxMs', options.reconnect?.maxMs, Math.max(CLIENT_DEFAULTS.reconnectMaxMs, baseMs), baseMs, 3_600_000);
  const connectTimeout = integerIn('connectTimeout', options.connectTimeout, CLIENT_DEFAULTS.connectTimeout, 100, 600_000);
  return { keepAlive, lifetime, backoff: { baseMs, maxMs }, connectTimeout };
}

/**
 * Applies defaults and validates; throws {@link ClientOptionsError} naming the first bad option. `scope` is where the
 * debug switch is read (the page's global scope).
 */
export function resolveClientOptions(options: NotificationClientOptions, scope?: DebugSwitchScope): ResolvedClientOptions {
  const debugSwitch = options.debug !== true && debugSwitchOn(scope);
  return {
    urls: resolveUrls(options.url),
    ...resolveIdentity(options),
    ...resolveTiming(options),
    creditWindow: integerIn('creditWindow', options.creditWindow, CLIENT_DEFAULTS.creditWindow, 1, 0x7fffffff),
    debug: options.debug === true || debugSwitch,
    debugSwitch,
    logger: options.logger ?? consoleInfoLogger,
    strictTransitions: options.strictTransitions === true,
    WebSocket: resolveWebSocket(options.WebSocket),
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
    online: options.online ?? browserOnlineSignal,
  };
}
