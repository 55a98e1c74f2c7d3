import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Reason } from '@notification-transport/contract';
import type { Closeable, DuplexConnection, Frame, Outbound, ServerTransport } from 'rsocket-core';
import WebSocket, { WebSocketServer } from 'ws';
import type { Logger } from '../log/logger.js';
import { ConnectionReader } from './connection-reader.js';
import { WebSocketDuplexConnection, type SessionHandler } from './websocket-duplex-connection.js';

/** Settings of the WebSocket server transport. */
export interface WebSocketServerTransportOptions {
  /** The HTTP server whose `upgrade` requests on `path` become RSocket connections. */
  server: Server;
  path: string;
  /** Largest WebSocket message accepted; larger ends the connection with `[too-large]`. */
  maxFrameBytes: number;
  /** Largest metadata + data of one frame; more ends the connection with `[too-large]`. */
  maxDataBytes: number;
  /** Frames one connection may send per second; more ends it with `[invalid-request]`. */
  maxFramesPerSecond: number;
  /** Frames a client may send after SETUP before the acceptor has decided; more is a protocol error. */
  maxFramesBeforeAccept?: number;
  /** A socket that has sent no SETUP by then is refused. */
  setupTimeoutMs: number;
  /** How often idle and SETUP deadlines are checked (one timer for all connections). */
  sweepIntervalMs?: number;
  /** Decides whether a socket may be upgraded at all (false while draining: 503). */
  admit?: () => boolean;
  /** Observes every connection this transport refuses or ends itself, by reason token. */
  onRefused?: (reason: Reason) => void;
  /** Runs on every deadline sweep (once per `sweepIntervalMs`), for deadlines the session layer owns. */
  onSweep?: (now: number) => void;
  logger: Logger;
}

/** rsocket-core's connection acceptor, as `ServerTransport.bind` receives it. */
export type Acceptor = (frame: Frame, connection: DuplexConnection) => Promise<void>;

const HARD_LIMIT_FACTOR = 4;
/** rsocket-core's multiplexer/demultiplexer factory, as `ServerTransport.bind` receives it. */
export type SessionFactory = (frame: Frame, outbound: Outbound & Closeable) => SessionHandler;

/**
 * RSocket over WebSocket on a current `ws`, implementing rsocket-core's `ServerTransport`. It replaces
 * rsocket-websocket-server 1.0.0-alpha.3 (docs/decisions/0001-own-server-transport.md): every message is decoded
 * inside try/catch and a bad one ends only its connection, closes are noticed at once, SETUP-level refusals carry
 * the spec's codes (INVALID_SETUP, UNSUPPORTED_SETUP, REJECTED_SETUP, REJECTED_RESUME), and the upgrade request
 * reaches the acceptor.
 */
export class WebSocketServerTransport implements ServerTransport {
  private readonly wss: WebSocketServer;
  private readonly readers = new Set<ConnectionReader>();
  private sweeper: NodeJS.Timeout | undefined;
  private onUpgrade: ((request: IncomingMessage, socket: Duplex, head: Buffer) => void) | undefined;

  constructor(private readonly options: WebSocketServerTransportOptions) {
    // ws refuses messages over maxPayload by closing with 1009 before we can answer; reading up to four times our
    // limit lets an oversize frame get its [too-large] ERROR while memory per message stays bounded.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: HARD_LIMIT_FACTOR * options.maxFrameBytes, perMessageDeflate: false });
  }

  /** Sockets upgraded and not yet closed, with or without SETUP. */
  get size(): number {
    return this.readers.size;
  }

  bind(acceptor: Acceptor, createSession: SessionFactory): Promise<Closeable> {
    const { server, path } = this.options;
    this.onUpgrade = (request, socket, head) => {
      // Until ws takes the socket over, nothing listens for its errors: a reset there must not crash the process.
      // A named function, not a closure: the listener stays on the socket for its life, and a closure here would
      // share this function's context and keep the upgrade request (every header) alive with it.
      socket.on('error', destroySocket);
      if ((request.url ?? '').split('?', 1)[0] !== path) return rejectUpgrade(socket, 404);
      if (this.options.admit?.() === false) return rejectUpgrade(socket, 503);
      this.wss.handleUpgrade(request, socket, head, (ws) => this.open(ws, request, acceptor, createSession));
    };
    server.on('upgrade', this.onUpgrade);
    this.sweeper = setInterval(() => this.sweep(), this.options.sweepIntervalMs ?? 1_000);
    this.sweeper.unref();
    const closeable = new TransportCloseable(() => this.stop());
    return Promise.resolve(closeable);
  }

  private open(ws: WebSocket, request: IncomingMessage, acceptor: Acceptor, createSession: SessionFactory): void {
    const connection = new WebSocketDuplexConnection(ws, request);
    const reader = new ConnectionReader(connection, acceptor, createSession, this.options);
    this.readers.add(reader);
    ws.on('message', (data, isBinary) => reader.read(data, isBinary));
    ws.on('error', (error) => {
      this.options.logger.debug({ err: error }, 'websocket error');
      connection.close(error);
    });
    ws.on('close', () => {
      this.readers.delete(reader);
      connection.close();
    });
  }

  /** One pass over every connection: refuses those without SETUP in time, drops those silent for their lifetime. */
  private sweep(): void {
    const now = Date.now();
    for (const reader of this.readers) reader.checkDeadline(now);
    this.options.onSweep?.(now);
  }

  private stop(): void {
    if (this.onUpgrade) this.options.server.off('upgrade', this.onUpgrade);
    this.onUpgrade = undefined;
    clearInterval(this.sweeper);
    for (const reader of this.readers) reader.connection.close(new Error('transport closed'));
    this.wss.close();
  }
}

function destroySocket(this: Duplex): void {
  this.destroy();
}

/** Answers a refused upgrade with a plain HTTP status and drops the socket. */
function rejectUpgrade(socket: Duplex, status: number): void {
  const text = status === 404 ? 'Not Found' : status === 503 ? 'Service Unavailable' : 'Bad Request';
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** The `Closeable` that `bind` resolves to. */
class TransportCloseable {
  private callbacks: Array<(error?: Error) => void> = [];
  private closed = false;

  constructor(private readonly stop: () => void) {}

  close(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.stop();
    for (const callback of this.callbacks) callback(error);
    this.callbacks = [];
  }

  onClose(callback: (error?: Error) => void): void {
    if (this.closed) callback();
    else this.callbacks.push(callback);
  }
}
