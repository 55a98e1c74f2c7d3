import type { IncomingMessage } from 'node:http';
import type { Frame, SetupFrame } from 'rsocket-core';
import type { ConnectionEnding } from './endings.js';
import type { Outbound } from './outbound.js';

/** What a handler sees of its connection. */
export interface ConnectionPort {
  /** Names the connection in logs, metrics and the `session` answer. */
  readonly id: string;
  /** The one way out: every frame the handler writes goes through it. */
  readonly outbound: Outbound;
  /** Whether the SETUP was accepted and no ending has begun. */
  readonly live: boolean;
  /** Ends the connection (idempotent): the ending's ERROR on stream 0, then the WebSocket close. */
  end(ending: ConnectionEnding, detail: string): void;
}

/** What a SETUP was accepted as: who the connection is, and when its token stops being accepted (epoch ms). */
export interface Admitted {
  userId: string;
  expiresAt?: number;
}

/**
 * The server's side of one connection, driven by the transport: `setup` once for the first frame (a valid SETUP),
 * then `frame` for every later frame in order, then `closed` once when the connection is over.
 */
export interface ConnectionHandler {
  /** Decides the SETUP: resolves to accept, rejects with `RSocketEndError` to refuse. Later frames wait meanwhile. */
  setup(setup: SetupFrame, upgrade: IncomingMessage): Promise<Admitted>;
  /** One frame after the SETUP was accepted. Throwing `RSocketEndError` ends the connection with its ending. */
  frame(frame: Frame): void;
  /** The connection is over (an ending began, or the socket closed): release what it holds. Called exactly once. */
  closed(): void;
}

/** Creates the handler of each new connection. */
export type ConnectionHandlerFactory = (connection: ConnectionPort) => ConnectionHandler;
