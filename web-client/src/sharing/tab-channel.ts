import { parseTabMessage, type TabMessage } from './tab-message.js';
import type { BroadcastChannelConstructor, TabChannelPort } from './tab-platform.js';

/** The BroadcastChannel of one group, typed: posts {@link TabMessage}s and hands on well-formed ones from other tabs. */
export class TabChannel {
  private readonly port: TabChannelPort;
  private closed = false;

  constructor(
    BroadcastChannelImpl: BroadcastChannelConstructor,
    name: string,
    onMessage: (message: TabMessage) => void,
    private readonly onError: (error: unknown) => void,
  ) {
    this.port = new BroadcastChannelImpl(name);
    this.port.addEventListener('message', (event) => {
      if (this.closed) return;
      const message = parseTabMessage(event.data);
      if (message !== undefined) onMessage(message);
    });
  }

  /** Sends `message` to every other tab of the group (never back to this one). */
  post(message: TabMessage): void {
    if (this.closed) return;
    try {
      this.port.postMessage(message);
    } catch (error) {
      this.onError(error); // e.g. a value that cannot be cloned; the tab goes on, the others miss this one message
    }
  }

  /** Stops sending and receiving; idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.port.close();
  }
}
