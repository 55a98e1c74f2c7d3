import type { IncomingMessage, Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer, type RawData } from 'ws';
import type { ConnectionHandlerFactory } from './connection-handler.js';
import { Connection, type ConnectionSettings } from './connection.js';
import { Deadlines } from './deadlines.js';
import type { ConnectionEnding } from './endings.js';

/** Settings of the WebSocket transport. */
export interface WebSocketTransportOptions extends ConnectionSettings {
  /** The HTTP server whose `upgrade` requests on `path` become connections. */
  server: Server;
  path: string;
  /** A socket that has sent no SETUP this long after its upgrade is refused. */
  setupTimeoutMs: number;
  /** How often deadlines are checked (one timer for all connections). */
  sweepIntervalMs: number;
}

/**
 * ws messages over this are refused by ws itself (close 1009) before a frame can be answered; reading up to four
 * times the frame limit lets an oversize frame get its `[too-large]` ERROR while memory per message stays bounded.
 */
const HARD_LIMIT_FACTOR = 4;

/**
 * A ws socket that knows its connection, so that one listener function per event serves every socket: a closure per
 * socket and event, with the context they share, cost ~230 bytes a connection (measured in a heap snapshot).
 */
class ConnectionSocket extends WebSocket {
  connection: Connection | undefined;
}

/** The connection of a socket the server made (ws calls each listener on its socket). */
function connectionOf(socket: WebSocket): Connection | undefined {
  return socket instanceof ConnectionSocket ? socket.connection : undefined;
}

function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  connectionOf(this)?.receive(data, isBinary);
}

function onError(this: WebSocket, error: Error): void {
  connectionOf(this)?.socketError(error);
}

function onClose(this: WebSocket): void {
  connectionOf(this)?.socketClosed();
}

/**
 * RSocket over WebSocket on a current `ws`: takes the HTTP server's upgrades on one path, makes each socket a
 * {@link Connection} with a handler from the factory, and runs every connection's deadlines on one timer. While
 * draining it answers new upgrades with 503, until `close()`.
 */
export class WebSocketTransport {
  private readonly wss: WebSocketServer;
  private readonly deadlines: Deadlines<Connection>;
  private readonly idPrefix = randomBytes(4).toString('hex');
  private nextId = 0;
  private admitting = true;
  private onUpgrade: ((request: IncomingMessage, socket: Duplex, head: Buffer) => void) | undefined;

  constructor(
    private readonly options: WebSocketTransportOptions,
    private readonly createHandler: ConnectionHandlerFactory,
  ) {
    // No client tracking: the deadlines hold the open connections; ws's own set would add a listener and an entry
    // per socket.
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: HARD_LIMIT_FACTOR * options.maxFrameBytes,
      perMessageDeflate: false,
      clientTracking: false,
      WebSocket: ConnectionSocket,
    });
    this.deadlines = new Deadlines(options.setupTimeoutMs, options.sweepIntervalMs);
  }

  /** Starts taking upgrades on the HTTP server (before it listens). */
  listen(): void {
    if (this.onUpgrade !== undefined) return;
    this.onUpgrade = (request, socket, head) => {
      // Until ws takes the socket over, nothing listens for its errors: a reset there must not crash the process.
      // A named function, not a closure: the listener stays on the socket for its life, and a closure here would
      // share this function's context and keep the upgrade request (every header) alive with it.
      socket.on('error', destroySocket);
      if ((request.url ?? '').split('?', 1)[0] !== this.options.path) return rejectUpgrade(socket, 404);
      if (!this.admitting) return rejectUpgrade(socket, 503);
      this.wss.handleUpgrade(request, socket, head, (ws) => this.open(ws, request));
    };
    this.options.server.on('upgrade', this.onUpgrade);
    this.deadlines.start();
  }

  /** From now on new upgrades get 503 (draining); the connections already open stay until ended. */
  stopAdmitting(): void {
    this.admitting = false;
  }

  /** Ends every connection still open with `ending`. */
  endAll(ending: ConnectionEnding, detail: string): void {
    for (const connection of [...this.deadlines.connections()]) connection.end(ending, detail);
  }

  /** Stops taking upgrades, ends what is left with `[draining]`, and closes the WebSocket server; idempotent. */
  close(): void {
    this.stopAdmitting();
    if (this.onUpgrade) this.options.server.off('upgrade', this.onUpgrade);
    this.onUpgrade = undefined;
    this.deadlines.stop();
    this.endAll('draining', 'this instance is shutting down; reconnect (with lastEventId) to another one');
    this.wss.close();
  }

  private open(ws: WebSocket, request: IncomingMessage): void {
    if (!(ws instanceof ConnectionSocket)) throw new Error('ws made a socket of another class than the one it was given');
    const id = `${this.idPrefix}-${(this.nextId++).toString(36)}`;
    const connection = new Connection(id, ws, request, this.createHandler, this.options, this.deadlines);
    this.deadlines.track(connection);
    ws.connection = connection;
    ws.on('message', onMessage);
    ws.on('error', onError);
    ws.on('close', onClose);
  }
}

function destroySocket(this: Duplex): void {
  this.destroy();
}

/** Answers a refused upgrade with a plain HTTP status and drops the socket. */
function rejectUpgrade(socket: Duplex, status: 404 | 503): void {
  const text = status === 404 ? 'Not Found' : 'Service Unavailable';
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
