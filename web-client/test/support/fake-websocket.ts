type Listener = (event: unknown) => void;

/**
 * The part of the browser's WebSocket that rsocket-js 1.0 uses, driven by the test: `open()`, `receive(bytes)`,
 * `drop()`. What the client sends goes to `onSend`.
 */
export class FakeWebSocket {
  binaryType = 'blob';
  readyState = 0;
  closedByClient = false;
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(
    readonly url: string,
    private readonly onSend: (bytes: Buffer) => void,
  ) {}

  addEventListener(type: string, listener: Listener): void {
    const set = this.listeners.get(type) ?? new Set();
    set.add(listener);
    this.listeners.set(type, set);
  }

  removeEventListener(type: string, listener: Listener): void {
    this.listeners.get(type)?.delete(listener);
  }

  send(data: Uint8Array): void {
    if (this.readyState !== 1) throw new Error('FakeWebSocket: send while not open');
    this.onSend(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }

  close(): void {
    if (this.readyState === 3) return;
    this.closedByClient = true;
    this.readyState = 3;
  }

  /** Server side: the handshake succeeded. */
  open(): void {
    this.readyState = 1;
    this.dispatch('open', {});
  }

  /** Server side: the handshake failed. */
  fail(message: string): void {
    this.readyState = 3;
    this.dispatch('error', { error: new Error(message) });
    this.dispatch('close', { code: 1006, reason: '' });
  }

  /** Server side: one binary message to the client. */
  receive(bytes: Uint8Array): void {
    if (this.readyState !== 1) return;
    const copy = new Uint8Array(bytes);
    this.dispatch('message', { data: copy.buffer });
  }

  /** Server side: the connection dropped (code 1006) or closed. */
  drop(code = 1006, reason = ''): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.dispatch('close', { code, reason });
  }

  private dispatch(type: string, event: unknown): void {
    for (const listener of [...(this.listeners.get(type) ?? [])]) listener(event);
  }
}
