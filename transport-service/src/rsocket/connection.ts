import type { IncomingMessage } from 'node:http';
import { formatReason, type Reason } from '@notification-transport/contract';
import type { Frame, SetupFrame } from 'rsocket-core';
import WebSocket, { type RawData } from 'ws';
import { RSocketEndError } from '../errors/transport-error.js';
import type { Logger } from '../log/logger.js';
import type { Admitted, ConnectionHandler, ConnectionHandlerFactory, ConnectionPort } from './connection-handler.js';
import type { DeadlinePhase, Timed } from './deadlines.js';
import { ENDINGS, type ConnectionEnding } from './endings.js';
import { IGNORABLE, MalformedFrameError } from './frame-decoder.js';
import { encodeErrorFrame } from './frame-encoder.js';
import { frameDataBytes, readInboundFrame, type InboundLimits } from './inbound-frame.js';
import { Outbound, type BudgetOwner, type OutboundBudget } from './outbound.js';
import { setupRefusal, type KeepAliveLimits } from './setup-validation.js';

/** What every connection of an instance shares. */
export interface ConnectionSettings extends InboundLimits, KeepAliveLimits {
  /** Frames one connection may send per second; more ends it with `[invalid-request]`. */
  maxFramesPerSecond: number;
  /** Frames a client may send after SETUP before it was decided; more (or more than `maxFrameBytes` of their data) is a protocol error. */
  maxFramesBeforeAccept: number;
  budget: OutboundBudget;
  /** How long a closing socket may take to finish the close handshake before it is destroyed. */
  closeGraceMs: number;
  /** Observes every ending that tells the client a reason (for the refusals counter). */
  onEnded(reason: Reason): void;
  logger: Logger;
}

type State = DeadlinePhase;

/** The only moves a connection's state makes; any other is a bug and throws. */
const MOVES: Readonly<Record<State, readonly State[]>> = {
  'awaiting-setup': ['accepting', 'ending', 'closed'],
  accepting: ['accepted', 'ending', 'closed'],
  accepted: ['ending', 'closed'],
  ending: ['closed'],
  closed: [],
};

/**
 * One client's WebSocket, from upgrade to close: it reads every message as a frame (limits, flood guard, RSocket
 * 1.0 decoding), takes the first as the SETUP and has the handler decide it, hands later frames to the handler, and
 * owns the connection's one state (awaiting-setup → accepting → accepted → ending → closed). {@link Connection.end}
 * is the one way a connection ends. Bad input or a failing handler ends this connection only, never the process.
 */
export class Connection implements ConnectionPort, BudgetOwner, Timed {
  readonly outbound: Outbound;
  readonly openedAt: number;
  lastReceivedAt: number;
  lifetimeMs: number | undefined;
  tokenExpiresAt: number | undefined;
  /** The user, once the SETUP was accepted (for log lines). */
  userId: string | undefined;
  private state: State = 'awaiting-setup';
  private readonly handler: ConnectionHandler;
  private held: Frame[] | undefined;
  private heldBytes = 0;
  private windowStart = 0;
  private framesInWindow = 0;
  private closeTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly id: string,
    private readonly socket: WebSocket,
    /** The HTTP upgrade request (identity carriers), kept only until the SETUP is handed on. */
    private upgrade: IncomingMessage | undefined,
    createHandler: ConnectionHandlerFactory,
    private readonly settings: ConnectionSettings,
    /** Told once the socket closed, to stop tracking the connection. */
    private readonly tracker: { untrack(connection: Connection): void },
  ) {
    this.openedAt = Date.now();
    this.lastReceivedAt = this.openedAt;
    this.outbound = new Outbound(socket, settings.budget, this);
    this.handler = createHandler(this);
  }

  get phase(): State {
    return this.state;
  }

  get live(): boolean {
    return this.state === 'accepted';
  }

  /** One WebSocket message from the client. */
  receive(data: RawData, isBinary: boolean): void {
    if (this.state === 'ending' || this.state === 'closed') return;
    const now = Date.now();
    this.lastReceivedAt = now;
    try {
      this.countFrame(now);
      const frame = readInboundFrame(data, isBinary, this.settings);
      if (frame === IGNORABLE) return;
      if (this.state === 'accepted') this.handler.frame(frame);
      else if (this.state === 'accepting') this.hold(frame);
      else this.setup(frame);
    } catch (error) {
      this.fail(error);
    }
  }

  /** Ends the connection, once: the ending's ERROR on stream 0 (when it has one), then the WebSocket close. */
  end(name: ConnectionEnding, detail: string): void {
    if (this.state === 'ending' || this.state === 'closed') return;
    this.setState('ending');
    this.held = undefined;
    this.upgrade = undefined;
    const ending = ENDINGS[name];
    this.settings.logger.debug({ connectionId: this.id, userId: this.userId, ending: name, detail }, 'connection ended');
    if (ending.reason !== undefined) {
      this.settings.onEnded(ending.reason);
      this.outbound.last(encodeErrorFrame(0, ending.code, formatReason(ending.reason, detail)));
    }
    this.closeSocket(ending.wsClose, ending.reason);
    this.handler.closed();
  }

  /** The outbound budget is spent: the connection ends as a slow consumer, whatever it was writing. */
  overBudget(detail: string): void {
    this.end('slow-consumer', detail);
  }

  /** ws refused a frame or a write failed: the socket is dropped, and its close follows (a reset shows as close only). */
  socketError(error: Error): void {
    this.settings.logger.debug({ err: error, connectionId: this.id }, 'websocket error');
    this.socket.terminate();
  }

  /** The socket closed (either side, or the network): the connection is over. */
  socketClosed(): void {
    this.tracker.untrack(this);
    if (this.state === 'closed') return;
    const wasOpen = this.state !== 'ending';
    this.setState('closed');
    clearTimeout(this.closeTimer);
    this.held = undefined;
    this.upgrade = undefined;
    if (wasOpen) this.handler.closed();
  }

  /** Flood guard: more than `maxFramesPerSecond` frames in one one-second window ends the connection. */
  private countFrame(now: number): void {
    if (now - this.windowStart >= 1_000) {
      this.windowStart = now;
      this.framesInWindow = 0;
    }
    this.framesInWindow += 1;
    if (this.framesInWindow > this.settings.maxFramesPerSecond) {
      throw new RSocketEndError('protocol-error', `more than ${this.settings.maxFramesPerSecond} frames in one second (MAX_FRAMES_PER_SECOND)`);
    }
  }

  /** The first frame: a SETUP this server serves goes to the handler to decide; anything else is refused. */
  private setup(frame: Frame): void {
    const refusal = setupRefusal(frame, this.settings);
    if (refusal !== undefined) return this.end(refusal.ending, refusal.detail);
    const setup = frame as SetupFrame;
    const upgrade = this.upgrade as IncomingMessage;
    this.upgrade = undefined;
    this.setState('accepting');
    this.lifetimeMs = setup.lifetime;
    this.handler.setup(setup, upgrade).then(
      (admitted) => this.accepted(admitted),
      (error: unknown) => this.fail(error),
    );
  }

  /** Frames sent after SETUP while it is being decided wait, in order, bounded in count and in bytes. */
  private hold(frame: Frame): void {
    this.held ??= [];
    this.heldBytes += frameDataBytes(frame);
    if (this.held.length >= this.settings.maxFramesBeforeAccept || this.heldBytes > this.settings.maxFrameBytes) {
      throw new RSocketEndError(
        'protocol-error',
        `more than ${this.settings.maxFramesBeforeAccept} frames or ${this.settings.maxFrameBytes} bytes before the SETUP was accepted`,
      );
    }
    this.held.push(frame);
  }

  private accepted(admitted: Admitted): void {
    if (this.state !== 'accepting') return;
    this.setState('accepted');
    this.userId = admitted.userId;
    this.tokenExpiresAt = admitted.expiresAt;
    const held = this.held ?? [];
    this.held = undefined;
    try {
      for (const frame of held) {
        if (!this.live) return;
        this.handler.frame(frame);
      }
    } catch (error) {
      this.fail(error);
    }
  }

  /** The safety net: a refusal ends with its own ending, a bad frame with the protocol's, anything else as internal. */
  private fail(error: unknown): void {
    if (this.state === 'ending' || this.state === 'closed') return;
    if (error instanceof RSocketEndError && ENDINGS[error.ending].scope === 'connection') {
      return this.end(error.ending as ConnectionEnding, error.detail);
    }
    if (error instanceof MalformedFrameError) {
      return this.end(this.state === 'awaiting-setup' ? 'invalid-setup' : 'protocol-error', error.message);
    }
    this.settings.logger.error({ err: error, connectionId: this.id, userId: this.userId }, 'connection handler failed; ending this connection');
    this.end('internal', 'internal error; reconnect');
  }

  private setState(next: State): void {
    if (!MOVES[this.state].includes(next)) throw new Error(`connection ${this.id}: no move from ${this.state} to ${next}`);
    this.state = next;
  }

  /** Closes the socket after what is already queued; destroys it if the close handshake takes too long. */
  private closeSocket(code: number, reason: Reason | undefined): void {
    const { socket } = this;
    if (socket.readyState !== WebSocket.OPEN && socket.readyState !== WebSocket.CONNECTING) return;
    socket.close(code, reason === undefined ? undefined : `[${reason}]`);
    this.closeTimer = setTimeout(() => socket.terminate(), this.settings.closeGraceMs);
    this.closeTimer.unref();
  }
}
