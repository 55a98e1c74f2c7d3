import type { Notification, NotificationId, ReceiptConfirmation, SessionInfo } from '@notification-transport/contract';
import { filter, Subject, type Observable } from 'rxjs';
import type { ClientEvent } from './client-event.js';
import { resolveClientOptions, type NotificationClientOptions, type ResolvedClientOptions } from './client-options.js';
import type { TimerHandle } from './clock.js';
import { ConnectionStateMachine, type ConnectionState, type ConnectionStateName, type StateDetails } from './connection-state.js';
import { CreditWindow } from './credit-window.js';
import { exposeFrameDecoder } from './debug-switch.js';
import { fetchToken } from './fetch-token.js';
import { formatFrame, type FrameRecord } from './frame-log.js';
import { NotificationIntake } from './notification-intake.js';
import type { AnyNotification, NotificationTypeMap } from './notification-types.js';
import { reconnectDecision } from './reconnect-decision.js';
import { checkedNotificationId } from './receipts/checked-notification-id.js';
import { ReceiptSender } from './receipts/receipt-sender.js';
import { ReconnectScheduler } from './reconnect-scheduler.js';
import { rsocketSessionOpener } from './rsocket-session.js';
import type { Session, SessionEnd, SessionHandlers, SessionOpener } from './session-transport.js';

interface LiveAttempt {
  id: number;
  url: string;
  session: Session | undefined;
  credits: CreditWindow;
  timeout: TimerHandle;
}

/**
 * One RSocket-over-WebSocket connection feeding an rxjs event bus: reconnects by the contract's reason tokens with
 * full-jitter backoff, resumes with `lastEventId`, never delivers an id twice, grants credits in windows, and turns
 * everything the server may get wrong into `events$` instead of exceptions. Use `getNotificationClient()` for the
 * one-per-page instance.
 */
export class NotificationClient<M extends NotificationTypeMap = NotificationTypeMap> {
  /** The current state, then every transition. */
  readonly state$: Observable<ConnectionState>;
  /** Every notification, once, in id order per connection. */
  readonly notifications$: Observable<AnyNotification<M>>;
  /** Control and diagnostic events: `recovery-incomplete`, `bad-payload`, `duplicate`, `error`, ... */
  readonly events$: Observable<ClientEvent>;
  /** Every frame in and out, decoded (only while debugging: `debug: true` or the `localStorage` switch). */
  readonly frames$: Observable<FrameRecord>;
  /** Every receipt confirmation as it is written to the connection (REQUEST_FNF on the `receipt` route). */
  readonly receiptsSent$: Observable<ReceiptConfirmation>;
  private readonly options: ResolvedClientOptions;
  private readonly machine: ConnectionStateMachine;
  private readonly notificationSubject = new Subject<Notification>();
  private readonly eventSubject = new Subject<ClientEvent>();
  private readonly frameSubject = new Subject<FrameRecord>();
  private readonly receiptSubject = new Subject<ReceiptConfirmation>();
  private readonly receipts: ReceiptSender;
  private readonly intake: NotificationIntake;
  private readonly scheduler: ReconnectScheduler;
  private readonly openSession: SessionOpener;
  private live: LiveAttempt | undefined;
  private attemptId = 0;
  private urlIndex = 0;
  private tokenRefreshUsed = false;
  private stopOnline: (() => void) | undefined;

  /** Validates `options` (throwing `ClientOptionsError`); does not connect until {@link connect}. */
  constructor(options: NotificationClientOptions) {
    this.options = resolveClientOptions(options);
    const { debug, logger, clock, backoff, random } = this.options;
    this.machine = new ConnectionStateMachine(this.options.strictTransitions, (error) => this.emit({ kind: 'error', code: 'internal', message: error.message }));
    this.state$ = this.machine.changes$;
    this.notifications$ = this.notificationSubject.asObservable() as Observable<AnyNotification<M>>;
    this.events$ = this.eventSubject.asObservable();
    this.frames$ = this.frameSubject.asObservable();
    this.receiptsSent$ = this.receiptSubject.asObservable();
    this.receipts = new ReceiptSender(clock, {
      send: (confirmation) => this.machine.current.state === 'connected' && this.live?.session?.confirm(confirmation) === true,
      sent: (confirmation) => this.receiptSubject.next(confirmation),
      dropped: (count) => this.emit({ kind: 'error', code: 'receipt-overflow', message: `${count} receipt confirmation(s) waiting for a connection were dropped (the queue is bounded)` }),
    });
    this.intake = new NotificationIntake({ notification: (n) => this.deliver(n), event: (e) => this.emit(e) }, this.options.lastEventId);
    this.scheduler = new ReconnectScheduler(backoff, clock, random);
    this.openSession = rsocketSessionOpener(this.options.WebSocket, () => clock.now());
    if (this.options.debugSwitch) exposeFrameDecoder(logger);
    if (debug) {
      this.state$.subscribe((state) => logger(`state ${state.state}${state.reason ? ` (${state.reason})` : ''}`, state));
      this.events$.subscribe((event) => logger(`event ${event.kind}`, event));
    }
  }

  /** The current state. */
  get state(): ConnectionState {
    return this.machine.current;
  }

  /** What the server said about the current connection, while connected. */
  get session(): SessionInfo | undefined {
    return this.machine.current.state === 'connected' ? this.machine.current.session : undefined;
  }

  /** The id of the last notification delivered: a reconnect resumes after it. */
  get lastEventId(): NotificationId | undefined {
    return this.intake.lastEventId;
  }

  /** Notifications of one type, typed by the page's {@link NotificationTypeMap}. */
  on<K extends keyof M & string>(type: K): Observable<Notification<M[K]>> {
    return this.notificationSubject.pipe(filter((n): n is Notification<M[K]> => n.type === type));
  }

  /**
   * Tells the initiator that the user read notification `id` (REQUEST_FNF `{"read":[id]}` on the `receipt` route,
   * batched with others, sent once connected). Returns false when a `read` for `id` was already sent, so nothing more
   * goes out. Throws a `TypeError` when `id` is not a notification id.
   */
  markRead(id: NotificationId): boolean {
    return this.receipts.read(checkedNotificationId(id, 'markRead')) !== 'sent';
  }

  /**
   * Confirms `delivered` for `id`, a notification with a receipt that reached the page by another way than this
   * connection (a tab that takes over a shared connection confirms what it was handed while following). Notifications
   * this client delivers itself are confirmed without this call. For the shared connection's hand-over, not for pages.
   * @internal
   */
  confirmDelivered(id: NotificationId): void {
    this.receipts.delivered(checkedNotificationId(id, 'confirmDelivered'));
  }

  /** Starts connecting (and reconnecting); does nothing unless disconnected, so calling it again is harmless. */
  connect(): void {
    if (this.machine.current.state !== 'disconnected') return;
    this.tokenRefreshUsed = false;
    this.scheduler.reset();
    this.stopOnline = this.options.online(() => this.onOnline());
    void this.attempt();
  }

  /** Closes the connection and stops reconnecting; idempotent. `connect()` may start again later. */
  close(): void {
    this.receipts.flush(); // what was confirmed goes out before the connection closes; the rest waits for connect()
    this.attemptId += 1;
    this.scheduler.cancel();
    this.dropLive()?.close();
    this.stopOnline?.();
    this.stopOnline = undefined;
    if (this.machine.current.state !== 'disconnected') this.setState('disconnected', { reason: 'closed', message: 'closed by the page' });
  }

  /** Emits `options-ignored` for `keys`; used by `getNotificationClient()` when asked again with other options. */
  reportIgnoredOptions(keys: string[]): void {
    this.emit({ kind: 'options-ignored', keys });
  }

  private async attempt(): Promise<void> {
    const id = ++this.attemptId;
    const url = this.options.urls[this.urlIndex % this.options.urls.length] ?? '';
    const credits = new CreditWindow(this.options.creditWindow);
    const timeout = this.options.clock.setTimeout(() => this.onTimeout(id), this.options.connectTimeout);
    const live: LiveAttempt = { id, url, session: undefined, credits, timeout };
    this.live = live;
    this.setState('connecting', { url });
    const token = await this.resolveToken(id);
    if (id !== this.attemptId || token === null) return;
    const request = { url, token, userId: this.options.userId, keepAlive: this.options.keepAlive, lifetime: this.options.lifetime };
    const onFrame = this.options.debug ? (record: FrameRecord) => this.onFrame(record) : undefined;
    const session = this.openSession({ ...request, lastEventId: this.intake.streamOpened(), credits: credits.open() }, this.handlers(id), onFrame);
    live.session = session;
  }

  // The token provider runs before every attempt; a failure is an event and a reason to retry later, never a throw.
  private async resolveToken(id: number): Promise<string | undefined | null> {
    const outcome = await fetchToken(this.options.token);
    if (outcome.ok) return outcome.token;
    if (id === this.attemptId) {
      this.emit({ kind: 'error', code: 'token-provider', message: outcome.problem });
      this.handleEnd(id, { reason: 'token-unavailable', message: outcome.problem });
    }
    return null;
  }

  private handlers(id: number): SessionHandlers {
    return {
      onSession: (info) => {
        if (id !== this.attemptId || !this.live) return;
        this.options.clock.clearTimeout(this.live.timeout);
        this.scheduler.reset();
        this.tokenRefreshUsed = false;
        this.setState('connected', { session: info, url: this.live.url });
        this.receipts.flush(); // confirmations that waited for a connection (e.g. across a reconnect)
      },
      onPayload: (text) => {
        if (id !== this.attemptId || !this.live) return;
        const { credits, session } = this.live;
        try {
          this.intake.receive(text);
        } finally {
          const grant = credits.handled();
          if (grant > 0) session?.request(grant);
        }
      },
      onEnd: (end) => this.handleEnd(id, end),
    };
  }

  private handleEnd(id: number, end: SessionEnd): void {
    if (id !== this.attemptId) return;
    this.attemptId += 1;
    this.dropLive();
    if (end.reason === 'protocol-error') this.emit({ kind: 'error', code: 'protocol', message: end.message });
    const advice = reconnectDecision(end.reason, this.tokenRefreshUsed);
    if (advice === 'stay-down') {
      this.stopOnline?.();
      this.stopOnline = undefined;
      this.setState('disconnected', { reason: end.reason, message: end.message });
      return;
    }
    if (advice === 'refresh-token') this.tokenRefreshUsed = true;
    this.urlIndex += 1;
    const next = this.scheduler.schedule(() => void this.attempt(), advice === 'refresh-token');
    const url = this.options.urls[this.urlIndex % this.options.urls.length];
    this.setState('reconnecting', { reason: end.reason, message: end.message, attempt: next.attempt, retryInMs: next.delayMs, url });
  }

  // A notification with a receipt is confirmed `delivered` once every subscriber of notifications$ and on(type) was
  // called with it: handed to the page, which is what `delivered` tells the initiator (not that a person saw it).
  private deliver(notification: Notification): void {
    this.notificationSubject.next(notification);
    if (notification.receipt === true) this.receipts.delivered(notification.id);
  }

  private onTimeout(id: number): void {
    if (id !== this.attemptId) return;
    const session = this.live?.session;
    const message = `no answer from the session route within ${this.options.connectTimeout} ms`;
    this.handleEnd(id, { reason: 'session-timeout', message });
    session?.close();
  }

  private onOnline(): void {
    if (this.machine.current.state === 'reconnecting') this.scheduler.runNow();
  }

  private onFrame(record: FrameRecord): void {
    this.frameSubject.next(record);
    this.options.logger(formatFrame(record), record);
  }

  private dropLive(): Session | undefined {
    const live = this.live;
    this.live = undefined;
    if (live) this.options.clock.clearTimeout(live.timeout);
    return live?.session;
  }

  private emit(event: ClientEvent): void {
    this.eventSubject.next(event);
  }

  private setState(next: ConnectionStateName, details: StateDetails): void {
    const { reason, ...rest } = details;
    this.machine.setState(next, reason, rest);
  }
}
