import type { Notification } from '@notification-transport/contract';
import type { ClientEvent } from '../../src/client-event.js';
import type { ConnectionState } from '../../src/connection-state.js';
import { SharedNotificationClient, type TabRole } from '../../src/sharing/shared-notification-client.js';
import type { SharedClientOptions } from '../../src/sharing/sharing-options.js';
import { FakeClock } from './fake-clock.js';
import type { FakeConnection, FakeRSocketServer } from './fake-rsocket-server.js';
import type { MemoryBrowser, MemoryTab } from './memory-browser.js';

/** One tab of a sharing test: its platform twin, its client, and everything the client emitted. */
export interface TabHarness {
  tab: MemoryTab;
  client: SharedNotificationClient;
  states: ConnectionState[];
  events: ClientEvent[];
  notifications: Notification[];
  roles: TabRole[];
  logs: string[];
}

const open: SharedNotificationClient[] = [];

/** Opens a tab in `browser` whose client (not yet connected) talks to `server`; `alice` in development mode by default. */
export function openTab(browser: MemoryBrowser, server: FakeRSocketServer, options: SharedClientOptions = {}, clock = new FakeClock()): TabHarness {
  const tab = browser.openTab();
  const logs: string[] = [];
  const client = new SharedNotificationClient({
    url: 'ws://fake.test/rsocket',
    userId: 'alice',
    WebSocket: server.WebSocket,
    clock,
    random: () => 0.5,
    online: () => () => {},
    logger: (line) => logs.push(line),
    strictTransitions: true,
    locks: tab.locks,
    BroadcastChannel: tab.BroadcastChannel,
    ...options,
  });
  open.push(client);
  const harness: TabHarness = { tab, client, states: [], events: [], notifications: [], roles: [], logs };
  client.state$.subscribe((state) => harness.states.push(state));
  client.events$.subscribe((event) => harness.events.push(event));
  client.notifications$.subscribe((notification) => harness.notifications.push(notification));
  client.role$.subscribe((role) => harness.roles.push(role));
  return harness;
}

/** Closes every client {@link openTab} created (the connections' rsocket-js keepalive timers are real). */
export function closeTabs(): void {
  for (const client of open.splice(0)) client.close();
}

/** The server's connections that are open: the client has not closed them and the server has not dropped them. */
export function openConnections(server: FakeRSocketServer): FakeConnection[] {
  return server.connections.filter((connection) => connection.socket.readyState === 1);
}

/** State names in order, e.g. for `['disconnected', 'connecting', 'connected']`. */
export function stateNames(harness: TabHarness): string[] {
  return harness.states.map((state) => (state.reason && state.state !== 'disconnected' ? `${state.state}(${state.reason})` : state.state));
}
