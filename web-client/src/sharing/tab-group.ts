import { compareNotificationIds, type NotificationId } from '@notification-transport/contract';
import type { ConnectionState } from '../connection-state.js';
import type { FrameRecord } from '../frame-log.js';
import type { NotificationClient } from '../notification-client.js';
import { ConnectionFeed } from './connection-feed.js';
import { LeaderElection } from './leader-election.js';
import { ReceiptRelay } from './receipt-relay.js';
import type { CatchUp } from './recent-notifications.js';
import { TabChannel } from './tab-channel.js';
import type { FeedMessage, TabMessage } from './tab-message.js';
import type { TabPlatform } from './tab-platform.js';

/** A tab's part in its group: the leader holds the connection, a follower mirrors it. */
export type GroupRole = 'leader' | 'follower';

/** What a {@link TabGroup} needs from its tab: the tab's delivery state, and where to apply what the group produces. */
export interface TabGroupHost {
  /** The tab's state now: what a welcome tells a joining tab. */
  readonly state: ConnectionState;
  /** The id of the last notification this tab delivered. */
  readonly lastEventId: NotificationId | undefined;
  /** What this tab can give a tab whose last notification was `id`, or one of the group never given any (`undefined`). */
  catchUpAfter(id: NotificationId | undefined): CatchUp;
  /** Applies one state transition, notification or event to the tab (duplicates are dropped there). */
  apply(message: FeedMessage): void;
  /** A frame of this tab's own connection (leader only). */
  frame(record: FrameRecord): void;
  /** A tab that joins afresh starts after the leader's last id: nothing before it was committed for this tab. */
  startAfter(id: NotificationId | undefined): void;
  /** The tab that held the connection is gone; another takes over. */
  leaderLeft(): void;
  /** This tab became leader or follower. */
  roleChanged(role: GroupRole): void;
  /** The connection a new leader opens, resuming after `lastEventId`. */
  openConnection(lastEventId: NotificationId | undefined): NotificationClient;
  /** Something failed that the group handled; reported, never thrown. */
  error(message: string): void;
}

interface PendingHello {
  nonce: number;
  after: NotificationId | undefined;
  /** Events from the leader while the welcome is on its way; notifications need no holding (the welcome covers them). */
  heldEvents: Array<FeedMessage & { from: string }>;
}

const MAX_HELD_EVENTS = 100;
const RECOVERY_MESSAGE = 'the tab holding the shared connection no longer keeps every notification after lastEventId; re-sync from your own API';

/**
 * The tabs of one origin that connect to one URL as one user: whoever holds the group's Web Lock leads, keeps the one
 * connection and fans everything it produces out over the group's BroadcastChannel; the others follow.
 *
 * Nothing is lost or repeated across a hand-over: a follower tells each new leader (`hello`) the last id it was given;
 * the leader resumes its connection after its own last id (the server re-sends anything after it), or, never given
 * any, after the newest id it saw go by on the channel, and answers
 * (`welcome`) with its state and whatever the follower is missing from its recent notifications. Every tab drops ids
 * it already delivered, so the overlap of the two is harmless.
 *
 * Receipts are confirmed once per browser, by the leader's connection; a follower's `markRead` goes to the leader
 * (`read`), and the leader says what it wrote (`receipts`). What a follower is owed until then goes again to each new
 * leader, or to its own connection when it takes the lead itself.
 */
export class TabGroup {
  private readonly channel: TabChannel;
  private readonly election: LeaderElection;
  private leaderId: string | undefined;
  private pending: PendingHello | undefined;
  private nonce = 0;
  /** Whether a leader of this group welcomed this tab: from then on it is owed every notification. */
  private joined = false;
  private connection: ConnectionFeed | undefined;
  /** The newest notification id any tab of the group was seen to hold or be given (hellos, welcomes, the feed). */
  private newestSeen: NotificationId | undefined;
  private closed = false;
  private readonly receipts = new ReceiptRelay();

  constructor(
    platform: TabPlatform,
    name: string,
    private readonly tabId: string,
    private readonly host: TabGroupHost,
  ) {
    const onError = (what: string) => (error: unknown) => host.error(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    this.channel = new TabChannel(platform.BroadcastChannel, name, (message) => this.onMessage(message), onError('tab channel'));
    this.election = new LeaderElection(platform.locks, name, () => this.becomeLeader(), onError('tab lock'));
  }

  /** Joins: asks a leader for its state and queues for the lead. */
  start(): void {
    this.host.roleChanged('follower');
    this.sayHello(false);
    this.election.start();
  }

  /** Starts the shared connection again after it stayed down (the leader's own, or asked of the leader). */
  connect(): void {
    if (this.connection) return this.connection.connect();
    this.host.apply({ kind: 'state', state: { state: 'connecting' } }); // at once, as a connection of its own would
    this.sayHello(true);
  }

  /**
   * Confirms `read` for `id`: on the leader's own connection, or, in a follower, by the leader (sent again to every
   * new leader until one says it wrote it).
   */
  markRead(id: NotificationId): void {
    if (this.connection) {
      this.connection.markRead(id);
      return;
    }
    if (this.receipts.read(id)) this.channel.post({ kind: 'read', from: this.tabId, ids: [id] });
  }

  /** Leaves the group: a leader hands over (the next tab in line takes the lock), a follower stops waiting; idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.connection) {
      this.channel.post({ kind: 'resign', from: this.tabId });
      this.connection.close();
      this.connection = undefined;
    }
    this.election.stop();
    this.channel.close();
  }

  private becomeLeader(): void {
    if (this.closed) return;
    const wasFollowing = this.leaderId !== undefined;
    this.pending = undefined;
    this.leaderId = this.tabId;
    if (wasFollowing) this.host.leaderLeft();
    this.channel.post({ kind: 'leader', from: this.tabId });
    this.host.roleChanged('leader');
    // A tab never given a notification (its welcome was still on its way) resumes after the newest id it saw go by,
    // so what is sent during the hand-over reaches every tab; one given some resumes after its own (the server
    // re-sends what other tabs already have, and they drop it).
    if (this.host.lastEventId === undefined && this.newestSeen !== undefined) this.host.startAfter(this.newestSeen);
    const client = this.host.openConnection(this.host.lastEventId);
    this.connection = new ConnectionFeed(client, {
      feed: (message) => this.fanOut(message),
      frame: (record) => this.host.frame(record),
      receipts: (confirmation) => this.channel.post({ kind: 'receipts', from: this.tabId, confirmation }),
    });
    // The leader confirms for the whole browser: what this tab owed as a follower is now its own connection's to send.
    this.receipts.handOver(this.connection);
    this.connection.connect();
  }

  private fanOut(message: FeedMessage): void {
    this.channel.post({ ...message, from: this.tabId });
    this.host.apply(message);
  }

  private onMessage(message: TabMessage): void {
    this.see(message);
    switch (message.kind) {
      case 'hello':
        return this.welcome(message);
      case 'leader':
        return this.follow(message.from);
      case 'resign':
        if (message.from === this.leaderId && !this.connection) {
          this.leaderId = undefined;
          this.host.leaderLeft();
        }
        return;
      case 'welcome':
        return this.onWelcome(message);
      case 'read':
        return this.onRead(message.ids);
      case 'receipts':
        if (!this.connection) this.receipts.acknowledge(message.confirmation);
        return;
      default:
        return this.onFeed(message);
    }
  }

  private see(message: TabMessage): void {
    const id = message.kind === 'notification' ? message.notification.id : message.kind === 'hello' || message.kind === 'welcome' ? message.lastEventId : undefined;
    if (id !== undefined && (this.newestSeen === undefined || compareNotificationIds(id, this.newestSeen) > 0)) this.newestSeen = id;
  }

  private follow(leader: string): void {
    if (this.connection) return this.host.error(`tab ${leader} claims the lead this tab holds`); // Web Locks rule it out
    if (this.leaderId !== undefined && this.leaderId !== leader) this.host.leaderLeft();
    this.leaderId = leader;
    this.sayHello(false);
  }

  private sayHello(connect: boolean): void {
    this.nonce += 1;
    const after = this.host.lastEventId;
    this.pending = { nonce: this.nonce, after, heldEvents: [] };
    this.channel.post({ kind: 'hello', from: this.tabId, nonce: this.nonce, lastEventId: after, joined: this.joined, connect });
  }

  private welcome(hello: Extract<TabMessage, { kind: 'hello' }>): void {
    if (!this.connection) return;
    if (hello.connect) this.connection.connect();
    // A tab joining afresh starts after the leader's last id; one that joined before is owed all it missed.
    const catchUp = hello.lastEventId === undefined && !hello.joined ? { notifications: [], complete: true } : this.host.catchUpAfter(hello.lastEventId);
    this.channel.post({
      kind: 'welcome',
      from: this.tabId,
      to: hello.from,
      nonce: hello.nonce,
      state: this.host.state,
      lastEventId: this.host.lastEventId,
      catchUp: catchUp.notifications,
      complete: catchUp.complete,
    });
  }

  private onWelcome(welcome: Extract<TabMessage, { kind: 'welcome' }>): void {
    const pending = this.pending;
    if (welcome.to !== this.tabId || pending?.nonce !== welcome.nonce || this.connection) return;
    this.pending = undefined;
    this.leaderId = welcome.from;
    const firstWelcome = !this.joined;
    this.joined = true;
    if (pending.after === undefined && firstWelcome) this.host.startAfter(welcome.lastEventId);
    else if (!welcome.complete && pending.after !== undefined) {
      const payload = { lastEventId: pending.after, message: RECOVERY_MESSAGE };
      this.host.apply({ kind: 'event', event: { kind: 'recovery-incomplete', lastEventId: pending.after, payload } });
    }
    this.host.apply({ kind: 'state', state: welcome.state });
    for (const notification of welcome.catchUp) this.host.apply({ kind: 'notification', notification });
    for (const held of pending.heldEvents) if (held.from === welcome.from) this.host.apply(held);
    const reads = this.receipts.pendingReads;
    if (reads.length > 0) this.channel.post({ kind: 'read', from: this.tabId, ids: reads }); // to this leader too
  }

  // A follower's reads: the leader's connection sends them; ids it had written already are acknowledged at once.
  private onRead(ids: NotificationId[]): void {
    if (!this.connection) return;
    const written = ids.filter((id) => !this.connection?.markRead(id));
    if (written.length > 0) this.channel.post({ kind: 'receipts', from: this.tabId, confirmation: { read: written } });
  }

  // Feed messages count only from the known leader. Before the welcome, notifications and states are left out (the
  // welcome brings the state and every notification up to it); events are kept for after it, within a bound.
  private onFeed(message: FeedMessage & { from: string }): void {
    if (this.connection) return;
    if (this.pending) {
      if (message.kind === 'event' && this.pending.heldEvents.length < MAX_HELD_EVENTS) this.pending.heldEvents.push(message);
      return;
    }
    if (message.from !== this.leaderId) return;
    if (message.kind === 'notification' && message.notification.receipt === true) this.receipts.seen(message.notification.id);
    this.host.apply(message);
  }
}
