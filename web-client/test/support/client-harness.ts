import type { Notification } from '@notification-transport/contract';
import type { ClientEvent } from '../../src/client-event.js';
import type { NotificationClientOptions } from '../../src/client-options.js';
import type { ConnectionState } from '../../src/connection-state.js';
import type { FrameRecord } from '../../src/frame-log.js';
import { NotificationClient } from '../../src/notification-client.js';
import type { NotificationTypeMap } from '../../src/notification-types.js';
import { FakeClock } from './fake-clock.js';
import { FakeRSocketServer } from './fake-rsocket-server.js';

/** A client wired to a fake server, clock and `online` signal, recording everything it emits. */
export interface Harness<M extends NotificationTypeMap = NotificationTypeMap> {
  client: NotificationClient<M>;
  server: FakeRSocketServer;
  clock: FakeClock;
  states: ConnectionState[];
  events: ClientEvent[];
  notifications: Notification[];
  frames: FrameRecord[];
  logs: string[];
  /** Fires the injected `online` signal. */
  goOnline(): void;
  /** How many listeners the `online` signal has. */
  onlineListeners(): number;
}

const open: Array<NotificationClient> = [];

/** Creates (not connects) a client on fresh fakes; `random` defaults to 0.5 so delays are half their window. */
export function createHarness<M extends NotificationTypeMap = NotificationTypeMap>(options: NotificationClientOptions = {}): Harness<M> {
  const server = new FakeRSocketServer();
  const clock = new FakeClock();
  const listeners = new Set<() => void>();
  const logs: string[] = [];
  const client = new NotificationClient<M>({
    url: 'ws://fake.test/rsocket',
    userId: 'alice',
    WebSocket: server.WebSocket,
    clock,
    random: () => 0.5,
    online: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    logger: (line) => logs.push(line),
    strictTransitions: true,
    ...options,
  });
  open.push(client as unknown as NotificationClient);
  const harness: Harness<M> = {
    client,
    server,
    clock,
    states: [],
    events: [],
    notifications: [],
    frames: [],
    logs,
    goOnline: () => [...listeners].forEach((listener) => listener()),
    onlineListeners: () => listeners.size,
  };
  client.state$.subscribe((state) => harness.states.push(state));
  client.events$.subscribe((event) => harness.events.push(event));
  client.notifications$.subscribe((notification) => harness.notifications.push(notification));
  client.frames$.subscribe((frame) => harness.frames.push(frame));
  return harness;
}

/** Closes every client created by {@link createHarness} (their rsocket-js keepalive timers are real). */
export function closeHarnesses(): void {
  for (const client of open.splice(0)) client.close();
}

/** A well-formed notification with id `<n>-0`. */
export function notification(n: number, type = 'order.updated', payload: unknown = { n }): Notification {
  return { id: `${1_700_000_000_000 + n}-0`, type, payload, createdAt: new Date(0).toISOString() };
}
