import type { BroadcastChannelConstructor, TabChannelPort, TabLocks } from '../../src/sharing/tab-platform.js';

interface LockRequest {
  tab: MemoryTab;
  callback: () => Promise<void>;
  granted: boolean;
  settle: (error?: unknown) => void;
}

interface Delivery {
  from: MemoryTab;
  to: MemoryChannel;
  data: unknown;
}

function abortError(): Error {
  const error = new Error('the lock request was aborted');
  error.name = 'AbortError';
  return error;
}

/** One BroadcastChannel object of a {@link MemoryTab}. */
class MemoryChannel implements TabChannelPort {
  private readonly listeners = new Set<(event: MessageEvent) => void>();
  closed = false;

  constructor(
    readonly tab: MemoryTab,
    readonly name: string,
  ) {}

  postMessage(message: unknown): void {
    if (this.closed) throw new Error('InvalidStateError: the channel is closed');
    this.tab.browser.broadcast(this, structuredClone(message));
  }

  addEventListener(_type: 'message', listener: (event: MessageEvent) => void): void {
    this.listeners.add(listener);
  }

  close(): void {
    this.closed = true;
  }

  dispatch(data: unknown): void {
    if (this.closed) return;
    for (const listener of [...this.listeners]) listener({ data } as MessageEvent);
  }
}

/**
 * One tab of a {@link MemoryBrowser}: its `locks` and `BroadcastChannel` to inject, and what a test does to a tab
 * (crash it, hold back what reaches it).
 */
export class MemoryTab {
  readonly locks: TabLocks;
  readonly BroadcastChannel: BroadcastChannelConstructor;
  crashed = false;
  private paused = false;
  private readonly inbox: Delivery[] = [];
  private draining = false;

  constructor(readonly browser: MemoryBrowser) {
    this.locks = { request: (name, options, callback) => browser.requestLock(this, name, options.signal, callback) };
    const open = (name: string): MemoryChannel => browser.openChannel(new MemoryChannel(this, name));
    // A plain function so it can be called with `new`; returning an object makes that object the instance.
    this.BroadcastChannel = function MemoryBroadcastChannel(name: string) {
      return open(name);
    } as unknown as BroadcastChannelConstructor;
  }

  /** How many messages wait to be delivered to this tab (none once it has read everything sent to it). */
  get undelivered(): number {
    return this.inbox.length;
  }

  /** The renderer dies: its locks are released and its channels closed, with no callback into the tab. */
  crash(options: { loseUndelivered?: boolean } = {}): void {
    this.crashed = true;
    this.browser.forget(this, options.loseUndelivered === true);
  }

  /** Holds back messages to this tab until {@link resume}. */
  pause(): void {
    this.paused = true;
  }

  /** Delivers what was held back, in order. */
  resume(): void {
    this.paused = false;
    this.schedule();
  }

  /** Queues one message for this tab; delivered in a later task, as browsers do. */
  enqueue(delivery: Delivery): void {
    this.inbox.push(delivery);
    this.schedule();
  }

  /** Drops the messages from `sender` not yet delivered here. */
  dropFrom(sender: MemoryTab): void {
    for (let i = this.inbox.length - 1; i >= 0; i -= 1) if (this.inbox[i]?.from === sender) this.inbox.splice(i, 1);
  }

  private schedule(): void {
    if (this.draining || this.paused || this.inbox.length === 0) return;
    this.draining = true;
    setImmediate(() => {
      this.draining = false;
      const next = this.paused || this.crashed ? undefined : this.inbox.shift();
      next?.to.dispatch(next.data);
      this.schedule();
    });
  }
}

/**
 * An in-memory twin of what one browser profile gives the tabs of one origin: Web Locks (exclusive, granted in
 * request order, released when the holder's callback settles or its tab crashes) and BroadcastChannel (structured
 * clones, delivered to every other channel of the name, in order, never to the sender).
 */
export class MemoryBrowser {
  private readonly queues = new Map<string, LockRequest[]>();
  private readonly channels = new Set<MemoryChannel>();
  readonly tabs: MemoryTab[] = [];

  /** Opens a tab. */
  openTab(): MemoryTab {
    const tab = new MemoryTab(this);
    this.tabs.push(tab);
    return tab;
  }

  /** The tab holding lock `name`, if any. */
  holder(name: string): MemoryTab | undefined {
    const head = this.queues.get(name)?.[0];
    return head?.granted ? head.tab : undefined;
  }

  /** Names of the locks requested so far (held or waiting). */
  lockNames(): string[] {
    return [...this.queues.entries()].filter(([, queue]) => queue.length > 0).map(([name]) => name);
  }

  /** How many requests wait for lock `name` (not counting the holder). */
  waiting(name: string): number {
    return (this.queues.get(name) ?? []).filter((request) => !request.granted).length;
  }

  requestLock(tab: MemoryTab, name: string, signal: AbortSignal | undefined, callback: () => Promise<void>): Promise<unknown> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError());
      const request: LockRequest = { tab, callback, granted: false, settle: (error) => (error === undefined ? resolve() : reject(error as Error)) };
      const queue = this.queues.get(name) ?? [];
      this.queues.set(name, queue);
      queue.push(request);
      signal?.addEventListener('abort', () => {
        if (request.granted || !queue.includes(request)) return;
        queue.splice(queue.indexOf(request), 1);
        request.settle(abortError());
      });
      this.grant(name);
    });
  }

  openChannel(channel: MemoryChannel): MemoryChannel {
    this.channels.add(channel);
    return channel;
  }

  broadcast(sender: MemoryChannel, data: unknown): void {
    for (const channel of this.channels) {
      if (channel !== sender && channel.name === sender.name && !channel.closed && !channel.tab.crashed) {
        channel.tab.enqueue({ from: sender.tab, to: channel, data });
      }
    }
  }

  forget(tab: MemoryTab, loseUndelivered: boolean): void {
    for (const channel of this.channels) if (channel.tab === tab) channel.close();
    if (loseUndelivered) for (const other of this.tabs) other.dropFrom(tab);
    for (const [name, queue] of this.queues) {
      for (let i = queue.length - 1; i >= 0; i -= 1) if (queue[i]?.tab === tab) queue.splice(i, 1);
      this.grant(name);
    }
  }

  private grant(name: string): void {
    const queue = this.queues.get(name) ?? [];
    const head = queue[0];
    if (head === undefined || head.granted) return;
    head.granted = true;
    queueMicrotask(() => {
      if (head.tab.crashed || !queue.includes(head)) return;
      head.callback().then(
        () => this.release(name, head),
        (error: unknown) => this.release(name, head, error),
      );
    });
  }

  private release(name: string, request: LockRequest, error?: unknown): void {
    const queue = this.queues.get(name) ?? [];
    if (!queue.includes(request)) return; // its tab crashed: already gone
    queue.splice(queue.indexOf(request), 1);
    request.settle(error);
    this.grant(name);
  }
}
