import WebSocket from 'ws';

/** How much one connection may hold on its way out before it is a slow consumer. */
export interface OutboundBudget {
  /** Bytes that may wait in the socket's write buffer (`MAX_BUFFERED_BYTES`). */
  maxBufferedBytes: number;
  /** Notifications that may wait for REQUEST_N credit on the connection (`MAX_PENDING_PER_CONNECTION`). */
  maxWaiting: number;
}

/** Who is told when the budget is spent: the connection, which then ends with `[slow-consumer]`. */
export interface BudgetOwner {
  overBudget(detail: string): void;
}

/**
 * The one way out of a connection: every frame the server writes — PAYLOAD, KEEPALIVE echo, `session` answers,
 * ERRORs — goes through {@link Outbound.send}, which enforces the connection's budget: what waits in the socket
 * (bytes a client does not read) and what waits for credit (notifications a client does not request). Past either
 * bound the owner ends the connection as a slow consumer, whatever the frame was, so memory per connection stays
 * bounded against any client. Only the ending's own ERROR frame ({@link Outbound.last}) is written past the budget.
 */
export class Outbound {
  private waitingForCredit = 0;

  constructor(
    private readonly socket: WebSocket,
    private readonly budget: OutboundBudget,
    private readonly owner: BudgetOwner,
  ) {}

  /** Writes one encoded frame; dropped once the socket no longer sends. Past the byte budget, the owner ends it. */
  send(frame: Buffer): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    this.socket.send(frame);
    if (this.socket.bufferedAmount > this.budget.maxBufferedBytes) {
      this.owner.overBudget(
        `more than ${this.budget.maxBufferedBytes} bytes waited to be written to this connection (MAX_BUFFERED_BYTES); ` +
          'read faster, or reconnect with lastEventId',
      );
    }
  }

  /** Notifications waiting for credit changed by `delta`; past the budget, the owner ends the connection. */
  waitingChanged(delta: number): void {
    this.waitingForCredit += delta;
    if (this.waitingForCredit > this.budget.maxWaiting) {
      this.owner.overBudget(
        `more than ${this.budget.maxWaiting} notifications waited for credit (MAX_PENDING_PER_CONNECTION); ` +
          'send REQUEST_N sooner, or reconnect with lastEventId',
      );
    }
  }

  /** The ending's ERROR frame: the one write allowed past the budget (a single frame of bounded size). */
  last(frame: Buffer): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(frame);
  }
}
