import type { Notification, NotificationId, SessionInfo } from '@notification-transport/contract';
import { BehaviorSubject, filter, skip, Subject, type Observable } from 'rxjs';
import type { ClientEvent } from '../client-event.js';
import { resolveClientOptions, type NotificationClientOptions, type ResolvedClientOptions, type TokenProvider } from '../client-options.js';
import { ConnectionStateMachine, type ConnectionState, type ConnectionStateName, type StateDetails } from '../connection-state.js';
import { fetchToken } from '../fetch-token.js';
import type { FrameRecord } from '../frame-log.js';
import { NotificationClient } from '../notification-client.js';
import { NotificationDedupe } from '../notification-dedupe.js';
import type { AnyNotification, NotificationTypeMap } from '../notification-types.js';
import { BoundedIdSet } from '../receipts/bounded-id-set.js';
import { checkedNotificationId } from '../receipts/checked-notification-id.js';
import { RECEIPT_QUEUE_LIMITS } from '../receipts/receipt-queue.js';
import { ReconnectScheduler } from '../reconnect-scheduler.js';
import { ConnectionFeed } from './connection-feed.js';
import { followStatePath } from './follow-state.js';
import { jwtSubject } from './jwt-subject.js';
import { RecentNotifications } from './recent-notifications.js';
import { sharingGroupName, type TabIdentity } from './sharing-group.js';
import { splitSharingOptions, type SharedClientOptions, type SharingOptions } from './sharing-options.js';
import { TabGroup, type TabGroupHost } from './tab-group.js';
import type { FeedMessage } from './tab-message.js';
import { tabPlatformOf, type TabPlatform } from './tab-platform.js';

/**
 * How a tab gets its notifications: `leader` holds the connection its group shares, `follower` mirrors the leader's,
 * `own` has a connection to itself (`shareAcrossTabs: false`, or sharing is not possible), `none` before `connect()`,
 * while joining and after `close()`.
 */
export type TabRole = 'leader' | 'follower' | 'own' | 'none';

interface TabFeed {
  connect(): void;
  markRead(id: NotificationId): void;
  close(): void;
}

const LEADER_LEFT = 'the tab holding the shared connection closed or crashed; another tab takes over';
// Lines said once per page, however many clients the page creates.
const saidOnce = new Set<string>();

function newTabId(): string {
  const crypto = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  return crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/**
 * The page's client as `getNotificationClient()` gives it: by default the tabs of this origin that connect to the
 * same URL as the same user share one connection (one tab leads and holds it, the others follow over a
 * BroadcastChannel; Web Locks elect the leader and hand over when it goes). Every tab sees the API of
 * {@link NotificationClient}: the same states, every notification once and in order, the same events.
 */
export class SharedNotificationClient<M extends NotificationTypeMap = NotificationTypeMap> {
  /** The current state, then every transition. */
  readonly state$: Observable<ConnectionState>;
  /** Every notification, once, in id order. */
  readonly notifications$: Observable<AnyNotification<M>>;
  /** Control and diagnostic events: `recovery-incomplete`, `bad-payload`, `duplicate`, `error`, ... */
  readonly events$: Observable<ClientEvent>;
  /** Every frame in and out of this tab's own connection, decoded (with `debug: true`; a follower has none). */
  readonly frames$: Observable<FrameRecord>;
  /** This tab's role: the current one first, then every change. */
  readonly role$: Observable<TabRole>;
  private readonly options: ResolvedClientOptions;
  private readonly connectionOptions: NotificationClientOptions;
  private readonly sharing: SharingOptions & { shareAcrossTabs: boolean };
  private readonly machine: ConnectionStateMachine;
  private readonly notificationSubject = new Subject<Notification>();
  private readonly eventSubject = new Subject<ClientEvent>();
  private readonly frameSubject = new Subject<FrameRecord>();
  private readonly roleSubject = new BehaviorSubject<TabRole>('none');
  private readonly recent = new RecentNotifications();
  private readonly joinRetry: ReconnectScheduler;
  private readonly tabId = newTabId();
  private dedupe: NotificationDedupe;
  private feed: TabFeed | undefined;
  private joinId = 0;
  /** `markRead` ids from before this tab joined its group or opened its connection. */
  private readonly readsWithoutFeed = new BoundedIdSet(RECEIPT_QUEUE_LIMITS.pending);

  /** Validates `options` (throwing `ClientOptionsError`); does not connect until {@link connect}. */
  constructor(options: SharedClientOptions) {
    const { sharing, connection } = splitSharingOptions(options);
    this.options = resolveClientOptions(connection);
    this.connectionOptions = connection;
    this.sharing = sharing;
    const { debug, logger, backoff, clock, random } = this.options;
    this.machine = new ConnectionStateMachine(this.options.strictTransitions, (error) => this.emitEvent({ kind: 'error', code: 'internal', message: error.message }));
    this.state$ = this.machine.changes$;
    this.notifications$ = this.notificationSubject.asObservable() as Observable<AnyNotification<M>>;
    this.events$ = this.eventSubject.asObservable();
    this.frames$ = this.frameSubject.asObservable();
    this.role$ = this.roleSubject.asObservable();
    this.dedupe = new NotificationDedupe(this.options.lastEventId);
    this.joinRetry = new ReconnectScheduler(backoff, clock, random);
    if (debug) {
      this.role$.pipe(skip(1)).subscribe((role) => logger(`tab role ${role}${role === 'follower' ? ' (the connection is in another tab)' : ''}`));
      // The connection's own client logs in the tab that holds it; a follower logs what it mirrors.
      this.state$.subscribe((state) => this.role === 'follower' && logger(`state ${state.state}${state.reason ? ` (${state.reason})` : ''}`, state));
      this.events$.subscribe((event) => this.role === 'follower' && logger(`event ${event.kind}`, event));
    }
  }

  /** The current state. */
  get state(): ConnectionState {
    return this.machine.current;
  }

  /** What the server said about the connection this tab uses (its own or the leader's), while connected. */
  get session(): SessionInfo | undefined {
    return this.machine.current.state === 'connected' ? this.machine.current.session : undefined;
  }

  /** The id of the last notification delivered to this tab. */
  get lastEventId(): NotificationId | undefined {
    return this.dedupe.lastId;
  }

  /** This tab's role now. */
  get role(): TabRole {
    return this.roleSubject.getValue();
  }

  /** Notifications of one type, typed by the page's {@link NotificationTypeMap}. */
  on<K extends keyof M & string>(type: K): Observable<Notification<M[K]>> {
    return this.notificationSubject.pipe(filter((n): n is Notification<M[K]> => n.type === type));
  }

  /**
   * Tells the initiator that the user read notification `id` (`{"read":[id]}` on the `receipt` route, batched, sent
   * once connected). In a follower tab the leader sends it, or the next leader if this one goes first. Throws a
   * `TypeError` when `id` is not a notification id.
   */
  markRead(id: NotificationId): void {
    const checked = checkedNotificationId(id, 'markRead');
    // A follower has no frames to log: say where the confirmation went instead.
    if (this.options.debug && this.role === 'follower') this.options.logger(`receipt read ${checked}: the leader tab sends it`);
    if (this.feed) return this.feed.markRead(checked);
    this.readsWithoutFeed.add(checked);
  }

  /** Joins the group (or connects on its own); after a stay-down, starts the connection again. Harmless otherwise. */
  connect(): void {
    if (this.machine.current.state !== 'disconnected') return;
    if (this.feed) return this.feed.connect();
    const platform = this.sharing.shareAcrossTabs ? tabPlatformOf(this.sharing) : undefined;
    if (platform === undefined) return this.startOwn(this.sharing.shareAcrossTabs ? 'this browser lacks Web Locks or BroadcastChannel' : undefined);
    this.setState('connecting', {});
    void this.join(++this.joinId, platform);
  }

  /** Leaves: a leader hands the connection to the next tab, the last tab closes it; idempotent. */
  close(): void {
    this.joinId += 1;
    this.joinRetry.cancel();
    const feed = this.feed;
    this.feed = undefined;
    feed?.close();
    if (this.role !== 'none') this.roleSubject.next('none');
    if (this.machine.current.state !== 'disconnected') this.setState('disconnected', { reason: 'closed', message: 'closed by the page' });
  }

  /** Emits `options-ignored` for `keys`; used by `getNotificationClient()` when asked again with other options. */
  reportIgnoredOptions(keys: string[]): void {
    this.emitEvent({ kind: 'options-ignored', keys });
  }

  private async join(id: number, platform: TabPlatform): Promise<void> {
    const identity = await this.identity(id, platform);
    if (id !== this.joinId || identity === null) return;
    if (identity === undefined) return this.startOwn('no userId, and no token with a readable sub, to tell the tabs of different users apart');
    const group = new TabGroup(platform, sharingGroupName(this.options.urls, identity), this.tabId, this.groupHost(identity));
    this.useFeed(group);
    group.start();
  }

  // Who this tab connects as, to pick its group: `null` when the token provider failed (a retry is scheduled),
  // `undefined` when the client cannot tell (an opaque token, or no identity at all).
  private async identity(id: number, platform: TabPlatform): Promise<TabIdentity | undefined | null> {
    const { token, userId } = this.options;
    if (token === undefined) return userId === undefined ? undefined : { userId };
    const outcome = await fetchToken(token);
    if (id !== this.joinId) return null;
    if (!outcome.ok) {
      this.emitEvent({ kind: 'error', code: 'token-provider', message: outcome.problem });
      const next = this.joinRetry.schedule(() => {
        this.setState('connecting', {});
        void this.join(++this.joinId, platform);
      });
      this.setState('reconnecting', { reason: 'token-unavailable', message: outcome.problem, attempt: next.attempt, retryInMs: next.delayMs });
      return null;
    }
    const sub = outcome.token === undefined ? undefined : jwtSubject(outcome.token);
    return sub === undefined ? undefined : { ...(userId === undefined ? {} : { userId }), sub };
  }

  private startOwn(why: string | undefined): void {
    if (why !== undefined) this.sayOnce(`one connection per tab: ${why}`);
    const feed = new ConnectionFeed(this.openConnection(this.lastEventId, undefined), {
      feed: (message) => this.apply(message),
      frame: (record) => this.frameSubject.next(record),
    });
    this.useFeed(feed);
    this.roleSubject.next('own');
    feed.connect();
  }

  private useFeed(feed: TabFeed): void {
    this.feed = feed;
    const reads = this.readsWithoutFeed.values();
    this.readsWithoutFeed.clear();
    for (const id of reads) feed.markRead(id);
  }

  // The connection this tab holds resumes after the last id it delivered. In a group it only ever connects as the
  // group's user: a token for someone else (another tab logged in as another user) is refused before it is sent.
  private openConnection(lastEventId: NotificationId | undefined, identity: TabIdentity | undefined): NotificationClient {
    const { token } = this.options;
    const sub = identity?.sub;
    const guarded: TokenProvider | undefined =
      token === undefined || sub === undefined
        ? token
        : async () => {
            const value = await token();
            if (typeof value === 'string' && value !== '' && jwtSubject(value) !== sub) {
              throw new Error('the token is for another user than the one this tab shares a connection as: call closeNotificationClient() and getNotificationClient() to switch users');
            }
            return value;
          };
    return new NotificationClient({ ...this.connectionOptions, lastEventId, token: guarded });
  }

  private groupHost(identity: TabIdentity): TabGroupHost {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the host's getters read this client's current values
    const client = this;
    return {
      get state() {
        return client.machine.current;
      },
      get lastEventId() {
        return client.dedupe.lastId;
      },
      catchUpAfter: (id) => (id === undefined ? { notifications: this.recent.all(), complete: true } : this.recent.after(id, this.dedupe.lastId)),
      apply: (message) => this.apply(message),
      frame: (record) => this.frameSubject.next(record),
      startAfter: (id) => {
        if (this.dedupe.lastId === undefined && id !== undefined) this.dedupe = new NotificationDedupe(id);
      },
      leaderLeft: () => {
        if (this.machine.current.state === 'connected') this.setState('reconnecting', { reason: 'leader-left', message: LEADER_LEFT });
      },
      roleChanged: (role) => this.roleSubject.next(role),
      openConnection: (lastEventId) => this.openConnection(lastEventId, identity),
      error: (message) => this.emitEvent({ kind: 'error', code: 'internal', message }),
    };
  }

  // Ids this tab already delivered are dropped without an event: around a hand-over they are expected (a new leader
  // resumes after its own last id, which may lie before another tab's).
  private apply(message: FeedMessage): void {
    if (message.kind === 'state') return this.follow(message.state);
    if (message.kind === 'event') return this.emitEvent(message.event);
    if (!this.dedupe.accept(message.notification)) return;
    this.recent.add(message.notification);
    this.notificationSubject.next(message.notification);
  }

  private follow(target: ConnectionState): void {
    const { state, reason, ...details } = target;
    const steps = followStatePath(this.machine.current.state, state);
    steps.forEach((step, index) => {
      if (index === steps.length - 1) this.setState(step, { reason, ...details });
      else this.setState(step, {});
    });
  }

  private sayOnce(line: string): void {
    if (!this.options.debug || saidOnce.has(line)) return;
    saidOnce.add(line);
    this.options.logger(line);
  }

  private emitEvent(event: ClientEvent): void {
    this.eventSubject.next(event);
  }

  private setState(next: ConnectionStateName, details: StateDetails): void {
    const { reason, ...rest } = details;
    this.machine.setState(next, reason, rest);
  }
}
